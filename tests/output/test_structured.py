"""Structured output helpers: extraction, repair (and refusal), validation errors, reask."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from typing_extensions import TypedDict

from guardkit._errors import GuardkitError
from guardkit._structured import (
    StructuredOutputError,
    default_reask,
    extract_json,
    format_errors,
    parse_model,
    repair_json,
)


class User(BaseModel):
    name: str
    age: int


@dataclass
class Point:
    x: int
    y: int


class Movie(TypedDict):
    title: str


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', '{"a": 1}'),
        ('  [1, 2]  ', "[1, 2]"),
        ('Here you go:\n```json\n{"a": 1}\n```\nDone.', '{"a": 1}'),
        ('```JSON\n{"a": 1}\n```', '{"a": 1}'),
        ('```\n{"a": 1}\n```', '{"a": 1}'),
        ('~~~json\n{"a": 1}\n~~~', '{"a": 1}'),
        ('```python\nx = [1]\n```\n```json\n{"a": 2}\n```', '{"a": 2}'),
        ('```json\n{"a": 1,\n "b": [1, 2', '{"a": 1,\n "b": [1, 2'),
        ('The answer is {"a": {"b": "}"}} as you can see.', '{"a": {"b": "}"}}'),
        ('Prefix {not json} then {"a": 1}', '{"a": 1}'),
        ("Result: {'a': 'b',}", "{'a': 'b',}"),
        ("Values: [1, 2, 3] and more", "[1, 2, 3]"),
        ('Text with "quotes" and {"k": "v"}', '{"k": "v"}'),
        ('{"a": 1} {"b": 2}', '{"a": 1}'),
        ('{"unterminated": "str', '{"unterminated": "str'),
    ],
)
def test_extract_json(text: str, expected: str) -> None:
    """The JSON value is found in fences, after prose and at the start."""
    assert extract_json(text) == expected


def test_extract_keeps_an_unparsable_outer_value_whole() -> None:
    """An outer object that needs repair is returned whole, not the inner object that parses."""
    assert extract_json('{"r": {"a": 1},}') == '{"r": {"a": 1},}'


def test_extract_prefers_the_requested_kind() -> None:
    """prefer='object' skips a citation-like array before the object."""
    text = 'As [1] says, the user is {"name": "Ada", "age": 36}.'
    assert extract_json(text) == "[1]"
    assert extract_json(text, prefer="object") == '{"name": "Ada", "age": 36}'


@pytest.mark.parametrize("text", ["", "no json here", "just (parens) and <tags>", "[citation needed]"])
def test_extract_refuses_when_nothing_looks_like_json(text: str) -> None:
    """No JSON gives StructuredOutputError with reason 'no_json'."""
    with pytest.raises(StructuredOutputError) as info:
        extract_json(text)
    assert info.value.reason == "no_json"


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ('{"a": 1,}', {"a": 1}),
        ("[1, 2, 3,]", [1, 2, 3]),
        ('{"a": [1, 2,], "b": {"c": 3,},}', {"a": [1, 2], "b": {"c": 3}}),
        ("{'a': 'b'}", {"a": "b"}),
        ("{'it': 'say \"hi\"'}", {"it": 'say "hi"'}),
        ("{'it': 'don\\'t'}", {"it": "don't"}),
        ("{a: 1, b_2: true}", {"a": 1, "b_2": True}),
        ('{"a": True, "b": False, "c": None}', {"a": True, "b": False, "c": None}),
        ('{"a": 1 // note\n}', {"a": 1}),
        ('{"a": /* note */ 1}', {"a": 1}),
        ('{"text": "line one\nline two\tend"}', {"text": "line one\nline two\tend"}),
        ('{"a": [1, 2 ', {"a": [1, 2]}),
        ("{", {}),
        ('{"a": [1, 2,', {"a": [1, 2]}),
        ('{"a": "cut off mid', {"a": "cut off mid"}),
        ('[{"id": 1}, {"id": 2, "tags": ["x", "y"', [{"id": 1}, {"id": 2, "tags": ["x", "y"]}]),
        ('{"ok": tru', {"ok": True}),
        ('{"v": nul', {"v": None}),
        ('{"a": "esc \\', {"a": "esc "}),
        ("\ufeff" + '{"a": 1}', {"a": 1}),
    ],
)
def test_repair(broken: str, fixed: object) -> None:
    """Common defects are fixed; the result is valid JSON with the intended value."""
    assert json.loads(repair_json(broken)) == fixed


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ('{"a": 1, "b', "truncated"),
        ('{"a": 1, "b"', "truncated"),
        ('{"a": 1, "b":', "truncated"),
        ('{"a": 12', "truncated"),
        ('"just a str', "truncated"),
        ('{"a" 1}', "invalid_json"),
        ('{"a": 1 "b": 2}', "invalid_json"),
        ('{"a": undefined}', "invalid_json"),
        ('{"a": NaN}', "invalid_json"),
        ('{"a": t}', "invalid_json"),
        ("[1, 2]]", "invalid_json"),
        ('{"a": [1, 2}', "invalid_json"),
        ("{,}", "invalid_json"),
        ("[,1]", "invalid_json"),
        ('{"a": 01}', "invalid_json"),
        ('{"a": .5}', "invalid_json"),
        ('{"a": +1}', "invalid_json"),
        ('{"a": 1} trailing', "invalid_json"),
        ("", "invalid_json"),
        ("   ", "invalid_json"),
        ('{"a": [1, 2', "truncated"),
        ('{"a": @}', "invalid_json"),
        ("[" * 300 + "1," + "]" * 300, "invalid_json"),
    ],
)
def test_repair_refuses_to_guess(broken: str, reason: str) -> None:
    """Ambiguous or hopeless input raises StructuredOutputError with the reason."""
    with pytest.raises(StructuredOutputError) as info:
        repair_json(broken)
    assert info.value.reason == reason


def test_valid_json_comes_back_unchanged() -> None:
    """Text that already parses is returned as it is (stripped)."""
    assert repair_json(' {"a": [1, 2.5e3, "x"]} ') == '{"a": [1, 2.5e3, "x"]}'


@pytest.mark.parametrize(
    ("model", "text", "expected"),
    [
        (User, '{"name": "Ada", "age": 36}', User(name="Ada", age=36)),
        (User, 'Sure!\n```json\n{"name": "Ada", "age": "36"}\n```', User(name="Ada", age=36)),
        (User, "As [1] notes: {'name': 'Ada', age: 36,}", User(name="Ada", age=36)),
        (list[User], 'Two: [{"name": "a", "age": 1}, {"name": "b", "age": 2}]',
         [User(name="a", age=1), User(name="b", age=2)]),
        (Point, 'Point {"x": 1, "y": 2}', Point(1, 2)),
        (Movie, '{"title": "Alien"}', {"title": "Alien"}),
        (dict[str, int], "{a: 1, b: 2,}", {"a": 1, "b": 2}),
    ],
)
def test_parse_model(model: object, text: str, expected: object) -> None:
    """Extraction, repair and validation combine for models and other types."""
    assert parse_model(model, text) == expected


def test_validation_error_names_fields_not_values() -> None:
    """Validation errors list locations and problems, never the values the model produced."""
    secret = "sk-live-0123456789abcdef"
    with pytest.raises(StructuredOutputError) as info:
        parse_model(User, f'{{"name": "{secret}", "age": "{secret}"}}')
    error = info.value
    assert error.reason == "validation"
    assert error.model == "User"
    assert isinstance(error, GuardkitError)
    assert [e["loc"] for e in error.errors] == [("age",)]
    assert set(error.errors[0]) == {"loc", "msg", "type"}
    assert secret not in str(error)
    assert secret not in repr(error.errors)
    assert secret not in default_reask("Extract the user.", error)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("I cannot help with that.", "no_json"),
        ('{"name": "Ada", "age": 3', "truncated"),
        ('{"name": "Ada" "age": 3}', "invalid_json"),
        ('{"name": "Ada"}', "validation"),
        ('{"name": "\ud800", "age": 1}', "validation"),
        ('{"a": ' * 400 + "1" + "}" * 400, "invalid_json"),
    ],
)
def test_parse_model_failures(text: str, reason: str) -> None:
    """Every failure is a StructuredOutputError with the right reason, never another exception."""
    with pytest.raises(StructuredOutputError) as info:
        parse_model(User, text)
    assert info.value.reason == reason


def test_format_errors_and_reask() -> None:
    """Errors render one per line; the reask appends them to the prompt."""
    errors = [
        {"loc": ("items", 2, "price"), "msg": "Field required", "type": "missing"},
        {"loc": (), "msg": "Invalid JSON", "type": "json_invalid"},
    ]
    assert format_errors(errors) == (
        "- items[2].price: Field required [missing]\n- (root): Invalid JSON [json_invalid]"
    )
    error = StructuredOutputError("x", reason="truncated")
    prompt = default_reask("List the items.\n", error)
    assert prompt.startswith("List the items.\n\nYour previous answer could not be used: ")
    assert "cut off" in prompt
    assert prompt.endswith("Reply again with only the corrected JSON.")


def test_type_errors() -> None:
    """Non-string input is a TypeError, not a silent failure."""
    with pytest.raises(TypeError):
        extract_json(b"{}")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        repair_json(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        default_reask(["x"], StructuredOutputError("x", reason="no_json"))  # type: ignore[arg-type]


BAD = {
    "deep-array": "[" * 10_000 + "]" * 10_000,
    "deep-object": '{"a":' * 10_000 + "1" + "}" * 10_000,
    "open-brackets": "[" * 100_000,
    "open-braces": "{" * 100_000,
    "quotes": '"' * 100_000,
    "mixed": "{'a\": [" * 12_000,
    "huge-string": '{"a": "' + "x" * 1_000_000 + '"}',
    "surrogates": '{"a": "\ud800\udfff"}',
    "control": '{"a": "\x00\x01"}',
    "backslashes": '{"a": "' + "\\" * 100_001,
    "prose-brackets": "word [x] {y} " * 8_000,
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_never_crashes_or_hangs(case: str) -> None:
    """Hostile input gives a result or a StructuredOutputError, quickly."""
    started = time.perf_counter()
    for step in (extract_json, repair_json, lambda t: parse_model(User, t)):
        with contextlib.suppress(StructuredOutputError):
            step(BAD[case])
    assert time.perf_counter() - started < 5.0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(value=json_values, prose=st.text(alphabet="abc .,:!?\n", max_size=20))
def test_property_roundtrip(value: object, prose: str) -> None:
    """Valid JSON containers survive extraction from prose and repair unchanged."""
    if not isinstance(value, (list, dict)):
        value = [value]
    encoded = json.dumps(value)
    found = extract_json(f"{prose}\n```json\n{encoded}\n```\n{prose}")
    assert json.loads(repair_json(found)) == value


@settings(max_examples=150, deadline=None)
@given(value=json_values, cut=st.integers(min_value=1, max_value=200))
def test_property_truncation_never_invents(value: object, cut: int) -> None:
    """A truncated document is refused or repaired into JSON; repair never raises anything else."""
    if not isinstance(value, (list, dict)):
        value = [value]
    encoded = json.dumps(value)
    prefix = encoded[: max(1, len(encoded) - cut)]
    try:
        repaired = repair_json(prefix)
    except StructuredOutputError:
        return
    json.loads(repaired)
