"""The adapters' shared helpers: field access, copies with changes, and several text blocks checked as one."""

from __future__ import annotations

import time
from types import MappingProxyType, SimpleNamespace
from typing import Any

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardkit.integrations._segments import (
    field,
    join_texts,
    reparsed,
    split_text,
    unsupported,
    updated,
)


class Part(pydantic.BaseModel):
    type: str
    text: str


class Answer(pydantic.BaseModel):
    city: str


class Loose(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow")
    text: str

    @property
    def shout(self) -> str:
        return self.text.upper()


@pytest.mark.parametrize(
    "obj",
    [{"type": "t", "text": "x"}, Part(type="t", text="x"), SimpleNamespace(type="t", text="x")],
    ids=["dict", "pydantic", "object"],
)
def test_field_and_updated(obj: Any) -> None:
    """Fields read the same on dicts, models and objects; updated() copies and leaves the original."""
    assert field(obj, "text") == "x"
    assert field(obj, "missing", 7) == 7
    new = updated(obj, text="y")
    assert type(new) is type(obj)
    assert field(new, "text") == "y"
    assert field(new, "type") == "t"
    assert field(obj, "text") == "x"


def test_field_reads_mappings_extras_and_properties() -> None:
    """Non-dict mappings, pydantic extra fields and properties read like fields; absent names default."""
    proxy = MappingProxyType({"text": "x"})
    assert field(proxy, "text") == "x"
    assert field(proxy, "type", "d") == "d"
    loose = Loose(text="hi", kind="extra")
    assert field(loose, "kind") == "extra"
    assert field(loose, "shout") == "HI"
    assert field(loose, "missing", "d") == "d"
    assert field(Loose(text="hi"), "kind") is None


ROUND_TRIPS = [
    ["one"],
    ["", ""],
    ["a", "b", "c"],
    ["ends with newline\n", "\nstarts with one"],
    ["has \u2029 a mark", "x"],
    ["\n\u2029", "\n\u2029\n", "\u2029\u2029\n"],
    ["\u2029" * 5, "", "\u2029\n\u2029"],
]


@pytest.mark.parametrize("texts", ROUND_TRIPS)
def test_join_split_round_trip(texts: list[str]) -> None:
    """Splitting the unchanged joined text gives back exactly the blocks."""
    joined = join_texts(texts)
    assert split_text(texts, joined) == texts
    if len(texts) == 1:
        assert joined is texts[0]


REWRITES = [
    # (blocks, rewrite of the joined text, expected blocks)
    (["a secret", "b"], lambda j: j.replace("secret", "[X]"), ["a [X]", "b"]),
    (["a sec", "ret b", "c"], lambda j: j.replace("sec\n\u2029\nret", "[X]"), ["a [X] b", "c", ""]),
    (["abc", "def", "ghi"], lambda j: j[:5], ["abc\n\u2029"[:5], "", ""]),
    (["abc", "def"], lambda j: j + "\n\u2029\nextra", ["abc", "def\n\u2029\nextra"]),
]


@pytest.mark.parametrize(("texts", "rewrite", "expected"), REWRITES)
def test_split_after_rewrite(texts: list[str], rewrite: Any, expected: list[str]) -> None:
    """Rewrites that merge, cut or add separators still map every character to some block."""
    assert split_text(texts, rewrite(join_texts(texts))) == expected


def test_split_after_redaction_across_blocks() -> None:
    """A span redacted across a block boundary leaves the later blocks empty, never the old text."""
    texts = ["the sec", "ret code", "tail"]
    joined = join_texts(texts)
    start = joined.index("sec")
    end = joined.index("code") + len("code")
    pieces = split_text(texts, joined[:start] + "[X]" + joined[end:])
    assert pieces[0].startswith("the [X]")
    assert "ret" not in "".join(pieces)
    assert len(pieces) == 3


blocks = st.lists(st.text(alphabet=st.sampled_from("ab\n\u2029 "), max_size=12), min_size=1, max_size=5)


@settings(max_examples=100, deadline=None)
@given(texts=blocks)
def test_round_trip_property(texts: list[str]) -> None:
    """join then split is the identity for any blocks, marks and newlines included."""
    assert split_text(texts, join_texts(texts)) == texts


@settings(max_examples=100, deadline=None)
@given(texts=blocks, new=st.text(alphabet=st.sampled_from("ab\n\u2029 "), max_size=40))
def test_split_property_never_invents_text(texts: list[str], new: str) -> None:
    """Any rewrite splits into one piece per block, each piece taken from the rewrite."""
    pieces = split_text(texts, new)
    assert len(pieces) == len(texts)
    assert all(piece in new for piece in pieces)


@pytest.mark.parametrize(
    "texts",
    [
        ["\u2029" * 50_000, "\u2029\n" * 25_000],
        ["\n\u2029" * 50_000, "x"],
        [("\u2029" * n + "\n") for n in range(1, 450)],
    ],
    ids=["runs", "alternating", "growing-runs"],
)
def test_adversarial_blocks_stay_linear(texts: list[str]) -> None:
    """100 KB of marks and newlines join and split in linear time (a quadratic search takes minutes)."""
    started = time.perf_counter()
    assert split_text(texts, join_texts(texts)) == texts
    assert time.perf_counter() - started < 2.0


def test_reparsed() -> None:
    """Structured-output data is parsed again from the new text, or cleared when it no longer parses."""
    message = SimpleNamespace(parsed=Answer(city="Paris"))
    assert reparsed(message, '{"city": "[CITY]"}') == {"parsed": Answer(city="[CITY]")}
    assert reparsed(message, '{"city": [X]') == {"parsed": None}
    assert reparsed(SimpleNamespace(parsed={"city": "Paris"}), "{}") == {"parsed": None}
    assert reparsed(SimpleNamespace(parsed=None), "{}") == {}
    assert reparsed({"text": "x"}, "y") == {}


def test_unsupported_names_type_not_content() -> None:
    """The error for an unreadable value names its type and kind, never its text."""
    error = unsupported("Adapter", {"type": "weird", "text": "secret value"}, "do this instead")
    assert isinstance(error, TypeError)
    assert "dict of type 'weird'" in str(error)
    assert "secret value" not in str(error)
