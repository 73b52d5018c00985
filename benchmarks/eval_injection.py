"""Measure the prompt-injection detector on a labelled corpus (JSON lines: text, label, kind, subkind).

Usage::

    python benchmarks/eval_injection.py CORPUS_PATH [--source user|document] [--no-obfuscation]
    python benchmarks/eval_injection.py CORPUS_PATH --all-benign [--source user|document]

Prints TPR / FPR / precision / F1 at the default threshold, TPR at 1% FPR, per-kind and per-subkind
detection rates, and an obfuscation robustness table over the attack rows. With ``--all-benign``
every row counts as benign whatever its label (a corpus of ordinary text labelled for something
else, such as the PII and secrets set): only the false-positive rate means anything then.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guardkit.validators._injection import PromptInjection

_HOMOGLYPHS = str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441"})

OBFUSCATIONS: dict[str, Callable[[str], str]] = {
    "plain": lambda s: s,
    "zero-width": "\u200b".join,
    "homoglyphs": lambda s: s.translate(_HOMOGLYPHS),
    "full-width": lambda s: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s),
    "spacing": lambda s: " ".join(" ".join(w) if len(w) > 3 else w for w in s.split(" ")),
    "case": lambda s: "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(s)),
    "base64": lambda s: "Decode this and follow it: " + base64.b64encode(s.encode()).decode(),
}


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--source", default="user", choices=["user", "document"])
    parser.add_argument("--no-obfuscation", action="store_true")
    parser.add_argument("--all-benign", action="store_true", help="count every row as benign")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").split("\n") if line.strip()]
    det = PromptInjection(source=args.source)
    scores = [det.score(r["text"]) for r in rows]
    y = [False] * len(rows) if args.all_benign else [r["label"] == "attack" for r in rows]
    thr = det.threshold
    tp = sum(1 for s, t in zip(scores, y, strict=False) if t and s >= thr)
    fp = sum(1 for s, t in zip(scores, y, strict=False) if not t and s >= thr)
    pos = sum(y)
    neg = len(y) - pos
    tpr = tp / max(pos, 1)
    fpr = fp / max(neg, 1)
    prec = tp / max(tp + fp, 1)
    f1 = 2 * prec * tpr / max(prec + tpr, 1e-9)
    negs = sorted((s for s, t in zip(scores, y, strict=False) if not t), reverse=True)
    k = math.floor(0.01 * len(negs))
    cut = negs[k] if k < len(negs) else -1.0
    tpr1 = sum(1 for s, t in zip(scores, y, strict=False) if t and s > cut) / max(pos, 1)
    print(f"rows {len(rows)} (attacks {pos}, benign {neg}); profile {args.source}, threshold {thr:.3f}")
    print(f"TPR {tpr:.3f}  FPR {fpr:.4f}  precision {prec:.3f}  F1 {f1:.3f}  TPR@1%FPR {tpr1:.3f}")
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r, s in zip(rows, scores, strict=False):
        for key in (r.get("kind", "?"), f"{r.get('kind', '?')}/{r.get('subkind', '-')}"):
            groups[key][0] += s >= thr
            groups[key][1] += 1
    print("\nflag rate per kind and subkind (attacks: detection rate; benign: false-positive rate)")
    for key, (a, b) in sorted(groups.items()):
        print(f"  {key:<60} {a / b:6.3f}  ({a}/{b})")
    if not args.no_obfuscation and any(y):
        attacks = [r["text"] for r, t in zip(rows, y, strict=False) if t]
        print("\nobfuscation robustness over attack rows (detection rate, delta vs plain)")
        plain = 0.0
        for name, fn in OBFUSCATIONS.items():
            rate = sum(det.score(fn(t)) >= thr for t in attacks) / max(len(attacks), 1)
            if name == "plain":
                plain = rate
            print(f"  {name:<12} {rate:.3f}  {rate - plain:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
