"""Checkpoints that survive a kill: SIGKILL or Ctrl-C mid-training, then --resume, ends with exactly
(bit for bit) the weights of a run that was never interrupted."""

from __future__ import annotations

import os
import re
import shlex
import signal
import time

import pytest
from cli_helpers import classification_csv, error_lines, run, start

import chainrule as cr
from chainrule.cli import main
from chainrule.io import ModelFileError, load_checkpoint

EPOCHS = 150
# Small batches so that an epoch takes a moment and a kill lands mid-run. Adam's moments, the cosine
# schedule and early stopping's counters (it stops this run early) all have to survive the kill.
TRAIN = ["train", "--data", "d.csv", "--target", "species", "--hidden", "16", "--batch-size", "4",
         "--epochs", str(EPOCHS), "--optimizer", "adam", "--scheduler", "cosine", "--early-stopping", "40",
         "--lr", "0.01", "--weight-decay", "0", "--seed", "11", "--quiet"]


def weights(path) -> dict[str, bytes]:
    return {name: tensor.numpy().tobytes() for name, tensor in cr.load_state_dict(path).items()}


def checkpoint_epoch(directory) -> int:
    """Epochs in the checkpoint now (0 if none yet); the file is replaced atomically, so reading is safe."""
    try:
        return load_checkpoint(directory / "checkpoint.safetensors").epoch
    except ModelFileError:
        return 0


def wait_for_epoch(process, directory, epoch: int) -> int:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        done = checkpoint_epoch(directory)
        if done >= epoch:
            return done
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)
    raise AssertionError("no checkpoint appeared")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("resume")
    classification_csv(directory / "d.csv", n=100)
    result = run(*TRAIN, "--out", "unbroken.safetensors", cwd=directory)
    assert result.returncode == 0, result.stderr
    assert int(re.search(r"trained (\d+) epochs", result.stdout).group(1)) < EPOCHS   # early stopping stopped it
    return directory


def test_sigkill_twice_then_resume_gives_the_same_weights(workdir, monkeypatch, capsys) -> None:
    command = [*TRAIN, "--out", "killed.safetensors", "--checkpoint-dir", "ckpt-kill"]
    first = start(*command, cwd=workdir)
    reached = wait_for_epoch(first, workdir / "ckpt-kill", 1)
    first.kill()                                         # SIGKILL: no chance to clean up
    first.communicate()
    assert reached < EPOCHS and not (workdir / "killed.safetensors").exists()

    monkeypatch.chdir(workdir)   # the same command without --resume must not overwrite the checkpoint
    assert main(command) == 2
    assert "checkpoint of an unfinished run" in capsys.readouterr().err

    second = start(*command, "--resume", cwd=workdir)
    wait_for_epoch(second, workdir / "ckpt-kill", reached + 3)
    second.kill()
    second.communicate()
    assert checkpoint_epoch(workdir / "ckpt-kill") < EPOCHS

    final = run(*command, "--resume", cwd=workdir)
    assert final.returncode == 0, final.stderr
    assert weights(workdir / "killed.safetensors") == weights(workdir / "unbroken.safetensors")


