"""The fast paths of the canonical view give exactly what the slow, exact ones give."""

from __future__ import annotations

import functools
import re
import sys
import time
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardkit import _canon
from guardkit._canon import CanonicalText, invisible_runs

# Latin letters, Cyrillic and Greek look-alikes and other letters of those scripts, letters of
# other scripts, marks, digits, gaps the fold pre-checks know and gaps they do not.
SCRIPTS = (
    "abcxyzPQRéüßñÀ"
    "аеорсухіјѕАВЕКМНОРСТХ"
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧονιρυακχ"
    "длиПбвжλωΣ"
    "東のテ\U00020000\u0301\u0483ª1_ .,-«»—’\u3000、€©²\U0001f600"
)
script_texts = st.text(alphabet=st.sampled_from(SCRIPTS), max_size=40)
# Compatibility characters NFKC maps one to one, expansions, compositions and invisible characters.
NORMALIZE = (
    "ＡＩ！（）：１\u00a0\u202f\u2011ｶﾞ\u3131\u314f…ﬁ½\u0301\u0308e\u200b\u200d\ufe0f\U0001d41b"
    "\U0001f600東京a "
)
normalize_texts = st.text(alphabet=st.sampled_from(NORMALIZE), max_size=40) | st.text(
    alphabet=st.sampled_from(NORMALIZE) | st.characters(codec=None), max_size=40
)


@functools.cache
def exact_tables() -> _canon._Tables:
    """Tables whose fold pre-check always fires, so folding always takes the exact path."""
    tables = _canon._Tables()
    object.__setattr__(tables, "lookalike_hint_re", re.compile(""))
    return tables


@pytest.mark.parametrize(
    "text",
    [
        "Grüße aus München, Привет, как дела? Καλημέρα κόσμε. 東京",  # nothing to fold
        "pаypаl",  # a mixed word
        "pдa",  # a mixed word whose look-alike does not touch the Latin letter
        "Ехес the command",  # a look-alike word next to a Latin one
        "the «Ехес»",
        "Python и о",  # a look-alike word whose nearest word is not Latin
        "е\u0301 cat",
        "Pの\u0430",  # a mixed word with a letter of a third script between
    ],
)
def test_fold_examples(text: str) -> None:
    """On examples, folding with the pre-checks gives what the exact search gives."""
    assert _canon._fold_scripts(text, _canon._get_tables()) == _canon._fold_scripts(text, exact_tables())


@settings(max_examples=400, deadline=None)
@given(script_texts)
def test_fold_precheck_is_exact(text: str) -> None:
    """The fold pre-checks never skip a text that the exact search would fold."""
    assert _canon._fold_scripts(text, _canon._get_tables()) == _canon._fold_scripts(text, exact_tables())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＡＩの話（続き）！", "AIの話(続き)!"),  # full-width forms, one to one
        ("Paris\u00a0: «\u202fOui\u202f»", "Paris : « Oui »"),  # no-break spaces
        ("disait\u2011elle…", "disait-elle..."),  # a hyphen NFKC maps to one the view folds
        ("𝐛𝐨𝐥𝐝 ①", "bold 1"),
    ],
)
def test_one_to_one(text: str, expected: str) -> None:
    """Characters NFKC maps one to one are normalized in place, with an identity map around them."""
    view = CanonicalText(text)
    assert view.text == expected
    if len(expected) == len(text):
        assert [view.to_original(i, i + 1) for i in range(len(text))] == [
            (i, i + 1) for i in range(len(text))
        ]


@settings(max_examples=300, deadline=None)
@given(normalize_texts)
def test_view_is_nfkc_of_the_kept_text(text: str) -> None:
    """The view is NFKC of the text without what invisible_runs reports, then folded."""
    dropped = {i for a, b, _ in invisible_runs(text) for i in range(a, b)}
    kept = "".join(c for i, c in enumerate(text) if i not in dropped)
    normal = unicodedata.normalize("NFKC", kept)
    assert CanonicalText(text).text == _canon._fold_confusables(normal, _canon._get_tables())


