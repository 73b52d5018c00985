"""Structured output: errors never quote the model, and extraction stays linear on hostile input."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Annotated, Any, Literal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

import guardkit as gk
from guardkit import StructuredOutputError, default_reask, extract_json, parse_model

SECRET = "sk-live-SECRETVALUE123"


class A(BaseModel):
    kind: Literal["a"]
    x: int = 0


class B(BaseModel):
    kind: Literal["b"]


class Wrapper(BaseModel):
    item: Annotated[A | B, Field(discriminator="kind")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    a: int


class Checked(BaseModel):
    sku: str

    @field_validator("sku")
    @classmethod
    def known(cls, value: str) -> str:
        raise ValueError(f"{value} is not a known SKU")


class Custom(BaseModel):
    code: str

    @field_validator("code")
    @classmethod
    def known(cls, value: str) -> str:
        raise PydanticCustomError("unknown_code", f"code {value} is unknown")


class Limits(BaseModel):
    tags: list[str] = Field(max_length=2)
    when: Any = None


class Aliased(BaseModel):
    the_count: int = Field(validation_alias=AliasChoices("theCount", "count"))


class Either(BaseModel):
    value: int | list[int]


def _texts(error: StructuredOutputError) -> str:
    return "\n".join([str(error), repr(error), repr(error.errors), default_reask("Try again.", error)])


def _fail(model: Any, text: str) -> StructuredOutputError:
    with pytest.raises(StructuredOutputError) as info:
        parse_model(model, text)
    assert info.value.reason == "validation"
    return info.value


@pytest.mark.parametrize(
    ("model", "text"),
    [
        (Wrapper, f'{{"item": {{"kind": "{SECRET}"}}}}'),
        (dict[str, int], f'{{"{SECRET}": "x"}}'),
        (dict[str, int], '{"jane.doe@example.org": "x"}'),
        (Strict, f'{{"a": 1, "{SECRET}": 2}}'),
        (dict[int, int], f'{{"{SECRET}": 1}}'),
        (dict[str, A], f'{{"{SECRET}": {{"kind": "a", "x": "y"}}}}'),
        (Checked, f'{{"sku": "{SECRET}"}}'),
        (Custom, f'{{"code": "{SECRET}"}}'),
        (Limits, f'{{"tags": ["{SECRET}", "b", "c", "d", "e"]}}'),
        (list[Strict], f'[{{"a": 1}}, {{"a": 2, "{SECRET}": 3}}]'),
    ],
)
def test_errors_never_quote_the_model(model: Any, text: str) -> None:
    """Messages, errors and the re-ask name fields and problems, never a value or key the model wrote."""
    error = _fail(model, text)
    written = _texts(error)
    for leaked in (SECRET, "SECRETVALUE", "jane.doe", "is not a known SKU", "is unknown"):
        assert leaked not in written
    assert all(set(e) == {"loc", "msg", "type"} for e in error.errors)


def test_discriminated_union_error_keeps_the_schema_facts() -> None:
    """A bad tag is reported with the discriminator and the expected tags, not the tag sent."""
    error = _fail(Wrapper, f'{{"item": {{"kind": "{SECRET}"}}}}')
    assert error.errors == (
        {
            "loc": ("item",),
            "msg": "Input tag found using 'kind' does not match any of the expected tags: 'a', 'b'",
            "type": "union_tag_invalid",
        },
    )
    nested = _fail(Wrapper, '{"item": {"kind": "a", "x": "nope"}}')
    assert nested.errors[0]["loc"] == ("item", "a", "x")


def test_model_chosen_keys_become_a_marker() -> None:
    """Keys of a dict the model filled, and extra keys, appear as <key>; field names stay."""
    error = _fail(dict[str, int], '{"jane.doe@example.org": "x"}')
    assert error.errors == (
        {
            "loc": ("<key>",),
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "type": "int_parsing",
        },
    )
    assert str(error).endswith(
        "- <key>: Input should be a valid integer, unable to parse string as an integer [int_parsing]"
    )
    extra = _fail(Strict, f'{{"a": 1, "{SECRET}": 2}}')
    assert [(e["loc"], e["msg"]) for e in extra.errors] == [(("<key>",), "Extra inputs are not permitted")]
    nested = _fail(dict[str, A], f'{{"{SECRET}": {{"kind": "a", "x": "y"}}}}')
    assert nested.errors[0]["loc"] == ("<key>", "x")
    keyed = _fail(dict[int, int], f'{{"{SECRET}": 1}}')
    assert keyed.errors[0]["loc"] == ("<key>", "[key]")


def test_field_names_aliases_indices_and_union_members_stay() -> None:
    """What the schema declares stays in locations, so a re-ask still says where the problem is."""
    assert _fail(Aliased, '{"theCount": "x"}').errors[0]["loc"] == ("theCount",)
    assert _fail(list[A], '[{"kind": "a"}, {"kind": "a", "x": "y"}]').errors[0]["loc"] == (1, "x")
    assert [e["loc"] for e in _fail(Either, '{"value": "x"}').errors] == [
        ("value", "int"),
        ("value", "list[int]"),
    ]
    assert _fail(Strict, '{"a": "x"}').errors[0]["loc"] == ("a",)


def test_messages_stay_useful_without_values() -> None:
    """Schema limits stay in messages; validator texts and measured lengths do not."""
    limits = _fail(Limits, '{"tags": ["a", "b", "c", "d", "e"]}')
    assert limits.errors[0]["msg"] == "List should have at most 2 items after validation"
    assert _fail(Checked, '{"sku": "x"}').errors[0]["msg"] == "Value error"
    assert _fail(Custom, '{"code": "x"}').errors[0]["msg"] == "Input is not valid"

    class Bounded(BaseModel):
        n: int = Field(gt=3)
        mode: Literal["x", "y"]

    bounded = _fail(Bounded, '{"n": 1, "mode": "z"}')
    assert [e["msg"] for e in bounded.errors] == [
        "Input should be greater than 3",
        "Input should be 'x' or 'y'",
    ]


@settings(max_examples=60, deadline=None)
@example({"000": "<key>", "msg": "loc"})
@given(
    st.dictionaries(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=3, max_size=12),
        st.text(min_size=1, max_size=12),
        min_size=1,
        max_size=4,
    )
)
def test_no_key_or_value_ever_appears(data: dict[str, str]) -> None:
    """For any keys and string values a model writes into a dict[str, int], none reaches the error."""
    # Words the error itself is made of (its field names, the key marker, the error type) appear
    # whether or not the model wrote them.
    own = {"loc", "msg", "type", "<key>", "int_parsing", "int_type"}
    keys = [k for k in data if not k.isdigit() and k.strip() and k not in own]
    values = [v for v in data.values() if v.strip() and not v.strip().lstrip("-").isdigit() and v not in own]
    error: StructuredOutputError | None = None
    try:
        parse_model(dict[str, int], json.dumps(data))
    except StructuredOutputError as exc:
        error = exc
    if error is None:
        return
    written = repr(error.errors) + str(error)
    for key in keys:
        assert f"'{key}'" not in repr(error.errors)
        assert f"- {key}:" not in written
    for value in values:
        assert repr(value) not in repr(error.errors)


# -- linear time on hostile input -----------------------------------------------------------------

_HOSTILE = [
    "{" * 1_000_000,
    "{a" * 500_000,
    "{ [ " * 250_000,
    "[" * 1_000_000,
    "x {" * 330_000,
    "`" * 700_000 + "\n" + "x\n" * 700_000,
    "```\n{\n" * 150_000,
]


@pytest.mark.parametrize("text", _HOSTILE, ids=[repr(t[:6]) for t in _HOSTILE])
def test_extraction_is_linear_on_adversarial_input(text: str) -> None:
    """Megabyte-sized hostile replies are handled in seconds at most (quadratic scans took minutes)."""

    class User(BaseModel):
        name: str

    t0 = time.perf_counter()
    with contextlib.suppress(StructuredOutputError):
        extract_json(text)
    with pytest.raises(StructuredOutputError):
        parse_model(User, text)
    assert time.perf_counter() - t0 < 5.0


def test_extraction_results_unchanged() -> None:
    """Skipping implausible openers in one search finds the same value as before."""
    assert extract_json('{ {"a": 1}') == '{"a": 1}'
    assert extract_json('{x {"a": 1} [1]', prefer="array") == "[1]"
    assert extract_json('As [1] notes, the result is {"ok": true}.', prefer="object") == '{"ok": true}'
    assert extract_json('{"r": {"a": 1},}') == '{"r": {"a": 1},}'
    assert extract_json('````\n```\n{"a": 1}\n````') == '{"a": 1}'
    assert gk.parse_model(dict[str, int], '{ { {"a": 1}') == {"a": 1}
