"""One loader for every named data set: the toy problems, and scikit-learn's bundled real ones.

The real data sets ship inside scikit-learn (nothing is downloaded). Features come back as float32,
class labels as int64, regression targets as a float32 column of shape (N, 1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.data import toy

# name -> (description, maker). Descriptions are one line each: the command line lists them.
_TOY: dict[str, tuple[str, Callable[..., tuple[np.ndarray, np.ndarray]]]] = {
    "xor": ("XOR truth table: 4 samples, 2 features, 2 classes (not linearly separable)", toy.xor),
    "and": ("AND truth table: 4 samples, 2 features, 2 classes", lambda: toy.logic_gate("and")),
    "or": ("OR truth table: 4 samples, 2 features, 2 classes", lambda: toy.logic_gate("or")),
    "nand": ("NAND truth table: 4 samples, 2 features, 2 classes", lambda: toy.logic_gate("nand")),
    "nor": ("NOR truth table: 4 samples, 2 features, 2 classes", lambda: toy.logic_gate("nor")),
    "not": ("NOT truth table: 2 samples, 1 feature, 2 classes", lambda: toy.logic_gate("not")),
    "circles": ("two concentric circles: 2 features, 2 classes (generated)", toy.circles),
    "moons": ("two interleaving half moons: 2 features, 2 classes (generated)", toy.moons),
    "spirals": ("interleaved spiral arms: 2 features, one class per arm (generated)", toy.spirals),
    "rings": ("concentric rings, separable by radius in polar coordinates (generated)", toy.rings),
    "blobs": ("Gaussian clusters: 2 features, 3 classes by default (generated)", toy.blobs),
    "linear": ("noisy line y = 2x + 1: 1 feature, regression (generated)", toy.linear),
    "sine": ("noisy sine wave: 1 feature, regression (generated)", toy.sine),
}

# name -> (description, scikit-learn loader name, is classification)
_SKLEARN: dict[str, tuple[str, str, bool]] = {
    "digits": ("handwritten digits 8x8: 1797 samples, 64 features (0-16), 10 classes (scikit-learn)",
               "load_digits", True),
    "iris": ("iris flowers: 150 samples, 4 features, 3 classes (scikit-learn)", "load_iris", True),
    "wine": ("wine cultivars: 178 samples, 13 features, 3 classes (scikit-learn)", "load_wine", True),
    "breast_cancer": ("breast cancer diagnosis: 569 samples, 30 features, 2 classes (scikit-learn)",
                      "load_breast_cancer", True),
    "diabetes": ("diabetes progression: 442 samples, 10 features, regression (scikit-learn)",
                 "load_diabetes", False),
}


def list_datasets() -> dict[str, str]:
    """Every name ``load_dataset`` knows, with a one-line description, toy sets first."""
    return {name: entry[0] for table in (_TOY, _SKLEARN) for name, entry in table.items()}


def load_dataset(name: str, **options: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` for a named data set (see ``list_datasets()``).

    Toy sets are generated with ``options`` passed on (``load_dataset('moons', n_samples=500,
    noise=0.1, seed=0)``). 'digits', 'iris', 'wine', 'breast_cancer' and 'diabetes' are scikit-learn's
    bundled copies (install the extra: ``pip install 'chainrule[sklearn]'``); their features are raw
    (scale them, for example ``X / 16`` for digits, before training).

    >>> X, y = load_dataset('xor')
    >>> X.shape, y.tolist()
    ((4, 2), [0, 1, 1, 0])
    """
    key = name.lower().replace("-", "_")
    if key in _TOY:
        return _TOY[key][1](**options)
    if key not in _SKLEARN:
        raise ValueError(f"load_dataset: unknown data set {name!r}; known: {', '.join(list_datasets())}")
    if options:
        raise TypeError(f"load_dataset({name!r}) takes no options, got {', '.join(options)}")
    try:
        import sklearn.datasets
    except ImportError:
        raise ImportError(f"load_dataset({name!r}) needs scikit-learn, which ships this data set; install it "
                          "with: pip install 'chainrule[sklearn]'") from None
    _, loader_name, classification = _SKLEARN[key]
    X, y = getattr(sklearn.datasets, loader_name)(return_X_y=True)
    X = np.asarray(X, dtype=np.float32)
    if classification:
        return X, np.asarray(y, dtype=np.int64)
    return X, np.asarray(y, dtype=np.float32).reshape(-1, 1)


__all__ = ["list_datasets", "load_dataset"]
