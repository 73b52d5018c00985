"""The real ``openai`` SDK, sync and async, against a local replay server: guarded Chat Completions and
Responses calls, plain and streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import openai
import pytest
from _payloads import chat_chunks, chat_completion, response, response_events
from _replay import ReplayServer
from _support import CODENAME, FORBIDDEN, SSN, assert_clean, run
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import Response

import guardkit as gk
from guardkit.integrations.openai import guard_openai

MODEL = "gpt-4o-mini"
USER = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Status?"}]
#: Filler after a forbidden phrase, long enough that the stream checks it before the next event.
FILLER = [" and then", " some more", " words that", " keep the", " reply going", " for a while."]


def client(server: ReplayServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key="test", max_retries=0, timeout=10)


def aclient(server: ReplayServer) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=server.url + "/v1", api_key="test", max_retries=0, timeout=10)


def chat_text(chunks: list[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


# -- the four call styles, each a real SDK call -------------------------------------------------


def call_chat(server: ReplayServer, policy: gk.Policy, style: str, messages: Any, **kw: Any) -> Any:
    """Make one guarded chat call in *style*; return the result (a list of chunks for streams)."""
    if style == "sync":
        with client(server) as c:

            @guard_openai(policy, **kw)
            def ask(messages: Any) -> Any:
                return c.chat.completions.create(model=MODEL, messages=messages)

            return ask(messages)
    if style == "gen":
        with client(server) as c:

            @guard_openai(policy, **kw)
            def stream(messages: Any) -> Iterator[Any]:
                with c.chat.completions.create(model=MODEL, messages=messages, stream=True) as s:
                    yield from s

            return list(stream(messages))

    async def main() -> Any:
        async with aclient(server) as c:
            if style == "async":

                @guard_openai(policy, **kw)
                async def aask(messages: Any) -> Any:
                    return await c.chat.completions.create(model=MODEL, messages=messages)

                return await aask(messages)

            @guard_openai(policy, **kw)
            async def astream(messages: Any) -> AsyncIterator[Any]:
                s = await c.chat.completions.create(model=MODEL, messages=messages, stream=True)
                async with s:
                    async for chunk in s:
                        yield chunk

            return [chunk async for chunk in astream(messages)]

    return run(main())


STYLES = ["sync", "async", "gen", "async_gen"]


@pytest.mark.parametrize("style", STYLES)
def test_chat_output_redacted_in_sdk_type(server: ReplayServer, policy: gk.Policy, style: str) -> None:
    """Redacted text comes back in the SDK's own ChatCompletion (or chunk) objects, in every style."""
    if style in ("sync", "async"):
        server.reply_json(chat_completion(f"{CODENAME} ships on Monday; ref {SSN}."))
    else:
        deltas = ["Proj", "ect Fal", "con ships", " on Monday", "; ref 078-", "05-1120", "."]
        server.reply_sse(chat_chunks(deltas))
    result = call_chat(server, policy, style, USER)
    if style in ("sync", "async"):
        assert type(result) is ChatCompletion
        assert result.choices[0].message.content == "[CODENAME] ships on Monday; ref [SSN]."
        assert result.usage is not None
        assert result.usage.total_tokens == 31
        assert result.id.startswith("chatcmpl-")
    else:
        assert all(type(chunk) is ChatCompletionChunk for chunk in result)
        assert chat_text(result) == "[CODENAME] ships on Monday; ref [SSN]."
        assert result[0].choices[0].delta.role == "assistant"
        assert [c.choices[0].finish_reason for c in result if c.choices][-1] == "stop"
        assert result[-1].usage is not None  # the usage chunk passes through
    assert_clean(result)


@pytest.mark.parametrize("style", STYLES)
def test_chat_input_blocked_before_any_request(server: ReplayServer, policy: gk.Policy, style: str) -> None:
    """Blocked input raises InputBlocked and the server never sees a request."""
    server.reply_json(chat_completion("unused"))
    messages = [{"role": "user", "content": f"What is the {FORBIDDEN}?"}]
    with pytest.raises(gk.InputBlocked) as caught:
        call_chat(server, policy, style, messages)
    assert server.requests == []
    assert FORBIDDEN not in str(caught.value)


@pytest.mark.parametrize("style", ["sync", "gen"])
def test_chat_input_redacted_before_sending(server: ReplayServer, policy: gk.Policy, style: str) -> None:
    """Input PII is redacted in the request the server receives; the system message is untouched."""
    if style == "sync":
        server.reply_json(chat_completion("Noted."))
    else:
        server.reply_sse(chat_chunks(["Noted."]))
    messages = [
        {"role": "system", "content": f"Example id: {SSN}"},
        {"role": "user", "content": [{"type": "text", "text": f"My SSN is {SSN}."}]},
    ]
    call_chat(server, policy, style, messages)
    sent = server.requests[0].body["messages"]
    assert sent[0]["content"] == f"Example id: {SSN}"  # trusted role, not checked
    assert sent[1]["content"] == [{"type": "text", "text": "My SSN is [SSN]."}]
    assert server.requests[0].path == "/v1/chat/completions"


