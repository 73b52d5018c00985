"""Policies from TOML files, pyproject.toml and dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import guardkit as gk

GOOD = """
name = "chat"
monitor = false
fail_open = ["size"]

[[input]]
check = "InvisibleChars"

[[input]]
check = "deny_patterns"
patterns = ['(?i)\\bdrop\\s+table\\b']

[[input]]
check = "MaxChars"
limit = 100
name = "size"

[[output]]
check = "DenySubstrings"
substrings = ["internal-only"]
action = "block"
"""


def test_policy_from_toml_file(tmp_path: Path) -> None:
    """A guardkit.toml builds a plain Policy with its checks in order."""
    path = tmp_path / "guardkit.toml"
    path.write_text(GOOD)
    policy = gk.Policy.from_file(path)
    assert policy.name == "chat"
    assert [type(c).__name__ for c in policy.input] == ["InvisibleChars", "DenyPatterns", "MaxChars"]
    assert policy.fail_open == {"size"}
    assert policy.check_input("DROP TABLE x").blocked
    assert policy.check_output("internal-only").blocked


def test_policy_from_pyproject(tmp_path: Path) -> None:
    """[tool.guardkit] in pyproject.toml is read."""
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "x"\n\n[tool.guardkit]\nname = "p"\n'
        '[[tool.guardkit.input]]\ncheck = "MaxChars"\nlimit = 3\n'
    )
    policy = gk.Policy.from_file(path)
    assert policy.name == "p"
    assert policy.check_input("abcd").blocked


def test_extends_recommended() -> None:
    """extends = "recommended" starts from the built-in policy."""
    policy = gk.Policy.from_dict({"extends": "recommended", "input": [{"check": "MaxChars", "limit": 5}]})
    assert len(policy.input) == len(gk.Policy.recommended().input) + 1


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"bogus": 1}, "bogus"),
        ({"input": [{"check": "Nope"}]}, r"input\[0\].check: unknown check 'Nope'"),
        ({"input": [{"check": "MaxChars", "limt": 3}]}, r"input\[0\].limt"),
        ({"input": [{"check": "MaxChars", "limit": -1}]}, r"input\[0\]"),
        ({"input": [{"action": "block"}]}, "input.0.check"),
        ({"monitor": "sometimes"}, "monitor"),
        ({"stream_window": 0}, "stream_window"),
        # TOML has booleans and integers: a string or a boolean in their place is a mistake
        ({"monitor": "yes"}, "monitor"),
        ({"monitor": 1}, "monitor"),
        ({"stream_window": True}, "stream_window"),
        ({"stream_window": "512"}, "stream_window"),
        ({"input": [{"check": "DenyPatterns", "patterns": ["("]}]}, "does not compile"),
    ],
)
def test_bad_config_names_the_key(data: dict[str, Any], match: str) -> None:
    """Unknown keys and bad values are ConfigErrors naming the key."""
    with pytest.raises(gk.ConfigError, match=match):
        gk.Policy.from_dict(data)


def test_file_errors(tmp_path: Path) -> None:
    """Missing files, invalid TOML and a pyproject without the table are ConfigErrors."""
    with pytest.raises(gk.ConfigError, match="no such file"):
        gk.Policy.from_file(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("not = = toml")
    with pytest.raises(gk.ConfigError, match="not valid TOML"):
        gk.Policy.from_file(bad)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe garbage")
    with pytest.raises(gk.ConfigError, match="not UTF-8"):
        gk.Policy.from_file(binary)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n')
    with pytest.raises(gk.ConfigError, match=r"no \[tool.guardkit\]"):
        gk.Policy.from_file(pyproject)


def test_extends_recommended_checks_tool_content_with_own_input_checks() -> None:
    """Without [[tool]], tool content gets the recommended tool checks plus the listed input checks."""
    policy = gk.Policy.from_dict(
        {"extends": "recommended", "input": [{"check": "DenySubstrings", "substrings": ["zzz"]}]}
    )
    verdict = policy.check_input([{"role": "tool", "content": "zzz"}])
    assert verdict.blocked
