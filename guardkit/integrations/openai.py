"""Guard calls made with the ``openai`` SDK: Chat Completions and Responses, sync, async and streaming.

The adapters read SDK objects and the plain JSON dicts alike and never import ``openai``. Rewritten replies
come back as the SDK's own types (copies made with ``model_copy``), with only the checked text changed.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from typing import Any, Final, TypeVar, cast

from guardkit._guard import guard
from guardkit._policy import Policy
from guardkit.integrations._segments import (
    field,
    join_texts,
    reparsed,
    split_text,
    unsupported,
    updated,
)

__all__ = ["OUTPUT", "STREAM", "OpenAIOutput", "OpenAIStream", "guard_openai"]

F = TypeVar("F", bound=Callable[..., Any])
_UNSET: Final = object()

#: Responses stream events that carry the whole text again (or a whole response or item). A plain
#: stream adapter cannot rewrite them: only ``guard_openai`` can, from the text it released.
_REPEATS: Final = frozenset(
    {
        "response.output_text.done",
        "response.content_part.added",
        "response.content_part.done",
        "response.output_item.added",
        "response.output_item.done",
        "response.created",
        "response.in_progress",
        "response.queued",
        "response.completed",
        "response.incomplete",
        "response.failed",
    }
)
#: Responses stream events without text that annotate the text while it streams: they pass at once
#: and do not split the text that is checked.
_ANNOTATIONS: Final = frozenset({"response.output_text.annotation.added"})
_STREAM_HINT: Final = (
    "call the API with stream=True and yield its events (the SDK's .stream() helpers keep unchecked "
    "snapshots of the text and are not supported; yield their text deltas as str instead)"
)


def _chat_texts(result: Any) -> list[str]:
    texts: list[str] = []
    for choice in field(result, "choices") or ():
        content = field(field(choice, "message"), "content")
        if isinstance(content, str):
            texts.append(content)
        elif content is not None:
            raise unsupported("OpenAIOutput", content, "chat message content must be a str")
    return texts


def _chat_rebuild(result: Any, pieces: Iterator[str]) -> Any:
    choices = []
    changed = False
    for choice in field(result, "choices") or ():
        message = field(choice, "message")
        content = field(message, "content")
        if isinstance(content, str):
            new = next(pieces)
            if new != content:
                message = updated(message, content=new, **_cleared(message), **reparsed(message, new))
                choices.append(updated(choice, message=message, **_no_logprobs(choice)))
                changed = True
                continue
        choices.append(choice)
    return updated(result, choices=choices) if changed else result


def _cleared(obj: Any) -> dict[str, Any]:
    """Changes that drop what describes the old text: annotations (offsets into it, URLs) and
    log probabilities (its tokens), which could repeat what the policy removed."""
    changes: dict[str, Any] = {}
    if field(obj, "annotations"):
        changes["annotations"] = []
    if field(obj, "logprobs"):
        changes["logprobs"] = []
    return changes


def _no_logprobs(choice: Any) -> dict[str, Any]:
    """A chat choice's log probabilities list the tokens of the old text: drop them."""
    return {"logprobs": None} if field(choice, "logprobs") is not None else {}


def _response_texts(result: Any) -> list[str]:
    texts: list[str] = []
    for item in field(result, "output") or ():
        if field(item, "type") != "message":
            continue
        for part in field(item, "content") or ():
            if field(part, "type") == "output_text":
                text = field(part, "text")
                if not isinstance(text, str):
                    raise unsupported("OpenAIOutput", text, "output_text must be a str")
                texts.append(text)
    return texts


def _rebuild_part(part: Any, new: str) -> Any:
    if new == field(part, "text"):
        return part
    return updated(part, text=new, **_cleared(part), **reparsed(part, new))


def _rebuild_item(item: Any, text_for: Callable[[Any, int, Any], str]) -> Any:
    if field(item, "type") != "message":
        return item
    parts = list(field(item, "content") or ())
    changed = False
    for index, part in enumerate(parts):
        if field(part, "type") == "output_text":
            new = _rebuild_part(part, text_for(item, index, part))
            if new is not part:
                parts[index] = new
                changed = True
    return updated(item, content=parts) if changed else item


def _rebuild_response(result: Any, text_for: Callable[[Any, int, Any], str]) -> Any:
    output = list(field(result, "output") or ())
    changed = False
    for index, item in enumerate(output):
        new = _rebuild_item(item, text_for)
        if new is not item:
            output[index] = new
            changed = True
    if not changed:
        return result
    if isinstance(result, dict) and "output_text" in result:
        # The SDKs compute output_text from the items; a decoded dict may carry a stale copy.
        return updated(result, output=output, output_text="".join(_response_texts({"output": output})))
    return updated(result, output=output)


def _kind(result: Any) -> str:
    obj = field(result, "object")
    if obj == "chat.completion" or (obj is None and field(result, "choices") is not None):
        return "chat"
    if obj == "response":
        return "response"
    raise unsupported(
        "OpenAIOutput",
        result,
        "expected a ChatCompletion or a Response; to stream, write the function as a generator "
        "that yields the stream's events",
    )


