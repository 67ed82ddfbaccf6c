"""Writes what OpenSlide itself reads from the test slides, for the pure-Java reader's tests to match.

    /work/venv/bin/python tools/openslide_reference.py > src/test/resources/wsi/openslide-reference.json

Needs libopenslide (Debian: apt-get install libopenslide0); calls its C API through ctypes (no other package).
For each slide: levels, properties, associated image sizes with a SHA-256 of their ARGB pixels, and a few regions
as ARGB pixels (base64 of big-endian 0xAARRGGBB ints, un-premultiplied), some across tile edges, some partly
outside the slide, some at a fractional level offset (where OpenSlide filters bilinearly).
"""
import base64
import ctypes
import hashlib
import json
import struct
import sys

L = ctypes.CDLL("libopenslide.so.0")
L.openslide_open.restype = ctypes.c_void_p
L.openslide_open.argtypes = [ctypes.c_char_p]
L.openslide_get_error.restype = ctypes.c_char_p
L.openslide_get_error.argtypes = [ctypes.c_void_p]
L.openslide_get_level_count.argtypes = [ctypes.c_void_p]
L.openslide_get_level_dimensions.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_int64),
                                             ctypes.POINTER(ctypes.c_int64)]
L.openslide_get_level_downsample.restype = ctypes.c_double
L.openslide_get_level_downsample.argtypes = [ctypes.c_void_p, ctypes.c_int32]
L.openslide_read_region.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint32), ctypes.c_int64, ctypes.c_int64,
                                    ctypes.c_int32, ctypes.c_int64, ctypes.c_int64]
L.openslide_get_property_names.restype = ctypes.POINTER(ctypes.c_char_p)
L.openslide_get_property_names.argtypes = [ctypes.c_void_p]
L.openslide_get_property_value.restype = ctypes.c_char_p
L.openslide_get_property_value.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
L.openslide_get_associated_image_names.restype = ctypes.POINTER(ctypes.c_char_p)
L.openslide_get_associated_image_names.argtypes = [ctypes.c_void_p]
L.openslide_get_associated_image_dimensions.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                                        ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64)]
L.openslide_read_associated_image.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint32)]
L.openslide_get_version.restype = ctypes.c_char_p

DIR = "src/test/resources/wsi/"
REGIONS = {
    "CMU-1-Small-Region.svs": [(0, 0, 0, 32, 32), (1000, 1200, 0, 32, 32), (228, 228, 0, 24, 24),
                               (2200, 2950, 0, 32, 32)],
    "openslide-small.svs": [(0, 0, 0, 16, 16), (8, 8, 0, 16, 16)],
    "openslide-boxes.tiff": [(0, 0, 0, 32, 32), (0, 0, 1, 32, 32), (0, 0, 2, 32, 32), (0, 0, 3, 37, 31),
                             (100, 100, 1, 32, 32), (290, 240, 0, 32, 32), (5, 3, 1, 32, 32), (16, 8, 2, 32, 32)],
    "jp2k-ycbcr.svs": [(0, 0, 0, 32, 32), (120, 120, 0, 32, 32), (64, 64, 1, 32, 32), (5, 3, 1, 16, 16)],
    "jp2k-rgb.svs": [(0, 0, 0, 32, 32), (120, 120, 0, 32, 32), (64, 64, 1, 32, 32), (5, 3, 1, 16, 16)],
}


def unpremultiply(px):
    out = []
    for p in px:
        a = p >> 24
        if 0 < a < 255:
            r = min(255, (((p >> 16) & 255) * 255 + a // 2) // a)
            g = min(255, (((p >> 8) & 255) * 255 + a // 2) // a)
            b = min(255, ((p & 255) * 255 + a // 2) // a)
            p = (a << 24) | (r << 16) | (g << 8) | b
        out.append(p)
    return out


def pixels_bytes(px):
    return struct.pack(">%dI" % len(px), *px)


def strings(arr):
    out, i = [], 0
    while arr[i]:
        out.append(arr[i].decode())
        i += 1
    return out


def main():
    result = {"openslide_version": L.openslide_get_version().decode(), "slides": {}}
    for name, regions in REGIONS.items():
        osr = L.openslide_open((DIR + name).encode())
        err = L.openslide_get_error(osr)
        if err:
            sys.exit(name + ": " + err.decode())
        levels = []
        for i in range(L.openslide_get_level_count(osr)):
            w, h = ctypes.c_int64(), ctypes.c_int64()
            L.openslide_get_level_dimensions(osr, i, ctypes.byref(w), ctypes.byref(h))
            levels.append({"width": w.value, "height": h.value,
                           "downsample": L.openslide_get_level_downsample(osr, i)})
        props = {n: L.openslide_get_property_value(osr, n.encode()).decode()
                 for n in strings(L.openslide_get_property_names(osr))}
        assoc = {}
        for n in strings(L.openslide_get_associated_image_names(osr)):
            w, h = ctypes.c_int64(), ctypes.c_int64()
            L.openslide_get_associated_image_dimensions(osr, n.encode(), ctypes.byref(w), ctypes.byref(h))
            buf = (ctypes.c_uint32 * (w.value * h.value))()
            L.openslide_read_associated_image(osr, n.encode(), buf)
            assoc[n] = {"width": w.value, "height": h.value,
                        "sha256": hashlib.sha256(pixels_bytes(unpremultiply(list(buf)))).hexdigest()}
        regs = []
        for (x, y, level, w, h) in regions:
            buf = (ctypes.c_uint32 * (w * h))()
            L.openslide_read_region(osr, buf, x, y, level, w, h)
            regs.append({"x": x, "y": y, "level": level, "width": w, "height": h,
                         "argb": base64.b64encode(pixels_bytes(unpremultiply(list(buf)))).decode()})
        result["slides"][name] = {"levels": levels, "properties": props, "associated": assoc, "regions": regs}
        L.openslide_close(ctypes.c_void_p(osr))
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
