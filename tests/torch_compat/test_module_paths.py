"""PyTorch's module paths, reachable both by import and by attribute from ``import chainrule as torch``."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PATHS = {
    "nn.functional": ["relu", "linear", "mse_loss", "cross_entropy", "binary_cross_entropy_with_logits"],
    "nn.init": ["xavier_uniform_", "kaiming_normal_", "zeros_", "constant_"],
    "nn.utils": ["clip_grad_norm_"],
    "optim": ["SGD", "Adam"],
    "optim.lr_scheduler": ["StepLR"],
    "autograd": ["Function", "grad", "backward", "gradcheck", "Variable"],
}
UTILS_DATA = ["Dataset", "TensorDataset", "DataLoader", "random_split", "Subset", "default_collate"]


def _by_attribute(path: str) -> object:
    module = importlib.import_module("chainrule")
    for part in path.split("."):
        module = getattr(module, part)
    return module


@pytest.mark.parametrize("path", list(PATHS))
def test_paths_by_import_and_by_attribute(path: str) -> None:
    imported = importlib.import_module(f"chainrule.{path}")
    assert _by_attribute(path) is imported
    for name in PATHS[path]:
        assert callable(getattr(imported, name)), f"chainrule.{path}.{name}"


def test_utils_data_by_attribute_in_a_fresh_interpreter() -> None:
    """``torch.utils.data.DataLoader`` with nothing but ``import chainrule as torch`` (lazy attributes)."""
    code = f"import chainrule as torch; print(all(hasattr(torch.utils.data, n) for n in {UTILS_DATA!r}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