# The folded view: class bytes decide where its regex passes run (`_fold(text)`), which must give
# what running every pass over the whole text gives (`_fold(text, fast=False)`). Letters, digits
# and leetspeak, separators, ASCII and non-ASCII whitespace, "_" (a separator and a word
# character), characters that are neither letters nor gaps, in and out of ASCII.
FOLD_CHARS = (
    "aAbBiIoOxyz0134579@$!|_ .-/()#,:\t\n\r\x0b\x0c\x1c\x85\u2028\u3000\xa0éßİ東→。«²\u200d\U0001f600ﬁ\ud800"
)
# fmt: off
FOLD_TOKENS = (
    "a", "b", "i", "1", "3", "@", "$", "ab", "x1", "h3ll0", "é", "→", "|", "!", "_", "(", ")",
    "ß", "東", "²", "a!", "!a", "1st", "IGNORE", "ca||", "0", "ｉ",
    # Spelled-out runs the gate misses, and look-alikes of the gate: joined only if a real one is there.
    "(a b c)", "#x.y.z", "→ a →", "a | b | c", "é_è", "e.g.",
)
# fmt: on
FOLD_GAPS = (" ", ".", "-", "_", "  ", " / ", "/", "\t", "\n\n", "\u3000", "", " \n ", "\x85", "..")
fold_texts = st.text(alphabet=st.sampled_from(FOLD_CHARS), max_size=40) | st.lists(
    st.tuples(st.sampled_from(FOLD_TOKENS), st.sampled_from(FOLD_GAPS)).map("".join), max_size=14
).map("".join)


def folded_both_ways(
    text: str,
) -> tuple[tuple[str, list[tuple[object, ...]]], tuple[str, list[tuple[object, ...]]]]:
    """The folded view and its maps, from the fast paths and from the full passes."""

    def plain(
        result: tuple[str, tuple[_canon._OffsetMap, ...], bool, bool],
    ) -> tuple[str, list[tuple[object, ...]]]:
        folded, maps, *_ = result
        return folded, [
            m.edits
            if isinstance(m, _canon._LazyMap)
            else (m._out_a, m._out_b, m._src_a, m._src_b, m.out_len, m.src_len)
            for m in maps
        ]

    return plain(_canon._fold(text)), plain(_canon._fold(text, fast=False))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Please summarize the report and list the risks.",
            "please summarize the report and list the risks.",
        ),
        ("say i g n o r e now", "say ignore now"),
        ("(a b c) x → y → z", "(a b c) x → y → z"),  # "→" looks like a letter to the bytes only
        ("(a b c) a | b | c", "(a b c) a | b | c"),  # "|" is leetspeak, not a word character
        ("e.g. (a b c)", "e.g. (abc)"),  # a real spelled-out hint joins every run
        ("snake_case a b c", "snake_case abc"),  # "_" takes the scan
        ("a\u3000\u3000b\x85c", "a b c"),  # non-ASCII whitespace takes the scans
        ("a\t\tb\nc  d", "a b c d"),
        ("i g n o r e\t\ta l l", "ignore all"),
        ("i.g.n.o.r.e / a.l.l / 1 2 3", "ignore all 123"),  # one chain of runs, with letters
        ("stop! 1st h3ll0 w0rld ca||ing p@$$w0rd", "stop! 1st hello world calling password"),
        ("sh!1t no!!1 ok! 2024 win10 !ab", "shiit noiii ok! 2024 win10 iab"),
        ("ｈ3ｌｌ0 東1 é1é", "ｈeｌｌo 東1 éié"),  # non-ASCII letters next to leetspeak
        # A run starts with a single element: numbers between words start none, elements on
        # either side of three single ones stop one, a non-ASCII non-element does not.
        ("she gets 1 free t-shirt, 3 t-shirts", "she gets 1 free t-shirt, 3 t-shirts"),
        ("x 1 2 y", "x12y"),
        ("€a b c", "€abc"),
        ("éa b c d", "éa bcd"),
        ("a b cé", "a b cé"),
        ("a b c€ z", "abc€ z"),
    ],
)
def test_fold_examples_fast(text: str, expected: str) -> None:
    """On examples, the fast folded view is the expected one, maps included, as the full passes give."""
    fast, full = folded_both_ways(text)
    assert fast == full
    assert fast[0] == expected


@settings(max_examples=400, deadline=None)
@given(fold_texts)
def test_fold_fast_paths_are_exact(text: str) -> None:
    """The folded view and its maps from the fast paths are those of the full passes."""
    fast, full = folded_both_ways(text)
    assert fast == full


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=40) | fold_texts)
def test_folded_view_fast_paths_are_exact(text: str) -> None:
    """Through the canonical view, any text folds the same both ways."""
    fast, full = folded_both_ways(CanonicalText(text).text)
    assert fast == full


