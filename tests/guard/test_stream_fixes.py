"""Streams: events without text that keep a block open, limits over every block, awaited async checks,
findings at the end of the buffer, and events for whole-reply checks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import guardkit as gk
from guardkit import Finding
from guardkit.integrations.anthropic import STREAM as ANTHROPIC_STREAM
from guardkit.integrations.anthropic import guard_anthropic

TOKEN = "ghp_4mhrUfZR0mEK0TWhsF1227gEFnpdWgdc7uYf"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji: a ZWJ sequence
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # a flag tag sequence
KEYCAP = "#\ufe0f\u20e3"


def delta(text: str, index: int = 0) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": text}}


def anthropic_events(*pieces: str | dict[str, Any]) -> list[dict[str, Any]]:
    """A raw Messages stream of one text block: str pieces become text deltas, dicts pass as they are."""
    return [
        {
            "type": "message_start",
            "message": {"id": "m", "type": "message", "role": "assistant", "content": []},
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        *(delta(p) if isinstance(p, str) else p for p in pieces),
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 9}},
        {"type": "message_stop"},
    ]


def texts(events: list[Any]) -> str:
    return "".join(e["delta"]["text"] for e in events if e["type"] == "content_block_delta")


class DeltaEvents:
    """The plain dict adapter of docs/streaming.md: no ends_block, so every event without text ends a
    block."""

    def text(self, event: dict[str, Any]) -> str | None:
        return event["text"] if event["type"] == "delta" else None

    def replace(self, event: dict[str, Any], text: str) -> dict[str, Any]:
        return {**event, "text": text}


class Remote:
    """A check that only its async twin can run: the sync one finds nothing."""

    name = "remote"
    action = "block"
    window = 64

    def __init__(self) -> None:
        self.calls: list[str] = []

    def check(self, text: str) -> tuple[Finding, ...]:
        self.calls.append("check")
        return ()

    async def acheck(self, text: str) -> tuple[Finding, ...]:
        self.calls.append("acheck")
        await asyncio.sleep(0)
        i = text.find("forbidden")
        return (Finding(self.name, "REMOTE", i, i + 9),) if i >= 0 else ()


async def collect(gen: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in gen]


def stream_into(stream: gk.OutputStream, pieces: Any, released: list[str]) -> None:
    """Feed *pieces* and finish, keeping what was released (up to a block) in *released*."""
    for piece in pieces:
        released.append(stream.feed(piece))
    released.append(stream.finish())


# -- events without text that do not end a block ------------------------------------------------------


@pytest.mark.parametrize("keepalive", [{"type": "ping"}, {"type": "some_future_event"}])
def test_anthropic_ping_does_not_split_the_checked_text(keepalive: dict[str, Any]) -> None:
    """A secret split across a ping is checked as one text and blocked, as it is unsplit."""
    policy = gk.Policy(output=[gk.Secrets()])
    assert policy.check_output("Your token is " + TOKEN).blocked

    @guard_anthropic(policy)
    def ask(messages: Any) -> Iterator[Any]:
        yield from anthropic_events("Your token is " + TOKEN[:18], keepalive, TOKEN[18:])

    with pytest.raises(gk.OutputBlocked):
        list(ask([{"role": "user", "content": "hi"}]))


def test_anthropic_ping_passes_and_the_text_is_released_whole() -> None:
    """The ping is passed on; the text around it is checked and released as one block."""
    policy = gk.Policy(output=[gk.DenySubstrings(["Project Falcon"], action="redact", name="codename")])

    @guard_anthropic(policy)
    def ask(messages: Any) -> Iterator[Any]:
        yield from anthropic_events("It is Project Fal", {"type": "ping"}, "con, done.")

    events = list(ask([{"role": "user", "content": "hi"}]))
    assert texts(events) == "It is [DENIED_SUBSTRING], done."
    assert [e["type"] for e in events].count("ping") == 1
    assert [e["type"] for e in events][-3:] == ["content_block_stop", "message_delta", "message_stop"]


def test_anthropic_block_boundaries_still_end_the_text_block() -> None:
    """Two content blocks are checked apart, and each block's text goes back into its own events."""
    policy = gk.Policy(output=[gk.DenySubstrings(["Project Falcon"], action="redact", name="codename")])
    events = [
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        delta("It is Project", 0),
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
        delta(" Falcon.", 1),
        {"type": "content_block_stop", "index": 1},
    ]

    @guard_anthropic(policy)
    def ask(messages: Any) -> Iterator[Any]:
        yield from events

    out = list(ask([{"role": "user", "content": "hi"}]))
    assert [(e["index"], e["delta"]["text"]) for e in out if e["type"] == "content_block_delta"] == [
        (0, "It is Project"),
        (1, " Falcon."),
    ]


