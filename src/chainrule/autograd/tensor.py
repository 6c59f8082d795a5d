"""``Tensor``: a NumPy array that remembers how it was computed, so gradients can flow back.

Each operation on tensors that require grad records a ``Function`` node (``tensor.grad_fn``) with its
inputs. ``loss.backward()`` sorts the recorded graph once (inputs before outputs), walks it in
reverse, calls each node's ``backward`` with dL/d(output), and adds what comes out into the inputs:
reverse-mode differentiation, the chain rule applied from the loss back to every parameter (the walk
itself is ``engine.run_backward``). Mixed dtypes follow PyTorch's promotion rules (``promote``), so a
float32 tensor stays float32 next to Python numbers.

The class is one concept in a few files, one per family of methods, so that no file grows past
~450 lines: this file holds the state, the graph API (backward, detach, ...) and the arithmetic
operators (the hot path), and lists every other method by family; tensor_conversion.py,
tensor_elementwise.py, tensor_reduction.py, tensor_shape.py and tensor_inplace.py hold those methods
as plain functions that the class takes as its own (``sum = tensor_reduction.sum``), so that the list
here is the whole API and each body sits with its family. ``TensorBase`` holds the slots.

Imports run one way: the ops (``Function`` subclasses) never import ``Tensor``. ``Function.apply``
wraps an op's result with ``_wrap`` taken from its input tensor, and the engine stores gradients the
same way, so tensor.py imports the ops and the engine, and none of them imports tensor.py back.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from chainrule import backend, dtypes
from chainrule.autograd import arithmetic as arith
from chainrule.autograd import shape as shape_ops
from chainrule.autograd import (
    tensor_conversion,
    tensor_elementwise,
    tensor_inplace,
    tensor_products,
    tensor_reduction,
    tensor_shape,
    unary,
)
from chainrule.autograd.engine import initial_gradient, run_backward
from chainrule.autograd.function import Function
from chainrule.autograd.printing import format_array
from chainrule.autograd.tensor_base import TensorBase
from chainrule.autograd.values import NUMBERS, operand_value, promoted_dtype, python_number, to_array

__all__ = ["Tensor", "promote", "to_array"]


class Tensor(TensorBase):
    """An n-dimensional array that can record the operations applied to it.

    Make one with ``cr.tensor(data, dtype=None, requires_grad=False)``. ``requires_grad=True`` marks a
    leaf whose gradient ``backward`` fills in ``.grad``.

    >>> import chainrule as cr
    >>> x = cr.tensor(2.0, requires_grad=True)
    >>> h = (2 * (x + 1)) ** 2
    >>> h.backward(); x.grad
    tensor(24.)
    """

    __slots__ = ()
    # NumPy must hand mixed expressions (array + tensor) to Tensor's reflected operators.
    __array_priority__ = 1000
    __array_ufunc__ = None

    def __init__(self, data: Any, dtype: Any = None, requires_grad: builtins.bool = False) -> None:
        # NOTE: as torch.Tensor(...), the constructor makes the default float dtype unless told otherwise
        # (cr.Tensor([1, 2]) is float32); cr.tensor(...) infers the dtype from the data instead.
        if dtype is None and not isinstance(data, Tensor):
            dtype = dtypes.get_default_dtype()
        self._set_state(to_array(data, dtype))
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _wrap(array: np.ndarray, requires_grad: builtins.bool = False) -> Tensor:
        """Wrap an array without copying or checking (the engine's fast path). Always a plain Tensor, even
        when reached through a Parameter: an op's result or a gradient is no Parameter (as in PyTorch)."""
        t = object.__new__(Tensor)
        t.data = array
        t.requires_grad = requires_grad
        t.grad = None
        t._ctx = None
        t._retains_grad = False
        t.name = None
        return t

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    def __hash__(self) -> builtins.int:
        # NOTE: here, beside the __eq__ below: a class that sets __eq__ without __hash__ is unhashable.
        return id(self)

    def __repr__(self) -> str:
        body = format_array(backend.to_host(self.data))
        extras = []
        if type(self.data) is not np.ndarray and not backend.is_host(self.data):
            extras.append(f"device='{self.device}'")
        default = {dtypes.get_default_dtype(), dtypes.int64, dtypes.bool}
        if self.data.dtype not in default:
            extras.append(f"dtype=chainrule.{self.data.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn={self._ctx!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # -- conversion (tensor_conversion.py) -------------------------------------------------------
    numpy = tensor_conversion.numpy
    __array__ = tensor_conversion.as_numpy_array
    item = tensor_conversion.item
    tolist = tensor_conversion.tolist
    __float__ = tensor_conversion.as_python_float
    __int__ = tensor_conversion.as_python_int
    __index__ = tensor_conversion.as_index
    __bool__ = tensor_conversion.truth_value
    to = tensor_conversion.to
    float = tensor_conversion.float
    double = tensor_conversion.double
    long = tensor_conversion.long
    int = tensor_conversion.int
    bool = tensor_conversion.bool
    type = tensor_conversion.type
    type_as = tensor_conversion.type_as
    cpu = tensor_conversion.cpu
    cuda = tensor_conversion.cuda
    contiguous = tensor_conversion.contiguous
    clone = tensor_conversion.clone
    new_zeros = tensor_conversion.new_zeros
    new_ones = tensor_conversion.new_ones
    new_full = tensor_conversion.new_full
    new_tensor = tensor_conversion.new_tensor
    new_empty = tensor_conversion.new_zeros  # NOTE: zero-filled: never hand out uninitialised memory

    # -- the graph --------------------------------------------------------------------------------
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

        The graph's saved values are freed afterwards unless ``retain_graph=True``. With
        ``create_graph=True`` the gradients are themselves recorded, so they can be differentiated again
        (``retain_graph`` then defaults to True, as in PyTorch).
        """
        seed = initial_gradient(self, gradient, create_graph, "backward()")
        retain = create_graph if retain_graph is None else retain_graph
        run_backward(self, seed, builtins.bool(retain), inputs, create_graph=create_graph)

    # -- elementwise arithmetic --------------------------------------------------------------------
    def _operand(self, other: Any) -> Tensor:
        """``other`` as a tensor to combine with this one: a Python number takes the dtype that PyTorch's
        promotion gives it next to this tensor (a float32 tensor keeps float32)."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, NUMBERS):
            return Tensor._wrap(backend.array_on_device_of(other, dtypes.result_type(self.data, other), self.data))
        return Tensor._wrap(backend.to_device(to_array(other, copy=False), self.device))

    def _binary(self, op: builtins.type[Function], other: Any, reflected: builtins.bool = False,
                true_divide: builtins.bool = False) -> Tensor:
        """Apply a two-input op after PyTorch's type promotion, with a shape error that names both shapes."""
        kind = self.data.dtype.kind
        if isinstance(other, Tensor) and other.data.dtype == self.data.dtype and (kind == "f" or not true_divide):
            a, b = self, other
        elif kind == "f" and isinstance(other, NUMBERS):
            # The common case of x * 2.0: a Python number never changes a float tensor's dtype.
            data = self.data
            a, b = self, Tensor._wrap(np.asarray(other, dtype=data.dtype) if type(data) is np.ndarray
                                      else backend.array_on_device_of(other, data.dtype, data))
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
        if isinstance(exponent, NUMBERS):
            base = self._cast(dtypes.result_type(self.data, exponent))
            return arith.PowScalar.apply(base, exponent=python_number(exponent))
        return self._binary(arith.Pow, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        if isinstance(base, NUMBERS):
            exponent = self._cast(dtypes.result_type(self.data, base))
            return arith.RPowScalar.apply(exponent, base=python_number(base))
        return self._binary(arith.Pow, base, reflected=True)

    def pow(self, exponent: Any) -> Tensor:
        return self.__pow__(exponent)

    def __neg__(self) -> Tensor:
        return arith.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def matmul(self, other: Any) -> Tensor:
        """Matrix product with NumPy/PyTorch rules; a mismatch names both shapes and the rule."""
        a, b = self, self._operand(other)
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
                f"({inner_a}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} dim of the second "
                f"({inner_b})"
            )
        try:
            return arith.MatMul.apply(a, b)
        except ValueError:
            raise RuntimeError(f"matmul: the batch dims of shapes {a.shape} and {b.shape} cannot be "
                               "broadcast") from None

    __matmul__ = matmul

    def __rmatmul__(self, other: Any) -> Tensor:
        return self._operand(other).matmul(self)

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self - (other * alpha if alpha != 1 else other)

    def mul(self, other: Any) -> Tensor:
        return self * other

    neg = __neg__

    # -- products of matrices and vectors (tensor_products.py) ------------------------------------
    mm = tensor_products.mm
    mv = tensor_products.mv
    dot = tensor_products.dot
    outer = tensor_products.outer

    def div(self, other: Any) -> Tensor:
        return self / other

    def _promote(self, *others: Any) -> list[Tensor]:
        """This tensor and ``others`` in the one dtype they promote to (see ``promote``)."""
        return promote(self, *others)

    def _as_float(self) -> Tensor:
        return self if self.data.dtype.kind == "f" else self._cast(dtypes.get_default_dtype())

    def _cast(self, dtype: np.dtype) -> Tensor:
        """This tensor in ``dtype``, through the differentiable Cast op only when the dtype changes."""
        return self if self.data.dtype == dtype else unary.Cast.apply(self, dtype=dtype)

    # -- comparisons and element-wise functions (tensor_elementwise.py) --------------------------
    _compare = tensor_elementwise.compare
    __lt__ = tensor_elementwise.less
    __le__ = tensor_elementwise.less_equal
    __gt__ = tensor_elementwise.greater
    __ge__ = tensor_elementwise.greater_equal
    __eq__ = tensor_elementwise.equal  # type: ignore[assignment]  # element-wise, as in PyTorch
    __ne__ = tensor_elementwise.not_equal  # type: ignore[assignment]
    eq = tensor_elementwise.eq
    __invert__ = tensor_elementwise.invert
    __and__ = tensor_elementwise.bitwise_and
    __or__ = tensor_elementwise.bitwise_or
    any = tensor_elementwise.any
    all = tensor_elementwise.all
    isnan = tensor_elementwise.isnan
    isfinite = tensor_elementwise.isfinite
    sign = tensor_elementwise.sign
    exp = tensor_elementwise.exp
    log = tensor_elementwise.log
    sqrt = tensor_elementwise.sqrt
    abs = tensor_elementwise.abs
    sin = tensor_elementwise.sin
    cos = tensor_elementwise.cos
    square = tensor_elementwise.square
    tanh = tensor_elementwise.tanh
    sigmoid = tensor_elementwise.sigmoid
    relu = tensor_elementwise.relu
    erf = tensor_elementwise.erf
    clamp = tensor_elementwise.clamp
    clamp_min = tensor_elementwise.clamp_min
    clamp_max = tensor_elementwise.clamp_max
    clip = tensor_elementwise.clamp
    maximum = tensor_elementwise.maximum
    minimum = tensor_elementwise.minimum

    # -- reductions (tensor_reduction.py) --------------------------------------------------------
    sum = tensor_reduction.sum
    mean = tensor_reduction.mean
    var = tensor_reduction.var
    std = tensor_reduction.std
    prod = tensor_reduction.prod
    cumsum = tensor_reduction.cumsum
    norm = tensor_reduction.norm
    topk = tensor_reduction.topk
    _extreme = tensor_reduction.extreme
    max = tensor_reduction.max
    min = tensor_reduction.min
    amax = tensor_reduction.amax
    amin = tensor_reduction.amin
    argmax = tensor_reduction.argmax
    argmin = tensor_reduction.argmin
    softmax = tensor_reduction.softmax
    log_softmax = tensor_reduction.log_softmax
    logsumexp = tensor_reduction.logsumexp

    # -- shape and selection (tensor_shape.py) ---------------------------------------------------
    reshape = tensor_shape.reshape
    view = tensor_shape.reshape
    view_as = tensor_shape.view_as
    reshape_as = tensor_shape.view_as
    flatten = tensor_shape.flatten
    transpose = tensor_shape.transpose
    t = tensor_shape.t
    permute = tensor_shape.permute
    unsqueeze = tensor_shape.unsqueeze
    squeeze = tensor_shape.squeeze
    expand = tensor_shape.expand
    expand_as = tensor_shape.expand_as
    __getitem__ = tensor_shape.get_item
    __setitem__ = tensor_shape.set_item
    gather = tensor_shape.gather
    masked_fill = tensor_shape.masked_fill
    where = tensor_shape.where

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

    # -- in-place updates (tensor_inplace.py) ----------------------------------------------------
    _check_inplace = tensor_inplace.check_inplace
    _inplace = tensor_inplace.apply_inplace
    _augmented = tensor_inplace.augmented
    __iadd__ = tensor_inplace.add_in_place
    __isub__ = tensor_inplace.sub_in_place
    __imul__ = tensor_inplace.mul_in_place
    __itruediv__ = tensor_inplace.div_in_place
    add_ = tensor_inplace.add_
    sub_ = tensor_inplace.sub_
    mul_ = tensor_inplace.mul_
    div_ = tensor_inplace.div_
    zero_ = tensor_inplace.zero_
    fill_ = tensor_inplace.fill_
    copy_ = tensor_inplace.copy_
    clamp_ = tensor_inplace.clamp_
    uniform_ = tensor_inplace.uniform_
    normal_ = tensor_inplace.normal_
    exp_ = tensor_inplace.in_place_form("exp")
    log_ = tensor_inplace.in_place_form("log")
    sqrt_ = tensor_inplace.in_place_form("sqrt")
    abs_ = tensor_inplace.in_place_form("abs")
    neg_ = tensor_inplace.in_place_form("neg")
    pow_ = tensor_inplace.in_place_form("pow")
    sin_ = tensor_inplace.in_place_form("sin")
    cos_ = tensor_inplace.in_place_form("cos")
    tanh_ = tensor_inplace.in_place_form("tanh")
    sigmoid_ = tensor_inplace.in_place_form("sigmoid")
    relu_ = tensor_inplace.in_place_form("relu")
    square_ = tensor_inplace.in_place_form("square")
    clamp_min_ = tensor_inplace.in_place_form("clamp_min")
    clamp_max_ = tensor_inplace.in_place_form("clamp_max")


def promote(*operands: Any, true_divide: builtins.bool = False) -> list[Tensor]:
    """The operands (tensors, numbers, arrays) as tensors of one dtype (``values.promoted_dtype``);
    tensors are converted with the differentiable Cast op, so gradients flow back in each input's own
    dtype. ``true_divide`` makes an integer result the default float dtype."""
    values = [operand_value(o) for o in operands]
    target = promoted_dtype(*values, true_divide=true_divide)
    # Numbers and arrays join the tensors on their device (as PyTorch treats a Python number).
    like = next((o.data for o in operands if isinstance(o, Tensor)), None)
    return [o._cast(target) if isinstance(o, Tensor) else Tensor._wrap(backend.array_on_device_of(v, target, like))
            for o, v in zip(operands, values, strict=True)]
