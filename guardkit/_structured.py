"""Structured output: find JSON in a model's reply, repair common defects, validate with pydantic.

Pure functions, no I/O: :func:`extract_json` finds the JSON value (in a fenced block, after prose,
or at the start), :func:`repair_json` fixes what can be fixed without guessing, :func:`parse_model`
runs both and validates, and :func:`default_reask` turns a failure into a follow-up prompt. Every
failure raises :class:`StructuredOutputError`, whose message and ``errors`` name locations and
problems, never the values the model produced.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any, Literal, TypeVar, overload

from guardkit._errors import GuardkitError

__all__ = [
    "StructuredOutputError",
    "default_reask",
    "extract_json",
    "format_errors",
    "parse_model",
    "repair_json",
]


@functools.cache
def _re(pattern: str) -> re.Pattern[str]:
    """Compile *pattern* on first use: importing the module compiles nothing."""
    return re.compile(pattern)

T = TypeVar("T")
Reason = Literal["no_json", "invalid_json", "truncated", "validation"]

#: Deepest nesting repair_json rewrites; deeper input is refused (the stdlib parser recurses).
MAX_DEPTH = 256
_CANDIDATES = 16
_FENCE = r"[ \t]{0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n`]*\Z"
_SCAN = r"""[\[\]{}"'\\]"""
_NUMBER = r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?"
_IDENT = r"[A-Za-z_$][\w$]*"
_LITERALS = {"true": "true", "false": "false", "null": "null", "True": "true",
             "False": "false", "None": "null"}
_KEY_START = r"""\s*(?:["'}]|[A-Za-z_$][\w$]*\s*:)"""
_ARRAY_START = r"""\s*(?:["'{\[\]\-\d]|true\b|false\b|null\b|True\b|False\b|None\b)"""


class StructuredOutputError(GuardkitError):
    """The model's output could not be turned into the requested structure.

    The message and ``errors`` name where and what went wrong, never the values themselves.

    Attributes:
        reason: ``"no_json"`` (nothing that looks like JSON), ``"invalid_json"`` (malformed
            beyond safe repair), ``"truncated"`` (cut off where completing it would mean
            guessing), or ``"validation"`` (valid JSON that does not match the model).
        errors: For ``"validation"``, pydantic's error dicts with ``loc``, ``msg`` and ``type``
            only (no ``input``, ``ctx`` or ``url``); otherwise ``()``.
        model: Name of the requested type, or ``None``.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        message: str,
        *,
        reason: Reason,
        errors: Sequence[dict[str, Any]] = (),
        model: str | None = None,
    ) -> None:
        self.reason: Reason = reason
        self.errors: tuple[dict[str, Any], ...] = tuple(errors)
        self.model = model
        super().__init__(message)


# --------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------


def _fenced_blocks(text: str) -> list[tuple[str, str]]:
    """``(info, body)`` of each fenced code block, in order; an unclosed one runs to the end."""
    blocks: list[tuple[str, str]] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = _re(_FENCE).match(lines[i])
        if m is None:
            i += 1
            continue
        fence, info = m.group(1), m.group(2).lower()
        body: list[str] = []
        i += 1
        while i < len(lines):
            stripped = lines[i].strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                break
            body.append(lines[i])
            i += 1
        blocks.append((info, "\n".join(body)))
        i += 1
    return blocks


def _balanced(text: str, start: int) -> tuple[int, bool]:
    """End of the bracketed value opening at *start*, and whether it closed before the text ended.

    Strings in double or single quotes are skipped, so brackets inside them do not count.
    """
    depth = 0
    quote = ""
    pos = start
    n = len(text)
    search = _re(_SCAN).search
    while True:
        m = search(text, pos)
        if m is None:
            return n, False
        c = m.group()
        pos = m.end()
        if c == "\\":
            pos += 1
            continue
        if quote:
            if c == quote:
                quote = ""
            continue
        if c in "\"'":
            quote = c
        elif c in "[{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return pos, True


def _plausible(text: str, start: int) -> bool:
    pattern = _re(_KEY_START if text[start] == "{" else _ARRAY_START)
    return pattern.match(text, start + 1) is not None


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parses(piece: str) -> bool:
    """Whether *piece* is strict JSON (the standard library also accepts NaN and Infinity)."""
    import json  # loaded on first use: import guardkit stays light

    try:
        json.loads(piece, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        return False
    return True


def _first_value(text: str, prefer: str | None) -> str | None:
    opener = "{" if prefer == "object" else "[" if prefer == "array" else "{["
    fallback: str | None = None
    other: str | None = None
    tried = 0
    pos = 0
    n = len(text)
    while tried < _CANDIDATES:
        starts = [i for i in (text.find(c, pos) for c in "{[") if i >= 0]
        if not starts:
            break
        start = min(starts)
        pos = start + 1
        if not _plausible(text, start):
            continue
        tried += 1
        end, complete = _balanced(text, start)
        piece = text[start:end]
        wanted = text[start] in opener
        if complete and _parses(piece):
            if wanted:
                return piece
            other = other or piece
        elif wanted and fallback is None:
            fallback = piece
        if end == n:
            break  # everything after this opener is inside it
        if complete:
            # Values nested in this one are parts of it, not the answer: '{"r": {"a": 1},}'
            # needs repair as a whole, not its inner object.
            pos = end
    return fallback or other


def extract_json(text: str, *, prefer: Literal["object", "array"] | None = None) -> str:
    """Return the JSON object or array in *text*.

    Looks, in order, at fenced code blocks (those labelled ``json`` first, then any whose
    content starts with ``{`` or ``[``; an unclosed fence runs to the end of the text), then at
    the text itself: the first balanced ``{...}``/``[...]`` that parses as JSON wins. When none
    parses, the first one that looks like JSON is returned (possibly cut off at the end of the
    text) for :func:`repair_json`.

    Args:
        text: The model's reply.
        prefer: ``"object"`` or ``"array"`` to skip values of the other kind when both occur
            (a citation like ``[1]`` before the object).

    Raises:
        StructuredOutputError: ``reason="no_json"`` when nothing looks like JSON.
        TypeError: *text* is not a string.

    >>> extract_json('Sure! Here it is:\\n```json\\n{"name": "Ada"}\\n```\\nAnything else?')
    '{"name": "Ada"}'
    >>> extract_json('The result is {"ok": true}, as requested.')
    '{"ok": true}'

    .. versionadded:: 0.1
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if "```" in text or "~~~" in text:
        blocks = _fenced_blocks(text)
        ordered = [b for info, b in blocks if info.startswith("json")] + [
            b for info, b in blocks if not info.startswith("json")
        ]
        for body in ordered:
            if body.strip()[:1] in ("{", "["):
                found = _first_value(body, prefer)
                if found is not None:
                    return found
    found = _first_value(text, prefer)
    if found is None:
        raise StructuredOutputError("no JSON object or array found in the output", reason="no_json")
    return found


# --------------------------------------------------------------------------------------------
# Repair
# --------------------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, message: str, reason: Reason = "invalid_json") -> None:
        super().__init__(message)
        self.reason: Reason = reason


def _string(text: str, start: int, out: list[str]) -> tuple[int, bool]:
    """Copy the string opening at *start* to *out* as a JSON string; return ``(end, closed)``."""
    quote = text[start]
    n = len(text)
    i = start + 1
    out.append('"')
    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 >= n:
                i += 1
                break
            nxt = text[i + 1]
            if nxt == "'":
                out.append("'")
            elif nxt in "\"\\/bfnrtu":
                out.append(text[i : i + 2])
            else:
                out.append("\\\\" + nxt if nxt != "\n" else "\\n")
            i += 2
            continue
        if c == quote:
            out.append('"')
            return i + 1, True
        if c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c < " ":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
        i += 1
    if out[-1].startswith("\\u") and len(out[-1]) < 6:
        out.pop()
    out.append('"')
    return n, False


def _repair(text: str) -> str:  # noqa: PLR0915 - one tokenizer loop reads best unsplit
    out: list[str] = []
    stack: list[str] = []
    # What the next significant token may be: "value", "key", "colon", "comma", or "end".
    expect = "value"
    last = ""  # kind of the last significant token: "open", "value", "key", "colon", "comma"
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            out.append(c)
            i += 1
            continue
        if c == "/" and text.startswith("//", i):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        if c == "/" and text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close < 0 else close + 2
            continue
        if expect == "end":
            raise _Refused("text after the JSON value")
        if c in "{[":
            if expect not in ("value",):
                raise _Refused("unexpected bracket")
            if len(stack) >= MAX_DEPTH:
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels")
            stack.append(c)
            out.append(c)
            expect = "key" if c == "{" else "value"
            last = "open"
            i += 1
            continue
        if c in "}]":
            if not stack or stack[-1] != ("{" if c == "}" else "["):
                raise _Refused("unbalanced bracket")
            if last == "comma":
                _drop_trailing_comma(out)
            elif last in ("key", "colon"):
                raise _Refused("object member without a value")
            stack.pop()
            out.append(c)
            last = "value"
            expect = "comma" if stack else "end"
            i += 1
            continue
        if c == ",":
            if expect != "comma":
                raise _Refused("unexpected comma")
            out.append(c)
            last = "comma"
            expect = "key" if stack[-1] == "{" else "value"
            i += 1
            continue
        if c == ":":
            if expect != "colon":
                raise _Refused("unexpected colon")
            out.append(c)
            last = "colon"
            expect = "value"
            i += 1
            continue
        if c in "\"'":
            if expect not in ("key", "value"):
                raise _Refused("missing comma or colon")
            i, closed = _string(text, i, out)
            if not closed:
                if expect == "key":
                    raise _Refused("output ends inside an object key", "truncated")
                if not stack:
                    raise _Refused("output ends inside a string", "truncated")
            last, expect = _after_value(expect, stack)
            continue
        m = _re(_IDENT).match(text, i)
        if m is not None:
            word = m.group()
            if expect == "key":
                out.append(f'"{word}"')
                last, expect = "key", "colon"
            elif expect == "value":
                literal = _LITERALS.get(word)
                if literal is None and m.end() == n and stack:
                    matches = {v for k, v in _LITERALS.items() if k.startswith(word)}
                    if len(matches) == 1:
                        literal = matches.pop()  # "tru" at the very end can only be true
                if literal is None:
                    raise _Refused("unknown bare word (only true, false and null are read)")
                out.append(literal)
                last, expect = _after_value(expect, stack)
            else:
                raise _Refused("missing comma or colon")
            i = m.end()
            continue
        m = _re(_NUMBER).match(text, i)
        if m is not None and expect == "value":
            if m.end() == n and stack:
                raise _Refused("output ends inside a number", "truncated")
            out.append(m.group())
            last, expect = _after_value(expect, stack)
            i = m.end()
            continue
        raise _Refused("unexpected character")
    if stack:
        if last in ("key", "colon"):
            raise _Refused("output ends after an object key", "truncated")
        if last == "comma":
            _drop_trailing_comma(out)
        out.extend("}" if opener == "{" else "]" for opener in reversed(stack))
    elif not out or expect != "end":
        raise _Refused("no complete JSON value")
    return "".join(out)


def _after_value(expect: str, stack: list[str]) -> tuple[str, str]:
    if expect == "key":
        return "key", "colon"
    return "value", ("comma" if stack else "end")


def _drop_trailing_comma(out: list[str]) -> None:
    for j in range(len(out) - 1, -1, -1):
        if out[j] == ",":
            del out[j]
            return


def repair_json(text: str) -> str:
    """Return *text* as valid JSON, fixing only defects whose fix is unambiguous.

    Fixed: trailing commas; single-quoted strings; unquoted object keys; ``//`` and ``/* */``
    comments; raw newlines, tabs and control characters inside strings; Python's ``True``,
    ``False`` and ``None``; and output cut off at a token limit, where it is safe to finish it:
    an unterminated string *value* is closed, a dangling comma dropped, and the open arrays and
    objects closed, so the last string may be cut short. A literal cut off at the very end is
    completed when only one fits (``tru`` -> ``true``).

    Refused (``StructuredOutputError``): anything else, and output cut off inside a key, after a
    key or colon, or inside a number (``12`` may have been ``125``), since finishing those means
    guessing. Text that already parses is returned unchanged.

    Raises:
        StructuredOutputError: ``reason="invalid_json"`` or ``"truncated"``.
        TypeError: *text* is not a string.

    >>> repair_json("{'name': 'Ada', tags: ['math', 'engines',],}")
    '{"name": "Ada", "tags": ["math", "engines"]}'
    >>> repair_json('{"items": [{"id": 1}, {"id": 2, "note": "cut off her')
    '{"items": [{"id": 1}, {"id": 2, "note": "cut off her"}]}'

    .. versionadded:: 0.1
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    stripped = text.strip().lstrip("\ufeff")
    if _parses(stripped):
        return stripped
    try:
        # Trailing whitespace stays: "[1, 2 " ends after a complete number, "[1, 2" may not.
        repaired = _repair(text.lstrip().lstrip("\ufeff").lstrip()).rstrip()
    except _Refused as exc:
        raise StructuredOutputError(f"cannot repair JSON: {exc}", reason=exc.reason) from None
    if not _parses(repaired):
        raise StructuredOutputError("cannot repair JSON", reason="invalid_json")
    return repaired


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _type_name(model: Any) -> str:
    return getattr(model, "__name__", None) or repr(model)


@functools.lru_cache(maxsize=256)
def _cached_adapter(model: Any) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(model)


def _validator(model: Any) -> tuple[Any, str | None]:
    """A callable validating JSON text into *model*, and the JSON kind *model* expects."""
    import typing
    from dataclasses import is_dataclass

    from pydantic import BaseModel

    if isinstance(model, type) and issubclass(model, BaseModel):
        return model.model_validate_json, "object"
    try:
        adapter = _cached_adapter(model)
    except TypeError:  # unhashable type expression: build it each time
        from pydantic import TypeAdapter

        adapter = TypeAdapter(model)
    origin = typing.get_origin(model) or model
    prefer: str | None = None
    if origin in (list, tuple, set, frozenset) or (
        isinstance(origin, type) and issubclass(origin, (list, tuple, set, frozenset))
    ):
        prefer = "array"
    elif origin is dict or is_dataclass(model) or typing.is_typeddict(model):
        prefer = "object"
    return adapter.validate_json, prefer


def _clean_errors(exc: Any) -> list[dict[str, Any]]:
    return [
        {"loc": tuple(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors(include_input=False, include_url=False, include_context=False)
    ]


def format_errors(errors: Sequence[dict[str, Any]]) -> str:
    """Render validation errors one per line: ``- items[2].price: Input should be ... [type]``.

    >>> format_errors([{"loc": ("items", 2, "price"), "msg": "Field required", "type": "missing"}])
    '- items[2].price: Field required [missing]'
    """
    lines = []
    for error in errors:
        where = ""
        for part in error.get("loc", ()):
            where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
        lines.append(f"- {where or '(root)'}: {error.get('msg', '')} [{error.get('type', '')}]")
    return "\n".join(lines)


@overload
def parse_model(model: type[T], text: str) -> T: ...
@overload
def parse_model(model: Any, text: str) -> Any: ...
def parse_model(model: Any, text: str) -> Any:
    """Extract, repair if needed, and validate the JSON in *text* as *model*.

    *model* is a pydantic model class or any type pydantic can validate (``list[Item]``, a
    dataclass, a ``TypedDict``). The JSON is found by :func:`extract_json` and validated as it
    is; only when it is not valid JSON is :func:`repair_json` tried.

    Raises:
        StructuredOutputError: With ``reason`` telling why; for ``"validation"`` the ``errors``
            list pydantic's errors without the offending values.

    >>> from pydantic import BaseModel
    >>> class User(BaseModel):
    ...     name: str
    ...     age: int
    >>> parse_model(User, "Here you go: {'name': 'Ada', 'age': 36,}")
    User(name='Ada', age=36)

    .. versionadded:: 0.1
    """
    from pydantic import ValidationError

    validate, prefer = _validator(model)
    name = _type_name(model)
    raw = extract_json(text, prefer=prefer)  # type: ignore[arg-type]
    try:
        return validate(raw)
    except ValidationError as exc:
        errors = _clean_errors(exc)
        if any(e["type"] != "json_invalid" for e in errors):
            raise _validation_error(name, errors) from None
    except (UnicodeError, RecursionError, ValueError):
        pass
    try:
        repaired = repair_json(raw)
    except StructuredOutputError as exc:
        exc.model = name
        raise
    try:
        return validate(repaired)
    except ValidationError as exc:
        raise _validation_error(name, _clean_errors(exc)) from None
    except (UnicodeError, RecursionError, ValueError):
        raise StructuredOutputError(
            f"output is not valid JSON for {name}", reason="invalid_json", model=name
        ) from None


def _validation_error(name: str, errors: list[dict[str, Any]]) -> StructuredOutputError:
    if all(e["type"] == "json_invalid" for e in errors):
        return StructuredOutputError(
            f"output is not valid JSON for {name}: {format_errors(errors)[2:]}",
            reason="invalid_json",
            model=name,
        )
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return StructuredOutputError(
        f"output does not match {name}: {count} validation {noun}\n{format_errors(errors)}",
        reason="validation",
        errors=errors,
        model=name,
    )


_REASONS = {
    "no_json": "it contained no JSON object or array",
    "invalid_json": "its JSON was malformed",
    "truncated": "it was cut off before the JSON ended; keep the answer shorter",
    "validation": "it did not match the required schema",
}


def default_reask(prompt: str, error: StructuredOutputError) -> str:
    """Return *prompt* with the reason of the failure and the validation errors appended.

    The appended text names fields and problems, never the values the model produced.

    >>> err = StructuredOutputError("x", reason="validation",
    ...                             errors=[{"loc": ("age",), "msg": "Field required", "type": "missing"}])
    >>> print(default_reask("Extract the user.", err))
    Extract the user.
    <BLANKLINE>
    Your previous answer could not be used: it did not match the required schema.
    - age: Field required [missing]
    Reply again with only the corrected JSON.

    .. versionadded:: 0.1
    """
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a str, got {type(prompt).__name__}")
    lines = [f"Your previous answer could not be used: {_REASONS.get(error.reason, error.reason)}."]
    if error.errors:
        lines.append(format_errors(error.errors))
    lines.append("Reply again with only the corrected JSON.")
    return prompt.rstrip() + "\n\n" + "\n".join(lines)
