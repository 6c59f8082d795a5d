"""Data loading at PyTorch's path ``torch.utils.data``: datasets, samplers and the ``DataLoader``.

>>> import numpy as np
>>> from chainrule.utils.data import DataLoader, DistributedSampler, TensorDataset
>>> dataset = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
>>> sampler = DistributedSampler(dataset, num_replicas=2, rank=0, shuffle=False)
>>> [y.tolist() for _, y in DataLoader(dataset, batch_size=2, sampler=sampler)]
[[0, 2], [4]]
"""

from __future__ import annotations

from chainrule.utils.data.collate import default_collate
from chainrule.utils.data.dataset import Dataset, Subset, TensorDataset, random_split
from chainrule.utils.data.distributed import DistributedSampler
from chainrule.utils.data.loader import DataLoader
from chainrule.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = [
    "BatchSampler", "DataLoader", "Dataset", "DistributedSampler", "RandomSampler", "Sampler", "SequentialSampler",
    "Subset", "TensorDataset", "default_collate", "random_split",
]
