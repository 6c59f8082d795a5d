"""Every op of the autograd op table (tests/autograd/test_autograd_ops.py), the losses and the layers run on
the stand-in GPU, whose arrays refuse any silent conversion to NumPy: value and every input's gradient
equal the CPU's (float64) on the same random numbers. A stray ``np.`` call in an op's forward or backward
fails here."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F  # noqa: N812 - PyTorch's alias

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "autograd"))
from autograd_helpers import first, random_inputs  # noqa: E402
from test_autograd_ops import CASES  # noqa: E402

pytestmark = pytest.mark.usefixtures("cuda")

TARGET_3 = np.array([2, 0, 1])
PROBS_3x4 = np.full((3, 4), 0.25)
BINARY_3x4 = (np.arange(12).reshape(3, 4) % 3 == 0).astype(float)

# Losses and layer functions on top of the op table: (id, fn(lib, *tensors), input shapes, domain).
EXTRA: list[tuple[str, Callable[..., Any], tuple[tuple[int, ...], ...], str]] = [
    ("mse_loss", lambda lib, x, y: F.mse_loss(x, y), ((3, 4), (3, 4)), "real"),
    ("l1_loss_sum", lambda lib, x, y: F.l1_loss(x, y, reduction="sum"), ((3, 4), (3, 4)), "real"),
    ("huber_loss", lambda lib, x, y: F.huber_loss(x, y, delta=0.5), ((3, 4), (3, 4)), "real"),
    ("bce", lambda lib, p: F.binary_cross_entropy(p, lib.tensor(BINARY_3x4)), ((3, 4),), "unit01"),
    ("bce_with_logits_weights", lambda lib, z: F.binary_cross_entropy_with_logits(
        z, lib.tensor(BINARY_3x4), weight=lib.tensor([1.0, 2.0, 0.5, 1.0]), pos_weight=lib.tensor(2.0)),
     ((3, 4),), "real"),
    ("cross_entropy", lambda lib, z: F.cross_entropy(z, lib.tensor(TARGET_3)), ((3, 4),), "real"),
    ("cross_entropy_weight_ignore_smooth", lambda lib, z: F.cross_entropy(
        z, lib.tensor([2, -100, 1]), weight=lib.tensor([1.0, 2.0, 0.5, 1.0]), label_smoothing=0.1),
     ((3, 4),), "real"),
    ("cross_entropy_probabilities", lambda lib, z: F.cross_entropy(z, lib.tensor(PROBS_3x4)), ((3, 4),), "real"),
    ("cross_entropy_none_4d", lambda lib, z: F.cross_entropy(z, lib.tensor(np.zeros((2, 3, 2), dtype=np.int64)),
                                                             reduction="none"), ((2, 4, 3, 2),), "real"),
    ("nll_loss", lambda lib, z: F.nll_loss(F.log_softmax(z, dim=1), lib.tensor(TARGET_3)), ((3, 4),), "real"),
    ("linear", lambda lib, x, w, b: F.linear(x, w, b), ((4, 3), (2, 3), (2,)), "real"),
    ("dropout_seeded", lambda lib, x: (cr.manual_seed(0), F.dropout(x, 0.3))[1], ((4, 5),), "real"),
    ("one_hot_times", lambda lib, x: x * F.one_hot(lib.tensor([0, 2, 1]), 3), ((3, 3),), "real"),
    ("gather", lambda lib, x: x.gather(1, lib.tensor([[0, 0], [2, 1], [1, 1]])), ((3, 3),), "real"),
    ("topk", lambda lib, x: x.topk(2, dim=1)[0], ((3, 4),), "real"),
    ("prod_dim", lambda lib, x: x.prod(dim=1), ((3, 4),), "real"),
    ("prod_all", lambda lib, x: x.prod(), ((2, 3),), "real"),
    ("cumsum", lambda lib, x: x.cumsum(1), ((3, 4),), "real"),
    ("masked_fill", lambda lib, x: x.masked_fill(lib.tensor(np.eye(3, dtype=bool)), 0.0), ((3, 3),), "real"),
    ("norm", lambda lib, x: x.norm(), ((3, 4),), "real"),
    ("clone_cast", lambda lib, x: x.clone().float().double() * 2, ((3,),), "real"),
    ("comparisons", lambda lib, x: x * (x > 0) + x * (x <= 0.5), ((3, 4),), "real"),
]


def _inputs(shapes: Any, domain: str, seed: int) -> list[np.ndarray]:
    if domain == "unit01":
        return [np.random.default_rng(seed).uniform(0.05, 0.95, size=s) for s in shapes]
    return random_inputs(shapes, domain, seed)


def run_on(device: str, fn: Callable[..., Any], arrays: list[np.ndarray]) -> tuple[np.ndarray, list[Any]]:
    """fn on float64 tensors made on ``device`` (the default device too, so ``lib.tensor`` inside ``fn``
    lands there); the value and the input gradients, copied to the host."""
    cr.set_default_device(device)
    try:
        inputs = [cr.tensor(a, dtype=cr.float64, requires_grad=True) for a in arrays]
        out = first(fn(cr, *inputs))
        assert out.device.type == cr.device(device).type, f"result on {out.device}, expected {device}"
        upstream = cr.tensor(np.random.default_rng(1).standard_normal(out.shape), dtype=cr.float64)
        if out.requires_grad:
            out.backward(upstream)
        grads = [None if t.grad is None else t.grad.cpu().numpy() for t in inputs]
        for t in inputs:
            assert t.grad is None or t.grad.device == t.device
        return out.detach().cpu().numpy(), grads
    finally:
        cr.set_default_device(None)


def assert_same_on_gpu(fn: Callable[..., Any], arrays: list[np.ndarray]) -> None:
    value_cpu, grads_cpu = run_on("cpu", fn, arrays)
    value_gpu, grads_gpu = run_on("cuda", fn, arrays)
    np.testing.assert_allclose(value_gpu, value_cpu, rtol=1e-12, atol=1e-14)
    for gpu, cpu in zip(grads_gpu, grads_cpu, strict=True):
        assert (gpu is None) == (cpu is None)
        if cpu is not None:
            np.testing.assert_allclose(gpu, cpu, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_op_table_on_gpu(case: Any) -> None:
    assert_same_on_gpu(case.fn, random_inputs(case.shapes, case.domain, seed=len(case.id) + 5))


@pytest.mark.parametrize("name, fn, shapes, domain", EXTRA, ids=[e[0] for e in EXTRA])
def test_losses_and_layers_on_gpu(name: str, fn: Callable[..., Any], shapes: Any, domain: str) -> None:
    assert_same_on_gpu(fn, _inputs(shapes, domain, seed=len(name)))


def test_the_stand_in_catches_a_stray_numpy_call() -> None:
    """The guard itself: a NumPy call on a stand-in array raises instead of computing on the host."""
    t = cr.ones(3, device="cuda")
    with pytest.raises(TypeError):
        np.exp(t.data)
    with pytest.raises(TypeError):
        np.sum(t.data)
    with pytest.raises(TypeError):
        t.data + np.ones(3)
