"""Overhead of guard() over a bare call for the four call styles, and streaming cost per chunk.

Run: python benchmarks/bench_guard.py
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import compare, environment, per_call_ns

import guardkit as gk


def bare(prompt: str) -> str:
    return prompt


async def abare(prompt: str) -> str:
    return prompt


def gen(prompt: str):  # type: ignore[no-untyped-def]
    yield prompt


async def agen(prompt: str):  # type: ignore[no-untyped-def]
    yield prompt


def overheads() -> None:
    empty = gk.Policy()
    print("## guarded no-op call vs bare call (empty policy)\n")
    print("| style | bare (ns) | guarded (ns) | overhead (ns) |")
    print("|---|---:|---:|---:|")
    g_sync = gk.guard(empty)(bare)
    b, g = compare(lambda: bare("hi"), lambda: g_sync("hi"))
    print(f"| sync | {b:.0f} | {g:.0f} | {g - b:.0f} |")

    g_gen = gk.guard(empty)(gen)
    b, g = compare(lambda: list(gen("hi")), lambda: list(g_gen("hi")))
    print(f"| generator | {b:.0f} | {g:.0f} | {g - b:.0f} |")

    loop = asyncio.new_event_loop()
    g_async = gk.guard(empty)(abare)

    async def many(fn, n: int = 1000) -> None:  # type: ignore[no-untyped-def]
        for _ in range(n):
            await fn("hi")

    b, g = compare(lambda: loop.run_until_complete(many(abare)),
                   lambda: loop.run_until_complete(many(g_async)))
    print(f"| async | {b / 1000:.0f} | {g / 1000:.0f} | {(g - b) / 1000:.0f} |")

    g_agen = gk.guard(empty)(agen)

    async def drain(fn, n: int = 1000) -> None:  # type: ignore[no-untyped-def]
        for _ in range(n):
            async for _chunk in fn("hi"):
                pass

    b, g = compare(lambda: loop.run_until_complete(drain(agen)),
                   lambda: loop.run_until_complete(drain(g_agen)))
    print(f"| async generator | {b / 1000:.0f} | {g / 1000:.0f} | {(g - b) / 1000:.0f} |")
    loop.close()


def streaming() -> None:
    policy = gk.Policy(output=[gk.DenySubstrings(["internal-only", "confidential"], action="redact"),
                               gk.DenyPatterns(r"\b\d{3}-\d{2}-\d{4}\b", action="redact")])
    print("\n## streaming: cost per 4-character chunk at different stream positions\n")
    print("| already streamed | ns per chunk (median) |")
    print("|---:|---:|")
    chunk = "word"
    for already in (0, 10_000, 100_000, 1_000_000):
        stream = gk.OutputStream(policy, None)
        warm = chunk * (already // len(chunk))
        if warm:
            stream.feed(warm)
        med, _ = per_call_ns(lambda s=stream: s.feed(chunk), number=20_000)
        print(f"| {already:,} chars | {med:.0f} |")


if __name__ == "__main__":
    print(f"_{environment()}_\n")
    overheads()
    streaming()
