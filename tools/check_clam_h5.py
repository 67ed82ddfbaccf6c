"""Checks that PathoReason's coordinate and feature files open as CLAM's and TRIDENT's readers open them.

    /work/venv/bin/python tools/check_clam_h5.py OUT/patches/NAME.h5 [OUT/h5_files/NAME.h5 ...]

For each file, with h5py: 'coords' is int64 [N, 2] with integer 'patch_size' and 'patch_level' attributes (what
CLAM's Whole_Slide_Bag_FP reads); 'features', when present, is float32 [N, D] with as many rows as 'coords' (what
CLAM's Generic_MIL_Dataset reads). Prints what it found; exits 1 on the first mismatch.
"""
import sys

import h5py
import numpy as np


def check(path):
    with h5py.File(path, "r") as f:
        coords = f["coords"]
        assert coords.dtype == np.int64, f"coords dtype {coords.dtype}"
        assert coords.ndim == 2 and coords.shape[1] == 2, f"coords shape {coords.shape}"
        attrs = dict(coords.attrs)
        patch_size = int(attrs["patch_size"])
        patch_level = int(attrs["patch_level"])
        line = (f"{path}: coords {coords.shape} int64, patch_size {patch_size}, patch_level {patch_level}, "
                f"first {coords[0].tolist()}, attrs {sorted(attrs)}")
        if "features" in f:
            feats = f["features"]
            assert feats.dtype == np.float32, f"features dtype {feats.dtype}"
            assert feats.shape[0] == coords.shape[0], f"{feats.shape[0]} features for {coords.shape[0]} coords"
            line += f"; features {feats.shape} float32, mean {float(np.mean(feats[:])):.4f}"
        print(line)


if __name__ == "__main__":
    print(f"h5py {h5py.__version__}, HDF5 {h5py.version.hdf5_version}")
    for p in sys.argv[1:]:
        check(p)
