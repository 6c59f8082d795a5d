"""Backward written with tensor operations, for gradients of gradients (``create_graph=True``).

An op's ``backward`` works on arrays: fast, and nothing is recorded. To differentiate a gradient again
(a second derivative, a Hessian-vector product, a gradient penalty) the backward itself must be in the
graph, so under ``create_graph=True`` the engine calls the op's rule here instead: the same calculus,
written with ``Tensor`` operations on the op's input tensors (``node.parents``), so its result is
recorded like any other computation.

The rules live in one module keyed by op class rather than as methods beside each op because they need
``Tensor`` (tensor.py imports the ops, so an op module cannot import it back) and so that the array-level
op files stay as they are. An op without a rule refuses ``create_graph=True`` with its name and the list
of ops that have one: never a silently wrong second derivative.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autograd import activation as act
from chainrule.autograd import arithmetic as arith
from chainrule.autograd import linear, losses, reduction, selection, shape, softmax, unary
from chainrule.autograd.function import Function
from chainrule.autograd.tensor import Tensor
from chainrule.backend import array_on_device_of, namespace_of, scatter_add

Grads = tuple[Tensor | None, ...]
Rule = Callable[[Any, Tensor], Any]
RULES: dict[type[Function], Rule] = {}


def rule(*ops: type[Function]) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for op in ops:
            RULES[op] = fn
        return fn
    return register


def graph_backward(node: Function, grad: Tensor) -> Any:
    """dL/d(inputs) of ``node`` as tensors in the graph (the engine's ``create_graph=True`` path)."""
    own = getattr(node, "backward_graph", None)  # a custom Function: its backward is already tensor-level
    if own is not None:
        return own(grad)
    fn = RULES.get(type(node))
    if fn is None:
        supported = ", ".join(sorted({op.__name__.removesuffix("Function") for op in RULES}))
        raise NotImplementedError(
            f"double backward is not implemented for {node.op_name}: create_graph=True (gradients of "
            f"gradients) needs a tensor-level backward for every op between the output and the inputs. "
            f"Ops that have one: {supported}. Rewrite the computation with these ops, or use "
            "create_graph=False if you need only first derivatives."
        )
    return fn(node, grad)


def sum_to(grad: Tensor, shape_: tuple[int, ...]) -> Tensor:
    """``function.unbroadcast`` with tensor operations: sum ``grad`` down to ``shape_``."""
    if grad.shape == shape_:
        return grad
    extra = grad.ndim - len(shape_)
    if extra:
        grad = grad.sum(dim=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape_) if n == 1 and grad.shape[i] != 1)
    return grad.sum(dim=axes, keepdim=True) if axes else grad


def _const(like: Tensor, array: Any) -> Tensor:
    """``array`` (computed from saved values, outside the graph) as a constant of ``like``'s dtype and device."""
    return Tensor._wrap(array_on_device_of(array, like.dtype, like.data))


# -- arithmetic ----------------------------------------------------------------------------------------
@rule(arith.Add)
def _add(node: Any, g: Tensor) -> Grads:
    return g, g


@rule(arith.Sub)
def _sub(node: Any, g: Tensor) -> Grads:
    return g, -g


@rule(arith.Neg)
def _neg(node: Any, g: Tensor) -> Tensor:
    return -g


@rule(arith.Mul)
def _mul(node: Any, g: Tensor) -> Grads:
    a, b = node.parents
    return g * b, g * a


@rule(arith.Div)
def _div(node: Any, g: Tensor) -> Grads:
    a, b = node.parents
    return g / b, -g * a / (b * b)


@rule(arith.PowScalar)
def _pow_scalar(node: Any, g: Tensor) -> Tensor:
    (x,), p = node.parents, node.saved[1]
    if p == 0:
        return g * 0
    return g * p * x ** (p - 1) if p != 2 else g * 2 * x


@rule(arith.RPowScalar)
def _rpow_scalar(node: Any, g: Tensor) -> Tensor:
    (x,), base = node.parents, node.saved[1]
    return g * (base ** x) * float(np.log(base))


