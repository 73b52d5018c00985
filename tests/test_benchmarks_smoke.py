"""The benchmark scripts run end to end in smoke mode (untimed), so they cannot rot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
CORE_SCRIPTS = [
    "bench_guard.py",
    "bench_validators.py",
    "bench_import.py",
    "bench_canon.py",
    "bench_plugin.py",
    "bench_pii.py",
    "bench_output.py",
]


@pytest.mark.parametrize("script", CORE_SCRIPTS)
def test_benchmark_script_runs(script: str) -> None:
    """Each benchmark script completes in smoke mode and prints a table."""
    env = {**os.environ, "GUARDKIT_BENCH_SMOKE": "1"}
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / script)], capture_output=True, text=True, env=env, timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "Python" in out.stdout
