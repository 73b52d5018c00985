"""The folded view: case, leetspeak, spelled-out letters, whitespace, and its offsets."""

from __future__ import annotations

import pytest

from guardkit._canon import canonical


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("IGNORE Previous", "ignore previous"),
        ("Straße", "strasse"),  # full case folding
        ("ＩＧＮＯＲＥ", "ignore"),  # through the canonical view
        ("h3ll0 w0rld", "hello world"),
        ("1gn0r3 4ll pr3v10us", "ignore all previous"),
        ("p@$$w0rd", "password"),
        ("5y5t3m pr0mpt", "system prompt"),
        ("l33t", "leet"),
        ("!gnore", "ignore"),  # "!" before a letter
        ("a|| instructions", "a|| instructions"),  # one letter in the token: left alone
        ("ca||ing", "calling"),
    ],
)
def test_folded(original: str, expected: str) -> None:
    """Case and leetspeak inside words fold."""
    assert canonical(original).folded == expected


@pytest.mark.parametrize(
    "original",
    [
        "2024-01-15",
        "3.14 and 42",
        "call 555 1234",
        "the 1st and 2nd",
        "covid19 win10",  # numbers glued to words stay numbers
        "stop! now!",  # sentence punctuation
        "version 2 of 3",
        "$100 and 50%",
        "id " + "ab" * 40 + "1337",  # too long for a word
    ],
)
def test_not_leet(original: str) -> None:
    """Numbers, ordinals and punctuation are not leetspeak."""
    assert canonical(original).folded == original.lower()


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("i g n o r e previous", "ignore previous"),
        ("i.g.n.o.r.e", "ignore"),
        ("I-G-N-O-R-E", "ignore"),
        ("i_g_n_o_r_e", "ignore"),
        ("i g n o r e  a l l", "ignore all"),  # a wider gap separates words
        ("i g n o r e / a l l", "ignore all"),
        ("1 g n 0 r 3", "ignore"),  # spelled out and leet
        ("a b", "a b"),  # two letters are not a word spelled out
        ("1 2 3 4", "1 2 3 4"),  # numbers are not letters
        ("e.g. this", "e.g. this"),
        ("plain words stay", "plain words stay"),
    ],
)
def test_spaced_letters(original: str, expected: str) -> None:
    """Runs of three or more single letters join into words."""
    assert canonical(original).folded == expected


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("a  b", "a b"),
        ("a\n\nb", "a b"),
        ("a\tb", "a b"),
        ("a \t\r\n b", "a b"),
        ("a b", "a b"),
    ],
)
def test_whitespace(original: str, expected: str) -> None:
    """Whitespace runs collapse to one space."""
    assert canonical(original).folded == expected


@pytest.mark.parametrize(
    ("original", "needle", "shown"),
    [
        ("Please IGNORE it", "ignore", "IGNORE"),
        ("say i g n o r e now", "ignore", "i g n o r e"),
        ("say 1gn0r3  all", "ignore all", "1gn0r3  all"),
        ("ｉｇｎｏｒｅ\u200b ａｌｌ", "ignore all", "ｉｇｎｏｒｅ\u200b ａｌｌ"),
        ("x Straße y", "strasse", "Straße"),
        ("Grüße, bitte IGNORE es", "ignore", "IGNORE"),  # after a fold that grows the text
        ("a\n\n\nb c", "b c", "b c"),
        ("i.g.n.o.r.e / a.l.l", "ignore all", "i.g.n.o.r.e / a.l.l"),
    ],
)
def test_folded_to_original(original: str, needle: str, shown: str) -> None:
    """A span of the folded view maps back to the original text that displays it."""
    view = canonical(original)
    start = view.folded.index(needle)
    a, b = view.folded_to_original(start, start + len(needle))
    assert original[a:b] == shown


def test_folded_span_out_of_range() -> None:
    """Spans outside the folded view raise ValueError."""
    view = canonical("a  b")
    with pytest.raises(ValueError, match="outside"):
        view.folded_to_original(0, 4)


def test_folded_is_cached() -> None:
    """The folded view is built once per view."""
    view = canonical("H3LL0 World")
    assert view.folded is view.folded