def test_chat_output_blocked_raises_and_returns_nothing(server: ReplayServer, policy: gk.Policy) -> None:
    """A blocked reply raises OutputBlocked; the message names the rule, not the text."""
    server.reply_json(chat_completion(f"The {FORBIDDEN} is 0000."))
    with pytest.raises(gk.OutputBlocked) as caught:
        call_chat(server, policy, "sync", USER)
    assert "forbidden" in str(caught.value)
    assert FORBIDDEN not in str(caught.value)


@pytest.mark.parametrize("style", ["gen", "async_gen"])
def test_chat_stream_blocked_mid_stream_closes_connection(
    server: ReplayServer, policy: gk.Policy, style: str
) -> None:
    """A block mid-stream raises OutputBlocked, releases none of the flagged text and hangs up."""
    deltas = ["Sure.", " The ", "launch", " code", " is 0000", *FILLER, " Bye."]
    frames = chat_chunks(deltas)
    server.reply_sse(frames, hold_after=len(frames) - 5)  # stall before the last deltas
    seen: list[Any] = []

    def collect_sync() -> None:
        with client(server) as c:

            @guard_openai(policy)
            def stream(messages: Any) -> Iterator[Any]:
                with c.chat.completions.create(model=MODEL, messages=messages, stream=True) as s:
                    yield from s

            seen.extend(stream(USER))

    async def collect_async() -> None:
        async with aclient(server) as c:

            @guard_openai(policy)
            async def astream(messages: Any) -> AsyncIterator[Any]:
                s = await c.chat.completions.create(model=MODEL, messages=messages, stream=True)
                async with s:
                    async for chunk in s:
                        yield chunk

            async for chunk in astream(USER):
                seen.append(chunk)

    collect = collect_sync if style == "gen" else lambda: run(collect_async())
    with pytest.raises(gk.OutputBlocked):
        collect()
    assert server.hang_ups() == [True]
    assert_clean(seen)


def test_chat_on_block_fallback_and_tool_calls(server: ReplayServer, policy: gk.Policy) -> None:
    """on_block replaces a blocked call; a reply with only tool calls comes back as it was."""
    fallback = call_chat(server, policy, "sync", [{"role": "user", "content": FORBIDDEN}], on_block="Sorry.")
    assert fallback == "Sorry."
    assert server.requests == []
    server.reply_json(chat_completion(None))
    result = call_chat(server, policy, "sync", USER)
    assert type(result) is ChatCompletion
    assert result.choices[0].message.tool_calls[0].function.name == "lookup"


def test_chat_several_choices_each_rewritten(server: ReplayServer, policy: gk.Policy) -> None:
    """With n > 1 every choice is checked and only the ones that change are rewritten."""
    server.reply_json(chat_completion(f"A: {CODENAME}.", "B: nothing to see.", f"C: {SSN}"))
    result = call_chat(server, policy, "sync", USER)
    assert [c.message.content for c in result.choices] == [
        "A: [CODENAME].",
        "B: nothing to see.",
        "C: [SSN]",
    ]


# -- Responses API -------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["sync", "async"])
def test_responses_output_redacted(server: ReplayServer, policy: gk.Policy, style: str) -> None:
    """A Response's output_text parts are redacted and it stays a Response."""
    server.reply_json(response([f"{CODENAME} is", " on time."], [f"Ref {SSN}."]))
    if style == "sync":
        with client(server) as c:

            @guard_openai(policy)
            def ask(input: Any) -> Any:  # noqa: A002 - the Responses API's own name
                return c.responses.create(model=MODEL, input=input, instructions="Be brief.")

            result = ask("Status?")
    else:

        async def main() -> Any:
            async with aclient(server) as c:

                @guard_openai(policy)
                async def aask(input: Any) -> Any:  # noqa: A002
                    return await c.responses.create(model=MODEL, input=input)

                return await aask("Status?")

        result = run(main())
    assert type(result) is Response
    assert result.output_text == "[CODENAME] is on time.Ref [SSN]."
    assert server.requests[0].body["input"] == "Status?"
    assert_clean(result)


