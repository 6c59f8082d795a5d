"""Losses: values and gradients (input and target) against PyTorch in float64 for every reduction,
class weights, ignore_index, label smoothing and probability targets; gradcheck; errors."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from nn_helpers import assert_close

import chainrule as cr
from chainrule import nn
from chainrule.autograd import gradcheck

REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(0)


def _tensor(lib: Any, array: np.ndarray, requires_grad: bool) -> Any:
    if array.dtype.kind in "iu":
        return lib.tensor(array, dtype=lib.int64)
    return lib.tensor(array, dtype=lib.float64, requires_grad=requires_grad)


def compare(ours: Callable[..., Any], theirs: Callable[..., Any], x: np.ndarray, y: np.ndarray,
            target_grad: bool = False, seed: int = 0) -> None:
    """Run both losses on the same float64 input x and target y; compare value, dL/dx and maybe dL/dy."""
    x_ours, x_theirs = _tensor(cr, x, True), _tensor(torch, x, True)
    y_ours, y_theirs = _tensor(cr, y, target_grad), _tensor(torch, y, target_grad)
    loss_ours, loss_theirs = ours(x_ours, y_ours), theirs(x_theirs, y_theirs)
    assert_close(loss_ours, loss_theirs, what="loss")
    assert loss_ours.dtype == cr.float64
    upstream = np.random.default_rng(seed).standard_normal(tuple(loss_theirs.shape)) + 2.0
    loss_ours.backward(cr.tensor(upstream))
    loss_theirs.backward(torch.tensor(upstream))
    assert_close(x_ours.grad, x_theirs.grad, what="gradient of the input")
    if target_grad:
        assert_close(y_ours.grad, y_theirs.grad, what="gradient of the target")


def check_gradients(loss: Callable[..., Any], x: np.ndarray, y: np.ndarray,
                    target_grad: bool = False) -> None:
    x_t = cr.tensor(x, dtype=cr.float64, requires_grad=True)
    y_t = cr.tensor(y) if y.dtype.kind in "iu" else cr.tensor(y, dtype=cr.float64, requires_grad=target_grad)
    assert gradcheck(loss, (x_t, y_t))


# -- regression losses --------------------------------------------------------------------------------
REGRESSION = [
    ("L1Loss", {}), ("MSELoss", {}), ("HuberLoss", {}), ("HuberLoss", {"delta": 0.4}),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "kwargs"), REGRESSION)
def test_regression_losses_match_torch(name: str, kwargs: dict, reduction: str) -> None:
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    ours = getattr(nn, name)(reduction=reduction, **kwargs)
    theirs = getattr(torch.nn, name)(reduction=reduction, **kwargs)
    compare(ours, theirs, x, y, target_grad=True)
    check_gradients(getattr(nn, name)(reduction=reduction, **kwargs), x[:2], y[:2], target_grad=True)


def test_regression_losses_values_from_the_definitions() -> None:
    x, y = cr.tensor([1.0, -2.0, 0.5]), cr.tensor([0.0, 0.0, 0.0])
    assert nn.MSELoss()(x, y).item() == pytest.approx((1 + 4 + 0.25) / 3)
    assert nn.L1Loss(reduction="sum")(x, y).item() == pytest.approx(3.5)
    # Huber, delta 1: 1 -> 0.5 (boundary, linear branch 1 - 0.5), 2 -> 2 - 0.5, 0.5 -> 0.125
    assert nn.HuberLoss(reduction="none")(x, y).tolist() == pytest.approx([0.5, 1.5, 0.125])


# -- binary cross-entropy ---------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (3,), (4, 3)])
def test_bce_matches_torch(reduction: str, weight_shape: tuple[int, ...] | None) -> None:
    p, y = rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3))
    weight = None if weight_shape is None else rng.uniform(0.5, 2.0, weight_shape)
    ours = nn.BCELoss(weight=None if weight is None else cr.tensor(weight), reduction=reduction)
    theirs = torch.nn.BCELoss(weight=None if weight is None else torch.tensor(weight), reduction=reduction)
    compare(ours.double(), theirs, p, y, target_grad=True)
    check_gradients(ours, p, y, target_grad=True)


def test_bce_clamps_the_log_at_minus_100() -> None:
    p = cr.tensor([0.0, 1.0, 0.0], dtype=cr.float64, requires_grad=True)
    y = cr.tensor([1.0, 0.0, 0.0], dtype=cr.float64)
    loss = nn.BCELoss(reduction="none")(p, y)
    assert loss.tolist() == [100.0, 100.0, 0.0]
    tp = torch.tensor([0.0, 1.0, 0.0], dtype=torch.float64, requires_grad=True)
    torch_loss = torch.nn.BCELoss(reduction="none")(tp, torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64))
    loss.sum().backward()
    torch_loss.sum().backward()
    assert_close(p.grad, tp.grad)
    with pytest.raises(RuntimeError, match="between 0 and 1.*with_logits"):
        nn.BCELoss()(cr.tensor([1.5]), cr.tensor([1.0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("weight_shape", "pos_weight_shape"), [(None, None), ((3,), None), (None, (3,)),
                                                                 ((4, 3), (3,))])
def test_bce_with_logits_matches_torch(reduction: str, weight_shape: Any, pos_weight_shape: Any) -> None:
    z, y = rng.standard_normal((4, 3)) * 3, rng.uniform(0, 1, (4, 3))
    weight = None if weight_shape is None else rng.uniform(0.5, 2.0, weight_shape)
    pos_weight = None if pos_weight_shape is None else rng.uniform(0.5, 3.0, pos_weight_shape)
    ours = nn.BCEWithLogitsLoss(weight=None if weight is None else cr.tensor(weight), reduction=reduction,
                                pos_weight=None if pos_weight is None else cr.tensor(pos_weight)).double()
    theirs = torch.nn.BCEWithLogitsLoss(weight=None if weight is None else torch.tensor(weight),
                                        reduction=reduction,
                                        pos_weight=None if pos_weight is None else torch.tensor(pos_weight))
    compare(ours, theirs, z, y, target_grad=True)
    check_gradients(ours, z, y, target_grad=True)


# -- cross-entropy and NLL ----------------------------------------------------------------------------
def _classes(shape: tuple[int, ...], n_classes: int, ignore: int | None = None) -> np.ndarray:
    t = rng.integers(0, n_classes, shape)
    if ignore is not None:
        t.reshape(-1)[::3] = ignore
    return t


CE_CASES = [
    # (input shape, options)
    ((5, 4), {}),
    ((5, 4), {"weight": True}),
    ((5, 4), {"ignore_index": -100}),
    ((5, 4), {"ignore_index": 2, "weight": True}),
    ((5, 4), {"label_smoothing": 0.1}),
    ((5, 4), {"label_smoothing": 0.2, "weight": True, "ignore_index": 1}),
    ((2, 4, 3, 2), {"weight": True, "label_smoothing": 0.1}),
    ((4,), {}),
    ((4,), {"weight": True, "label_smoothing": 0.3}),
]


def _ce_modules(options: dict[str, Any], reduction: str, n_classes: int) -> tuple[nn.Module, torch.nn.Module]:
    kwargs = {k: v for k, v in options.items() if k != "weight"}
    weight = rng.uniform(0.5, 2.0, n_classes) if options.get("weight") else None
    ours = nn.CrossEntropyLoss(weight=None if weight is None else cr.tensor(weight), reduction=reduction,
                               **kwargs)
    theirs = torch.nn.CrossEntropyLoss(weight=None if weight is None else torch.tensor(weight),
                                       reduction=reduction, **kwargs)
    return ours.double(), theirs


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("shape", "options"), CE_CASES)
def test_cross_entropy_class_targets_match_torch(shape: tuple[int, ...], options: dict,
                                                  reduction: str) -> None:
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    target_shape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    ignore = options.get("ignore_index")
    logits, target = rng.standard_normal(shape) * 2, _classes(target_shape, n_classes, ignore)
    ours, theirs = _ce_modules(options, reduction, n_classes)
    compare(ours, theirs, logits, target)
    check_gradients(ours, logits, target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"label_smoothing": 0.15},
                                     {"weight": True, "label_smoothing": 0.1}])
@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3)])
def test_cross_entropy_probability_targets_match_torch(shape: tuple[int, ...], options: dict,
                                                       reduction: str) -> None:
    logits = rng.standard_normal(shape) * 2
    raw = rng.uniform(0.1, 1.0, shape)
    target = raw / raw.sum(axis=1, keepdims=True)
    ours, theirs = _ce_modules(options, reduction, shape[1])
    compare(ours, theirs, logits, target, target_grad=True)
    check_gradients(ours, logits[:2], target[:2], target_grad=True)


def test_cross_entropy_gradient_is_softmax_minus_onehot() -> None:
    # the notes: dL/dz = p - y for softmax + cross-entropy
    logits = cr.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], dtype=cr.float64, requires_grad=True)
    nn.CrossEntropyLoss(reduction="sum")(logits, cr.tensor([1, 2])).backward()
    p = np.exp(logits.data) / np.exp(logits.data).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(logits.grad.data, p - np.array([[0, 1, 0], [0, 0, 1]]), rtol=1e-12)


def test_cross_entropy_mean_with_weights_divides_by_the_target_weights() -> None:
    logits = cr.zeros(3, 2, dtype=cr.float64)  # every sample's loss is ln 2
    weight = cr.tensor([1.0, 3.0], dtype=cr.float64)
    loss = nn.CrossEntropyLoss(weight=weight)(logits, cr.tensor([0, 1, 1]))
    # (1 ln2 + 3 ln2 + 3 ln2) / (1 + 3 + 3) = ln 2
    assert loss.item() == pytest.approx(np.log(2), rel=1e-12)
    everything_ignored = nn.CrossEntropyLoss(ignore_index=0)(logits, cr.tensor([0, 0, 0]))
    assert np.isnan(everything_ignored.item())  # 0 / 0, as in PyTorch


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("shape", "options"), [((5, 4), {}), ((5, 4), {"weight": True, "ignore_index": 3}),
                                                ((2, 4, 3), {"weight": True}), ((4,), {})])
def test_nll_loss_matches_torch(shape: tuple[int, ...], options: dict, reduction: str) -> None:
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    target = _classes(shape[:1] + shape[2:] if len(shape) > 1 else (), n_classes, options.get("ignore_index"))
    weight = rng.uniform(0.5, 2.0, n_classes) if options.get("weight") else None
    ignore = options.get("ignore_index", -100)
    ours = nn.NLLLoss(weight=None if weight is None else cr.tensor(weight), ignore_index=ignore,
                      reduction=reduction).double()
    theirs = torch.nn.NLLLoss(weight=None if weight is None else torch.tensor(weight), ignore_index=ignore,
                              reduction=reduction)
    log_probs = rng.standard_normal(shape)
    compare(ours, theirs, log_probs, target)
    check_gradients(ours, log_probs, target)


def test_nll_of_log_softmax_equals_cross_entropy() -> None:
    logits, target = cr.randn(6, 3, dtype=cr.float64), cr.tensor([0, 1, 2, 2, 1, 0])
    nll = nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), target)
    assert nll.item() == pytest.approx(nn.CrossEntropyLoss()(logits, target).item(), rel=1e-12)


# -- numerics -------------------------------------------------------------------------------------------
def test_losses_on_logits_of_plus_minus_1e4_are_finite_without_warnings() -> None:
    # any overflow, division by zero or invalid value fails the test, and so does any warning
    with np.errstate(over="raise", divide="raise", invalid="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        logits = cr.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], requires_grad=True)
        ce = nn.CrossEntropyLoss(reduction="none")(logits, cr.tensor([1, 0]))
        # logsumexp - z_t, shifted by the max: 1e4 - (-1e4), and 1e4 + ln 2 - (-1e4)
        assert ce.tolist() == pytest.approx([2e4, 2e4 + np.log(2)], rel=1e-7)
        ce.sum().backward()
        assert np.all(np.isfinite(logits.grad.data))
        logits.grad = None
        probs = cr.tensor([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]])
        soft = nn.CrossEntropyLoss(label_smoothing=0.1)(logits, probs)
        soft.backward()
        assert np.isfinite(soft.item()) and np.all(np.isfinite(logits.grad.data))

        z = cr.tensor([1e4, -1e4, 1e4, -1e4], requires_grad=True)
        y = cr.tensor([0.0, 0.0, 1.0, 1.0])
        bce = nn.BCEWithLogitsLoss(reduction="none", pos_weight=cr.tensor(2.0))(z, y)
        assert bce.tolist() == [1e4, 0.0, 0.0, 2e4]
        bce.sum().backward()
        assert z.grad.tolist() == [1.0, 0.0, 0.0, -2.0]


def test_float32_stays_float32_and_numpy_targets_are_cast() -> None:
    x = cr.randn(4, 3, requires_grad=True)
    target64 = np.random.default_rng(0).uniform(0, 1, (4, 3))  # float64, as NumPy makes it
    for loss in [nn.MSELoss(), nn.L1Loss(), nn.HuberLoss(), nn.BCEWithLogitsLoss(), nn.CrossEntropyLoss()]:
        x.grad = None
        out = loss(x, cr.tensor(target64)) if not isinstance(loss, nn.CrossEntropyLoss) \
            else loss(x, cr.tensor([0, 1, 2, 0]))
        out.backward()
        assert out.dtype == cr.float32 and x.grad.dtype == cr.float32, repr(loss)
    assert nn.MSELoss()(x, target64).dtype == cr.float32


def test_weight_is_a_buffer_as_in_torch() -> None:
    ours = nn.CrossEntropyLoss(weight=cr.tensor([1.0, 2.0]))
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0]))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert ours.double().weight.dtype == cr.float64
    assert list(nn.BCEWithLogitsLoss(pos_weight=cr.tensor([2.0])).state_dict()) == ["pos_weight"]
    assert repr(ours) == "CrossEntropyLoss()"


# -- errors ---------------------------------------------------------------------------------------------
def test_invalid_reduction_lists_the_valid_ones() -> None:
    # As in PyTorch, a module stores its arguments and nn.functional checks them on the first call.
    with pytest.raises(ValueError, match="'average' is not a valid value for reduction; valid values are "
                                         "'mean', 'sum', 'none'"):
        nn.MSELoss(reduction="average")(cr.randn(2), cr.randn(2))
    with pytest.raises(ValueError, match="valid values"):
        nn.functional.cross_entropy(cr.randn(2, 3), cr.tensor([0, 1]), reduction="avg")


def test_shape_mismatch_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"input has shape \(32, 1\) but target has shape \(32,\).*reshape"):
        nn.MSELoss()(cr.randn(32, 1), cr.randn(32))
    with pytest.raises(ValueError, match=r"input has shape \(4, 3\) but target has shape \(4, 2\)"):
        nn.BCEWithLogitsLoss()(cr.randn(4, 3), cr.randn(4, 2))
    with pytest.raises(ValueError, match=r"class-index targets must have shape \(4,\), got \(4, 1\)"):
        nn.CrossEntropyLoss()(cr.randn(4, 3), cr.tensor([[0], [1], [2], [0]]))
    with pytest.raises(ValueError, match=r"integer class indices.*use target.long\(\)"):
        nn.CrossEntropyLoss()(cr.randn(4, 3), cr.tensor([0.0, 1.0, 2.0, 0.0]))
    with pytest.raises(ValueError, match=r"cannot be broadcast to the input's shape"):
        nn.BCELoss(weight=cr.ones(5))(cr.rand(4, 3), cr.rand(4, 3))


def test_cross_entropy_argument_errors() -> None:
    with pytest.raises(IndexError, match="target 3 is out of bounds: with 3 classes the valid class indices "
                                         "are 0 to 2"):
        nn.CrossEntropyLoss()(cr.randn(2, 3), cr.tensor([0, 3]))
    with pytest.raises(ValueError, match=r"one value per class, shape \(3,\)"):
        nn.CrossEntropyLoss(weight=cr.ones(2))(cr.randn(2, 3), cr.tensor([0, 1]))
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0, got 1.5"):
        nn.CrossEntropyLoss(label_smoothing=1.5)(cr.randn(2, 3), cr.tensor([0, 1]))
    with pytest.raises(TypeError, match="integer class indices"):
        nn.NLLLoss()(cr.randn(2, 3), cr.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="huber_loss: delta must be positive"):
        nn.HuberLoss(delta=0.0)(cr.randn(2), cr.randn(2))