class OpenAIOutput:
    """Output adapter for ``ChatCompletion`` and Responses-API ``Response`` objects (or their dicts).

    Every choice's message content, and every ``output_text`` part of a response, is checked; when the
    policy rewrites text, a copy of the reply with the new text is returned (annotations of rewritten
    text are dropped, structured-output ``parsed`` data is parsed again or cleared). Refusals, tool
    call arguments and reasoning are not checked.

    .. versionadded:: 0.1
    """

    __slots__ = ()

    def text(self, result: Any, /) -> str | None:
        """Return the reply's text (several blocks joined), or ``None`` when it has none."""
        texts = _chat_texts(result) if _kind(result) == "chat" else _response_texts(result)
        return join_texts(texts) if texts else None

    def replace(self, result: Any, text: str, /) -> Any:
        """Return a copy of *result* carrying *text*."""
        if _kind(result) == "chat":
            return _chat_rebuild(result, iter(split_text(_chat_texts(result), text)))
        pieces = iter(split_text(_response_texts(result), text))
        return _rebuild_response(result, lambda _item, _index, _part: next(pieces))

    def __repr__(self) -> str:
        return "OpenAIOutput()"


class OpenAIStream:
    """Stream adapter for Chat Completions chunks (``stream=True``) and plain ``str`` chunks.

    Text is ``choices[0].delta.content``; chunks without text (the role chunk, tool calls, the finish
    and usage chunks) pass as structural events. The finish, tool-call and usage chunks end the text
    block (its held-back text is checked and released before them); chunks that only annotate the
    text, such as content-filter results, pass at once without splitting it (see :meth:`ends_block`).
    Streams with ``n > 1`` are refused. Responses-API streams repeat the whole text in their closing
    events, which a stream adapter alone cannot rewrite: decorate those functions with
    :func:`guard_openai`.

    .. versionadded:: 0.1
    """

    __slots__ = ()

    def text(self, event: Any, /) -> str | None:
        """Return the text delta of *event*, or ``None`` for a structural event."""
        if isinstance(event, str):
            return event
        kind = field(event, "type")
        if kind is None:
            return self._chunk_text(event)
        if kind == "response.output_text.delta":
            if field(event, "snapshot") is not None:
                raise unsupported("OpenAIStream", event, _STREAM_HINT)
            delta = field(event, "delta")
            return delta if isinstance(delta, str) else None
        if kind in _REPEATS:
            return self._repeat(event)
        if isinstance(kind, str) and (kind.startswith("response.") or kind == "error"):
            return None
        raise unsupported("OpenAIStream", event, _STREAM_HINT)

    def _repeat(self, event: Any) -> str | None:
        raise unsupported(
            "OpenAIStream",
            event,
            "Responses-API streams repeat the full text in their closing events; decorate the "
            "function with guardkit.integrations.openai.guard_openai(policy)",
        )

    @staticmethod
    def _chunk_text(event: Any) -> str | None:
        choices = field(event, "choices")
        if choices is None:
            raise unsupported("OpenAIStream", event, _STREAM_HINT)
        if not choices:
            return None  # the usage chunk, or a provider's prompt-filter chunk
        if len(choices) > 1 or field(choices[0], "index", 0) != 0:
            raise TypeError("OpenAIStream: streams with n > 1 choices are not supported")
        delta = field(choices[0], "delta")
        content = field(delta, "content")
        if content is None:
            return None
        if not isinstance(content, str):
            raise unsupported("OpenAIStream", content, "delta content must be a str")
        if not content and field(delta, "role") is not None:
            return None  # the opening role chunk passes at once
        # An empty delta inside the text is fed as text, so it cannot split the checked block.
        return content

    def ends_block(self, event: Any, /) -> bool:
        """Whether *event*, which carries no text, ends the current text block.

        A chunk that finishes the choice, starts tool calls or carries no choice (usage), and every
        Responses event except an annotation, does. A chunk that only annotates the text while it
        streams (a content-filter result with no delta, as Azure OpenAI sends) does not: it passes at
        once, and the text on both sides of it is checked as one.
        """
        kind = field(event, "type")
        if kind is not None:
            return kind not in _ANNOTATIONS
        choices = field(event, "choices")
        if not choices:
            return True
        choice = choices[0]
        if field(choice, "finish_reason") is not None:
            return True
        delta = field(choice, "delta")
        return delta is not None and (
            field(delta, "tool_calls") is not None or field(delta, "function_call") is not None
        )

    def replace(self, event: Any, text: str, /) -> Any:
        """Return *event* carrying *text* as its delta."""
        if isinstance(event, str):
            return text
        if field(event, "type") is not None:
            same = text == field(event, "delta")
            return updated(event, delta=text, **({} if same else _cleared(event)))
        choice = field(event, "choices")[0]
        delta = field(choice, "delta")
        same = text == field(delta, "content")
        choice = updated(choice, delta=updated(delta, content=text), **({} if same else _no_logprobs(choice)))
        return updated(event, choices=[choice])

    def __repr__(self) -> str:
        return "OpenAIStream()"


