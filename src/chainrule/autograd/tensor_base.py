"""``TensorBase``: what every tensor holds, the class the modules that make up ``Tensor`` test against.

``Tensor`` (tensor.py) is assembled from this state and the method families of tensor_*.py; those
modules are imported by tensor.py, so they cannot import ``Tensor`` itself and recognise a tensor with
``isinstance(value, TensorBase)`` instead (every ``Tensor`` is one).
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

from chainrule import backend
from chainrule.autograd.dims import normalize_dim

if TYPE_CHECKING:
    from chainrule.autograd.function import Function
    from chainrule.autograd.tensor import Tensor


class TensorBase:
    """The state of a tensor: its array, whether it records gradients, its gradient, and the graph node
    that produced it (None for a leaf); and the read-only views of that state (shape, dtype, ...)."""

    # _version_count is set by the first in-place change only (versions.bump): nothing to do per new tensor.
    __slots__ = ("data", "requires_grad", "grad", "_ctx", "_retains_grad", "name", "_version_count", "__weakref__")

    data: np.ndarray
    requires_grad: bool
    grad: Tensor | None
    _ctx: Function | None
    _retains_grad: bool
    _version_count: builtins.int
    name: str | None

    def _set_state(self, array: np.ndarray) -> None:
        """A fresh leaf around ``array``: no gradient yet, not recording (the constructors then ask for
        ``requires_grad`` through ``requires_grad_``, which checks the dtype)."""
        self.data = array
        self.grad = None
        self._ctx = None
        self._retains_grad = False
        self.name = None
        self.requires_grad = False

    @property
    def _version(self) -> builtins.int:
        """How many times this tensor was changed in place (PyTorch's version counter, see versions.py)."""
        return getattr(self, "_version_count", 0)

    @property
    def shape(self) -> tuple[builtins.int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def device(self) -> backend.device:
        """Where the values live: ``device(type='cpu')`` or ``device(type='cuda', index=0)``."""
        return backend.device_of(self.data)

    @property
    def is_cuda(self) -> builtins.bool:
        return self.device.type == "cuda"

    @property
    def ndim(self) -> builtins.int:
        return self.data.ndim

    def dim(self) -> builtins.int:
        return self.data.ndim

    def size(self, dim: builtins.int | None = None) -> Any:
        if dim is None:
            return self.data.shape
        return self.data.shape[normalize_dim(dim, self.ndim)]

    def numel(self) -> builtins.int:
        return builtins.int(self.data.size)

    def is_floating_point(self) -> builtins.bool:
        return self.data.dtype.kind == "f"

    @property
    def is_leaf(self) -> builtins.bool:
        """True for tensors the user made (not produced by a recorded operation)."""
        return self._ctx is None

    @property
    def grad_fn(self) -> Function | None:
        """The graph node that produced this tensor, or None for a leaf."""
        return self._ctx

    def __len__(self) -> builtins.int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]
