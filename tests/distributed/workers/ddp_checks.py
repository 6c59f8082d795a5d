"""Runs in every process of an MPI job (see test_distributed_*.py); rank 0 writes what it found as JSON.

    mpiexec -n N python -m mpi4py ddp_checks.py OUT.json
"""

from __future__ import annotations

import json
import sys

import numpy as np

import chainrule as cr
import chainrule.distributed as dist
from chainrule.nn.parallel import DistributedDataParallel as DDP
from chainrule.utils.data import DistributedSampler

BATCH = 24
STEPS = 5


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    return rng.standard_normal((BATCH, 5)), rng.integers(0, 3, BATCH)


def make_model(seed: int) -> cr.nn.Module:
    cr.manual_seed(seed)
    return cr.nn.Sequential(cr.nn.Linear(5, 8), cr.nn.Tanh(), cr.nn.Linear(8, 6), cr.nn.ReLU(),
                            cr.nn.Linear(6, 3)).double()


def make_optimizer(name: str, model: cr.nn.Module) -> cr.optim.Optimizer:
    if name == "sgd":
        return cr.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01)
    return cr.optim.Adam(model.parameters(), lr=0.01)


def flat(model: cr.nn.Module) -> np.ndarray:
    return np.concatenate([p.data.ravel() for p in model.parameters()])


def single_process(name: str) -> np.ndarray:
    """The reference: one process, the whole batch, no communication (starting from rank 0's weights)."""
    X, y = data()
    model = make_model(100)
    optimizer = make_optimizer(name, model)
    loss_fn = cr.nn.CrossEntropyLoss()
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss_fn(model(cr.tensor(X)), cr.tensor(y)).backward()
        optimizer.step()
    return flat(model)


