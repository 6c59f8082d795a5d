"""DataLoader accepts the arguments PyTorch training scripts pass (num_workers, pin_memory)."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.utils.data import DataLoader, TensorDataset


def test_num_workers_and_pin_memory_are_accepted_and_change_nothing() -> None:
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    plain = [b[1].tolist() for b in DataLoader(TensorDataset(X, y), batch_size=4)]
    torch_style = [b[1].tolist() for b in DataLoader(TensorDataset(X, y), batch_size=4, shuffle=False,
                                                     num_workers=2, pin_memory=True)]
    assert torch_style == plain == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    cr.manual_seed(3)
    first = [b[1].tolist() for b in DataLoader((X, y), batch_size=5, shuffle=True, num_workers=4)]
    cr.manual_seed(3)
    second = [b[1].tolist() for b in DataLoader((X, y), batch_size=5, shuffle=True)]
    assert first == second


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_invalid_num_workers_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="num_workers should be a non-negative integer"):
        DataLoader((np.zeros((4, 1)),), batch_size=2, num_workers=bad)  # type: ignore[arg-type]
