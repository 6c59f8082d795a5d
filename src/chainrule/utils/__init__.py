"""Utilities at PyTorch's paths: ``chainrule.utils.data`` (datasets, samplers, ``DataLoader``) and
``chainrule.utils.hooks`` (hook handles).

``data`` is imported on first use, so that the autograd engine can use ``chainrule.utils.hooks`` while
the tensor class that ``data`` needs is still being defined.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["data", "hooks"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return importlib.import_module(f"chainrule.utils.{name}")
    raise AttributeError(f"module 'chainrule.utils' has no attribute {name!r}")
