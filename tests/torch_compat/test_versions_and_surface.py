"""Issue 13 class 5 (what PyTorch refuses, chainrule refuses: in-place changes of saved values, BCE
targets outside [0, 1], fit on labels that are not 0/1) and the tensor surface beginners use, against torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import chainrule as cr

VALUES = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])


def _both(fn: Any) -> tuple[Any, Any]:
    """Run ``fn(lib)`` with each library; return (chainrule's error or None, torch's error or None)."""
    errors = []
    for lib in (cr, torch):
        try:
            fn(lib)
            errors.append(None)
        except RuntimeError as error:
            errors.append(error)
    return errors[0], errors[1]


def _saved_input_changed(lib: Any) -> None:
    w = lib.tensor(VALUES, requires_grad=True)
    a = lib.tensor(VALUES)
    loss = (w * a).sum()
    a.mul_(2)
    loss.backward()


def _saved_output_changed(lib: Any) -> None:
    y = lib.tensor(VALUES, requires_grad=True).sigmoid()
    with lib.no_grad():
        y[0, 0] = 3.0
    y.sum().backward()


def _view_of_saved_changed(lib: Any) -> None:
    w = lib.tensor(VALUES, requires_grad=True)
    a = lib.tensor(VALUES)
    loss = (w * a.view(3, 2).view(2, 3)).sum()  # a view of a is saved
    a.add_(1)
    loss.backward()


def _step_between_forward_and_backward(lib: Any) -> None:
    layer = lib.nn.Linear(3, 1).double()
    loss = layer(lib.tensor(VALUES, requires_grad=True)).sum()  # dL/dx needs the weight: torch saves it
    loss.backward(retain_graph=True)
    lib.optim.SGD(layer.parameters(), lr=0.1).step()
    loss.backward()


@pytest.mark.parametrize("case", [_saved_input_changed, _saved_output_changed, _view_of_saved_changed,
                                  _step_between_forward_and_backward], ids=lambda f: f.__name__.strip("_"))
def test_in_place_change_of_a_saved_value_raises_as_in_torch(case: Any) -> None:
    mine, theirs = _both(case)
    assert theirs is not None and "modified by an inplace operation" in str(theirs)
    assert mine is not None and "modified by an inplace operation" in str(mine)
    assert "is at version" in str(mine) and "expected version" in str(mine)


def _unsaved_input_changed(lib: Any) -> None:
    w = lib.tensor(VALUES, requires_grad=True)
    b = lib.tensor(VALUES)
    loss = (w + b).sum()  # addition saves nothing: changing b afterwards is harmless
    b.add_(1)
    loss.backward()


def test_in_place_change_of_an_unsaved_input_is_allowed_as_in_torch() -> None:
    assert _both(_unsaved_input_changed) == (None, None)


def test_version_counter_counts_in_place_changes() -> None:
    t, tt = cr.zeros(3), torch.zeros(3)
    for x in (t, tt):
        x.add_(1)
        x.mul_(2)
        x[0] = 5.0
        x.zero_()
    assert t._version == tt._version == 4


def test_bce_refuses_targets_outside_zero_one() -> None:
    with pytest.raises(RuntimeError, match=r"target should be between 0 and 1.*from 1 to 2.*cross_entropy"):
        cr.nn.BCELoss()(cr.tensor([0.5, 0.5]), cr.tensor([1.0, 2.0]))
    soft = cr.nn.BCELoss()(cr.tensor([0.3]), cr.tensor([0.8]))  # probabilities as targets stay allowed
    assert soft.item() == pytest.approx(torch.nn.BCELoss()(torch.tensor([0.3]), torch.tensor([0.8])).item())


@pytest.mark.parametrize("loss", ["bce_with_logits", "bce"])
def test_fit_with_a_binary_loss_refuses_labels_other_than_zero_and_one(loss: str) -> None:
    model = cr.nn.Sequential(cr.nn.Linear(2, 1), *([cr.nn.Sigmoid()] if loss == "bce" else []))
    x = np.random.default_rng(0).normal(size=(6, 2))
    with pytest.raises(ValueError, match=r"needs labels 0 and 1, but y holds 0, 1, 2.*cross_entropy"):
        cr.fit(model, x, np.array([0, 1, 2, 0, 1, 2]), loss=loss, optimizer="sgd", epochs=1)


# -- the tensor surface, value by value against torch (float64) -------------------------------------------
SURFACE: dict[str, Any] = {
    "mm_t": lambda lib, a: a.mm(a.t()),
    "mv": lambda lib, a: lib.mv(a, a[0]),
    "dot_outer": lambda lib, a: lib.outer(a[0], a[1]) * lib.dot(a[0], a[1]),
    "matmul_keywords": lambda lib, a: lib.matmul(input=a, other=a.T),
    "add_alpha": lambda lib, a: lib.add(a, a * 2, alpha=0.5) - lib.sub(a, 1, alpha=2),
    "clamp_min_max": lambda lib, a: a.clamp(min=0.0) + a.clamp(max=0.3) + a.clamp_min(0.1),
    "all_any_dim": lambda lib, a: (a > 0).all(dim=1).double() + (a > 1).any(dim=1).double() + lib.all(a > -5).double(),
    "new_like": lambda lib, a: a.new_tensor([1, 2, 3]) + a.new_zeros(3) + a.new_ones((2, 3)) + a.new_full((3,), 2.0)
    + lib.empty_like(a).zero_() + lib.full_like(a, 2),
    "views": lambda lib, a: a.view(3, 2).unsqueeze(0).squeeze(0).view(-1) * a.numel() + a.size(1),
    "in_place_forms": lambda lib, a: a.clone().exp_().log_().abs_().neg_().pow_(2).sqrt_().clamp_(max=1.0),
    "mask_assign": lambda lib, a: _mask_assign(a),
    "iteration": lambda lib, a: lib.stack([row * 2 for row in a]),
    "creation": lambda lib, a: lib.linspace(0, 1, steps=6, dtype=lib.float64).view(2, 3)
    + lib.eye(2, 3, dtype=lib.float64) + lib.arange(6, dtype=lib.float64).view(2, 3)
    + lib.full((2, 3), 0.5, dtype=lib.float64),
}


def _mask_assign(a: Any) -> Any:
    b = a.clone()
    b[b < 0] = 0.0
    b[:, 0] += 1
    return b


@pytest.mark.parametrize("name", list(SURFACE))
def test_tensor_surface_matches_torch(name: str) -> None:
    mine = SURFACE[name](cr, cr.tensor(VALUES))
    theirs = SURFACE[name](torch, torch.tensor(VALUES))
    assert tuple(mine.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-12)


def test_out_arguments_numpy_sharing_grad_fn_and_legacy_constructors() -> None:
    out = cr.empty(2, 3, dtype=cr.float64)
    assert cr.add(cr.tensor(VALUES), 1.0, out=out) is out
    np.testing.assert_allclose(out.numpy(), VALUES + 1)
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
        cr.mul(cr.tensor(VALUES, requires_grad=True), 2, out=out)
    t = cr.zeros(3)
    t.numpy()[1] = 7  # numpy() shares memory both ways, as torch's does
    assert t[1].item() == 7
    x = cr.tensor(VALUES, requires_grad=True)
    y = (x * 2).sum()
    tx = torch.tensor(VALUES, requires_grad=True)
    ty = (tx * 2).sum()
    assert y.grad_fn.name() == ty.grad_fn.name() == "SumBackward0"
    (mul_node, _), = y.grad_fn.next_functions
    assert mul_node.name() == "MulBackward0"
    assert mul_node.next_functions[0][0].variable is x
    assert cr.LongTensor([1, 2]).dtype == cr.int64 and cr.FloatTensor([1, 2]).dtype == cr.float32
    assert cr.ones(2).requires_grad_().requires_grad
    assert cr.autograd.Variable(cr.ones(2), requires_grad=True).requires_grad
