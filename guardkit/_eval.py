"""Score span detectors on a labeled JSONL file: precision, recall and F1 per kind.

Each row is ``{"text": ..., "spans": [{"start": s, "end": e, "type": KIND}, ...]}`` with ``str``
offsets. Predictions are scored under two matching rules, **exact** (same start, end and type) and
**overlap** (one-to-one, same type, at least one shared character), plus a type-agnostic overlap
score. This backs ``guardkit eval pii FILE.jsonl``.
"""

from __future__ import annotations

import json
import sys
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from guardkit._errors import ConfigError
from guardkit._types import Finding

__all__ = [
    "KindScore",
    "PiiReport",
    "Score",
    "evaluate_pii",
    "format_report",
    "load_rows",
    "merge_findings",
    "run_eval_pii",
]

Span = tuple[int, int, str]
Detector = Callable[[str], Sequence[Finding]]


@dataclass(frozen=True, slots=True)
class Score:
    """True positives, false positives and false negatives, with the derived rates."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """``tp / (tp + fp)``, 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """``tp / (tp + fn)``, 1.0 when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict[str, float | int]:
        """The counts and rates as a JSON-ready dict."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(frozen=True, slots=True)
class KindScore:
    """Scores of one kind under both matching rules."""

    gold: int
    predicted: int
    exact: Score
    overlap: Score


