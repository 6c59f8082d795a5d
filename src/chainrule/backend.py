"""The array library behind every op: NumPy on the CPU, CuPy on an NVIDIA GPU, and device handling.

Every op's forward and backward asks ``namespace_of(*arrays)`` for the module that computes on its
inputs (``numpy`` for host arrays, ``cupy`` for GPU arrays) and calls ``xp.exp``, ``xp.where``, ...
on it, so the same op code runs on both. The few things the array libraries spell differently live
here too: moving arrays between host and device (``to_host``, ``to_device``), which device an array
is on (``device_of``), and scatter-add (``scatter_add``: ``np.add.at`` / ``cupyx.scatter_add``) for the
backward of indexing and gather. Random numbers are always drawn on the host from chainrule's one
generator and then moved, so a seed gives the same model on the CPU and on a GPU.

The library that serves device type ``"cuda"`` is CuPy, found on first use; tests register a
stand-in (``register_cuda``) that behaves like CuPy but refuses any silent conversion to NumPy, so a
stray ``np.`` call in an op fails on a machine without a GPU.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["ArrayBackend", "device", "device_of", "namespace_of", "register_cuda", "scatter_add",
           "to_device", "to_host"]

_ndarray = np.ndarray
# Set once anything is put on a GPU: until then Function.apply skips even the cheap device check.
devices_in_use = False
INSTALL_HINT = "install the GPU extra: pip install 'chainrule[cuda12]' (CuPy for CUDA 12)"


class device:  # noqa: N801 - PyTorch's name (torch.device)
    """Where a tensor's values live: ``device("cpu")``, ``device("cuda")``, ``device("cuda:1")`` or
    ``device("cuda", 1)``. As in PyTorch, ``device("cuda")`` (the current GPU) and ``device("cuda:0")``
    are different values; a tensor on the first GPU reports ``cuda:0``.

    >>> import chainrule as cr
    >>> d = cr.device("cuda:1"); (d.type, d.index, str(d))
    ('cuda', 1, 'cuda:1')
    """

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002 - PyTorch's name
        if isinstance(type, device):
            if index is not None:
                raise ValueError(f"device(): an index was given twice ({type} and index={index})")
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            type, index = "cuda", type  # torch.device(0) is the first GPU
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string such as 'cpu', 'cuda' or 'cuda:1', got "
                            f"{type!r} of type {builtin_type(type).__name__}")
        name, _, number = type.partition(":")
        if number:
            if index is not None:
                raise ValueError(f"device(): an index was given twice ('{type}' and index={index})")
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}': the index after ':' must be a "
                                   "non-negative integer, as in 'cuda:1'")
            index = int(number)
        if name not in ("cpu", "cuda"):
            raise RuntimeError(f"Expected one of cpu, cuda device type at start of device string: {type!r} "
                               "(chainrule computes on the CPU with NumPy or on NVIDIA GPUs with CuPy)")
        if index is not None and (isinstance(index, bool) or not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index!r}")
        if name == "cpu" and index not in (None, 0):
            raise RuntimeError(f"CPU device index must be 0 or absent, got {index}")
        object.__setattr__(self, "type", name)
        object.__setattr__(self, "index", None if name == "cpu" else index)

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("a device is immutable; make a new one with cr.device(...)")

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{extra})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, ValueError):
                return False
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> tuple[Any, ...]:
        return device, (str(self),)


builtin_type = type
CPU = device("cpu")


def is_device_like(value: Any) -> bool:
    """Whether ``value`` names a device (``"cpu"``, ``"cuda:1"``, ``"mps"``, a ``device``) rather than a dtype,
    for the ``to(...)`` calls that take either."""
    if isinstance(value, str):
        return value.split(":")[0] in ("cpu", "cuda", "mps")
    return isinstance(value, device)


def as_device(value: Any) -> device:
    """``value`` as a ``device``; ``"cuda"`` without an index means the current GPU (``cuda:0``)."""
    if isinstance(value, str) and value.split(":")[0] == "mps":
        raise RuntimeError(f"device {value!r} is not available: chainrule computes on the CPU with NumPy or on "
                           "NVIDIA GPUs with CuPy ('cuda')")
    result = value if builtin_type(value) is device else device(value)
    if result.type == "cuda" and result.index is None:
        return device("cuda", 0)
    return result


@dataclass(frozen=True)
class ArrayBackend:
    """One array library that serves device type ``"cuda"``: its namespace (the module with ``exp``,
    ``where``, ...), its array type, and the operations the array API leaves out."""

    name: str
    namespace: Any
    array_type: type
    device_count: Callable[[], int]
    device_index: Callable[[Any], int]          # which GPU an array is on
    to_host: Callable[[Any], np.ndarray]        # a copy in host memory
    from_host: Callable[[Any, int], Any]        # a host (or other-GPU) array onto GPU number ``index``
    scatter_add: Callable[[Any, Any, Any], None]  # target[index] += values, repeats adding up
    erf: Callable[[Any], Any]                   # the error function, element-wise


class _Registry:
    cuda: ArrayBackend | None = None     # the library that serves "cuda", once found
    searched: bool = False               # whether CuPy was looked for already
    missing: str = ""                    # why no CUDA library was found
    by_type: dict[type, ArrayBackend] = {}
    default_device: device = CPU


_registry = _Registry()


def _find_cupy() -> ArrayBackend | None:
    try:
        import cupy  # type: ignore[import-not-found]
        import cupyx  # type: ignore[import-not-found]
    except ImportError as error:
        _registry.missing = f"CuPy is not installed: {error}"
        return None

    def count() -> int:
        try:
            return int(cupy.cuda.runtime.getDeviceCount())
        except Exception as error:  # noqa: BLE001 - CuPy raises its own CUDARuntimeError without a driver
            _registry.missing = f"CuPy found no usable CUDA driver or GPU ({error})"
            return 0

    def from_host(array: Any, index: int) -> Any:
        with cupy.cuda.Device(index):
            return cupy.asarray(array)

    def erf(array: Any) -> Any:
        import cupyx.scipy.special  # type: ignore[import-not-found]

        return cupyx.scipy.special.erf(array)

    return ArrayBackend("cupy", cupy, cupy.ndarray, count, lambda a: int(a.device.id), cupy.asnumpy,
                        from_host, cupyx.scatter_add, erf)


def cuda_backend() -> ArrayBackend | None:
    """The library behind device ``"cuda"`` (CuPy, or the stand-in a test registered), or None."""
    if _registry.cuda is None and not _registry.searched:
        _registry.searched = True
        found = _find_cupy()
        if found is not None:
            register_cuda(found)
    return _registry.cuda


def register_cuda(backend: ArrayBackend | None) -> ArrayBackend | None:
    """Make ``backend`` the library behind device ``"cuda"`` (None: back to looking for CuPy); returns
    the one it replaces. Tests register a stand-in this way."""
    previous = _registry.cuda
    if previous is not None:
        _registry.by_type.pop(previous.array_type, None)
    _registry.cuda = backend
    _registry.searched = backend is not None
    if backend is not None:
        _registry.by_type[backend.array_type] = backend
    return previous


def cuda_device_count() -> int:
    backend = cuda_backend()
    return 0 if backend is None else backend.device_count()


def _require_cuda(target: device) -> ArrayBackend:
    backend = cuda_backend()
    count = 0 if backend is None else backend.device_count()
    if backend is None or count == 0:
        raise RuntimeError(f"cannot use device '{target}': no CUDA device was found "
                           f"({_registry.missing or 'no GPU'}). To compute on an NVIDIA GPU, {INSTALL_HINT}; "
                           "check with cr.cuda.is_available()")
    assert target.index is not None  # as_device gives every cuda device its index
    if target.index >= count:
        raise RuntimeError(f"cannot use device '{target}': CUDA device index {target.index} is out of range, "
                           f"this machine has {count} GPU(s) (cuda:0 to cuda:{count - 1})")
    return backend


def _backend_of(array: Any) -> ArrayBackend | None:
    kind = builtin_type(array)
    backend = _registry.by_type.get(kind)
    if backend is None and kind.__module__.split(".")[0] == "cupy":
        backend = cuda_backend()  # a CuPy array made before chainrule looked for CuPy
    return backend


# -- what ops call -----------------------------------------------------------------------------------
def namespace_of(array: Any, *more: Any) -> ModuleType | Any:
    """The array module (``numpy``, ``cupy``, or a registered stand-in) that computes on the arrays.

    The first NumPy array decides at once (one type check: the CPU path must cost nothing);
    numbers and NumPy scalars count as host values.
    """
    if type(array) is _ndarray:
        return np
    for each in (array, *more):
        kind = builtin_type(each)
        if kind is _ndarray:
            return np
        backend = _registry.by_type.get(kind)
        if backend is not None:
            return backend.namespace
    return np


def as_array(value: Any) -> Any:
    """``value`` as an array: a GPU array as it is, a NumPy scalar or number as a 0-d NumPy array."""
    return value if _backend_of(value) is not None else np.asarray(value)


def array_on_device_of(value: Any, dtype: Any, like: Any) -> Any:
    """``value`` (a number or an array) as an array of ``dtype`` on the device of the array ``like``
    (the host when ``like`` is None): how a Python number joins a GPU tensor in an op."""
    backend = None if like is None or builtin_type(like) is _ndarray else _backend_of(like)
    if backend is None:
        return np.asarray(value, dtype=dtype)
    if builtin_type(value) is backend.array_type:
        return value.astype(dtype, copy=False)  # type: ignore[attr-defined]  # a GPU array
    return backend.from_host(np.asarray(value, dtype=dtype), backend.device_index(like))


def device_of(array: Any) -> device:
    """The device ``array`` lives on (``cpu`` for NumPy arrays and plain numbers)."""
    if builtin_type(array) is _ndarray:
        return CPU
    backend = _backend_of(array)
    return CPU if backend is None else device("cuda", backend.device_index(array))


def is_array(value: Any) -> bool:
    """Whether ``value`` is an array of a known array library (NumPy's, or a GPU library's)."""
    return isinstance(value, _ndarray) or _backend_of(value) is not None


def is_host(array: Any) -> bool:
    return builtin_type(array) is _ndarray or _backend_of(array) is None


def to_host(array: Any) -> np.ndarray:
    """``array`` in host memory as a NumPy array (itself when it is one already)."""
    if builtin_type(array) is _ndarray:
        return array
    backend = _backend_of(array)
    return np.asarray(array) if backend is None else backend.to_host(array)


def to_device(array: Any, target: Any) -> Any:
    """``array`` on device ``target`` (itself when it is there already); a GPU without a GPU library
    raises an error that says how to install one."""
    target = as_device(target)
    if target.type == "cpu":
        return to_host(array)
    backend = _require_cuda(target)
    global devices_in_use
    devices_in_use = True
    if builtin_type(array) is backend.array_type and backend.device_index(array) == target.index:
        return array
    return backend.from_host(array, target.index)  # type: ignore[arg-type]  # as_device sets it


def scatter_add(target: Any, index: Any, values: Any) -> None:
    """``target[index] += values`` where repeated indices all add up (a plain ``+=`` keeps one of them):
    the backward of indexing and of gather."""
    if builtin_type(target) is _ndarray:
        np.add.at(target, index, values)
        return
    backend = _backend_of(target)
    if backend is None:
        raise TypeError(f"scatter_add: no array library for arrays of type {builtin_type(target).__name__}")
    backend.scatter_add(target, index, values)


def along_axis(index: Any, axis: int) -> tuple[Any, ...]:
    """The full index tuple that picks ``index`` along ``axis`` and every position on the other axes
    (what ``take_along_axis`` reads), as open grids that broadcast against ``index``."""
    xp = namespace_of(index)
    grids: list[Any] = []
    for i, size in enumerate(index.shape):
        shape = [1] * index.ndim
        shape[i] = size
        grids.append(index if i == axis else xp.arange(size).reshape(shape))
    return tuple(grids)


def put_along_axis(target: Any, index: Any, values: Any, axis: int) -> None:
    """``target`` at ``index`` along ``axis`` set to ``values`` (the indices along the axis are distinct)."""
    if builtin_type(target) is _ndarray:
        np.put_along_axis(target, index, values, axis=axis)
    else:
        target[along_axis(index, axis)] = values


def stable_argsort(array: Any, axis: int) -> Any:
    """The indices that sort ``array`` along ``axis``, equal values kept in their order (CuPy's sort is
    always stable; NumPy's must be asked)."""
    if builtin_type(array) is _ndarray:
        return np.argsort(array, axis=axis, kind="stable")
    return namespace_of(array).argsort(array, axis=axis)


_erf_impl: Any = None


def erf(array: Any) -> Any:
    """The error function, element-wise, keeping the input's dtype."""
    if builtin_type(array) is not _ndarray:
        backend = _backend_of(array)
        if backend is not None:
            return backend.erf(array).astype(array.dtype, copy=False)
    global _erf_impl
    if _erf_impl is None:
        # NOTE: imported on first use, not at import time: scipy costs ~0.4 s of every `import chainrule`.
        try:  # scipy's erf is vectorised C; NumPy has none, so fall back to the standard library's.
            from scipy.special import erf as scipy_erf

            _erf_impl = scipy_erf
        except ImportError:  # pragma: no cover - exercised only without scipy
            import math

            _erf_impl = np.vectorize(math.erf, otypes=[np.float64])
    return np.asarray(_erf_impl(array), dtype=array.dtype)


def check_same_device(op_name: str, arrays: Any) -> None:
    """Refuse an op whose inputs live on different devices, in PyTorch's words. ``Function.apply`` calls
    it only when some input is not a NumPy array, so the CPU path never pays for it."""
    first = device_of(arrays[0])
    for position, array in enumerate(arrays[1:], start=1):
        other = device_of(array)
        if other != first:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{first} and {other}! (when checking argument for argument {position} in {op_name}); "
                               f"move them with .to(device) first")


# -- the default device of the factories ----------------------------------------------------------------
def usable_device(target: Any) -> device:
    """``target`` as a device that can be computed on now: a CUDA device must exist (else the error says
    how to install the GPU extra). What ``device=`` options (estimators, ``chainrule train``) check first."""
    resolved = as_device(target)
    if resolved.type == "cuda":
        _require_cuda(resolved)
    return resolved


def set_default_device(target: Any) -> None:
    """Make ``target`` the device of tensors made without ``device=`` (``cr.set_default_device``);
    None means the CPU again."""
    _registry.default_device = CPU if target is None else usable_device(target)


def get_default_device() -> device:
    return _registry.default_device


def placed(array: np.ndarray, target: Any) -> Any:
    """A freshly made host array on ``target`` (None: the default device): the last step of every
    factory, so factories build (and draw random numbers) on the host alone."""
    if target is None:
        target = _registry.default_device
        if target is CPU:
            return array
    return to_device(array, target)
