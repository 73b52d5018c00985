"""benchmarks/bench_tokens.py runs end to end in smoke mode (untimed), so it cannot rot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_tokens.py"


def test_bench_tokens_runs_in_smoke_mode() -> None:
    """The script completes untimed and prints its table with every case."""
    env = {**os.environ, "GUARDKIT_BENCH_SMOKE": "1"}
    out = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr
    assert "SpecialTokens.check" in out.stdout
    assert "Spotlight.wrap datamark" in out.stdout
