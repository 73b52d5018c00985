"""Speed of the PII and Secrets validators: a labeled corpus, and 4 KB vs 1 MB inputs (linearity).

Run: python benchmarks/bench_pii.py [CORPUS.jsonl]

With a corpus, times ``PII().check`` plus ``Secrets().check`` over every row (milliseconds per 1,000
rows, median and best of several passes). Always times synthetic mixed-content inputs of 4 KB and
1 MB and reports how much longer the large one takes (about 256x means linear).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import SMOKE, environment

from guardkit.validators._pii import PII
from guardkit.validators._secrets import Secrets

# Hand-written lines in the styles PII and secrets show up in: logs, config, chat, e-mail, JSON.
LINES = (
    "2024-05-04 21:03:11,541 INFO [export] report available at https://app.example.com/downloads/7731",
    "2024-05-04 21:03:12,002 WARN [auth] 5 failed logins from 203.0.113.{n} user=ops{n}@example.org",
    "Hi team, please call me at +1 415 555 {n:04d} or write to jane.doe{n}@example.com before Friday.",
    "The parcel 6925 1997 {n:04d} is stuck in customs; order RE-44{n:04d} shipped on 2024-03-11.",
    'payload = {{"user": "u{n}", "ip": "10.0.{m}.{m}", "sku": "614-427-{n:04d}-XL", "ok": true}}',
    "export AWS_REGION=eu-west-1 LOG_LEVEL=info WORKERS=8 # build 10.0.19045.{n}",
    "Kontoverbindung bitte an die Buchhaltung schicken; Rückfragen gerne per Mail.",
    "GITHUB_TOKEN=ghp_{tok} # rotate monthly",
    "Card on file: 4111 1111 1111 1111, SSN 123-45-{n:04d}, IBAN DE89 3704 0044 0532 0130 00.",
    "DATABASE_URL=postgres://app:Winter{n}!@db.internal:5432/app?sslmode=require",
    "メールアドレスはtaro{n}@example.jpです。お電話は03-1234-{n:04d}までお願いします。",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.",
)
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def synthetic(size: int) -> str:
    """Mixed content of about *size* characters, built from LINES with varying values."""
    out: list[str] = []
    total = 0
    n = 0
    while total < size:
        tok = "".join(TOKEN_ALPHABET[(n * 7 + i * 13) % 62] for i in range(36))
        line = LINES[n % len(LINES)].format(n=n % 10000, m=n % 250, tok=tok)
        out.append(line)
        total += len(line) + 1
        n += 1
    return "\n".join(out)[:size]


def timed(fn, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(median, best) seconds of *repeat* calls of *fn*."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), min(runs)


def main() -> None:
    pii, secrets = PII(), Secrets()

    def both(text: str) -> None:
        pii.check(text)
        secrets.check(text)

    print(f"_{environment()}_\n")
    if len(sys.argv) > 1:
        rows = [
            json.loads(line)["text"] for line in Path(sys.argv[1]).read_text("utf-8").splitlines() if line
        ]
        if SMOKE:
            rows = rows[:50]

        def corpus() -> None:
            for text in rows:
                both(text)

        corpus()  # warm up: compiles the detectors
        median, best = timed(corpus, 1 if SMOKE else 7)
        per_1k = 1000 / max(len(rows), 1)
        print("## PII + Secrets over a labeled corpus\n")
        print("| rows | ms per 1,000 rows (median) | best |")
        print("|---:|---:|---:|")
        print(f"| {len(rows)} | {median * per_1k * 1000:.1f} | {best * per_1k * 1000:.1f} |\n")

    small, large = synthetic(4096), synthetic(1 << 20)
    # Fresh string objects: validators share work per text object, so reusing one would time a cache.
    copies = [(small + " ")[:-1] for _ in range(50)]
    both(small)
    s_med, s_best = timed(lambda: [both(text) for text in copies], 1 if SMOKE else 7)
    l_med, l_best = timed(lambda: both((large + " ")[:-1]), 1 if SMOKE else 5)
    s_med, s_best = s_med / 50, s_best / 50
    print("## Linearity: synthetic mixed content\n")
    print("| input | ms (median) | best |")
    print("|---|---:|---:|")
    print(f"| 4 KB | {s_med * 1000:.3f} | {s_best * 1000:.3f} |")
    print(f"| 1 MB | {l_med * 1000:.1f} | {l_best * 1000:.1f} |")
    ratio = l_med / s_med if s_med else 0.0
    print(f"\n1 MB / 4 KB time ratio: {ratio:.0f}x (256x is linear)")


if __name__ == "__main__":
    main()
