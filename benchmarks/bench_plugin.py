"""What the pytest plugin adds to a test run that does not use it.

Runs a small project of trivial tests in fresh pytest processes, with and without the plugin, in
alternating order, and reports the median wall times and their difference. Third-party plugin autoloading
is turned off in both runs so that only guardkit's plugin differs. Also reports the import time of
``_guardkit_pytestplugin`` on top of pytest (``python -X importtime``).

Run: python benchmarks/bench_plugin.py [--runs N] [--tests N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import SMOKE, environment

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with bytecode caches, as installed code runs
    return env


def _run(project: Path, with_plugin: bool) -> tuple[float, float]:
    """Run pytest once; return (wall ms, CPU ms of the pytest process)."""
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if with_plugin:
        args += ["-p", "_guardkit_pytestplugin"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(args, cwd=project, env=_env(), capture_output=True, text=True, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"pytest failed:\n{out.stdout}\n{out.stderr}")
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return elapsed, cpu


def import_ms() -> float:
    """Cumulative import time of _guardkit_pytestplugin after pytest."""
    code = "import pytest; import _guardkit_pytestplugin"
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], env=_env(), capture_output=True, text=True,
        check=True,
    ).stderr
    total = 0
    for line in err.splitlines():
        if not line.startswith("import time:"):
            continue
        _self, cumulative, name = line.split("|")
        if name.strip() == "_guardkit_pytestplugin":
            total += int(cumulative)
    return total / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2 if SMOKE else 15, help="runs of each variant")
    parser.add_argument("--tests", type=int, default=50, help="trivial tests in the project")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        body = "".join(f"def test_{i}():\n    assert True\n\n" for i in range(options.tests))
        (project / "test_plain.py").write_text(body, encoding="utf-8")
        _run(project, True)  # bytecode caches
        _run(project, False)
        runs: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        for _ in range(options.runs):
            for variant in (True, False):
                runs[variant].append(_run(project, variant))
    cost = statistics.median(import_ms() for _ in range(options.runs))
    if SMOKE:
        print(f"_{environment()}_\n\nsmoke run: {options.runs} runs each, untimed")
        return
    print(f"_{environment()}_\n")
    print(f"pytest run of {options.tests} trivial tests, {options.runs} alternating runs each "
          "(CPU time is steadier than wall time on a busy machine):\n")
    print("| variant | wall median ms | wall best ms | CPU median ms | CPU best ms |")
    print("|---|---|---|---|---|")
    for variant, label in ((False, "without the plugin"), (True, "with the plugin")):
        wall = [w for w, _ in runs[variant]]
        cpu = [c for _, c in runs[variant]]
        print(f"| {label} | {statistics.median(wall):.1f} | {min(wall):.1f} | "
              f"{statistics.median(cpu):.1f} | {min(cpu):.1f} |")
    added_cpu = statistics.median(c for _, c in runs[True]) - statistics.median(c for _, c in runs[False])
    added_wall = statistics.median(w for w, _ in runs[True]) - statistics.median(w for w, _ in runs[False])
    print(f"\nadded by the plugin (difference of medians): CPU {added_cpu:+.1f} ms, "
          f"wall {added_wall:+.1f} ms")
    print(f"import of _guardkit_pytestplugin after pytest (-X importtime, cumulative, median of "
          f"{options.runs} processes): {cost:.1f} ms")


if __name__ == "__main__":
    main()