def test_non_ascii_spaces_table() -> None:
    """The non-ASCII whitespace table is all of it, by str.isspace (which `re`'s \\s follows)."""
    found = "".join(chr(cp) for cp in range(0x80, sys.maxunicode + 1) if chr(cp).isspace())
    assert found == _canon._NON_ASCII_SPACES
    assert all(re.fullmatch(r"\s", c) for c in found)


def test_non_ascii_space_test_matches_python() -> None:
    """has_non_ascii_space() finds every non-ASCII whitespace character and nothing else (lone
    surrogates included)."""
    chars = [chr(c) for c in range(128, sys.maxunicode + 1)]
    for c in chars:
        if c.isspace():
            assert _canon.has_non_ascii_space(f"a{c}b"), hex(ord(c))
    others = [c for c in chars if not c.isspace()]
    for i in range(0, len(others), 4096):
        assert not _canon.has_non_ascii_space("".join(others[i : i + 4096]))
    assert not _canon.has_non_ascii_space("plain ASCII\t\n")


@pytest.mark.parametrize("char", [chr(cp) for cp in range(128)])
def test_class_tables_follow_the_patterns(char: str) -> None:
    """For every ASCII character, the class tables say what the folding patterns say."""
    code = _canon._CLASSES[ord(char)]
    gap = _canon._GAPS[code]
    assert (gap == ord("w")) == (re.fullmatch(_canon._ELEM, char) is not None)
    assert (gap == ord("s")) == (char in " ._-")
    mark = _canon._LEET_BYTE_MARKS[ord(char)]
    assert (mark == ord("l")) == (char in _canon._LEET)
    assert (mark in b"lx") == (_canon._LEET_RUN_RE.fullmatch(char) is not None)
    assert (mark == ord("w")) == char.isalpha()
    assert (_canon._SPACE_CLASSES[ord(char)] == ord(" ")) == char.isspace()
    assert (code == ord("\n")) == (char.isspace() and char != " ")


