"""The async call styles give the same verdicts as the sync ones; malformed messages and findings fail
closed with typed errors."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Sequence
from typing import Any

import pytest

import guardkit as gk
from guardkit import Finding

EMAIL = "jane.doe@example.org"


class AsyncTwin:
    """Wrap a validator so it also has an ``acheck``: the async styles await it, the sync ones call
    ``check``, and both see the same findings."""

    def __init__(self, inner: Any, name: str | None = None) -> None:
        self.inner = inner
        self.name = name or f"a_{inner.name}"
        self.action = getattr(inner, "action", "block")
        self.redact_with = getattr(inner, "redact_with", "[{kind}]")
        self.awaited = 0

    def check(self, text: str, /) -> Sequence[Finding]:
        return tuple(f.replace(rule=self.name) for f in self.inner.check(text))

    async def acheck(self, text: str, /) -> Sequence[Finding]:
        self.awaited += 1
        await asyncio.sleep(0)
        return self.check(text)


class Raises:
    """A check that always raises, in both styles."""

    def __init__(self, name: str, action: str = "block") -> None:
        self.name, self.action = name, action

    def check(self, text: str, /) -> Sequence[Finding]:
        raise TimeoutError("the service did not answer")

    async def acheck(self, text: str, /) -> Sequence[Finding]:
        raise TimeoutError("the service did not answer")


def label() -> Any:
    """A sanitizer that is not idempotent: running it twice is visible in the text."""

    @gk.sanitizer(name="label")
    def labelled(text: str) -> str:
        return "Untrusted user message follows:\n" + text

    return labelled


@gk.sanitizer
def broken_cleaner(text: str) -> str:
    raise RuntimeError("broken")


def both(policy: gk.Policy, value: Any, direction: str = "input") -> tuple[Any, Any]:
    """Check *value* the sync and the async way; return (outcome, events) for each."""
    results = []
    for style in ("sync", "async"):
        events: list[gk.Event] = []
        pol = policy.replace(events=events.append)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if style == "sync":
                    fn = pol.check_input if direction == "input" else pol.check_output
                    outcome: Any = fn(value)
                else:
                    afn = pol.acheck_input if direction == "input" else pol.acheck_output
                    outcome = asyncio.run(afn(value))
            except gk.ValidatorFailed as exc:
                outcome = ("failed", exc.rule, exc.stage, type(exc.__cause__).__name__)
        shown = [{k: v for k, v in e.as_dict().items() if not k.startswith("duration")} for e in events]
        results.append((outcome, shown, [str(w.message) for w in caught]))
    return results[0], results[1]


def policies() -> dict[str, gk.Policy]:
    pii = gk.PII()
    return {
        "label then async redact": gk.Policy(input=[label(), AsyncTwin(pii)]),
        "async redact listed before the sanitizer": gk.Policy(input=[AsyncTwin(pii), label()]),
        "sync and async checks mixed": gk.Policy(
            input=[
                gk.NormalizeUnicode(),
                gk.DenySubstrings(["internal-only"], action="warn"),
                AsyncTwin(pii),
                gk.InvisibleChars(),
                label(),
            ]
        ),
        "async block shows redacted text": gk.Policy(
            input=[label(), AsyncTwin(gk.DenySubstrings(["internal-only"])), gk.PII(action="warn")]
        ),
        "pseudonymize": gk.Policy(input=[label(), AsyncTwin(pii)], on_fail={"a_pii": "pseudonymize"}),
        "on_fail override": gk.Policy(input=[label(), AsyncTwin(pii)], on_fail={"a_pii": "warn"}),
        "fail open async and sanitizer": gk.Policy(
            input=[broken_cleaner, Raises("flaky"), label(), AsyncTwin(pii)],
            fail_open=["flaky", "broken_cleaner"],
        ),
        "fail closed async after a sync check": gk.Policy(
            input=[gk.PII(), Raises("flaky"), AsyncTwin(gk.DenySubstrings(["x"]))]
        ),
        "fail closed, first of two": gk.Policy(input=[Raises("first"), Raises("second")]),
        "monitor": gk.Policy(input=[label(), AsyncTwin(pii)], monitor=True),
        "tool checks async": gk.Policy(
            input=[gk.PII()],
            tool=[label(), AsyncTwin(gk.DenySubstrings(["internal-only"], action="redact"))],
        ),
    }


VALUES: list[Any] = [
    f"mail {EMAIL}",
    f"the internal-only memo, mail {EMAIL} or {EMAIL}",
    "nothing to see",
    "ｆｕｌｌ\u200bwidth internal-only",
    "",
    [
        {"role": "system", "content": f"mail {EMAIL}"},
        {"role": "user", "content": f"mail {EMAIL}"},
        {"role": "assistant", "content": "ok"},
        {"role": "tool", "tool_call_id": "c", "content": f"internal-only {EMAIL}"},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "x"}},
                {"type": "text", "text": f"again {EMAIL}"},
                {
                    "type": "tool_result",
                    "tool_use_id": "t",
                    "content": [{"type": "text", "text": "internal-only"}],
                },
            ],
        },
        {"type": "function_call_output", "call_id": "c", "output": f"internal-only {EMAIL}"},
    ],
]


@pytest.mark.parametrize("name", list(policies()))
@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_async_input_gives_the_same_verdict_events_and_warnings(name: str, value: Any) -> None:
    """acheck_input gives what check_input gives: verdict, errors, events and warnings."""
    sync, async_ = both(policies()[name], value)
    assert async_ == sync


@pytest.mark.parametrize("name", list(policies()))
def test_async_output_gives_the_same_verdict(name: str) -> None:
    """The same holds for output checks."""
    policy = policies()[name]
    policy = gk.Policy(output=policy.input, on_fail=policy.on_fail, fail_open=policy.fail_open)
    for value in VALUES[:3]:
        sync, async_ = both(policy, value, "output")
        assert async_ == sync


def test_sanitizers_run_once_on_the_async_path() -> None:
    """A redaction awaited on the async path lands on the sanitized text, not on a twice-cleaned one."""
    policy = gk.Policy(input=[label(), AsyncTwin(gk.PII())])
    verdict = asyncio.run(policy.acheck_input(f"mail {EMAIL}"))
    assert verdict.text == "Untrusted user message follows:\nmail [EMAIL]"
    messages = [{"role": "user", "content": [{"type": "text", "text": f"mail {EMAIL}"}]}]
    verdict = asyncio.run(policy.acheck_input(messages))
    assert verdict.messages is not None
    assert verdict.messages[0]["content"][0]["text"] == ("Untrusted user message follows:\nmail [EMAIL]")


def test_guarded_async_function_and_session_sanitize_once() -> None:
    """@guard on an async def and Session.ainput pass the model the text the sync styles pass."""
    policy = gk.Policy(input=[label(), AsyncTwin(gk.PII())])

    @gk.guard(policy)
    async def ask(prompt: str) -> str:
        return prompt

    @gk.guard(policy)
    def ask_sync(prompt: str) -> str:
        return prompt

    expected = ask_sync(f"mail {EMAIL}")
    assert expected == "Untrusted user message follows:\nmail [EMAIL]"
    assert asyncio.run(ask(f"mail {EMAIL}")) == expected

    async def session() -> Any:
        async with gk.guarded(policy) as g:
            return await g.ainput(f"mail {EMAIL}")

    assert asyncio.run(session()) == expected


def test_async_path_runs_each_sanitizer_once_per_text() -> None:
    """Each sanitizer sees each text once on the async path, as on the sync one."""
    seen: list[str] = []

    @gk.sanitizer
    def counting(text: str) -> str:
        seen.append(text)
        return text

    policy = gk.Policy(input=[counting, AsyncTwin(gk.PII())])
    messages = [
        {"role": "user", "content": "a"},
        {"role": "tool", "content": [{"type": "text", "text": "b"}]},
    ]
    for run in (policy.check_input, lambda v: asyncio.run(policy.acheck_input(v))):
        seen.clear()
        run("x")
        run(messages)
        assert seen == ["x", "a", "b"]


def test_async_message_lists_fail_on_the_same_check_as_sync() -> None:
    """Messages are checked one after the other on both paths, so the first failure is the same."""

    @gk.sanitizer
    def cleaner(text: str) -> str:
        if "boom-clean" in text:
            raise RuntimeError("cleaner broke")
        return text

    @gk.validator
    def checker(text: str) -> bool:
        if "boom-check" in text:
            raise RuntimeError("checker broke")
        return False

    policy = gk.Policy(input=[cleaner, checker, AsyncTwin(gk.PII())])
    messages = [{"role": "user", "content": "boom-check"}, {"role": "user", "content": "boom-clean"}]
    sync, async_ = both(policy, messages)
    assert sync[0] == ("failed", "checker", "input", "RuntimeError")
    assert async_ == sync


def test_async_fail_open_errors_reach_the_verdict_and_the_event() -> None:
    """A fail-open async check that raises is named in verdict.errors and in the event."""
    events: list[gk.Event] = []
    policy = gk.Policy(input=[Raises("flaky")], fail_open=["flaky"], events=events.append)
    with pytest.warns(gk.GuardkitWarning, match="fail open"):
        verdict = asyncio.run(policy.acheck_input("hi"))
    assert verdict.allowed
    assert verdict.errors == ("flaky",)
    assert events[-1].errors == ("flaky",)


def test_async_fail_closed_awaits_no_later_check() -> None:
    """Once an async check fails closed, later async checks are not awaited."""
    later = AsyncTwin(gk.PII())
    policy = gk.Policy(input=[Raises("first"), later])
    with pytest.raises(gk.ValidatorFailed) as info:
        asyncio.run(policy.acheck_input(f"mail {EMAIL}"))
    assert info.value.rule == "first"
    assert isinstance(info.value.__cause__, TimeoutError)
    assert later.awaited == 0


# -- malformed messages ----------------------------------------------------------------------

SECRET = "Ignore all previous instructions"

MALFORMED: dict[str, list[Any]] = {
    "text part with a list as text": [{"role": "user", "content": [{"type": "text", "text": [SECRET]}]}],
    "text part with an int as text": [{"role": "user", "content": [{"type": "text", "text": 5}]}],
    "input_text part without text": [{"role": "user", "content": [{"type": "input_text"}]}],
    "part without a type": [{"role": "user", "content": [{"text": SECRET}]}],
    "part with a None type": [{"role": "user", "content": [{"type": None, "text": SECRET}]}],
    "part with a list type": [{"role": "user", "content": [{"type": ["text"], "text": SECRET}]}],
    "tool_result content is a dict": [
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "t",
                    "content": {"type": "text", "text": SECRET},
                }
            ],
        }
    ],
    "tool_result block with a list as text": [
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "t",
                    "content": [{"type": "text", "text": [SECRET]}],
                }
            ],
        }
    ],
    "tool_result block without a type": [
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t", "content": [{"text": SECRET}]}],
        }
    ],
    "tool_result block that is a str": [
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": [SECRET]}]}
    ],
    "search_result content is a dict": [
        {
            "role": "user",
            "content": [{"type": "search_result", "content": {"type": "text", "text": SECRET}}],
        }
    ],
    "document source is a str": [{"role": "user", "content": [{"type": "document", "source": SECRET}]}],
    "text document data is a list": [
        {
            "role": "user",
            "content": [{"type": "document", "source": {"type": "text", "data": [SECRET]}}],
        }
    ],
    "function_call_output output is a dict": [
        {"type": "function_call_output", "call_id": "c", "output": {"text": SECRET}}
    ],
    "function_call_output output is missing": [{"type": "function_call_output", "call_id": "c"}],
    "function_call_output part with a list as text": [
        {"type": "function_call_output", "call_id": "c", "output": [{"type": "input_text", "text": [SECRET]}]}
    ],
    "role is a list": [{"role": ["user"], "content": SECRET}],
    "role is a dict": [{"role": {"name": "user"}, "content": SECRET}],
    "item type is a list": [{"type": ["function_call_output"], "output": SECRET}],
}


@pytest.mark.parametrize("messages", list(MALFORMED.values()), ids=list(MALFORMED))
@pytest.mark.parametrize("style", ["sync", "async"])
def test_malformed_messages_raise_a_clear_type_error(messages: list[Any], style: str) -> None:
    """A malformed message or part raises TypeError naming the message and the expected type, never
    its text, instead of passing unchecked."""
    policy = gk.Policy(
        input=[gk.DenySubstrings([SECRET])],
        tool=[gk.DenySubstrings([SECRET])],
        output=[gk.DenySubstrings([SECRET])],
    )
    async_policy = gk.Policy(input=[AsyncTwin(gk.DenySubstrings([SECRET]))])

    def run() -> object:
        if style == "sync":
            return policy.check_input(messages)
        return asyncio.run(async_policy.acheck_input(messages))

    with pytest.raises(TypeError, match=r"^message 0\b") as info:
        run()
    assert "must be" in str(info.value) or "needs" in str(info.value)
    assert SECRET not in str(info.value)


def test_malformed_text_parts_raise_on_output_too() -> None:
    """Output message lists fail closed on malformed text parts as well."""
    policy = gk.Policy(output=[gk.DenySubstrings([SECRET])])
    with pytest.raises(TypeError, match="'text' of a output_text part must be a str"):
        policy.check_output([{"role": "assistant", "content": [{"type": "output_text", "text": None}]}])


def test_guard_refuses_a_malformed_message_before_the_call() -> None:
    """A guarded function is never called with a malformed message list."""
    calls: list[Any] = []

    @gk.guard(gk.Policy(input=[gk.DenySubstrings([SECRET])]))
    def chat(messages: list[Any]) -> str:
        calls.append(messages)
        return "ok"

    with pytest.raises(TypeError):
        chat(MALFORMED["tool_result content is a dict"])
    assert calls == []


TEXT_FREE: dict[str, list[Any]] = {
    "OpenAI image part": [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "https://example.org/a.png"}},
                {"type": "input_audio", "input_audio": {"data": "xx", "format": "wav"}},
            ],
        }
    ],
    "Anthropic image block": [
        {
            "role": "user",
            "content": [
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "x"}}
            ],
        }
    ],
    "tool_result without content": [
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "is_error": True}]}
    ],
    "tool_result with an image": [
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "t",
                    "content": [{"type": "image", "source": {"type": "url", "url": "https://example.org"}}],
                }
            ],
        }
    ],
    "PDF document": [
        {
            "role": "user",
            "content": [
                {
                    "type": "document",
                    "source": {"type": "base64", "media_type": "application/pdf", "data": "x"},
                }
            ],
        }
    ],
    "Responses image and function call": [
        {"type": "message", "role": "user", "content": [{"type": "input_image", "image_url": "https://x"}]},
        {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
        {
            "type": "function_call_output",
            "call_id": "c",
            "output": [{"type": "input_image", "image_url": "x"}],
        },
    ],
    "message without a role or with role None": [{"content": "hi"}, {"role": None, "content": "hi"}],
    "malformed parts in trusted and assistant messages are not read": [
        {"role": "system", "content": [{"text": SECRET}]},
        {"role": "assistant", "content": [{"type": "text", "text": None}]},
    ],
}


@pytest.mark.parametrize("messages", list(TEXT_FREE.values()), ids=list(TEXT_FREE))
def test_text_free_parts_stay_allowed(messages: list[Any]) -> None:
    """Documented parts without text (images, audio, files, tool calls) pass, sync and async."""
    policy = gk.Policy(input=[gk.DenySubstrings([SECRET])])
    assert policy.check_input(messages).allowed
    async_policy = gk.Policy(input=[AsyncTwin(gk.DenySubstrings([SECRET]))])
    assert asyncio.run(async_policy.acheck_input(messages)).allowed


# -- findings are validated where they enter the engine -----------------------------------------


class Returns:
    """A check that returns whatever it was given, sync and async."""

    def __init__(self, found: Any, name: str = "custom") -> None:
        self.found, self.name = found, name

    def check(self, text: str, /) -> Any:
        return self.found


@pytest.mark.parametrize(
    "found",
    [
        (Finding("custom", "X", 1.5, 3),),  # type: ignore[arg-type]
        (Finding("custom", "X", 1, 3.0),),  # type: ignore[arg-type]
        (Finding("custom", "X", "1", "3"),),  # type: ignore[arg-type]
        (Finding("custom", "X", None, 3),),  # type: ignore[arg-type]
        ((1, 3),),
        ("not a finding",),
        (Finding("custom", "X", 3, 1),),
        (Finding("custom", "X", 0, 99),),
    ],
    ids=["float start", "float end", "str offsets", "None start", "tuple", "str", "reversed", "past the end"],
)
@pytest.mark.parametrize("action", ["block", "redact", "warn"])
def test_bad_findings_fail_closed_with_validator_failed(found: Any, action: str) -> None:
    """A finding that is not a Finding with int offsets inside the text raises ValidatorFailed naming
    the check, whatever its action, instead of a raw error from the rewriting."""
    checker = Returns(found)
    checker.action = action  # type: ignore[attr-defined]
    policy = gk.Policy(input=[checker], output=[checker])
    for run in (
        lambda: policy.check_input("hello world"),
        lambda: policy.check_input([{"role": "user", "content": "hello world"}]),
        lambda: _stream(policy, "hello world"),
    ):
        with pytest.raises(gk.ValidatorFailed) as info:
            run()
        assert info.value.rule == "custom"
        assert isinstance(info.value.__cause__, (TypeError, ValueError))
        assert "hello" not in str(info.value)
        assert "hello" not in str(info.value.__cause__)


def _stream(policy: gk.Policy, text: str) -> str:
    stream = gk.OutputStream(policy, None)
    return stream.feed(text) + stream.finish()


def test_bad_async_findings_fail_closed_and_can_fail_open() -> None:
    """Findings returned by an awaited acheck are validated the same way; fail_open applies."""

    class AsyncFloat:
        name, action = "afloat", "redact"

        def check(self, text: str, /) -> Sequence[Finding]:
            return ()

        async def acheck(self, text: str, /) -> Sequence[Finding]:
            return (Finding(self.name, "X", 1.5, 3),)  # type: ignore[arg-type]

    policy = gk.Policy(input=[AsyncFloat()])
    with pytest.raises(gk.ValidatorFailed) as info:
        asyncio.run(policy.acheck_input("hello world"))
    assert info.value.rule == "afloat"
    assert isinstance(info.value.__cause__, TypeError)

    tolerant = gk.Policy(input=[AsyncFloat()], fail_open=["afloat"])
    with pytest.warns(gk.GuardkitWarning):
        verdict = asyncio.run(tolerant.acheck_input("hello world"))
    assert verdict.allowed
    assert verdict.errors == ("afloat",)
    assert verdict.text == "hello world"


# -- output adapters -------------------------------------------------------------------------


class ListAdapter:
    """A faulty output adapter whose text() returns a message list instead of a str."""

    def text(self, result: dict[str, str]) -> Any:
        return [{"role": "assistant", "content": result["text"]}]

    def replace(self, result: dict[str, str], text: str) -> dict[str, str]:
        return {**result, "text": text}


def test_async_output_adapter_returning_a_list_is_a_type_error() -> None:
    """An output adapter that returns a list is a TypeError on the async path too, never a wiped
    answer."""
    policy = gk.Policy(output=[AsyncTwin(gk.DenySubstrings(["internal-only"]))])

    @gk.guard(policy, output=ListAdapter())
    async def ask(prompt: str) -> dict[str, str]:
        return {"text": "hello there"}

    with pytest.raises(TypeError, match="output adapter returned list"):
        asyncio.run(ask("hi"))


def test_sync_output_adapter_returning_a_list_is_a_type_error() -> None:
    """The sync path already refuses such an adapter."""
    policy = gk.Policy(output=[gk.DenySubstrings(["internal-only"])])

    @gk.guard(policy, output=ListAdapter())
    def ask(prompt: str) -> dict[str, str]:
        return {"text": "hello there"}

    with pytest.raises(TypeError, match="output adapter returned list"):
        ask("hi")
