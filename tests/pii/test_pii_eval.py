"""Span scoring: exact and overlap matching, per-kind and micro totals, bad rows, and the report."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardkit._errors import ConfigError
from guardkit._eval import Score, evaluate_pii, format_report, load_rows, merge_findings, run_eval_pii
from guardkit._types import Finding


def fixed(*found: tuple[int, int, str]) -> object:
    """A detector returning the same findings for every text."""
    return lambda text: [Finding("t." + kind.lower(), kind, s, e) for s, e, kind in found]


ROW = {
    "text": "x" * 40,
    "spans": [{"start": 0, "end": 5, "type": "EMAIL"}, {"start": 10, "end": 20, "type": "PHONE"}],
}


@pytest.mark.parametrize(
    ("predicted", "exact", "overlap"),
    [
        ([(0, 5, "EMAIL"), (10, 20, "PHONE")], Score(2, 0, 0), Score(2, 0, 0)),
        ([(0, 4, "EMAIL"), (12, 25, "PHONE")], Score(0, 2, 2), Score(2, 0, 0)),  # partial overlaps
        ([(0, 5, "PHONE")], Score(0, 1, 2), Score(0, 1, 2)),  # right span, wrong kind
        ([(25, 30, "EMAIL")], Score(0, 1, 2), Score(0, 1, 2)),  # no overlap
        ([], Score(0, 0, 2), Score(0, 0, 2)),
    ],
)
def test_matching(predicted: list[tuple[int, int, str]], exact: Score, overlap: Score) -> None:
    """Exact needs identical spans and kinds; overlap needs one shared character and the kind."""
    report = evaluate_pii([ROW], [fixed(*predicted)])
    assert report.exact == exact
    assert report.overlap == overlap


def test_overlap_is_one_to_one() -> None:
    """Two predictions overlapping one gold span count one hit and one false positive."""
    report = evaluate_pii([ROW], [fixed((0, 2, "EMAIL"), (3, 5, "EMAIL"))])
    assert report.kinds["EMAIL"].overlap == Score(1, 1, 0)


def test_type_agnostic_overlap() -> None:
    """The agnostic score ignores kinds."""
    report = evaluate_pii([ROW], [fixed((0, 5, "PHONE"), (10, 20, "EMAIL"))])
    assert report.agnostic == Score(2, 0, 0)
    assert report.overlap.tp == 0


def test_detectors_are_merged_outer_first() -> None:
    """Findings of several detectors are merged so an inner span yields to the outer one."""
    report = evaluate_pii([ROW], [fixed((10, 20, "PHONE")), fixed((12, 14, "EMAIL")), fixed((0, 5, "EMAIL"))])
    assert report.exact == Score(2, 0, 0)
    assert [(f.start, f.end) for f in merge_findings(fixed((0, 9, "A"), (2, 4, "B"))(""))] == [(0, 9)]


def test_rates() -> None:
    """Precision, recall and F1 follow their definitions; empty cases count as perfect."""
    score = Score(tp=3, fp=1, fn=2)
    assert score.precision == pytest.approx(0.75)
    assert score.recall == pytest.approx(0.6)
    assert score.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert Score().precision == Score().recall == 1.0


LINES = [
    json.dumps(
        {
            "id": "a",
            "text": "Mail jane@example.org or call +1 415 555 0134.",
            "spans": [{"start": 5, "end": 21, "type": "EMAIL"}, {"start": 30, "end": 45, "type": "PHONE"}],
        }
    ),
    "",
    json.dumps({"id": "b", "text": "Nothing here, version 1.2.3.4.", "spans": []}),
]


def test_load_and_score_real_detectors(tmp_path: Path) -> None:
    """The CLI entry point scores the default validators on a small file and prints a table."""
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    out = io.StringIO()
    assert run_eval_pii(str(path), out=out) == 0
    table = out.getvalue()
    for word in ("EMAIL", "PHONE", "micro"):
        assert word in table
    assert "1.000" in table
    out = io.StringIO()
    run_eval_pii(str(path), json_output=True, out=out)
    data = json.loads(out.getvalue())
    assert data["micro"]["exact"]["f1"] == 1.0
    assert data["rows"] == 2


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: invalid JSON"),
        ("[1, 2]", "line 2: expected a JSON object"),
        ('{"spans": []}', "line 2: 'text'"),
        ('{"text": "abc", "spans": {}}', "line 2: 'spans'"),
        ('{"text": "abc", "spans": [{"start": 0, "end": 9, "type": "EMAIL"}]}', "line 2: span 0"),
        ('{"text": "abc", "spans": [{"start": "0", "end": 2, "type": "EMAIL"}]}', "line 2: span 0"),
        ('{"text": "abc", "spans": [{"start": 0, "end": 2}]}', "line 2: span 0 needs a string"),
    ],
)
def test_bad_rows_name_the_line(line: str, message: str) -> None:
    """A malformed row raises ConfigError naming its line number."""
    with pytest.raises(ConfigError, match=message):
        load_rows([LINES[0], line])


def test_format_report_lists_every_kind() -> None:
    """The table has a row per kind, micro totals and the agnostic score."""
    report = evaluate_pii(load_rows(LINES), [fixed((5, 21, "EMAIL"))])
    table = format_report(report)
    assert table.count("\n") >= 6
    assert "any kind" in table
    assert "PHONE" in table
