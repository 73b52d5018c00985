"""A policy of N pattern checks vs the same compiled patterns in a plain loop, per input size.

Run: python benchmarks/bench_validators.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import compare, environment, inputs, per_call_ns

import guardkit as gk

PATTERNS = [
    r"(?i)\bdrop\s+table\b",
    r"\b\d{3}-\d{2}-\d{4}\b",
    r"(?i)\bignore\s+(?:all\s+)?previous\s+instructions\b",
    r"\bAKIA[0-9A-Z]{16}\b",
    r"(?i)\bpassword\s*[:=]",
    r"\bsk-[A-Za-z0-9]{20,}\b",
    r"(?i)\binternal[- ]only\b",
    r"\b(?:\d{1,3}\.){3}\d{1,3}\b",
]


def main() -> None:
    print(f"_{environment()}_\n")
    print("## policy of N DenyPatterns checks vs the same compiled patterns in a plain loop\n")
    print("| N | input | plain loop (µs) | policy.check_input (µs) | ratio |")
    print("|---:|---|---:|---:|---:|")
    for n in (1, 4, 8):
        checks = [gk.DenyPatterns(p, name=f"p{i}") for i, p in enumerate(PATTERNS[:n])]
        policy = gk.Policy(input=checks)
        compiled = [c._compiled[0] for c in checks]
        for label, text in inputs().items():

            def plain(text: str = text) -> list[object]:
                return [m.span() for p in compiled for m in p.finditer(text, timeout=0.1)]

            base, guarded = compare(plain, lambda text=text: policy.check_input(text))
            ratio = guarded / max(base, 1e-9)
            print(f"| {n} | {label} | {base / 1000:.1f} | {guarded / 1000:.1f} | {ratio:.2f}x |")

    print("\n## single checks, clean input (µs per check)\n")
    print("| check | 300B | 4KB | 64KB |")
    print("|---|---:|---:|---:|")
    checks = {
        "InvisibleChars": gk.InvisibleChars(),
        "MaxChars": gk.MaxChars(100_000),
        "MaxTokens(4000)": gk.MaxTokens(4000),
        "DenySubstrings(1000 entries)": gk.DenySubstrings([f"term{i}" for i in range(1000)]),
    }
    data = inputs()
    for name, check in checks.items():
        cells = []
        for text in data.values():
            med, _ = per_call_ns(lambda c=check, t=text: c.check(t))
            cells.append(f"{med / 1000:.1f}")
        print(f"| {name} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
