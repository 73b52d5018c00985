"""Precision, recall and F1 per kind of the default PII and Secrets validators on a labeled JSONL file.

Run: python benchmarks/eval_pii.py CORPUS.jsonl [--json]

The file has one object per line, ``{"text": ..., "spans": [{"start", "end", "type"}, ...]}``; the
report is the same as ``guardkit eval pii CORPUS.jsonl``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guardkit._eval import run_eval_pii


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="labeled JSONL file")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    return run_eval_pii(args.corpus, json_output=args.json)


if __name__ == "__main__":
    sys.exit(main())
