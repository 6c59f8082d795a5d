"""Gradient buckets: parameters packed into a few flat arrays, so that averaging the gradients takes
one all-reduce per bucket instead of one per parameter (few large messages beat many small ones: each
message pays the network's latency once).

Parameters go into buckets in reverse order of ``module.parameters()`` (PyTorch's choice: the order in
which a backward pass usually completes gradients, the last layer first), grouped by dtype, a new bucket
starting whenever the current one would pass ``cap_bytes`` (PyTorch's ``bucket_cap_mb``, 25 MiB by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from chainrule.autograd.tensor import Tensor


@dataclass
class Bucket:
    """Some parameters of one dtype, and where each one's gradient lies in the flat array."""

    dtype: np.dtype
    parameters: list[Tensor] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    size: int = 0

    def add(self, parameter: Tensor) -> None:
        self.parameters.append(parameter)
        self.offsets.append(self.size)
        self.size += parameter.data.size

    def flatten_grads(self) -> np.ndarray:
        """A new flat array of the gradients (zeros for a parameter without one in this process)."""
        flat = np.empty(self.size, dtype=self.dtype)
        for parameter, offset in zip(self.parameters, self.offsets, strict=True):
            part = flat[offset:offset + parameter.data.size]
            if parameter.grad is None:
                part[...] = 0
            else:
                part[...] = parameter.grad.data.reshape(-1)
        return flat

    def unflatten_grads(self, flat: np.ndarray) -> None:
        """Make each parameter's ``.grad`` its part of ``flat`` (views of it, nothing is copied)."""
        for parameter, offset in zip(self.parameters, self.offsets, strict=True):
            shape = parameter.data.shape
            parameter.grad = Tensor._wrap(flat[offset:offset + parameter.data.size].reshape(shape))

    def flatten_values(self) -> np.ndarray:
        return np.concatenate([parameter.data.reshape(-1) for parameter in self.parameters])

    def unflatten_values(self, flat: np.ndarray) -> None:
        for parameter, offset in zip(self.parameters, self.offsets, strict=True):
            parameter.data[...] = flat[offset:offset + parameter.data.size].reshape(parameter.data.shape)


def make_buckets(parameters: Sequence[Tensor], cap_bytes: float) -> list[Bucket]:
    """Pack ``parameters`` (reversed) into buckets of one dtype and at most ``cap_bytes`` each (a single
    parameter larger than that gets a bucket of its own)."""
    buckets: list[Bucket] = []
    open_buckets: dict[np.dtype, Bucket] = {}
    for parameter in reversed(list(parameters)):
        dtype = parameter.data.dtype
        bucket = open_buckets.get(dtype)
        if bucket is not None and bucket.size and (bucket.size + parameter.data.size) * dtype.itemsize > cap_bytes:
            bucket = None
        if bucket is None:
            bucket = open_buckets[dtype] = Bucket(dtype)
            buckets.append(bucket)
        bucket.add(parameter)
    return buckets
