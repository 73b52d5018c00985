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
_LITERALS = {
    "true": "true",
    "false": "false",
    "null": "null",
    "True": "true",
    "False": "false",
    "None": "null",
}
_KEY_START = r"""\s*(?:["'}]|[A-Za-z_$][\w$]*\s*:)"""
_ARRAY_START = r"""\s*(?:["'{\[\]\-\d]|true\b|false\b|null\b|True\b|False\b|None\b)"""
# An opener that plausibly starts a JSON value; one search skips every implausible opener before it.
_OPENER = r"\{(?=" + _KEY_START + r")|\[(?=" + _ARRAY_START + ")"


class StructuredOutputError(GuardkitError):
    """The model's output could not be turned into the requested structure.

    The message and ``errors`` name where and what went wrong, never the values themselves.

    Attributes:
        reason: ``"no_json"`` (nothing that looks like JSON), ``"invalid_json"`` (malformed
            beyond safe repair), ``"truncated"`` (cut off where completing it would mean
            guessing), or ``"validation"`` (valid JSON that does not match the model).
        errors: For ``"validation"``, pydantic's error dicts with ``loc``, ``msg`` and ``type``
            only (no ``input``, ``ctx`` or ``url``); otherwise ``()``. Messages are rebuilt from
            the schema alone, and a key the model chose (of a ``dict[str, X]``, or an extra key a
            model forbids) appears in ``loc`` as ``"<key>"``.
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
        mark, width = fence[0], len(fence)
        body: list[str] = []
        i += 1
        while i < len(lines):
            stripped = lines[i].strip()
            # A closing fence is a line of at least as many of the same fence characters.
            if len(stripped) >= width and stripped[0] == mark and not stripped.strip(mark):
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
    search = _re(_OPENER).search
    while tried < _CANDIDATES:
        m = search(text, pos)
        if m is None:
            break
        start = m.start()
        pos = start + 1
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
            elif nxt in '"\\/bfnrtu':
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


def _validator(model: Any) -> tuple[Any, str | None, Any]:
    """A callable validating JSON text into *model*, the JSON kind *model* expects, and the model
    class or ``TypeAdapter`` whose core schema names the fields (read only to report an error)."""
    import typing
    from dataclasses import is_dataclass

    from pydantic import BaseModel

    if isinstance(model, type) and issubclass(model, BaseModel):
        return model.model_validate_json, "object", model
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
    return adapter.validate_json, prefer, adapter


# Error context that pydantic fills from the schema (limits, expected values, type names). Any other
# key (the tag the model sent, a validator's message, an actual length) may quote the model's output.
_SCHEMA_CONTEXT = frozenset({
    "class", "class_name", "decimal_places", "discriminator", "encoding", "expected",
    "expected_schemes", "expected_tags", "expected_version", "field_type", "ge", "gt", "le", "lt",
    "max_digits", "max_length", "method_name", "min_length", "multiple_of", "pattern",
    "tz_expected", "whole_digits",
})  # fmt: skip
# pydantic's messages that quote model-produced context, rewritten without it.
_SAFE_TEMPLATES = {
    "assertion_error": "Assertion failed",
    "bytes_invalid_encoding": "Data should be valid {encoding}",
    "date_from_datetime_parsing": "Input should be a valid date or datetime",
    "date_parsing": "Input should be a valid date in the format YYYY-MM-DD",
    "datetime_from_date_parsing": "Input should be a valid datetime or date",
    "datetime_object_invalid": "Invalid datetime object",
    "datetime_parsing": "Input should be a valid datetime",
    "get_attribute_error": "Error extracting attribute",
    "iteration_error": "Error iterating over object",
    "json_invalid": "Invalid JSON",
    "mapping_type": "Input should be a valid mapping",
    "no_such_attribute": "Object has no such attribute",
    "time_delta_parsing": "Input should be a valid timedelta",
    "time_parsing": "Input should be in a valid time format",
    "timezone_offset": "Timezone offset of {tz_expected} required",
    "too_long": "{field_type} should have at most {max_length} item{expected_plural} after validation",
    "too_short": "{field_type} should have at least {min_length} item{expected_plural} after validation",
    "union_tag_invalid": (
        "Input tag found using {discriminator} does not match any of the expected tags: {expected_tags}"
    ),
    "url_parsing": "Input should be a valid URL",
    "url_syntax_violation": "Input violated strict URL syntax rules",
    "uuid_parsing": "Input should be a valid UUID",
    "value_error": "Value error",
}
#: For custom error types, whose message a validator writes and may quote the value it rejected.
_GENERIC_MESSAGE = "Input is not valid"
_KEY_MARKER = "<key>"


def _safe_message(kind: str, context: Any) -> str:
    """pydantic's message for an error *kind*, rebuilt from schema-derived context only.

    Custom error types and messages that would need model-produced context get a generic message:
    a validator's own text may quote the value it rejected.
    """
    safe = {k: v for k, v in (context or {}).items() if k in _SCHEMA_CONTEXT}
    template = _SAFE_TEMPLATES.get(kind)
    if template is not None:
        count = safe.get("min_length", safe.get("max_length"))
        try:
            return template.format(**safe, expected_plural="" if count == 1 else "s")
        except (KeyError, IndexError, ValueError):
            return _GENERIC_MESSAGE
    from pydantic_core import PydanticKnownError

    try:
        known = PydanticKnownError(kind, safe or None)  # type: ignore[arg-type]
        fields = set(_re(r"\{(\w+)\}").findall(known.message_template)) - {"expected_plural"}
        if fields <= _SCHEMA_CONTEXT:
            return str(known.message())
    except (KeyError, TypeError, ValueError):  # a custom type, or context the schema cannot give
        pass
    return _GENERIC_MESSAGE


def _add_names(value: Any, names: set[str]) -> None:
    """Add the strings of an alias (a str, an alias path, or a list of alias paths) to *names*."""
    if isinstance(value, str):
        names.add(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _add_names(item, names)


def _collect_schema_names(schema: Any) -> frozenset[str]:
    """Every field name, alias and union tag a pydantic core schema declares."""
    names: set[str] = set()
    stack = [schema]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        kind = node.get("type")
        fields = node.get("fields")
        if isinstance(fields, dict):  # model-fields, typed-dict
            names.update(k for k in fields if isinstance(k, str))
        elif isinstance(fields, list):  # dataclass-args
            names.update(f["name"] for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str))
        choices = node.get("choices")
        if kind == "tagged-union" and isinstance(choices, dict):
            for tag in choices:
                names.add(str(tag))
                names.add(str(getattr(tag, "value", tag)))
        for alias_key in ("validation_alias", "alias"):
            _add_names(node.get(alias_key), names)
        stack.extend(node.values())
    return frozenset(names)


def _schema_names(owner: Any) -> frozenset[str]:
    """The names declared by a model class's or a ``TypeAdapter``'s core schema."""
    if isinstance(owner, type):
        return _collect_schema_names(getattr(owner, "__pydantic_core_schema__", None))
    return _collect_schema_names(getattr(owner, "core_schema", None))


@functools.lru_cache(maxsize=256)
def _cached_names(model: Any) -> frozenset[str]:
    return _schema_names(_validator(model)[2])


def _declared_names(model: Any, owner: Any) -> frozenset[str]:
    try:
        return _cached_names(model)
    except TypeError:  # unhashable type expression
        return _schema_names(owner)


def _json_keys(text: str) -> frozenset[str] | None:
    """Every object key in the JSON *text*, or ``None`` when the standard library cannot read it."""
    import json

    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    keys: set[str] = set()
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            keys.update(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(keys)


def _clean_errors(
    exc: Any, declared: frozenset[str] = frozenset(), source: str | None = None
) -> list[dict[str, Any]]:
    """pydantic's errors with ``loc``, ``msg`` and ``type`` only, and nothing the model wrote.

    Messages are rebuilt from schema-derived context (:func:`_safe_message`). A location part that is
    a key of the model's JSON but no field name, alias or tag of the schema (a key of a
    ``dict[str, X]``, an extra key a model forbids) becomes ``"<key>"``.
    """
    keys = _json_keys(source) if source is not None else None
    cleaned = []
    for e in exc.errors(include_input=False, include_url=False, include_context=True):
        kind = str(e.get("type", ""))
        loc = tuple(
            part
            if not isinstance(part, str) or part in declared or (keys is not None and part not in keys)
            else _KEY_MARKER
            for part in e.get("loc", ())
        )
        cleaned.append({"loc": loc, "msg": _safe_message(kind, e.get("ctx")), "type": kind})
    return cleaned


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

    validate, prefer, owner = _validator(model)
    name = _type_name(model)
    raw = extract_json(text, prefer=prefer)  # type: ignore[arg-type]
    try:
        return validate(raw)
    except ValidationError as exc:
        if any(
            e["type"] != "json_invalid"
            for e in exc.errors(include_input=False, include_url=False, include_context=False)
        ):
            errors = _clean_errors(exc, _declared_names(model, owner), raw)
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
        raise _validation_error(name, _clean_errors(exc, _declared_names(model, owner), repaired)) from None
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
