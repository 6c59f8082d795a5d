"""A stand-in for CuPy, so that the device code and every op run "on a GPU" on a machine without one.

``StandinArray`` wraps a NumPy array the way a ``cupy.ndarray`` wraps GPU memory and behaves like one
where it matters for chainrule: arithmetic, methods and indexing work on it and give stand-in arrays
back (0-d results stay arrays, as in CuPy), but any *silent* conversion to NumPy is refused:
``np.asarray(a)``, ``np.exp(a)``, ``np.sum(a)`` and mixing with a NumPy array all raise ``TypeError``,
as they do (or would compute on the wrong device) with CuPy. The namespace ``standin`` mirrors
``cupy``: ``standin.exp``, ``standin.where``, ... compute on stand-in arrays and refuse NumPy arrays,
except ``asarray``/``array`` (CuPy's explicit host-to-device copy). So an op that calls ``np.`` on its
inputs instead of the namespace ``namespace_of`` gives it fails a test here, not on a user's GPU.

``BACKEND`` registers it with ``chainrule.backend`` as the library of device ``"cuda"`` with two
GPUs (``cuda:0`` and ``cuda:1``; each array remembers which one it is on).
"""

from __future__ import annotations

import operator
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np

from chainrule.backend import ArrayBackend

DEVICE_COUNT = 2
EXPLICIT_COPIES = {"asarray", "array", "asanyarray", "ascontiguousarray"}


class StandinArray:
    """A NumPy array "on GPU number ``device_index``", refusing silent conversion to host."""

    __slots__ = ("_array", "device_index")
    __array_ufunc__ = None  # np.exp(a), ndarray + a: NumPy refuses instead of computing on the host
    __hash__ = None  # type: ignore[assignment]  # arrays compare element-wise

    def __init__(self, array: np.ndarray, device_index: int = 0) -> None:
        self._array = array
        self.device_index = device_index

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        # CuPy's own words for the same mistake
        raise TypeError("Implicit conversion to a NumPy array is not allowed (stand-in GPU array). "
                        "Please use `.get()` to construct a NumPy array explicitly.")

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return NotImplemented  # np.sum(a), np.concatenate([a, ...]): NumPy raises TypeError

    def get(self) -> np.ndarray:
        """The explicit copy to host (``cupy.ndarray.get``)."""
        return np.array(self._array, copy=True)

    @property
    def device(self) -> SimpleNamespace:
        return SimpleNamespace(id=self.device_index)

    @property
    def flags(self) -> SimpleNamespace:
        # CuPy's flags have no ``writeable``
        flags = self._array.flags
        return SimpleNamespace(c_contiguous=flags.c_contiguous, f_contiguous=flags.f_contiguous,
                               owndata=flags.owndata)

    @property
    def base(self) -> Any:
        return None if self._array.base is None else StandinArray(self._array.base, self.device_index)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._array, name)
        if callable(value):
            return _wrapped_function(value, self.device_index, name)
        return _wrap(value, self.device_index)

    def __repr__(self) -> str:
        return f"standin({self._array!r}, device='cuda:{self.device_index}')"

    def __len__(self) -> int:
        return len(self._array)

    def __iter__(self) -> Any:
        for row in self._array:
            yield _wrap(row, self.device_index)

    def __bool__(self) -> bool:
        return bool(self._array)

    def __float__(self) -> float:
        return float(self._array)

    def __int__(self) -> int:
        return int(self._array)

    def __getitem__(self, index: Any) -> Any:
        return _wrap(self._array[_unwrap(index, self.device_index, index=True)], self.device_index)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._array[_unwrap(index, self.device_index, index=True)] = _unwrap(value, self.device_index)


def _unwrap(value: Any, device_index: int | None, index: bool = False) -> Any:
    """The NumPy array inside ``value`` (recursively in tuples and lists). A NumPy array is refused as
    CuPy refuses one (except inside an index, which CuPy copies over); arrays on another GPU too."""
    if isinstance(value, StandinArray):
        if device_index is not None and value.device_index != device_index:
            raise ValueError(f"stand-in: array on cuda:{value.device_index} used with one on cuda:{device_index}")
        return value._array
    if isinstance(value, np.ndarray) and not index:
        raise TypeError(f"Unsupported type {type(value)} (stand-in GPU library: a NumPy array must be "
                        "copied to the device explicitly)")
    if isinstance(value, (tuple, list)):
        return type(value)(_unwrap(v, device_index, index) for v in value)
    return value


def _wrap(value: Any, device_index: int) -> Any:
    if isinstance(value, (np.ndarray, np.generic)):
        return StandinArray(np.asarray(value), device_index)
    if isinstance(value, tuple):
        return tuple(_wrap(v, device_index) for v in value)
    if isinstance(value, list) and value and isinstance(value[0], np.ndarray):
        return [_wrap(v, device_index) for v in value]
    return value


