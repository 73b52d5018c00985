"""assert_blocked / assert_allowed / assert_redacted and their async twins, and the event recorder."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import guardkit as gk
from guardkit.testing import (
    EventRecorder,
    aassert_allowed,
    aassert_blocked,
    assert_allowed,
    assert_blocked,
    assert_redacted,
    capture_events,
)

POLICY = gk.Policy(
    input=[gk.DenySubstrings(["internal-only"]), gk.InvisibleChars()],
    output=[gk.DenySubstrings(["codename"], name="leak.codename"), gk.InvisibleChars()],
)


def _blocked(fn: Any, style: str, text: str, **options: Any) -> gk.Verdict:
    if style.startswith("async"):
        return asyncio.run(aassert_blocked(fn, text, **options))
    return assert_blocked(fn, text, **options)


def _allowed(fn: Any, style: str, text: str) -> Any:
    if style.startswith("async"):
        return asyncio.run(aassert_allowed(fn, text))
    return assert_allowed(fn, text)


@pytest.mark.parametrize(
    ("reply", "prompt", "options", "rules"),
    [
        ("fine", "an internal-only memo", {}, ("deny_substrings",)),
        ("fine", "an internal-only memo", {"rule": "deny_substrings"}, ("deny_substrings",)),
        ("fine", "an internal-only memo", {"kind": "DENIED_SUBSTRING"}, ("deny_substrings",)),
        ("the codename is out", "hi", {"stage": "output"}, ("leak.codename",)),
        ("the codename is out", "hi", {"stage": "output", "rule": "leak"}, ("leak.codename",)),
    ],
)
def test_assert_blocked_on_guarded_functions(
    call_style: Any, reply: str, prompt: str, options: dict[str, Any], rules: tuple[str, ...]
) -> None:
    """assert_blocked passes for a guarded function of any call style that blocks, and returns the verdict."""
    fn, _calls = call_style.guarded(POLICY, reply)
    verdict = _blocked(fn, call_style.style, prompt, **options)
    assert verdict.blocked
    assert verdict.rules == rules


@pytest.mark.parametrize(
    ("reply", "prompt", "options", "message"),
    [
        ("fine", "hello", {}, "expected * to raise InputBlocked, but the call returned normally"),
        ("fine", "an internal-only memo", {"stage": "output"},
         ("expected the output to be blocked, but the input was blocked by deny_substrings "
         "[[]DENIED_SUBSTRING] at 3:16")),
        ("fine", "an internal-only memo", {"rule": "pii"},
         "the input was blocked, but not by rule 'pii'; findings: deny_substrings*"),
        ("fine", "an internal-only memo", {"kind": "EMAIL"},
         "the input was blocked, but nothing of kind 'EMAIL' was found*"),
    ],
)  # fmt: skip
def test_assert_blocked_failures_on_guarded_functions(
    call_style: Any, reply: str, prompt: str, options: dict[str, Any], message: str
) -> None:
    """Failures name what happened instead: a normal return, the other stage, other rules."""
    import fnmatch

    fn, _calls = call_style.guarded(POLICY, reply)
    with pytest.raises(AssertionError) as info:
        _blocked(fn, call_style.style, prompt, **options)
    assert fnmatch.fnmatchcase(str(info.value), f"*{message}"), str(info.value)


def test_assert_allowed_returns_what_the_function_returned(call_style: Any) -> None:
    """assert_allowed passes for a clean call and returns its result (chunks for generators)."""
    fn, calls = call_style.guarded(POLICY, ["all ", "good"])
    result = _allowed(fn, call_style.style, "hello")
    assert ("".join(result) if isinstance(result, list) else result) == "all good"
    assert calls == ["hello"]


def test_assert_allowed_fails_when_a_function_blocks(call_style: Any) -> None:
    """assert_allowed fails with the stage and findings when the call raises Blocked."""
    fn, _calls = call_style.guarded(POLICY, "the codename")
    expected = r"but the output was blocked by leak.codename \[DENIED_SUBSTRING\] at 4:12"
    with pytest.raises(AssertionError, match=expected):
        _allowed(fn, call_style.style, "hello")


POLICY_CASES = [
    # helper, text, options, expected outcome (None: passes) or failure message fragment
    (assert_blocked, "an internal-only memo", {}, None),
    (assert_blocked, "the codename", {"stage": "output"}, None),
    (assert_blocked, "hello", {}, "verdict was allowed (no check fired)"),
    (assert_blocked, "a\u200bb", {},
     "verdict was redact; findings: invisible_chars.zero_width [INVISIBLE_CHARS] at 1:2"),
    (assert_blocked, "internal-only", {"rule": "invisible_chars"}, "not by rule 'invisible_chars'"),
    (assert_allowed, "hello", {}, None),
    (assert_allowed, "the codename", {}, None),
    (assert_allowed, "the codename", {"stage": "output"}, "verdict was block"),
    (assert_allowed, "a\u200bb", {}, "verdict was redact"),
    (assert_redacted, "a\u200bb", {}, None),
    (assert_redacted, "a\u200bb", {"kinds": ["INVISIBLE_CHARS"], "expected": "ab"}, None),
    (assert_redacted, "a\u200bb", {"expected": "a b"},
     "differs from the expected one\n  expected: 'a b'\n  got:      'ab'"),
    (assert_redacted, "a\u200bb", {"kinds": ["EMAIL"]}, "nothing of kind 'EMAIL' was found"),
    (assert_redacted, "hello", {}, "expected the input to be redacted, but the verdict was allow"),
    (assert_redacted, "internal-only", {}, "but the verdict was block"),
]  # fmt: skip


@pytest.mark.parametrize(("helper", "text", "options", "failure"), POLICY_CASES)
def test_helpers_on_policies(helper: Any, text: str, options: dict[str, Any], failure: str | None) -> None:
    """The helpers check a policy's verdict directly; failures list rules, kinds and spans."""
    if failure is None:
        helper(POLICY, text, **options)
        return
    with pytest.raises(AssertionError) as info:
        helper(POLICY, text, **options)
    assert failure in str(info.value)


