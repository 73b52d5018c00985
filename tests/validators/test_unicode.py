"""InvisibleChars and NormalizeUnicode."""

from __future__ import annotations

import pytest

import guardkit as gk

TAGS = "".join(chr(0xE0000 + ord(c)) for c in "hidden")


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


def test_normalize_unicode() -> None:
    """NFKC folds full-width and styled letters; unchanged text is returned as is."""
    clean = gk.NormalizeUnicode()
    assert clean.clean("ｆｕｌｌ ｗｉｄｔｈ 𝐛𝐨𝐥𝐝") == "full width bold"
    text = "already normal"
    assert clean.clean(text) is text
    assert gk.NormalizeUnicode("NFC").clean("e\u0301") == "\u00e9"
    with pytest.raises(gk.ConfigError):
        gk.NormalizeUnicode("NFX")  # type: ignore[arg-type]
