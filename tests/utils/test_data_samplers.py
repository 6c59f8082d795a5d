"""Samplers, Subset, random_split and the DataLoader's sampler arguments, against torch.utils.data.

chainrule draws permutations with NumPy, torch with its own generator, so the comparisons take the
order structure (padding, interleaving, batching, lengths) from torch with shuffle=False and apply it
to chainrule's permutation.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import chainrule as cr
from chainrule.utils.data import (
    BatchSampler,
    DataLoader,
    DistributedSampler,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 7, 16, 17])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4, 8])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_has_torchs_order_structure(n, replicas, drop_last) -> None:
    for rank in range(replicas):
        ours = DistributedSampler(range(n), num_replicas=replicas, rank=rank, shuffle=True, seed=3,
                                  drop_last=drop_last)
        ours.set_epoch(2)
        theirs = tud.DistributedSampler(range(n), num_replicas=replicas, rank=rank, shuffle=False,
                                        drop_last=drop_last)
        assert len(ours) == len(theirs) == ours.num_samples
        permutation = ours.permutation()
        assert sorted(permutation.tolist()) == list(range(n))
        assert list(ours) == [int(permutation[i]) for i in theirs]


def test_distributed_sampler_epochs_and_seeds() -> None:
    sampler = DistributedSampler(range(50), num_replicas=2, rank=0, seed=1)
    first = list(sampler)
    assert list(sampler) == first                         # same epoch, same order
    sampler.set_epoch(1)
    assert list(sampler) != first
    other = DistributedSampler(range(50), num_replicas=2, rank=0, seed=1)
    other.set_epoch(1)
    assert list(other) == list(sampler)                   # every process computes the same permutation


def test_distributed_sampler_mistakes() -> None:
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="num_replicas should be a positive integer"):
        DistributedSampler(range(4), num_replicas=0, rank=0)
    with pytest.raises(RuntimeError, match="no process group is initialised.*num_replicas= and rank="):
        DistributedSampler(range(4))
    with pytest.raises(ValueError, match="epoch should be a non-negative integer"):
        DistributedSampler(range(4), num_replicas=1, rank=0).set_epoch(-1)


def test_dataloader_with_a_distributed_sampler_serves_the_shard() -> None:
    X, y = np.arange(22.0).reshape(11, 2), np.arange(11)
    shards = []
    for rank in range(3):
        sampler = DistributedSampler(TensorDataset(X, y), num_replicas=3, rank=rank, seed=4)
        loader = DataLoader((X, y), batch_size=2, sampler=sampler)
        assert len(loader) == 2
        batches = [target.tolist() for _, target in loader]
        assert [i for batch in batches for i in batch] == list(sampler)
        shards += list(sampler)
    assert sorted(set(shards)) == list(range(11)) and len(shards) == 12   # one index padded in


def test_random_and_sequential_samplers() -> None:
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    cr.manual_seed(0)
    order = list(RandomSampler(range(6)))
    assert sorted(order) == list(range(6))
    cr.manual_seed(0)
    assert list(RandomSampler(range(6))) == order          # the shared generator, reproducible
    assert len(list(RandomSampler(range(3), num_samples=7))) == len(RandomSampler(range(3), num_samples=7)) == 7
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=50, generator=1))
    assert len(drawn) == 50 and set(drawn) <= {0, 1, 2}


@pytest.mark.parametrize("n", [0, 1, 5, 8])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_matches_torch(n, drop_last) -> None:
    ours = BatchSampler(SequentialSampler(range(n)), batch_size=3, drop_last=drop_last)
    theirs = tud.BatchSampler(tud.SequentialSampler(range(n)), batch_size=3, drop_last=drop_last)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_dataloader_batch_sampler_and_collate_fn() -> None:
    X = np.arange(10.0).reshape(5, 2)
    batches = [x.tolist() for x in DataLoader(X, batch_sampler=[[4, 0], [2]])]
    assert batches == [[[8.0, 9.0], [0.0, 1.0]], [[4.0, 5.0]]]
    sums = list(DataLoader((X, np.arange(5)), batch_size=2, collate_fn=lambda samples: len(samples)))
    assert sums == [2, 2, 1]
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(X, sampler=SequentialSampler(X), shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(X, batch_size=2, batch_sampler=[[0]])


def test_subset_and_random_split_match_torchs_lengths() -> None:
    dataset = TensorDataset(np.arange(10.0), np.arange(10))
    for lengths in ([0.7, 0.3], [0.5, 0.25, 0.25], [0.33, 0.33, 0.34], [3, 7]):
        ours = random_split(dataset, lengths, generator=0)
        theirs = tud.random_split(range(10), lengths, generator=torch.Generator().manual_seed(0))
        assert [len(part) for part in ours] == [len(part) for part in theirs]
        together = sorted(i for part in ours for i in part.indices.tolist())
        assert together == list(range(10))
    part = ours[0]
    assert part[0][1].item() == int(part.indices[0])
    # A Subset of a TensorDataset is served at array speed and in the subset's order.
    [(x, y)] = list(DataLoader(Subset(dataset, [7, 1, 4]), batch_size=3))
    assert y.tolist() == [7, 1, 4] and x.tolist() == [7.0, 1.0, 4.0]
    with pytest.raises(ValueError, match="does not equal the length of the input dataset"):
        random_split(dataset, [3, 3])
    with pytest.raises(IndexError, match=r"indices must lie in \[0, 10\)"):
        Subset(dataset, [10])


def test_default_collate() -> None:
    batch = default_collate([{"x": np.zeros(2), "y": 1}, {"x": np.ones(2), "y": 0}])
    assert batch["x"].shape == (2, 2) and batch["y"].tolist() == [1, 0]
    with pytest.raises(RuntimeError, match="same shape"):
        default_collate([np.zeros(2), np.zeros(3)])


def test_old_and_new_paths_are_the_same_objects() -> None:
    assert cr.data.DataLoader is cr.utils.data.DataLoader
    assert cr.data.TensorDataset is cr.utils.data.TensorDataset and cr.data.Dataset is cr.utils.data.Dataset
