"""Helpers shared by the SDK adapters: read fields of SDK objects and plain dicts alike, copy them with
changes, and carry several text blocks of one reply through a single check.

Nothing here imports an SDK: the adapters work on anything shaped like the APIs' JSON, whether it is a
pydantic model from ``openai``/``anthropic`` or the decoded dict.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

__all__ = ["field", "join_texts", "reparsed", "split_text", "unsupported", "updated"]

#: Placed between the text blocks of one reply while it is checked as a single text. The paragraph
#: separator U+2029 survives Unicode normalization and invisible-character stripping, models practically
#: never write it, and the newlines around it keep words and lines of neighbouring blocks apart.
_MARK: Final = "\u2029"
_MARK_RUN: Final = re.compile(_MARK + "+")


#: How to read a name that is not in an object's ``__dict__``, per (class, name): computed once.
_MAPPING, _ATTRIBUTE, _MODEL_EXTRA = 0, 1, 2
_HOW: dict[tuple[type, str], int] = {}


def _how(cls: type, name: str) -> int:
    if issubclass(cls, Mapping):
        return _MAPPING
    if hasattr(cls, "__pydantic_fields__") and not any(name in k.__dict__ for k in cls.__mro__):
        # Neither a field value nor a property: only an extra field can hold it, and asking
        # pydantic's __getattr__ for a missing name costs ~10 us.
        return _MODEL_EXTRA
    return _ATTRIBUTE


def field(obj: Any, name: str, default: Any = None) -> Any:
    """Return ``obj[name]`` for a mapping, else ``obj.name``; *default* when absent."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    values = getattr(obj, "__dict__", None)
    if values is not None and name in values:  # pydantic keeps field values here
        return values[name]
    key = (type(obj), name)
    how = _HOW.get(key)
    if how is None:
        how = _HOW[key] = _how(type(obj), name)
    if how == _MAPPING:
        return obj.get(name, default)
    if how == _MODEL_EXTRA:
        extra = getattr(obj, "__pydantic_extra__", None)
        return extra.get(name, default) if extra else default
    return getattr(obj, name, default)


def updated(obj: Any, **changes: Any) -> Any:
    """Return a copy of *obj* with *changes* applied; *obj* itself is left as it was.

    Dicts are copied shallowly, pydantic models through ``model_copy`` (so the SDK's own type comes
    back), and other objects through :func:`copy.copy` and ``setattr``.
    """
    if isinstance(obj, Mapping):
        return {**obj, **changes}
    model_copy = getattr(obj, "model_copy", None)
    if callable(model_copy):
        return model_copy(update=changes)
    new = copy.copy(obj)
    for name, value in changes.items():
        setattr(new, name, value)
    return new


def reparsed(obj: Any, text: str) -> dict[str, Any]:
    """Changes to *obj* (a message or text part with structured-output ``parsed`` data) once its text
    became *text*: ``parsed`` is validated again from the new text, or cleared when it no longer
    parses, so it never keeps values the policy removed from the text."""
    parsed = field(obj, "parsed")
    if parsed is None:
        return {}
    validate = getattr(type(parsed), "model_validate_json", None)
    if callable(validate):
        try:
            return {"parsed": validate(text)}
        except ValueError:  # pydantic's ValidationError is a ValueError
            pass
    return {"parsed": None}


def _separator(texts: Sequence[str]) -> str:
    """A separator that splits the joined *texts* back into exactly *texts*.

    Its run of marks is longer than any run inside the texts, and newlines bound it, so it can only
    match where it was put. Linear in the total length.
    """
    longest = 0
    for text in texts:
        if _MARK in text:
            longest = max([longest, *(len(run) for run in _MARK_RUN.findall(text))])
    return "\n" + _MARK * (longest + 1) + "\n"


def join_texts(texts: Sequence[str]) -> str:
    """Join the text blocks of one reply into the single text that is checked."""
    if len(texts) == 1:
        return texts[0]
    return _separator(texts).join(texts)


def split_text(texts: Sequence[str], new: str) -> list[str]:
    """Split *new*, the checked form of ``join_texts(texts)``, into one text per block.

    A rewrite that removed a separator (a span redacted across two blocks, or a reply truncated by
    a length limit) leaves fewer pieces: the last blocks then come back empty. Every character of
    the result comes from *new*, so nothing the policy removed can come back.
    """
    count = len(texts)
    if count == 1:
        return [new]
    sep = _separator(texts)
    pieces = new.split(sep)
    if len(pieces) > count:
        pieces[count - 1 :] = [sep.join(pieces[count - 1 :])]
    elif len(pieces) < count:
        pieces.extend([""] * (count - len(pieces)))
    return pieces


def unsupported(adapter: str, value: Any, hint: str) -> TypeError:
    """The error for a value an adapter cannot read (named by type only, never by content)."""
    kind = field(value, "type")
    shown = type(value).__name__ + (f" of type {kind!r}" if isinstance(kind, str) else "")
    return TypeError(f"{adapter}: cannot read a {shown}; {hint}")
