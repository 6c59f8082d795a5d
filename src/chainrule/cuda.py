"""``cr.cuda``: PyTorch's ``torch.cuda`` questions about NVIDIA GPUs, answered through CuPy.

chainrule computes on a GPU when CuPy is installed (``pip install 'chainrule[cuda12]'``) and a CUDA
device is present; ``is_available()`` says whether both hold. Random numbers are always drawn on the host
from chainrule's one generator and then moved to the device (so a seed gives the same model on the CPU
and on a GPU): ``manual_seed`` and ``manual_seed_all`` therefore seed that one generator, exactly as
``cr.manual_seed`` does.
"""

from __future__ import annotations

from typing import Any

from chainrule import backend
from chainrule import random as _random

__all__ = ["current_device", "device_count", "is_available", "manual_seed", "manual_seed_all", "synchronize"]


def is_available() -> bool:
    """True when a CUDA GPU can be used (CuPy installed and at least one device found)."""
    return backend.cuda_device_count() > 0


def device_count() -> int:
    """The number of CUDA GPUs chainrule can use (0 without CuPy or without a GPU)."""
    return backend.cuda_device_count()


def current_device() -> int:
    """The index of the GPU that ``"cuda"`` without an index means (always 0 in chainrule)."""
    return 0


def manual_seed(seed: int) -> None:
    """Seed the random numbers of every device: chainrule draws them on the host from one generator."""
    _random.manual_seed(seed)


def manual_seed_all(seed: int) -> None:
    """Seed the random numbers of every GPU (the one generator, see ``manual_seed``)."""
    _random.manual_seed(seed)


def synchronize(device: Any = None) -> None:
    """Wait until the GPU has finished all queued work (for timing); nothing to do without a GPU."""
    found = backend.cuda_backend()
    if found is not None and found.name == "cupy" and is_available():
        found.namespace.cuda.Device(backend.as_device(device or "cuda").index).synchronize()
