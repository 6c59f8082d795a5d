"""bench/gpu_check.py runs here on the stand-in GPU: it passes as it is, and fails (exit 1, naming the op)
when an op computes something else on the GPU."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chainrule.autograd import unary

pytestmark = pytest.mark.usefixtures("cuda")


def _gpu_check() -> Any:
    path = Path(__file__).resolve().parents[2] / "bench" / "gpu_check.py"
    spec = importlib.util.spec_from_file_location("gpu_check", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gpu_check_passes_on_the_stand_in(capsys: pytest.CaptureFixture[str]) -> None:
    assert _gpu_check().main(["--standin", "--steps", "1"]) == 0
    out = capsys.readouterr().out
    assert "ops: 174/174 agree with the CPU" in out and "samples/s" in out


def test_gpu_check_fails_on_a_wrong_gpu_op(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    original = unary.Exp.forward

    def wrong_on_gpu(self: Any, x: Any) -> Any:
        out = original(self, x)
        return out if type(x) is np.ndarray else out + 1e-6

    monkeypatch.setattr(unary.Exp, "forward", wrong_on_gpu)
    assert _gpu_check().main(["--standin", "--steps", "1"]) == 1
    assert "MISMATCH exp:" in capsys.readouterr().out
