"""Shared helpers for the nn tests: build the same network in chainrule and PyTorch (float64, same
weights copied across through state_dict), and compare values and gradients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

import chainrule as cr

# The parity bar: float64 values and gradients equal to PyTorch's to ~1e-10 relative.
RTOL = 1e-10
ATOL = 1e-12


def copy_weights_to_torch(ours: cr.nn.Module, theirs: torch.nn.Module) -> None:
    """Load chainrule's state_dict into the torch module (the keys must be the same)."""
    state = {key: torch.tensor(value.numpy().copy()) for key, value in ours.state_dict().items()}
    theirs.load_state_dict(state)


def torch_grads(module: torch.nn.Module) -> dict[str, np.ndarray]:
    return {name: p.grad.numpy() for name, p in module.named_parameters() if p.grad is not None}


def our_grads(module: cr.nn.Module) -> dict[str, np.ndarray]:
    return {name: p.grad.numpy() for name, p in module.named_parameters() if p.grad is not None}


def assert_close(ours: Any, theirs: Any, rtol: float = RTOL, atol: float = ATOL, what: str = "") -> None:
    ours_array = ours.detach().numpy() if isinstance(ours, cr.Tensor) else np.asarray(ours)
    theirs_array = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert ours_array.shape == theirs_array.shape, \
        f"{what}: shape {ours_array.shape} vs torch {theirs_array.shape}"
    np.testing.assert_allclose(ours_array, theirs_array, rtol=rtol, atol=atol, err_msg=what)


def both_tensors(array: np.ndarray, requires_grad: bool = True) -> tuple[cr.Tensor, torch.Tensor]:
    """The same float64 array as a chainrule and a torch tensor (leaves)."""
    return (cr.tensor(array, dtype=cr.float64, requires_grad=requires_grad),
            torch.tensor(array, dtype=torch.float64, requires_grad=requires_grad))


def assert_module_parity(ours: cr.nn.Module, theirs: torch.nn.Module, input_shape: Sequence[int],
                         seed: int = 0) -> None:
    """Same weights, same input, same upstream gradient: outputs, input gradients and every parameter's
    gradient agree."""
    ours.double()
    theirs.double()
    copy_weights_to_torch(ours, theirs)
    rng = np.random.default_rng(seed)
    x_ours, x_theirs = both_tensors(rng.standard_normal(tuple(input_shape)))
    out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
    assert_close(out_ours, out_theirs, what="output")
    upstream = rng.standard_normal(tuple(out_theirs.shape))
    out_ours.backward(cr.tensor(upstream))
    out_theirs.backward(torch.tensor(upstream))
    assert_close(x_ours.grad, x_theirs.grad, what="input gradient")
    theirs_grads = torch_grads(theirs)
    assert set(our_grads(ours)) == set(theirs_grads)
    for name, grad in our_grads(ours).items():
        assert_close(grad, theirs_grads[name], what=f"gradient of {name}")
