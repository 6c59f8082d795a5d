"""Checking the estimators' constructor parameters, and turning ``random_state`` into a generator.

scikit-learn's rule is that ``__init__`` only stores its arguments and ``fit`` checks them, so that
``clone``/``set_params``/``GridSearchCV`` can set anything and the error comes when it is used. Every
parameter is checked by one row of a table (the same design as scikit-learn's own
``_parameter_constraints``), and an invalid value gets an error that names the estimator, the
parameter, the value and what would be valid.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from chainrule import backend
from chainrule import random as cr_random

__all__ = ["check_params", "estimator_device", "make_generator", "hidden_layer_list", "RANDOM_STATE_TYPES"]

# A check returns None when the value is valid, or a phrase saying what would be.
Check = Callable[[Any], "str | None"]


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not _is_bool(value)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not _is_bool(value)


def boolean() -> Check:
    """True or False."""
    return lambda value: None if _is_bool(value) else "True or False"


def one_of(*choices: str) -> Check:
    """One of the given names."""
    listed = ", ".join(repr(choice) for choice in sorted(choices))

    def check(value: Any) -> str | None:
        return None if isinstance(value, str) and value in choices else f"one of {listed}"
    return check


def interval(low: float | None, high: float | None, *, integer: bool = False, closed: str = "both",
             also: Iterable[Any] = ()) -> Check:
    """A number in [low, high] (``closed`` says which ends are included: both, left, right, neither);
    ``integer=True`` asks for an int; ``also`` lists extra accepted values (e.g. 'auto', inf)."""
    extras = tuple(also)
    left = "[" if closed in ("both", "left") else "("
    right = "]" if closed in ("both", "right") else ")"
    kind = "an integer" if integer else "a number"
    span = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
    phrase = f"{kind} in {span}" + "".join(f" or {extra!r}" for extra in extras)

    def check(value: Any) -> str | None:
        if any(value is extra or (isinstance(value, type(extra)) and value == extra) for extra in extras):
            return None
        if not (_is_int(value) if integer else _is_real(value)):
            return phrase
        if low is not None and (value < low or (value == low and left == "(")):
            return phrase
        if high is not None and (value > high or (value == high and right == ")")):
            return phrase
        return None
    return check


RANDOM_STATE_TYPES = (numbers.Integral, np.random.RandomState, np.random.Generator)


def random_state() -> Check:
    """None, an int seed >= 0, a numpy RandomState or a numpy Generator."""
    def check(value: Any) -> str | None:
        if value is None or isinstance(value, (np.random.RandomState, np.random.Generator)):
            return None
        if _is_int(value) and 0 <= value < 2**32:
            return None
        return "None, an integer seed in [0, 2**32), a numpy.random.RandomState or a numpy.random.Generator"
    return check


def verbosity() -> Check:
    """A bool or an int >= 0."""
    return lambda value: None if _is_bool(value) or (_is_int(value) and value >= 0) else "a bool or an int >= 0"


def layer_sizes() -> Check:
    """A positive int, or a sequence (possibly empty) of positive ints."""
    phrase = "a positive int or a sequence of positive ints, e.g. (100,) or (64, 32)"

    def check(value: Any) -> str | None:
        if _is_int(value):
            return None if value >= 1 else phrase
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            return phrase
        sizes = list(value)
        return None if all(_is_int(size) and size >= 1 for size in sizes) else phrase
    return check


DEVICES = "'cpu', 'cuda' or 'cuda:N' (N the GPU's index), or a chainrule.device"


def device_name() -> Check:
    """A device chainrule knows ('cpu', 'cuda', 'cuda:1', a ``cr.device``); whether a GPU is present is
    checked when the estimator computes (``estimator_device``)."""
    def check(value: Any) -> str | None:
        if not isinstance(value, (str, backend.device)):
            return DEVICES
        try:
            backend.as_device(value)
        except (RuntimeError, ValueError):
            return DEVICES
        return None
    return check


def estimator_device(estimator: Any) -> backend.device:
    """The device ``estimator.device`` names, once it is known to exist: a bad name is refused like any
    parameter, and a GPU on a machine without one gets chainrule's no-CUDA message (how to install the
    GPU extra), prefixed with the estimator and the parameter."""
    check_params(estimator, {"device": device_name()})
    try:
        return backend.usable_device(estimator.device)
    except RuntimeError as error:
        raise RuntimeError(f"{type(estimator).__name__}(device={estimator.device!r}): {error}") from None


def check_params(estimator: Any, table: dict[str, Check]) -> None:
    """Raise ``ValueError`` (``TypeError`` for a wrong type) on the first parameter of ``estimator``
    that its row of ``table`` rejects, naming the parameter, the value and what is valid."""
    for name, check in table.items():
        value = getattr(estimator, name)
        expected = check(value)
        if expected is not None:
            message = (f"{type(estimator).__name__}: the {name!r} parameter must be {expected}; "
                       f"got {value!r}")
            # NOTE: scikit-learn's own error is both a ValueError and a TypeError (InvalidParameterError);
            # a bad value of the right type is a ValueError, anything else a TypeError.
            raise ValueError(message) if _plausible_type(value) else TypeError(message)


def _plausible_type(value: Any) -> bool:
    return value is None or _is_bool(value) or isinstance(value, (numbers.Real, str, tuple, list, np.ndarray))


def hidden_layer_list(hidden_layer_sizes: Any) -> list[int]:
    """``hidden_layer_sizes`` as a list of ints (an int n means one hidden layer of n neurons)."""
    if _is_int(hidden_layer_sizes):
        return [int(hidden_layer_sizes)]
    return [int(size) for size in hidden_layer_sizes]


def make_generator(random_state: Any) -> np.random.Generator:
    """A NumPy ``Generator`` for one call of ``fit``: every random draw of the estimator (initial weights,
    the order of the samples in each epoch, the validation split) comes from it.

    * ``None``: chainrule's shared generator, so ``cr.manual_seed(n)`` makes the run reproducible;
    * an int: a fresh generator seeded with it (every ``fit`` starts from the same numbers);
    * a ``numpy.random.Generator``: used as it is (successive fits continue its stream);
    * a ``numpy.random.RandomState`` (scikit-learn's convention): a generator seeded from one draw of it,
      so that, as in scikit-learn, successive fits with the same instance differ.
    """
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(int(random_state.randint(0, 2**31 - 1)))
    if random_state is None or isinstance(random_state, np.random.Generator):
        return cr_random.make_rng(random_state)
    return np.random.default_rng(int(random_state))


def seed_from(generator: np.random.Generator) -> int:
    """An int seed drawn from ``generator``, for scikit-learn helpers that want an int random_state."""
    return int(generator.integers(0, 2**31 - 1))
