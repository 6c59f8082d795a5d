"""Datasets: something with a length whose items are samples, as in ``torch.utils.data``.

``TensorDataset(X, y)`` holds whole arrays. The ``DataLoader`` reads those arrays directly and cuts
each batch out of them with one fancy index, so a batch never passes through a per-sample Python loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor


class Dataset:
    """A map-style data set: ``len(dataset)`` samples, ``dataset[i]`` is sample ``i``.

    Subclass it and define ``__len__`` and ``__getitem__`` (PyTorch's protocol). The ``DataLoader``
    batches such a data set by stacking samples; ``TensorDataset`` is the fast path that batches by
    slicing whole arrays instead.
    """

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} must define __len__ to be used as a Dataset")

    def __getitem__(self, index: int) -> Any:
        raise TypeError(f"{type(self).__name__} must define __getitem__ to be used as a Dataset")


def as_array(value: Any, where: str) -> np.ndarray:
    """The NumPy array behind ``value`` (a Tensor's ``.data`` is shared, not copied)."""
    if isinstance(value, Tensor):
        return value.data
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"{where}: cannot use {type(value).__name__} as data; expected a NumPy array, "
                        f"a chainrule Tensor or nested lists of numbers")
    if array.dtype.kind == "f" and array.dtype != np.float32 and not isinstance(value, np.ndarray):
        # NOTE: Python float lists become float32, PyTorch's default, not NumPy's float64.
        array = array.astype(np.float32)
    return array


class TensorDataset(Dataset):
    """Samples are rows of the given tensors, taken together: ``dataset[i] == (X[i], y[i])``.

    All tensors must have the same size along dimension 0 (the number of samples). NumPy arrays are
    accepted too and kept as they are (no copy).

    >>> import chainrule as cr
    >>> from chainrule.data import TensorDataset
    >>> ds = TensorDataset(cr.zeros(5, 2), cr.arange(5))
    >>> len(ds), ds[1][1]
    (5, tensor(1))
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        arrays = [as_array(t, "TensorDataset") for t in tensors]
        for position, array in enumerate(arrays):
            if array.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {position} is a scalar (shape ()); each tensor "
                                 "needs a first dimension that indexes the samples")
        sizes = [array.shape[0] for array in arrays]
        if len(set(sizes)) != 1:
            shapes = ", ".join(str(array.shape) for array in arrays)
            raise ValueError(f"TensorDataset: size mismatch between tensors: every tensor needs the same "
                             f"number of samples along dimension 0, got shapes {shapes}")
        self.arrays: tuple[np.ndarray, ...] = tuple(arrays)
        self.tensors: tuple[Tensor, ...] = tuple(Tensor._wrap(array) for array in arrays)

    def __len__(self) -> int:
        return int(self.arrays[0].shape[0])

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(Tensor._wrap(np.asarray(array[index])) for array in self.arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(array.shape)) for array in self.arrays)
        return f"TensorDataset({len(self)} samples; shapes {shapes})"