@dataclass(frozen=True, slots=True)
class PiiReport:
    """Result of :func:`evaluate_pii`.

    Attributes:
        rows: Rows scored.
        kinds: Per-kind scores, for every kind in the gold spans or the predictions.
        exact: Micro totals under exact matching.
        overlap: Micro totals under overlap matching.
        agnostic: Overlap matching that ignores the kind ("were those characters flagged at all").
        seconds: Wall time spent in the detectors.
    """

    rows: int
    kinds: Mapping[str, KindScore] = field(default_factory=dict)
    exact: Score = Score()
    overlap: Score = Score()
    agnostic: Score = Score()
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {
            "rows": self.rows,
            "seconds": round(self.seconds, 4),
            "micro": {"exact": self.exact.to_dict(), "overlap": self.overlap.to_dict()},
            "agnostic_overlap": self.agnostic.to_dict(),
            "kinds": {
                kind: {
                    "gold": ks.gold,
                    "predicted": ks.predicted,
                    "exact": ks.exact.to_dict(),
                    "overlap": ks.overlap.to_dict(),
                }
                for kind, ks in sorted(self.kinds.items())
            },
        }


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Combine findings of several validators so none overlap: the longest span wins.

    This is how redaction treats overlapping findings too (the outer one replaces the inner).
    """
    starts: list[int] = []
    ends: list[int] = []
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start - f.end, f.start)):
        if f.end <= f.start:
            continue
        i = bisect_right(starts, f.start)
        if (i > 0 and ends[i - 1] > f.start) or (i < len(starts) and starts[i] < f.end):
            continue
        starts.insert(i, f.start)
        ends.insert(i, f.end)
        kept.insert(i, f)
    return kept


def _overlap_matches(gold: list[Span], pred: list[Span], typed: bool) -> int:
    """Count one-to-one matches sharing at least one character (and the kind when *typed*)."""
    used = [False] * len(gold)
    matches = 0
    for ps, pe, pk in sorted(pred):
        best = -1
        best_shared = 0
        for i, (gs, ge, gk) in enumerate(gold):
            if used[i] or (typed and gk != pk):
                continue
            shared = min(pe, ge) - max(ps, gs)
            if shared > best_shared:
                best, best_shared = i, shared
        if best >= 0:
            used[best] = True
            matches += 1
    return matches


def _by_kind(spans: Iterable[Span]) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = {}
    for span in spans:
        out.setdefault(span[2], []).append(span)
    return out


def evaluate_pii(rows: Iterable[Mapping[str, Any]], detectors: Sequence[Detector | object]) -> PiiReport:
    """Score *detectors* on labeled *rows*.

    Args:
        rows: Mappings with ``text`` and ``spans`` (``start``, ``end``, ``type``), as in the corpus
            format; see :func:`load_rows`.
        detectors: Validators (objects with ``check(text)``) or callables returning findings. Their
            findings are merged with :func:`merge_findings` before scoring.

    Returns:
        The :class:`PiiReport`.
    """
    checks: list[Detector] = []
    for det in detectors:
        check = getattr(det, "check", det)
        if not callable(check):
            raise ConfigError(f"evaluate_pii: {det!r} is neither a validator nor a callable")
        checks.append(check)
    counts: dict[str, list[int]] = {}  # kind -> [gold, pred, tp_exact, tp_overlap]
    agnostic_tp = gold_total = pred_total = 0
    elapsed = 0.0
    n = 0
    for row in rows:
        n += 1
        text = row["text"]
        gold = [(int(s["start"]), int(s["end"]), str(s["type"])) for s in row.get("spans", ())]
        t0 = time.perf_counter()
        found: list[Finding] = []
        for check in checks:
            found.extend(check(text))
        elapsed += time.perf_counter() - t0
        pred = [(f.start, f.end, f.kind) for f in merge_findings(found)]
        gold_total += len(gold)
        pred_total += len(pred)
        agnostic_tp += _overlap_matches(gold, pred, typed=False)
        gold_by, pred_by = _by_kind(gold), _by_kind(pred)
        for kind in set(gold_by) | set(pred_by):
            g, p = gold_by.get(kind, []), pred_by.get(kind, [])
            c = counts.setdefault(kind, [0, 0, 0, 0])
            c[0] += len(g)
            c[1] += len(p)
            c[2] += len(set(g) & set(p))
            c[3] += _overlap_matches(g, p, typed=True)
    kinds = {
        kind: KindScore(
            gold=g,
            predicted=p,
            exact=Score(te, p - te, g - te),
            overlap=Score(to, p - to, g - to),
        )
        for kind, (g, p, te, to) in counts.items()
    }
    exact = sum((k.exact for k in kinds.values()), Score())
    overlap = sum((k.overlap for k in kinds.values()), Score())
    agnostic = Score(agnostic_tp, pred_total - agnostic_tp, gold_total - agnostic_tp)
    return PiiReport(n, kinds, exact, overlap, agnostic, elapsed)


def format_report(report: PiiReport) -> str:
    """Render *report* as a plain-text table."""
    head = f"{'kind':<22} {'gold':>5} {'pred':>5}  {'P':>6} {'R':>6} {'F1':>6}  {'P':>6} {'R':>6} {'F1':>6}"
    lines = [
        f"{'':<34}  {'exact':^20}  {'overlap':^20}",
        head,
        "-" * len(head),
    ]

    def row(label: str, gold: int, pred: int, exact: Score, overlap: Score) -> str:
        return (
            f"{label:<22} {gold:>5} {pred:>5}  {exact.precision:>6.3f} {exact.recall:>6.3f} "
            f"{exact.f1:>6.3f}  {overlap.precision:>6.3f} {overlap.recall:>6.3f} {overlap.f1:>6.3f}"
        )

    for kind, ks in sorted(report.kinds.items()):
        lines.append(row(kind, ks.gold, ks.predicted, ks.exact, ks.overlap))
    lines.append("-" * len(head))
    gold = sum(k.gold for k in report.kinds.values())
    pred = sum(k.predicted for k in report.kinds.values())
    lines.append(row("micro", gold, pred, report.exact, report.overlap))
    ag = report.agnostic
    lines.append(
        f"{'any kind (overlap)':<22} {gold:>5} {pred:>5}  {'':>20}  "
        f"{ag.precision:>6.3f} {ag.recall:>6.3f} {ag.f1:>6.3f}"
    )
    per_1k = 1000 * report.seconds / report.rows if report.rows else 0.0
    lines.append(f"{report.rows} rows, {report.seconds:.3f} s in detectors ({per_1k:.3f} s per 1,000 rows)")
    return "\n".join(lines)


def _check_row(obj: object, lineno: int) -> dict[str, Any]:
    where = f"line {lineno}"
    if not isinstance(obj, dict):
        raise ConfigError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ConfigError(f"{where}: 'text' must be a string")
    spans = obj.get("spans", [])
    if not isinstance(spans, list):
        raise ConfigError(f"{where}: 'spans' must be a list")
    for i, span in enumerate(spans):
        if not isinstance(span, dict):
            raise ConfigError(f"{where}: span {i} must be an object")
        start, end, kind = span.get("start"), span.get("end"), span.get("type")
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
            raise ConfigError(f"{where}: span {i} needs integer 'start' and 'end'")
        if not 0 <= start < end <= len(text):
            raise ConfigError(f"{where}: span {i} ({start}, {end}) is outside the text")
        if not isinstance(kind, str) or not kind:
            raise ConfigError(f"{where}: span {i} needs a string 'type'")
    return obj


def load_rows(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Parse JSONL *lines* into checked rows; blank lines are skipped.

    Raises:
        ConfigError: A line is not valid JSON or not a well-formed row (the message names the line).
    """
    rows: list[dict[str, Any]] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"line {lineno}: invalid JSON ({exc.msg})") from None
        rows.append(_check_row(obj, lineno))
    return rows


def run_eval_pii(path: str, *, json_output: bool = False, out: IO[str] | None = None) -> int:
    """Score the default ``PII`` and ``Secrets`` validators on the JSONL file at *path*.

    Args:
        path: A file in the corpus schema (``-`` reads standard input).
        json_output: Print the report as JSON instead of a table.
        out: Where to print (standard output by default).

    Returns:
        The exit code, 0.

    Raises:
        ConfigError: A row is malformed (the message names the line number).
        OSError: The file cannot be read.
    """
    from guardkit.validators._pii import PII
    from guardkit.validators._secrets import Secrets

    stream = out or sys.stdout
    if path == "-":
        rows = load_rows(sys.stdin)
    else:
        with open(path, encoding="utf-8") as fh:
            rows = load_rows(fh)
    report = evaluate_pii(rows, [PII(), Secrets()])
    if json_output:
        json.dump(report.to_dict(), stream, indent=2)
        stream.write("\n")
    else:
        stream.write(format_report(report) + "\n")
    return 0
