"""Writes an independent record of where pdfplumber finds images and caption labels in the test PDFs.

The Java tests compare the extractor's boxes with these: image placements (the image's CTM applied to the unit
square) and the top-left corner of each caption label word ("Figure", "Table", "Scheme"), in points from the
page's top-left corner.
Run: /work/venv/bin/python tools/pdf_layout_reference.py   (pdfplumber 0.11.10, pdfminer.six as installed)
"""
import json
import pathlib
import re

import pdfminer
import pdfplumber

ROOT = pathlib.Path(__file__).resolve().parents[1] / "src/test/resources/org/pathoreason/data/pdf"
LABEL = re.compile(r"^(Figure|Fig\.?|Table|Scheme)\s*S?\d")

out = {"tool": "pdfplumber " + pdfplumber.__version__ + ", pdfminer.six " + pdfminer.__version__, "files": {}}
for name in ["douglas-2014-clin-sci-ace-inhibitors.pdf", "datta-2010-jtmo-no-figures.pdf"]:
    pages = []
    with pdfplumber.open(ROOT / name) as pdf:
        for i, page in enumerate(pdf.pages):
            images = [{"bbox": [round(im["x0"], 2), round(im["top"], 2), round(im["x1"], 2), round(im["bottom"], 2)],
                       "pixels": list(im["srcsize"])} for im in page.images]
            labels = []
            for line in page.extract_text_lines():
                text = line["text"]
                if LABEL.match(text):
                    labels.append({"text": text[:40], "x0": round(line["x0"], 2), "top": round(line["top"], 2)})
            pages.append({"page": i + 1, "width": float(page.width), "height": float(page.height),
                          "images": images, "labels": labels})
    out["files"][name] = pages
(ROOT / "pdfplumber-layout.json").write_text(json.dumps(out, indent=1) + "\n")
print("wrote", ROOT / "pdfplumber-layout.json")
