"""The real ``anthropic`` SDK, sync and async, against a local replay server: guarded Messages calls,
plain and streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import anthropic
import pytest
from _payloads import anthropic_events, anthropic_message
from _replay import ReplayServer
from _support import CODENAME, FORBIDDEN, SSN, assert_clean, run
from anthropic.types import Message, RawContentBlockDeltaEvent

import guardkit as gk
from guardkit.integrations.anthropic import guard_anthropic

MODEL = "claude-opus-4-7"
USER = [{"role": "user", "content": "Status?"}]
FILLER = [" and then", " some more", " words that", " keep the", " reply going", " for a while."]
TOOL_USE = {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "lookup", "input": {"q": "x"}}


def client(server: ReplayServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.url, api_key="test", max_retries=0, timeout=10)


def aclient(server: ReplayServer) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=server.url, api_key="test", max_retries=0, timeout=10)


def streamed_text(events: list[Any]) -> list[str]:
    """The text of each block of a raw event stream."""
    blocks: dict[int, str] = {}
    for e in events:
        if e.type == "content_block_delta" and e.delta.type == "text_delta":
            blocks[e.index] = blocks.get(e.index, "") + e.delta.text
    return [blocks[i] for i in sorted(blocks)]


def call(server: ReplayServer, policy: gk.Policy, style: str, messages: Any, **kw: Any) -> Any:
    """Make one guarded Messages call in *style*; return the result (a list of events for streams)."""
    create = {"model": MODEL, "max_tokens": 256, "system": "Be brief."}
    if style == "sync":
        with client(server) as c:

            @guard_anthropic(policy, **kw)
            def ask(messages: Any) -> Any:
                return c.messages.create(messages=messages, **create)

            return ask(messages)
    if style == "gen":
        with client(server) as c:

            @guard_anthropic(policy, **kw)
            def stream(messages: Any) -> Iterator[Any]:
                with c.messages.create(messages=messages, stream=True, **create) as s:
                    yield from s

            return list(stream(messages))

    async def main() -> Any:
        async with aclient(server) as c:
            if style == "async":

                @guard_anthropic(policy, **kw)
                async def aask(messages: Any) -> Any:
                    return await c.messages.create(messages=messages, **create)

                return await aask(messages)

            @guard_anthropic(policy, **kw)
            async def astream(messages: Any) -> AsyncIterator[Any]:
                s = await c.messages.create(messages=messages, stream=True, **create)
                async with s:
                    async for event in s:
                        yield event

            return [event async for event in astream(messages)]

    return run(main())


STYLES = ["sync", "async", "gen", "async_gen"]


@pytest.mark.parametrize("style", STYLES)
def test_message_output_redacted_in_sdk_type(server: ReplayServer, policy: gk.Policy, style: str) -> None:
    """Redacted text comes back in the SDK's own Message (or raw events), tool use untouched."""
    if style in ("sync", "async"):
        server.reply_json(anthropic_message(f"{CODENAME} is on time.", TOOL_USE, f"Ref {SSN}."))
    else:
        server.reply_sse(
            anthropic_events(["Proj", "ect Fal", "con is", " on time."], ["Ref 078-05", "-1120."])
        )
    result = call(server, policy, style, USER)
    if style in ("sync", "async"):
        assert type(result) is Message
        assert [b.type for b in result.content] == ["text", "tool_use", "text"]
        assert result.content[0].text == "[CODENAME] is on time."
        assert result.content[1].input == {"q": "x"}
        assert result.content[2].text == "Ref [SSN]."
        assert result.usage.output_tokens == 31
    else:
        assert streamed_text(result) == ["[CODENAME] is on time.", "Ref [SSN]."]
        assert result[0].type == "message_start"
        assert result[-1].type == "message_stop"
        assert [e.type for e in result].count("content_block_stop") == 2
        deltas = [e for e in result if e.type == "content_block_delta"]
        assert all(type(e) is RawContentBlockDeltaEvent for e in deltas)
    assert server.requests[0].path == "/v1/messages"
    assert_clean(result)


