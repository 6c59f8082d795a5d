"""chainrule's one source of randomness.

Every random draw in chainrule (``cr.randn``, weight initialisation, shuffling, dropout, toy data
without an explicit seed) comes from one NumPy ``Generator``; ``cr.manual_seed(n)`` replaces it, so the
same seed always gives the same numbers. ``get_rng_state``/``set_rng_state`` save and restore it
(checkpoints use them to resume a run exactly).
"""

from __future__ import annotations

from typing import Any

import numpy as np


class _Source:
    generator: np.random.Generator = np.random.default_rng()
    seed: int | None = None


_source = _Source()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every random draw in chainrule; returns the new generator."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed expects an integer, got {seed!r} of type {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"manual_seed expects a non-negative integer, got {seed}")
    _source.generator = np.random.default_rng(int(seed))
    _source.seed = int(seed)
    return _source.generator


def initial_seed() -> int | None:
    """The seed last given to ``manual_seed`` (None if never called)."""
    return _source.seed


def default_generator() -> np.random.Generator:
    """The generator every chainrule draw uses unless given its own."""
    return _source.generator


def get_rng_state() -> dict[str, Any]:
    """The generator's state, as plain data (JSON-safe) to restore with ``set_rng_state``."""
    return dict(_source.generator.bit_generator.state)


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore a state from ``get_rng_state``."""
    generator = np.random.default_rng()
    generator.bit_generator.state = state
    _source.generator = generator


def make_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A generator from a ``seed``/``random_state`` argument: None uses chainrule's shared one."""
    if seed is None:
        return _source.generator
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)
