"""DataLoader and TensorDataset: batching, shuffling, drop_last, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.utils.data import DataLoader, Dataset, TensorDataset


def _data(n: int = 10) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n, dtype=np.int64)


def test_batches_in_order_without_shuffle() -> None:
    X, y = _data(10)
    batches = list(DataLoader((X, y), batch_size=4))
    assert len(batches) == 3
    assert [tuple(b[1].tolist()) for b in batches] == [(0, 1, 2, 3), (4, 5, 6, 7), (8, 9)]
    assert all(isinstance(t, cr.Tensor) for b in batches for t in b)
    assert batches[0][0].dtype == cr.float32 and batches[0][1].dtype == cr.int64
    np.testing.assert_array_equal(batches[2][0].numpy(), X[8:])


def test_len_matches_torch_with_and_without_drop_last() -> None:
    X, y = _data(10)
    for batch_size in (1, 3, 4, 5, 10, 11):
        for drop_last in (False, True):
            ours = DataLoader(TensorDataset(X, y), batch_size=batch_size, drop_last=drop_last)
            torch_set = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
            theirs = torch.utils.data.DataLoader(torch_set, batch_size=batch_size, drop_last=drop_last)
            assert len(ours) == len(theirs)
            assert [len(b[0]) for b in ours] == [len(b[0]) for b in theirs]


def test_shuffle_is_a_permutation_that_keeps_rows_together() -> None:
    X, y = _data(50)
    loader = DataLoader((X, y), batch_size=7, shuffle=True, generator=0)
    xs, ys = zip(*[(b[0].numpy(), b[1].numpy()) for b in loader], strict=True)
    X_seen, y_seen = np.concatenate(xs), np.concatenate(ys)
    assert sorted(y_seen.tolist()) == list(range(50))
    assert y_seen.tolist() != list(range(50))
    np.testing.assert_array_equal(X_seen, X[y_seen])  # rows of X still match their labels


def test_each_epoch_draws_a_new_order() -> None:
    X, y = _data(30)
    loader = DataLoader((X, y), batch_size=30, shuffle=True, generator=1)
    first = next(iter(loader))[1].tolist()
    second = next(iter(loader))[1].tolist()
    assert first != second


def test_shared_generator_makes_runs_reproducible_and_resumable() -> None:
    X, y = _data(20)
    loader = DataLoader((X, y), batch_size=5, shuffle=True)

    def epoch_order() -> list[int]:
        return [i for b in loader for i in b[1].tolist()]

    cr.manual_seed(3)
    run = [epoch_order() for _ in range(4)]
    cr.manual_seed(3)
    assert [epoch_order() for _ in range(4)] == run
    cr.manual_seed(3)
    epoch_order()
    epoch_order()
    state = cr.get_rng_state()
    cr.manual_seed(99)  # anything in between
    epoch_order()
    cr.set_rng_state(state)
    assert [epoch_order() for _ in range(2)] == run[2:]


def test_explicit_generator_ignores_the_shared_one() -> None:
    X, y = _data(20)
    orders = []
    for shared_seed in (0, 1):
        cr.manual_seed(shared_seed)
        loader = DataLoader((X, y), batch_size=20, shuffle=True, generator=np.random.default_rng(5))
        orders.append(next(iter(loader))[1].tolist())
    assert orders[0] == orders[1]


def test_single_array_yields_tensors_and_batch_size_none_yields_samples() -> None:
    X, y = _data(4)
    batches = list(DataLoader(X, batch_size=3))
    assert isinstance(batches[0], cr.Tensor) and batches[0].shape == (3, 2)
    samples = list(DataLoader((X, y), batch_size=None))
    assert len(samples) == 4 and samples[1][0].shape == (2,) and samples[1][1].item() == 1


def test_tensor_dataset_accepts_tensors_and_indexes_rows() -> None:
    X = cr.randn(6, 3)
    y = cr.arange(6)
    ds = TensorDataset(X, y)
    assert len(ds) == 6
    x1, y1 = ds[1]
    np.testing.assert_array_equal(x1.numpy(), X.numpy()[1])
    assert y1.item() == 1
    batches = list(DataLoader(ds, batch_size=4))
    np.testing.assert_array_equal(batches[0][0].numpy(), X.numpy()[:4])


def test_generic_dataset_is_collated() -> None:
    class Squares(Dataset):
        def __len__(self) -> int:
            return 5

        def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
            return np.array([index, index ** 2], dtype=np.float32), index

    batches = list(DataLoader(Squares(), batch_size=2))
    assert len(batches) == 3
    assert batches[1][0].tolist() == [[2.0, 4.0], [3.0, 9.0]]
    assert batches[2][1].tolist() == [4]


def test_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match=r"size mismatch.*\(3, 2\).*\(4,\)"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        DataLoader((np.zeros(3),), batch_size=0)
    with pytest.raises(TypeError, match="cannot load from"):
        DataLoader(42)
