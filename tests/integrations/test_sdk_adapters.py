"""The OpenAI and Anthropic adapters on their own: SDK objects and plain dicts, event by event."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pydantic
import pytest
from _payloads import (
    anthropic_events,
    anthropic_message,
    chat_chunks,
    chat_completion,
    response,
    response_events,
)
from _support import assert_clean, make_policy
from anthropic.types import Message
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import Response

import guardkit as gk
from guardkit.integrations import anthropic as gk_anthropic
from guardkit.integrations import openai as gk_openai

SEP = "\n\u2029\n"


def events_of(frames: list[tuple[str | None, Any]]) -> list[Any]:
    """The data of SSE frames, without the ``[DONE]`` terminator."""
    return [data for _, data in frames if data != "[DONE]"]


# -- OpenAI output ------------------------------------------------------------------------------


@pytest.mark.parametrize("sdk", [False, True], ids=["dict", "sdk"])
def test_openai_output_chat(sdk: bool) -> None:
    """Chat text is every choice's content; replace() rewrites only the changed ones, same type."""
    raw = chat_completion("first", None, "third")
    result = ChatCompletion.model_validate(raw) if sdk else raw
    out = gk_openai.OUTPUT
    assert out.text(result) == f"first{SEP}third"
    new = out.replace(result, f"first{SEP}THIRD")
    assert type(new) is type(result)
    assert gk_openai.OUTPUT.text(new) == f"first{SEP}THIRD"
    old_choices = result.choices if sdk else result["choices"]  # type: ignore[union-attr]
    new_choices = new.choices if sdk else new["choices"]
    assert new_choices[0] is old_choices[0]
    assert new_choices[1] is old_choices[1]
    assert out.text(result) == f"first{SEP}third"  # the original is untouched


def test_openai_output_no_text_and_unknown_shapes() -> None:
    """Tool-call-only replies have no text; streams, chunks and other objects are refused by type."""
    assert gk_openai.OUTPUT.text(chat_completion(None)) is None
    for value in (object(), {"object": "chat.completion.chunk", "choices": []}, anthropic_message("x")):
        with pytest.raises(TypeError, match="generator"):
            gk_openai.OUTPUT.text(value)
    parts = chat_completion("x")
    parts["choices"][0]["message"]["content"] = [{"type": "text", "text": "secret"}]
    with pytest.raises(TypeError, match="must be a str") as caught:
        gk_openai.OUTPUT.text(parts)
    assert "secret" not in str(caught.value)


class Weather(pydantic.BaseModel):
    city: str


def test_openai_output_drops_annotations_and_reparses() -> None:
    """A rewritten message loses its now-misaligned annotations and has parsed data rebuilt."""
    raw = chat_completion('{"city": "Paris"}')
    message = raw["choices"][0]["message"]
    message["annotations"] = [{"type": "url_citation", "url_citation": {"url": "https://x.test"}}]
    message["parsed"] = Weather(city="Paris")
    new = gk_openai.OUTPUT.replace(raw, '{"city": "[CITY]"}')
    new_message = new["choices"][0]["message"]
    assert new_message["annotations"] == []
    assert new_message["parsed"] == Weather(city="[CITY]")
    broken = gk_openai.OUTPUT.replace(raw, '{"city": [CITY]}')
    assert broken["choices"][0]["message"]["parsed"] is None


@pytest.mark.parametrize("sdk", [False, True], ids=["dict", "sdk"])
def test_openai_output_response(sdk: bool) -> None:
    """Response text is every output_text part; a dict's output_text copy is refreshed too."""
    raw = response(["one", "two"], ["three"])
    raw["output"].insert(0, {"type": "reasoning", "id": "rs_1", "summary": []})
    raw["output_text"] = "onetwothree"
    result = Response.model_validate(raw) if sdk else raw
    assert gk_openai.OUTPUT.text(result) == f"one{SEP}two{SEP}three"
    new = gk_openai.OUTPUT.replace(result, f"one{SEP}[X]{SEP}three")
    assert type(new) is type(result)
    if sdk:
        assert new.output_text == "one[X]three"
        assert new.output[0] is result.output[0]
        assert new.output[2] is result.output[2]
    else:
        assert new["output_text"] == "one[X]three"


# -- OpenAI streams -----------------------------------------------------------------------------


def chunk(content: Any = None, *, role: str | None = None, index: int = 0, n: int = 1) -> dict[str, Any]:
    delta: dict[str, Any] = {} if content is None else {"content": content}
    if role:
        delta["role"] = role
    choices = [{"index": index + i, "delta": delta, "finish_reason": None} for i in range(n)]
    return {"object": "chat.completion.chunk", "choices": choices}


