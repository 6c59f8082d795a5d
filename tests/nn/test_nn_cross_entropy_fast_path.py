"""CrossEntropyLoss's common case (no class weights, no label smoothing, no ignored target) runs a
shorter path than the general one; both must give PyTorch's loss and gradient."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import chainrule as cr

rng = np.random.default_rng(11)
SHAPES = [((6, 4), (6,)), ((4,), ()), ((3, 4, 2, 2), (3, 2, 2))]


def _loss_and_grad(lib: Any, logits: np.ndarray, target: np.ndarray, upstream: np.ndarray,
                   **options: Any) -> tuple[np.ndarray, np.ndarray]:
    z = lib.tensor(logits, requires_grad=True)
    loss = lib.nn.CrossEntropyLoss(**options)(z, lib.tensor(target))
    loss.backward(lib.tensor(upstream))
    value = loss.detach().numpy() if lib is torch else loss.data
    return np.asarray(value), np.asarray(z.grad.numpy() if lib is torch else z.grad.data)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("shape", "target_shape"), SHAPES)
def test_plain_cross_entropy_matches_torch(shape: tuple[int, ...], target_shape: tuple[int, ...],
                                           reduction: str, dtype: type) -> None:
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    logits = (rng.standard_normal(shape) * 3).astype(dtype)
    target = rng.integers(0, n_classes, target_shape)
    upstream = rng.standard_normal(target_shape if reduction == "none" else ()).astype(dtype)
    ours = _loss_and_grad(cr, logits, target, upstream, reduction=reduction)
    theirs = _loss_and_grad(torch, logits, target, upstream, reduction=reduction)
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.dtype == dtype and mine.shape == reference.shape
        np.testing.assert_allclose(mine, reference, rtol=tolerance, atol=tolerance)


def test_plain_path_equals_the_general_path() -> None:
    logits, target = rng.standard_normal((8, 5)), rng.integers(0, 5, 8)
    upstream = np.array(1.0)
    plain = _loss_and_grad(cr, logits, target, upstream)
    # Class weights of 1 change nothing in the maths but take the general path.
    general = _loss_and_grad(cr, logits, target, upstream, weight=cr.ones(5, dtype=cr.float64))
    for a, b in zip(plain, general, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)


def test_a_batch_with_an_ignored_target_still_matches_torch() -> None:
    logits, target = rng.standard_normal((6, 4)), np.array([0, 3, -100, 1, 2, -100])
    ours = _loss_and_grad(cr, logits, target, np.array(1.0))
    theirs = _loss_and_grad(torch, logits, target, np.array(1.0))
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-12)
    assert np.all(ours[1][[2, 5]] == 0)


def test_large_logits_stay_finite() -> None:
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]], dtype=np.float32)
    loss, grad = _loss_and_grad(cr, logits, np.array([1, 1]), np.array(1.0, dtype=np.float32))
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    assert abs(float(loss) - 1e4) < 1  # the first row's loss is 2e4, the second's 0: mean 1e4
