"""The canonical view: one normalized form of a text that every detector scans, with exact offsets.

:func:`canonical` applies NFKC, drops invisible and format characters that are not part of a
legitimate sequence, and folds look-alike Cyrillic and Greek letters to Latin in mixed-script words.
:attr:`CanonicalText.folded` adds case, leetspeak, spaced-letter and whitespace folding for word and
phrase detectors. Every span of either view maps back to the smallest span of the original text.
:func:`invisible_runs` reports exactly the invisible characters the view drops.
"""

from __future__ import annotations

import functools
import heapq
import re
import threading
import unicodedata
from bisect import bisect_right
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from guardkit._decode import Decoded

__all__ = [
    "INVISIBLE_KINDS",
    "CanonicalText",
    "canonical",
    "class_bytes",
    "has_non_ascii_space",
    "invisible_runs",
]

_normalize = unicodedata.normalize
_is_normalized = unicodedata.is_normalized
_combining = unicodedata.combining

ZWNJ: Final = "\u200c"
ZWJ: Final = "\u200d"
VS15: Final = "\ufe0e"
VS16: Final = "\ufe0f"
_KEYCAP: Final = "\u20e3"

# Invisible and format characters removed from the view unless a keep rule below applies (all of
# them are in _INVISIBLE_SET at the end of the module). The BMP ones form one character class,
# which `re` tests with one table lookup per character.
_INVISIBLE_BMP: Final = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
)
# Candidates for an invisible character: the BMP ones, and two astral ranges that hold the astral
# ones (U+1BCA0-1BCA3, U+1D173-1D17A, U+E0000-E01EF) but no emoji. `re` checks astral ranges one
# by one after the table lookup, and every extra range costs about as much as the lookup, so the
# few rare characters these two ranges also hold are filtered out afterwards.
_CANDIDATE: Final = f"[{_INVISIBLE_BMP}\U0001bca0-\U0001d17a\U000e0000-\U000e01ef]"
_CANDIDATE_RE: Final = re.compile(_CANDIDATE)
# Written as `[x][x]*` rather than `[x]+`: a pattern that starts with a character class lets `re`
# skip to the next candidate with a fast scan instead of trying a match at every position.
_CANDIDATE_RUN_RE: Final = re.compile(f"{_CANDIDATE}{_CANDIDATE}*")
_ASTRAL_RE: Final = re.compile("[\U00010000-\U0010ffff]")
_ASTRAL_RUN_RE: Final = re.compile("[\U00010000-\U0010ffff][\U00010000-\U0010ffff]*")
_NON_ASCII_RUN_RE: Final = re.compile(r"[^\x00-\x7f][^\x00-\x7f]*")

# Emoji flag tag sequence (England, Scotland, Wales): black flag, tag letters/digits, cancel tag.
_FLAG_TAGS_RE: Final = re.compile("\U0001f3f4([\U000e0030-\U000e0039\U000e0061-\U000e007a]{1,8}\U000e007f)")
# Smuggling runs decoded into ``.hidden``: non-flag tag runs and runs of two or more variation
# selectors (one byte each: VS1-16 carry 0-15, VS17-256 carry 16-255).
_SMUGGLE_RE: Final = re.compile(
    "(\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{1,8}\U000e007f)"
    "|([\U000e0000-\U000e007f]+)"
    "|([\ufe00-\ufe0f\U000e0100-\U000e01ef]{2,})"
)

# Characters that show as (or can take) emoji presentation: a VS15/VS16 after them is kept, and a
# ZWJ between two of them is kept.
_EMOJI_BMP: Final = frozenset(
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194\u2195\u2196\u2197\u2198\u2199\u21a9\u21aa"
    "\u231a\u231b\u2328\u23cf\u23e9\u23ea\u23eb\u23ec\u23ed\u23ee\u23ef\u23f0\u23f1\u23f2"
    "\u23f3\u23f8\u23f9\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb\u25fc\u25fd\u25fe"
    "\u2934\u2935\u2b05\u2b06\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299"
)
# Pictographic emoji (U+1F300-1FAFF): NFKC leaves them alone, and no mark composes with them.
_EMOJI_FIRST: Final = "\U0001f300"
_EMOJI_LAST: Final = "\U0001faff"
# What may precede a kept ZWJ in an emoji sequence (an emoji, its VS16, a keycap, a flag's end).
_EMOJI_LEFT_EXTRA: Final = frozenset((VS16, _KEYCAP, "\U000e007f"))
# Scripts where ZWJ/ZWNJ change how letters join (Arabic, Syriac, N'Ko, the Indic scripts from
# Devanagari to Sinhala, Myanmar, Khmer, Mongolian, and Arabic presentation forms).
_JOINING_RE: Final = re.compile(
    "[\u0600-\u06ff\u0700-\u074f\u0750-\u077f\u07c0-\u07ff\u0860-\u086f\u0870-\u08ff"
    "\u0900-\u0dff\u1000-\u109f\u1780-\u17ff\u1800-\u18af\ua8e0-\ua8ff\ua9e0-\ua9ff"
    "\uaa60-\uaa7f\ufb50-\ufdff\ufe70-\ufefe]"
)
# Variation selectors: standard (VS1-16), ideographic (VS17-256) and Mongolian free ones (FVS1-4).
# A sequence takes one selector after its base character; two or more in a row carry data.
_SELECTORS: Final = frozenset(
    chr(c)
    for a, b in ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF), (0x180B, 0x180D), (0x180F, 0x180F))
    for c in range(a, b + 1)
)
_KEYCAP_BASES: Final = frozenset("0123456789#*")
# Mongolian letters, which take a free variation selector (FVS1-4).
_MONGOLIAN_RE: Final = re.compile("[\u1820-\u1878\u1880-\u18aa]")

# fmt: off
# Look-alike letters folded to Latin only in mixed-script context (see _fold_scripts).
_SCRIPT_CONFUSABLES: Final = {
    # Cyrillic lower case
    "а": "a", "е": "e", "һ": "h", "і": "i", "ј": "j", "о": "o",
    "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l",
    "ѵ": "v", "ү": "y",
    # Cyrillic upper case
    "А": "A", "В": "B", "Е": "E", "Ѕ": "S", "І": "I", "Ј": "J", "К": "K", "М": "M", "Н": "H",
    "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ү": "Y", "Һ": "H", "Ԛ": "Q",
    "Ԝ": "W", "Ӏ": "I", "Ѵ": "V",
    # Greek upper case
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J",
    # Greek lower case
    "α": "a", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "υ": "u", "χ": "x", "ϲ": "c",
    "ϳ": "j",
}

# Look-alikes folded everywhere: they are Latin-script letters or punctuation already.
_ALWAYS_CONFUSABLES: Final = {
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ʼ": "'",
    "\u2010": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2043": "-",
    "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
}
# Folds to ASCII punctuation: these never compose with what follows, so the view stays NFKC.
_PUNCTUATION_FOLDS: Final = frozenset(c for c, r in _ALWAYS_CONFUSABLES.items() if not r.isalpha())
_LATIN_CLASS: Final = "[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]"
_LATIN_RE: Final = re.compile(_LATIN_CLASS)
_WORD_RE: Final = re.compile(r"[^\W\d_]+")


def _str_overhead() -> int:
    try:
        return str.__sizeof__("\xe9") - 1
    except TypeError:  # an implementation that does not report sizes
        return -1


_LATIN1_OVERHEAD: Final = _str_overhead()
_SIZEOF: Final = str.__sizeof__ if _LATIN1_OVERHEAD >= 0 else (lambda _text: -1)


def _wide_overhead() -> int:
    try:
        size = str.__sizeof__("\U00010000") - 4
        # A string stored four bytes a character: its size is this header plus four a character.
        return size if str.__sizeof__("\U00010000" * 5) - 20 == size else -1
    except TypeError:
        return -1


_WIDE_OVERHEAD: Final = _wide_overhead()


def narrow(text: str) -> bool:
    """Whether *text* holds no character above U+FFFF, in O(1) where the size tells.

    CPython stores a string four bytes a character only when it holds such a character; one or two
    bytes a character take less room than a header of that kind with four. When sizes do not tell
    (another Python), this is ``False`` and callers search the text.
    """
    return _WIDE_OVERHEAD >= 0 and _SIZEOF(text) < _WIDE_OVERHEAD + 4 * len(text)


def latin1(text: str) -> bool:
    """Whether every character of *text*, which is not ASCII, is below U+0100, in O(1).

    CPython stores such a string one byte a character, after a header of fixed size, so its size
    minus its length is that header's; a string stored two or four bytes a character is larger.
    ``False`` when the size does not tell (another Python, or a string stored the legacy way):
    callers then take the path for any text.
    """
    return _SIZEOF(text) - len(text) == _LATIN1_OVERHEAD
_WORD_TAIL_RE: Final = re.compile(r"[^\W\d_]*")

# Folded view.
_LEET: Final = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
    "|": "l",
}
# fmt: on
_LEET_RUN_RE: Final = re.compile(r"[0-9@$!|]+")
_LEET_MAX_TOKEN: Final = 64
_TOKEN_TAIL_RE: Final = re.compile(r"(?:[^\W_]|[@$!|])*")
_ORDINAL_RE: Final = re.compile(r"[0-9]+(?:st|nd|rd|th|s)")
_ELEM: Final = r"(?:[^\W_]|[@$])"
_SPACED_RUN: Final = rf"(?<![^\W_]|[@$]){_ELEM}(?!{_ELEM})(?:[ ._\-]{_ELEM}(?!{_ELEM})){{2,}}"
_COLLAPSE_RE: Final = re.compile(
    rf"(?P<run>{_SPACED_RUN}(?:(?:\s{{2,}}|\s*/\s*){_SPACED_RUN})*)|(?P<ws>\s{{2,}})"
)
# Cheap pre-checks: two single letters in a row between separators; two whitespace characters.
_SPACED_HINT_RE: Final = re.compile(r"[ ._\-][\w@$][ ._\-][\w@$][ ._\-]")
_MULTI_SPACE_RE: Final = re.compile(r"\s{2,}")
_LONE_SPACE_RE: Final = re.compile(r"[^\S ]")
_ELEM_RE: Final = re.compile(_ELEM)
_W: Final = ord("w")
# Gap bytes to run ends: "w" stays, the rest is "s" (see _run_start).
_RUN_ENDS: Final = bytes(ord("w" if b == ord("w") else "s") for b in range(256))

# Fast paths of the folded view. A `re` scan costs about 10 ns per character and pattern, while
# C-level string and bytes operations cost about 1 ns or less. So the text is translated to one
# class byte per character (a UTF-8 lead byte stands for its character, continuation bytes are
# deleted), and `in` and `find` on those bytes tell where each regex pass of the folding can
# match. Text where none can is left as the pass would leave it; elsewhere the same pattern runs
# at the candidate positions only (`pattern.match(text, i)` looks behind *i* as a scan does) or,
# where the bytes cannot tell, over the whole text as before.


def _class_of(byte: int) -> str:
    """Class of a UTF-8 byte: "w" letter or non-ASCII character (it may be a letter or a digit),
    "d" digit, "@" or "$", "s" separator [ .-], "\n" whitespace but the space, "!", "|" and "_"
    for themselves, "#" the rest."""
    if byte >= 0x80:
        return "w" if byte >= 0xC0 else "#"  # a lead byte stands for its character
    c = chr(byte)
    if c.isalpha():
        return "w"
    if c.isdigit() or c in "@$":
        return "d"
    if c in " .-":
        return "s"
    if c in "!|_":
        return c
    return "\n" if c.isspace() else "#"


_CLASSES: Final = bytes(ord(_class_of(b)) for b in range(256))
_UTF8_CONTINUATION: Final = bytes(range(0x80, 0xC0))
# Class bytes to gap bytes: "w" for a word character [\w@$] but "_" (an element [^\W_]|[@$] of a
# spelled-out run), or a non-ASCII character; "s" for a separator [ ._-].
_GAPS: Final = bytes(ord("w" if b in b"wd" else "s" if b in b"s_" else "#") for b in range(256))
# The same with "_" as neither (for matches of _SPACED_HINT_RE without one).
_GAPS_NO_UNDERSCORE: Final = bytes(
    ord("w" if b in b"wd" else "s" if b == ord("s") else "#") for b in range(256)
)
# UTF-8 bytes to whitespace bytes: " " for whitespace, "#" for the rest (for text without
# non-ASCII whitespace).
_SPACE_CLASSES: Final = bytes(ord(" " if b < 0x80 and chr(b).isspace() else "#") for b in range(256))


def _leet_mark(b: int) -> int:
    """The leetspeak mark of a UTF-8 byte (continuation bytes are deleted before translating): "l"
    for a character _LEET folds, "x" for another digit (a run holding one is a number, never
    folded), "w" for a letter or a non-ASCII character, "." for the rest. The runs worth a look:
    one to three "l" next to a "w", with no other "l" or "x" on either side (a longer run, or one
    with another digit, is left as it is)."""
    if 0x80 <= b < 0xC0:
        return ord(".")  # deleted before translating
    c = chr(b)
    if c in _LEET:
        return ord("l")
    if c.isdigit():
        return ord("x")
    return ord("w" if c.isalpha() or b >= 0xC0 else ".")


