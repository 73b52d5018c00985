"""Guard calls made with the ``anthropic`` SDK: the Messages API, sync, async and streaming.

The adapters read SDK objects and the plain JSON dicts alike and never import ``anthropic``. A rewritten
reply comes back as the SDK's own ``Message`` (a copy made with ``model_copy``) with only its text
blocks changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

from guardkit._guard import guard
from guardkit._policy import Policy
from guardkit.integrations._segments import field, join_texts, split_text, unsupported, updated

__all__ = ["OUTPUT", "STREAM", "AnthropicOutput", "AnthropicStream", "guard_anthropic"]

F = TypeVar("F", bound=Callable[..., Any])
_UNSET: Final = object()

#: Events of the SDK's ``messages.stream()`` helper that the raw stream does not have; they carry
#: unchecked snapshots of the text.
_HELPER_EVENTS: Final = frozenset({"text", "citation", "thinking", "signature", "input_json"})
#: Events that end the current text block (a block starts or stops, the message starts or ends, or
#: the stream fails): the block's held-back text is checked and released before them. Other events
#: without text (``ping``, citation deltas inside a text block, event types the API adds later) pass
#: at once and do not split the text that is checked.
_BLOCK_ENDS: Final = frozenset(
    {"message_start", "content_block_start", "content_block_stop", "message_delta", "message_stop", "error"}
)
_STREAM_HINT: Final = (
    "call messages.create(..., stream=True) and yield its events, or yield the str chunks of "
    "messages.stream(...).text_stream (the helper's own events carry unchecked text snapshots)"
)


def _texts(result: Any) -> list[str]:
    if field(result, "type") != "message" or field(result, "role", "assistant") != "assistant":
        raise unsupported(
            "AnthropicOutput",
            result,
            "expected a Message; to stream, write the function as a generator that yields the "
            "stream's events",
        )
    texts: list[str] = []
    for block in field(result, "content") or ():
        if field(block, "type") == "text":
            text = field(block, "text")
            if not isinstance(text, str):
                raise unsupported("AnthropicOutput", text, "text blocks must hold a str")
            texts.append(text)
    return texts


class AnthropicOutput:
    """Output adapter for Messages-API ``Message`` objects (or their dicts).

    Every ``text`` block is checked; when the policy rewrites text, a copy of the message with the new
    text blocks is returned. Tool-use input, thinking blocks (whose signatures must stay valid) and
    citations are left as they are.

    .. versionadded:: 0.1
    """

    __slots__ = ()

    def text(self, result: Any, /) -> str | None:
        """Return the message's text (several blocks joined), or ``None`` when it has none."""
        texts = _texts(result)
        return join_texts(texts) if texts else None

    def replace(self, result: Any, text: str, /) -> Any:
        """Return a copy of *result* carrying *text*."""
        pieces = iter(split_text(_texts(result), text))
        blocks = list(field(result, "content") or ())
        changed = False
        for index, block in enumerate(blocks):
            if field(block, "type") == "text":
                new = next(pieces)
                if new != field(block, "text"):
                    blocks[index] = updated(block, text=new)
                    changed = True
        return updated(result, content=blocks) if changed else result

    def __repr__(self) -> str:
        return "AnthropicOutput()"


class AnthropicStream:
    """Stream adapter for the raw events of ``messages.create(..., stream=True)`` and ``str`` chunks.

    Text is the ``text_delta`` of ``content_block_delta`` events. A block's start and stop, the
    message's start, delta and stop, and ``error`` end the current text block (its held-back text is
    checked and released before them); other events without text, such as ``ping``, pass at once
    without splitting the text that is checked. The ``messages.stream()`` helper's own events are refused
    (they carry unchecked snapshots); yield its ``text_stream`` instead.

    .. versionadded:: 0.1
    """

    __slots__ = ()

    def text(self, event: Any, /) -> str | None:
        """Return the text delta of *event*, or ``None`` for a structural event."""
        if isinstance(event, str):
            return event
        kind = field(event, "type")
        if kind == "content_block_delta":
            delta = field(event, "delta")
            if field(delta, "type") != "text_delta":
                return None
            text = field(delta, "text")
            if not isinstance(text, str):
                raise unsupported("AnthropicStream", text, "text deltas must hold a str")
            return text
        if kind == "content_block_start":
            block = field(event, "content_block")
            if field(block, "type") == "text" and field(block, "text"):
                # The API opens text blocks empty; text here could not be held back with its event.
                raise unsupported("AnthropicStream", event, "text blocks must start empty")
            return None
        if kind in _HELPER_EVENTS or (
            (kind == "content_block_stop" and field(event, "content_block") is not None)
            or (kind == "message_stop" and field(event, "message") is not None)
        ):
            raise unsupported("AnthropicStream", event, _STREAM_HINT)
        if not isinstance(kind, str):
            raise unsupported("AnthropicStream", event, _STREAM_HINT)
        return None

    def ends_block(self, event: Any, /) -> bool:
        """Whether *event*, which carries no text, ends the current text block (``ping`` does not)."""
        return field(event, "type") in _BLOCK_ENDS

    def replace(self, event: Any, text: str, /) -> Any:
        """Return *event* carrying *text*."""
        if isinstance(event, str):
            return text
        return updated(event, delta=updated(field(event, "delta"), text=text))

    def __repr__(self) -> str:
        return "AnthropicStream()"


#: Output adapter for ``Message`` objects.
OUTPUT: Final = AnthropicOutput()
#: Stream adapter for raw Messages-API stream events.
STREAM: Final = AnthropicStream()


def guard_anthropic(policy: Policy, *, prompt: str | None = None, on_block: Any = _UNSET) -> Callable[[F], F]:
    """Guard a function that calls the Anthropic SDK, in any call style.

    The prompt is the function's ``messages`` parameter unless *prompt* names another one (the
    ``system`` prompt is trusted). A function that returns a ``Message`` gets back the SDK's own type,
    with sanitized text blocks when the policy rewrites them. A generator (or async generator) that
    yields the events of a ``stream=True`` call, or the ``str`` chunks of ``text_stream``, is checked
    as a stream.

    Example::

        @guard_anthropic(policy)
        def ask(messages):
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=512, messages=messages)

    Args:
        policy: The policy to enforce.
        prompt: Name of the parameter that carries the messages.
        on_block: Returned (or yielded) instead of raising when the policy blocks, as in
            :func:`guardkit.guard`.

    Raises:
        ConfigError: *policy* is not a Policy, or *prompt* names no parameter.

    .. versionadded:: 0.1
    """
    options: dict[str, Any] = {} if on_block is _UNSET else {"on_block": on_block}
    return guard(policy, prompt=prompt, output=OUTPUT, stream=STREAM, **options)