@rule(arith.Pow)
def _pow(node: Any, g: Tensor) -> Grads:
    a, b = node.parents
    return g * b * a ** (b - 1), g * a ** b * a.log()


@rule(arith.MatMul)
def _matmul(node: Any, g: Tensor) -> Grads:
    a, b = node.parents
    if a.ndim == 1 and b.ndim == 1:
        return g * b, g * a
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    g2 = g.unsqueeze(-2) if a.ndim == 1 else g.unsqueeze(-1) if b.ndim == 1 else g
    grad_a = g2 @ b2.transpose(-1, -2)
    grad_b = a2.transpose(-1, -2) @ g2
    return (grad_a.squeeze(-2) if a.ndim == 1 else grad_a), (grad_b.squeeze(-1) if b.ndim == 1 else grad_b)


@rule(linear.LinearFunction)
def _linear(node: Any, g: Tensor) -> Grads:
    x, weight = node.parents[:2]
    g2 = g if g.ndim == 2 else g.reshape(-1, g.shape[-1])
    x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
    grads = (g @ weight, g2.transpose(0, 1) @ x2)
    return grads + (g2.sum(dim=0),) if len(node.parents) == 3 else grads


# -- element-wise functions ----------------------------------------------------------------------------
@rule(unary.Exp)
def _exp(node: Any, g: Tensor) -> Tensor:
    return g * node.parents[0].exp()


@rule(unary.Log)
def _log(node: Any, g: Tensor) -> Tensor:
    return g / node.parents[0]


@rule(unary.Sqrt)
def _sqrt(node: Any, g: Tensor) -> Tensor:
    return g / (2 * node.parents[0].sqrt())


@rule(unary.Sin)
def _sin(node: Any, g: Tensor) -> Tensor:
    return g * node.parents[0].cos()


@rule(unary.Cos)
def _cos(node: Any, g: Tensor) -> Tensor:
    return -g * node.parents[0].sin()


@rule(unary.Abs)
def _abs(node: Any, g: Tensor) -> Tensor:
    x = node.parents[0].data
    return g * _const(g, namespace_of(x).sign(x))


@rule(unary.Cast)
def _cast(node: Any, g: Tensor) -> Tensor:
    return g._cast(node.saved[0])


@rule(unary.Clone)
def _clone(node: Any, g: Tensor) -> Tensor:
    return g


@rule(act.SigmoidFunction)
def _sigmoid(node: Any, g: Tensor) -> Tensor:
    s = node.parents[0].sigmoid()
    return g * s * (1 - s)


@rule(act.TanhFunction)
def _tanh(node: Any, g: Tensor) -> Tensor:
    t = node.parents[0].tanh()
    return g * (1 - t * t)


@rule(act.ReLUFunction)
def _relu(node: Any, g: Tensor) -> Tensor:
    return g * _const(g, node.parents[0].data > 0)


@rule(act.SoftplusFunction)
def _softplus(node: Any, g: Tensor) -> Tensor:
    scaled, linear_part = node.saved
    x = node.parents[0]
    if not bool(namespace_of(x.data).array_equal(scaled, x.data)):
        raise NotImplementedError("double backward of softplus is implemented for beta=1 only")
    # slope 1 above the threshold (where softplus is x itself), logsig(x) below
    return g * (x.sigmoid() * _const(g, ~linear_part) + _const(g, linear_part))


@rule(softmax.SoftmaxFunction)
def _softmax(node: Any, g: Tensor) -> Tensor:
    dim = node.saved[1]
    s = node.parents[0].softmax(dim)
    return s * (g - (g * s).sum(dim=dim, keepdim=True))


@rule(softmax.LogSoftmaxFunction)
def _log_softmax(node: Any, g: Tensor) -> Tensor:
    dim = node.saved[1]
    return g - node.parents[0].softmax(dim) * g.sum(dim=dim, keepdim=True)


