"""``chainrule train --device``: on the stand-in GPU (registered in this process, so the command runs
in-process through ``main``) the model file is the one a CPU run writes; without a GPU the command
stops before writing anything, with one line saying how to install the GPU extra."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chainrule import backend
from chainrule.cli import main
from chainrule.io import read_file


def _train(tmp_path: Path, device: str, *extra: str) -> Path:
    out = tmp_path / f"{device.replace(':', '')}.safetensors"
    code = main(["train", "--dataset", "moons", "--hidden", "8", "--epochs", "4", "--early-stopping", "2",
                 "--scheduler", "plateau", "--checkpoint-dir", str(tmp_path / f"ck-{device.replace(':', '')}"),
                 "--quiet", "--out", str(out), "--device", device, *extra])
    assert code == 0
    return out


def test_training_on_the_gpu_writes_the_cpu_model_file(cuda: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    cpu_file, gpu_file = _train(tmp_path, "cpu"), _train(tmp_path, "cuda")
    cpu_arrays, cpu_document = read_file(cpu_file)
    gpu_arrays, gpu_document = read_file(gpu_file)
    assert cpu_arrays.keys() == gpu_arrays.keys() and len(cpu_arrays) == 4
    for name, array in cpu_arrays.items():
        assert type(gpu_arrays[name]) is np.ndarray
        np.testing.assert_allclose(gpu_arrays[name], array, rtol=1e-12, atol=0)
    # The recorded history (train and validation losses per epoch) and final scores are the CPU run's too.
    cpu_run, gpu_run = ((document or {})["metadata"]["training"] for document in (cpu_document, gpu_document))
    assert len(cpu_run["history"]["val_loss"]) == 4
    assert (cpu_run["history"], cpu_run["final"]) == (gpu_run["history"], gpu_run["final"])
    assert "--device cuda" in gpu_run["command"]
    assert "Traceback" not in capsys.readouterr().err


def test_cuda_without_a_gpu_is_one_error_line_and_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    if backend.cuda_device_count() > 0:
        pytest.skip("this machine has a GPU")  # the CI machines have none; the message is for those
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--dataset", "moons", "--device", "cuda", "--quiet"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("chainrule: error: --device cuda: ")
    assert "no CUDA device was found" in lines[0] and "pip install 'chainrule[cuda12]'" in lines[0]
    assert list(tmp_path.iterdir()) == []  # no model, no plot


def test_a_bad_device_names_the_choices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--device", "tpu"]) == 2
    assert "--device must be cpu, cuda or cuda:N (N the GPU's index); got 'tpu'" in capsys.readouterr().err


def test_diagnose_on_a_gpu_is_refused_before_training(cuda: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--dataset", "moons", "--device", "cuda", "--diagnose", "--quiet"]) == 2
    assert "--diagnose works on the CPU only" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
