"""Shared helpers for the autograd tests: run one computation in chainrule and in PyTorch (float64)
on the same numbers, and compare values and every input's gradient."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

import chainrule as cr

# Parity bar of the issue: float64 values and gradients equal to PyTorch's to 1e-10 relative.
RTOL = 1e-10
ATOL = 1e-12


def first(out: Any) -> Any:
    """``max(dim)`` returns (values, indices) in both libraries; the values are what we differentiate."""
    return out[0] if isinstance(out, tuple) else out


def run_both(fn: Callable[..., Any], arrays: Sequence[np.ndarray], torch_fn: Callable[..., Any] | None = None,
             upstream_seed: int = 0) -> tuple[Any, Any, list[Any], list[Any]]:
    """Apply ``fn(cr, *tensors)`` and ``(torch_fn or fn)(torch, *tensors)`` to float64 copies of ``arrays``,
    backpropagate the same random upstream gradient through both, and return
    (chainrule output, torch output, chainrule input grads, torch input grads)."""
    torch_fn = torch_fn or fn
    cr_inputs = [cr.tensor(a, dtype=cr.float64, requires_grad=True) for a in arrays]
    torch_inputs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    cr_out = first(fn(cr, *cr_inputs))
    torch_out = first(torch_fn(torch, *torch_inputs))
    upstream = np.random.default_rng(upstream_seed).standard_normal(tuple(torch_out.shape))
    cr_out.backward(cr.tensor(upstream, dtype=cr.float64))
    torch_out.backward(torch.tensor(upstream, dtype=torch.float64))
    cr_grads = [None if t.grad is None else t.grad.numpy() for t in cr_inputs]
    torch_grads = [None if t.grad is None else t.grad.numpy() for t in torch_inputs]
    return cr_out, torch_out, cr_grads, torch_grads


def assert_parity(fn: Callable[..., Any], arrays: Sequence[np.ndarray], torch_fn: Callable[..., Any] | None = None,
                  rtol: float = RTOL, atol: float = ATOL) -> None:
    """Values, shapes, dtypes and gradients of ``fn`` agree with PyTorch's."""
    cr_out, torch_out, cr_grads, torch_grads = run_both(fn, arrays, torch_fn)
    assert cr_out.shape == tuple(torch_out.shape)
    assert cr_out.dtype == cr.float64
    np.testing.assert_allclose(cr_out.detach().numpy(), torch_out.detach().numpy(), rtol=rtol, atol=atol)
    for i, (ours, theirs) in enumerate(zip(cr_grads, torch_grads, strict=True)):
        assert (ours is None) == (theirs is None), f"input {i}: gradient presence differs from torch"
        if theirs is not None:
            assert ours.shape == theirs.shape, f"input {i}: gradient shape {ours.shape} vs torch {theirs.shape}"
            np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}")


def random_inputs(shapes: Sequence[tuple[int, ...]], domain: str, seed: int) -> list[np.ndarray]:
    """Random float64 arrays of ``shapes``: ``domain`` 'real' (standard normal), 'positive' (0.5 to 2.5,
    for log, sqrt, powers and denominators) or 'unit' (-0.9 to 0.9)."""
    rng = np.random.default_rng(seed)
    out = []
    for shape in shapes:
        if domain == "positive":
            out.append(rng.uniform(0.5, 2.5, size=shape))
        elif domain == "unit":
            out.append(rng.uniform(-0.9, 0.9, size=shape))
        else:
            out.append(rng.standard_normal(size=shape))
    return out