def test_ctrl_c_saves_says_how_to_resume_and_resuming_finishes_the_run(workdir) -> None:
    command = [*TRAIN, "--out", "stopped.safetensors", "--checkpoint-dir", "ckpt-int"]
    process = start(*command, cwd=workdir)
    wait_for_epoch(process, workdir / "ckpt-int", 2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    stopped_at = checkpoint_epoch(workdir / "ckpt-int")
    assert 2 <= stopped_at < EPOCHS
    assert f"interrupted after epoch {stopped_at}/{EPOCHS}; checkpoint saved in ckpt-int" in stderr
    advice = [line for line in stderr.splitlines() if "resume with:" in line]
    assert len(advice) == 1 and advice[0].endswith("--resume")
    # The command it prints is the one to run (less the program name).
    resumed = run(*shlex.split(advice[0].split("resume with: ", 1)[1])[1:], cwd=workdir)
    assert resumed.returncode == 0, resumed.stderr
    assert weights(workdir / "stopped.safetensors") == weights(workdir / "unbroken.safetensors")


def test_resume_refuses_a_checkpoint_made_with_other_settings(workdir) -> None:
    command = [*TRAIN, "--epochs", "3", "--out", "short.safetensors", "--checkpoint-dir", "ckpt-short"]
    process = start(*command, cwd=workdir)
    process.communicate(timeout=60)
    assert process.returncode == 0
    changed = run(*command, "--lr", "0.5", "--resume", cwd=workdir)
    lines = error_lines(changed)
    assert "different settings (--lr 0.01)" in lines[0] and "same command" in lines[1]
    again = run(*command, "--lr", "0.5", cwd=workdir)   # a finished run's checkpoint may be replaced
    assert again.returncode == 0, again.stderr
    assert load_checkpoint(workdir / "ckpt-short" / "checkpoint.safetensors").metadata["run"]["lr"] == 0.5


def test_resume_without_a_checkpoint_starts_from_the_beginning(tmp_path, monkeypatch, capsys) -> None:
    classification_csv(tmp_path / "d.csv", n=40)
    monkeypatch.chdir(tmp_path)
    short = ["train", "--data", "d.csv", "--target", "species", "--hidden", "4", "--epochs", "3", "--seed", "2"]
    assert main([*short, "--quiet", "--out", "plain.safetensors"]) == 0
    assert main([*short, "--out", "resumed.safetensors", "--checkpoint-dir", "new", "--resume"]) == 0
    assert "no checkpoint in new yet: starting from the beginning" in capsys.readouterr().out
    assert weights(tmp_path / "resumed.safetensors") == weights(tmp_path / "plain.safetensors")
    # resuming a finished run trains no further and saves the same model again
    assert main([*short, "--quiet", "--out", "again.safetensors", "--checkpoint-dir", "new", "--resume"]) == 0
    assert weights(tmp_path / "again.safetensors") == weights(tmp_path / "plain.safetensors")


KILL_ON_THIRD_RENAME = """
import os, signal, sys
from chainrule.io import atomic
from chainrule.cli import main
calls = []
real_replace = os.replace
def replace(source, target):
    calls.append(target)
    if len(calls) == 3:   # the third checkpoint is written and fsync'ed but not yet renamed: die here
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(source, target)
atomic.os.replace = replace
sys.exit(main(sys.argv[1:]))
"""


def test_sigkill_during_a_checkpoint_write_then_resume(tmp_path, monkeypatch) -> None:
    import subprocess
    import sys

    from cli_helpers import environment

    classification_csv(tmp_path / "d.csv", n=40)
    monkeypatch.chdir(tmp_path)
    command = ["train", "--data", "d.csv", "--target", "species", "--hidden", "4", "--epochs", "6", "--seed", "3",
               "--optimizer", "sgd", "--momentum", "0.9", "--scheduler", "step", "--quiet"]
    assert main([*command, "--out", "plain.safetensors"]) == 0
    killed = subprocess.run([sys.executable, "-c", KILL_ON_THIRD_RENAME, *command, "--out", "k.safetensors",
                             "--checkpoint-dir", "ck"], cwd=tmp_path, capture_output=True, env=environment())
    assert killed.returncode == -signal.SIGKILL
    leftovers = sorted(os.listdir(tmp_path / "ck"))
    assert leftovers[0].startswith(".checkpoint.safetensors.") and leftovers[1] == "checkpoint.safetensors"
    assert load_checkpoint(tmp_path / "ck" / "checkpoint.safetensors").epoch == 2   # the old file, whole
    assert main([*command, "--out", "k.safetensors", "--checkpoint-dir", "ck", "--resume"]) == 0
    assert os.listdir(tmp_path / "ck") == ["checkpoint.safetensors"]                 # the temporary is gone
    assert weights(tmp_path / "k.safetensors") == weights(tmp_path / "plain.safetensors")
