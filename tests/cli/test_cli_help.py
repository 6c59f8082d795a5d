"""The help a user reads: each demo with what it shows; train's defaults and examples."""

from __future__ import annotations

import re

import pytest

from chainrule.cli import main


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def test_demo_help_lists_every_demo_with_what_it_shows(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys, "demo")
    listed = text.split("demos:\n")[1].split("\n\n")[0]
    entries = {entry.split()[0]: " ".join(entry.split()[1:]) for entry in re.split(r"\n  (?=\S)", listed)}
    assert list(entries) == ["logic-gates", "xor", "backprop-step", "gradient-descent", "polar-rings", "digits"]
    for name, claim in [("logic-gates", "never settles on"), ("xor", "truth table"), ("backprop-step", "every number"),
                        ("gradient-descent", "alpha 0.3 converges"), ("polar-rings", "polar coordinates"),
                        ("digits", "handwritten digits")]:
        assert claim in entries[name], (name, entries[name])


def test_train_help_gives_defaults_and_two_examples(capsys: pytest.CaptureFixture[str]) -> None:
    text = " ".join(_help(capsys, "train").split())
    for default in ("(default relu)", "(default auto)", "(default adam)", "(default 0.003)", "(default 300;",
                    "(default 32)", "(default 0.001)", "(default constant)", "(default 0.2)",
                    "(default model.safetensors)", "(default: 64 32)", "(default 20; 0: off)"):
        assert default in text, default
    examples = text.split("examples:")[1]
    assert examples.count("chainrule train ") == 2
    assert "--data iris.csv --target species" in examples and "--dataset moons" in examples