class _ResponsesStream(OpenAIStream):
    """The stream adapter :func:`guard_openai` uses: events that repeat the text pass as structural
    events, and :class:`_Refill` rewrites them from the text released before them."""

    __slots__ = ()

    def _repeat(self, event: Any) -> str | None:
        return None


class _Refill:
    """Per-call state for one Responses stream: the released text of every output part, used to
    rewrite the events that repeat it (``*.done``, ``*.added`` and the whole-response events)."""

    __slots__ = ("_texts",)

    def __init__(self) -> None:
        self._texts: dict[tuple[Any, Any], list[str]] = {}

    def _text_for(self, item: Any, index: int, _part: Any = None) -> str:
        return "".join(self._texts.get((field(item, "id"), index), ()))

    def __call__(self, event: Any) -> Any:
        kind = None if isinstance(event, str) else field(event, "type")
        if not isinstance(kind, str) or not kind.startswith("response."):
            return event
        if kind == "response.output_text.delta":
            key = (field(event, "item_id"), field(event, "content_index"))
            self._texts.setdefault(key, []).append(field(event, "delta"))
            return event
        if kind not in _REPEATS:
            return event
        if kind == "response.output_text.done":
            new = "".join(self._texts.get((field(event, "item_id"), field(event, "content_index")), ()))
            if new == field(event, "text"):
                return event
            return updated(event, text=new, **_cleared(event), **reparsed(event, new))
        if kind.startswith("response.content_part."):
            part = field(event, "part")
            if field(part, "type") != "output_text":
                return event
            item = {"id": field(event, "item_id")}
            new_part = _rebuild_part(part, self._text_for(item, field(event, "content_index")))
            return event if new_part is part else updated(event, part=new_part)
        if kind.startswith("response.output_item."):
            item = field(event, "item")
            new_item = _rebuild_item(item, self._text_for)
            return event if new_item is item else updated(event, item=new_item)
        response = field(event, "response")
        if response is None:
            return event
        new_response = _rebuild_response(response, self._text_for)
        return event if new_response is response else updated(event, response=new_response)


def _refilled_gen(fn: Callable[..., Generator[Any, None, None]]) -> Callable[..., Iterator[Any]]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
        refill = _Refill()
        inner = fn(*args, **kwargs)
        try:
            for event in inner:
                yield refill(event)
        finally:
            inner.close()

    return wrapper


def _refilled_async_gen(
    fn: Callable[..., AsyncGenerator[Any, None]],
) -> Callable[..., AsyncIterator[Any]]:
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        refill = _Refill()
        inner = fn(*args, **kwargs)
        try:
            async for event in inner:
                yield refill(event)
        finally:
            await inner.aclose()

    return wrapper


#: Output adapter for ``ChatCompletion`` and ``Response`` objects.
OUTPUT: Final = OpenAIOutput()
#: Stream adapter for Chat Completions chunks.
STREAM: Final = OpenAIStream()
_RESPONSES_STREAM: Final = _ResponsesStream()


def guard_openai(policy: Policy, *, prompt: str | None = None, on_block: Any = _UNSET) -> Callable[[F], F]:
    """Guard a function that calls the OpenAI SDK, in any call style.

    The prompt is the function's ``messages`` (Chat Completions) or ``input`` (Responses API)
    parameter unless *prompt* names another one. A function that returns a ``ChatCompletion`` or a
    ``Response`` gets back the SDK's own type, with sanitized text when the policy rewrites it. A
    generator (or async generator) that yields the events of a ``stream=True`` call is checked as a
    stream: text is released only after the output checks passed it, and for Responses streams the
    closing events that repeat the text (``response.output_text.done``, ``response.completed``, ...)
    carry the released text.

    Example::

        @guard_openai(policy)
        def ask(messages):
            return client.chat.completions.create(model="gpt-4o-mini", messages=messages)

    Args:
        policy: The policy to enforce.
        prompt: Name of the parameter that carries the messages or input.
        on_block: Returned (or yielded) instead of raising when the policy blocks, as in
            :func:`guardkit.guard`.

    Raises:
        ConfigError: *policy* is not a Policy, or *prompt* names no parameter.

    .. versionadded:: 0.1
    """
    options: dict[str, Any] = {} if on_block is _UNSET else {"on_block": on_block}
    wrap = guard(policy, prompt=prompt, output=OUTPUT, stream=_RESPONSES_STREAM, **options)

    def decorate(fn: F) -> F:
        import inspect

        guarded = wrap(fn)
        if inspect.isasyncgenfunction(fn):
            return cast(F, _refilled_async_gen(guarded))
        if inspect.isgeneratorfunction(fn):
            return cast(F, _refilled_gen(guarded))
        return cast(F, guarded)

    return decorate
