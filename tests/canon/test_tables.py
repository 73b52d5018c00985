"""The built-in Unicode tables match this Python's data, and a stale table stays correct."""

from __future__ import annotations

import re
import unicodedata

import pytest

from guardkit import _canon
from guardkit._canon import CanonicalText

GENERATED_FOR = "14.0.0"
# Planes 3-13 and the private-use planes hold no combining or compatibility characters.
SCANNED = [*range(0x80, 0xD800), *range(0xE000, 0x30000), *range(0xE0000, 0xE1000)]


def ranges(code_points: set[int]) -> str:
    """The table notation: hex code points and ranges separated by spaces."""
    out: list[list[int]] = []
    for cp in sorted(code_points):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return " ".join(f"{a:x}" if a == b else f"{a:x}-{b:x}" for a, b in out)


@pytest.mark.skipif(
    unicodedata.unidata_version != GENERATED_FOR, reason="tables are generated for Unicode 14.0"
)
def test_tables_match_unicode_data() -> None:
    """The composition and expansion tables are exactly what the Unicode data says."""
    seconds = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul V and T jamo
    for cp in SCANNED:
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                seconds.add(int(parts[1], 16))
    starters, combining, expanding = set(), set(), set()
    for cp in SCANNED:
        c = chr(cp)
        nfkc = unicodedata.normalize("NFKC", c)
        if unicodedata.combining(c):
            combining.add(cp)
            continue
        if len(nfkc) != 1:
            expanding.add(cp)
        if cp in seconds or (nfkc != c and (unicodedata.combining(nfkc[0]) or ord(nfkc[0]) in seconds)):
            starters.add(cp)
    assert ranges(starters) == " ".join(_canon._COMPOSING_STARTERS.split())
    assert ranges(combining) == " ".join(_canon._COMBINING.split())
    assert ranges(expanding) == " ".join(_canon._EXPANDING.split())


@pytest.mark.skipif(
    unicodedata.unidata_version != GENERATED_FOR, reason="tables are generated for Unicode 14.0"
)
def test_one_to_one_table() -> None:
    """The table of BMP characters NFKC maps to one other character is exact (composers aside)."""
    composers = _canon._get_tables().composers
    one_to_one = set()
    for cp in range(0x80, 0x10000):
        c = chr(cp)
        if 0xD800 <= cp < 0xE000 or c in composers:
            continue
        nfkc = unicodedata.normalize("NFKC", c)
        if nfkc != c and len(nfkc) == 1:
            one_to_one.add(cp)
    assert ranges(one_to_one) == " ".join(_canon._ONE_TO_ONE.split())


def test_emoji_range_is_stable() -> None:
    """NFKC leaves the pictographic emoji alone and composes nothing with them (a fast path relies on it)."""
    emoji = range(0x1F300, 0x1FB00)
    assert all(unicodedata.normalize("NFKC", chr(cp)) == chr(cp) for cp in emoji)
    assert not [cp for cp in emoji if unicodedata.combining(chr(cp))]
    firsts = set()
    for cp in SCANNED:
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<"):
            firsts.add(int(decomposition.split()[0], 16))
    assert not [cp for cp in firsts if cp in emoji]


def test_stale_tables_stay_correct(monkeypatch: pytest.MonkeyPatch) -> None:
    """With tables that know nothing, the view is still exact NFKC with a sane offset map."""
    stale = _canon._Tables()
    object.__setattr__(stale, "composers", frozenset())
    object.__setattr__(stale, "composing_starters", frozenset())
    object.__setattr__(stale, "complex_run_re", re.compile(f"[{_canon._INVISIBLE_BMP}]+"))
    object.__setattr__(stale, "one_to_one_re", re.compile("(?!)"))
    monkeypatch.setattr(_canon, "_tables", stale)
    for text in (
        "cafe\u0301 ﬁle ½",
        "ｶﾞ \u3131\u314f",
        "e\u200b\u0301x",
        "Ｅ\u0301",
        "x\u0345\u0301",
        "ＡＩ！\u00a0東京",
    ):
        view = CanonicalText(text)
        expected = unicodedata.normalize("NFKC", text.replace("\u200b", ""))
        assert view.text == expected
        previous = (0, 0)
        for i in range(len(view.text)):
            a, b = view.to_original(i, i + 1)
            assert 0 <= a < b <= len(text)
            assert (a, b) >= previous
            previous = (a, b)


def test_casefold_table() -> None:
    """The table of characters whose case fold expands is complete for this Python."""
    pattern = _canon._CASEFOLD_EXPANDS_RE
    expanding = [cp for cp in SCANNED if len(chr(cp).casefold()) != 1]
    assert expanding
    missing = [hex(cp) for cp in expanding if not pattern.fullmatch(chr(cp))]
    if unicodedata.unidata_version == GENERATED_FOR:
        assert missing == []
    extra = [hex(cp) for cp in range(0x80, 0x20000) if pattern.fullmatch(chr(cp)) and cp not in expanding]
    assert extra == []


@pytest.mark.parametrize("text", ["Straße", "İstanbul", "ﬀ ß ŉ", "ᾳ ΐ plain", "abc"])
def test_casefold_map(text: str) -> None:
    """The folded view of case-fold expansions maps each output character to its source."""
    view = CanonicalText(text)
    assert view.folded == " ".join(CanonicalText(text).text.casefold().split())
    for i in range(len(view.folded)):
        a, b = view.folded_to_original(i, i + 1)
        assert 0 <= a < b <= len(text)