def _device_of(args: Any) -> int | None:
    for arg in args:
        if isinstance(arg, StandinArray):
            return arg.device_index
        if isinstance(arg, (tuple, list)):
            found = _device_of(arg)
            if found is not None:
                return found
    return None


def _wrapped_function(function: Any, device_index: int | None, name: str) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        target = _device_of(args) if device_index is None else device_index
        target = _state.current if target is None else target
        explicit = name in EXPLICIT_COPIES
        plain_args = [v if explicit and isinstance(v, np.ndarray) else _unwrap(v, target) for v in args]
        plain_kwargs = {k: _unwrap(v, target) for k, v in kwargs.items()}
        result = function(*plain_args, **plain_kwargs)
        if explicit and isinstance(result, np.ndarray) and any(r is result for r in plain_args):
            result = result.copy()  # a host array copied onto the device never shares memory with it
        return _wrap(result, target)

    return call


def _binary(op: Any, reflected: bool = False) -> Any:
    def method(self: StandinArray, other: Any) -> Any:
        if not isinstance(other, (StandinArray, int, float, bool, complex, np.generic)):
            if isinstance(other, np.ndarray):
                raise TypeError(f"Unsupported type {type(other)} (stand-in GPU array combined with a NumPy array)")
            return NotImplemented  # a Tensor: its reflected operator decides
        plain = _unwrap(other, self.device_index)
        result = op(plain, self._array) if reflected else op(self._array, plain)
        return _wrap(result, self.device_index)

    return method


for _name, _op in [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("floordiv", operator.floordiv), ("mod", operator.mod),
                   ("pow", operator.pow), ("matmul", operator.matmul), ("and", operator.and_),
                   ("or", operator.or_), ("xor", operator.xor)]:
    setattr(StandinArray, f"__{_name}__", _binary(_op))
    setattr(StandinArray, f"__r{_name}__", _binary(_op, reflected=True))
for _name, _op in [("iadd", operator.iadd), ("isub", operator.isub), ("imul", operator.imul),
                   ("itruediv", operator.itruediv)]:
    setattr(StandinArray, f"__{_name}__", _binary(_op))
for _name, _op in [("lt", operator.lt), ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge),
                   ("eq", operator.eq), ("ne", operator.ne)]:
    setattr(StandinArray, f"__{_name}__", _binary(_op))
for _name, _op in [("neg", operator.neg), ("pos", operator.pos), ("abs", operator.abs),
                   ("invert", operator.invert)]:
    setattr(StandinArray, f"__{_name}__", lambda self, _op=_op: _wrap(_op(self._array), self.device_index))


class _State:
    current = 0  # the GPU that new arrays go to (cupy.cuda.Device's current device)


_state = _State()


class Namespace:
    """``standin.exp(...)``, ``standin.linalg.norm(...)``: NumPy's functions on stand-in arrays."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if isinstance(value, ModuleType):
            return Namespace(value)
        if isinstance(value, type) or not callable(value):
            return value  # dtypes (standin.float32), constants (standin.inf)
        if isinstance(value, np.ufunc):
            return Ufunc(value)
        return _wrapped_function(value, None, name)


class Ufunc:
    """``standin.add``, ``standin.maximum.reduce(...)``: CuPy's ufuncs have these methods too."""

    def __init__(self, ufunc: np.ufunc) -> None:
        self._ufunc = ufunc
        self._call = _wrapped_function(ufunc, None, ufunc.__name__)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name == "at":
            raise AttributeError("stand-in: use chainrule.backend.scatter_add, not ufunc.at")
        return _wrapped_function(getattr(self._ufunc, name), None, name)


standin = Namespace(np)


def _from_host(array: Any, index: int) -> StandinArray:
    if isinstance(array, StandinArray):
        return StandinArray(array._array.copy(), index)
    return StandinArray(np.array(array, copy=True), index)


def _scatter_add(target: StandinArray, index: Any, values: Any) -> None:
    np.add.at(target._array, _unwrap(index, target.device_index, index=True), _unwrap(values, target.device_index))


def _erf(array: StandinArray) -> StandinArray:
    from scipy.special import erf

    return StandinArray(np.asarray(erf(array._array)), array.device_index)


BACKEND = ArrayBackend(
    name="standin", namespace=standin, array_type=StandinArray, device_count=lambda: DEVICE_COUNT,
    device_index=lambda array: array.device_index, to_host=lambda array: array.get(), from_host=_from_host,
    scatter_add=_scatter_add, erf=_erf,
)
