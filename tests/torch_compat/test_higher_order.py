"""Gradients of gradients (create_graph=True, autograd.grad) against torch in float64: second
derivatives, Hessian-vector products, a gradient penalty, and a clear refusal for ops without a rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import chainrule as cr

RNG = np.random.default_rng(7)
X = RNG.normal(size=(4, 3))
W = RNG.normal(size=(2, 3))
V = RNG.normal(size=(4, 3))


def _grad_then_hvp(lib: Any, fn: Callable[[Any, Any], Any], x_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """g = d fn / dx (with its graph), then d (g . v) / dx: the Hessian times v."""
    x = lib.tensor(x_values, requires_grad=True)
    out = fn(lib, x)
    (g,) = lib.autograd.grad(out, x, create_graph=True)
    (hv,) = lib.autograd.grad((g * lib.tensor(V[: x_values.shape[0], : x_values.shape[1]])).sum(), x)
    return g.detach().numpy(), hv.detach().numpy()


def _f(lib: Any, name: str) -> Any:
    return getattr(lib.nn.functional, name)


CASES: dict[str, Callable[[Any, Any], Any]] = {
    "polynomial": lambda lib, x: (x ** 3 - 2 * x * x + x / 3 - 1).sum(),
    "division": lambda lib, x: (1 / (x * x + 1) - x / (2 + x.exp())).sum(),
    "exp_log_sqrt": lambda lib, x: ((x.exp() + 1).log() + (x * x + 0.5).sqrt()).mean(),
    "trig": lambda lib, x: (x.sin() * x.cos() - (2 * x).sin()).sum(),
    "tanh_sigmoid": lambda lib, x: (x.tanh() * x.sigmoid()).sum(),
    "relu_softplus": lambda lib, x: (x.relu() * x + _f(lib, "softplus")(x) ** 2).sum(),
    "pow_tensor": lambda lib, x: ((x * x + 1) ** (x.sigmoid())).sum(),
    "matmul_shapes": lambda lib, x: ((x @ x.t()).sum(dim=1) * x.reshape(3, 4).transpose(0, 1).sum(1)).sum()
    + (x.unsqueeze(0).expand(2, 4, 3) ** 2).mean() + x[1:3, ::2].squeeze().pow(3).sum() + (x.view(-1)[5] ** 4),
    "mlp_mse": lambda lib, x: _f(lib, "mse_loss")(_f(lib, "linear")(x, lib.tensor(W)).tanh(), lib.zeros(4, 2)),
    "cross_entropy": lambda lib, x: _f(lib, "cross_entropy")(x, lib.tensor([0, 2, 1, 2])),
    "bce_with_logits": lambda lib, x: _f(lib, "binary_cross_entropy_with_logits")(x, lib.tensor((X > 0) * 1.0)),
    "softmax": lambda lib, x: (x.softmax(dim=1) * lib.tensor(V)).sum() + x.log_softmax(dim=0)[0].sum(),
}


@pytest.mark.parametrize("name", list(CASES))
def test_gradient_and_hessian_vector_product_match_torch(name: str) -> None:
    g, hv = _grad_then_hvp(cr, CASES[name], X)
    tg, thv = _grad_then_hvp(torch, CASES[name], X)
    np.testing.assert_allclose(g, tg, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hv, thv, rtol=1e-9, atol=1e-12)


@pytest.mark.filterwarnings(r"ignore:Using backward\(\) with create_graph=True")
def test_second_derivative_with_backward_create_graph() -> None:
    x = cr.tensor(0.7, dtype=cr.float64, requires_grad=True)
    (x.sin() * x ** 2).backward(create_graph=True)
    first = x.grad
    x.grad = None
    first.backward()
    t = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    (t.sin() * t ** 2).backward(create_graph=True)
    tfirst = t.grad
    t.grad = None
    tfirst.backward()
    assert first.item() == pytest.approx(tfirst.item(), rel=1e-12)
    assert x.grad.item() == pytest.approx(t.grad.item(), rel=1e-12)


def _penalty(lib: Any) -> list[np.ndarray | None]:
    """WGAN-GP's gradient penalty: (||d critic / d input|| - 1)^2, differentiated for the weights."""
    layer1 = lib.nn.Linear(3, 5).double()
    layer2 = lib.nn.Linear(5, 1).double()
    state = {"weight": W.repeat(3, axis=0)[:5] * 0.5, "bias": np.linspace(-1, 1, 5)}
    layer1.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    layer2.load_state_dict({"weight": lib.tensor(np.linspace(-1, 2, 5)[None]), "bias": lib.tensor([0.1])})
    x = lib.tensor(X, requires_grad=True)
    critic = layer2(lib.tanh(layer1(x))).sum()
    (g,) = lib.autograd.grad(critic, x, create_graph=True)
    penalty = ((g.pow(2).sum(dim=1).sqrt() - 1) ** 2).mean()
    penalty.backward()
    # layer2's bias does not change d critic / d input: no gradient (None) in both libraries
    return [None if p.grad is None else p.grad.numpy() for p in [*layer1.parameters(), *layer2.parameters()]]


def test_gradient_penalty_matches_torch() -> None:
    mine, theirs = _penalty(cr), _penalty(torch)
    assert [m is None for m in mine] == [t is None for t in theirs] == [False, False, False, True]
    for m, t in zip(mine[:3], theirs[:3], strict=True):
        np.testing.assert_allclose(m, t, rtol=1e-10, atol=1e-12)


def test_grad_options_allow_unused_and_grad_outputs() -> None:
    x = cr.tensor(X, requires_grad=True)
    unused = cr.tensor(1.0, dtype=cr.float64, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        cr.autograd.grad(y.sum(), [x, unused], retain_graph=True)
    gx, gu = cr.autograd.grad(y, [x, unused], grad_outputs=cr.tensor(V), allow_unused=True)
    assert gu is None and x.grad is None
    np.testing.assert_allclose(gx.numpy(), 2 * V)


def test_op_without_a_rule_is_refused_by_name_never_silently_wrong() -> None:
    x = cr.tensor(X, requires_grad=True)
    with pytest.raises(NotImplementedError, match=r"double backward is not implemented for Prod.*Ops that have "
                                                  r"one: .*MatMul"):
        cr.autograd.grad(x.prod(), x, create_graph=True)