STREAM_TEXT = [
    ("plain str", "abc", "abc"),
    ("role chunk", chunk("", role="assistant"), None),
    ("empty delta mid-text", chunk(""), ""),
    ("content", chunk("hi"), "hi"),
    ("finish chunk", chunk(), None),
    ("usage chunk", {"object": "chat.completion.chunk", "choices": [], "usage": {}}, None),
    ("responses delta", {"type": "response.output_text.delta", "delta": "hi"}, "hi"),
    ("responses error", {"type": "error", "message": "x"}, None),
    ("responses tool args", {"type": "response.function_call_arguments.delta", "delta": "{"}, None),
]


@pytest.mark.parametrize(("event", "expected"), [c[1:] for c in STREAM_TEXT], ids=[c[0] for c in STREAM_TEXT])
def test_openai_stream_text(event: Any, expected: str | None) -> None:
    """Text deltas are read; everything else is a structural event."""
    assert gk_openai.STREAM.text(event) == expected


STREAM_REFUSED = [
    ("n > 1", chunk("x", n=2), "n > 1"),
    ("second choice", chunk("x", index=1), "n > 1"),
    ("chat helper event", {"type": "content.delta", "delta": "x", "snapshot": "x"}, "stream=True"),
    (
        "responses helper delta",
        {"type": "response.output_text.delta", "delta": "x", "snapshot": "x"},
        "stream=True",
    ),
    ("responses stream, bare", {"type": "response.created", "response": {}}, "guard_openai"),
    ("no shape", {"foo": 1}, "stream=True"),
]


@pytest.mark.parametrize(
    ("event", "match"), [c[1:] for c in STREAM_REFUSED], ids=[c[0] for c in STREAM_REFUSED]
)
def test_openai_stream_refuses(event: Any, match: str) -> None:
    """Events the adapter cannot check safely raise TypeError instead of passing through."""
    with pytest.raises(TypeError, match=match):
        gk_openai.STREAM.text(event)


def test_openai_stream_replace_keeps_sdk_type() -> None:
    """replace() returns the SDK's chunk type with only the delta content changed."""
    event = ChatCompletionChunk.model_validate(events_of(chat_chunks(["secret"]))[1])
    new = gk_openai.STREAM.replace(event, "[X]")
    assert type(new) is ChatCompletionChunk
    assert new.choices[0].delta.content == "[X]"
    assert event.choices[0].delta.content == "secret"
    assert gk_openai.STREAM.replace("abc", "x") == "x"


def test_openai_stream_replace_drops_logprobs_of_changed_text() -> None:
    """Log probabilities list the old tokens: kept when the text is unchanged, dropped otherwise."""
    chat = ChatCompletionChunk.model_validate(events_of(chat_chunks(["secret"]))[1])
    assert gk_openai.STREAM.replace(chat, "secret").choices[0].logprobs is not None
    assert gk_openai.STREAM.replace(chat, "[X]").choices[0].logprobs is None
    delta = next(e for e in events_of(response_events([["secret"]])) if e.get("delta"))
    assert gk_openai.STREAM.replace(delta, "secret")["logprobs"][0]["token"] == "secret"
    assert gk_openai.STREAM.replace(delta, "[X]")["logprobs"] == []


def test_openai_bare_stream_refuses_responses_before_any_text() -> None:
    """gk.guard with the bare STREAM adapter fails on a Responses stream before releasing text."""
    frames = events_of(response_events([["Project Falcon", " is late."]]))

    @gk.guard(make_policy(), stream=gk_openai.STREAM)
    def stream(prompt: str) -> Iterator[Any]:
        yield from frames

    seen: list[Any] = []
    with pytest.raises(TypeError, match="guard_openai"):
        seen.extend(stream("hi"))
    assert seen == []


def test_guard_openai_refills_dict_events() -> None:
    """With guard_openai, done/item/completed events of a dict stream carry the released text."""
    frames = events_of(response_events([["Project Falcon", " is late."]], [["fine"]]))

    @gk_openai.guard_openai(make_policy())
    def stream(input: str) -> Iterator[Any]:  # noqa: A002
        yield from frames

    events = list(stream("hi"))
    structural = [e["type"] for e in frames if e["type"] != "response.output_text.delta"]
    assert [e["type"] for e in events if e["type"] != "response.output_text.delta"] == structural
    assert_clean(events)
    done = [e["text"] for e in events if e["type"] == "response.output_text.done"]
    assert done == ["[CODENAME] is late.", "fine"]
    final = events[-1]["response"]
    assert [p["text"] for item in final["output"] for p in item["content"]] == done
    assert events[0] is frames[0]  # events whose text did not change are passed on as they were


# -- Anthropic ----------------------------------------------------------------------------------


TOOL_USE = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}


