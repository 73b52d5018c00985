"""Reply payloads in the shapes the OpenAI and Anthropic APIs send (field for field), for the replay server.

Each builder takes the texts a test needs and fills in the rest the way the live APIs do, so the SDKs parse
them exactly as they parse real replies.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "anthropic_events",
    "anthropic_message",
    "chat_chunks",
    "chat_completion",
    "response",
    "response_events",
]

_CHAT_MODEL = "gpt-4o-mini-2024-07-18"
_CREATED = 1_730_000_000
_CLAUDE = "claude-sonnet-4-5-20250929"

Event = tuple[str | None, Any]


def _token_logprobs(text: str) -> list[dict[str, Any]]:
    """Log probabilities as the APIs list them when asked for: one entry per token of *text*."""
    tokens = [t for t in text.replace(" ", "\0 ").split("\0") if t]
    return [{"token": t, "logprob": -0.25, "bytes": list(t.encode()), "top_logprobs": []} for t in tokens]


def _chat_usage(prompt: int = 19, completion: int = 12) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def chat_completion(*contents: str | None, tool_call: bool = False) -> dict[str, Any]:
    """A ``chat.completion`` with one choice per content (``None`` for a tool-call-only choice)."""
    choices = []
    for index, content in enumerate(contents):
        message: dict[str, Any] = {
            "role": "assistant",
            "content": content,
            "refusal": None,
            "annotations": [],
        }
        if tool_call or content is None:
            message["tool_calls"] = [
                {
                    "id": f"call_{index}AbC",
                    "type": "function",
                    "function": {"name": "lookup", "arguments": '{"city":"Paris"}'},
                }
            ]
        choices.append(
            {
                "index": index,
                "message": message,
                "logprobs": {"content": _token_logprobs(content), "refusal": None} if content else None,
                "finish_reason": "tool_calls" if content is None else "stop",
            }
        )
    return {
        "id": "chatcmpl-AzR8xk2Q1mN7bT4eW9pLsVd3Hq",
        "object": "chat.completion",
        "created": _CREATED,
        "model": _CHAT_MODEL,
        "choices": choices,
        "usage": _chat_usage(),
        "service_tier": "default",
        "system_fingerprint": "fp_0ba0d124f1",
    }


def chat_chunks(deltas: list[str], *, usage: bool = True) -> list[Event]:
    """The ``data:`` frames of a streamed chat completion, ending with ``[DONE]``."""

    def chunk(choices: list[dict[str, Any]], **extra: Any) -> Event:
        body = {
            "id": "chatcmpl-AzR9Lq5VbN2mX8cT1eW7pKsYd4",
            "object": "chat.completion.chunk",
            "created": _CREATED,
            "model": _CHAT_MODEL,
            "service_tier": "default",
            "system_fingerprint": "fp_0ba0d124f1",
            "choices": choices,
            **extra,
        }
        return (None, body)

    def choice(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        text = delta.get("content")
        logprobs = {"content": _token_logprobs(text), "refusal": None} if text else None
        return {"index": 0, "delta": delta, "logprobs": logprobs, "finish_reason": finish}

    frames = [chunk([choice({"role": "assistant", "content": "", "refusal": None})])]
    frames += [chunk([choice({"content": delta})]) for delta in deltas]
    frames.append(chunk([choice({}, "stop")]))
    if usage:
        frames.append(chunk([], usage=_chat_usage(completion=len(deltas))))
    frames.append((None, "[DONE]"))
    return frames


def _message_item(item_id: str, texts: list[str], status: str = "completed") -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": [
            {"type": "output_text", "text": text, "annotations": [], "logprobs": _token_logprobs(text)}
            for text in texts
        ],
    }


def _response_body(output: list[dict[str, Any]], status: str) -> dict[str, Any]:
    done = status == "completed"
    return {
        "id": "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
        "object": "response",
        "created_at": _CREATED,
        "status": status,
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "model": _CHAT_MODEL,
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": {
            "input_tokens": 36,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": 87,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 123,
        }
        if done
        else None,
        "user": None,
        "metadata": {},
    }


def response(*parts: list[str]) -> dict[str, Any]:
    """A Responses-API ``response``: one assistant message item per list of ``output_text`` parts."""
    output = [
        _message_item(f"msg_67ccd2bf17f0819081ff3bb2cf6508e6{index}", texts)
        for index, texts in enumerate(parts)
    ]
    return _response_body(output, "completed")


def response_events(*items: list[list[str]]) -> list[Event]:
    """The events of a streamed response: per message item, per ``output_text`` part, its deltas."""
    events: list[Event] = []
    seq = 0

    def emit(name: str, **data: Any) -> None:
        nonlocal seq
        events.append((name, {"type": name, "sequence_number": seq, **data}))
        seq += 1

    emit("response.created", response=_response_body([], "in_progress"))
    emit("response.in_progress", response=_response_body([], "in_progress"))
    output: list[dict[str, Any]] = []
    for out_index, parts in enumerate(items):
        item_id = f"msg_67ccd3acc8d48190a77525dc6de64b4{out_index}"
        emit(
            "response.output_item.added",
            output_index=out_index,
            item=_message_item(item_id, [], status="in_progress"),
        )
        texts = []
        for content_index, deltas in enumerate(parts):
            where = {"item_id": item_id, "output_index": out_index, "content_index": content_index}
            emit(
                "response.content_part.added",
                **where,
                part={"type": "output_text", "text": "", "annotations": [], "logprobs": []},
            )
            for delta in deltas:
                emit("response.output_text.delta", **where, delta=delta, logprobs=_token_logprobs(delta))
            text = "".join(deltas)
            texts.append(text)
            logprobs = _token_logprobs(text)
            emit("response.output_text.done", **where, text=text, logprobs=logprobs)
            emit(
                "response.content_part.done",
                **where,
                part={"type": "output_text", "text": text, "annotations": [], "logprobs": logprobs},
            )
        item = _message_item(item_id, texts)
        output.append(item)
        emit("response.output_item.done", output_index=out_index, item=item)
    emit("response.completed", response=_response_body(output, "completed"))
    return events


def anthropic_message(*blocks: str | dict[str, Any]) -> dict[str, Any]:
    """A Messages-API ``message``; str blocks become text blocks, dicts are used as they are."""
    content = [{"type": "text", "text": b} if isinstance(b, str) else b for b in blocks]
    return {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": _CLAUDE,
        "content": content,
        "stop_reason": "tool_use" if any(b.get("type") == "tool_use" for b in content) else "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 25,
            "output_tokens": 31,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "service_tier": "standard",
        },
    }


def anthropic_events(*blocks: list[str]) -> list[Event]:
    """The raw events of a streamed message: one text block per list of deltas."""
    start = anthropic_message()
    start.update(stop_reason=None, usage={**start["usage"], "output_tokens": 1})
    events: list[Event] = [("message_start", {"type": "message_start", "message": start})]
    for index, deltas in enumerate(blocks):
        events.append(
            (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "text", "text": ""},
                },
            )
        )
        if index == 0:
            events.append(("ping", {"type": "ping"}))
        events.extend(
            (
                "content_block_delta",
                {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": d}},
            )
            for d in deltas
        )
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 15},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events
