"""The guardkit command line."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

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
    (doc / "c.bin").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    code, out, _ = run("check", "--policy", str(policy), str(doc))
    assert code == 1
    assert "a.txt:2:9: block deny_substrings DENIED_SUBSTRING" in out
    assert "internal-only" not in out.replace("internal-only", "", 0).split("\n", 1)[0]
    assert "skipped 1 binary" in out
    assert f"{doc / 'c.bin'}: skipped (binary)" in out


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


def test_a_nul_byte_does_not_hide_a_text_file(tmp_path: Path) -> None:
    """A UTF-8 file with NUL bytes is text and is checked; only text that is not UTF-8 and holds
    a NUL byte is skipped as binary, and --binary check checks that too."""
    policy = tmp_path / "guardkit.toml"
    policy.write_text(POLICY)
    hidden = tmp_path / "hidden.txt"
    hidden.write_bytes(b"\0\0this is internal-only\n")
    code, out, _ = run("check", "--policy", str(policy), str(hidden))
    assert code == 1
    assert "block deny_substrings" in out
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\xff\0 internal-only")
    code, out, _ = run("check", "--policy", str(policy), str(binary))
    assert code == 0
    assert "skipped 1 binary" in out
    code, out, _ = run("check", "--binary", "check", "--policy", str(policy), str(binary))
    assert code == 1
    assert "checked 1 file(s)" in out


def test_utf16_and_utf32_files_with_a_byte_order_mark_are_text(tmp_path: Path) -> None:
    """Files that start with a byte-order mark are decoded with it, not skipped as binary."""
    policy = tmp_path / "guardkit.toml"
    policy.write_text(POLICY)
    for codec in ("utf-16", "utf-16-be", "utf-32", "utf-32-be", "utf-8-sig"):
        path = tmp_path / f"{codec}.txt"
        data = "keep this internal-only".encode(codec)
        if codec.endswith("-be"):
            data = ("\ufeff" + "keep this internal-only").encode(codec)
        path.write_bytes(data)
        code, out, _ = run("check", "--policy", str(policy), str(path))
        assert code == 1, codec
        assert ":1:11: block deny_substrings" in out, codec


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs symbolic links and named pipes (POSIX)")
def test_broken_links_are_skipped_and_unreadable_files_exit_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a directory, a link to nothing is skipped and listed; a file or directory that cannot
    be read is reported and makes the run exit 2, while the other files are still checked."""
    policy = tmp_path / "guardkit.toml"
    policy.write_text(POLICY)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.txt").write_text("internal-only\n")
    os.symlink(tree / "missing.txt", tree / "link.txt")
    code, out, _ = run("check", "--json", "--policy", str(policy), str(tree))
    report = json.loads(out)
    assert code == 1
    assert report["skipped"] == [{"path": str(tree / "link.txt"), "reason": "broken link"}]
    assert report["summary"]["skipped_other"] == 1
    os.mkfifo(tree / "pipe")  # reading it would wait for a writer forever
    code, out, _ = run("check", "--policy", str(policy), str(tree))
    assert code == 1
    assert "link.txt: skipped (broken link)" in out
    assert "pipe: skipped (not a regular file)" in out
    assert "skipped 2 other (broken links, pipes, devices)" in out
    (tree / "pipe").unlink()

    secret = str(tree / "b.txt")
    Path(secret).write_text("fine\n")
    real_open = open

    def deny(path: object, *args: object, **kwargs: object) -> object:
        if str(path) == secret:
            raise PermissionError(13, "Permission denied", secret)
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", deny)
    (tree / "sub").mkdir()
    real_walk = os.walk

    def walk(top: str, onerror: object = None, **kwargs: object) -> object:
        for entry in real_walk(top, onerror=onerror, **kwargs):  # type: ignore[arg-type]
            yield entry
            if entry[0] == str(tree) and callable(onerror):
                onerror(PermissionError(13, "Permission denied", str(tree / "sub")))

    monkeypatch.setattr(os, "walk", walk)
    code, out, err = run("check", "--json", "--policy", str(policy), str(tree))
    report = json.loads(out)
    assert code == 2
    assert sorted(u["path"] for u in report["unreadable"]) == [secret, str(tree / "sub")]
    assert report["summary"]["unreadable"] == 2
    assert [f["path"] for f in report["files"]] == [str(tree / "a.txt")]
    assert report["files"][0]["action"] == "block"
    assert f"{secret}: Permission denied" in err
    code, out, _ = run("check", "--policy", str(policy), str(tree))
    assert code == 2
    assert "2 unreadable" in out
