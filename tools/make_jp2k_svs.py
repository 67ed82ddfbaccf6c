"""Writes TCGA-style Aperio SVS fixtures with JPEG 2000 tiles for the wsi tests.

Aperio stores JPEG 2000 tiles as raw codestreams under TIFF compression 33003 (YCbCr samples, no multi-component
transform: the reader converts to RGB) or 33005 (RGB samples). The pixels are a crop of CMU-1-Small-Region.svs
(CC0). Two levels (256x256 and 128x128, 128x128 tiles) and a thumbnail strip, as Aperio lays them out.

    /work/venv/bin/python tools/make_jp2k_svs.py
writes src/test/resources/wsi/jp2k-ycbcr.svs (33003, lossy 9/7 like TCGA) and jp2k-rgb.svs (33005, lossless 5/3).
"""
import numpy as np
import tifffile
import imagecodecs

SRC = "src/test/resources/wsi/CMU-1-Small-Region.svs"
OUT = "src/test/resources/wsi/"
TILE = 128


def rgb_to_ycbcr(rgb):
    # JFIF full-range YCbCr, the transform Aperio's 33003 codestreams carry (and readers undo)
    r, g, b = [rgb[..., i].astype(np.float64) for i in range(3)]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return np.clip(np.round(np.stack([y, cb, cr], axis=-1)), 0, 255).astype(np.uint8)


def tiles(img, ycbcr, lossless):
    h, w, _ = img.shape
    for ty in range(0, h, TILE):
        for tx in range(0, w, TILE):
            t = np.full((TILE, TILE, 3), 255, np.uint8)
            part = img[ty:ty + TILE, tx:tx + TILE]
            t[:part.shape[0], :part.shape[1]] = part
            if ycbcr:
                t = rgb_to_ycbcr(t)
            yield imagecodecs.jpeg2k_encode(t, level=0 if lossless else 40, codecformat="J2K",
                                            mct=False, reversible=lossless)


def write(name, compression, ycbcr, lossless, level0):
    level1 = level0.reshape(level0.shape[0] // 2, 2, level0.shape[1] // 2, 2, 3).mean(axis=(1, 3)).round().astype(
        np.uint8)
    thumb = level0[::4, ::4]
    h, w, _ = level0.shape
    kind = "J2K/YUV16" if ycbcr else "J2K/KDU"
    q = "Q=100" if lossless else "Q=70"
    meta = (f"|AppMag = 20|MPP = 0.4990|Filename = {name}|Generator = tools/make_jp2k_svs.py, tifffile "
            f"{tifffile.__version__}, imagecodecs {imagecodecs.__version__} ({imagecodecs.jpeg2k_version()})")
    with tifffile.TiffWriter(OUT + name) as tw:
        tw.write(tiles(level0, ycbcr, lossless), shape=level0.shape, dtype=np.uint8, tile=(TILE, TILE),
                 compression=compression, photometric="rgb",
                 description=f"Aperio Image Library v12.0.15 \r\n{w}x{h} [0,0 {w}x{h}] ({TILE}x{TILE}) {kind} {q}"
                             + meta, metadata=None)
        tw.write(thumb, photometric="rgb", compression="lzw", rowsperstrip=16,
                 description=f"Aperio Image Library v12.0.15 \r\n{w}x{h} -> {thumb.shape[1]}x{thumb.shape[0]} - "
                             + meta, metadata=None)
        tw.write(tiles(level1, ycbcr, lossless), shape=level1.shape, dtype=np.uint8, tile=(TILE, TILE),
                 compression=compression, photometric="rgb",
                 description=f"Aperio Image Library v12.0.15 \r\n{w}x{h} [0,0 {w}x{h}] ({TILE}x{TILE}) -> "
                             f"{level1.shape[1]}x{level1.shape[0]} {kind} {q}" + meta, metadata=None)


def main():
    src = tifffile.imread(SRC, key=0)
    crop = np.ascontiguousarray(src[1300:1556, 760:1016])  # 256 x 256, tissue and background
    write("jp2k-ycbcr.svs", 33003, True, False, crop)
    write("jp2k-rgb.svs", 33005, False, True, crop)


if __name__ == "__main__":
    main()
