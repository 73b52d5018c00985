"""The examples of docs/testing.md: its test files pass when run with the plugin, and the module
doctests of guardkit.testing hold."""

from __future__ import annotations

import doctest
import re
from pathlib import Path
from typing import Any

import guardkit.testing

PAGE = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
_FILE_BLOCK = re.compile(r"<!-- file: (?P<name>[^\s>]+) -->\s*\n\s*```[\w-]*\n(?P<body>.*?)\n```", re.S)


def _files() -> dict[str, str]:
    return {m["name"]: m["body"] + "\n" for m in _FILE_BLOCK.finditer(PAGE.read_text(encoding="utf-8"))}


def test_page_test_files_pass_with_the_plugin(inner: Any) -> None:
    """Every test file the page shows passes (known gaps as strict expected failures)."""
    files = _files()
    expected = {"guardkit.toml", "app.py", "pytest.ini", "test_support_chat.py", "test_support_redteam.py"}
    assert expected <= set(files)
    for name, body in files.items():
        inner.write(name, body)
    result = inner.run()
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes["xfailed"] == 11
    assert outcomes["passed"] >= 20


def test_module_doctests() -> None:
    """The examples in guardkit.testing's docstrings run as written."""
    results = doctest.testmod(guardkit.testing, optionflags=doctest.ELLIPSIS)
    assert results.attempted >= 10
    assert results.failed == 0
