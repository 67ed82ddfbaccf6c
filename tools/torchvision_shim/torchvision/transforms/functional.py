"""Only what open_clip's eval path calls (see the package docstring)."""
def to_tensor(img):
    from . import ToTensor
    return ToTensor()(img)


def __getattr__(name):
    raise NotImplementedError("shim: torchvision.transforms.functional." + name + " is not provided")
