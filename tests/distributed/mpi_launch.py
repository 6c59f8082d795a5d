"""Start real MPI jobs from the tests: ``mpiexec -n N python -m mpi4py <worker>`` as a subprocess.

``mpiexec`` is the one next to this Python (pip's ``mpich`` package installs it into the environment's
scripts directory), else the first on PATH. Each job gets a timeout: a hang fails the test instead of
hanging the suite. The chainrule under test is put first on the workers' PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

import chainrule

WORKERS = Path(__file__).resolve().parent / "workers"


def find_mpiexec() -> str:
    candidates = [Path(sysconfig.get_path("scripts")) / "mpiexec", Path(sys.executable).parent / "mpiexec"]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("mpiexec")
    if found is None:
        pytest.fail("mpiexec not found: install the MPI extra with pip install -e '.[mpi]' (mpi4py and mpich)")
    return found


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    source = str(Path(chainrule.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([source, *filter(None, [env.get("PYTHONPATH")])])
    # One BLAS thread per process: N processes on a few cores must not fight over threads.
    env.update({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    return env


def run_mpi(n: int, args: list[str], timeout: float = 60, cwd: str | Path | None = None,
            module: bool = True) -> subprocess.CompletedProcess[str]:
    """``mpiexec -n n python [-m mpi4py] args...``; fails the test if the job outlives ``timeout``."""
    command = [find_mpiexec(), "-n", str(n), sys.executable, *(["-m", "mpi4py"] if module else []), *args]
    # Its own session: no signal meant for the job reaches pytest, and a job that hangs is killed whole.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=worker_env(), cwd=cwd, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"MPI job did not end within {timeout} s: {' '.join(command)}\n{stdout}\n{stderr}")
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def run_worker(n: int, worker: str, out: Path, *extra: str, timeout: float = 60) -> dict[str, Any]:
    """Run ``workers/<worker>`` on ``n`` processes; return the JSON that rank 0 wrote to ``out``."""
    result = run_mpi(n, [str(WORKERS / worker), str(out), *extra], timeout=timeout)
    assert result.returncode == 0, f"MPI job failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return json.loads(out.read_text())