@pytest.mark.parametrize(("helper", "text"), [(aassert_blocked, "internal-only"), (aassert_allowed, "hello")])
def test_async_helpers_on_policies_and_sessions(helper: Any, text: str) -> None:
    """The async twins accept policies (awaiting acheck_*) and sessions (checked inline)."""
    asyncio.run(helper(POLICY, text))
    with gk.guarded(POLICY) as session:
        asyncio.run(helper(session, text))


def test_redacted_message_lists() -> None:
    """assert_redacted checks message lists and returns the rewritten list."""
    messages = [{"role": "system", "content": "x\u200by"}, {"role": "user", "content": "a\u200bb"}]
    result = assert_redacted(POLICY, messages, kinds={"INVISIBLE_CHARS"})
    assert result == [messages[0], {"role": "user", "content": "ab"}]


def test_session_targets() -> None:
    """A guarded session works as a target, like a policy."""
    with gk.guarded(POLICY) as session:
        assert assert_blocked(session, "internal-only").blocked
        assert assert_redacted(session, "a\u200bb") == "ab"


def test_sync_helper_refuses_async_functions_without_leaking_a_coroutine() -> None:
    """Calling the sync helper on an async function raises TypeError, closing the coroutine."""

    @gk.guard(POLICY)
    async def ask(prompt: str) -> str:
        return "fine"

    with pytest.raises(TypeError, match=r"is async; use `await aassert_blocked\(...\)`"):
        assert_blocked(ask, "hello")

    @gk.guard(POLICY)
    async def stream(prompt: str) -> Any:
        yield "fine"

    with pytest.raises(TypeError, match="aassert_allowed"):
        assert_allowed(stream, "hello")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: assert_blocked(POLICY, "x", stage="tool"), gk.ConfigError,
         "stage must be 'input' or 'output'"),
        (lambda: assert_redacted(POLICY, "x", kinds="EMAIL"), gk.ConfigError, "not one str"),
        (lambda: assert_blocked(42, "x"), TypeError, "expected a Policy or a guarded function, got int"),
        (lambda: assert_allowed("policy", "x"), TypeError, "got str"),
        (lambda: assert_redacted(print, "x"), TypeError, "expected a Policy or a session"),
    ],
)  # fmt: skip
def test_bad_arguments(call: Any, error: type[Exception], message: str) -> None:
    """Bad arguments are errors of the test, not assertion failures."""
    with pytest.raises(error, match=message):
        call()


