"""chainrule.distributed in one process, without an MPI launcher: what a user sees before (or instead of)
launching with mpiexec. Nothing here starts MPI."""

from __future__ import annotations

import sys

import pytest

import chainrule as cr
import chainrule.distributed as dist
from chainrule.nn.parallel import DistributedDataParallel


def test_not_initialised_says_what_to_do() -> None:
    assert not dist.is_initialized() and dist.is_available() and dist.is_mpi_available()
    for call in (dist.get_rank, dist.get_world_size, dist.barrier, dist.destroy_process_group):
        with pytest.raises(ValueError, match=r"process group has not been initialized.*init_process_group\('mpi'\)"):
            call()
    with pytest.raises(ValueError, match="has not been initialized"):
        dist.all_reduce(cr.ones(2))
    with pytest.raises(ValueError, match="has not been initialized"):
        DistributedDataParallel(cr.nn.Linear(2, 1))
    assert dist.is_main_process()


@pytest.mark.parametrize("backend", ["nccl", "gloo", "MPI2", 3])
def test_unknown_backend_lists_the_valid_one(backend) -> None:
    with pytest.raises(ValueError, match=r"unknown backend .*chainrule's backend is 'mpi'"):
        dist.init_process_group(backend)


def test_missing_mpi4py_says_how_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.setitem(sys.modules, "mpi4py.MPI", None)
    assert not dist.is_available()
    with pytest.raises(RuntimeError, match=r"needs mpi4py.*pip install 'chainrule\[mpi\]'.*site's MPI"):
        dist.init_process_group("mpi")


def test_no_launcher_means_a_plain_single_process_fit(monkeypatch) -> None:
    from chainrule.distributed.process_group import LAUNCHER_VARIABLES

    for name in LAUNCHER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    if "mpi4py.MPI" not in sys.modules:
        assert not dist.launched_by_mpi()
        assert not dist.init_if_launched() and not dist.is_initialized()
    X, y = cr.data.xor()
    history = cr.fit(cr.nn.Linear(2, 1), X, y, loss="mse", optimizer="sgd", lr=0.1, epochs=2, verbose=False)
    assert "world_size" not in history.params
