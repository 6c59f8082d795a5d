"""``default_collate``: a list of samples -> one batch (PyTorch's rule for arrays and numbers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.utils.data.dataset import as_array


def default_collate(samples: list[Any]) -> Any:
    """Stack samples along a new first dimension: tensors, arrays and numbers become one Tensor; a
    tuple/list of fields becomes a tuple of batched fields; a dict, a dict of batched values.

    >>> import chainrule as cr
    >>> default_collate([(cr.tensor([1.0, 2.0]), 0), (cr.tensor([3.0, 4.0]), 1)])
    (tensor([[1., 2.],
            [3., 4.]]), tensor([0, 1]))
    """
    if not samples:
        raise ValueError("default_collate: cannot make a batch of no samples")
    first = samples[0]
    if isinstance(first, Mapping):
        return {key: default_collate([sample[key] for sample in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(sample) != len(first) for sample in samples):
            raise RuntimeError("default_collate: each sample in a batch must have the same number of fields, "
                               f"got {sorted({len(sample) for sample in samples})}")
        return tuple(default_collate([sample[k] for sample in samples]) for k in range(len(first)))
    arrays = [as_array(sample, "default_collate") for sample in samples]
    if len({array.shape for array in arrays}) > 1:
        shapes = sorted({array.shape for array in arrays})
        raise RuntimeError(f"default_collate: samples must all have the same shape to be stacked, got {shapes}")
    return Tensor._wrap(np.stack(arrays))