_LEET_BYTE_MARKS: Final = bytes(map(_leet_mark, range(256)))
# It starts with a literal, which `re` skips to quickly, then looks back to start only at the start
# of a run.
_LEET_CANDIDATE_RE: Final = re.compile(rb"l(?<![lx]l)(?:(?<=wl)l{0,2}|l{0,2}(?=w))(?![lx])")
# Class bytes to token marks: "t" for a character that may be part of a token (a letter, a digit,
# "@", "$", "!", "|" or a non-ASCII character), "." for the rest.
_TOKEN_MARKS: Final = bytes(ord("t" if b in b"wd!|" else ".") for b in range(256))
# A part of a spelled-out run in gap bytes: elements with one separator between them.
_RUN_PART_RE: Final = re.compile(rb"w(?:sw)*")
_NEWLINE: Final = ord("\n")
_UNDERSCORE: Final = ord("_")
_DIGIT: Final = ord("d")
_BANG: Final = ord("!")
_PIPE: Final = ord("|")
# Whitespace the classes do not show: non-ASCII whitespace, grouped by the UTF-8 lead byte that
# announces it (checked against str.isspace by the tests).
_NON_ASCII_SPACES: Final = (
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
# Their UTF-8 forms by lead byte: a one-byte `in` runs as memchr, and each pattern starts with its
# lead byte, which `re` skips to quickly, so text without that lead costs next to nothing.
_SPACES_BY_LEAD: Final = tuple(
    (
        lead,
        re.compile(b"|".join(re.escape(c.encode()) for c in _NON_ASCII_SPACES if c.encode()[0] == lead)),
    )
    for lead in sorted({c.encode()[0] for c in _NON_ASCII_SPACES})
)
_ASCII_LONE_SPACES: Final = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"

_CACHE_SIZE: Final = 8


def _is_letter(c: str) -> bool:
    """Whether `re` counts *c* as a letter (``[^\\W\\d_]``)."""
    return c.isalnum() and not c.isdecimal()


# Blocks that hold the usual word gaps: ASCII and Latin-1, general punctuation, CJK punctuation.
_GAP_BLOCKS: Final = ((0x0000, 0x024F), (0x2000, 0x206F), (0x3000, 0x303F))


# The small blocks of characters that Chinese, Japanese and Korean text mixes with its ideographs,
# kana and Hangul syllables: typographic dashes and quotes, CJK punctuation and kana, full-width
# and half-width forms (see _Tables._plain_wide).
_PLAIN_WIDE_BLOCKS: Final = ((0x2010, 0x2027), (0x3000, 0x30FF), (0xFF00, 0xFFEF))


class _Tables:
    """Character classes derived from the Unicode tables, built on first non-ASCII input."""

    __slots__ = (
        "always_re",
        "complex_run_re",
        "composers",
        "composing_starters",
        "conf_word_re",
        "latin_then_other_re",
        "lookalike_hint_re",
        "lookalike_only_re",
        "mixed_free_re",
        "one_to_one_re",
        "other_then_latin_re",
        "plain_wide_re",
        "script_conf_re",
        "script_table",
        "special_re",
        "wide",
        "wide_re",
    )

    def __init__(self) -> None:
        self.composing_starters = frozenset(_chars(_COMPOSING_STARTERS))
        # Characters that can compose with a neighbour, and characters NFKC turns into more than
        # one. Everywhere else NFKC maps one character to one, so the text between them is
        # normalized in bulk with an exact one-to-one map.
        self.composers = self.composing_starters | frozenset(_chars(_COMBINING))
        complex_bmp = {ord(c) for c in self.composers} | {ord(c) for c in _chars(_EXPANDING)}
        # BMP only: astral characters are few and checked one by one (see _cluster_spans).
        bmp = _class_body(_ranges(cp for cp in complex_bmp if cp < 0x10000))
        self.complex_run_re = re.compile(f"[{bmp}{_INVISIBLE_BMP}][{bmp}{_INVISIBLE_BMP}]*")
        self.one_to_one_re = re.compile(f"[{_class_body(_parse_ranges_pairs(_ONE_TO_ONE))}]")
        always = "".join(re.escape(c) for c in _ALWAYS_CONFUSABLES)
        self.always_re = re.compile(f"[{always}]")
        self.special_re = re.compile(f"{_CANDIDATE[:-1]}{always}]")
        script = "".join(_SCRIPT_CONFUSABLES)
        self.script_conf_re = re.compile(f"[{script}]")
        self.conf_word_re = re.compile(f"[{script}]+")
        not_latin = r"[^\W\d_A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]"
        # A Latin letter next to a letter of another script: every word that mixes Latin letters
        # with look-alikes has one. Each pattern starts with a character class, which `re` scans
        # for quickly, and looks back only from there.
        self.latin_then_other_re = re.compile(f"{_LATIN_CLASS}{not_latin}")
        self.other_then_latin_re = re.compile(f"{_LATIN_CLASS}(?<={not_latin}{_LATIN_CLASS})")
        self.lookalike_only_re = re.compile(rf"[{script}](?<![^\W\d_][{script}])[{script}]*(?![^\W\d_])")
        # Necessary conditions for any fold, so that text without one skips the exact search
        # below. The classes are plain tables (a category test per character costs several
        # times more), so they err on the safe side: `gap` holds only characters that are not
        # letters (from the blocks that hold the usual gaps), `sure` only letters.
        lat = _LATIN_CLASS[1:-1]
        gap = _class_body(
            _ranges(cp for a, b in _GAP_BLOCKS for cp in range(a, b + 1) if not _is_letter(chr(cp)))
        )
        sure = _class_body(_ranges(cp for cp in range(0x370, 0x530) if _is_letter(chr(cp))))
        # A word that holds a look-alike and a Latin letter: from one gap to the first look-alike
        # after it, no Latin letter; from there to the next gap, none either. One step per word
        # with a look-alike; everything else is skipped by fast loops.
        self.mixed_free_re = re.compile(
            f"(?:(?:[^{script}]*[{gap}])?[^{gap}{lat}{script}]*+[{script}][^{gap}{lat}]*+(?![{lat}]))*+"
            f"[^{script}]*+"
        )
        # A run of look-alikes that is not next to a letter: maybe a word made only of look-alikes.
        self.lookalike_hint_re = re.compile(
            f"[{script}](?<![{lat}{sure}][{script}])[{script}]*+(?![{lat}{sure}])"
        )
        self.script_table = {ord(k): v for k, v in _SCRIPT_CONFUSABLES.items()}
        self.wide, self.wide_re, self.plain_wide_re = self._plain_wide()

    def _plain_wide(self) -> tuple[dict[str, str], re.Pattern[str], re.Pattern[str]]:
        """Chinese, Japanese and Korean text as most of it is written: see :func:`_narrow_wide`.

        Returns the characters that become one other character (full-width forms, typographic
        quotes and dashes) with what they become, a class of them, and a pattern that matches
        text made only of those and of characters that stay as they are: ASCII, the ideographs,
        Hangul syllables, and the kana and punctuation around them that NFKC leaves alone. None
        of them composes with a neighbour, is invisible or is a look-alike folded by script, so
        each character's view is its own and the view keeps every offset.
        """
        skip = self.composers | _INVISIBLE_SET | frozenset(_SCRIPT_CONFUSABLES)

        def view_of(c: str) -> str | None:
            if c in skip or (c not in _ALWAYS_CONFUSABLES and self.special_re.match(c)):
                return None
            return _ALWAYS_CONFUSABLES.get(c) or _nfkc(c)

        small = [chr(cp) for a, b in _PLAIN_WIDE_BLOCKS for cp in range(a, b + 1)]
        same = [c for c in small if view_of(c) == c]
        stays = frozenset(same)
        wide = {}
        for c in small:
            v = view_of(c)
            if v is not None and v != c and len(v) == 1 and (v.isascii() or v in stays):
                wide[c] = v
        # The large blocks are whole (NFKC leaves every ideograph and Hangul syllable alone; the
        # tests check it against this Python's Unicode data).
        big = _class_body(_ranges(ord(c) for c in (*same, *wide)))
        plain = re.compile(rf"[\x00-\x7f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3{big}]*+")
        return wide, re.compile(f"[{_class_body(_ranges(ord(c) for c in wide))}]"), plain


def _parse_ranges_pairs(spec: str) -> Iterator[tuple[int, int]]:
    for item in spec.split():
        a, _, b = item.partition("-")
        yield int(a, 16), int(b or a, 16)


def _chars(spec: str) -> Iterator[str]:
    for a, b in _parse_ranges_pairs(spec):
        for cp in range(a, b + 1):
            yield chr(cp)


def _ranges(code_points: Iterable[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for cp in sorted(code_points):
        if out and out[-1][1] == cp - 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out


def _class_body(pairs: Iterable[tuple[int, int]]) -> str:
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in pairs)


_tables: _Tables | None = None


def _get_tables() -> _Tables:
    global _tables  # noqa: PLW0603 -- built once, lazily, to keep `import guardkit` light
    if _tables is None:
        _tables = _Tables()
    return _tables


class _OffsetMap:
    """Map spans of a derived string back to its source, from a sorted list of edits.

    Each edit replaces source ``[src_a, src_b)`` by output ``[out_a, out_b)`` (empty output for a
    removal). Between edits the two strings run in step, shifted by the last edit's length change.
    """

    __slots__ = ("_out_a", "_out_b", "_src_a", "_src_b", "out_len", "src_len")

    def __init__(self, edits: _Builder, out_len: int, src_len: int) -> None:
        self._out_a = edits.out_a
        self._out_b = edits.out_b
        self._src_a = edits.src_a
        self._src_b = edits.src_b
        self.out_len = out_len
        self.src_len = src_len

    def _start(self, i: int) -> int:
        """Source offset of the first source character behind output character *i*."""
        k = bisect_right(self._out_a, i) - 1
        if k < 0:
            return i
        if i < self._out_b[k]:
            return self._src_a[k]
        return i + self._src_b[k] - self._out_b[k]

    def _end(self, i: int) -> int:
        """Source offset one past the last source character behind output character *i*."""
        k = bisect_right(self._out_a, i) - 1
        if k < 0:
            return i + 1
        if i < self._out_b[k]:
            return self._src_b[k]
        return i + 1 + self._src_b[k] - self._out_b[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Return the smallest source span covering output ``[start, end)``."""
        if start < end:
            return self._start(start), self._end(end - 1)
        if start >= self.out_len:
            return self.src_len, self.src_len
        k = bisect_right(self._out_a, start) - 1
        if k >= 0 and self._out_a[k] < start < self._out_b[k]:
            # An empty span inside an expansion: the smallest cover is the whole source.
            return self._src_a[k], self._src_b[k]
        pos = self._start(start)
        return pos, pos


class _Builder:
    """Collect output pieces and the edits that make an :class:`_OffsetMap`."""

    __slots__ = ("out", "out_a", "out_b", "pieces", "src_a", "src_b")

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.out = 0
        self.out_a: list[int] = []
        self.out_b: list[int] = []
        self.src_a: list[int] = []
        self.src_b: list[int] = []

    def keep(self, piece: str) -> None:
        """Append *piece*, copied one to one from the source."""
        self.pieces.append(piece)
        self.out += len(piece)

    def remove(self, a: int, b: int) -> None:
        """Drop source ``[a, b)`` at the current output position."""
        if a >= b:
            return
        out = self.out
        if self.src_b and self.src_b[-1] == a and self.out_a[-1] == out == self.out_b[-1]:
            self.src_b[-1] = b  # extend the previous removal
            return
        self.out_a.append(out)
        self.out_b.append(out)
        self.src_a.append(a)
        self.src_b.append(b)

    def replace(self, a: int, b: int, piece: str) -> None:
        """Emit *piece* for source ``[a, b)``; every output character maps to the whole span."""
        n = len(piece)
        self.pieces.append(piece)
        if not (n == 1 and b - a == 1):
            self.out_a.append(self.out)
            self.out_b.append(self.out + n)
            self.src_a.append(a)
            self.src_b.append(b)
        self.out += n

    def join_elements(self, text: str, elems: list[tuple[int, int]]) -> None:
        """Emit the elements of a spelled-out run: one separator between two is removed, a wider
        gap becomes a space."""
        prev_end = -1
        for e0, e1 in elems:
            if prev_end >= 0 and e0 > prev_end:
                if e0 - prev_end == 1 and text[prev_end] in " ._-":
                    self.remove(prev_end, e0)
                else:
                    self.replace(prev_end, e0, " ")
            self.keep(text[e0:e1])
            prev_end = e1

    def join_parts(self, text: str, parts: list[tuple[int, int]]) -> None:
        """Emit a spelled-out run as :meth:`join_elements` does, given its parts.

        Each part ``text[x:y]`` holds an element at every other place, with one separator
        between two. The edits are those :meth:`join_elements` records; ``range`` builds them
        in bulk.
        """
        prev_end = -1
        for x, y in parts:
            if prev_end >= 0:
                self.replace(prev_end, x, " ")
            piece = text[x:y:2]
            n = len(piece)
            out = self.out
            self.pieces.append(piece)
            self.out_a.extend(range(out + 1, out + n))
            self.out_b.extend(range(out + 1, out + n))
            self.src_a.extend(range(x + 1, y - 1, 2))
            self.src_b.extend(range(x + 2, y, 2))
            self.out = out + n
            prev_end = y

    def finish(self, src_len: int) -> tuple[str, _OffsetMap | None]:
        text = "".join(self.pieces)
        if not self.out_a:
            return text, None
        return text, _OffsetMap(self, len(text), src_len)


def _is_emoji(c: str) -> bool:
    """Whether *c* (one character or ``""``) is an emoji or may take emoji presentation."""
    return "\U0001f000" <= c <= "\U0001faff" or "\u2600" <= c <= "\u27bf" or c in _EMOJI_BMP


def _is_ideograph(c: str) -> bool:
    """Whether *c* is a CJK ideograph, which may take an ideographic variation selector."""
    return (
        "\u4e00" <= c <= "\u9fff"
        or "\u3400" <= c <= "\u4dbf"
        or "\uf900" <= c <= "\ufaff"
        or "\U00020000" <= c <= "\U0003ffff"
    )


def _keep_at(
    c: str, prev: str, text: str, i: int, flag_tags: frozenset[int], composers: frozenset[str]
) -> bool:
    """Decide whether the view keeps the invisible character *c* at *i*: the one keep rule.

    Args:
        c: ``text[i]``, a character of ``_INVISIBLE_SET``.
        prev: The character the view has just before it (``""`` at the start of the text).
        text: The whole original text.
        i: The offset of *c*.
        flag_tags: Offsets of the tag characters of emoji flag tag sequences.
        composers: Characters that may compose with the character before them.
    """
    if c not in _CONTEXTUAL:
        return False
    if c in (ZWJ, ZWNJ):
        if not prev:
            return False
        emoji_left = c == ZWJ and (_is_emoji(prev) or prev in _EMOJI_LEFT_EXTRA)
        # Emoji and joining scripts do not overlap: one test is enough when the first holds.
        joining_left = not emoji_left and _JOINING_RE.match(prev) is not None
        if not (emoji_left or joining_left):
            return False
        nxt = _next_visible(text, i, composers)
        if not nxt:
            return False
        return (emoji_left and _is_emoji(nxt)) or (joining_left and _JOINING_RE.match(nxt) is not None)
    if "\U000e0000" <= c <= "\U000e007f":
        return i in flag_tags
    # A variation selector: one, right after its base. Next to another selector it carries data.
    if text[i - 1 : i] in _SELECTORS or text[i + 1 : i + 2] in _SELECTORS:
        return False
    if c in (VS16, VS15):
        if _is_emoji(prev):
            return True
        # Keycap sequences: digit, #, or * then VS16 then U+20E3.
        return prev in _KEYCAP_BASES and text[i + 1 : i + 2] == _KEYCAP
    if c >= "\U000e0100":
        return _is_ideograph(prev)
    return _MONGOLIAN_RE.match(prev) is not None  # FVS1-4


# Invisible characters that some sequences legitimately contain; every other one is always dropped.
_CONTEXTUAL: Final = frozenset([ZWJ, ZWNJ, *_SELECTORS, *map(chr, range(0xE0020, 0xE0080))])

# How far the joiner rules look around a joiner. Decisions read the view as NFKC will produce
# it (marks reordered, invisible characters dropped), so canonical() stays idempotent; the reach
# bounds the work on pathological runs of marks and joiners.
_REACH: Final = 32


def _view_char(c: str) -> str:
    """The last character of the NFKC form of the visible character *c*."""
    if _EMOJI_FIRST <= c <= _EMOJI_LAST:
        return c
    return _nfkc(c)[-1:]


def _next_visible(text: str, i: int, composers: frozenset[str]) -> str:
    """The first character the view will have after position *i*, ``""`` when none is near."""
    nxt, after = text[i + 1 : i + 2], text[i + 2 : i + 3]
    if _EMOJI_FIRST <= nxt <= _EMOJI_LAST:
        return nxt  # what follows cannot change it (see _EMOJI_FIRST)
    if nxt and nxt not in _INVISIBLE_SET and after not in composers and after not in _INVISIBLE_SET:
        return _nfkc(nxt)[:1]  # the usual case: a character that stands on its own
    seg: list[str] = []
    end = min(len(text), i + 1 + 2 * _REACH)
    for j in range(i + 1, end):
        c = text[j]
        if c in _INVISIBLE_SET:
            continue
        if seg and c not in composers:
            break
        seg.append(c)
    else:
        if end < len(text) and not seg:
            return ""
    return _nfkc("".join(seg))[:1]


def _flag_tag_positions(text: str) -> frozenset[int]:
    if "\U000e007f" not in text:
        return frozenset()
    return frozenset(i for m in _FLAG_TAGS_RE.finditer(text) for i in range(m.start(1), m.end(1)))


_nfkc: Final = functools.partial(_normalize, "NFKC")


def _is_complex_astral(c: str, tables: _Tables) -> bool:
    return c in _INVISIBLE_SET or c in tables.composers or len(_nfkc(c)) != 1


def _cluster_spans(
    text: str, tables: _Tables, *, astral: bool, runs: list[tuple[int, int]] | None = None
) -> Iterator[tuple[int, int]]:
    """Spans of the characters that need more than a one-to-one NFKC, in order.

    *runs* is :func:`_complex_runs` of *text* when the caller has it already.
    """
    spans: Iterable[tuple[int, int]] = _complex_runs(text, tables) if runs is None else runs
    if astral:
        extra: list[tuple[int, int]] = []
        seen: dict[str, bool] = {}
        for m in _ASTRAL_RUN_RE.finditer(text):
            for i in range(m.start(), m.end()):
                c = text[i]
                is_complex = seen.get(c)
                if is_complex is None:
                    is_complex = seen[c] = _is_complex_astral(c, tables)
                if is_complex:
                    if extra and extra[-1][1] == i:
                        extra[-1] = (extra[-1][0], i + 1)
                    else:
                        extra.append((i, i + 1))
        if extra:
            spans = heapq.merge(spans, extra)
    last: tuple[int, int] | None = None
    for a, b in spans:
        if last is not None and a <= last[1]:
            last = (last[0], max(b, last[1]))
            continue
        if last is not None:
            yield last
        last = (a, b)
    if last is not None:
        yield last


def _complex_runs(text: str, tables: _Tables) -> list[tuple[int, int]]:
    """Spans of the runs of BMP characters that NFKC may not map one to one (see _Tables)."""
    return [m.span() for m in tables.complex_run_re.finditer(text)]


def _clusters(spans: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
    """``(start, a, b)`` for each span ``[a, b)``: the cluster is the span and the character before it.

    Spans never touch (see :func:`_cluster_spans`), so the character before a span is a plain one.
    """
    for a, b in spans:
        yield (a - 1 if a else a), a, b


def _kept(
    text: str, start: int, end: int, flag_tags: frozenset[int], composers: frozenset[str]
) -> tuple[list[int], list[str]]:
    """Offsets and characters of ``text[start:end]`` that the view keeps.

    *start* is a cluster's first character (see :func:`_clusters`) or any earlier offset whose
    character the view keeps and that cannot compose: a decision depends only on the text from
    the last such character on. Every drop decision of the view is taken here, for
    :func:`_rebuild` and :func:`invisible_runs` alike.
    """
    first = text[start]
    if end - start == 2 and first not in _INVISIBLE_SET:
        # One character after a visible one, the usual case (an emoji joiner, a Persian ZWNJ, a
        # stray zero-width space): decide it directly.
        c = text[start + 1]
        if c in _INVISIBLE_SET and not _keep_at(c, _view_char(first), text, start + 1, flag_tags, composers):
            return [start], [first]
        return [start, start + 1], [first, c]
    kept_idx: list[int] = []
    kept_chr: list[str] = []
    seg_start = 0  # index in kept_chr of the last starter: where the view's last segment begins
    for i in range(start, end):
        c = text[i]
        if c in _INVISIBLE_SET:
            if c not in _CONTEXTUAL:
                continue
            tail = kept_chr[max(seg_start, len(kept_chr) - _REACH) :]
            prev = _nfkc("".join(tail))[-1:] if tail else ""
            if not _keep_at(c, prev, text, i, flag_tags, composers):
                continue
        if c not in composers:
            seg_start = len(kept_chr)
        kept_idx.append(i)
        kept_chr.append(c)
    return kept_idx, kept_chr


def _rebuild(
    text: str,
    spans: Iterable[tuple[int, int]],
    tables: _Tables,
    *,
    strict: bool = False,
    astral: bool = True,
) -> tuple[str, _OffsetMap | None]:
    """Drop invisible characters and NFKC-normalize *text* with an exact offset map.

    Each span, with the character before it, is a cluster where characters compose, expand or
    vanish; between clusters NFKC maps one to one (see :func:`_one_to_one`). Expansions ("ﬁ" ->
    "fi") map each output character to their source character; compositions map to the span they
    were composed from. With *strict*, nothing is taken from the built-in tables on trust, and
    the spans must cover every non-ASCII character. *astral* says whether *text* may hold
    characters outside the BMP.
    """
    out = _Builder()
    m0 = tables.composing_starters
    composers = tables.composers
    flag_tags: frozenset[int] | None = None
    pos = 0
    for start, a, b in _clusters(spans):
        if start > pos:
            out.keep(text[pos:start])
        pos = b
        if b - start == 2 and a == start + 1 and not strict:
            c = text[a]
            if c not in composers and c not in _INVISIBLE_SET:
                # A plain character, then one that expands ("…" -> "..."): they cannot interact.
                out.keep(text[start])
                out.replace(a, b, _nfkc(c))
                continue
        cluster = text[start:b]
        if _INVISIBLE_SET.isdisjoint(cluster):
            _emit_visible(out, cluster, start, tables, strict=strict)
            continue
        if flag_tags is None:
            flag_tags = _flag_tag_positions(text)
        kept_idx, kept_chr = _kept(text, start, b, flag_tags, composers)
        if b - start == 2 and a == start + 1:
            if len(kept_idx) == 2:
                _emit_visible(out, cluster, start, tables, strict=strict)
            else:
                _emit_visible(out, cluster[0], start, tables, strict=strict)
                out.remove(a, b)
        else:
            _emit_cluster(out, text, start=start, end=b, kept_idx=kept_idx, kept_chr=kept_chr, m0=m0)
    if pos < len(text):
        out.keep(text[pos:])
    normal, omap = out.finish(len(text))
    return (normal if strict else _one_to_one(normal, tables, astral=astral)), omap


def _one_to_one(text: str, tables: _Tables, *, astral: bool) -> str:
    """Apply NFKC to each character that it maps to one other character, in place.

    Outside clusters NFKC works character by character, and what the clusters emit is NFKC
    already, so this completes the normalization. The caller checks the result: with tables
    older than this Python's Unicode data it may not be NFKC yet. Normalizing only the characters
    that change costs far less than NFKC of the whole text, above all on CJK text.
    """
    if _is_normalized("NFKC", text):
        return text
    changing = set(tables.one_to_one_re.findall(text))
    if astral and _ASTRAL_RE.search(text) is not None:
        changing.update("".join(_ASTRAL_RUN_RE.findall(text)))
    for c in changing:
        normal = _nfkc(c)
        if len(normal) == 1:
            text = text.replace(c, normal)
    return text


def _emit_visible(out: _Builder, cluster: str, start: int, tables: _Tables, *, strict: bool) -> None:
    """Normalize a cluster without invisible characters."""
    whole = _nfkc(cluster)
    if whole == cluster:
        out.keep(cluster)
        return
    if len(whole) == 1:  # the whole cluster composed into one character
        out.replace(start, start + len(cluster), whole)
        return
    parts = list(map(_nfkc, cluster))
    if (strict or not tables.composers.isdisjoint(cluster)) and "".join(parts) != whole:
        # Something composed: map by normalization segment.
        _emit_cluster(
            out,
            cluster,
            start=0,
            end=len(cluster),
            kept_idx=list(range(len(cluster))),
            kept_chr=list(cluster),
            m0=tables.composing_starters,
            offset=start,
        )
        return
    if len(whole) == len(cluster):
        out.keep(whole)
        return
    run_start = 0
    for j, part in enumerate(parts):
        if len(part) != 1:
            if j > run_start:
                out.keep("".join(parts[run_start:j]))
            out.replace(start + j, start + j + 1, part)
            run_start = j + 1
    if run_start < len(parts):
        out.keep("".join(parts[run_start:]))


def _emit_cluster(
    out: _Builder,
    text: str,
    *,
    start: int,
    end: int,
    kept_idx: list[int],
    kept_chr: list[str],
    m0: frozenset[str],
    offset: int = 0,
) -> None:
    """Emit the kept characters of ``text[start:end]``, one normalization segment at a time.

    *offset* is added to every index to turn positions in *text* into source offsets.
    """
    if not kept_idx:
        out.remove(offset + start, offset + end)
        return
    kept = "".join(kept_chr)
    whole = _nfkc(kept)
    if whole == kept:
        # Only removals: copy each stretch of kept characters, drop what lies between.
        pos = start
        run_start = kept_idx[0]
        for k in range(1, len(kept_idx) + 1):
            if k == len(kept_idx) or kept_idx[k] != kept_idx[k - 1] + 1:
                out.remove(offset + pos, offset + run_start)
                run_end = kept_idx[k - 1] + 1
                out.keep(text[run_start:run_end])
                pos = run_end
                if k < len(kept_idx):
                    run_start = kept_idx[k]
        out.remove(offset + pos, offset + end)
        return
    # A new normalization segment starts at every starter that cannot compose with what precedes.
    bounds = [0]
    for j in range(1, len(kept_chr)):
        c = kept_chr[j]
        if _combining(c) == 0 and c not in m0:
            bounds.append(j)
    bounds.append(len(kept_chr))
    parts = [_nfkc("".join(kept_chr[bounds[k] : bounds[k + 1]])) for k in range(len(bounds) - 1)]
    out.remove(offset + start, offset + kept_idx[0])
    if "".join(parts) != whole:
        out.replace(offset + kept_idx[0], offset + kept_idx[-1] + 1, whole)
    else:
        for k, part in enumerate(parts):
            first, last = kept_idx[bounds[k]], kept_idx[bounds[k + 1] - 1]
            if k:
                out.remove(offset + kept_idx[bounds[k] - 1] + 1, offset + first)
            if last - first + 1 == len(part) and part == text[first : last + 1]:
                out.keep(part)  # unchanged: keep the exact per-character map
            else:
                out.replace(offset + first, offset + last + 1, part)
    out.remove(offset + kept_idx[-1] + 1, offset + end)


_LATIN, _MIXED, _LOOKALIKE, _OTHER = 1, 2, 3, 0


def _word_kind(word: str, tables: _Tables) -> int:
    if word.isascii():
        return _LATIN
    if _LATIN_RE.search(word) is not None:
        return _MIXED if tables.script_conf_re.search(word) is not None else _LATIN
    if tables.conf_word_re.fullmatch(word) is not None:
        return _LOOKALIKE
    return _OTHER


def _word_before(text: str, i: int) -> str:
    """The word (run of letters) nearest before offset *i*, ``""`` when none."""
    j = i - 1
    while j >= 0 and not text[j].isalpha():
        j -= 1
    end = j + 1
    while j >= 0 and text[j].isalpha():
        j -= 1
    return text[j + 1 : end]


def _lookalike_groups(text: str, tables: _Tables) -> list[tuple[int, int]]:
    """The words of every group of look-alike-only words whose nearest word on either side
    contains a Latin letter, found by scanning every group."""
    fold: list[tuple[int, int]] = []
    done = 0  # look-alike-only words before this offset are decided
    for m in tables.lookalike_only_re.finditer(text):
        a, b = m.span()
        if a < done:
            continue
        # The group of look-alike-only words that starts here, and the words on both sides of it.
        group, after = _group_from(text, tables, a, b)
        before = _word_before(text, a)
        if (before and _word_kind(before, tables) in (_LATIN, _MIXED)) or after in (_LATIN, _MIXED):
            fold.extend(group)
        done = group[-1][1]
    return fold


def _group_from(text: str, tables: _Tables, a: int, b: int) -> tuple[list[tuple[int, int]], int]:
    """The look-alike-only word at ``a:b`` and those that follow it, and the kind of the first
    other word after them (``_OTHER`` if none)."""
    group = [(a, b)]
    nxt = _WORD_RE.search(text, b)
    while nxt is not None:
        after = _word_kind(nxt.group(), tables)
        if after != _LOOKALIKE:
            return group, after
        group.append(nxt.span())
        nxt = _WORD_RE.search(text, nxt.end())
    return group, _OTHER


def _is_word_char(c: str) -> bool:
    """Whether *c* is a character _WORD_RE matches: a letter or a number that is no decimal digit."""
    return c.isalnum() and not c.isdecimal()


def _groups_near_latin(text: str, tables: _Tables, starts: list[int]) -> list[tuple[int, int]]:
    """What :func:`_lookalike_groups` returns (as a set, in any order), found from the words with a
    Latin letter instead (*starts*: where the runs of Latin letters start): the group after each
    one, and the group before it.

    Cyrillic or Greek text with a few Latin words (names, code) has many look-alike-only words
    ("о", "с", "Не") and few Latin ones: this costs a few steps per Latin word, where the scan
    costs several per look-alike-only word.
    """
    match_group = tables.lookalike_only_re.match
    fold: set[tuple[int, int]] = set()
    n = len(text)
    after_done = before_done = -1
    for p in starts:
        # The group after the letters around p: its nearest word before it is theirs (the words
        # :func:`_word_before` reads are runs of letters).
        e = p
        while e < n and text[e].isalpha():
            e += 1
        if e > after_done:
            after_done = e
            while e < n and not text[e].isalpha():
                e += 1
            m = match_group(text, e) if e < n else None
            if m is not None:
                fold.update(_group_from(text, tables, m.start(), m.end())[0])
        # The group before the word (of _WORD_RE) around p: that word is the first after it.
        w = p
        while w > 0 and _is_word_char(text[w - 1]):
            w -= 1
        if w <= before_done:
            continue
        before_done = w
        while True:
            j = w - 1
            while j >= 0 and not _is_word_char(text[j]):
                j -= 1
            if j < 0:
                break
            end = j + 1
            while j >= 0 and _is_word_char(text[j]):
                j -= 1
            w = j + 1
            if _word_kind(text[w:end], tables) != _LOOKALIKE:
                break
            fold.add((w, end))
    return list(fold)


_LATIN_RUN_RE: Final = re.compile(_LATIN_CLASS + "+")
_NEAR_LATIN_RUNS: Final = 32


def _few_latin_runs(text: str) -> list[tuple[int, int]] | None:
    """The runs of Latin letters of *text*, or ``None`` if there are more than _NEAR_LATIN_RUNS."""
    runs: list[tuple[int, int]] = []
    for m in _LATIN_RUN_RE.finditer(text):
        if len(runs) == _NEAR_LATIN_RUNS:
            return None
        runs.append(m.span())
    return runs


# UTF-8 lead bytes (and ASCII letters) of the characters of _LATIN_CLASS, as "L"; E1 (U+1000-1FFF,
# which holds U+1E00-1EFF) as "E"; everything else as ".".
_LATIN_LEADS: Final = bytes(
    ord("L")
    if (chr(i).isascii() and chr(i).isalpha()) or 0xC3 <= i <= 0xC9
    else ord("E")
    if i == 0xE1
    else ord(".")
    for i in range(256)
)
_LATIN_EXTENDED_RE: Final = re.compile(b"\xe1[\xb8-\xbb]")


def _may_hold_latin(text: str) -> bool:
    """Whether *text* may hold a character of _LATIN_CLASS, from its UTF-8 lead bytes (in C).

    Cyrillic or Greek text without a Latin letter, the usual case, is settled without a scan of
    the text by the pattern, which costs several times as much.
    """
    data = text.encode("utf-8", "surrogatepass")
    leads = data.translate(_LATIN_LEADS)
    return b"L" in leads or (b"E" in leads and _LATIN_EXTENDED_RE.search(data) is not None)


def _no_mixed_word(text: str, tables: _Tables) -> bool:
    """Whether no word of *text* holds both a look-alike and a Latin letter (the pattern skips
    words without a look-alike)."""
    return tables.mixed_free_re.match(text).end() == len(text)  # type: ignore[union-attr]  # matches ""


def _fold_scripts(text: str, tables: _Tables, *, careful: bool = False) -> str:
    """Fold look-alike Cyrillic/Greek letters to Latin where the context is Latin.

    A word (a run of letters) is folded when it mixes Latin letters with look-alikes, or when it
    is made only of look-alikes and the nearest word on either side of its group of such words
    contains Latin letters. Words holding any other Cyrillic or Greek letter are left alone, so
    genuine Russian or Greek text keeps its script.
    """
    if latin1(text) or tables.script_conf_re.search(text) is None or not _may_hold_latin(text):
        return text
    runs = _few_latin_runs(text)
    if runs == [] or (tables.lookalike_hint_re.search(text) is None and _no_mixed_word(text, tables)):
        return text
    fold: list[tuple[int, int]] = []
    if runs is None:
        edges = sorted(
            [m.start() + 1 for m in tables.latin_then_other_re.finditer(text)]
            + [m.start() for m in tables.other_then_latin_re.finditer(text)]
        )
    else:
        # A Latin letter next to a letter of another script (what the two patterns find), from
        # the runs: the characters around a run are not Latin letters.
        n = len(text)
        edges = []
        for a, b in runs:
            if a and _is_word_char(text[a - 1]):
                edges.append(a)
            if b < n and _is_word_char(text[b]):
                edges.append(b)
    done = 0
    for i in edges:
        if i < done:
            continue
        start = i
        while start > 0 and text[start - 1].isalpha():
            start -= 1
        end = _WORD_TAIL_RE.match(text, i).end()  # type: ignore[union-attr]  # matches ""
        done = end
        if _word_kind(text[start:end], tables) == _MIXED:
            fold.append((start, end))
    if runs is None:
        fold.extend(_lookalike_groups(text, tables))
    else:
        fold.extend(_groups_near_latin(text, tables, [a for a, _ in runs]))
    if not fold:
        return text
    fold.sort()
    pieces: list[str] = []
    pos = 0
    table = tables.script_table
    for a, b in fold:
        pieces.append(text[pos:a])
        word = text[a:b]
        if careful and b < len(text) and _is_nonstarter(text[b], tables):
            # Keep the last letter: the mark after it could compose with a folded letter.
            pieces.append(word[:-1].translate(table))
            pieces.append(word[-1])
        else:
            pieces.append(word.translate(table))
        pos = b
    pieces.append(text[pos:])
    return "".join(pieces)


def _is_nonstarter(c: str, tables: _Tables) -> bool:
    return _combining(c) != 0 or c in tables.composing_starters


def _fold_confusables(text: str, tables: _Tables, found: list[str] | None = None) -> str:
    """Fold look-alikes; *found* lists the characters of *text* that ``special_re`` matches."""
    folded = text
    letters = False
    if found is None:
        first = tables.always_re.search(text)
        found = [] if first is None else tables.always_re.findall(text, first.start())
    # str.replace per distinct character beats str.translate with a dict on non-ASCII text.
    for c in set(found):
        replacement = _ALWAYS_CONFUSABLES.get(c)
        if replacement is not None:
            folded = folded.replace(c, replacement)
            letters = letters or c not in _PUNCTUATION_FOLDS
    scripts = _fold_scripts(folded, tables)
    if scripts is folded and not letters:
        # Only starters became ASCII punctuation, which composes with nothing: still NFKC.
        return folded
    if scripts is not text and not _is_normalized("NFKC", scripts):
        # A folded letter composed with the mark after it. Fold again, leaving letters that
        # precede a mark alone, so the view stays NFKC and canonical() stays idempotent.
        scripts = _fold_scripts(_fold_always_careful(text, tables), tables, careful=True)
    return scripts


def _fold_always_careful(text: str, tables: _Tables) -> str:
    pieces: list[str] = []
    pos = 0
    n = len(text)
    for m in tables.always_re.finditer(text):
        a = m.start()
        if a + 1 < n and _is_nonstarter(text[a + 1], tables):
            continue
        pieces.append(text[pos:a])
        pieces.append(_ALWAYS_CONFUSABLES[m.group()])
        pos = a + 1
    pieces.append(text[pos:])
    return "".join(pieces)


def _canonicalize(text: str) -> tuple[str, _OffsetMap | _LazyNormalMap | None]:
    """Build the canonical text of a non-ASCII *text* and its offset map (``None``: 1:1), or a
    :class:`_LazyNormalMap` that builds it on first use."""
    tables = _get_tables()
    # One scan finds both the invisible characters and the look-alikes folded everywhere.
    # Of the characters special_re finds, Latin-1 text can hold only the soft hyphen.
    special = (["\xad"] if "\xad" in text else []) if latin1(text) else tables.special_re.findall(text)
    invisible = bool(special) and not _INVISIBLE_SET.isdisjoint(special)
    if not invisible and _is_normalized("NFKC", text):
        return _fold_confusables(text, tables, special), None
    runs = _complex_runs(text, tables)
    if len(text) < _CLUSTER_COST * len(runs):
        # Clusters every few characters (scripts with many marks, such as Bengali or Thai): the
        # view is the NFKC of the kept text, built in C once the dropped characters (found around
        # the invisible ones alone) are cut out, and the offset map, a pass over every cluster
        # in Python that scoring never needs, is built on first use. Elsewhere that NFKC costs
        # more than the rebuild (CJK text: about 150 ns a character against a few microseconds
        # for its few clusters).
        kept = _cut(text, invisible_runs(text)) if invisible else text
        normal = _nfkc(kept)
        return _fold_confusables(normal, tables), _LazyNormalMap(text, normal)
    text1, omap = _rebuilt(text, tables, runs)
    return _fold_confusables(text1, tables), omap


def _narrow_wide(text: str, tables: _Tables) -> str | None:
    """The canonical text of *text* when it is plain CJK text (``tables.plain_wide_re``), else
    None.

    Such text holds nothing invisible, nothing that composes and no look-alike folded by script:
    its view is the text with each full-width form, typographic quote or dash replaced by the one
    character it stands for, offsets unchanged. Two C-level scans replace the several the general
    path makes (a search per table, a rebuild around each cluster).
    """
    if tables.plain_wide_re.fullmatch(text) is None:
        return None
    wide = tables.wide
    for c in set(tables.wide_re.findall(text)):
        text = text.replace(c, wide[c])
    return text


def _cut(text: str, spans: list[tuple[int, int, str]]) -> str:
    """*text* without the sorted, disjoint *spans* (``(start, end, kind)``)."""
    if not spans:
        return text
    pieces = []
    pos = 0
    for a, b, _ in spans:
        pieces.append(text[pos:a])
        pos = b
    pieces.append(text[pos:])
    return "".join(pieces)


# A cluster costs about as much to rebuild as NFKC takes for this many characters (measured on
# Bengali, Thai and CJK text).
_CLUSTER_COST: Final = 16


def _rebuilt(
    text: str, tables: _Tables, runs: list[tuple[int, int]] | None = None
) -> tuple[str, _OffsetMap | None]:
    """:func:`_rebuild` of *text* over its clusters, checked: the NFKC of its kept characters
    and the offset map. *runs*: see :func:`_cluster_spans`."""
    astral = not narrow(text) and _ASTRAL_RE.search(text) is not None
    spans = _cluster_spans(text, tables, astral=astral, runs=runs)
    text1, omap = _rebuild(text, spans, tables, astral=astral)
    if not _is_normalized("NFKC", text1):
        # The built-in tables predate this Python's Unicode data: take every non-ASCII run as a
        # cluster (ASCII characters are always safe normalization boundaries) and trust nothing.
        text1, omap = _rebuild_strict(text, tables)
    return text1, omap


def _rebuild_strict(text: str, tables: _Tables) -> tuple[str, _OffsetMap | None]:
    spans = (m.span() for m in _NON_ASCII_RUN_RE.finditer(text))
    return _rebuild(text, spans, tables, strict=True)


def _casefold_mapped(text: str, full: str | None = None) -> tuple[str, _OffsetMap | None]:
    """Case-fold *text* where some characters fold to more than one ("ß" -> "ss").

    *full* is ``text.casefold()`` when the caller has it already.
    """
    if full is None:
        full = text.casefold()
    # str.casefold folds character by character, each to one or more: the characters of the table
    # account for the whole growth exactly when no other character grows.
    out = _Builder()
    grown = 0
    for m in _CASEFOLD_EXPANDS_RE.finditer(text):
        i = m.start()
        n = len(m.group().casefold())
        if n != 1:
            out.out_a.append(i + grown)
            out.out_b.append(i + grown + n)
            out.src_a.append(i)
            out.src_b.append(i + 1)
        grown += n - 1
    if len(full) == len(text) + grown:
        out.keep(full)
        return out.finish(len(text))
    # This Python's Unicode data has expanding case folds the table lacks: go character by
    # character.
    out = _Builder()
    for i, c in enumerate(text):
        out.replace(i, i + 1, c.casefold())
    return out.finish(len(text))


# Characters whose case fold is longer than one character (Unicode 14.0; checked by the tests).
_CASEFOLD_EXPANDS_RE: Final = re.compile(
    "[\u00df\u0130\u0149\u01f0\u0390\u03b0\u0587\u1e96-\u1e9a\u1e9e\u1f50\u1f52\u1f54\u1f56"
    "\u1f80-\u1faf\u1fb2-\u1fb4\u1fb6\u1fb7\u1fbc\u1fc2-\u1fc4\u1fc6\u1fc7\u1fcc\u1fd2"
    "\u1fd3\u1fd6\u1fd7\u1fe2-\u1fe4\u1fe6\u1fe7\u1ff2-\u1ff4\u1ff6\u1ff7\u1ffc"
    "\ufb00-\ufb06\ufb13-\ufb17]"
)


def _classes(text: str) -> tuple[bytes, bool]:
    """Return the class bytes of *text* and whether they show all of its whitespace.

    Only ASCII whitespace has a class ("s" for the space, "\n" for the rest); a lead byte of
    non-ASCII whitespace in the UTF-8 is a cheap necessary condition for the other kind.
    """
    if text.isascii():
        return text.encode("ascii").translate(_CLASSES), True
    raw = text.encode("utf-8", "surrogatepass")
    return raw.translate(_CLASSES, _UTF8_CONTINUATION), not _utf8_has_non_ascii_space(raw)


def has_non_ascii_space(text: str) -> bool:
    """Whether *text* holds whitespace outside ASCII (what ``str.split()`` also splits at).

    .. versionadded:: 0.1
    """
    return not text.isascii() and _utf8_has_non_ascii_space(text.encode("utf-8", "surrogatepass"))


def _utf8_has_non_ascii_space(raw: bytes) -> bool:
    # UTF-8 is self-synchronizing: a character's bytes never show up across two others (lone
    # surrogates, ED A0-BF xx, included).
    # A loop, not any() over a generator: this runs per text, and the frame switches cost more.
    for lead, pattern in _SPACES_BY_LEAD:  # noqa: SIM110
        if lead in raw and pattern.search(raw) is not None:
            return True
    return False


def class_bytes(text: str, table: bytes) -> bytes:
    """One byte per character of *text*: its UTF-8 lead byte (or ASCII byte) through *table*.

    Continuation bytes are dropped, so offsets into the result are offsets into *text*.
    """
    if text.isascii():
        return text.encode("ascii").translate(table)
    return text.encode("utf-8", "surrogatepass").translate(table, _UTF8_CONTINUATION)


def _space_bytes(text: str) -> bytes:
    """``b" "`` for each whitespace character of *text*, ``b"#"`` for the rest (no non-ASCII spaces)."""
    return class_bytes(text, _SPACE_CLASSES)


def _spaced_hint(text: str, codes: bytes) -> bool:
    """Whether ``_SPACED_HINT_RE`` matches in ``f" {text} "``, from the class bytes of *text*."""
    if _UNDERSCORE not in codes:
        # [ ._-][\w@$][ ._-][\w@$][ ._-] is "swsws" in the gap bytes padded with "s" on both
        # ends (without digits, "@" and "$", the class bytes will do). `rfind`: CPython's reverse
        # search takes about half the time of `in` on these two-letter texts.
        gaps = codes.translate(_GAPS) if _DIGIT in codes else codes
        if not (
            gaps.rfind(b"swsws") >= 0 or gaps.startswith(b"wsws") or gaps.endswith(b"swsw") or gaps == b"wsw"
        ):
            return False
        if text.isascii():
            return True  # the gap bytes are exact for ASCII
        # A non-ASCII "w" may be no word character: ask the pattern.
        return _SPACED_HINT_RE.search(f" {text} ") is not None
    # "_" is a separator and a word character. Matches without one show in the gap bytes with
    # "_" as neither; a match with one lies within four characters of it.
    if codes.count(_UNDERSCORE) * 50 > len(codes) + 800:
        # So many "_" (one per 50 characters, snake_case code) that one pass over the text costs
        # less than a look around each (about 8 ns a character against 0.4 µs a look).
        return _SPACED_HINT_RE.search(f" {text} ") is not None
    gaps = codes.translate(_GAPS_NO_UNDERSCORE)
    if gaps.rfind(b"swsws") >= 0 or gaps.startswith(b"wsws") or gaps.endswith(b"swsw") or gaps == b"wsw":
        return text.isascii() or _SPACED_HINT_RE.search(f" {text} ") is not None
    padded = f" {text} "
    i = codes.find(b"_")
    while i >= 0:
        if _SPACED_HINT_RE.search(padded, max(0, i - 3), i + 6) is not None:
            return True
        i = codes.find(b"_", i + 1)
    return False


def _matches_at(
    text: str, pattern: re.Pattern[str], spaces: bytes, gaps: bytes | None = None
) -> Iterator[re.Match[str]]:
    """Yield what ``pattern.finditer(text)`` yields, trying *pattern* only where it can match.

    *pattern* matches only where a whitespace run starts (``b"  "`` in *spaces*) or, given
    *gaps*, where a spelled-out run starts (an element, a separator, an element, a separator, an
    element: ``b"wswsw"``). The leftmost match from a position is then the first candidate at or
    after it that matches, which is what a scan finds.
    """
    match = pattern.match
    ws = spaces.find(b"  ")
    run = -1 if gaps is None else gaps.find(b"wswsw")
    while ws >= 0 or run >= 0:
        at = run if ws < 0 or 0 <= run < ws else ws
        m = match(text, at)
        if m is None:
            pos = at + 1
        else:
            yield m
            pos = m.end()
        if 0 <= ws < pos:
            ws = spaces.find(b"  ", pos)
        if 0 <= run < pos and gaps is not None:
            run = gaps.find(b"wswsw", pos)


def _space_runs(text: str, codes: bytes, exact: bool) -> Iterator[re.Match[str]] | None:
    """The whitespace runs ``_MULTI_SPACE_RE`` finds in *text*, ``None`` if there are none."""
    if not exact:
        return _MULTI_SPACE_RE.finditer(text) if _MULTI_SPACE_RE.search(text) is not None else None
    if _NEWLINE not in codes:
        # The only whitespace is " ".
        return _matches_at(text, _MULTI_SPACE_RE, _space_bytes(text)) if "  " in text else None
    spaces = _space_bytes(text)
    return _matches_at(text, _MULTI_SPACE_RE, spaces) if b"  " in spaces else None


def _collapse_matches(
    text: str, classes: tuple[bytes, bool] | None
) -> tuple[Iterator[re.Match[str]] | None, bytes | None]:
    """The matches :func:`_collapse` works through (``None`` if there are none), and the gap
    bytes of *text* when they place the letters of spelled-out runs."""
    if classes is None:
        if _SPACED_HINT_RE.search(f" {text} ") is not None:
            return _COLLAPSE_RE.finditer(text), None
        if _MULTI_SPACE_RE.search(text) is not None:
            return _MULTI_SPACE_RE.finditer(text), None
        return None, None
    codes, exact = classes
    if not _spaced_hint(text, codes):
        return _space_runs(text, codes, exact), None
    if not exact:
        return _COLLAPSE_RE.finditer(text), None
    gaps = codes.translate(_GAPS)
    return _matches_at(text, _COLLAPSE_RE, _space_bytes(text), gaps), gaps


def _collapse(text: str, classes: tuple[bytes, bool] | None = None) -> tuple[str, _OffsetMap | None]:
    """Join spaced-out letters ("i g n o r e") and collapse whitespace runs to one space.

    Given the :func:`_classes` of *text*, the regex passes run only where they can match, and
    the gap bytes place the letters of a spelled-out run; the result is the same.
    """
    matches, gaps = _collapse_matches(text, classes)
    if matches is None:
        return _single_spaces(text, classes), None
    out: _Builder | None = None
    pos = 0
    for m in matches:
        a, b = m.span()
        if m.lastgroup != "run":
            if out is None:
                out = _Builder()
            if a > pos:
                out.keep(text[pos:a])
            out.replace(a, b, " ")
            pos = b
            continue
        if gaps is None:
            spans = [e.span() for e in _ELEM_RE.finditer(text, a, b)]
            letters = sum(1 for e0, _ in spans if text[e0].isalpha())
        else:
            # In a run, the gap bytes hold "w" exactly for the elements (whitespace other than
            # the space and "/" are "#"): single letters with one separator between them
            # ("w(sw)*") make a part, and wider gaps separate the parts.
            spans = [p.span() for p in _RUN_PART_RE.finditer(gaps, a, b)]
            letters = sum(map(str.isalpha, "".join(text[x:y:2] for x, y in spans)))
        if letters < 2:
            continue  # "1 2 3": numbers, not a spelled-out word
        if out is None:
            out = _Builder()
        if a > pos:
            out.keep(text[pos:a])
        if gaps is None:
            out.join_elements(text, spans)
        else:
            out.join_parts(text, spans)
        pos = b
    if out is None:
        return _single_spaces(text, classes), None
    if pos < len(text):
        out.keep(text[pos:])
    folded, omap = out.finish(len(text))
    return _single_spaces(folded, classes), omap


def _single_spaces(text: str, classes: tuple[bytes, bool] | None = None) -> str:
    """Make the lone tabs, newlines and the like that :func:`_collapse` leaves plain spaces (1:1).

    *classes* are those of the text :func:`_collapse` started from: its output holds no whitespace
    character that text does not. When they show all of it, it is ASCII, and ``str.replace``
    does.
    """
    if classes is None or not classes[1]:
        return _LONE_SPACE_RE.sub(" ", text) if _LONE_SPACE_RE.search(text) else text
    if _NEWLINE in classes[0]:
        for c in _ASCII_LONE_SPACES:
            if c in text:
                text = text.replace(c, " ")
    return text


def _is_token_char(c: str) -> bool:
    return c.isalnum() or c in "@$!|"


def _fold_leet_token(tok: str) -> str:
    if len(tok) > _LEET_MAX_TOKEN:
        return tok  # no word is this long: an identifier, a hash or junk
    if tok.isascii():
        return _fold_leet_ascii(tok)
    if sum(map(str.isalpha, tok)) < 2 or _ORDINAL_RE.fullmatch(tok):
        return tok
    chars = list(tok)
    n = len(tok)
    changed = False
    for m in _LEET_RUN_RE.finditer(tok):
        a, b = m.span()
        run = m.group()
        left = a > 0 and tok[a - 1].isalpha()
        right = b < n and tok[b].isalpha()
        if not (left or right) or b - a > 3:
            continue
        if not _LEET.keys() >= set(run):
            continue  # holds a digit with no letter shape: a number ("covid19")
        if run.isdigit() and b - a >= 2 and (a == 0 or b == n):
            continue  # a leading or trailing number ("win10", "10x")
        if run[-1] == "!" and not right:
            continue  # sentence punctuation ("stop!")
        for j in range(a, b):
            chars[j] = _LEET[tok[j]]
        changed = True
    return "".join(chars) if changed else tok


# Leetspeak marks of ASCII characters: "a" a letter, "d" a digit with a letter shape, "x" another
# digit, "s" "@", "$" or "|", "!" itself, "." anything else.
_LEET_TOKEN_MARKS: Final = bytes(
    ord(
        "a"
        if chr(b).isalpha()
        else "d"
        if chr(b) in "013457"
        else "x"
        if chr(b) in "2689"
        else "s"
        if chr(b) in "@$|"
        else "!"
        if chr(b) == "!"
        else "."
    )
    if b < 128
    else ord(".")
    for b in range(256)
)
# The runs _fold_leet_token folds, in the marks of an ASCII token: a whole run ([dxs!]+) of one to
# three characters with a letter shape, next to a letter, but a number of two or three digits at
# either end of the token, and a run that ends with "!" and no letter after it.
_LEET_FOLDABLE_RE: Final = re.compile(
    rb"(?<![dxs!])"
    rb"(?![ds!]{0,2}!(?![dxs!a]))"
    rb"(?!\Ad{2,3}(?![dxs!]))(?!d{2,3}(?![dxs!])\Z)"
    rb"(?:(?<=a)|(?=[ds!]{1,3}a))"
    rb"[ds!]{1,3}(?![dxs!])"
)
_LEET_TRANSLATION: Final = str.maketrans(_LEET)
# The same runs in the marks of a whole ASCII text, where a token (a run of letters, digits and
# "@$!|") starts and ends next to a "." mark. (It would serve a single token too, but costs about
# 0.4 µs more a token than the token pattern above, which _fold_leet calls up to a dozen times a
# text; property tests hold both to the rules run by run.) A run of two or three digits needs a letter on both
# sides (else it starts or ends its token), one that ends with "!" a letter after it, any other a
# letter on either side. The pattern starts with a character class, which `re` skips to quickly,
# and drops runs with no letter next to them at once; each branch is one run length, checked
# from its end with look-behinds of fixed width.
_LEET_TEXT_RE: Final = re.compile(
    rb"[ds!](?<![dxs!][ds!])(?:(?<=a[ds!])|(?=[ds!]{0,2}a))"
    rb"(?:"
    rb"(?![dxs!])(?:(?<=!)(?=a)|(?<=[ds])(?:(?<=a.)|(?=a)))"
    rb"|[ds!](?![dxs!])(?:(?<=add)(?=a)|(?<!dd)(?<=!)(?=a)|(?<!dd)(?<=[ds])(?:(?<=a..)|(?=a)))"
    rb"|[ds!]{2}(?![dxs!])(?:(?<=addd)(?=a)|(?<!ddd)(?<=!)(?=a)|(?<!ddd)(?<=[ds])(?:(?<=a...)|(?=a)))"
    rb")"
)


def _fold_leet_ascii(tok: str) -> str:
    """:func:`_fold_leet_token` for an ASCII token, with its runs found in C."""
    marks = tok.encode("ascii").translate(_LEET_TOKEN_MARKS)
    if marks.count(b"a") < 2 or _ORDINAL_RE.fullmatch(tok):
        return tok
    pieces: list[str] = []
    pos = 0
    for m in _LEET_FOLDABLE_RE.finditer(marks):
        a, b = m.span()
        pieces.append(tok[pos:a])
        pieces.append(tok[a:b].translate(_LEET_TRANSLATION))
        pos = b
    if not pieces:
        return tok
    pieces.append(tok[pos:])
    return "".join(pieces)


# Tokens :func:`_fold_leet` looks at one by one in an ASCII text before it folds the text in one
# pass (about 2.5 µs a token against some 8 ns a character).
_LEET_TOKENS_ONE_BY_ONE: Final = 12


def _fold_leet_ascii_text(text: str) -> str:
    """:func:`_fold_leet` of an ASCII text: every run that :func:`_fold_leet_token` folds is found
    in one pass over the text's marks, then checked against its token (length, letters, ordinal)."""
    marks = text.encode("ascii").translate(_LEET_TOKEN_MARKS)
    pieces: list[str] = []
    pos = 0
    token_end = -1
    fold = False
    for m in _LEET_TEXT_RE.finditer(marks):
        a, b = m.span()
        if a >= token_end:  # the first run of its token
            start = marks.rfind(b".", 0, a) + 1
            token_end = marks.find(b".", b)
            if token_end < 0:
                token_end = len(marks)
            fold = (
                token_end - start <= _LEET_MAX_TOKEN
                and marks.count(b"a", start, token_end) >= 2
                and _ORDINAL_RE.fullmatch(text, start, token_end) is None
            )
        if fold:
            pieces.append(text[pos:a])
            pieces.append(text[a:b].translate(_LEET_TRANSLATION))
            pos = b
    if not pieces:
        return text
    pieces.append(text[pos:])
    return "".join(pieces)


def _fold_leet(text: str, codes: bytes | None = None) -> str:
    """Undo leetspeak inside words; see :func:`_fold_leet_token` for the rules.

    Given the class bytes of *text*, runs are looked for in them, next to a letter (or a
    non-ASCII character) only, and runs that :func:`_fold_leet_token` leaves alone in any token
    are skipped. An ASCII text with many tokens to look at (logs full of ids) is folded in one
    pass instead (:func:`_fold_leet_ascii_text`), which costs more where there are few.
    """
    budget = _LEET_TOKENS_ONE_BY_ONE if codes is not None and text.isascii() else -1
    runs: Iterator[re.Match[str]] | Iterator[re.Match[bytes]] = (
        _LEET_RUN_RE.finditer(text)
        if codes is None
        else _LEET_CANDIDATE_RE.finditer(class_bytes(text, _LEET_BYTE_MARKS))
    )
    pieces: list[str] = []
    pos = 0
    done = 0
    n = len(text)
    # Where tokens start: "." in the marks for a character that cannot be part of one.
    bounds = codes.translate(_TOKEN_MARKS) if codes is not None else None
    for m in runs:
        a, b = m.span()
        if a < done:
            continue  # inside a token already handled
        right = b < n and text[b].isalpha()
        if not (right or (a > 0 and text[a - 1].isalpha())):
            continue  # no letter next to it: a number or punctuation
        if codes is not None and (b - a > 3 or (not right and text[b - 1] == "!")):
            # Never folded (too long; sentence punctuation). Its token, the same from any run
            # in it, is still folded from a run that can be.
            continue
        start = a
        if bounds is not None:
            # The marks may place whitespace that became a space, or a non-ASCII character, in
            # a token: check what they give.
            start = bounds.rfind(b".", 0, a) + 1
            if not all(map(_is_token_char, text[start:a])):
                start = a
        while start > 0 and _is_token_char(text[start - 1]):
            start -= 1
        end = _TOKEN_TAIL_RE.match(text, b).end()  # type: ignore[union-attr]  # matches ""
        done = end
        if budget == 0:
            return _fold_leet_ascii_text(text)
        budget -= 1
        tok = text[start:end]
        folded = _fold_leet_token(tok)
        if folded is not tok:
            pieces.append(text[pos:start])
            pieces.append(folded)
            pos = end
    if not pieces:
        return text
    pieces.append(text[pos:])
    return "".join(pieces)


def _fold(text: str, *, fast: bool = True) -> tuple[str, tuple[_OffsetMap | _LazyMap, ...], bool, bool]:
    """Build the folded view of a canonical *text*, the maps back to it (innermost first), whether
    folding respelled words (see :attr:`CanonicalText.respelled`) and whether the case-folded text
    holds two single letters or digits in a row between separators (:attr:`CanonicalText.spaced`).

    Args:
        text: The canonical text.
        fast: Let class bytes decide where the regex passes run (the default). ``False`` runs
            every pass over the whole text; the view and maps are the same, and the tests check
            it (its last two values are always ``True``).
    """
    maps: list[_OffsetMap | _LazyMap] = []
    wmap: _OffsetMap | _LazyMap | None
    is_ascii = text.isascii()
    if is_ascii:
        folded = text.lower()
    else:
        folded = text.casefold()
        if len(folded) != len(text):
            # str.casefold folds each character on its own: the view is *folded* either way.
            maps.append(_LazyMap(_casefold_mapped, text, folded))
    if not fast:
        folded, wmap = _collapse(folded)
        if wmap is not None:
            maps.append(wmap)
        return _fold_leet(folded), tuple(maps), True, True
    # _classes(folded), inline for ASCII: every call counts on short text.
    classes = (folded.encode("ascii").translate(_CLASSES), True) if is_ascii else _classes(folded)
    codes, exact = classes
    # Usual prose has nothing to collapse: single spaces are all its whitespace, no letters spelled out.
    plain = exact and _NEWLINE not in codes and "  " not in folded
    hint = _spaced_hint(folded, codes)
    respelled = False
    if hint or not plain:
        # The collapsed text is built in C where it can be (whitespace runs; spelled-out runs
        # found from the class bytes); the map back is then built the slow way, by _collapse,
        # only if a span is ever mapped.
        if not hint:
            collapsed: str | None = _join_whitespace(folded)
        elif exact:
            collapsed, respelled = _collapse_spaced(folded, classes, plain=plain)
        else:
            collapsed = None
        if collapsed is None:
            folded, wmap = _collapse(folded, classes)
            respelled = hint
        else:
            wmap = _LazyMap(_collapse, folded, classes) if len(collapsed) != len(folded) else None
            folded = collapsed
        if wmap is not None:
            maps.append(wmap)
            codes = class_bytes(folded, _CLASSES)
        # Without a map, whitespace became spaces one for one: the classes still place every
        # letter and leetspeak character.
    if _DIGIT in codes or _BANG in codes or _PIPE in codes:
        before = folded
        folded = _fold_leet(folded, codes)
        respelled = respelled or folded is not before
    return folded, tuple(maps), respelled, hint


def _join_whitespace(text: str) -> str:
    """*text* with each run of whitespace made one space (what :func:`_collapse` does to text
    without spelled-out letters), in C."""
    core = " ".join(text.split())
    if not core:
        return " " if text else ""
    if text[0].isspace():
        core = " " + core
    if text[-1].isspace():
        core += " "
    return core


def _is_element(c: str) -> bool:
    """Whether the character *c* is an element of a spelled-out run (``_ELEM``)."""
    return c.isalnum() or c in "@$"


def _run_start(gaps: bytes, ends: bytes | None, text: str, at: int) -> int:
    """The first offset from *at* where a spelled-out run of *text* may start; -1 if none.

    A run starts with three single elements: "wswsw" in the gap bytes *gaps*, with no element on
    either side. Text with numbers holds many "wswsw" inside words ("gets 1 free"), so the sides
    are looked at too. For ASCII text, *ends* is ``b"s" + gaps + b"s"`` with every byte but "w"
    made "s": its "swswsws" at *i* is a start at *i*, found in C. For other text (*ends* is
    None) a non-ASCII "w" may be an element or not, and the text tells.
    """
    if ends is not None:
        return ends.find(b"swswsws", at)
    at = gaps.find(b"wswsw", at)
    while at >= 0 and (
        (at and gaps[at - 1] == _W and _is_element(text[at - 1]))
        or (gaps[at + 5 : at + 6] == b"w" and _is_element(text[at + 5]))
    ):
        at = gaps.find(b"wswsw", at + 1)
    return at


def _collapse_spaced(text: str, classes: tuple[bytes, bool], *, plain: bool = False) -> tuple[str, bool]:
    """``_collapse(text, classes)[0]`` for *classes* that show all whitespace, with Python work
    only for the spelled-out runs, and whether it joined spelled-out letters.

    A whitespace run never holds the start of a spelled-out run (an element) nor straddles one's
    ends (elements), so the runs are the matches found from the candidate starts alone, and the
    text between them collapses as :func:`_join_whitespace` does. *plain* says that the only
    whitespace of *text* is single spaces, which that leaves as they are.
    """
    gaps = classes[0].translate(_GAPS)
    ends = b"s" + gaps.translate(_RUN_ENDS) + b"s" if text.isascii() else None
    pieces: list[str] = []
    pos = 0
    joined = False
    at = _run_start(gaps, ends, text, 0)
    while at >= 0:
        m = _COLLAPSE_RE.match(text, at)
        if m is None or m.lastgroup != "run":
            at = _run_start(gaps, ends, text, at + 1)
            continue
        a, b = m.span()
        spans = [p.span() for p in _RUN_PART_RE.finditer(gaps, a, b)]
        letters = sum(map(str.isalpha, "".join(text[x:y:2] for x, y in spans)))
        if a > pos:
            pieces.append(text[pos:a] if plain else _join_whitespace(text[pos:a]))
        if letters < 2:
            # "1 2 3": kept as it is, lone whitespace characters but the space made spaces
            piece = text[a:b]
            pieces.append(_LONE_SPACE_RE.sub(" ", piece) if _LONE_SPACE_RE.search(piece) else piece)
        else:
            pieces.append(" ".join(text[x:y:2] for x, y in spans))
            joined = True
        pos = b
        at = _run_start(gaps, ends, text, b)
    if pos == 0:
        return (text if plain else _join_whitespace(text)), False
    if pos < len(text):
        pieces.append(text[pos:] if plain else _join_whitespace(text[pos:]))
    return "".join(pieces), joined


class _LazyMap:
    """The offset map of a pass over a text (:func:`_collapse`, :func:`_casefold_mapped`), built on
    first use: scoring never maps a span back.

    Args:
        build: The pass; it returns the text it built and its map, which is not ``None`` here
            (the pass changed the text's length).
        args: What to call it with.
    """

    __slots__ = ("_args", "_build", "_built")

    def __init__(self, build: Callable[..., tuple[str, _OffsetMap | None]], *args: object) -> None:
        self._build = build
        self._args = args
        self._built: _OffsetMap | None = None

    def _get(self) -> _OffsetMap:
        built = self._built
        if built is None:
            built = self._build(*self._args)[1]
            assert built is not None  # the pass changed the length  # noqa: S101
            self._built = built
        return built

    def span(self, start: int, end: int) -> tuple[int, int]:
        """See :meth:`_OffsetMap.span`."""
        return self._get().span(start, end)

    @property
    def edits(self) -> tuple[list[int], list[int], list[int], list[int], int, int]:
        """The built map's edit lists and lengths (for tests)."""
        m = self._get()
        return (m._out_a, m._out_b, m._src_a, m._src_b, m.out_len, m.src_len)


class _LazyNormalMap:
    """The offset map from *normal*, the NFKC of the kept characters of a text, back to the text
    (:func:`_rebuilt`), built on first use."""

    __slots__ = ("_built", "_normal", "_original")

    def __init__(self, original: str, normal: str) -> None:
        self._original = original
        self._normal = normal
        self._built: tuple[_OffsetMap | None] | None = None

    def _get(self) -> _OffsetMap | None:
        built = self._built
        if built is None:
            tables = _get_tables()
            text, omap = _rebuilt(self._original, tables)
            if text != self._normal:  # pragma: no cover - only with tables older than the Unicode data
                text, omap = _rebuild_strict(self._original, tables)
            built = self._built = (omap,)
        return built[0]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """See :meth:`_OffsetMap.span`; the identity when the map is."""
        omap = self._get()
        return (start, end) if omap is None else omap.span(start, end)


class CanonicalText:
    """The canonical view of one text, shared by every check of a policy call.

    Build it with :func:`canonical`, which caches the view per text object. The view is
    immutable; the folded view, the smuggled text and decoded payloads are built on first use.

    Attributes:
        original: The text the view was built from.
        text: The canonical text: NFKC, invisible characters removed, look-alikes folded; case
            is kept. It is *original* itself when nothing changed.
        changed: Whether *text* differs from *original*.

    .. versionadded:: 0.1
    """

    __slots__ = (
        "_decoded",
        "_fmaps",
        "_folded",
        "_hidden",
        "_map",
        "_respelled",
        "_smuggled",
        "_spaced",
        "changed",
        "original",
        "text",
    )

    original: str
    text: str
    changed: bool
    _map: _OffsetMap | _LazyNormalMap | None
    _folded: str | None
    _fmaps: tuple[_OffsetMap | _LazyMap, ...]
    _hidden: str | None
    _respelled: bool
    _spaced: bool
    # The runs of smuggled_runs(), as a tuple (what decoded passes on to the decoder).
    _smuggled: tuple[tuple[int, int, str, str], ...] | None
    _decoded: tuple[Decoded, ...] | None

    def __init__(self, original: str) -> None:
        if not isinstance(original, str):
            raise TypeError(f"canonical() needs a str, not {type(original).__name__}")
        _set_original(self, original)
        # Built on first use; None until then: a slot read beats catching AttributeError.
        _set_folded(self, None)
        _set_decoded(self, None)
        if original.isascii():
            _set_text(self, original)
            _set_changed(self, False)
            _set_map(self, None)
            # ASCII text smuggles nothing (tag characters and variation selectors are not ASCII).
            _set_hidden(self, "")
            _set_smuggled(self, ())
            return
        # (Latin-1 text beyond ASCII, stored one byte a character, is never plain CJK text.)
        narrowed = None if latin1(original) else _narrow_wide(original, _get_tables())
        if narrowed is not None:
            # Plain CJK text: it holds no tag character or variation selector either.
            _set_hidden(self, "")
            _set_smuggled(self, ())
            text, omap = narrowed, None
        else:
            _set_hidden(self, None)
            _set_smuggled(self, None)
            text, omap = _canonicalize(original)
        if text == original:
            text, omap = original, None
        _set_text(self, text)
        _set_changed(self, text is not original)
        _set_map(self, omap)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"CanonicalText is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"CanonicalText is immutable; cannot delete {name!r}")

    def __repr__(self) -> str:
        return (
            f"CanonicalText(<{len(self.original)} chars>, changed={self.changed}, "
            f"text=<{len(self.text)} chars>)"
        )

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of :attr:`text` back to the smallest original span covering it.

        Args:
            start: Offset of the first character in :attr:`text`.
            end: Offset one past the last character; ``start == end`` maps a position.

        Returns:
            ``(start, end)`` offsets into :attr:`original`.

        Raises:
            TypeError: An offset is not an int.
            ValueError: The span is not within :attr:`text`.
        """
        if not (isinstance(start, int) and isinstance(end, int)):
            raise TypeError(f"offsets must be ints, got {type(start).__name__} and {type(end).__name__}")
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(
                f"span ({start}, {end}) is outside the canonical text of length {len(self.text)}"
            )
        omap = self._map
        if omap is None:
            return start, end
        return omap.span(start, end)

    @property
    def folded(self) -> str:
        """The view for word and phrase detectors, built from :attr:`text` on first use.

        Case-folded; leetspeak inside words undone (``h3ll0`` -> ``hello``); spelled-out letters
        joined (``i g n o r e`` -> ``ignore``); whitespace runs collapsed to one space.
        """
        folded = self._folded
        if folded is not None:
            return folded
        folded, maps, respelled, spaced = _fold(self.text)
        _set_fmaps(self, maps)
        _set_respelled(self, respelled)
        _set_spaced(self, spaced)
        _set_folded(self, folded)
        return folded

    @property
    def respelled(self) -> bool:
        """Whether building :attr:`folded` may have changed letters of words: spelled-out letters
        joined, or leetspeak undone. When ``False``, the words of :attr:`folded` are those of
        ``text.casefold()``; only whitespace differs.

        .. versionadded:: 0.1
        """
        if self._folded is None:
            self.folded  # noqa: B018 - builds the view and the flag
        return self._respelled

    @property
    def spaced(self) -> bool:
        """Whether ``text.casefold()`` holds two single letters or digits in a row between
        separators (`` a b ``, ``.1.2.``; separators are space, ``.``, ``-`` and ``_``), which
        spelled-out words need. ``False`` means no spelled-out run was joined.

        .. versionadded:: 0.1
        """
        if self._folded is None:
            self.folded  # noqa: B018 - builds the view and the flag
        return self._spaced

    def folded_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of :attr:`folded` back to the smallest original span covering it.

        Raises:
            TypeError: An offset is not an int.
            ValueError: The span is not within :attr:`folded`.
        """
        if not (isinstance(start, int) and isinstance(end, int)):
            raise TypeError(f"offsets must be ints, got {type(start).__name__} and {type(end).__name__}")
        folded = self.folded
        if not 0 <= start <= end <= len(folded):
            raise ValueError(f"span ({start}, {end}) is outside the folded text of length {len(folded)}")
        for omap in reversed(self._fmaps):
            start, end = omap.span(start, end)
        return self.to_original(start, end)

    @property
    def hidden(self) -> str:
        """Text smuggled in tag characters or variation-selector runs, ``""`` when none.

        Separate runs are joined with newlines. Emoji flag tag sequences are not smuggling.
        """
        hidden = self._hidden
        if hidden is None:
            self._find_smuggled()
            hidden = self._hidden
        return hidden  # type: ignore[return-value]  # set by _find_smuggled

    @property
    def smuggled(self) -> tuple[tuple[int, int], ...]:
        """Original spans of the invisible runs that :attr:`hidden` was decoded from."""
        runs = self._smuggled
        if runs is None:
            runs = self._find_smuggled()
        return tuple((run[0], run[1]) for run in runs) if runs else ()

    @property
    def decoded(self) -> tuple[Decoded, ...]:
        """Payloads embedded in the original text, from :func:`guardkit._decode.decode_payloads`."""
        decoded = self._decoded
        if decoded is None:
            # The smuggled runs are found once a view, for hidden and for the decoder alike.
            runs = self._smuggled
            decoded = _decode_payloads(self.original, self._find_smuggled() if runs is None else runs)
            _set_decoded(self, decoded)
        return decoded

    def _find_smuggled(self) -> tuple[tuple[int, int, str, str], ...]:
        runs = tuple(smuggled_runs(self.original))
        _set_hidden(self, "\n".join(r[3] for r in runs))
        _set_smuggled(self, runs)
        return runs


def _decode_payloads(
    text: str, smuggled: Sequence[tuple[int, int, str, str]] | None = None
) -> tuple[Decoded, ...]:
    # Bound on first use (guardkit._decode imports this module; an import statement costs on every
    # call) to decode_payloads with its default bounds, minus its argument checks.
    global _decode_payloads  # noqa: PLW0603 - replaced once by the real function
    from guardkit._decode import _default_payloads

    _decode_payloads = _default_payloads
    return _default_payloads(text, smuggled)


# The slots' own setters: they bypass the __setattr__ guard, and cost less than object.__setattr__.
(
    _set_original,
    _set_text,
    _set_changed,
    _set_map,
    _set_folded,
    _set_fmaps,
    _set_respelled,
    _set_spaced,
    _set_hidden,
    _set_smuggled,
    _set_decoded,
) = (
    CanonicalText.__dict__[name].__set__
    for name in (
        "original",
        "text",
        "changed",
        "_map",
        "_folded",
        "_fmaps",
        "_respelled",
        "_spaced",
        "_hidden",
        "_smuggled",
        "_decoded",
    )
)


def _may_smuggle(text: str) -> bool:
    """Whether *text* may hold a run that :func:`smuggled_runs` reports (checked in C).

    Those runs are tag characters (U+E0000-E007F) or variation selectors (U+FE00-FE0F and
    U+E0100-E01EF), which start with F3 A0 or EF B8 in UTF-8.
    """
    data = text.encode("utf-8", "surrogatepass")
    return (b"\xf3" in data and b"\xf3\xa0" in data) or (b"\xef" in data and b"\xef\xb8" in data)


def smuggled_runs(text: str) -> list[tuple[int, int, str, str]]:
    """Find text smuggled in invisible characters.

    Returns:
        ``(start, end, encoding, payload)`` for each run, *encoding* being ``"tag_chars"`` or
        ``"variation_selectors"``. Emoji flag tag sequences and runs that carry nothing are skipped.
    """
    runs: list[tuple[int, int, str, str]] = []
    if text.isascii() or latin1(text) or not _may_smuggle(text):
        return runs
    for m in _SMUGGLE_RE.finditer(text):
        tags, selectors = m.group(2), m.group(3)
        if tags is not None:
            encoding = "tag_chars"
            payload = "".join(chr(ord(c) - 0xE0000) for c in tags if "\U000e0020" <= c <= "\U000e007e")
        elif selectors is not None:
            encoding = "variation_selectors"
            payload = bytes(
                ord(c) - 0xFE00 if c <= "\ufe0f" else ord(c) - 0xE0100 + 16 for c in selectors
            ).decode("utf-8", "replace")
        else:
            continue  # an emoji flag
        if payload:
            runs.append((m.start(), m.end(), encoding, payload))
    return runs


#: The kinds :func:`invisible_runs` reports.
INVISIBLE_KINDS: Final = ("zero_width", "bidi", "tag", "variation_selector")


def _invisible_kind(c: str) -> str:
    if "\U000e0000" <= c <= "\U000e007f":
        return "tag"
    if c in _SELECTORS:
        return "variation_selector"
    if c in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        return "bidi"
    return "zero_width"


def invisible_runs(text: str) -> list[tuple[int, int, str]]:
    """Find the invisible characters that :func:`canonical` drops from the view.

    The keep rules are the view's own: emoji ZWJ sequences, emoji flag tag sequences, one
    presentation selector after an emoji (and keycaps), one ideographic variation selector after a
    CJK ideograph, one free variation selector after a Mongolian letter, and ZWNJ/ZWJ between
    letters of joining scripts. Every other character of the invisible set is reported.

    Args:
        text: Any string.

    Returns:
        ``(start, end, kind)`` for each run of adjacent dropped characters of one kind, in order;
        *kind* is one of :data:`INVISIBLE_KINDS`.

    .. versionadded:: 0.1
    """
    if text.isascii():
        return []
    # One scan for candidates; the astral ranges also hold a few characters that are not invisible.
    found = [m for m in _CANDIDATE_RUN_RE.finditer(text) if not _INVISIBLE_SET.isdisjoint(m.group())]
    if not found:
        return []
    dropped: Iterable[int]
    if all(_CONTEXTUAL.isdisjoint(m.group()) for m in found):
        # No character that a sequence may keep: every invisible character goes.
        dropped = (i for m in found for i in range(m.start(), m.end()) if text[i] in _INVISIBLE_SET)
    else:
        dropped = _dropped(text, found)
    runs: list[tuple[int, int, str]] = []
    kinds = _KIND_OF
    for i in dropped:
        kind = kinds[text[i]]
        if runs and runs[-1][1] == i and runs[-1][2] == kind:
            runs[-1] = (runs[-1][0], i + 1, kind)
        else:
            runs.append((i, i + 1, kind))
    return runs


def _dropped(text: str, found: list[re.Match[str]]) -> list[int]:
    """Offsets of the invisible characters the view drops, in order, from the runs *found*.

    Each run is decided by :func:`_kept`, from the last visible character before it that cannot
    compose; runs with only composing characters between them are decided together.
    """
    composers = _get_tables().composers
    flag_tags = _flag_tag_positions(text)
    dropped: list[int] = []
    start = end = -1  # the pending stretch: text[start:end]
    for m in found:
        a, b = m.span()
        j = a
        while j > end and j > 0 and text[j - 1] in composers:
            j -= 1
        if j > end:  # a visible character that cannot compose lies between: decide what is pending
            if end > 0:
                _add_dropped(text, start, end, flag_tags, composers, dropped)
            start = j - 1 if j > 0 else 0
        end = b
    if end > 0:
        _add_dropped(text, start, end, flag_tags, composers, dropped)
    return dropped


def _add_dropped(
    text: str, start: int, end: int, flag_tags: frozenset[int], composers: frozenset[str], dropped: list[int]
) -> None:
    kept = _kept(text, start, end, flag_tags, composers)[0]
    if len(kept) == end - start:
        return
    if end - start == 2 and kept == [start]:
        dropped.append(start + 1)  # the usual case: one invisible character after a visible one
        return
    keep = set(kept)
    dropped.extend(i for i in range(start, end) if i not in keep and text[i] in _INVISIBLE_SET)


_local = threading.local()


def canonical(text: str) -> CanonicalText:
    """Return the canonical view of *text*.

    Views are cached per thread for the last few text objects: calling again with the same
    ``str`` object returns the same view, so every check of a policy call shares one.

    Args:
        text: Any string (lone surrogates and NUL included).

    Returns:
        The :class:`CanonicalText` view.

    Raises:
        TypeError: *text* is not a ``str``.

    .. versionadded:: 0.1
    """
    try:
        cache: dict[int, CanonicalText] = _local.cache
    except AttributeError:
        cache = _local.cache = {}
    view = cache.get(id(text))
    if view is not None and view.original is text:
        return view
    view = CanonicalText(text)
    if len(cache) >= _CACHE_SIZE:
        del cache[next(iter(cache))]
    # The view holds a reference to *text*, so its id cannot be reused while cached.
    cache[id(text)] = view
    return view


_INVISIBLE_SET: Final = frozenset(
    chr(c)
    for a, b in (
        (0x00AD, 0x00AD),
        (0x034F, 0x034F),
        (0x061C, 0x061C),
        (0x115F, 0x1160),
        (0x17B4, 0x17B5),
        (0x180B, 0x180F),
        (0x200B, 0x200F),
        (0x202A, 0x202E),
        (0x2060, 0x2064),
        (0x2066, 0x206F),
        (0x3164, 0x3164),
        (0xFE00, 0xFE0F),
        (0xFEFF, 0xFEFF),
        (0xFFA0, 0xFFA0),
        (0xFFF9, 0xFFFB),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
        (0xE0000, 0xE007F),
        (0xE0100, 0xE01EF),
    )
    for c in range(a, b + 1)
)

_KIND_OF: Final = {c: _invisible_kind(c) for c in _INVISIBLE_SET}

# Generated from the Unicode data of CPython 3.11 (Unicode 14.0) and checked against the running
# Python by tests/canon/test_tables.py: starters that compose with what precedes them (or whose NFKC
# begins with such a character), characters with a non-zero combining class, characters NFKC
# turns into more than one, and the other BMP characters NFKC turns into one other character
# (composers left out). Newer Unicode data falls back to slower exact paths (see _one_to_one and
# _canonicalize), so a stale table costs speed, never correctness.
_COMPOSING_STARTERS: Final = (
    "9be 9d7 b3e b56-b57 bbe bd7 cc2 cd5-cd6 d3e d57 dcf ddf f73 f75 f81 fb5 fb7 102e 1161-1175 "
    "11a8-11c2 1b35 3133 3135-3136 313a-313f 314f-3163 ff9e-ff9f ffa3 ffa5-ffa6 ffaa-ffaf "
    "ffc2-ffc7 ffca-ffcf ffd2-ffd7 ffda-ffdc 11127 1133e 11357 114b0 114ba 114bd 115af 11930 "
)
_COMBINING: Final = (
    "300-34e 350-36f 483-487 591-5bd 5bf 5c1-5c2 5c4-5c5 5c7 610-61a 64b-65f 670 6d6-6dc 6df-6e4 "
    "6e7-6e8 6ea-6ed 711 730-74a 7eb-7f3 7fd 816-819 81b-823 825-827 829-82d 859-85b 898-89f "
    "8ca-8e1 8e3-8ff 93c 94d 951-954 9bc 9cd 9fe a3c a4d abc acd b3c b4d bcd c3c c4d c55-c56 cbc "
    "ccd d3b-d3c d4d dca e38-e3a e48-e4b eb8-eba ec8-ecb f18-f19 f35 f37 f39 f71-f72 f74 f7a-f7d "
    "f80 f82-f84 f86-f87 fc6 1037 1039-103a 108d 135d-135f 1714-1715 1734 17d2 17dd 18a9 "
    "1939-193b 1a17-1a18 1a60 1a75-1a7c 1a7f 1ab0-1abd 1abf-1ace 1b34 1b44 1b6b-1b73 1baa-1bab "
    "1be6 1bf2-1bf3 1c37 1cd0-1cd2 1cd4-1ce0 1ce2-1ce8 1ced 1cf4 1cf8-1cf9 1dc0-1dff 20d0-20dc "
    "20e1 20e5-20f0 2cef-2cf1 2d7f 2de0-2dff 302a-302f 3099-309a a66f a674-a67d a69e-a69f "
    "a6f0-a6f1 a806 a82c a8c4 a8e0-a8f1 a92b-a92d a953 a9b3 a9c0 aab0 aab2-aab4 aab7-aab8 "
    "aabe-aabf aac1 aaf6 abed fb1e fe20-fe2f 101fd 102e0 10376-1037a 10a0d 10a0f 10a38-10a3a "
    "10a3f 10ae5-10ae6 10d24-10d27 10eab-10eac 10f46-10f50 10f82-10f85 11046 11070 1107f "
    "110b9-110ba 11100-11102 11133-11134 11173 111c0 111ca 11235-11236 112e9-112ea 1133b-1133c "
    "1134d 11366-1136c 11370-11374 11442 11446 1145e 114c2-114c3 115bf-115c0 1163f 116b6-116b7 "
    "1172b 11839-1183a 1193d-1193e 11943 119e0 11a34 11a47 11a99 11c3f 11d42 11d44-11d45 11d97 "
    "16af0-16af4 16b30-16b36 16ff0-16ff1 1bc9e 1d165-1d169 1d16d-1d172 1d17b-1d182 1d185-1d18b "
    "1d1aa-1d1ad 1d242-1d244 1e000-1e006 1e008-1e018 1e01b-1e021 1e023-1e024 1e026-1e02a "
    "1e130-1e136 1e2ae 1e2ec-1e2ef 1e8d0-1e8d6 1e944-1e94a "
)
_EXPANDING: Final = (
    "a8 af b4 b8 bc-be 132-133 13f-140 149 1c4-1cc 1f1-1f3 2d8-2dd 37a 384-385 587 675-678 "
    "958-95f 9dc-9dd 9df a33 a36 a59-a5b a5e b5c-b5d e33 eb3 edc-edd f43 f4d f52 f57 f5c f69 f73 "
    "f75-f79 f81 f93 f9d fa2 fa7 fac fb9 1e9a 1fbd 1fbf-1fc1 1fcd-1fcf 1fdd-1fdf 1fed-1fee "
    "1ffd-1ffe 2017 2025-2026 2033-2034 2036-2037 203c 203e 2047-2049 2057 20a8 2100-2101 2103 "
    "2105-2106 2109 2116 2120-2122 213b 2150-215f 2161-2163 2165-2168 216a-216b 2171-2173 "
    "2175-2178 217a-217b 2189 222c-222d 222f-2230 2469-24b5 2a0c 2a74-2a76 2adc 309b-309c 309f "
    "30ff 3200-321e 3220-3243 3250-325f 327c-327d 32b1-32cf 32ff-33ff fb00-fb06 fb13-fb17 fb1d "
    "fb1f fb2a-fb36 fb38-fb3c fb3e fb40-fb41 fb43-fb44 fb46-fb4f fbdd fbea-fbfb fc00-fd3d "
    "fd50-fd8f fd92-fdc7 fdf0-fdfc fe19 fe30 fe49-fe4c fe70-fe72 fe74 fe76-fe7f fef5-fefc ffe3 "
    "1d15e-1d164 1d1bb-1d1c0 1f100-1f10a 1f110-1f12a 1f12d-1f12e 1f14a-1f14f 1f16a-1f16c 1f190 "
    "1f200-1f201 1f240-1f248 "
)
_ONE_TO_ONE: Final = (
    "a0 aa b2-b3 b5 b9-ba 17f 2b0-2b8 2e0-2e4 374 37e 387 3d0-3d6 3f0-3f2 3f4-3f5 3f9 f0c 10fc "
    "1d2c-1d2e 1d30-1d3a 1d3c-1d4d 1d4f-1d6a 1d78 1d9b-1dbf 1e9b 1f71 1f73 1f75 1f77 1f79 1f7b 1f7d "
    "1fbb 1fbe 1fc9 1fcb 1fd3 1fdb 1fe3 1feb 1fef 1ff9 1ffb 2000-200a 2011 2024 202f 205f 2070-2071 "
    "2074-208e 2090-209c 2102 2107 210a-2113 2115 2119-211d 2124 2126 2128 212a-212d 212f-2131 "
    "2133-2139 213c-2140 2145-2149 2160 2164 2169 216c-2170 2174 2179 217c-217f 2329-232a 2460-2468 "
    "24b6-24ea 2c7c-2c7d 2d6f 2e9f 2ef3 2f00-2fd5 3000 3036 3038-303a 3131-3132 3134 3137-3139 "
    "3140-314e 3164-318e 3192-319f 3244-3247 3260-327b 327e 3280-32b0 32d0-32fe a69c-a69d a770 "
    "a7f2-a7f4 a7f8-a7f9 ab5c-ab5f ab69 f900-fa0d fa10 fa12 fa15-fa1e fa20 fa22 fa25-fa26 fa2a-fa6d "
    "fa70-fad9 fb20-fb29 fb50-fbb1 fbd3-fbdc fbde-fbe9 fbfc-fbff fe10-fe18 fe31-fe44 fe47-fe48 "
    "fe4d-fe52 fe54-fe66 fe68-fe6b fe80-fef4 ff01-ff9d ffa0-ffa2 ffa4 ffa7-ffa9 ffb0-ffbe ffe0-ffe2 "
    "ffe4-ffe6 ffe8-ffee "
)