# -- events ----------------------------------------------------------------------------------------


def test_attach_records_and_keeps_the_policy_sink() -> None:
    """attach() returns a copy that records into the recorder and still reaches the policy's own sink."""
    seen: list[gk.Event] = []
    policy = POLICY.replace(events=seen.append)
    events = EventRecorder()
    recorded = events.attach(policy)
    recorded.check_input("internal-only")
    recorded.check_output("fine")
    assert events.actions == [gk.Action.BLOCK, gk.Action.ALLOW]
    assert events.stages == ["input", "output"]
    assert list(events) == seen
    assert events.attach(recorded) is recorded


def test_recorder_views() -> None:
    """The recorder is a sequence with rules, kinds, findings and a where() filter."""
    events = EventRecorder()
    policy = events.attach(POLICY)
    policy.check_input("an internal-only memo")
    policy.check_input("a\u200bb")
    policy.check_output("fine")
    assert len(events) == 3
    assert events.rules == ("deny_substrings", "invisible_chars.zero_width")
    assert events.kinds == ("DENIED_SUBSTRING", "INVISIBLE_CHARS")
    assert [f.span for f in events.findings] == [(3, 16), (1, 2)]
    assert events.where(stage="output") == [events[2]]
    assert events.where(action="redact") == [events[1]]
    assert events[0:1] == [events[0]]
    assert repr(events).startswith("EventRecorder(<3 events> input:block[deny_substrings], ")
    events.clear()
    assert events == []
    assert not events


def test_recorder_sink_for_new_policies() -> None:
    """recorder.sink is a callable sink that stays truthy when the recorder is empty."""
    events = EventRecorder()
    policy = gk.Policy(input=[gk.DenySubstrings(["internal-only"])], events=events.sink)
    policy.check_input("internal-only")
    assert events.actions == [gk.Action.BLOCK]


def test_capture_events_records_default_sink_policies() -> None:
    """capture_events() records policies that log through the "guardkit" logger, then restores it."""
    logger = logging.getLogger("guardkit")
    before = logger.level
    with capture_events() as events:
        POLICY.check_input("an internal-only memo")
        POLICY.check_output("fine")
    POLICY.check_input("internal-only")  # after the block: not recorded
    assert events.actions == [gk.Action.BLOCK, gk.Action.ALLOW]
    assert events[0].findings == (gk.Finding("deny_substrings", "DENIED_SUBSTRING", 3, 16),)
    assert logger.level == before
    assert not any(type(h).__name__ == "_Handler" for h in logger.handlers)


def test_capture_events_does_not_record_attached_policies_twice() -> None:
    """An attached policy that forwards to a logging sink is recorded once, not again from the log."""
    events = EventRecorder()
    policy = events.attach(POLICY.replace(events=gk.LoggingSink()))
    with capture_events(events):
        policy.check_input("internal-only")
        POLICY.check_input("internal-only")
    assert len(events) == 2


def test_attached_policy_without_a_sink_still_logs(caplog: pytest.LogCaptureFixture) -> None:
    """A policy that logged through the default sink keeps logging after attach()."""
    events = EventRecorder()
    policy = events.attach(POLICY)
    with caplog.at_level(logging.INFO, logger="guardkit"):
        policy.check_input("internal-only")
    assert events.actions == [gk.Action.BLOCK]
    assert [r.guardkit["rules"] for r in caplog.records] == [["deny_substrings"]]  # type: ignore[attr-defined]
