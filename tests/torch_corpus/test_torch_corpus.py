"""The corpus: beginner PyTorch programs (p*.py, each written with ``import torch``), run unchanged twice
in this process, once with torch and once with chainrule standing in for it (sys.modules aliases: torch ->
chainrule, torch.nn -> chainrule.nn, ...), and every number they print compared (float64, 1e-7 relative).

Randomness is made equal by seeding weights from NumPy (corpus_weights.py) or setting them by hand.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import re
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROGRAMS = sorted(HERE.glob("p[0-9]*.py"))
# torch's module paths and where chainrule keeps them (the same names, one prefix changed)
ALIASED = ["torch", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.nn.utils", "torch.optim",
           "torch.optim.lr_scheduler", "torch.autograd", "torch.utils", "torch.utils.data"]
NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|True|False")


def _run(path: Path, library: str) -> str:
    """The program's printed output, with ``library`` importable as ``torch``."""
    saved = {name: sys.modules.get(name) for name in ALIASED}
    out = io.StringIO()
    sys.path.insert(0, str(HERE))
    try:
        if library == "chainrule":
            for name in ALIASED:
                target = "chainrule" + name[len("torch"):]
                parent = target.rsplit(".", 1)[0]
                if importlib.util.find_spec(parent) is None or importlib.util.find_spec(target) is None:
                    sys.modules.pop(name, None)  # not in chainrule (yet): the program's import fails plainly
                    continue
                sys.modules[name] = importlib.import_module(target)
        default = sys.modules["torch"].get_default_dtype()
        try:
            namespace = {"__name__": "__main__"}
            with contextlib.redirect_stdout(out):
                exec(compile(path.read_text(), str(path), "exec"), namespace)
            assert namespace["torch"].__name__ == library, f"{path.name} ran with {namespace['torch'].__name__}"
        finally:
            sys.modules["torch"].set_default_dtype(default)
    finally:
        sys.path.remove(str(HERE))
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    return out.getvalue()


def _numbers(text: str) -> list[float]:
    return [float(token == "True") if token in ("True", "False") else float(token) for token in NUMBER.findall(text)]


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_prints_the_same_numbers_as_with_torch(path: Path) -> None:
    import torch  # noqa: F401  (the reference run)

    expected = _run(path, "torch")
    assert not re.search(r"\bnan\b|\binf\b", expected), f"{path.name} diverges under torch: fix the program"
    got = _run(path, "chainrule")
    assert expected.count("\n") == got.count("\n"), f"torch printed:\n{expected}\nchainrule printed:\n{got}"
    want, have = _numbers(expected), _numbers(got)
    assert len(want) == len(have), f"torch printed:\n{expected}\nchainrule printed:\n{got}"
    assert have == pytest.approx(want, rel=1e-7, abs=1e-9), f"torch printed:\n{expected}\nchainrule printed:\n{got}"


def test_corpus_size() -> None:
    assert len(PROGRAMS) >= 25
