"""Class 6 of reliability, the edges: a --val-split that leaves nothing to train on, Ctrl-C while the
command starts, two trainings sharing a --checkpoint-dir (a lock), and a full disk (the message names
the file). Through ``main`` in this process, except where a real process is the point."""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from cli_helpers import classification_csv, environment, start

import chainrule.io.atomic as atomic
from chainrule.cli import main
from chainrule.cli.folder_lock import LOCK_NAME

FAST = ["--epochs", "1", "--hidden", "3", "--quiet"]


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    classification_csv(tmp_path / "good.csv", n=12)
    return tmp_path


# --val-split: name -> (split, words of the error or None when training must succeed), on 12 rows
SPLITS = {"0.95 of 12": ("0.95", "leaves no sample to train on"), "0.99 of 12": ("0.99", "leaves no sample"),
          "0.9 of 12 leaves one": ("0.9", None), "0.5": ("0.5", None), "0 (no validation)": ("0", None)}


@pytest.mark.parametrize("case", list(SPLITS))
def test_val_split_that_leaves_no_training_sample(folder, case, capsys) -> None:
    split, expected = SPLITS[case]
    code = main(["train", "--data", "good.csv", "--target", "species", "--val-split", split, *FAST])
    err = capsys.readouterr().err
    if expected is None:
        assert code == 0, err
    else:
        assert code == 2 and expected in err and "Traceback" not in err and "--val-split" in err


def test_a_val_split_error_trains_nothing(folder) -> None:
    assert main(["train", "--data", "good.csv", "--target", "species", "--val-split", "0.95", *FAST]) == 2
    assert not os.path.exists("model.safetensors")


CTRL_C_AT_START = ("import os, signal, sys, time; sys.argv[0] = {argv0!r}; import chainrule; "
                   "os.kill(os.getpid(), signal.SIGINT); time.sleep(5); print('not interrupted')")


def test_ctrl_c_while_the_command_starts_is_one_line_and_exit_130(tmp_path) -> None:
    # the signal arrives at the end of `import chainrule`, before main() runs, as in a real start-up
    result = subprocess.run([sys.executable, "-c", CTRL_C_AT_START.format(argv0="/usr/bin/chainrule")],
                            capture_output=True, text=True, timeout=60, env=environment(), cwd=tmp_path)
    assert result.returncode == 130
    assert result.stderr.strip() == "chainrule: interrupted while starting" and result.stdout == ""


def test_a_program_importing_chainrule_keeps_its_own_ctrl_c(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-c", CTRL_C_AT_START.format(argv0="myscript.py")],
                            capture_output=True, text=True, timeout=60, env=environment(), cwd=tmp_path)
    assert "KeyboardInterrupt" in result.stderr and "chainrule: interrupted" not in result.stderr


def test_main_hands_ctrl_c_back(monkeypatch) -> None:
    from chainrule import _startup

    signal.signal(signal.SIGINT, _startup.interrupted)
    try:
        assert main(["datasets"]) == 0
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# Locks found in --checkpoint-dir: name -> (lock file content or None for garbled, age in s, refused?)
LOCKS = {
    "held by a running process here": (lambda: {"pid": os.getpid(), "host": socket.gethostname()}, 0, True),
    "held by a process on another host": (lambda: {"pid": 1, "host": "elsewhere.example"}, 0, True),
    "left by a dead process here": (lambda: {"pid": dead_pid(), "host": socket.gethostname()}, 0, False),
    "garbled and old": (lambda: None, 60, False),
    "garbled and fresh (being written)": (lambda: None, 0, True),
}


@pytest.mark.parametrize("case", list(LOCKS))
def test_a_checkpoint_folder_lock(folder, case, capsys) -> None:
    record, age, refused = LOCKS[case]
    (folder / "ck").mkdir()
    lock = folder / "ck" / LOCK_NAME
    content = record()
    lock.write_text("{garbled" if content is None else json.dumps(content))
    os.utime(lock, (time.time() - age, time.time() - age))
    code = main(["train", "--data", "good.csv", "--target", "species", "--checkpoint-dir", "ck", *FAST])
    err = capsys.readouterr().err
    if refused:
        assert code == 2 and "--checkpoint-dir 'ck' is" in err and f"delete {os.path.join('ck', LOCK_NAME)}" in err
        assert lock.exists() and not (folder / "model.safetensors").exists()
    else:
        assert code == 0, err
        assert not lock.exists()   # taken over, then released


def test_two_trainings_in_one_checkpoint_folder(folder, capsys) -> None:
    first = start("train", "--data", "good.csv", "--target", "species", "--checkpoint-dir", "ck", "--epochs",
                  "100000", "--early-stopping", "0", "--quiet", "--out", "first.safetensors", cwd=folder)
    try:
        deadline = time.time() + 60
        while not (folder / "ck" / LOCK_NAME).exists() and time.time() < deadline:
            time.sleep(0.05)
        assert json.loads((folder / "ck" / LOCK_NAME).read_text())["pid"] == first.pid
        code = main(["train", "--data", "good.csv", "--target", "species", "--checkpoint-dir", "ck", *FAST])
        err = capsys.readouterr().err
        assert code == 2 and f"in use by another chainrule train (process {first.pid}" in err
    finally:
        first.send_signal(signal.SIGINT)   # stops at the end of the epoch, checkpoint kept, lock released
        first.communicate(timeout=60)
    assert first.returncode == 130 and not (folder / "ck" / LOCK_NAME).exists()


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


# A full disk: name -> (command, the file the message must name)
FULL = {
    "the model": (["train", "--data", "good.csv", "--target", "species", *FAST, "--out", "m.safetensors"],
                  "m.safetensors"),
    "a checkpoint": (["train", "--data", "good.csv", "--target", "species", *FAST, "--checkpoint-dir", "ck"],
                     os.path.join("ck", "checkpoint.safetensors")),
    "predictions": (["predict", "m.safetensors", "--data", "good.csv", "--out", "p.csv"], "p.csv"),
}


@pytest.mark.parametrize("case", list(FULL))
def test_a_full_disk_names_the_file(folder, case, capsys, monkeypatch) -> None:
    assert main(["train", "--data", "good.csv", "--target", "species", *FAST, "--out", "m.safetensors"]) == 0
    before = (folder / "m.safetensors").read_bytes()
    capsys.readouterr()
    command, named = FULL[case]
    monkeypatch.setattr(atomic.os, "fsync", no_space)
    code = main(command)
    err = capsys.readouterr().err
    assert code != 0 and "No space left on device" in err and named in err and "Traceback" not in err, err
    assert (folder / "m.safetensors").read_bytes() == before      # the old file is whole
    assert not [name for name in os.listdir(folder) if name.endswith(".tmp")]
