"""Writes the small tiles the PDF extraction tests place on generated textbook pages.

Downscales a few licensed tiles from ../shared/data/tiles (see its README) to at most 192 px with Pillow's
LANCZOS filter and saves them as PNG in src/test/resources/org/pathoreason/data/pdf/tiles/.
Run: /work/venv/bin/python tools/make_pdf_test_tiles.py   (Pillow 12.3.0)
"""
import pathlib
from PIL import Image

SRC = pathlib.Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "tiles"
if not SRC.exists():
    SRC = pathlib.Path("/work/shared/data/tiles")
OUT = pathlib.Path(__file__).resolve().parents[1] / "src/test/resources/org/pathoreason/data/pdf/tiles"

TILES = {
    "crc-adi-224.tif": ("crc-adi.png", 160),
    "histolab-tissue-level0-4302-10273-4814-10785.png": ("histolab-tissue.png", 192),
    "histolab-medium-nuclei-score-level1.png": ("histolab-nuclei.png", 160),
    "pathoml-breast-ducts-1024.png": ("pathoml-breast-ducts.png", 192),
    "tiatoolbox-he-1000.png": ("tiatoolbox-he.png", 160),
    "histolab-kidney-ihc-level0-310-500-360-530.png": ("histolab-kidney-ihc.png", 120),
}

OUT.mkdir(parents=True, exist_ok=True)
for src, (dst, size) in TILES.items():
    im = Image.open(SRC / src).convert("RGB")
    im.thumbnail((size, size), Image.LANCZOS)
    im.save(OUT / dst, optimize=True)
    print(dst, im.size, (OUT / dst).stat().st_size, "bytes")
