"""``chainrule train --diagnose``: the per-layer report after training; when training diverges, the
starting network's report and the layer whose gradients blew up, and nothing saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainrule.cli import main


def test_the_report_follows_a_healthy_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["train", "--dataset", "moons", "--epochs", "3", "--diagnose", "--quiet",
                 "--out", str(tmp_path / "m.safetensors"), "--plot", str(tmp_path / "b.png")])
    out = capsys.readouterr().out
    assert code == 0
    after = out.split("diagnosis of the trained network:\n", 1)[1]
    assert after.splitlines()[0].split()[:3] == ["layer", "type", "units"]
    assert [line.split()[1] for line in after.splitlines()[1:6]] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert "no problems found" in after
    assert (tmp_path / "m.safetensors").exists()


def test_a_diverging_run_names_the_layer_and_shows_the_starting_report(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["train", "--dataset", "moons", "--epochs", "30", "--optimizer", "sgd", "--lr", "20",
                 "--diagnose", "--quiet", "--out", str(tmp_path / "m.safetensors")])
    captured = capsys.readouterr()
    assert code != 0
    assert "diagnosis of the starting network:" in captured.out
    assert "- learning_rate in layer" in captured.out and "Try a smaller learning rate (e.g. lr=2)" in captured.out
    assert "training diverged at epoch 1/30, batch" in captured.err
    assert "in layer '" in captured.err
    assert not (tmp_path / "m.safetensors").exists()
