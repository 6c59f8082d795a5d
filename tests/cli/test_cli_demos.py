"""``chainrule demo NAME``: each of the notes' demos prints the notes' numbers."""

from __future__ import annotations

import os

from cli_helpers import run

from chainrule.cli import main


def demo(name: str, capsys, *options: str) -> str:
    assert main(["demo", name, *options]) == 0
    return capsys.readouterr().out


def test_logic_gates_are_learned_except_xor(capsys) -> None:
    out = demo("logic-gates", capsys)
    for gate in ("AND", "OR", "NAND", "NOR", "NOT"):
        line = next(line for line in out.splitlines() if line.strip().startswith(gate + " "))
        assert "learned in" in line and "NOT learned" not in line
    assert "XOR   targets [0, 1, 1, 0]" in out and "NOT learned after 50 epochs" in out


def test_xor_hand_set_and_learned(capsys) -> None:
    out = demo("xor", capsys)
    assert " 0   1  |  1.00000  1" in out and " 1   1  |  0.00000  0" in out
    classes = [line.split("class ")[-1] for line in out.splitlines() if "P(y=1)" in line]
    assert classes == ["0", "1", "1", "0"]


def test_backprop_step_prints_the_notes_numbers(capsys) -> None:
    out = demo("backprop-step", capsys)
    for number in ("-0.04207, -0.29447", "-0.42068", "0.82103, 0.34724", "0.31034", "0.63551", "0.65374",
                   "0.42505"):
        assert number in out


def test_gradient_descent_converges_then_diverges(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = demo("gradient-descent", capsys, "--plot", "descent.png")
    assert "alpha = 0.3: x = 1, 0.4, 0.16, 0.064" in out and "converges" in out
    assert "alpha = 1.5: x = 1, -2, 4, -8" in out and "diverges" in out
    assert (tmp_path / "descent.png").read_bytes()[:4] == b"\x89PNG"


def test_polar_rings_become_separable(capsys) -> None:
    out = demo("polar-rings", capsys)
    assert "polar (r, theta)    accuracy 1.000  (linearly separable)" in out
    cartesian = float(out.split("cartesian (x1, x2)")[1].split("accuracy")[1].split()[0])
    assert cartesian < 0.8


def test_digits_mlp_learns(capsys) -> None:
    out = demo("digits", capsys, "--quiet")
    accuracy = float(out.split("test accuracy")[1].split()[0])
    assert accuracy > 0.9 and "4810 parameters" in out


def test_a_demo_runs_as_a_command(tmp_path) -> None:
    result = run("demo", "backprop-step", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0.42505" in result.stdout


def test_plot_is_refused_for_a_demo_without_a_figure_or_a_bad_path(capsys, tmp_path, monkeypatch) -> None:
    from chainrule.cli.demos import DEMOS, FIGURE_DEMOS

    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    for command, expected in ((["demo", "xor", "--plot", "x.png"], "the xor demo has no figure"),
                              (["demo", "polar-rings", "--plot", "folder"], "--plot 'folder' is a directory"),
                              (["demo", "gradient-descent", "--plot", "g.txt"], "does not end in a figure format")):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err.splitlines()[0].startswith("chainrule: error: ") and expected in err.splitlines()[0], err
    assert os.listdir(tmp_path) == ["folder"] and set(FIGURE_DEMOS) <= set(DEMOS)
