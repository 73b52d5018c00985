"""The guard decorator under all four call styles."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from typing import Any

import pytest

import guardkit as gk
from guardkit import Finding

DENY = gk.DenySubstrings(["internal-only"], action="block")
REDACT_WORD = gk.DenySubstrings(["classified"], action="redact", name="classified")


def test_clean_call_passes_through(call_style: Any) -> None:
    """A clean prompt reaches the model unchanged and its reply comes back unchanged."""
    policy = gk.Policy(input=[DENY], output=[DENY])
    fn, calls = call_style.guarded(policy, ["hello ", "world"])
    assert call_style.call(fn, "hi there") == "hello world"
    assert calls == ["hi there"]


def test_empty_policy_is_transparent(call_style: Any) -> None:
    """An empty policy changes nothing about the call."""
    fn, calls = call_style.guarded(gk.Policy(), ["a", "b"])
    assert call_style.call(fn, "x") == "ab"
    assert calls == ["x"]


def test_input_block_raises_before_the_model_is_called(call_style: Any) -> None:
    """A blocked prompt raises InputBlocked and the model never sees it."""
    policy = gk.Policy(input=[DENY])
    fn, calls = call_style.guarded(policy, "reply")
    with pytest.raises(gk.InputBlocked) as info:
        call_style.call(fn, "this is internal-only data")
    assert calls == []
    assert info.value.verdict.rules == ("deny_substrings",)
    assert info.value.stage == "input"
    assert "internal-only" not in str(info.value)


def test_input_redaction_reaches_the_model(call_style: Any) -> None:
    """Redacted spans are replaced before the model is called."""
    policy = gk.Policy(input=[REDACT_WORD])
    fn, calls = call_style.guarded(policy, "ok")
    call_style.call(fn, "the classified plan")
    assert calls == ["the [DENIED_SUBSTRING] plan"]


def test_output_block_raises(call_style: Any) -> None:
    """A blocked reply raises OutputBlocked."""
    policy = gk.Policy(output=[DENY])
    fn, _ = call_style.guarded(policy, ["this is ", "internal", "-only", " text"])
    with pytest.raises(gk.OutputBlocked) as info:
        call_style.call(fn, "q")
    assert info.value.stage == "output"
    assert all(f.rule == "deny_substrings" for f in info.value.verdict.findings)


def test_output_redaction(call_style: Any) -> None:
    """Redacting output checks rewrite the reply, streamed or not."""
    policy = gk.Policy(output=[REDACT_WORD])
    fn, _ = call_style.guarded(policy, ["a classi", "fied thing ", "and more"])
    assert call_style.call(fn, "q") == "a [DENIED_SUBSTRING] thing and more"


def test_on_block_value_is_returned_instead_of_raising(call_style: Any) -> None:
    """on_block= gives a fallback reply for blocked input and output."""
    policy = gk.Policy(input=[DENY], output=[DENY])
    fn, _ = call_style.guarded(policy, "internal-only", on_block="Sorry.")
    assert call_style.call(fn, "fine") == "Sorry."
    assert call_style.call(fn, "internal-only") == "Sorry."


def test_on_block_callable_receives_the_exception(call_style: Any) -> None:
    """A callable on_block gets the Blocked exception."""
    policy = gk.Policy(input=[DENY])
    seen: list[gk.Blocked] = []

    def fallback(exc: gk.Blocked) -> str:
        seen.append(exc)
        return f"blocked by {exc.verdict.rules[0]}"

    fn, _ = call_style.guarded(policy, "r", on_block=fallback)
    assert call_style.call(fn, "internal-only") == "blocked by deny_substrings"
    assert isinstance(seen[0], gk.InputBlocked)


def test_failing_check_blocks_the_call(call_style: Any) -> None:
    """A check that raises fails closed: the call is blocked with ValidatorFailed."""

    @gk.validator(name="broken")
    def broken(text: str) -> bool:
        raise RuntimeError("boom")

    fn, calls = call_style.guarded(gk.Policy(input=[broken]), "r")
    with pytest.raises(gk.ValidatorFailed) as info:
        call_style.call(fn, "x")
    assert calls == []
    assert isinstance(info.value.__cause__, RuntimeError)
    assert info.value.rule == "broken"


def test_fail_open_check_warns_and_continues(call_style: Any) -> None:
    """A check configured to fail open lets the call go on with a GuardkitWarning."""

    @gk.validator(name="flaky")
    def flaky(text: str) -> bool:
        raise RuntimeError("boom")

    fn, calls = call_style.guarded(gk.Policy(input=[flaky], fail_open=["flaky"]), "r")
    with pytest.warns(gk.GuardkitWarning, match="flaky"):
        assert call_style.call(fn, "x") == "r"
    assert calls == ["x"]


def test_monitor_mode_reports_without_blocking(call_style: Any) -> None:
    """In monitor mode every decision is reported but nothing is blocked or rewritten."""
    events: list[gk.Event] = []
    policy = gk.Policy(input=[DENY, REDACT_WORD], output=[DENY], monitor=True, events=events.append)
    fn, calls = call_style.guarded(policy, ["internal", "-only"])
    assert call_style.call(fn, "internal-only and classified") == "internal-only"
    assert calls == ["internal-only and classified"]
    assert events[0].stage == "input"
    assert events[0].action is gk.Action.BLOCK
    assert events[0].monitor


def test_non_text_prompt_is_a_type_error(call_style: Any) -> None:
    """A call with no text to check is refused, not passed through."""
    fn, calls = call_style.guarded(gk.Policy(input=[DENY]), "r")
    for bad in (b"bytes", None, 42, {"nested": "dict"}):
        with pytest.raises(TypeError):
            call_style.call(fn, bad)
    assert calls == []


def test_prompt_found_by_keyword(call_style: Any) -> None:
    """A prompt passed by keyword is found and checked."""
    fn, calls = call_style.guarded(gk.Policy(input=[REDACT_WORD]), "r")
    call_style.call(fn, prompt="classified")
    assert calls == ["[DENIED_SUBSTRING]"]


def test_messages_parameter_is_checked_per_role() -> None:
    """A messages= list is checked message by message; system content is trusted."""
    policy = gk.Policy(input=[REDACT_WORD])
    seen: list[Any] = []

    @gk.guard(policy)
    def chat(model: str, messages: list[dict[str, Any]]) -> str:
        seen.append(messages)
        return "ok"

    msgs = [
        {"role": "system", "content": "classified system prompt"},
        {"role": "user", "content": [{"type": "text", "text": "a classified question"}]},
    ]
    chat("m", messages=msgs)
    assert seen[0][0]["content"] == "classified system prompt"
    assert seen[0][1]["content"][0]["text"] == "a [DENIED_SUBSTRING] question"
    assert msgs[1]["content"][0]["text"] == "a classified question"  # caller's list untouched


def test_named_prompt_parameter() -> None:
    """prompt= names the argument to check, even when it is not the first str."""
    policy = gk.Policy(input=[DENY])

    @gk.guard(policy, prompt="question")
    def ask(model: str, question: str) -> str:
        return "ok"

    assert ask("internal-only-model-name", "fine") == "ok"
    with pytest.raises(gk.InputBlocked):
        ask("m", question="internal-only")


def test_unknown_prompt_parameter_is_a_config_error() -> None:
    """Naming a parameter the function lacks fails at decoration."""
    with pytest.raises(gk.ConfigError, match="nope"):
        gk.guard(gk.Policy(), prompt="nope")(lambda text: text)


def test_guard_requires_a_policy() -> None:
    """guard() without a Policy is a ConfigError, at decoration time."""
    with pytest.raises(gk.ConfigError):
        gk.guard("not a policy")(lambda text: text)  # type: ignore[arg-type]


def test_signature_and_metadata_are_kept(call_style: Any) -> None:
    """The wrapper keeps the name, docstring, signature and call style of the function."""
    fn = call_style.model("r")
    wrapped = gk.guard(gk.Policy(input=[DENY]))(fn)
    assert wrapped.__name__ == fn.__name__
    assert inspect.signature(wrapped) == inspect.signature(fn)
    assert inspect.iscoroutinefunction(wrapped) == inspect.iscoroutinefunction(fn)
    assert inspect.isasyncgenfunction(wrapped) == inspect.isasyncgenfunction(fn)
    assert inspect.isgeneratorfunction(wrapped) == inspect.isgeneratorfunction(fn)


class Response:
    """A stand-in for an SDK response object."""

    def __init__(self, text: str) -> None:
        self.text = text


class ResponseAdapter:
    def text(self, result: Response) -> str:
        return result.text

    def replace(self, result: Response, text: str) -> Response:
        return Response(text)


def test_output_adapter_rewrites_response_objects() -> None:
    """output= reads text out of a response object and writes the sanitized text back."""
    policy = gk.Policy(output=[REDACT_WORD])

    @gk.guard(policy, output=ResponseAdapter())
    def ask(prompt: str) -> Response:
        return Response("the classified bit")

    result = ask("q")
    assert isinstance(result, Response)
    assert result.text == "the [DENIED_SUBSTRING] bit"


def test_output_function_that_cannot_rewrite_fails_closed() -> None:
    """With only a text extractor, output that needs rewriting is blocked, never returned raw."""
    policy = gk.Policy(output=[REDACT_WORD])

    @gk.guard(policy, output=lambda r: r.text)
    def ask(prompt: str) -> Response:
        return Response("the classified bit")

    with pytest.raises(gk.OutputBlocked):
        ask("q")


def test_non_str_result_without_adapter_is_a_type_error() -> None:
    """A non-str result with output checks and no adapter is refused."""
    policy = gk.Policy(output=[DENY])

    @gk.guard(policy)
    def ask(prompt: str) -> Response:
        return Response("x")

    with pytest.raises(TypeError, match="output="):
        ask("q")


def test_async_callable_object_is_driven_as_async() -> None:
    """Objects with an async __call__ get the async driver."""

    class Model:
        async def __call__(self, prompt: str) -> str:
            return prompt.upper()

    wrapped = gk.guard(gk.Policy(input=[DENY]))(Model())
    assert asyncio.run(wrapped("hi")) == "HI"


def test_async_checks_are_awaited() -> None:
    """A validator with acheck is awaited by async drivers and sessions."""

    class Remote:
        name = "remote"
        action = "block"

        def check(self, text: str) -> tuple[Finding, ...]:
            raise AssertionError("the sync path must not run")

        async def acheck(self, text: str) -> tuple[Finding, ...]:
            await asyncio.sleep(0)
            return (Finding("remote", "REMOTE", 0, 1),) if "bad" in text else ()

    policy = gk.Policy(input=[Remote()])

    @gk.guard(policy)
    async def ask(prompt: str) -> str:
        return "ok"

    assert asyncio.run(ask("good")) == "ok"
    with pytest.raises(gk.InputBlocked):
        asyncio.run(ask("bad"))
    assert asyncio.run(policy.acheck_input("bad")).blocked


def test_generator_is_closed_when_blocked_mid_stream() -> None:
    """A violation mid-stream closes the wrapped generator and stops consuming it."""
    consumed: list[int] = []
    closed: list[bool] = []

    def stream(prompt: str) -> Iterator[str]:
        try:
            for i in range(1000):
                consumed.append(i)
                yield "internal-only " if i == 5 else "word "
        finally:
            closed.append(True)

    guarded = gk.guard(gk.Policy(output=[DENY]))(stream)
    with pytest.raises(gk.OutputBlocked):
        list(guarded("q"))
    assert closed == [True]
    assert len(consumed) < 100


def test_generator_yields_fallback_when_blocked_mid_stream() -> None:
    """With on_block, a blocked stream ends with the fallback instead of raising."""

    def stream(prompt: str) -> Iterator[str]:
        yield from ["fine text " * 20, "internal-only", " more"]

    guarded = gk.guard(gk.Policy(output=[DENY]), on_block="[removed]")(stream)
    out = list(guarded("q"))
    assert out[-1] == "[removed]"
    assert "internal-only" not in "".join(out)


def test_max_chars_truncates_a_stream_and_stops_reading() -> None:
    """A truncating length check ends the stream at the limit and closes the model's generator."""
    consumed: list[int] = []

    def stream(prompt: str) -> Iterator[str]:
        for i in range(10_000):
            consumed.append(i)
            yield "0123456789"

    guarded = gk.guard(gk.Policy(output=[gk.MaxChars(95, action="redact")]))(stream)
    out = "".join(guarded("q"))
    assert out == ("0123456789" * 10)[:95]
    assert len(consumed) == 10


def test_stream_adapter_rewrites_events_and_passes_structural_ones() -> None:
    """With stream=, text deltas are checked and structural events close a text block."""

    class Event:
        def __init__(self, kind: str, text: str | None = None) -> None:
            self.kind, self.text_value = kind, text

    class Adapter:
        def text(self, event: Event) -> str | None:
            return event.text_value if event.kind == "delta" else None

        def replace(self, event: Event, text: str) -> Event:
            return Event("delta", text)

    def stream(prompt: str) -> Iterator[Event]:
        yield Event("start")
        for piece in ["a classi", "fied ", "word"]:
            yield Event("delta", piece)
        yield Event("stop")

    guarded = gk.guard(gk.Policy(output=[REDACT_WORD]), stream=Adapter())(stream)
    events = list(guarded("q"))
    assert [e.kind for e in events] == ["start", "delta", "stop"]
    assert events[1].text_value == "a [DENIED_SUBSTRING] word"