@pytest.mark.parametrize("sdk", [False, True], ids=["dict", "sdk"])
def test_anthropic_output(sdk: bool) -> None:
    """Message text is every text block; replace() rewrites changed blocks only, same type."""
    raw = anthropic_message("one", TOOL_USE, "two")
    result = Message.model_validate(raw) if sdk else raw
    assert gk_anthropic.OUTPUT.text(result) == f"one{SEP}two"
    new = gk_anthropic.OUTPUT.replace(result, f"one{SEP}[X]")
    assert type(new) is type(result)
    blocks = new.content if sdk else new["content"]
    old = result.content if sdk else result["content"]  # type: ignore[union-attr]
    assert blocks[0] is old[0]
    assert blocks[1] is old[1]
    assert gk_anthropic.OUTPUT.text(new) == f"one{SEP}[X]"
    assert gk_anthropic.OUTPUT.text(anthropic_message(TOOL_USE)) is None


@pytest.mark.parametrize(
    "value",
    [chat_completion("x"), {"type": "message", "role": "user", "content": []}, "text"],
    ids=["openai", "user message", "str"],
)
def test_anthropic_output_refuses(value: Any) -> None:
    """Anything but an assistant Message is refused by type."""
    with pytest.raises(TypeError, match="expected a Message"):
        gk_anthropic.OUTPUT.text(value)


RAW = events_of(anthropic_events(["Hello"]))
ANTHROPIC_TEXT = [
    ("str", "abc", "abc"),
    ("message_start", RAW[0], None),
    ("content_block_start", RAW[1], None),
    ("text delta", RAW[3], "Hello"),
    (
        "json delta",
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "input_json_delta", "partial_json": "{"},
        },
        None,
    ),
    ("content_block_stop", RAW[4], None),
    ("message_delta", RAW[5], None),
    ("message_stop", RAW[6], None),
]


@pytest.mark.parametrize(
    ("event", "expected"), [c[1:] for c in ANTHROPIC_TEXT], ids=[c[0] for c in ANTHROPIC_TEXT]
)
def test_anthropic_stream_text(event: Any, expected: str | None) -> None:
    """Text deltas are read; every other raw event is structural."""
    assert gk_anthropic.STREAM.text(event) == expected


ANTHROPIC_REFUSED = [
    ("helper text", {"type": "text", "text": "x", "snapshot": "x"}, "text_stream"),
    ("helper block stop", {"type": "content_block_stop", "index": 0, "content_block": {}}, "text_stream"),
    ("helper message stop", {"type": "message_stop", "message": {}}, "text_stream"),
    (
        "non-empty block start",
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": "x"}},
        "start empty",
    ),
    ("no type", {"delta": {}}, "text_stream"),
]


@pytest.mark.parametrize(
    ("event", "match"), [c[1:] for c in ANTHROPIC_REFUSED], ids=[c[0] for c in ANTHROPIC_REFUSED]
)
def test_anthropic_stream_refuses(event: Any, match: str) -> None:
    """Helper events with unchecked snapshots, and shapes the adapter cannot hold back, raise."""
    with pytest.raises(TypeError, match=match):
        gk_anthropic.STREAM.text(event)


def test_anthropic_stream_replace() -> None:
    """replace() rewrites the text delta and leaves the event it came from alone."""
    new = gk_anthropic.STREAM.replace(RAW[3], "[X]")
    assert new["delta"] == {"type": "text_delta", "text": "[X]"}
    assert RAW[3]["delta"]["text"] == "Hello"


# -- decorators ---------------------------------------------------------------------------------


@pytest.mark.parametrize("decorator", [gk_openai.guard_openai, gk_anthropic.guard_anthropic])
def test_decorators_check_arguments(decorator: Any) -> None:
    """A bad prompt name or a missing policy fails when decorating, with ConfigError."""
    with pytest.raises(gk.ConfigError, match="no such parameter"):
        decorator(make_policy(), prompt="question")(lambda messages: None)
    with pytest.raises(gk.ConfigError):
        decorator("not a policy")(lambda messages: None)


def test_reprs() -> None:
    """The adapters have short reprs."""
    assert [
        repr(a) for a in (gk_openai.OUTPUT, gk_openai.STREAM, gk_anthropic.OUTPUT, gk_anthropic.STREAM)
    ] == [
        "OpenAIOutput()",
        "OpenAIStream()",
        "AnthropicOutput()",
        "AnthropicStream()",
    ]


def test_importing_adapters_does_not_import_sdks() -> None:
    """The integration modules load without importing openai or anthropic."""
    code = (
        "import sys, guardkit.integrations.openai, guardkit.integrations.anthropic; "
        "print(sorted(m for m in ('openai', 'anthropic', 'httpx', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