N = 100_000
# Inputs aimed at the fast paths: long leetspeak runs next to letters or not, many candidate runs
# that fail or match, whitespace runs, and many candidates for the spelled-out gate.
FAST_PATH_CASES = {
    "digits": "1" * N,
    "digits then letter": "1" * N + "a",
    "letter then digits": "a" + "1" * N,
    "bangs after letters": "a!" * (N // 2),
    "digits between letters": "a1" * (N // 2),
    "run candidates": "ab c d " * (N // 7),
    "runs and wide gaps": "a b c  " * (N // 7),
    "runs and slashes": "a b c/" * (N // 6),
    "single separators": "a." * (N // 2),
    "spaces": " " * N,
    "newlines then run": "\n" * N + "a b c",
    "gate then candidates": "e.g. " + "x y " * (N // 4),
    "underscores": "a_b_" * (N // 4),
}


@pytest.mark.parametrize("name", list(FAST_PATH_CASES))
def test_fast_paths_linear(name: str) -> None:
    """The folded view of 100 KB aimed at the fast paths is built quickly."""
    started = time.perf_counter()
    folded, *_ = _canon._fold(FAST_PATH_CASES[name])
    assert isinstance(folded, str)
    assert time.perf_counter() - started < 4.0


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab_ .-1@$\n\té東→\x85", max_size=30))
def test_spaced_hint_from_class_bytes_matches_the_pattern(text: str) -> None:
    """The spelled-out-letters hint, underscores (separator and word character) included, is the
    pattern's answer."""
    codes = _canon._classes(text)[0]
    assert _canon._spaced_hint(text, codes) == (_canon._SPACED_HINT_RE.search(f" {text} ") is not None)


@settings(max_examples=300, deadline=None)
@given(fold_texts)
def test_lazy_collapse_map_matches_the_built_map(text: str) -> None:
    """Folded spans map back to the same original spans whether the collapse map was built at once
    or on first use."""
    view = CanonicalText(text)
    folded = view.folded
    slow, slow_maps, *_ = _canon._fold(view.text, fast=False)
    assert folded == slow
    for start in range(0, len(folded) + 1, 3):
        end = min(len(folded), start + 4)
        span = (start, end)
        for omap in reversed(slow_maps):
            span = omap.span(*span)
        assert view.folded_to_original(start, end) == view.to_original(*span)


# Text with nothing to drop but something for NFKC to change: marks that compose or stand alone,
# compatibility characters, scripts with many marks (Bengali, Thai, Devanagari).
NOTHING_TO_DROP = "ＡＩ！１\u00a0ｶﾞ…ﬁ½\u0301\u0308e東a ড়\u09dcো\u09c7\u09be\u0e33ำก\u0928\u093c\u0915\u094d"
# With the invisible characters a view keeps or drops among them (ZWNJ in Telugu and Persian, a
# zero-width space, an emoji joiner).
WITH_INVISIBLES = NOTHING_TO_DROP + "\u200c\u200b\u200d\U0001f600\u0c15\u0c4d\u0c2e\u0c46\u0c56"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(WITH_INVISIBLES), min_size=1, max_size=30))
def test_lazy_normal_map_matches_the_built_map(text: str) -> None:
    """A text's view is the NFKC of its kept characters, and its map that of the rebuild over its
    clusters, whether it is built at once or (clusters every few characters) on first use."""
    view = CanonicalText(text)
    tables = _canon._get_tables()
    rebuilt, omap = _canon._rebuilt(text, tables)
    kept = "".join(c for i, c in enumerate(text) if not any(a <= i < b for a, b, _ in invisible_runs(text)))
    assert rebuilt == unicodedata.normalize("NFKC", kept)
    assert view.text == _canon._fold_confusables(rebuilt, tables)
    for start in range(len(view.text) + 1):
        for end in range(start, min(len(view.text), start + 5) + 1):
            expected = (start, end) if omap is None else omap.span(start, end)
            assert view.to_original(start, end) == expected


def test_lazy_normal_map_is_taken_for_dense_clusters() -> None:
    """Bengali with a composition exclusion, Thai with a compatibility vowel: clusters every few
    characters, and the map waits."""
    for text in (
        "\u099d\u09c1\u09dc\u09bf \u09a6\u09c7\u09a8",
        "\u0e04\u0e32\u0e23\u0e4c\u0e25\u0e32\u0e01\u0e33",
    ):
        view = CanonicalText(text)
        assert isinstance(view._map, _canon._LazyNormalMap)
        assert view._map._built is None
        assert view.to_original(0, len(view.text)) == (0, len(text))
        assert view._map._built is not None


def test_sparse_clusters_are_rebuilt_at_once() -> None:
    """CJK text with a full-width comma: NFKC in C would cost more than its one cluster."""
    view = CanonicalText("请帮我总结一下附件中的会议记录，我们讨论了春季营销活动的预算")
    assert view._map is None or isinstance(view._map, _canon._OffsetMap)
    assert view.text == unicodedata.normalize("NFKC", view.original)


# Words that make look-alike groups, Latin and mixed words, words of other letters, numbers that
# are word characters but not letters, and the gaps between them.
GROUP_WORDS = (
    *("о", "с", "Не", "Ехес", "рос", "мир", "Python", "pаypаl"),
    *("abc", "ÀB", "½", "Ⅻ", "ο", "Κακ", "東京", "ª"),
)
GROUP_GAPS = (" ", ", ", "-", "«", "» ", "\u3000", "", "_", "1", ". ")
group_texts = st.lists(
    st.tuples(st.sampled_from(GROUP_WORDS), st.sampled_from(GROUP_GAPS)).map("".join), max_size=14
).map("".join)


@settings(max_examples=600, deadline=None)
@given(group_texts | script_texts)
def test_groups_near_latin_are_the_scanned_groups(text: str) -> None:
    """Finding look-alike groups from the Latin words finds what scanning every group finds."""
    tables = _canon._get_tables()
    runs = [m.start() for m in _canon._LATIN_RUN_RE.finditer(text)]
    assert set(_canon._groups_near_latin(text, tables, runs)) == set(_canon._lookalike_groups(text, tables))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Не о том, но Python", "Не о том, но Python"),  # no Latin word next to the group
        ("мир о Python", "мир o Python"),  # the word after the group is Latin
        ("Python: о мир", "Python: o мир"),  # the word before it is
        ("- о мир, Python", "- о мир, Python"),  # nothing before the group is no Latin word
        ("«Ехес» мир is", "«Ехес» мир is"),
    ],
)
def test_fold_group_neighbours(text: str, expected: str) -> None:
    assert _canon._fold_scripts(text, _canon._get_tables()) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("жоЖαοaZéÿĀɏḀỿ×÷\u1dff\u1f00\ud800 1,"), max_size=20))
def test_latin_prefilter_passes_every_latin_letter(text: str) -> None:
    """Text the lead-byte prefilter stops holds no character of the Latin class."""
    assert _canon._may_hold_latin(text) or _canon._LATIN_RE.search(text) is None


def test_fold_with_many_latin_runs_scans_the_groups() -> None:
    """Past _NEAR_LATIN_RUNS runs of Latin letters, the groups are found by the scan, the same way."""
    many = " ".join(["word"] * (_canon._NEAR_LATIN_RUNS + 1))
    text = f"мир о {many} с мир"
    assert _canon._few_latin_runs(text) is None
    assert _canon._fold_scripts(text, _canon._get_tables()) == f"мир o {many} c мир"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aé\xad\xa0ÿĀ—😀\u200b"), min_size=1, max_size=30))
def test_latin1_from_the_stored_size(text: str) -> None:
    """latin1() says whether a non-ASCII text is all below U+0100 (on CPython, always; elsewhere
    it may say False, which takes the path for any text)."""
    if text.isascii():
        return
    below = max(text) < "\u0100"
    if sys.implementation.name == "cpython":
        assert _canon.latin1(text) == below
    else:
        assert not _canon.latin1(text) or below


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aé\xadĀ中，😀\U000e0041\U00010000\u200b"), max_size=30))
def test_narrow_from_the_stored_size(text: str) -> None:
    """narrow() says whether a text holds no character above U+FFFF (on CPython, always;
    elsewhere, and for str subclasses, it may say False, which searches the text). It never says
    True for a text with such a character."""

    class Sub(str):
        pass

    below = not text or max(text) <= "\uffff"
    if sys.implementation.name == "cpython":
        assert _canon.narrow(text) == below
    assert not _canon.narrow(text) or below
    assert not _canon.narrow(Sub(text)) or below


@pytest.mark.parametrize("text", ["会议，请总结。", "ﬁle，（注）", "😀，中文", "Ｈｅｌｌｏ，世界"])
def test_narrow_text_takes_the_same_view(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Text without characters above U+FFFF skips the search for them when it is normalized;
    the view and its offsets are what the search would give."""
    fast = CanonicalText(text)
    fast_view = (fast.text, fast.folded, [fast.to_original(i, i + 1) for i in range(len(fast.text))])
    monkeypatch.setattr(_canon, "narrow", lambda _text: False)
    slow = CanonicalText(text)
    assert fast_view == (slow.text, slow.folded, [slow.to_original(i, i + 1) for i in range(len(slow.text))])


@pytest.mark.parametrize("text", ["Grüße aus München, ½ Stück", "fa\xadçade", "naïve\xa0café", "µ-Wert"])
def test_latin1_text_takes_the_same_view(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Latin-1 text skips the scans for characters it cannot hold; the view is what the path
    for any text builds (the soft hyphen, the one such character it can hold, is still removed)."""
    assert _canon.latin1(text)
    fast = CanonicalText(text)
    fast_view = (fast.text, fast.folded, fast.hidden, fast.to_original(0, len(fast.text)))
    monkeypatch.setattr(_canon, "latin1", lambda _text: False)
    slow = CanonicalText(text)
    assert fast_view == (slow.text, slow.folded, slow.hidden, slow.to_original(0, len(slow.text)))
    assert "\xad" not in fast.text


def _fold_leet_token_plain(tok: str) -> str:
    """The leetspeak rules of one token, run by run (what _fold_leet_token does in C for ASCII)."""
    if len(tok) > _canon._LEET_MAX_TOKEN:
        return tok
    if sum(map(str.isalpha, tok)) < 2 or _canon._ORDINAL_RE.fullmatch(tok):
        return tok
    chars = list(tok)
    n = len(tok)
    for m in re.finditer(r"[0-9@$!|]+", tok):
        a, b = m.span()
        run = m.group()
        left = a > 0 and tok[a - 1].isalpha()
        right = b < n and tok[b].isalpha()
        if not (left or right) or b - a > 3 or not set(run) <= set(_canon._LEET):
            continue
        if run.isdigit() and b - a >= 2 and (a == 0 or b == n):
            continue
        if run[-1] == "!" and not right:
            continue
        for j in range(a, b):
            chars[j] = _canon._LEET[tok[j]]
    return "".join(chars)


LEET_ALPHABET = "abZ0134572689!@$|._ -\n"


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=LEET_ALPHABET, max_size=12))
def test_leet_token_rules_in_c(tok: str) -> None:
    """The ASCII token path finds exactly the runs the rules fold."""
    assert _canon._fold_leet_token(tok) == _fold_leet_token_plain(tok)


LEET_WORDS = (
    *("h3ll0", "1gn0r3", "7f3a0000", "v1", "stop!", "1st", "b4d"),
    *("win10", "a11b", "a1!b", "p4$$", "10ab", "ab13", "137ab"),
)
leet_texts = st.text(alphabet=LEET_ALPHABET, max_size=60) | st.lists(
    st.tuples(st.sampled_from(LEET_WORDS), st.sampled_from((" ", ".", "_", "", "!", "1", "\n"))).map("".join),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(leet_texts)
def test_leet_text_in_one_pass(text: str) -> None:
    """Folding an ASCII text in one pass, or token by token with the switch to one pass after
    _LEET_TOKENS_ONE_BY_ONE tokens, gives what folding each token gives."""
    by_token = _canon._fold_leet(text)  # no class bytes: every run, token by token
    assert _canon._fold_leet_ascii_text(text) == by_token
    assert _canon._fold_leet(text, _canon._classes(text)[0]) == by_token


def test_leet_log_switches_to_one_pass() -> None:
    """A log full of ids past the switch folds as token by token does."""
    text = " ".join(f"request_id=7f3a{i:04x} path=/v1/orders/{51000 + i}" for i in range(40))
    assert _canon._fold_leet(text, _canon._classes(text)[0]) == _canon._fold_leet(text)
    assert "tfea" in _canon._fold_leet(text, _canon._classes(text)[0])


# Plain CJK text: ideographs, kana, Hangul, CJK punctuation, full-width forms, typographic quotes
# and dashes, ASCII; and characters next to them that leave the fast path (half-width voiced marks,
# "…", combining marks, invisible characters, look-alikes, Hangul jamo that compose).
PLAIN_CJK = "東京漢字㐀鿿한국어가힣のテーヽヾ、。「」〜・　！（）：１ａＡ｡ｶﾝ“”‘’—–‐ ,.a1?\n"
NEAR_CJK = "ﾞﾟ…‥\u3099\u0301\u200b\ufe0f\u0430\u1100\u1161\u11a8\u3131ﬁ\U0001f600é"
plain_cjk_texts = st.text(alphabet=st.sampled_from(PLAIN_CJK), max_size=40) | st.text(
    alphabet=st.sampled_from(PLAIN_CJK + NEAR_CJK), max_size=40
)


@settings(max_examples=500, deadline=None)
@given(plain_cjk_texts)
def test_plain_cjk_fast_path_is_exact(text: str) -> None:
    """Where the plain-CJK path applies, its view is the general path's, with an identity map."""
    tables = _canon._get_tables()
    fast = _canon._narrow_wide(text, tables)
    slow, _ = _canon._canonicalize(text)
    if fast is None:
        assert tables.plain_wide_re.fullmatch(text) is None
        return
    assert fast == slow
    assert len(fast) == len(text)
    view = CanonicalText(text)
    assert view.text == slow
    assert view.hidden == ""
    assert view.smuggled == ()
    assert view.to_original(0, len(view.text)) == (0, len(text))


def test_plain_cjk_fast_path_covers_every_small_block_character() -> None:
    """Each character of the small blocks the path accepts gets the general path's view, and
    the characters that compose, vanish or expand are left to the general path."""
    tables = _canon._get_tables()
    accepted = 0
    for a, b in _canon._PLAIN_WIDE_BLOCKS:
        for cp in range(a, b + 1):
            c = chr(cp)
            fast = _canon._narrow_wide(c, tables)
            if fast is None:
                continue
            accepted += 1
            assert fast == _canon._canonicalize(c)[0], hex(cp)
    assert accepted > 400
    for c in "ﾞ\u3099…\u3131\ufeff":
        assert _canon._narrow_wide(c, tables) is None, hex(ord(c))
    assert _canon._narrow_wide("東京，“你好”（ＡＩ）", tables) == '東京,"你好"(AI)'


def test_plain_cjk_large_blocks_are_nfkc_invariant() -> None:
    """The ideograph and Hangul syllable blocks the fast path takes whole need no change."""
    for a, b in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3)):
        block = "".join(map(chr, range(a, b + 1)))
        assert unicodedata.is_normalized("NFKC", block)
        assert not any(c in _canon._get_tables().composers for c in block)
