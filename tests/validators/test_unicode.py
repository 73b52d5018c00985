"""InvisibleChars and NormalizeUnicode."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from unicode_samples import special_texts

import guardkit as gk
from guardkit._canon import _INVISIBLE_SET, INVISIBLE_KINDS, canonical
from guardkit.validators._unicode import KINDS

TAGS = "".join(chr(0xE0000 + ord(c)) for c in "hidden")
texts = special_texts(max_size=50)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain ascii", []),
        ("zero\u200bwidth", [("zero_width", 4, 5)]),
        ("word\u2060joiner\ufeff", [("zero_width", 4, 5), ("zero_width", 11, 12)]),
        ("soft\u00adhyphen", [("zero_width", 4, 5)]),
        ("bidi \u202eevil\u202c", [("bidi", 5, 6), ("bidi", 10, 11)]),
        ("isolate \u2066x\u2069", [("bidi", 8, 9), ("bidi", 10, 11)]),
        ("tags" + TAGS, [("tag", 4, 10)]),
        ("a\ufe00\ufe01\ufe02\ufe03", [("variation_selector", 1, 5)]),
        ("x\U000e0100\U000e0101\U000e0102", [("variation_selector", 1, 4)]),
        ("Latin\u200dZWJ", [("zero_width", 5, 6)]),
        ("a\u200b\u202eb", [("zero_width", 1, 2), ("bidi", 2, 3)]),  # split where the kind changes
        ("\u2764\ufe0f\ufe0f", [("variation_selector", 1, 3)]),  # two selectors after an emoji
        ("\u845b\U000e0100\U000e0101", [("variation_selector", 1, 3)]),
        ("x\u180b", [("variation_selector", 1, 2)]),  # a Mongolian selector after a Latin letter
        ("a\ufff9b\U0001bca0", [("zero_width", 1, 2), ("zero_width", 3, 4)]),
        ("\u0628\u200cx", [("zero_width", 1, 2)]),  # ZWNJ needs a joining script on both sides
        ("\U0001f468\u200d\u200b\U0001f469", [("zero_width", 2, 3)]),  # the ZWJ stays
    ],
)
def test_invisible_chars_flags(text: str, expected: list[tuple[str, int, int]]) -> None:
    """Each class of invisible character is flagged with its exact span."""
    found = gk.InvisibleChars().check(text)
    assert [(f.rule.split(".")[1], f.start, f.end) for f in found] == expected


@pytest.mark.parametrize(
    "text",
    [
        "👨‍👩‍👧 family",
        "❤️ love",
        "🏳️‍🌈 flag",
        "🏴󠁧󠁢󠁥󠁮󠁧󠁿 England",
        "می‌خواهم",  # Persian with ZWNJ
        "क्‍ष",  # Devanagari with ZWJ
        "葛󠄀城",  # ideographic variation sequence
        "日本語、テキスト。",
        "1\ufe0f\u20e3 #\ufe0f\u20e3",  # keycaps
        "\u263a\ufe0e",  # text presentation selector
        "\u1820\u180b",  # Mongolian free variation selector
        "\U0001f469\U0001f3fd\u200d\U0001f4bb",  # skin tone, then ZWJ
    ],
)
def test_invisible_chars_keeps_legitimate_sequences(text: str) -> None:
    """Emoji ZWJ sequences, flag tags, ZWNJ in Persian/Indic and ideographic variants are kept."""
    assert gk.InvisibleChars().check(text) == ()


def test_invisible_chars_strips_by_default() -> None:
    """The default action removes the characters."""
    policy = gk.Policy(input=[gk.InvisibleChars()])
    assert policy.check_input("ig\u200bnore\u202e").text == "ignore"


def test_invisible_chars_kinds_filter() -> None:
    """kinds= narrows what is flagged; unknown kinds are ConfigErrors."""
    assert gk.InvisibleChars(kinds=["tag"]).check("a\u200bb") == ()
    assert gk.InvisibleChars(kinds=["tag"]).check("a" + TAGS) != ()
    with pytest.raises(gk.ConfigError, match="nope"):
        gk.InvisibleChars(kinds=["nope"])


def test_invisible_chars_settings() -> None:
    """Kinds match the canonical view's, the ASCII path allocates nothing, repr shows the settings."""
    assert tuple(KINDS) == INVISIBLE_KINDS
    check = gk.InvisibleChars(kinds=["bidi", "tag"], action="block")
    assert check.check("plain ascii") == ()
    assert check.window == 64
    assert repr(check) == "InvisibleChars(kinds=['bidi', 'tag'], action='block')"
    assert repr(gk.InvisibleChars()) == "InvisibleChars(action='redact')"
    (finding,) = gk.InvisibleChars(name="hidden").check("a\u202eb")
    assert (finding.rule, finding.kind, finding.detail) == ("hidden.bidi", "INVISIBLE_CHARS", KINDS["bidi"])


@settings(max_examples=300, deadline=None)
@given(texts)
def test_invisible_chars_flags_what_the_view_drops(text: str) -> None:
    """InvisibleChars flags exactly the invisible characters that canonical(text).text drops."""
    check = gk.InvisibleChars()
    flagged = {i for f in check.check(text) for i in range(f.start, f.end)}
    assert all(text[i] in _INVISIBLE_SET for i in flagged)
    view = canonical(text).text
    dropped = Counter(c for c in text if c in _INVISIBLE_SET)
    dropped.subtract(c for c in view if c in _INVISIBLE_SET)
    assert +dropped == Counter(text[i] for i in flagged)  # as many of each as the view lost
    kept = "".join(c for i, c in enumerate(text) if i not in flagged)
    assert canonical(kept).text == view  # and none the view keeps
    assert check.check(kept) == ()


def test_normalize_unicode() -> None:
    """NFKC folds full-width and styled letters; unchanged text is returned as is."""
    clean = gk.NormalizeUnicode()
    assert clean.clean("ｆｕｌｌ ｗｉｄｔｈ 𝐛𝐨𝐥𝐝") == "full width bold"
    text = "already normal"
    assert clean.clean(text) is text
    assert gk.NormalizeUnicode("NFC").clean("e\u0301") == "\u00e9"
    with pytest.raises(gk.ConfigError):
        gk.NormalizeUnicode("NFX")  # type: ignore[arg-type]