def test_anthropic_adapter_says_which_events_end_a_block() -> None:
    """Block and message boundaries end the text block; pings and citation deltas do not."""
    ends = ANTHROPIC_STREAM.ends_block
    for kind in (
        "message_start",
        "content_block_start",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ):
        assert ends({"type": kind}), kind
    assert not ends({"type": "ping"})
    citation = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "citations_delta", "citation": {}},
    }
    assert ANTHROPIC_STREAM.text(citation) is None
    assert not ends(citation)


def test_anthropic_ping_in_an_async_generator() -> None:
    """The async driver keeps the block open across a ping too, and ends it at the block's stop."""
    policy = gk.Policy(output=[gk.Secrets()])

    @guard_anthropic(policy, on_block="[withheld]")
    async def ask(messages: Any) -> AsyncIterator[Any]:
        for event in anthropic_events("Your token is " + TOKEN[:18], {"type": "ping"}, TOKEN[18:]):
            yield event

    out = asyncio.run(collect(ask([{"role": "user", "content": "hi"}])))
    assert out[-1] == "[withheld]"
    assert TOKEN[:8] not in texts([e for e in out if isinstance(e, dict)])


def test_ends_block_must_be_callable() -> None:
    class Broken(DeltaEvents):
        ends_block = True

    with pytest.raises(gk.ConfigError):
        gk.guard(gk.Policy(output=[gk.Secrets()]), stream=Broken())(lambda prompt: iter(()))


# -- limits count every block of the reply ------------------------------------------------------------


def test_length_limit_counts_every_block_of_an_adapter_stream() -> None:
    """MaxChars(20) blocks ten 15-character deltas split by structural events, as it blocks the same
    deltas as plain str chunks."""
    policy = gk.Policy(output=[gk.MaxChars(20)])

    @gk.guard(policy, stream=DeltaEvents())
    def events(prompt: str) -> Iterator[dict[str, Any]]:
        for _ in range(10):
            yield {"type": "delta", "text": "x" * 15}
            yield {"type": "ping"}

    @gk.guard(policy)
    def chunks(prompt: str) -> Iterator[str]:
        for _ in range(10):
            yield "x" * 15

    with pytest.raises(gk.OutputBlocked):
        list(chunks("q"))
    released: list[dict[str, Any]] = []
    with pytest.raises(gk.OutputBlocked):
        released.extend(events("q"))
    assert sum(len(e.get("text", "")) for e in released) <= 20


def test_truncating_limit_counts_every_block_and_stops_reading() -> None:
    """A truncating limit keeps the first 20 characters of all blocks together, then the model's stream
    is closed."""
    consumed: list[int] = []

    @gk.guard(gk.Policy(output=[gk.MaxChars(20, action="redact")]), stream=DeltaEvents())
    def events(prompt: str) -> Iterator[dict[str, Any]]:
        for i in range(1000):
            consumed.append(i)
            yield {"type": "start"}
            yield {"type": "delta", "text": "abcdefghijklmno"}
            yield {"type": "stop"}

    out = list(events("q"))
    assert "".join(e.get("text", "") for e in out) == ("abcdefghijklmno" * 2)[:20]
    assert len(consumed) == 2


def test_token_limit_counts_every_block() -> None:
    """MaxTokens keeps counting across blocks too."""
    words = gk.MaxTokens(5, count=lambda text: len(text.split()))

    @gk.guard(gk.Policy(output=[words]), stream=DeltaEvents())
    def events(prompt: str) -> Iterator[dict[str, Any]]:
        for _ in range(4):
            yield {"type": "delta", "text": "one two "}
            yield {"type": "stop"}

    with pytest.raises(gk.OutputBlocked):
        list(events("q"))


# -- async generators await acheck --------------------------------------------------------------------


def test_async_generator_awaits_acheck_like_an_async_function() -> None:
    """What an async check flags blocks an async generator's output, as it blocks an async function's."""
    remote = Remote()
    policy = gk.Policy(output=[remote])

    @gk.guard(policy)
    async def whole(prompt: str) -> str:
        return "this is forbidden text"

    @gk.guard(policy)
    async def stream(prompt: str) -> AsyncIterator[str]:
        yield "this is forbidden text"

    with pytest.raises(gk.OutputBlocked):
        asyncio.run(whole("q"))
    with pytest.raises(gk.OutputBlocked):
        asyncio.run(collect(stream("q")))
    assert "acheck" in remote.calls
    assert "check" not in remote.calls


