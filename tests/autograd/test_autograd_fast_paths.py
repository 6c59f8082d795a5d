"""The engine's fast paths give exactly what the plain formulas give: ReLU's bit-mask backward, the
3-pass sigmoid, and Linear's backward on 2-D and batched inputs."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.autograd.activation import keep_where, sigmoid_array

rng = np.random.default_rng(7)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_keep_where_is_np_where_bit_for_bit(dtype: type) -> None:
    grad = rng.standard_normal((6, 5)).astype(dtype)
    grad[0, :5] = [np.inf, -np.inf, np.nan, -1.0, -0.0]
    mask = rng.random((6, 5)) > 0.5
    mask[0, :5] = False
    ours, plain = keep_where(mask, grad), np.where(mask, grad, np.zeros((), dtype=dtype))
    assert ours.dtype == plain.dtype and ours.shape == plain.shape
    np.testing.assert_array_equal(ours.view(f"u{grad.itemsize}"), plain.view(f"u{grad.itemsize}"))
    assert not np.signbit(ours[~mask]).any()  # +0.0 where the mask is off, never -0.0 or nan


def test_keep_where_on_transposed_and_scalar_inputs() -> None:
    grad = rng.standard_normal((4, 3)).astype(np.float32).T
    mask = rng.random((4, 3)).T > 0.3
    np.testing.assert_array_equal(keep_where(mask, grad), np.where(mask, grad, np.float32(0)))
    assert keep_where(np.bool_(False), np.float32(2.0)) == 0.0
    assert keep_where(np.array(True), np.array(2.5, dtype=np.float32)) == 2.5


def test_relu_backward_zeroes_inf_and_nan_where_the_unit_is_off_like_torch() -> None:
    x = np.array([-1.0, 0.0, 2.0, -3.0, 4.0])
    upstream = np.array([np.inf, np.nan, 5.0, -7.0, np.nan])
    ours = cr.tensor(x, requires_grad=True)
    ours.relu().backward(cr.tensor(upstream))
    theirs = torch.tensor(x, requires_grad=True)
    theirs.relu().backward(torch.tensor(upstream))
    np.testing.assert_array_equal(ours.grad.data, theirs.grad.numpy())
    assert not np.signbit(ours.grad.data[[0, 1, 3]]).any()


@pytest.mark.parametrize(("dtype", "torch_dtype"), [(np.float32, torch.float32), (np.float64, torch.float64)])
def test_sigmoid_matches_torch_from_minus_to_plus_1e4_without_warnings(dtype: type, torch_dtype: Any) -> None:
    x = np.array([-1e4, -745.0, -104.0, -88.0, -20.0, -1.0, 0.0, 1e-8, 1.0, 20.0, 88.0, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = sigmoid_array(x)
        graph = cr.tensor(x, requires_grad=True)
        graph.sigmoid().sum().backward()
    assert ours.dtype == dtype
    theirs = torch.sigmoid(torch.tensor(x, dtype=torch_dtype)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=2e-7 if dtype == np.float32 else 1e-15, atol=0)
    assert np.all(np.isfinite(graph.grad.data))


def test_sigmoid_of_a_0d_array_is_a_number() -> None:
    assert abs(float(sigmoid_array(np.array(0.5, dtype=np.float32))) - 1 / (1 + np.exp(-0.5))) < 1e-7


@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3), (3,)])
def test_linear_backward_matches_torch_for_2d_batched_and_single_inputs(shape: tuple[int, ...]) -> None:
    x = rng.standard_normal(shape)
    w, b = rng.standard_normal((2, 3)), rng.standard_normal(2)
    upstream = rng.standard_normal((*shape[:-1], 2))
    ours = [cr.tensor(a, requires_grad=True) for a in (x, w, b)]
    cr.nn.functional.linear(*ours).backward(cr.tensor(upstream))
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    torch.nn.functional.linear(*theirs).backward(torch.tensor(upstream))
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine.grad.data, reference.grad.numpy(), rtol=1e-12, atol=1e-12)
