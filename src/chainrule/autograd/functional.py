"""The tensor-level functions PyTorch has at the top level (``cr.exp(x)``, ``cr.cat([a, b])``,
``cr.where(...)``, ...): ``cat`` and ``stack`` of several tensors, and the functional forms of the
``Tensor`` methods, each of which calls its method (so the logic has one home, in the method)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from chainrule.autograd import shape
from chainrule.autograd.dims import insertion_dim, normalize_dim
from chainrule.autograd.tensor import Tensor, promote

__all__ = [
    "abs", "argmax", "argmin", "cat", "clamp", "clip", "concat", "cos", "exp", "log", "log_softmax",
    "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "relu", "sigmoid", "sin", "softmax",
    "sqrt", "stack", "sum", "tanh", "where", "flatten", "reshape", "transpose", "unsqueeze", "squeeze",
    "permute", "pow", "mm", "square", "var", "std", "erf", "allclose", "amax", "amin", "gather", "topk",
    "prod", "cumsum", "norm", "add", "sub", "mul", "div", "neg", "t", "mv", "dot", "outer", "all", "any",
]


def _tensors(tensors: Sequence[Any], what: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{what} expects a non-empty list or tuple of tensors, got {type(tensors).__name__}")
    out = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if len({t.dtype for t in out}) > 1:
        # PyTorch's promotion (int64 with float32 gives float32, where NumPy would say float64).
        out = promote(*out)
    return out


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join tensors along an existing ``dim``; the other dims must match."""
    parts = _tensors(tensors, "cat")
    axis = normalize_dim(dim, parts[0].ndim)
    reference = parts[0].shape
    for i, t in enumerate(parts):
        pairs = enumerate(zip(t.shape, reference, strict=True))
        if t.ndim != len(reference) or builtins.any(a != b for k, (a, b) in pairs if k != axis):
            raise RuntimeError(f"cat: tensor {i} has shape {t.shape} but tensor 0 has shape {reference}; "
                               f"all dims except dim {dim} must match")
    return shape.Cat.apply(*parts, dim=axis)