# -- reductions and shapes -----------------------------------------------------------------------------
def _expand_back(g: Tensor, shape_: tuple[int, ...], axes: Any, keepdim: bool) -> Tensor:
    if not keepdim:
        kept = [1 if axes is None or i in axes else n for i, n in enumerate(shape_)]
        g = g.reshape(*kept)
    return g.expand(*shape_)


@rule(reduction.Sum)
def _sum(node: Any, g: Tensor) -> Tensor:
    shape_, axes, keepdim = node.saved
    return _expand_back(g, shape_, axes, keepdim)


@rule(reduction.Mean)
def _mean(node: Any, g: Tensor) -> Tensor:
    shape_, axes, keepdim, count = node.saved
    return _expand_back(g / count, shape_, axes, keepdim)


@rule(shape.Reshape)
def _reshape(node: Any, g: Tensor) -> Tensor:
    return g.reshape(node.parents[0].shape)


@rule(shape.Transpose)
def _transpose(node: Any, g: Tensor) -> Tensor:
    return g.transpose(*node.saved)


@rule(shape.Permute)
def _permute(node: Any, g: Tensor) -> Tensor:
    return g.permute(*[int(d) for d in node.saved[0]])


@rule(shape.Expand)
def _expand(node: Any, g: Tensor) -> Tensor:
    return sum_to(g, node.parents[0].shape)


class IndexAdd(Function):
    """out = zeros(shape) with g added at ``index`` (the backward of indexing, as an op of its own so that
    it can be differentiated again: its backward is indexing)."""

    def forward(self, g: np.ndarray, shape: tuple[int, ...], index: Any) -> np.ndarray:
        self.save_for_backward(index)
        full = namespace_of(g).zeros(shape, dtype=g.dtype)
        scatter_add(full, index, g)
        return full

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad[self.saved[0]]


@rule(selection.GetItem)
def _get_item(node: Any, g: Tensor) -> Tensor:
    shape_, _, index = node.saved
    return IndexAdd.apply(g, shape=shape_, index=index)


@rule(IndexAdd)
def _index_add(node: Any, g: Tensor) -> Tensor:
    return g[node.saved[0]]


# -- losses (the plain forms: no class weights, no pos_weight, no ignored targets, no smoothing) -------
def _scale(g: Tensor, reduction_: str, count: Any) -> Tensor:
    return g / count if reduction_ == "mean" else g


@rule(losses.SquaredError)
def _mse(node: Any, g: Tensor) -> Grads:
    x, y = node.parents
    d = 2 * _scale(g, node.saved[1], x.numel()) * (x - y)
    return d, -d


@rule(losses.BinaryCrossEntropyWithLogits)
def _bce_with_logits(node: Any, g: Tensor) -> Grads:
    z, y = node.parents[:2]
    _, _, weight, pos_weight, _, _, reduction_ = node.saved
    if weight is not None or pos_weight is not None:
        raise NotImplementedError("double backward of binary_cross_entropy_with_logits is implemented without "
                                  "weight and pos_weight only")
    s = _scale(g, reduction_, z.numel())
    grads: tuple[Tensor | None, ...] = (s * (z.sigmoid() - y), s * -z)
    return grads + (None,) * (len(node.parents) - 2)


@rule(losses.CrossEntropy)
def _cross_entropy(node: Any, g: Tensor) -> Grads:
    probs, positions, row_weight, _, _, logits_shape, count, reduction_, _ = node.saved
    logits = node.parents[0]
    if row_weight is not None or len(logits_shape) != 2:
        raise NotImplementedError("double backward of cross_entropy is implemented for (N, C) logits without "
                                  "class weights, ignored targets or label smoothing")
    one_hot = namespace_of(probs).zeros(logits_shape, dtype=probs.dtype)
    one_hot[positions] = 1
    s = _scale(g, reduction_, count)
    if reduction_ == "none":
        s = s.unsqueeze(1)
    d = s * (logits.softmax(1) - _const(logits, one_hot))
    return (d,) + (None,) * (len(node.parents) - 1)
