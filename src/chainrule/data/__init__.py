"""Data: the notes' toy problems, feature maps, splits and named data sets, and (re-exported from their
home ``chainrule.utils.data``, PyTorch's path) the ``DataLoader`` and datasets.

>>> import chainrule as cr
>>> X, y = cr.data.moons(n_samples=200, noise=0.1, seed=0)
>>> X_train, X_test, y_train, y_test = cr.data.train_test_split(X, y, test_size=0.25, seed=0)
>>> loader = cr.data.DataLoader((X_train, y_train), batch_size=32, shuffle=True)
>>> len(loader)
5
"""

from __future__ import annotations

from chainrule.data.datasets import list_datasets, load_dataset
from chainrule.data.features import polar, polynomial
from chainrule.data.split import train_test_split
from chainrule.data.toy import blobs, circles, linear, logic_gate, moons, rings, sine, spirals, xor
from chainrule.utils.data import DataLoader, Dataset, TensorDataset

__all__ = [
    "DataLoader", "Dataset", "TensorDataset", "blobs", "circles", "linear", "list_datasets", "load_dataset",
    "logic_gate", "moons", "polar", "polynomial", "rings", "sine", "spirals", "train_test_split", "xor",
]
