"""Eval transforms on PIL images (see the package docstring)."""
import enum

import numpy as np
import torch
from PIL import Image



class InterpolationMode(enum.Enum):
    NEAREST = "nearest"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    LANCZOS = "lanczos"


_PIL = {InterpolationMode.NEAREST: Image.NEAREST, InterpolationMode.BILINEAR: Image.BILINEAR,
        InterpolationMode.BICUBIC: Image.BICUBIC, InterpolationMode.LANCZOS: Image.LANCZOS}


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x


class Resize:
    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
        if max_size is not None:
            raise NotImplementedError("shim: Resize(max_size=...)")
        self.size = size
        self.interpolation = interpolation

    def __call__(self, img):
        w, h = img.size
        if isinstance(self.size, int) or len(self.size) == 1:
            s = self.size if isinstance(self.size, int) else self.size[0]
            if w <= h:
                new_w, new_h = s, int(s * h / w)
            else:
                new_w, new_h = int(s * w / h), s
        else:
            new_h, new_w = self.size
        if (new_w, new_h) == (w, h):
            return img
        return img.resize((new_w, new_h), _PIL[self.interpolation])


class CenterCrop:
    def __init__(self, size):
        self.size = (size, size) if isinstance(size, int) else tuple(size)

    def __call__(self, img):
        w, h = img.size
        ch, cw = self.size
        if ch > h or cw > w:
            raise NotImplementedError("shim: CenterCrop larger than the image")
        top = int(round((h - ch) / 2.0))
        left = int(round((w - cw) / 2.0))
        return img.crop((left, top, left + cw, top + ch))


class ToTensor:
    def __call__(self, img):
        a = np.asarray(img, dtype=np.uint8)
        if a.ndim == 2:
            a = a[:, :, None]
        return torch.from_numpy(a.transpose(2, 0, 1).copy()).float().div(255)


class Normalize:
    def __init__(self, mean, std, inplace=False):
        self.mean = torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).view(-1, 1, 1)

    def __call__(self, t):
        return (t - self.mean) / self.std


class _Unsupported:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("shim: " + type(self).__name__ + " is not provided")


class RandomResizedCrop(_Unsupported):
    pass


class ColorJitter(_Unsupported):
    pass


class Grayscale(_Unsupported):
    pass


class RandomGrayscale(_Unsupported):
    pass


class RandomApply(_Unsupported):
    pass


from . import functional  # noqa: E402,F401  (after the classes it uses)
