"""PyTorch-compatibility features on the stand-in GPU: the product methods, gradients of gradients, a
custom Function in PyTorch's protocol, the version check, in-place forms and ``new_*`` placement. Values
and gradients equal the CPU's; a stray ``np.`` call on a device array fails here."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_device_ops import assert_same_on_gpu

import chainrule as cr

pytestmark = pytest.mark.usefixtures("cuda")


class Cube(cr.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Any, scale: float) -> Any:
        ctx.save_for_backward(x)
        ctx.scale = scale
        return scale * x ** 3

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * 3 * ctx.scale * x ** 2, None


def _first_derivative(lib: Any, x: Any, w: Any) -> Any:
    """d/dx of a sum (products, tanh, powers, abs, indexing), kept in the graph: its backward is a second
    derivative (graph_backward.py's rules, run on the device)."""
    loss = ((x @ w).tanh() ** 2).sum() + (x[1:].abs() * x[1:]).sum()
    (dx,) = lib.autograd.grad(loss, x, create_graph=True)
    return dx * x.sigmoid()


CASES = [
    ("mm", lambda lib, a, b: a.mm(b), ((3, 4), (4, 2))),
    ("mv", lambda lib, a, v: a.mv(v), ((3, 4), (4,))),
    ("dot", lambda lib, a, b: a.dot(b), ((4,), (4,))),
    ("outer", lambda lib, a, b: a.outer(b), ((3,), (4,))),
    ("add_sub_alpha", lambda lib, a, b: lib.add(a, b, alpha=2.5) * lib.sub(a, b, alpha=0.5), ((3, 4), (3, 4))),
    ("second_derivative", _first_derivative, ((3, 4), (4, 2))),
    ("custom_function", lambda lib, x: Cube.apply(x, 2.0).sum(), ((3, 4),)),
]


@pytest.mark.parametrize("name, fn, shapes", CASES, ids=[c[0] for c in CASES])
def test_torch_surface_on_gpu(name: str, fn: Any, shapes: Any) -> None:
    rng = np.random.default_rng(len(name))
    assert_same_on_gpu(fn, [rng.standard_normal(s) for s in shapes])


def test_all_any_along_a_dim_stay_on_the_device() -> None:
    x = cr.tensor([[1.0, 0.0], [2.0, 3.0]], device="cuda")
    assert x.all(dim=1).device == cr.device("cuda:0")
    assert x.all(dim=1).cpu().tolist() == [False, True]
    assert x.any(dim=0, keepdim=True).cpu().tolist() == [[True, True]]


def test_new_tensors_land_on_the_source_device_or_the_given_one() -> None:
    x = cr.ones(2, device="cuda:1")
    assert x.new_zeros(3).device == cr.device("cuda:1")
    assert x.new_ones((2, 2), dtype=cr.float64).device == cr.device("cuda:1")
    assert x.new_full((2,), 7.0, device="cuda:0").device == cr.device("cuda:0")
    made = x.new_tensor([1.0, 2.0], device="cpu", requires_grad=True)
    assert made.device == cr.device("cpu") and made.requires_grad and made.tolist() == [1.0, 2.0]
    assert cr.ones(2).new_zeros(2, device="cuda").device == cr.device("cuda:0")
    assert cr.empty_like(x).device == x.device


def test_in_place_forms_and_the_version_check_on_gpu() -> None:
    x = cr.tensor([0.5, 1.0, 2.0], dtype=cr.float64, device="cuda")
    x.exp_()
    np.testing.assert_allclose(x.cpu().numpy(), np.exp([0.5, 1.0, 2.0]))
    assert x._version == 1
    w = cr.tensor([1.0, 2.0, 3.0], dtype=cr.float64, device="cuda", requires_grad=True)
    y = (w * x).sum()  # Mul saved x
    x.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
