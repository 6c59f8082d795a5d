"""Making tensors: from data, filled with constants, ranges, and random draws (PyTorch's names)."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule import dtypes
from chainrule.autograd.tensor import Tensor, to_array
from chainrule.backend import placed
from chainrule.random import make_rng


def _size(size: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept ``zeros(2, 3)`` and ``zeros((2, 3))`` alike."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"sizes must be non-negative integers, got {size}")
    return tuple(int(s) for s in size)


def _float_dtype(dtype: Any) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else dtypes.resolve(dtype)


def _made(array: np.ndarray, requires_grad: bool = False, device: Any = None) -> Tensor:
    """The tensor around a host array made by a factory, on ``device`` (None: the default device,
    ``cr.set_default_device``): every factory builds on the host, so random draws are the same on every
    device for one seed."""
    t = Tensor._wrap(placed(array, device))
    return t.requires_grad_(True) if requires_grad else t


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (lists, numbers, arrays). Python floats become float32
    (the default dtype), Python ints int64; a NumPy array keeps its dtype unless ``dtype`` says otherwise.

    >>> cr.tensor([[1.0, 2.0]], requires_grad=True).shape
    (1, 2)
    """
    return _made(to_array(data, dtype), requires_grad, device)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array (or returns a tensor itself) when it can."""
    if isinstance(data, Tensor) and (dtype is None or dtypes.resolve(dtype) == data.dtype):
        return data if device is None else data.to(device)
    return Tensor._wrap(placed(to_array(data, dtype, copy=False), device))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (changes to one show in the other), keeping its dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a NumPy array, got {type(array).__name__}")
    return Tensor._wrap(array)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _made(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad, device)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _made(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad, device)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _made(np.empty(_size(size), dtype=_float_dtype(dtype)), requires_grad, device)


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``; its dtype follows the value (bool, int64,
    or the default float dtype) unless ``dtype`` is given, as in PyTorch."""
    if dtype is None:
        if isinstance(fill_value, (bool, np.bool_)):
            dtype = dtypes.bool
        elif isinstance(fill_value, (int, np.integer)):
            dtype = dtypes.int64
    return _made(np.full(_size((size,)), fill_value, dtype=_float_dtype(dtype)), requires_grad, device)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _made(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device)


def zeros_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _made(np.zeros(t.shape, dtype=t.dtype if dtype is None else dtypes.resolve(dtype)), requires_grad,
                 t.device if device is None else device)


def ones_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _made(np.ones(t.shape, dtype=t.dtype if dtype is None else dtypes.resolve(dtype)), requires_grad,
                 t.device if device is None else device)


def empty_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """As ``zeros_like``: chainrule never hands out uninitialised memory."""
    return zeros_like(t, dtype, device, requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    return _made(np.full(t.shape, fill_value, dtype=t.dtype if dtype is None else dtypes.resolve(dtype)),
                 requires_grad, t.device if device is None else device)


def randn(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          generator: Any = None) -> Tensor:
    """Standard normal draws from chainrule's generator (``cr.manual_seed`` makes them reproducible)."""
    array = make_rng(generator).standard_normal(_size(size)).astype(_float_dtype(dtype), copy=False)
    return _made(array, requires_grad, device)


def rand(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         generator: Any = None) -> Tensor:
    """Uniform draws on [0, 1) from chainrule's generator."""
    array = make_rng(generator).random(_size(size)).astype(_float_dtype(dtype), copy=False)
    return _made(array, requires_grad, device)


def randint(low: int, high: int | None = None, size: Any = (), dtype: Any = None, generator: Any = None,
            device: Any = None) -> Tensor:
    """Integers uniform on [low, high) (``randint(high, size=...)`` starts at 0), int64 by default."""
    if high is None:
        low, high = 0, low
    resolved = np.int64 if dtype is None else dtypes.resolve(dtype)
    return _made(make_rng(generator).integers(low, high, size=_size((size,))).astype(resolved), device=device)


def randperm(n: int, generator: Any = None, device: Any = None) -> Tensor:
    return _made(make_rng(generator).permutation(n).astype(np.int64), device=device)


def randn_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(*t.shape, dtype=t.dtype if dtype is None else dtype, device=t.device if device is None else device,
                 requires_grad=requires_grad)


def rand_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(*t.shape, dtype=t.dtype if dtype is None else dtype, device=t.device if device is None else device,
                requires_grad=requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` up to (not including) ``end``; int64 for integer arguments, else float32."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if integral else dtypes.get_default_dtype()
    return _made(np.arange(start, end, step, dtype=dtypes.resolve(dtype)), requires_grad, device)


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    return _made(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad, device)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> int:
    return t.numel()


def FloatTensor(data: Any) -> Tensor:  # noqa: N802 - PyTorch's legacy constructor name
    """A float32 tensor (PyTorch's legacy constructor); prefer ``cr.tensor(data, dtype=cr.float32)``."""
    return Tensor._wrap(to_array(data, dtypes.float32))


def DoubleTensor(data: Any) -> Tensor:  # noqa: N802
    """A float64 tensor (PyTorch's legacy constructor)."""
    return Tensor._wrap(to_array(data, dtypes.float64))


def LongTensor(data: Any) -> Tensor:  # noqa: N802
    """An int64 tensor (PyTorch's legacy constructor)."""
    return Tensor._wrap(to_array(data, dtypes.int64))