def test_async_generator_awaits_acheck_mid_stream_and_with_an_adapter() -> None:
    """Long streams are scanned with acheck as they go, and adapter blocks end with an awaited scan."""

    @gk.guard(gk.Policy(output=[Remote()]))
    async def long(prompt: str) -> AsyncIterator[str]:
        for i in range(200):
            yield "forbidden " if i == 100 else "fine text "

    released: list[str] = []

    async def drain() -> None:
        async for chunk in long("q"):
            released.append(chunk)

    with pytest.raises(gk.OutputBlocked):
        asyncio.run(drain())
    assert released
    assert "forbidden" not in "".join(released)

    @gk.guard(gk.Policy(output=[Remote()]), stream=DeltaEvents(), on_block="[withheld]")
    async def events(prompt: str) -> AsyncIterator[dict[str, Any]]:
        yield {"type": "delta", "text": "this is forbid"}
        yield {"type": "delta", "text": "den"}
        yield {"type": "stop"}

    out = asyncio.run(collect(events("q")))
    assert out == ["[withheld]"]


def test_async_generator_with_a_failing_acheck_fails_closed() -> None:
    """An acheck that raises blocks the stream, unless the check may fail open."""

    class Failing(Remote):
        async def acheck(self, text: str) -> tuple[Finding, ...]:
            raise RuntimeError("service down")

    @gk.guard(gk.Policy(output=[Failing()]))
    async def closed(prompt: str) -> AsyncIterator[str]:
        yield "hello"

    with pytest.raises(gk.ValidatorFailed):
        asyncio.run(collect(closed("q")))

    @gk.guard(gk.Policy(output=[Failing()], fail_open=["remote"]))
    async def open_(prompt: str) -> AsyncIterator[str]:
        yield "hello"

    with pytest.warns(gk.GuardkitWarning):
        assert "".join(asyncio.run(collect(open_("q")))) == "hello"


def test_output_stream_async_twins() -> None:
    """OutputStream.afeed and afinish await acheck; feed and finish do not."""

    async def run(stream: gk.OutputStream) -> str:
        out = [await stream.afeed(piece) for piece in ["this is forbid", "den text"]]
        return "".join(out) + await stream.afinish()

    with pytest.raises(gk.OutputBlocked):
        asyncio.run(run(gk.OutputStream(gk.Policy(output=[Remote()]), None)))
    stream = gk.OutputStream(gk.Policy(output=[Remote()]), None)
    assert stream.feed("this is forbidden text") + stream.finish() == "this is forbidden text"


# -- findings that more text could still change --------------------------------------------------------


@pytest.mark.parametrize("emoji", [FAMILY, SCOTLAND, KEYCAP])
def test_blocking_invisible_chars_streams_emoji_one_code_point_at_a_time(emoji: str) -> None:
    """However the reply is cut, a stream gives the whole text's verdict: an emoji sequence that is not
    finished yet is not blocked."""
    policy = gk.Policy(output=[gk.InvisibleChars(action="block")])
    for lead in range(70, 140):
        text = "a" * lead + emoji + " done."
        assert policy.check_output(text).allowed
        stream = gk.OutputStream(policy, None)
        out = "".join(stream.feed(c) for c in text) + stream.finish()
        assert out == text, lead


def test_blocking_invisible_chars_still_blocks_a_dangling_joiner() -> None:
    """A joiner that nothing follows is blocked at the end of the stream, and never released."""
    policy = gk.Policy(output=[gk.InvisibleChars(action="block")])
    text = "a" * 100 + "\U0001f468\u200d" + " and more text after it" * 5
    assert policy.check_output(text).blocked
    stream = gk.OutputStream(policy, None)
    released: list[str] = []
    with pytest.raises(gk.OutputBlocked):
        stream_into(stream, text, released)
    assert "\u200d" not in "".join(released)


def test_a_blocking_finding_at_the_end_of_the_buffer_waits_for_more_text() -> None:
    """Any blocking check, not just InvisibleChars: a match that the next characters undo is not acted
    on while those characters may still come."""
    policy = gk.Policy(output=[gk.DenyPatterns(r"\bfoo(?!bar)", name="foo")])
    for lead in range(40, 80):
        text = "x " * lead + "foobar and so on."
        assert policy.check_output(text).allowed
        stream = gk.OutputStream(policy, None)
        assert "".join(stream.feed(c) for c in text) + stream.finish() == text, lead
    text = "x " * 50 + "foobaz and so on."
    stream = gk.OutputStream(policy, None)
    released: list[str] = []
    with pytest.raises(gk.OutputBlocked):
        stream_into(stream, text, released)
    assert "foo" not in "".join(released)


# -- events for whole-reply checks ---------------------------------------------------------------------


