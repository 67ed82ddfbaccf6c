"""A stand-in for torchvision on machines where the installed torchvision does not load (its compiled operators
do not match the installed torch). It implements, on PIL images, only the eval transforms open_clip builds for the
'shortest' resize mode (Resize of the shorter side, CenterCrop, ToTensor, Normalize, Compose), following
torchvision 0.2x's documented rules: the longer side becomes int(size * long / short), Pillow resamples, the crop
offset is int(round((in - out) / 2)). Everything else raises. Put its parent folder first on sys.path.
"""
__version__ = "0.0-shim"
from . import transforms  # noqa: F401,E402
