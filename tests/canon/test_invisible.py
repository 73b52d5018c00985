"""invisible_runs(): the invisible characters the canonical view drops, in runs of one kind."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from unicode_samples import special_texts

from guardkit._canon import INVISIBLE_KINDS, CanonicalText, canonical, invisible_runs

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
TAGS = "".join(chr(0xE0000 + ord(c)) for c in "hi")

texts = special_texts(max_size=40)


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("plain ascii", []),
        ("Grüße, 東京", []),
        ("ig\u200bnore", [(2, 3, "zero_width")]),
        ("\u200b\u200b", [(0, 2, "zero_width")]),
        ("\u200b\u202e", [(0, 1, "zero_width"), (1, 2, "bidi")]),  # split where the kind changes
        ("a\u061cb\u2067c", [(1, 2, "bidi"), (3, 4, "bidi")]),
        ("hi" + TAGS, [(2, 4, "tag")]),
        ("a\ufe00\ufe01", [(1, 3, "variation_selector")]),
        ("a\ufff9b", [(1, 2, "zero_width")]),  # interlinear annotation anchor
        ("a\U0001bca0b\U0001d173", [(1, 2, "zero_width"), (3, 4, "zero_width")]),
        ("a\u200db", [(1, 2, "zero_width")]),  # a ZWJ between Latin letters
        ("a\u200d\U0001f600", [(1, 2, "zero_width")]),  # a ZWJ needs an emoji on both sides
        ("\u0628\u200cx", [(1, 2, "zero_width")]),  # a ZWNJ needs a joining script on both sides
        ("\u2764\ufe0f\ufe0f", [(1, 3, "variation_selector")]),  # two selectors carry data
        ("\u845b\U000e0100\U000e0101", [(1, 3, "variation_selector")]),
        ("a\U000e0100", [(1, 2, "variation_selector")]),  # an ideographic selector after a letter
        ("x\u180b", [(1, 2, "variation_selector")]),  # a Mongolian selector after a Latin letter
        ("\U0001f468\u200d\u200b\U0001f469", [(2, 3, "zero_width")]),  # the ZWJ stays, the ZWSP goes
    ],
)
def test_runs(text: str, runs: list[tuple[int, int, str]]) -> None:
    """Each dropped invisible character is reported, in runs of adjacent characters of one kind."""
    assert invisible_runs(text) == runs


@pytest.mark.parametrize(
    "text",
    [
        FAMILY,  # emoji ZWJ sequence
        "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag: VS16, then ZWJ
        ENGLAND,  # emoji flag tag sequence
        "\u2764\ufe0f",  # emoji presentation selector
        "\u263a\ufe0e",  # text presentation selector
        "1\ufe0f\u20e3 #\ufe0f\u20e3",  # keycaps
        "\u845b\U000e0100\u57ce",  # ideographic variation sequence
        "\u1820\u180b",  # Mongolian free variation selector
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian ZWNJ
        "\u0915\u094d\u200d\u0937",  # Devanagari ZWJ after a virama
    ],
)
def test_legitimate_sequences_kept(text: str) -> None:
    """The sequences the view keeps are not reported, and the view keeps them unchanged."""
    assert invisible_runs(text) == []
    assert canonical(text).text == text


def test_kinds() -> None:
    """The kinds, in the documented order."""
    assert INVISIBLE_KINDS == ("zero_width", "bidi", "tag", "variation_selector")


@settings(max_examples=200, deadline=None)
@given(texts)
def test_runs_are_what_the_view_drops(text: str) -> None:
    """Removing the reported runs leaves the same view, and nothing more to report."""
    runs = invisible_runs(text)
    end = 0
    for a, b, kind in runs:
        assert end <= a < b <= len(text)
        assert kind in INVISIBLE_KINDS
        end = b
    for (_, b1, k1), (a2, _, k2) in itertools.pairwise(runs):
        assert b1 < a2 or k1 != k2  # adjacent runs differ in kind
    dropped = {i for a, b, _ in runs for i in range(a, b)}
    stripped = "".join(c for i, c in enumerate(text) if i not in dropped)
    assert CanonicalText(stripped).text == CanonicalText(text).text
    assert invisible_runs(stripped) == []
