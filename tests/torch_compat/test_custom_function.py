"""PyTorch's custom Function protocol (ctx, staticmethods on tensors), checked against torch in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr


def _pair(values: np.ndarray) -> tuple[cr.Tensor, torch.Tensor]:
    return cr.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)


def _cube(base: type) -> type:
    class Cube(base):  # type: ignore[misc, valid-type]
        @staticmethod
        def forward(ctx, x, scale):  # noqa: ANN001, ANN205
            ctx.save_for_backward(x)
            ctx.scale = scale
            return scale * x ** 3

        @staticmethod
        def backward(ctx, grad):  # noqa: ANN001, ANN205
            (x,) = ctx.saved_tensors
            return grad * 3 * ctx.scale * x ** 2, None

    return Cube


def _two_outputs(base: type) -> type:
    class ProductAndSum(base):  # type: ignore[misc, valid-type]
        @staticmethod
        def forward(ctx, a, b):  # noqa: ANN001, ANN205
            ctx.save_for_backward(a, b)
            return a * b, a + b

        @staticmethod
        def backward(ctx, grad_product, grad_sum):  # noqa: ANN001, ANN205
            a, b = ctx.saved_tensors
            return grad_product * b + grad_sum, grad_product * a + grad_sum

    return ProductAndSum


CrCube, TorchCube = _cube(cr.autograd.Function), _cube(torch.autograd.Function)
CrTwo, TorchTwo = _two_outputs(cr.autograd.Function), _two_outputs(torch.autograd.Function)
VALUES = np.random.default_rng(0).normal(size=(3, 2))


def test_ctx_protocol_matches_torch_with_a_non_tensor_argument() -> None:
    x, tx = _pair(VALUES)
    y, ty = CrCube.apply(x, 2.5), TorchCube.apply(tx, 2.5)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    (y.sin().sum()).backward()
    (ty.sin().sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    assert y.grad_fn.name() == "CubeBackward0"
    assert cr.autograd.gradcheck(lambda t: CrCube.apply(t, 2.5), (cr.tensor(VALUES, requires_grad=True),))


def test_two_outputs_one_unused_gets_zero_gradient_as_in_torch() -> None:
    a, ta = _pair(VALUES)
    b, tb = _pair(VALUES[::-1].copy())
    product, _ = CrTwo.apply(a, b)
    tproduct, _ = TorchTwo.apply(ta, tb)
    (product * 3).sum().backward()
    (tproduct * 3).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-12)
    assert cr.autograd.gradcheck(lambda p, q: CrTwo.apply(p, q), (cr.tensor(VALUES, requires_grad=True),
                                                                   cr.tensor(VALUES + 1, requires_grad=True)))


def test_needs_input_grad_and_mark_non_differentiable() -> None:
    seen = {}

    class ArgMaxAndValue(cr.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):  # noqa: ANN001, ANN205
            seen["needs"] = ctx.needs_input_grad
            index = x.argmax(dim=1)
            ctx.mark_non_differentiable(index)
            ctx.save_for_backward(y)
            return x * y, index

        @staticmethod
        def backward(ctx, grad, grad_index):  # noqa: ANN001, ANN205
            (y,) = ctx.saved_tensors
            return grad * y, None

    x = cr.tensor(VALUES, requires_grad=True)
    out, index = ArgMaxAndValue.apply(x, cr.tensor(VALUES))
    assert seen["needs"] == (True, False)
    assert not index.requires_grad and out.requires_grad
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), VALUES)


def test_wrong_number_of_gradients_is_refused_with_the_function_name() -> None:
    class Bad(cr.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):  # noqa: ANN001, ANN205
            return a * b

        @staticmethod
        def backward(ctx, grad):  # noqa: ANN001, ANN205
            return grad

    out = Bad.apply(cr.ones(2, requires_grad=True), cr.ones(2, requires_grad=True))
    with pytest.raises(RuntimeError, match=r"BadBackward returned an incorrect number of gradients \(expected 2"):
        out.sum().backward()


def test_saved_tensor_changed_in_place_raises_like_torch() -> None:
    x = cr.tensor(VALUES, requires_grad=True)
    y = cr.tensor(VALUES)
    out = CrTwo.apply(x, y)[0]
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*expected version 0"):
        out.sum().backward()


def test_array_level_ops_still_work_and_share_the_graph() -> None:
    """The engine's own ops (forward/backward on arrays, self as ctx) and a ctx-protocol op in one graph."""

    class Double(cr.autograd.Function):
        def forward(self, x):  # noqa: ANN001, ANN201
            return 2 * x

        def backward(self, grad):  # noqa: ANN001, ANN201
            return 2 * grad

    x = cr.tensor(VALUES, requires_grad=True)
    CrCube.apply(Double.apply(x), 1.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 24 * VALUES ** 2, rtol=1e-12)