BLOCKED_INPUTS = [
    pytest.param([{"role": "user", "content": f"The {FORBIDDEN}?"}], id="text"),
    pytest.param(
        [
            {"role": "user", "content": "Look it up."},
            {"role": "assistant", "content": [TOOL_USE]},
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": TOOL_USE["id"],
                        "content": [{"type": "text", "text": f"the {FORBIDDEN} is 0000"}],
                    }
                ],
            },
        ],
        id="tool_result",
    ),
]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("messages", BLOCKED_INPUTS)
def test_input_blocked_before_any_request(
    server: ReplayServer, policy: gk.Policy, style: str, messages: Any
) -> None:
    """Blocked user text or tool results raise InputBlocked and no request is sent."""
    server.reply_json(anthropic_message("unused"))
    with pytest.raises(gk.InputBlocked):
        call(server, policy, style, messages)
    assert server.requests == []


def test_input_redacted_before_sending(server: ReplayServer, policy: gk.Policy) -> None:
    """PII in user content blocks is redacted in the request; the system prompt is not checked."""
    server.reply_json(anthropic_message("Noted."))
    messages = [{"role": "user", "content": [{"type": "text", "text": f"My SSN is {SSN}."}]}]
    call(server, policy, "sync", messages)
    body = server.requests[0].body
    assert body["messages"][0]["content"] == [{"type": "text", "text": "My SSN is [SSN]."}]
    assert body["system"] == "Be brief."


@pytest.mark.parametrize("style", ["gen", "async_gen"])
def test_stream_blocked_mid_stream_closes_connection(
    server: ReplayServer, policy: gk.Policy, style: str
) -> None:
    """A block mid-stream raises OutputBlocked, releases none of the flagged text and hangs up."""
    frames = anthropic_events(["Sure. The ", "launch", " code", " is 0000", *FILLER])
    server.reply_sse(frames, hold_after=len(frames) - 4)
    seen: list[Any] = []
    create = {"model": MODEL, "max_tokens": 256, "stream": True}

    def collect_sync() -> None:
        with client(server) as c:

            @guard_anthropic(policy)
            def stream(messages: Any) -> Iterator[Any]:
                with c.messages.create(messages=messages, **create) as s:
                    yield from s

            seen.extend(stream(USER))

    async def collect_async() -> None:
        async with aclient(server) as c:

            @guard_anthropic(policy)
            async def astream(messages: Any) -> AsyncIterator[Any]:
                s = await c.messages.create(messages=messages, **create)
                async with s:
                    async for event in s:
                        yield event

            async for event in astream(USER):
                seen.append(event)

    collect = collect_sync if style == "gen" else lambda: run(collect_async())
    with pytest.raises(gk.OutputBlocked):
        collect()
    assert server.hang_ups() == [True]
    assert_clean(seen)


def test_stream_helper_text_stream(server: ReplayServer, policy: gk.Policy) -> None:
    """The messages.stream() helper works through its text_stream of str chunks."""
    server.reply_sse(anthropic_events(["Proj", "ect Falcon", " is on time."]))
    with client(server) as c:

        @guard_anthropic(policy)
        def stream(messages: Any) -> Iterator[str]:
            with c.messages.stream(model=MODEL, max_tokens=256, messages=messages) as s:
                yield from s.text_stream

        assert "".join(stream(USER)) == "[CODENAME] is on time."


def test_stream_helper_events_refused(server: ReplayServer, policy: gk.Policy) -> None:
    """The helper's own events (with unchecked text snapshots) are refused, not passed through."""
    server.reply_sse(anthropic_events(["Proj", "ect Falcon", " is on time."]))
    seen: list[Any] = []
    with client(server) as c:

        @guard_anthropic(policy)
        def stream(messages: Any) -> Iterator[Any]:
            with c.messages.stream(model=MODEL, max_tokens=256, messages=messages) as s:
                yield from s

        with pytest.raises(TypeError, match="text_stream"):
            seen.extend(stream(USER))
    assert_clean(seen)


def test_on_block_fallback(server: ReplayServer, policy: gk.Policy) -> None:
    """on_block returns the fallback for blocked output instead of raising."""
    server.reply_json(anthropic_message(f"The {FORBIDDEN} is 0000."))
    assert call(server, policy, "sync", USER, on_block=lambda exc: exc.stage) == "output"
    assert len(server.requests) == 1