concat = cat


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Stack equal-shaped tensors along a new ``dim``."""
    parts = _tensors(tensors, "stack")
    for i, t in enumerate(parts):
        if t.shape != parts[0].shape:
            raise RuntimeError(f"stack: tensor {i} has shape {t.shape} but tensor 0 has shape {parts[0].shape}; "
                               "stack needs equal shapes")
    return shape.Stack.apply(*parts, dim=insertion_dim(dim, parts[0].shape, "stack"))


def where(condition: Any, input: Any, other: Any) -> Tensor:  # noqa: A002 - PyTorch's names
    """Element-wise choice: ``input`` where ``condition`` is true, else ``other`` (all three broadcast;
    ``input``/``other`` may be numbers). The gradient flows to whichever was chosen.

    >>> cr.where(cr.tensor([True, False]), cr.tensor([1.0, 2.0]), 0.0)
    tensor([1., 0.])
    """
    a, b = promote(input, other)
    return a.where(condition, b)


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def exp(x: Any) -> Tensor:
    return _t(x).exp()


def log(x: Any) -> Tensor:
    return _t(x).log()


def sqrt(x: Any) -> Tensor:
    return _t(x).sqrt()


def abs(x: Any) -> Tensor:  # noqa: A001
    return _t(x).abs()


def sin(x: Any) -> Tensor:
    return _t(x).sin()


def cos(x: Any) -> Tensor:
    return _t(x).cos()


def tanh(x: Any) -> Tensor:
    return _t(x).tanh()


def sigmoid(x: Any) -> Tensor:
    return _t(x).sigmoid()


def relu(x: Any) -> Tensor:
    return _t(x).relu()


def erf(x: Any) -> Tensor:
    return _t(x).erf()


def square(x: Any) -> Tensor:
    return _t(x) ** 2


def pow(x: Any, exponent: Any) -> Tensor:  # noqa: A001
    return _t(x) ** exponent


def clamp(x: Any, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    return _t(x).clamp(min, max)


clip = clamp


def sum(x: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return _t(x).sum(dim, keepdim)


def mean(x: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _t(x).mean(dim, keepdim)


def var(x: Any, dim: Any = None, unbiased: bool = True, keepdim: bool = False) -> Tensor:
    return _t(x).var(dim, unbiased, keepdim)


def std(x: Any, dim: Any = None, unbiased: bool = True, keepdim: bool = False) -> Tensor:
    return _t(x).std(dim, unbiased, keepdim)


def max(x: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return _t(x).max(dim, keepdim)


def min(x: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return _t(x).min(dim, keepdim)


def amax(x: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _t(x).amax(dim, keepdim)


def amin(x: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _t(x).amin(dim, keepdim)


def argmax(x: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _t(x).argmax(dim, keepdim)


def argmin(x: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _t(x).argmin(dim, keepdim)


def softmax(x: Any, dim: int) -> Tensor:
    return _t(x).softmax(dim)


def log_softmax(x: Any, dim: int) -> Tensor:
    return _t(x).log_softmax(dim)


def logsumexp(x: Any, dim: Any, keepdim: bool = False) -> Tensor:
    return _t(x).logsumexp(dim, keepdim)


def mm(a: Tensor, b: Tensor) -> Tensor:
    return matmul(a, b)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return x.flatten(start_dim, end_dim)


def reshape(x: Tensor, shape: Sequence[int]) -> Tensor:
    return x.reshape(tuple(shape))


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    return x.transpose(dim0, dim1)


def permute(x: Tensor, dims: Sequence[int]) -> Tensor:
    return x.permute(*dims)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    return x.unsqueeze(dim)


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    return x.squeeze(dim)


def allclose(a: Tensor, b: Tensor, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    return bool(np.allclose(_t(a).data, _t(b).data, rtol=rtol, atol=atol))


def matmul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002 - PyTorch's names
    """Matrix product with NumPy/PyTorch rules (``input @ other``)."""
    return _into(out, _t(input).matmul(other), "matmul")


def _into(out: Tensor | None, result: Tensor, op: str) -> Tensor:
    """PyTorch's ``out=``: write ``result`` into ``out`` (same shape) and return ``out``."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}: out= must be a chainrule Tensor, got {type(out).__name__}")
    if result.requires_grad:
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad; drop out= and assign the result instead")
    if out.shape != result.shape:
        raise RuntimeError(f"{op}: out= has shape {out.shape} but the result has shape {result.shape}")
    return out.copy_(result)


def add(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input + alpha * other."""
    return _into(out, _t(input).add(other, alpha=alpha), "add")


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input - alpha * other."""
    return _into(out, _t(input).sub(other, alpha=alpha), "sub")


def mul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    return _into(out, _t(input) * other, "mul")


def div(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    return _into(out, _t(input) / other, "div")


def neg(input: Any) -> Tensor:  # noqa: A002
    return -_t(input)


def t(input: Tensor) -> Tensor:  # noqa: A002
    return input.t()


def mv(input: Tensor, vec: Tensor) -> Tensor:  # noqa: A002
    return input.mv(vec)


def dot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    return input.dot(other)


def outer(input: Tensor, vec2: Tensor) -> Tensor:  # noqa: A002
    return input.outer(vec2)


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    return input.all(dim, keepdim)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    return input.any(dim, keepdim)


def maximum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Element-wise maximum of two tensors."""
    return _t(input).maximum(other)


def minimum(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Element-wise minimum of two tensors."""
    return _t(input).minimum(other)


def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    """Pick values of ``x`` along ``dim`` at ``index`` (torch.gather)."""
    return x.gather(dim, index)


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
    return x.topk(k, dim, largest, sorted)


def prod(x: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _t(x).prod(dim, keepdim)


def cumsum(x: Any, dim: int) -> Tensor:
    return _t(x).cumsum(dim)


def norm(x: Any, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _t(x).norm(p, dim, keepdim)
