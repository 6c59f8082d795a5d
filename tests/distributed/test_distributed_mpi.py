"""Data parallelism with real MPI processes: each test starts ``mpiexec -n N`` (with a timeout) on 2 or 4
processes (4 oversubscribes a 2-core machine; MPICH needs no flag for that).

What must hold: N processes on B/N samples each end with the parameters of one process on B samples
(SGD with momentum and Adam, float64, several steps, one or several buckets, with no_sync accumulation);
processes that start from different weights are equal after the wrapper's broadcast; every collective
works on every dtype; DistributedSampler's shards cover the data exactly once (plus PyTorch's
wrap-around padding); a failing process ends the job with its message; cr.fit and ``chainrule train``
run unchanged under mpiexec and match one process.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest
from mpi_launch import WORKERS, run_mpi, run_worker

import chainrule as cr

TOLERANCE = 1e-12


@pytest.mark.parametrize("n", [2, 4])
def test_data_parallel_training_collectives_and_sampler(n, tmp_path) -> None:
    report = run_worker(n, "ddp_checks.py", tmp_path / "report.json")
    assert report["world_size"] == n
    for optimizer in ("sgd", "adam"):
        for how in ("one_bucket", "small_buckets", "no_sync"):
            result = report[f"{optimizer}_{how}"]
            assert result["max_diff_to_single_process"] <= TOLERANCE, (optimizer, how, result)
            assert result["ranks_identical"], (optimizer, how)
        assert report[f"{optimizer}_one_bucket"]["buckets"] == 1
        assert report[f"{optimizer}_small_buckets"]["buckets"] == 6   # one per parameter at 100 bytes a bucket
    assert report["construction"] == {"ranks_started_different": True, "all_equal_rank0_after": True,
                                      "rank0_unchanged": True}
    assert report["state_dict"] == {"keys": ["module.0.weight", "module.0.bias", "module.2.weight", "module.2.bias",
                                             "module.4.weight", "module.4.bias"],
                                    "module_is_the_model": True, "loads_into_plain_model": True}
    assert report["no_sync"]["local_grads_differ"]
    assert report["no_sync"]["synced_is_mean_of_sums"] <= TOLERANCE
    assert report["unused"] == {"equal_everywhere": True, "is_mean": True}
    failed = [name for name, ok in report["collectives"].items() if not ok]
    assert not failed and len(report["collectives"]) == 56, failed   # 8 dtypes x 6, AVG x 3, 5 more
    failed = [name for name, ok in report["sampler"].items() if not ok]
    assert not failed and len(report["sampler"]) == 25, failed


@pytest.mark.parametrize("module", [True, False], ids=["python -m mpi4py", "plain python"])
def test_a_failing_rank_ends_the_job_with_its_message(module) -> None:
    result = run_mpi(2, [str(WORKERS / "failing_rank.py")], timeout=30, module=module)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "ValueError: rank 1 could not read its shard of the data" in output
    assert "should never get here" not in output


def _fit_job():
    spec = importlib.util.spec_from_file_location("fit_job", WORKERS / "fit_job.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _weights(path: Path) -> dict[str, np.ndarray]:
    return {name: tensor.numpy() for name, tensor in cr.load_state_dict(path).items()}


def test_fit_under_mpiexec_matches_one_process_and_resumes(tmp_path) -> None:
    alone = _fit_job().train(tmp_path, "alone").state_dict()
    for n in (2, 3):
        directory = tmp_path / f"n{n}"
        directory.mkdir()
        result = run_mpi(n, [str(WORKERS / "fit_job.py"), str(directory), "full"], timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout.count("epoch 1/4") == 1          # only rank 0 prints
        assert sorted(p.name for p in directory.iterdir()) == [
            "checkpoint.safetensors", "epoch1.safetensors", "epoch2.safetensors", "epoch3.safetensors",
            "epoch4.safetensors", "final.safetensors"]
        final = _weights(directory / "final.safetensors")
        for name, value in alone.items():
            np.testing.assert_allclose(final[name], value.numpy(), rtol=0, atol=TOLERANCE)
        metadata = cr.io.read_file(directory / "final.safetensors")[1]["metadata"]
        assert metadata["params"]["world_size"] == n and metadata["params"]["steps"] == 6   # global batches
    directory = tmp_path / "n2"
    result = run_mpi(2, [str(WORKERS / "fit_job.py"), str(directory), "resume"], timeout=60)
    assert result.returncode == 0, result.stderr
    assert "epoch 3/4" in result.stdout and "epoch 1/4" not in result.stdout
    resumed = _weights(directory / "resumed.safetensors")
    for name, value in alone.items():
        np.testing.assert_allclose(resumed[name], value.numpy(), rtol=0, atol=TOLERANCE)


def test_chainrule_train_under_mpiexec(tmp_path) -> None:
    from chainrule.cli import main

    arguments = ["train", "--dataset", "moons", "--epochs", "5", "--hidden", "8", "--batch-size", "16",
                 "--seed", "3", "--quiet"]
    # every output inside tmp_path: the in-process run's working folder is the test runner's
    assert main([*arguments, "--out", str(tmp_path / "alone.safetensors"), "--plot", str(tmp_path / "alone.png")]) == 0
    result = run_mpi(2, ["-m", "chainrule", *arguments, "--out", "mpi.safetensors", "--plot", "mpi.png",
                         "--checkpoint-dir", "ck"],
                     timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(re.findall(r"trained \d+ epochs", result.stdout)) == 1   # rank 0 alone reports
    mpi, alone = _weights(tmp_path / "mpi.safetensors"), _weights(tmp_path / "alone.safetensors")
    assert mpi.keys() == alone.keys()
    for name in alone:
        np.testing.assert_allclose(mpi[name], alone[name], rtol=0, atol=1e-5)
    assert (tmp_path / "ck" / "checkpoint.safetensors").is_file()