def data_parallel(name: str, bucket_cap_mb: float | None, micro_batches: int) -> tuple[np.ndarray, int]:
    """N processes on BATCH/N samples each, from different starting weights (the wrapper's broadcast
    must make them equal); with micro_batches > 1, accumulate under no_sync before one averaged backward."""
    rank, size = dist.get_rank(), dist.get_world_size()
    X, y = data()
    shard = slice(rank * BATCH // size, (rank + 1) * BATCH // size)
    model = DDP(make_model(100 + rank), bucket_cap_mb=bucket_cap_mb)
    optimizer = make_optimizer(name, model)
    loss_fn = cr.nn.CrossEntropyLoss()
    X_shard, y_shard = X[shard], y[shard]
    parts = np.array_split(np.arange(len(X_shard)), micro_batches)
    for _ in range(STEPS):
        optimizer.zero_grad()
        for k, rows in enumerate(parts):
            last = k == len(parts) - 1
            context = model.no_sync() if not last else _nothing()
            with context:
                (loss_fn(model(cr.tensor(X_shard[rows])), cr.tensor(y_shard[rows])) / len(parts)).backward()
        optimizer.step()
    return flat(model.module), len(model._buckets)


class _nothing:
    def __enter__(self) -> None: ...

    def __exit__(self, *exc: object) -> None: ...


def gather(value: object) -> list[object]:
    values: list[object] = [None] * dist.get_world_size()
    dist.all_gather_object(values, value)
    return values


def check_training(report: dict) -> None:
    for name in ("sgd", "adam"):
        reference = single_process(name)
        for label, cap, micro in (("one_bucket", None, 1), ("small_buckets", 0.0001, 1), ("no_sync", None, 2)):
            params, buckets = data_parallel(name, cap, micro)
            everyone = gather(params.tolist())
            report[f"{name}_{label}"] = {
                "max_diff_to_single_process": float(np.max(np.abs(params - reference))),
                "ranks_identical": all(np.array_equal(np.array(other), params) for other in everyone),
                "buckets": buckets,
            }


def check_broadcast_at_construction(report: dict) -> None:
    rank = dist.get_rank()
    model = make_model(100 + rank)
    before = flat(model)
    wrapped = DDP(model)
    after = gather(flat(model).tolist())
    plain = make_model(0)
    plain.load_state_dict(wrapped.module.state_dict())
    report["state_dict"] = {"keys": list(wrapped.state_dict()), "module_is_the_model": wrapped.module is model,
                            "loads_into_plain_model": bool(np.array_equal(flat(plain), flat(model)))}
    report["construction"] = {
        "ranks_started_different": len({tuple(np.round(b, 12)) for b in map(tuple, gather(before.tolist()))}) > 1,
        "all_equal_rank0_after": all(np.array_equal(np.array(a), np.array(after[0])) for a in after),
        "rank0_unchanged": bool(rank != 0 or np.array_equal(np.array(after[0]), before)),
    }


def check_no_sync_communicates_nothing(report: dict) -> None:
    """Inside no_sync each process keeps its own gradient; the next synced backward averages the sums."""
    rank, size = dist.get_rank(), dist.get_world_size()
    model = DDP(make_model(1))
    X, y = data()
    loss_fn = cr.nn.CrossEntropyLoss()
    with model.no_sync():
        loss_fn(model(cr.tensor(X[rank::size])), cr.tensor(y[rank::size])).backward()
    local = model.module[0].weight.grad.numpy().copy()
    grads = gather(local.tolist())
    loss_fn(model(cr.tensor(X[rank::size])), cr.tensor(y[rank::size])).backward()
    synced = model.module[0].weight.grad.numpy()
    expected = 2 * np.mean([np.array(g) for g in grads], axis=0)
    report["no_sync"] = {"local_grads_differ": len({tuple(np.ravel(g)) for g in map(np.array, grads)}) == size,
                         "synced_is_mean_of_sums": float(np.max(np.abs(synced - expected)))}


def check_unused_parameter(report: dict) -> None:
    """A layer that one process does not use: it still takes part (as zeros), nobody hangs."""
    rank = dist.get_rank()
    cr.manual_seed(3)
    first, second = cr.nn.Linear(4, 4).double(), cr.nn.Linear(4, 2).double()
    model = DDP(cr.nn.ModuleList([first, second]))
    x = cr.ones(2, 4, dtype=cr.float64)
    output = second(first(x)) if rank == 0 else first(x)
    model._armed = True  # the forward above bypassed the wrapper on purpose; arm as its forward would
    output.sum().backward()
    grads = gather(second.weight.grad.numpy().tolist())
    report["unused"] = {"equal_everywhere": all(np.array_equal(np.array(g), np.array(grads[0])) for g in grads),
                        "is_mean": bool(np.allclose(np.array(grads[0]) * dist.get_world_size(),
                                                    np.ones((2, 1)) @ first(x).detach().sum(0, keepdim=True).numpy()))}


def check_collectives(report: dict) -> None:
    rank, size = dist.get_rank(), dist.get_world_size()
    results: dict[str, bool] = {}
    ops = {"SUM": np.sum, "MAX": np.max, "MIN": np.min, "PRODUCT": np.prod}
    for dtype in (cr.float16, cr.float32, cr.float64, cr.int8, cr.int16, cr.int32, cr.int64, cr.uint8):
        values = [np.array([r + 1, 2 * r, 5], dtype=dtype) for r in range(size)]
        for name, reduce in ops.items():
            t = cr.tensor(values[rank].copy())
            dist.all_reduce(t, op=getattr(dist.ReduceOp, name))
            expected = reduce(np.stack(values), axis=0).astype(dtype)
            results[f"all_reduce {name} {dtype}"] = t.dtype == dtype and np.array_equal(t.numpy(), expected)
        if np.dtype(dtype).kind == "f":
            t = cr.tensor(values[rank].copy())
            dist.all_reduce(t, op=dist.ReduceOp.AVG)
            results[f"all_reduce AVG {dtype}"] = np.allclose(t.numpy(), np.mean(np.stack(values), axis=0), rtol=1e-3)
        t = cr.tensor(values[rank].copy())
        dist.broadcast(t, src=size - 1)
        results[f"broadcast {dtype}"] = np.array_equal(t.numpy(), values[-1])
        out = [cr.zeros(3, dtype=dtype) for _ in range(size)]
        dist.all_gather(out, cr.tensor(values[rank]))
        results[f"all_gather {dtype}"] = all(np.array_equal(o.numpy(), v) for o, v in zip(out, values, strict=True))
    flags = cr.tensor(np.array([rank == 0, True, False]))
    dist.all_reduce(flags, op=dist.ReduceOp.SUM)
    results["all_reduce SUM bool (any)"] = flags.numpy().tolist() == [True, True, False]
    flags = cr.tensor(np.array([rank == 0, True, False]))
    dist.all_reduce(flags, op=dist.ReduceOp.MIN)
    results["all_reduce MIN bool (all)"] = flags.numpy().tolist() == [size == 1, True, False]
    # A transposed (non-contiguous) tensor is reduced in place all the same.
    base = np.arange(6.0).reshape(2, 3) * (rank + 1)
    t = cr.tensor(base).T
    dist.all_reduce(t)
    expected = np.arange(6.0).reshape(2, 3).T * size * (size + 1) / 2
    results["all_reduce non-contiguous"] = np.array_equal(t.numpy(), expected)
    work = dist.all_reduce(cr.tensor([1.0]), async_op=True)
    results["async_op returns Work"] = work is not None and work.wait() and work.is_completed()
    dist.barrier()
    try:
        dist.all_reduce(cr.tensor([1, 2]), op=dist.ReduceOp.AVG)
        results["AVG on integers refused"] = False
    except TypeError as error:
        results["AVG on integers refused"] = "floating-point" in str(error)
    report["collectives"] = results


def check_sampler(report: dict) -> None:
    size = dist.get_world_size()
    results: dict[str, bool] = {}
    for n in (1, 3, size, 10, 17, 64):
        for drop_last in (False, True):
            for epoch in (0, 1):
                sampler = DistributedSampler(range(n), shuffle=True, seed=5, drop_last=drop_last)
                sampler.set_epoch(epoch)
                shards = gather(list(sampler))
                permutations = gather(sampler.permutation().tolist())
                lengths = {len(s) for s in shards}
                together = sorted(i for s in shards for i in s)
                perm = permutations[0]
                if drop_last:
                    expected = sorted(perm[:len(shards[0]) * size])
                else:
                    expected = sorted((perm * (size + 1))[:len(shards[0]) * size])
                key = f"n={n} drop_last={drop_last} epoch={epoch}"
                results[key] = (len(lengths) == 1 and together == expected and all(p == perm for p in permutations)
                                and (n % size != 0 or together == list(range(n))))
    first = DistributedSampler(range(20), seed=5)
    second = DistributedSampler(range(20), seed=5)
    second.set_epoch(1)
    results["set_epoch changes the order"] = list(first) != list(second)
    report["sampler"] = results


def main() -> None:
    dist.init_process_group("mpi")
    report: dict = {"world_size": dist.get_world_size()}
    check_training(report)
    check_broadcast_at_construction(report)
    check_no_sync_communicates_nothing(report)
    check_unused_parameter(report)
    check_collectives(report)
    check_sampler(report)
    if dist.get_rank() == 0:
        with open(sys.argv[1], "w") as file:
            json.dump(report, file, indent=1)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
