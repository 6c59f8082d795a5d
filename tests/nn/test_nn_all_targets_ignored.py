"""When every target of a batch is ignored the mean loss is 0/0 = nan, as in PyTorch, but the logits'
gradient is 0 (an ignored row contributes nothing), not nan; a kept row whose class weight is 0 gives
nan, as in PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import chainrule as cr

CASES = [
    ("cross_entropy", {"ignore_index": 1}, [1, 1, 1]),
    ("cross_entropy", {"ignore_index": 1, "label_smoothing": 0.1}, [1, 1, 1]),
    ("cross_entropy", {"weight": [0.0, 1.0, 1.0]}, [0, 0, 0]),
    ("nll_loss", {"ignore_index": 2}, [2, 2, 2]),
    ("nll_loss", {"weight": [0.0, 1.0, 1.0]}, [0, 0, 0]),
]


@pytest.mark.parametrize(("name", "options", "targets"), CASES)
def test_gradient_matches_torch_when_nothing_counts(name: str, options: dict, targets: list[int]) -> None:
    logits = np.random.default_rng(0).normal(size=(3, 3))
    x = torch.tensor(logits, requires_grad=True)
    ours = cr.tensor(logits, requires_grad=True)
    torch_options = {k: torch.tensor(v, dtype=torch.float64) if k == "weight" else v for k, v in options.items()}
    our_options = {k: cr.tensor(v, dtype=cr.float64) if k == "weight" else v for k, v in options.items()}
    torch_input = x if name == "cross_entropy" else x.log_softmax(1)
    our_input = ours if name == "cross_entropy" else ours.log_softmax(1)
    getattr(torch.nn.functional, name)(torch_input, torch.tensor(targets), **torch_options).backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from 0/0 either
        loss = getattr(cr.nn.functional, name)(our_input, cr.tensor(targets), **our_options)
        loss.backward()
    assert np.isnan(loss.item())
    np.testing.assert_array_equal(ours.grad.numpy(), x.grad.numpy())
