"""Time of `import guardkit` on top of the bare interpreter (median of fresh processes).

Run: python benchmarks/bench_import.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import SMOKE, environment

ROOT = Path(__file__).resolve().parents[1]


def cumulative_us(code: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure the installed case, with bytecode caches
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, env=env, check=True
    ).stderr
    return sum(int(line.split("|")[1]) for line in out.splitlines() if line.startswith("import time:")
               and line.split("|")[2].startswith(" ") and not line.split("|")[2].startswith("  "))


def wall_ms(code: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    probe = f"import time; t=time.perf_counter(); {code}; print((time.perf_counter()-t)*1000)"
    return float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                                check=True).stdout)


def main() -> None:
    runs = 3 if SMOKE else 21
    wall_ms("import guardkit")  # write bytecode caches
    times = [wall_ms("import guardkit") for _ in range(runs)]
    print(f"_{environment()}_\n")
    print(f"import guardkit: median {statistics.median(times):.1f} ms, best {min(times):.1f} ms "
          f"over {runs} fresh interpreters")


if __name__ == "__main__":
    main()
