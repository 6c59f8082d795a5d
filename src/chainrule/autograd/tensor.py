"""``Tensor``: a NumPy array that remembers how it was computed, so gradients can flow back.

Each operation on tensors that require grad records a ``Function`` node (``tensor.grad_fn``) with its
inputs. ``loss.backward()`` sorts the recorded graph once (inputs before outputs), walks it in
reverse, calls each node's ``backward`` with dL/d(output), and adds what comes out into the inputs:
reverse-mode differentiation, the chain rule applied from the loss back to every parameter (the walk
itself is ``engine.run_backward``). Mixed dtypes follow PyTorch's promotion rules (``promote``), so a
float32 tensor stays float32 next to Python numbers.
"""

from __future__ import annotations

import builtins
from collections import namedtuple
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from chainrule import dtypes
from chainrule.autograd import activation as act
from chainrule.autograd import arithmetic as arith
from chainrule.autograd import function as function_module
from chainrule.autograd import grad_mode, selection, unary
from chainrule.autograd import reduction as reduce
from chainrule.autograd import shape as shape_ops
from chainrule.autograd import softmax as softmax_ops
from chainrule.autograd.engine import run_backward
from chainrule.autograd.function import Function
from chainrule.autograd.printing import format_array

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])

# Numbers that act as scalars in arithmetic (NumPy's scalars too: np.float64 is also a Python float).
_NUMBERS = (builtins.int, builtins.float, builtins.bool, np.integer, np.floating, np.bool_)


def to_array(data: Any, dtype: Any = None, copy: builtins.bool = True) -> np.ndarray:
    """Turn ``data`` (nested lists, scalars, NumPy arrays, tensors) into an array with PyTorch's dtype
    rules: Python floats become the default float dtype (float32), Python ints int64, and a NumPy
    array keeps its own dtype unless ``dtype`` is given."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dtype = dtypes.resolve(dtype)
    if isinstance(data, (np.ndarray, np.generic)):
        if data.dtype.kind not in "biufc" and dtype is None:
            raise TypeError(f"cannot make a tensor from a NumPy array of dtype {data.dtype}: expected numbers "
                            "(bool, int, float); convert it first, e.g. array.astype(np.float32)")
        # A NumPy scalar (np.float64(1.0)) keeps its dtype like an array does, as in PyTorch.
        return np.array(data, dtype=dtype, copy=True) if copy else np.asarray(data, dtype=dtype)
    try:
        array = np.array(data, dtype=dtype)
    except (ValueError, TypeError) as error:
        raise TypeError(
            f"cannot make a tensor from {type(data).__name__} {str(data)[:60]!r}: expected numbers, nested "
            f"lists of numbers of equal length, or a NumPy array ({error})"
        ) from None
    if dtype is None:
        if array.dtype.kind == "f":
            array = array.astype(dtypes.get_default_dtype(), copy=False)
        elif array.dtype.kind in "iu":
            array = array.astype(np.int64, copy=False)
        elif array.dtype.kind not in "bc":
            raise TypeError(f"cannot make a tensor from data of dtype {array.dtype}: expected numbers")
    return array


def _axes(dim: Any, ndim: builtins.int) -> tuple[builtins.int, ...] | None:
    """Normalise ``dim`` (None, an int or a sequence of ints, negatives allowed) to a tuple of axes."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (builtins.int, np.integer)) else tuple(dim)
    out = []
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"dim {d} is out of range for a tensor with {ndim} dimensions "
                             f"(valid: {-max(ndim, 1)} to {max(ndim, 1) - 1})")
        out.append(builtins.int(d) % max(ndim, 1))
    return tuple(out)


def _python_number(value: Any) -> Any:
    """A NumPy scalar as the Python number it holds: NumPy treats np.float64(2) as a float64 operand that
    upcasts a float32 array, while a Python 2.0 leaves its dtype alone (PyTorch treats both so)."""
    return value.item() if isinstance(value, np.generic) else value


def _reduced_axes(dim: Any, ndim: builtins.int) -> tuple[builtins.int, ...] | None:
    """The axes a reduction runs over: None (all) for ``dim=None`` and, as in PyTorch, for ``dim=()``."""
    if ndim == 0:
        _axes(dim, ndim)  # still refuse an out-of-range dim; a 0-d tensor reduces to itself (as PyTorch)
        return None
    return _axes(dim, ndim) or None