RESPONSES_INPUTS = [
    pytest.param(f"the {FORBIDDEN}", id="str"),
    pytest.param(
        [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": FORBIDDEN}]}],
        id="input_text",
    ),
    pytest.param(
        [
            {"role": "user", "content": "Look it up."},
            {"type": "function_call", "call_id": "call_1", "name": "lookup", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "call_1", "output": f"the {FORBIDDEN}"},
        ],
        id="function_call_output",
    ),
]


@pytest.mark.parametrize("value", RESPONSES_INPUTS)
def test_responses_input_blocked(server: ReplayServer, policy: gk.Policy, value: Any) -> None:
    """Responses input (a str, input_text items, tool output) is checked before any request."""
    server.reply_json(response(["unused"]))
    with client(server) as c:

        @guard_openai(policy)
        def ask(input: Any) -> Any:  # noqa: A002
            return c.responses.create(model=MODEL, input=input)

        with pytest.raises(gk.InputBlocked):
            ask(value)
    assert server.requests == []


def test_responses_input_items_redacted(server: ReplayServer, policy: gk.Policy) -> None:
    """input_text parts of Responses input items are redacted in the request sent."""
    server.reply_json(response(["Noted."]))
    items = [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": f"SSN {SSN}"}]}]
    with client(server) as c:

        @guard_openai(policy)
        def ask(input: Any) -> Any:  # noqa: A002
            return c.responses.create(model=MODEL, input=input)

        ask(items)
    assert server.requests[0].body["input"][0]["content"][0]["text"] == "SSN [SSN]"


def _responses_stream_events(server: ReplayServer, policy: gk.Policy, style: str) -> list[Any]:
    if style == "gen":
        with client(server) as c:

            @guard_openai(policy)
            def stream(input: Any) -> Iterator[Any]:  # noqa: A002
                with c.responses.create(model=MODEL, input=input, stream=True) as s:
                    yield from s

            return list(stream("Status?"))

    async def main() -> list[Any]:
        async with aclient(server) as c:

            @guard_openai(policy)
            async def astream(input: Any) -> AsyncIterator[Any]:  # noqa: A002
                s = await c.responses.create(model=MODEL, input=input, stream=True)
                async with s:
                    async for event in s:
                        yield event

            return [event async for event in astream("Status?")]

    return run(main())


@pytest.mark.parametrize("style", ["gen", "async_gen"])
def test_responses_stream_redacted_everywhere(server: ReplayServer, policy: gk.Policy, style: str) -> None:
    """Deltas are redacted and the closing events (done, completed) carry the same redacted text."""
    server.reply_sse(
        response_events(
            [["Proj", "ect Falcon", " is on", " time."], ["Ref 078-05", "-1120."]],
            [["Second item, clean."]],
        )
    )
    events = _responses_stream_events(server, policy, style)
    kinds = [e.type for e in events]
    assert kinds[0] == "response.created"
    assert kinds[-1] == "response.completed"
    assert kinds.count("response.output_text.done") == 3
    deltas: dict[tuple[str, int], str] = {}
    for e in events:
        if e.type == "response.output_text.delta":
            key = (e.item_id, e.content_index)
            deltas[key] = deltas.get(key, "") + e.delta
    assert sorted(deltas.values()) == ["Ref [SSN].", "Second item, clean.", "[CODENAME] is on time."]
    for e in events:
        if e.type == "response.output_text.done":
            assert e.text == deltas[(e.item_id, e.content_index)]
        if e.type == "response.content_part.done":
            assert e.part.text == deltas[(e.item_id, e.content_index)]
    final = events[-1].response
    assert final.output_text == "[CODENAME] is on time.Ref [SSN].Second item, clean."
    assert final.usage.total_tokens == 123
    assert_clean(events)


def test_responses_stream_blocked_closes_connection(server: ReplayServer, policy: gk.Policy) -> None:
    """A Responses stream blocked mid-way raises and hangs up before the closing events."""
    deltas = ["The ", "launch", " code", " is 0000", *FILLER]
    frames = response_events([deltas])
    server.reply_sse(frames, hold_after=len(frames) - 4)
    seen: list[Any] = []
    with client(server) as c:

        @guard_openai(policy)
        def stream(input: Any) -> Iterator[Any]:  # noqa: A002
            with c.responses.create(model=MODEL, input=input, stream=True) as s:
                yield from s

        with pytest.raises(gk.OutputBlocked):
            seen.extend(stream("Status?"))
    assert server.hang_ups() == [True]
    assert_clean(seen)


@pytest.mark.parametrize("style", ["sync", "gen"])
def test_session_pseudonyms_round_trip(server: ReplayServer, policy: gk.Policy, style: str) -> None:
    """Inside a session, the model sees a placeholder and the caller gets the value back in the SDK object."""
    policy = policy.replace(on_fail={"ssn": "pseudonymize"})
    reply = "Filed under <SSN_1>, thanks."
    if style == "sync":
        server.reply_json(chat_completion(reply))
    else:
        server.reply_sse(chat_chunks(["Filed under <SS", "N_1>, than", "ks."]))
    with gk.guarded(policy):
        result = call_chat(server, policy, style, [{"role": "user", "content": f"My SSN is {SSN}."}])
    assert server.requests[0].body["messages"][0]["content"] == "My SSN is <SSN_1>."
    text = result.choices[0].message.content if style == "sync" else chat_text(result)
    assert text == f"Filed under {SSN}, thanks."
