"""Ops and behaviours a PyTorch user's script reaches for beyond the core list: prod, cumsum, norm,
gather, topk, masked_fill, legacy constructors, inference_mode; each against torch in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr

CASES = {
    "prod_dim": (lambda t: t.prod(1), lambda t: t.prod(1)),
    "prod_dim_keepdim": (lambda t: t.prod(0, keepdim=True), lambda t: t.prod(0, keepdim=True)),
    "prod_all": (lambda t: t.prod(), lambda t: t.prod()),
    "cumsum_0": (lambda t: t.cumsum(0), lambda t: t.cumsum(0)),
    "cumsum_neg": (lambda t: t.cumsum(-1), lambda t: t.cumsum(-1)),
    "norm_2": (lambda t: t.norm(), lambda t: t.norm()),
    "norm_1_dim": (lambda t: t.norm(p=1, dim=1), lambda t: t.norm(p=1, dim=1)),
    "norm_3_dim": (lambda t: t.norm(p=3, dim=0, keepdim=True), lambda t: t.norm(p=3, dim=0, keepdim=True)),
    "norm_inf": (lambda t: t.norm(p=float("inf")), lambda t: t.norm(p=float("inf"))),
    "topk": (lambda t: t.topk(2, dim=1).values, lambda t: t.topk(2, dim=1).values),
    "topk_smallest": (lambda t: t.topk(3, dim=0, largest=False).values,
                      lambda t: t.topk(3, dim=0, largest=False).values),
    "gather_repeats": (lambda t: t.gather(1, cr.tensor([[0, 0], [1, 3], [2, 2], [3, 1]])),
                       lambda t: t.gather(1, torch.tensor([[0, 0], [1, 3], [2, 2], [3, 1]]))),
    "masked_fill": (lambda t: t.masked_fill(t.detach() > 0, 0.5), lambda t: t.masked_fill(t.detach() > 0, 0.5)),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("with_zero", [False, True])
def test_values_and_gradients_match_torch(name: str, with_zero: bool) -> None:
    ours, theirs = CASES[name]
    data = np.random.default_rng(3).normal(size=(4, 4))
    if with_zero:
        data[1, 2] = 0.0  # the product's gradient must not divide by zero
    x = cr.tensor(data, requires_grad=True)
    y = torch.tensor(data, requires_grad=True)
    out, ref = ours(x), theirs(y)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(4).normal(size=ref.shape)
    (out * cr.tensor(weights)).sum().backward()
    (ref * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["prod_dim", "prod_all", "cumsum_0", "norm_3_dim", "gather_repeats"])
def test_gradcheck(name: str) -> None:
    ours, _ = CASES[name]
    x = cr.tensor(np.random.default_rng(5).normal(size=(4, 4)), requires_grad=True)
    assert cr.autograd.gradcheck(ours, (x,))


def test_std_and_norm_of_constant_values_have_zero_gradient_like_torch() -> None:
    x = cr.ones(3, dtype=cr.float64, requires_grad=True)
    x.std().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(3))
    z = cr.zeros(3, dtype=cr.float64, requires_grad=True)
    z.norm().backward()
    np.testing.assert_array_equal(z.grad.numpy(), np.zeros(3))


def test_a_parameters_grad_is_a_plain_tensor() -> None:
    layer = cr.nn.Linear(2, 1)
    layer(cr.randn(3, 2)).sum().backward()
    assert type(layer.weight.grad) is cr.Tensor
    assert "Parameter" not in repr(layer.weight.grad)


def test_tensor_constructor_makes_floats_like_torch_tensor() -> None:
    assert cr.Tensor([1, 2]).dtype == cr.float32
    assert torch.Tensor([1, 2]).dtype == torch.float32
    assert cr.tensor([1, 2]).dtype == cr.int64
    assert cr.FloatTensor([1, 2]).dtype == cr.float32
    assert cr.LongTensor([1.0, 2.0]).dtype == cr.int64
    assert cr.DoubleTensor([1]).dtype == cr.float64


def test_zero_dim_reductions_accept_dim_0_and_minus_1() -> None:
    t = cr.tensor(3.0)
    assert t.sum(0, keepdim=True).item() == torch.tensor(3.0).sum(0, keepdim=True).item()
    assert t.mean(-1, keepdim=True).shape == tuple(torch.tensor(3.0).mean(-1, keepdim=True).shape)
    with pytest.raises(IndexError, match="out of range"):
        t.sum(1)


def test_object_arrays_are_refused_with_a_clear_message() -> None:
    with pytest.raises(TypeError, match="dtype object"):
        cr.tensor(np.array([1, "a"], dtype=object))


def test_inference_mode_records_nothing() -> None:
    w = cr.ones(2, requires_grad=True)
    with cr.inference_mode():
        assert not (w * 2).requires_grad
    assert (w * 2).requires_grad


def test_topk_out_of_range_and_gather_bad_index_explain() -> None:
    t = cr.randn(2, 3)
    with pytest.raises(RuntimeError, match="k=4"):
        t.topk(4)
    with pytest.raises(RuntimeError, match="integer"):
        t.gather(1, np.zeros((2, 1)))


def test_orthogonal_init_gives_orthonormal_rows_times_gain() -> None:
    w = cr.nn.Linear(6, 3).weight
    cr.nn.init.orthogonal_(w, gain=2.0)
    np.testing.assert_allclose(w.data @ w.data.T, 4 * np.eye(3), atol=1e-5)
