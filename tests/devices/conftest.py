"""The stand-in GPU (``standin_cuda.py``) as a fixture: ``cuda`` registers it as the library behind
device ``"cuda"`` for one test and puts everything back afterwards (default device included)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import chainrule as cr
from chainrule import backend


@pytest.fixture
def cuda() -> Iterator[None]:
    from standin_cuda import BACKEND

    previous = backend.register_cuda(BACKEND)
    try:
        yield
    finally:
        cr.set_default_device(None)
        backend.register_cuda(previous)
