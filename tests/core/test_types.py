"""Core value types: Finding, Verdict, Action."""

from __future__ import annotations

import pickle

import pytest

import guardkit as gk
from guardkit import Action, Finding, Verdict


def test_finding_is_immutable_and_hashable() -> None:
    """Findings are frozen values with equality and hashing."""
    f = Finding("r", "K", 1, 3)
    with pytest.raises(AttributeError):
        f.start = 2  # type: ignore[misc]
    assert f == Finding("r", "K", 1, 3, 1.0)
    assert len({f, Finding("r", "K", 1, 3)}) == 1
    assert f.span == (1, 3)
    assert not hasattr(f, "__dict__")
    assert pickle.loads(pickle.dumps(f)) == f
    assert f.replace(end=4) == Finding("r", "K", 1, 4)


def test_verdict_properties() -> None:
    """blocked, allowed, rules and kinds are derived from the findings."""
    findings = (Finding("a", "X", 0, 1), Finding("b", "Y", 2, 3), Finding("a", "X", 4, 5))
    verdict = Verdict(Action.BLOCK, "t", findings)
    assert verdict.blocked
    assert not verdict.allowed
    assert verdict.rules == ("a", "b")
    assert verdict.kinds == ("X", "Y")
    assert Verdict(Action.ALLOW, "t").allowed


def test_verdict_repr_hides_text() -> None:
    """A verdict's repr shows the text's length, not the text."""
    assert "hunter2" not in repr(Verdict(Action.WARN, "my password is hunter2"))


def test_action_order_and_parse() -> None:
    """Actions are ordered by severity and parse from names."""
    assert max(Action.WARN, Action.BLOCK, Action.REDACT) is Action.BLOCK
    assert Action.parse("Redact") is Action.REDACT
    assert str(Action.BLOCK) == "block"
    with pytest.raises(ValueError, match="unknown action"):
        Action.parse("explode")


def test_blocked_message_names_rules_not_text() -> None:
    """Blocked exceptions name rules and spans, never the caught text."""
    exc = gk.InputBlocked(Verdict(Action.BLOCK, "", (Finding("secrets.key", "KEY", 3, 9, message=1),)))
    assert str(exc) == "input blocked by secrets.key@3:9 (message 1)"


def test_error_tree() -> None:
    """The exception tree is as documented."""
    assert issubclass(gk.ConfigError, ValueError)
    assert issubclass(gk.InputBlocked, gk.Blocked)
    assert issubclass(gk.OutputBlocked, gk.Blocked)
    for cls in (gk.ConfigError, gk.Blocked, gk.ValidatorFailed, gk.VaultError):
        assert issubclass(cls, gk.GuardkitError)
    assert issubclass(gk.GuardkitWarning, UserWarning)