@pytest.mark.parametrize("action", ["redact", "warn", "block"])
def test_length_limit_events_match_the_whole_text(action: str) -> None:
    """A stream reports a length limit with an event of the same action and rule as the whole text."""
    events: list[gk.Event] = []
    policy = gk.Policy(output=[gk.MaxChars(20, action=action)], events=events.append)
    policy.check_output("x" * 100)
    whole = [(e.action, e.findings[0].rule, e.findings[0].start) for e in events]
    events.clear()
    stream = gk.OutputStream(policy, None)
    try:
        out = "".join(stream.feed("x" * 10) for _ in range(10)) + stream.finish()
    except gk.OutputBlocked:
        out = None
    streamed = [(e.action, e.findings[0].rule, e.findings[0].start) for e in events]
    assert streamed == whole
    assert out == {"redact": "x" * 20, "warn": "x" * 100, "block": None}[action]
    assert [f.rule for f in stream.findings] == ["max_chars"]


def test_length_limit_event_from_a_guarded_generator() -> None:
    """The guard's stream reports a truncation too."""
    events: list[gk.Event] = []

    @gk.guard(gk.Policy(output=[gk.MaxChars(20, action="redact")], events=events.append))
    def ask(prompt: str) -> Iterator[str]:
        for _ in range(10):
            yield "x" * 10

    assert "".join(ask("q")) == "x" * 20
    assert [(e.action, e.findings[0].rule) for e in events] == [(gk.Action.REDACT, "max_chars")]


def test_nothing_is_checked_after_the_last_block_ended() -> None:
    """Once the last block was checked to its end, the end of the stream checks no empty text: a check
    that wants something in every block is not run on nothing."""

    class NeedsSignoff:
        name = "signoff"
        action = "block"
        window = 40

        def check(self, text: str) -> tuple[Finding, ...]:
            return () if "-- bot" in text else (Finding(self.name, "NO_SIGNOFF", len(text), len(text)),)

    @gk.guard(gk.Policy(output=[NeedsSignoff()]), stream=DeltaEvents())
    def ask(prompt: str) -> Iterator[dict[str, Any]]:
        yield {"type": "start"}
        yield {"type": "delta", "text": "hello -- bot"}
        yield {"type": "stop"}

    assert [e["type"] for e in ask("q")] == ["start", "delta", "stop"]


# -- OpenAI: chunks and events that annotate the text do not split it --------------------------------


def _chunk(**choice: Any) -> dict[str, Any]:
    return {"id": "c", "object": "chat.completion.chunk", "choices": [{"index": 0, **choice}]}


def test_openai_content_filter_chunk_does_not_split_the_checked_text() -> None:
    """A content-filter chunk with no delta between two halves of a secret does not let it through."""
    from guardkit.integrations.openai import guard_openai

    policy = gk.Policy(output=[gk.Secrets()])

    @guard_openai(policy)
    def ask(messages: Any) -> Iterator[Any]:
        yield _chunk(delta={"role": "assistant", "content": ""})
        yield _chunk(delta={"content": "Your token is " + TOKEN[:18]})
        yield _chunk(content_filter_results={"hate": {"filtered": False}}, finish_reason=None)
        yield _chunk(delta={"content": TOKEN[18:]})
        yield _chunk(delta={}, finish_reason="stop")

    with pytest.raises(gk.OutputBlocked):
        list(ask([{"role": "user", "content": "hi"}]))


def test_openai_responses_annotation_does_not_split_the_checked_text() -> None:
    """An annotation event between two text deltas of a Responses stream does not split the text."""
    from guardkit.integrations.openai import guard_openai

    policy = gk.Policy(output=[gk.Secrets()])
    where = {"item_id": "m", "output_index": 0, "content_index": 0}

    @guard_openai(policy)
    def ask(input: Any) -> Iterator[Any]:  # noqa: A002 - the Responses API parameter name
        yield {"type": "response.output_text.delta", **where, "delta": "Your token is " + TOKEN[:18]}
        yield {
            "type": "response.output_text.annotation.added",
            **where,
            "annotation": {"type": "url_citation"},
        }
        yield {"type": "response.output_text.delta", **where, "delta": TOKEN[18:]}

    with pytest.raises(gk.OutputBlocked):
        list(ask("hi"))


def test_openai_adapter_says_which_events_end_a_block() -> None:
    """Finish, tool-call and usage chunks and Responses boundaries end the block; annotations do not."""
    from guardkit.integrations.openai import STREAM as OPENAI_STREAM

    ends = OPENAI_STREAM.ends_block
    assert ends(_chunk(delta={}, finish_reason="stop"))
    assert ends(_chunk(delta={"tool_calls": [{"index": 0, "id": "t", "function": {"name": "f"}}]}))
    assert ends({"id": "c", "object": "chat.completion.chunk", "choices": [], "usage": {}})
    assert ends({"type": "response.output_text.done", "text": "x"})
    assert not ends(_chunk(content_filter_results={}, finish_reason=None))
    assert not ends(_chunk(delta={"role": "assistant", "content": ""}))
    assert not ends({"type": "response.output_text.annotation.added"})
