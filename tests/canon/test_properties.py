"""Properties of the canonical view and of payload decoding over arbitrary text."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from guardkit._canon import CanonicalText
from guardkit._decode import decode_payloads

# Any code point, lone surrogates included, plus the characters the view treats specially.
SPECIAL = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\ufe0e\ufe0f\U000e0041\U000e007f\U000e0100"
    "\u0301\u0308\u3099ﾞｶ\u3131\u314f\u1100\u1161\u11a8ﬁ½Ａａ\u00a0аеорсΑΟ1!@$|\U0001f468"
    "\U0001f3f4\U000e0067क्بی ._-\n"
)
anything = st.text(alphabet=st.characters(codec=None), max_size=40)
tricky = st.text(alphabet=st.sampled_from(SPECIAL) | st.characters(codec=None), max_size=40)
texts = anything | tricky | st.text(alphabet=st.sampled_from(SPECIAL + "abcxyz"), max_size=40)


def check_map(length: int, source_length: int, to_original: Callable[[int, int], tuple[int, int]]) -> None:
    """Spans map inside the source, non-empty to non-empty, monotone in both ends."""
    previous = (0, 0)
    for i in range(length):
        a, b = to_original(i, i + 1)
        assert 0 <= a < b <= source_length
        assert a >= previous[0]
        assert b >= previous[1]
        previous = (a, b)
    for i in range(length + 1):
        a, b = to_original(i, i)
        assert 0 <= a <= b <= source_length
    if length:
        assert to_original(0, length) == (to_original(0, 1)[0], to_original(length - 1, length)[1])


@settings(max_examples=100, deadline=None)
@given(texts)
def test_canonical_total_and_mapped(text: str) -> None:
    """Every str has a view whose offsets map back monotonically within the original."""
    view = CanonicalText(text)
    assert view.changed == (view.text != text)
    check_map(len(view.text), len(text), view.to_original)


@settings(max_examples=100, deadline=None)
@given(texts)
def test_canonical_idempotent(text: str) -> None:
    """The view of the view's text is that same text, and it is NFKC."""
    once = CanonicalText(text).text
    assert CanonicalText(once).text == once
    assert unicodedata.is_normalized("NFKC", once)


@settings(max_examples=100, deadline=None)
@given(texts)
def test_folded_total_and_mapped(text: str) -> None:
    """The folded view exists for every str and maps back monotonically."""
    view = CanonicalText(text)
    check_map(len(view.folded), len(text), view.folded_to_original)


@settings(max_examples=100, deadline=None)
@given(texts)
def test_hidden_total(text: str) -> None:
    """Smuggled spans lie inside the original and do not overlap."""
    view = CanonicalText(text)
    assert isinstance(view.hidden, str)
    end = 0
    for a, b in view.smuggled:
        assert end <= a < b <= len(text)
        end = b


@settings(max_examples=100, deadline=None)
@given(texts | st.text(alphabet=st.sampled_from("ABCabc0189+/=%&#;x \\"), max_size=120))
def test_decode_total_and_bounded(text: str) -> None:
    """decode_payloads never raises and keeps to its bounds and to the text."""
    items = decode_payloads(text, max_items=3, max_total=100)
    assert len(items) <= 3
    assert sum(len(d.text) for d in items) <= 100
    for d in items:
        assert 0 <= d.start < d.end <= len(text)
        assert d.depth >= 1