def _convert_index(index: Any) -> Any:
    """Let tensors (and lists) be used as indices, as in PyTorch."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray([i.item() if isinstance(i, Tensor) else i for i in index])
    return index


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    Make one with ``cr.tensor(data, dtype=None, requires_grad=False)``. ``requires_grad=True`` marks a
    leaf whose gradient ``backward`` fills in ``.grad``.

    >>> import chainrule as cr
    >>> x = cr.tensor(2.0, requires_grad=True)
    >>> h = (2 * (x + 1)) ** 2
    >>> h.backward(); x.grad
    tensor(24.)
    """

    __slots__ = ("data", "requires_grad", "grad", "_ctx", "_retains_grad", "name", "__weakref__")
    # NumPy must hand mixed expressions (array + tensor) to Tensor's reflected operators.
    __array_priority__ = 1000
    __array_ufunc__ = None

    def __init__(self, data: Any, dtype: Any = None, requires_grad: builtins.bool = False) -> None:
        # NOTE: as torch.Tensor(...), the constructor makes the default float dtype unless told otherwise
        # (cr.Tensor([1, 2]) is float32); cr.tensor(...) infers the dtype from the data instead.
        if dtype is None and not isinstance(data, Tensor):
            dtype = dtypes.get_default_dtype()
        self.data: np.ndarray = to_array(data, dtype)
        self.grad: Tensor | None = None
        self._ctx: Function | None = None
        self._retains_grad = False
        self.name: str | None = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array: np.ndarray, requires_grad: builtins.bool = False) -> Tensor:
        """Wrap an array without copying or checking (the engine's fast path)."""
        t = object.__new__(cls)
        t.data = array
        t.requires_grad = requires_grad
        t.grad = None
        t._ctx = None
        t._retains_grad = False
        t.name = None
        return t

    # -- what a tensor is --------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[builtins.int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def device(self) -> str:
        return "cpu"

    @property
    def ndim(self) -> builtins.int:
        return self.data.ndim

    def dim(self) -> builtins.int:
        return self.data.ndim

    def size(self, dim: builtins.int | None = None) -> Any:
        if dim is None:
            return self.data.shape
        return self.data.shape[_axes(dim, self.ndim)[0]]  # type: ignore[index]

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

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    def __hash__(self) -> builtins.int:
        return id(self)

    def __repr__(self) -> str:
        body = format_array(self.data)
        extras = []
        default = {dtypes.get_default_dtype(), dtypes.int64, dtypes.bool}
        if self.data.dtype not in default:
            extras.append(f"dtype=chainrule.{self.data.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn={self._ctx!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # -- conversion --------------------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied). Like PyTorch, refuses while requiring grad."""
        if self.requires_grad and grad_mode._state.enabled:
            raise RuntimeError("Can't call numpy() on a tensor that requires grad: "
                               "use tensor.detach().numpy() instead.")
        return self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self) -> Any:
        """The single value of a one-element tensor, as a Python number."""
        if self.data.size != 1:
            raise RuntimeError(f"item(): a tensor with {self.data.size} elements (shape {self.shape}) cannot "
                               "be converted to a Python number; only one-element tensors can")
        return self.data.reshape(()).item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def __float__(self) -> builtins.float:
        return builtins.float(self.item())

    def __int__(self) -> builtins.int:
        return builtins.int(self.item())

    def __index__(self) -> builtins.int:
        if self.data.dtype.kind not in "iub":
            raise TypeError(f"only integer tensors can be used as an index, not {self.dtype}")
        return builtins.int(self.item())

    def __bool__(self) -> builtins.bool:
        if self.data.size != 1:
            raise RuntimeError(f"the truth value of a tensor with {self.data.size} values is ambiguous; "
                               "use .any() or .all()")
        return builtins.bool(self.data.reshape(()))

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``t.to(dtype)`` converts (a differentiable cast); ``t.to('cpu')`` is a no-op (chainrule is CPU only)."""
        dtype = kwargs.get("dtype")
        for arg in args:
            if isinstance(arg, str) and arg.split(":")[0] == "cpu":
                continue
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, str) and arg.split(":")[0] in ("cuda", "mps"):
                raise RuntimeError(f"device {arg!r} is not available: chainrule runs on the CPU with NumPy")
            else:
                dtype = arg
        if dtype is None or dtypes.resolve(dtype) == self.data.dtype:
            return self
        return unary.Cast.apply(self, dtype=dtypes.resolve(dtype))

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool)

    def type(self, dtype: Any = None) -> Any:
        return f"chainrule.{self.dtype}" if dtype is None else self.to(dtype)

    def cpu(self) -> Tensor:
        return self

    def contiguous(self) -> Tensor:
        return self

    def clone(self) -> Tensor:
        """A copy that stays in the graph (gradients flow back to the original)."""
        return unary.Clone.apply(self)

    def detach(self) -> Tensor:
        """The same values, cut from the graph: nothing flows back through the result."""
        return Tensor._wrap(self.data, False)

    def detach_(self) -> Tensor:
        self._ctx = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: builtins.bool = True) -> Tensor:
        """Mark (or unmark) this tensor as one whose gradient backward should compute."""
        if requires_grad and self.data.dtype.kind != "f":
            raise RuntimeError(f"only tensors of floating-point dtype can require gradients, this one is "
                               f"{self.dtype}; convert it first with .float() or .double()")
        if not requires_grad and self._ctx is not None:
            raise RuntimeError("requires_grad_(False) works on leaf tensors only; use .detach() on a result")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor too (only leaves keep theirs by default)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        self._retains_grad = True

    # -- backpropagation ---------------------------------------------------------------------------
    def backward(self, gradient: Any = None, retain_graph: builtins.bool | None = None,
                 create_graph: builtins.bool = False, inputs: Sequence[Tensor] | None = None) -> None:
        """Backpropagate: add d(self)/d(leaf) (times ``gradient``) into ``.grad`` of every leaf that
        requires grad. A scalar needs no ``gradient``; a non-scalar needs one of its own shape.

        The graph's saved values are freed afterwards unless ``retain_graph=True``.
        """
        if create_graph:
            raise NotImplementedError("create_graph=True (gradients of gradients) is not supported by chainrule")
        if not self.requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and has no grad_fn; did you "
                               "forget requires_grad=True on the inputs, or compute it under cr.no_grad()?")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward(): grad can be implicitly created only for scalar outputs, but this tensor "
                    f"has shape {self.shape}. Reduce it first (loss.sum() or loss.mean()), or pass the "
                    f"gradient of the final result with respect to it: t.backward(cr.ones_like(t))"
                )
            seed = np.ones(self.data.shape, self.data.dtype)
        else:
            seed = to_array(gradient, dtype=self.dtype)
            if seed.shape != self.shape:
                raise RuntimeError(f"backward(): gradient has shape {seed.shape} but the tensor has shape "
                                   f"{self.shape}; they must match")
        run_backward(self, seed, builtins.bool(retain_graph), inputs)

    # -- elementwise arithmetic --------------------------------------------------------------------
    def _operand(self, other: Any) -> Tensor:
        """``other`` as a tensor to combine with this one: a Python number takes the dtype that PyTorch's
        promotion gives it next to this tensor (a float32 tensor keeps float32)."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, _NUMBERS):
            return Tensor._wrap(np.asarray(other, dtype=dtypes.result_type(self.data, other)))
        return Tensor._wrap(to_array(other, copy=False))

    def _binary(self, op: builtins.type[Function], other: Any, reflected: builtins.bool = False,
                true_divide: builtins.bool = False) -> Tensor:
        """Apply a two-input op after PyTorch's type promotion, with a shape error that names both shapes."""
        kind = self.data.dtype.kind
        if isinstance(other, Tensor) and other.data.dtype == self.data.dtype and (kind == "f" or not true_divide):
            a, b = self, other
        elif kind == "f" and isinstance(other, _NUMBERS):
            # The common case of x * 2.0: a Python number never changes a float tensor's dtype.
            a, b = self, Tensor._wrap(np.asarray(other, dtype=self.data.dtype))
        else:
            a, b = promote(self, other, true_divide=true_divide)
        if reflected:
            a, b = b, a
        try:
            return op.apply(a, b)
        except ValueError as error:
            if "broadcast" not in str(error):
                raise
            raise RuntimeError(
                f"{op.__name__.lower()}: shapes {a.shape} and {b.shape} cannot be broadcast together "
                "(each dim, compared from the right, must be equal or 1)"
            ) from None

    def __add__(self, other: Any) -> Tensor:
        return self._binary(arith.Add, other)

    def __radd__(self, other: Any) -> Tensor:
        return self._binary(arith.Add, other, reflected=True)

    def __sub__(self, other: Any) -> Tensor:
        return self._binary(arith.Sub, other)

    def __rsub__(self, other: Any) -> Tensor:
        return self._binary(arith.Sub, other, reflected=True)

    def __mul__(self, other: Any) -> Tensor:
        return self._binary(arith.Mul, other)

    def __rmul__(self, other: Any) -> Tensor:
        return self._binary(arith.Mul, other, reflected=True)

    def __truediv__(self, other: Any) -> Tensor:
        # True division: integers divided give floats (the default dtype), as in PyTorch.
        return self._binary(arith.Div, other, true_divide=True)

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._binary(arith.Div, other, reflected=True, true_divide=True)

    def __pow__(self, exponent: Any) -> Tensor:
        if isinstance(exponent, _NUMBERS):
            base = self._cast(dtypes.result_type(self.data, exponent))
            return arith.PowScalar.apply(base, exponent=_python_number(exponent))
        return self._binary(arith.Pow, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        if isinstance(base, _NUMBERS):
            exponent = self._cast(dtypes.result_type(self.data, base))
            return arith.RPowScalar.apply(exponent, base=_python_number(base))
        return self._binary(arith.Pow, base, reflected=True)

    def pow(self, exponent: Any) -> Tensor:
        return self.__pow__(exponent)

    def __neg__(self) -> Tensor:
        return arith.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, self._operand(other))

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(self._operand(other), self)

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self - (other * alpha if alpha != 1 else other)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any) -> Tensor:
        return self / other

    def matmul(self, other: Any) -> Tensor:
        return self @ other

    # -- comparisons (results carry no gradient) ---------------------------------------------------
    def _compare(self, ufunc: Any, other: Any) -> Tensor:
        other_data = other.data if isinstance(other, Tensor) else other
        return Tensor._wrap(np.asarray(ufunc(self.data, other_data)))

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(np.less, other)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(np.less_equal, other)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(np.greater, other)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(np.greater_equal, other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.equal, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.not_equal, other)

    def eq(self, other: Any) -> Tensor:
        return self == other

    def __invert__(self) -> Tensor:
        return Tensor._wrap(~self.data)

    def __and__(self, other: Any) -> Tensor:
        return self._compare(np.logical_and if self.dtype == dtypes.bool else np.bitwise_and, other)

    def __or__(self, other: Any) -> Tensor:
        return self._compare(np.logical_or if self.dtype == dtypes.bool else np.bitwise_or, other)

    def any(self) -> Tensor:
        return Tensor._wrap(np.asarray(self.data.any()))

    def all(self) -> Tensor:
        return Tensor._wrap(np.asarray(self.data.all()))

    def isnan(self) -> Tensor:
        return Tensor._wrap(np.isnan(self.data))

    def isfinite(self) -> Tensor:
        return Tensor._wrap(np.isfinite(self.data))

    def sign(self) -> Tensor:
        return Tensor._wrap(np.sign(self.data))

    # -- element-wise functions --------------------------------------------------------------------
    def exp(self) -> Tensor:
        return unary.Exp.apply(self._as_float())

    def log(self) -> Tensor:
        return unary.Log.apply(self._as_float())

    def sqrt(self) -> Tensor:
        return unary.Sqrt.apply(self._as_float())

    def abs(self) -> Tensor:
        return unary.Abs.apply(self)

    def sin(self) -> Tensor:
        return unary.Sin.apply(self._as_float())

    def cos(self) -> Tensor:
        return unary.Cos.apply(self._as_float())

    def square(self) -> Tensor:
        return self**2

    def tanh(self) -> Tensor:
        return act.TanhFunction.apply(self._as_float())

    def sigmoid(self) -> Tensor:
        return act.SigmoidFunction.apply(self._as_float())

    def relu(self) -> Tensor:
        return act.ReLUFunction.apply(self)

    def erf(self) -> Tensor:
        return unary.Erf.apply(self._as_float())

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - PyTorch's names
        """min(max(x, min), max) element-wise; bounds are numbers or tensors (broadcast, differentiable).
        The gradient reaches x where min <= x <= max (ties go to x), and each tensor bound where it won.

        >>> cr.tensor([-2.0, 0.5, 3.0]).clamp(-1, 1)
        tensor([-1.0000,  0.5000,  1.0000])
        """
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        bounds = [b for b in (min, max) if b is not None]
        if all(isinstance(b, _NUMBERS) for b in bounds):
            x = self._cast(dtypes.result_type(self.data, *bounds))
            return unary.Clamp.apply(x, min=_python_number(min), max=_python_number(max))
        x, *converted = promote(self, *bounds)
        try:
            return unary.ClampTensor.apply(x, *converted, has_min=min is not None, has_max=max is not None)
        except ValueError:
            shapes = ", ".join(str(t.shape) for t in (x, *converted))
            raise RuntimeError(f"clamp: the input and bounds of shapes {shapes} cannot be broadcast together") from None

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        return maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return minimum(self, other)

    def _as_float(self) -> Tensor:
        return self if self.data.dtype.kind == "f" else self._cast(dtypes.get_default_dtype())

    def _cast(self, dtype: np.dtype) -> Tensor:
        """This tensor in ``dtype``, through the differentiable Cast op only when the dtype changes."""
        return self if self.data.dtype == dtype else unary.Cast.apply(self, dtype=dtype)

    # -- reductions --------------------------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None) -> Tensor:
        """Sum over all elements, or over ``dim`` (an int or a tuple); ``keepdim`` keeps size-1 axes."""
        axes = _reduced_axes(axis if dim is None else dim, self.ndim)
        if self.data.dtype.kind == "b":
            return Tensor._wrap(np.asarray(self.data.sum(axis=axes, keepdims=keepdim)))
        return reduce.Sum.apply(self, axes=axes, keepdim=keepdim)

    def mean(self, dim: Any = None, keepdim: builtins.bool = False, *, axis: Any = None) -> Tensor:
        """Mean over all elements, or over ``dim``."""
        axes = _reduced_axes(axis if dim is None else dim, self.ndim)
        return reduce.Mean.apply(self._as_float(), axes=axes, keepdim=keepdim)

    def var(self, dim: Any = None, unbiased: builtins.bool = True, keepdim: builtins.bool = False, *,
            correction: builtins.int | None = None) -> Tensor:
        """Variance, sum (x - mean)^2 / (n - correction); correction 1 (unbiased) by default, as PyTorch."""
        axes = _reduced_axes(dim, self.ndim)
        count = self.numel() if axes is None else builtins.int(np.prod([self.shape[a] for a in axes]))
        correction = (1 if unbiased else 0) if correction is None else correction
        centred = self - self.mean(dim=axes, keepdim=True)
        return (centred * centred).sum(dim=axes, keepdim=keepdim) / max(count - correction, 0)

    def std(self, dim: Any = None, unbiased: builtins.bool = True, keepdim: builtins.bool = False, *,
            correction: builtins.int | None = None) -> Tensor:
        # NOTE: d std / d var = 1 / (2 std) is infinite where std = 0 (all values equal); PyTorch takes the
        # gradient as 0 there, and so does SafeSqrt, instead of returning NaN.
        return unary.SafeSqrt.apply(self.var(dim, unbiased, keepdim, correction=correction))

    def prod(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """Product of all elements, or along one ``dim``."""
        axis = None if dim is None or self.ndim == 0 else _axes(dim, self.ndim)[0]  # type: ignore[index]
        return reduce.Prod.apply(self, dim=axis, keepdim=keepdim and axis is not None)

    def cumsum(self, dim: builtins.int) -> Tensor:
        """Running sum along ``dim``."""
        if self.ndim == 0:
            return self
        return reduce.CumSum.apply(self, dim=_axes(dim, self.ndim)[0])  # type: ignore[index]

    def norm(self, p: Any = 2, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """The p-norm (sum |x|^p)^(1/p) over all elements or ``dim``; p may be 1, 2, any number, or inf."""
        if p in ("fro", 2):
            return unary.SafeSqrt.apply((self * self).sum(dim, keepdim))
        if p == builtins.float("inf"):
            return self.abs().amax(dim, keepdim)
        if p == 1:
            return self.abs().sum(dim, keepdim)
        return (self.abs() ** p).sum(dim, keepdim) ** (1.0 / p)

    def gather(self, dim: builtins.int, index: Any) -> Tensor:
        """Pick values along ``dim`` at ``index`` (an int64 tensor of the output's shape), as torch.gather."""
        index_array = np.asarray(index.data if isinstance(index, Tensor) else index)
        if index_array.dtype.kind not in "iu":
            raise RuntimeError(f"gather: index must be an integer tensor, got dtype {index_array.dtype}")
        if index_array.ndim != self.ndim:
            raise RuntimeError(f"gather: index has {index_array.ndim} dims but the input has {self.ndim} "
                               f"(shape {self.shape}); they must have the same number of dims")
        axis = _axes(dim, self.ndim)[0]  # type: ignore[index]
        try:
            return selection.Gather.apply(self, index=index_array, dim=axis)
        except IndexError as error:
            raise IndexError(f"gather: index out of range for dim {dim} of shape {self.shape}: {error}") from None

    def topk(self, k: builtins.int, dim: builtins.int = -1, largest: builtins.bool = True,
             sorted: builtins.bool = True) -> Any:  # noqa: A002 - PyTorch's name
        """The ``k`` largest (or smallest) values along ``dim`` and their indices, largest first."""
        axis = _axes(dim, self.ndim)[0]  # type: ignore[index]
        if not 0 <= k <= self.shape[axis]:
            raise RuntimeError(f"topk: k={k} is out of range for dim {dim} of size {self.shape[axis]}")
        # A stable sort of -x keeps the first of equal values first, as PyTorch does on the CPU.
        order = np.argsort(-self.data if largest else self.data, axis=axis, kind="stable")
        index = np.take(order, np.arange(k), axis=axis).astype(np.int64)
        return ValuesIndices(self.gather(axis, index), Tensor._wrap(index))

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """A copy with ``value`` where ``mask`` is true (the gradient flows only where it is false)."""
        from chainrule.tensor_functions import where

        return where(mask, self._operand(value).to(self.dtype) if self.dtype.kind == "f" else value, self)

    def new_zeros(self, *size: Any) -> Tensor:
        shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return Tensor._wrap(np.zeros(shape, dtype=self.dtype))

    def new_ones(self, *size: Any) -> Tensor:
        shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return Tensor._wrap(np.ones(shape, dtype=self.dtype))

    def new_full(self, size: Any, fill_value: Any) -> Tensor:
        return Tensor._wrap(np.full(tuple(size), fill_value, dtype=self.dtype))

    def new_tensor(self, data: Any) -> Tensor:
        return Tensor._wrap(to_array(data, self.dtype))

    def _extreme(self, dim: Any, keepdim: builtins.bool, largest: builtins.bool) -> Any:
        if dim is None:
            return reduce.Amax.apply(self, axes=None, keepdim=False, largest=largest)
        axis = _axes(dim, self.ndim)[0]  # type: ignore[index]
        values = reduce.MaxAlongDim.apply(self, dim=axis, keepdim=keepdim, largest=largest)
        index = np.argmax(self.data, axis=axis) if largest else np.argmin(self.data, axis=axis)
        if keepdim:
            index = np.expand_dims(index, axis)
        return ValuesIndices(values, Tensor._wrap(index.astype(np.int64)))

    def max(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        """``t.max()`` is the largest element; ``t.max(dim)`` is (values, indices) along ``dim``, as PyTorch.
        ``t.max(other_tensor)`` is the element-wise maximum."""
        if isinstance(dim, Tensor):
            return maximum(self, dim)
        return self._extreme(dim, keepdim, True)

    def min(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        """``t.min()`` is the smallest element; ``t.min(dim)`` is (values, indices) along ``dim``."""
        if isinstance(dim, Tensor):
            return minimum(self, dim)
        return self._extreme(dim, keepdim, False)

    def amax(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        return reduce.Amax.apply(self, axes=_reduced_axes(dim, self.ndim), keepdim=keepdim, largest=True)

    def amin(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        return reduce.Amax.apply(self, axes=_reduced_axes(dim, self.ndim), keepdim=keepdim, largest=False)

    def argmax(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        if dim is None:
            return Tensor._wrap(np.asarray(np.argmax(self.data), dtype=np.int64))
        return Tensor._wrap(np.argmax(self.data, axis=_axes(dim, self.ndim)[0], keepdims=keepdim)  # type: ignore[index]
                            .astype(np.int64))

    def argmin(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        if dim is None:
            return Tensor._wrap(np.asarray(np.argmin(self.data), dtype=np.int64))
        return Tensor._wrap(np.argmin(self.data, axis=_axes(dim, self.ndim)[0], keepdims=keepdim)  # type: ignore[index]
                            .astype(np.int64))

    def softmax(self, dim: builtins.int) -> Tensor:
        return softmax_ops.SoftmaxFunction.apply(self._as_float(), dim=_axes(dim, self.ndim)[0])  # type: ignore[index]

    def log_softmax(self, dim: builtins.int) -> Tensor:
        return softmax_ops.LogSoftmaxFunction.apply(self._as_float(), dim=_axes(dim, self.ndim)[0])  # type: ignore[index]

    def logsumexp(self, dim: Any, keepdim: builtins.bool = False) -> Tensor:
        return softmax_ops.LogSumExp.apply(self._as_float(), dim=_axes(dim, self.ndim), keepdim=keepdim)

    # -- shape -------------------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (one dim may be -1: inferred)."""
        new_shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            return shape_ops.Reshape.apply(self, shape=tuple(builtins.int(s) for s in new_shape))
        except ValueError:
            raise RuntimeError(f"reshape: shape {tuple(new_shape)} is invalid for a tensor of shape {self.shape} "
                               f"({self.numel()} elements)") from None

    view = reshape

    def view_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
        """Merge dims ``start_dim`` .. ``end_dim`` into one."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = _axes((start_dim, end_dim), self.ndim)  # type: ignore[misc]
        merged = builtins.int(np.prod(self.shape[start:end + 1]))
        return self.reshape(self.shape[:start] + (merged,) + self.shape[end + 1:])

    def transpose(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        d0, d1 = _axes((dim0, dim1), self.ndim)  # type: ignore[misc]
        return shape_ops.Transpose.apply(self, dim0=d0, dim1=d1)

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got shape {self.shape}; use transpose")
        return self if self.ndim < 2 else self.transpose(0, 1)

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        """All dims reversed (the matrix transpose for a 2-D tensor)."""
        if self.ndim < 2:
            return self
        if self.ndim == 2:
            return shape_ops.Transpose.apply(self, dim0=0, dim1=1)
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:  # noqa: N802 - PyTorch's name
        return self.transpose(-2, -1)

    def permute(self, *dims: Any) -> Tensor:
        order = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        axes = _axes(order, self.ndim)
        if axes is None or sorted(axes) != list(range(self.ndim)):
            raise RuntimeError(f"permute: {order} is not a permutation of the {self.ndim} dims of shape {self.shape}")
        return shape_ops.Permute.apply(self, dims=axes)

    def unsqueeze(self, dim: builtins.int) -> Tensor:
        """Insert a dim of size 1 at ``dim``."""
        if not -self.ndim - 1 <= dim <= self.ndim:
            raise IndexError(f"unsqueeze: dim {dim} out of range for shape {self.shape} "
                             f"(valid: {-self.ndim - 1} to {self.ndim})")
        dim = dim % (self.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim: Any = None) -> Tensor:
        """Remove dims of size 1 (all of them, or only ``dim`` when it has size 1)."""
        if dim is None:
            return self.reshape(tuple(s for s in self.shape if s != 1))
        axes = _axes(dim, self.ndim) or ()
        return self.reshape(tuple(s for i, s in enumerate(self.shape) if not (i in axes and s == 1)))

    def expand(self, *sizes: Any) -> Tensor:
        """This tensor broadcast to ``sizes`` without copying; -1 keeps a dim's size. New dims go in front."""
        target = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
        lead = len(target) - self.ndim
        if any(s == -1 for s in target[:max(lead, 0)]):
            raise RuntimeError(f"expand: -1 is not allowed for the new leading dims in {tuple(target)} "
                               f"(shape {self.shape} gains {lead} new dims; give their sizes)")
        resolved = tuple(self.shape[i - lead] if s == -1 else s for i, s in enumerate(target))
        try:
            return shape_ops.Expand.apply(self, shape=resolved)
        except ValueError:
            raise RuntimeError(f"expand: cannot expand shape {self.shape} to {tuple(target)}") from None

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def __getitem__(self, index: Any) -> Tensor:
        index = _convert_index(index)
        try:
            return selection.GetItem.apply(self, index=index)
        except IndexError as error:
            raise IndexError(f"indexing a tensor of shape {self.shape}: {error}") from None

    def __setitem__(self, index: Any, value: Any) -> None:
        self._check_inplace(value)
        self.data[_convert_index(index)] = value.data if isinstance(value, Tensor) else value

    # -- in-place updates (for initialisation and optimisers, under no_grad) ------------------------
    def _check_inplace(self, source: Any = None) -> None:
        """In-place changes are not recorded in the graph, so refuse them where a gradient would be lost."""
        if not grad_mode._state.enabled:
            return
        if self.requires_grad:
            raise RuntimeError(
                "a tensor that requires grad is being changed in place while the graph is recorded; wrap the "
                "update in `with cr.no_grad():` (as optimisers do), or use an out-of-place op"
            )
        if isinstance(source, Tensor) and source.requires_grad:
            raise RuntimeError(
                "writing a tensor that requires grad into another one in place is not recorded in the graph, so "
                "its gradient would be lost; build the result out of place (cr.cat, cr.stack, cr.where, "
                "or out = out + value)"
            )

    def _inplace(self, ufunc: Any, other: Any) -> Tensor:
        self._check_inplace(other)
        other_data = other.data if isinstance(other, Tensor) else other
        ufunc(self.data, other_data, out=self.data, casting="same_kind")
        return self

    def _augmented(self, ufunc: Any, op: builtins.type[Function], other: Any) -> Tensor:
        """``t += other``: in place, except while the graph is recorded and ``t`` is a computed result or
        ``other`` carries a gradient; then ``t = t + other`` out of place (the name is rebound), so the
        gradient still flows, as it does in PyTorch. A leaf that requires grad is refused, as in PyTorch."""
        computed = self._ctx is not None and self.requires_grad
        carries_grad = isinstance(other, Tensor) and other.requires_grad and not self.requires_grad
        if grad_mode._state.enabled and (computed or carries_grad):
            return self._binary(op, other, true_divide=op is arith.Div)
        return self._inplace(ufunc, other)

    def __iadd__(self, other: Any) -> Tensor:
        return self._augmented(np.add, arith.Add, other)

    def __isub__(self, other: Any) -> Tensor:
        return self._augmented(np.subtract, arith.Sub, other)

    def __imul__(self, other: Any) -> Tensor:
        return self._augmented(np.multiply, arith.Mul, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._augmented(np.divide, arith.Div, other)

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        self._check_inplace(other)
        if alpha != 1:
            other = (other.data if isinstance(other, Tensor) else other) * alpha
        return self._inplace(np.add, other)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        self._check_inplace(other)
        if alpha != 1:
            other = (other.data if isinstance(other, Tensor) else other) * alpha
        return self._inplace(np.subtract, other)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace(np.multiply, other)

    def div_(self, other: Any) -> Tensor:
        return self._inplace(np.divide, other)

    def zero_(self) -> Tensor:
        self._check_inplace()
        self.data[...] = 0
        return self

    def fill_(self, value: Any) -> Tensor:
        self._check_inplace()
        self.data[...] = value.item() if isinstance(value, Tensor) else value
        return self

    def copy_(self, source: Any) -> Tensor:
        self._check_inplace(source)
        source_data = source.data if isinstance(source, Tensor) else np.asarray(source)
        try:
            np.copyto(self.data, np.broadcast_to(source_data, self.shape), casting="unsafe")
        except ValueError:
            raise RuntimeError(f"copy_: source of shape {np.shape(source_data)} does not fit a tensor of "
                               f"shape {self.shape}") from None
        return self

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        self._check_inplace()
        np.clip(self.data, min, max, out=self.data)
        return self

    def uniform_(self, a: builtins.float = 0.0, b: builtins.float = 1.0, generator: Any = None) -> Tensor:
        from chainrule.random import make_rng

        self._check_inplace()
        self.data[...] = make_rng(generator).uniform(a, b, size=self.shape)
        return self

    def normal_(self, mean: builtins.float = 0.0, std: builtins.float = 1.0, generator: Any = None) -> Tensor:
        from chainrule.random import make_rng

        self._check_inplace()
        self.data[...] = make_rng(generator).normal(mean, std, size=self.shape)
        return self


function_module.Tensor = Tensor  # type: ignore[misc]  # Function.apply wraps every op's result in one


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product with NumPy/PyTorch rules; a mismatch names both shapes and the rule."""
    if a.data.dtype != b.data.dtype:
        raise RuntimeError(f"matmul: both operands must have the same dtype, got {a.dtype} and {b.dtype}; "
                           "convert one with .float() or .double()")
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both operands need at least one dim, got shapes {a.shape} and {b.shape}")
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise RuntimeError(
            f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied: the last dim of the first "
            f"({inner_a}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} dim of the second ({inner_b})"
        )
    try:
        return arith.MatMul.apply(a, b)
    except ValueError:
        raise RuntimeError(f"matmul: the batch dims of shapes {a.shape} and {b.shape} cannot be broadcast") from None


def promote(*operands: Any, true_divide: builtins.bool = False) -> list[Tensor]:
    """The operands (tensors, numbers, arrays) as tensors of one dtype, by PyTorch's type promotion
    (``dtypes.result_type``); tensors are converted with the differentiable Cast op, so gradients flow
    back in each input's own dtype. ``true_divide`` makes an integer result the default float dtype."""
    arrays = [o.data if isinstance(o, Tensor) else o if isinstance(o, _NUMBERS) else to_array(o, copy=False)
              for o in operands]
    target = dtypes.result_type(*arrays)
    if true_divide and target.kind not in "fc":
        target = dtypes.get_default_dtype()
    return [o._cast(target) if isinstance(o, Tensor) else Tensor._wrap(np.asarray(a, dtype=target))
            for o, a in zip(operands, arrays, strict=True)]


def maximum(a: Any, b: Any) -> Tensor:
    """Element-wise maximum of two tensors."""
    a_t = a if isinstance(a, Tensor) else Tensor(a)
    return a_t._binary(selection.Maximum, b)


def minimum(a: Any, b: Any) -> Tensor:
    """Element-wise minimum of two tensors."""
    a_t = a if isinstance(a, Tensor) else Tensor(a)
    return a_t._binary(selection.Minimum, b)
