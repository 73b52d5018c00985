"""Shared timing helpers for the benchmark scripts (standard library only)."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

SMOKE = os.environ.get("GUARDKIT_BENCH_SMOKE") == "1"


def per_call_ns(fn: Callable[[], Any], *, number: int | None = None, repeat: int = 7) -> tuple[float, float]:
    """Return (median, best) nanoseconds per call over *repeat* runs of *number* calls."""
    if SMOKE:
        fn()
        return (0.0, 0.0)
    if number is None:
        number = 1
        while True:
            t0 = time.perf_counter_ns()
            for _ in range(number):
                fn()
            if time.perf_counter_ns() - t0 > 50_000_000 or number >= 1 << 22:
                break
            number *= 2
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter_ns() - t0) / number)
    return statistics.median(runs), min(runs)


def environment() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = "?"
    cpu = platform.processor() or platform.machine()
    return f"Python {sys.version.split()[0]}, {cpu}, {os.cpu_count()} cores, commit {commit or '?'}"


def inputs() -> dict[str, str]:
    """Clean English-like inputs of about 300 B, 4 KB and 64 KB."""
    sentence = (
        "Please summarize the quarterly report and list the three main risks for the team. "
        "Keep the answer short, friendly and factual. "
    )
    def sized(n: int) -> str:
        return (sentence * (n // len(sentence) + 1))[:n]
    return {"300B": sized(300), "4KB": sized(4096), "64KB": sized(65536)}


def compare(a: Callable[[], Any], b: Callable[[], Any], *, repeat: int = 15) -> tuple[float, float]:
    """Time *a* and *b* in alternating runs (so machine noise hits both alike); return the two
    medians in nanoseconds per call."""
    if SMOKE:
        a()
        b()
        return (0.0, 0.0)
    number = 1
    while True:
        t0 = time.perf_counter_ns()
        for _ in range(number):
            a()
        if time.perf_counter_ns() - t0 > 20_000_000 or number >= 1 << 20:
            break
        number *= 2
    runs_a, runs_b = [], []
    for _ in range(repeat):
        for fn, runs in ((a, runs_a), (b, runs_b)):
            t0 = time.perf_counter_ns()
            for _ in range(number):
                fn()
            runs.append((time.perf_counter_ns() - t0) / number)
    return statistics.median(runs_a), statistics.median(runs_b)
