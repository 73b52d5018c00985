"""The guardkit command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

from guardkit import cli

POLICY = """
[[input]]
check = "DenySubstrings"
substrings = ["internal-only"]
"""


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def test_check_clean_stdin_exits_zero() -> None:
    """Clean text exits 0 with the recommended policy."""
    code, out, _ = run("check", "-", stdin="hello world")
    assert code == 0
    assert "checked 1 file(s)" in out


def test_check_blocked_file_exits_one(tmp_path: Path) -> None:
    """A blocked file exits 1 and is reported by position and rule, not content."""
    policy = tmp_path / "guardkit.toml"
    policy.write_text(POLICY)
    doc = tmp_path / "docs"
    doc.mkdir()
    (doc / "a.txt").write_text("fine\nthis is internal-only\n")
    (doc / "b.txt").write_text("fine\n")
    (doc / "c.bin").write_bytes(b"\0\1\2")
    code, out, _ = run("check", "--policy", str(policy), str(doc))
    assert code == 1
    assert "a.txt:2:9: block deny_substrings DENIED_SUBSTRING" in out
    assert "internal-only" not in out.replace("internal-only", "", 0).split("\n", 1)[0]
    assert "skipped 1 binary" in out


def test_check_json_output(tmp_path: Path) -> None:
    """--json prints one machine-readable report."""
    policy = tmp_path / "guardkit.toml"
    policy.write_text(POLICY)
    code, out, _ = run("check", "--json", "--policy", str(policy), "-", stdin="x internal-only")
    report = json.loads(out)
    assert code == 1
    assert report["files"][0]["findings"][0]["rule"] == "deny_substrings"
    assert report["summary"]["actions"] == {"block": 1}
    assert "internal-only" not in json.dumps(report["files"])


def test_usage_and_config_errors_exit_two(tmp_path: Path) -> None:
    """Bad arguments, missing files and bad policies exit 2 with a message."""
    assert run("check", str(tmp_path / "missing"))[0] == 2
    assert run("frobnicate")[0] == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[[input]]\ncheck = 'Nope'\n")
    code, _, err = run("check", "--policy", str(bad), "-", stdin="x")
    assert code == 2
    assert "unknown check" in err
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe garbage")
    code, _, err = run("policy", "validate", str(binary))
    assert code == 2
    assert "not UTF-8" in err
    assert "Traceback" not in err


def test_policy_validate(tmp_path: Path) -> None:
    """policy validate reports a valid policy and rejects an invalid one."""
    good = tmp_path / "guardkit.toml"
    good.write_text(POLICY)
    code, out, _ = run("policy", "validate", str(good))
    assert code == 0
    assert "valid policy" in out
    bad = tmp_path / "bad.toml"
    bad.write_text("nonsense = true\n")
    assert run("policy", "validate", str(bad))[0] == 2


def test_progress_bar_when_asked(tmp_path: Path) -> None:
    """--progress always draws a bar on stderr for several files."""
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text("ok")
    code, _, err = run("check", "--progress", "always", str(tmp_path))
    assert code == 0
    assert "3/3" in err
