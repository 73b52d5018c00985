"""Find payloads hidden in a text by encoding and decode them, so detectors can scan them too.

:func:`decode_payloads` finds base64, hex, URL percent-encoding, HTML entities, text smuggled in
invisible characters, and, when the text asks for it, rot13 and reversed text. Decoding is bounded
in depth, size and count, linear in the input, and never raises.
"""

from __future__ import annotations

import binascii
import codecs
import html
import re
from typing import TYPE_CHECKING, Final
from urllib.parse import unquote

from guardkit._canon import CanonicalText, smuggled_runs
from guardkit._errors import ConfigError
from guardkit._types import _Frozen

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    # What _plan() found: (smuggled runs, base64 class string or None, hex match sources, url,
    # entities, cued).
    _Plan = tuple[
        Sequence[tuple[int, int, str, str]], bytes | None, list[Iterator[re.Match[str]]], bool, bool, bool
    ]

__all__ = ["Decoded", "decode_payloads"]


class Decoded(_Frozen):
    """One decoded payload.

    A frozen value (equality, hashing and ``replace()`` as for :class:`guardkit.Finding`).

    Args:
        encoding: ``"base64"``, ``"hex"``, ``"rot13"``, ``"url"``, ``"html_entities"``,
            ``"reversed"``, ``"tag_chars"`` or ``"variation_selectors"``.
        start: Offset of the encoded run in the original text. For a payload nested inside
            another, the span of the outermost encoded run.
        end: Offset one past the encoded run.
        text: The decoded text, canonicalized (see :func:`guardkit._canon.canonical`).
        depth: 1 for a payload found in the text, 2 for one found inside a decoded payload, ...

    .. versionadded:: 0.1
    """

    __slots__ = ("depth", "encoding", "end", "start", "text")
    _fields = ("encoding", "start", "end", "text", "depth")

    encoding: str
    start: int
    end: int
    text: str
    depth: int

    def __init__(self, encoding: str, start: int, end: int, text: str, depth: int) -> None:
        _set = object.__setattr__
        _set(self, "encoding", encoding)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "text", text)
        _set(self, "depth", depth)

    @property
    def span(self) -> tuple[int, int]:
        """The ``(start, end)`` offsets of the encoded run."""
        return (self.start, self.end)

    def __repr__(self) -> str:
        # The decoded text is what a detector is about to judge: never print it.
        return (
            f"Decoded(encoding={self.encoding!r}, start={self.start}, end={self.end}, "
            f"text=<{len(self.text)} chars>, depth={self.depth})"
        )


# Candidate runs. Each pattern is anchored by a look-behind so that it is tried once per run, and
# its parts use disjoint character classes, so matching stays linear on any input.
_B64_RE: Final = re.compile(r"(?<![A-Za-z0-9+/\-_=])[A-Za-z0-9+/\-_]{16,}={0,2}(?![A-Za-z0-9+/\-_=])")
# Patterns start with a character class where they can (`re` scans for that class quickly) and look
# back from there instead of opening with a look-behind, which is tried at every position.
_HEX_RE: Final = re.compile(
    r"[0-9A-Fa-f](?<![0-9A-Fa-f][0-9A-Fa-f])[0-9A-Fa-f](?:[0-9A-Fa-f]{2}){7,}(?![0-9A-Fa-f])"
)
_HEX_ESCAPED_RE: Final = re.compile(r"(?:\\x[0-9A-Fa-f]{2}){8,}")
_HEX_0X_RE: Final = re.compile(r"0[xX][0-9A-Fa-f]{2}(?:(?:,\s*|\s+)0[xX][0-9A-Fa-f]{2}){7,}")
_HEX_SPACED_RE: Final = re.compile(
    r"[0-9A-Fa-f](?<![0-9A-Fa-f][0-9A-Fa-f])[0-9A-Fa-f](?:[ :\-][0-9A-Fa-f]{2}){7,}(?![0-9A-Fa-f])"
)
_HEX_DIGITS_RE: Final = re.compile(r"[0-9A-Fa-f]{2}")
_URL_RE: Final = re.compile(r"(?<!\S)[^\s%]*(?:%[0-9A-Fa-f]{2}[^\s%]*){3,}")
_ENTITY: Final = r"&(?:#[0-9]{1,7};?|#[xX][0-9A-Fa-f]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};)"
_ENTITY_RE: Final = re.compile(_ENTITY)
_ENTITY_RUN_RE: Final = re.compile(rf"{_ENTITY}(?:[^&]{{0,16}}{_ENTITY})+")
# Characters that make decoded "text" binary junk: C0/C1 controls (bar tab and newlines) and the
# replacement character left by invalid UTF-8.
_JUNK_RE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
_LETTERS_RE: Final = re.compile(r"[^\W\d_]")

# Requests to decode a cipher or read backwards; the payload must start within ~80 characters.
_ROT_CUES: Final = r"rot[\s\-_]?13|caesar|c[ée]sar|cipher|chiffre|cifrado|rotate"
_REV_CUES: Final = (
    r"revers\w*|backwards?|right[\s\-]to[\s\-]left|mirror\w*|umgekehrt\w*|r[üu]ckw[äa]rts"
    r"|[àa] l'envers|invers\w*|al rev[ée]s|invertid\w*|at?rov[ée]s|achterstevoren"
)
_ANY_CUES: Final = r"decod\w*|decipher\w*|decrypt\w*|unscrambl\w*|entschl[üu]ssel\w*|d[ée]cod\w*"
_CUE_SOURCE: Final = rf"\b(?:(?P<rot>{_ROT_CUES})|(?P<rev>{_REV_CUES})|(?P<any>{_ANY_CUES}))"
_CUE_RE: Final = re.compile(_CUE_SOURCE)  # on lower-cased text
_CUE_ANY_CASE_RE: Final = re.compile(_CUE_SOURCE, re.IGNORECASE)
# The request to read backwards, itself written backwards: the whole line is reversed
# (".snoitcurtsni suoiverp lla erongi ,esrever ni siht daer").
_REVERSED_CUE_RE: Final = re.compile(r"\b(?:d?esrever|s?drawkcab|edoced)\b")
# Every cue contains one of these: when lower-cased text holds none, there is no cue to look for.
_CUE_STEMS: Final = (
    "rot",
    "sar",
    "ciph",
    "chiffr",
    "cifra",
    "revers",
    "backward",
    "left",
    "mirror",
    "umgekehrt",
    "ckw",
    "envers",
    "invers",
    "rev",
    "invertid",
    "trav",
    "achterstevoren",
    "decod",
    "écod",
    "decipher",
    "decrypt",
    "unscrambl",
    "entschl",
    "esrever",
    "drawkcab",
    "edoced",
)
_CUE_REACH: Final = 80
_PAYLOAD_MAX: Final = 2000
_QUOTES: Final = "\"'`“”«»"
_QUOTE_OPEN_RE: Final = re.compile(f"[{_QUOTES}]")
_QUOTED_TAIL_RE: Final = re.compile(f"([^{_QUOTES}\\n]{{8,{_PAYLOAD_MAX}}})[{_QUOTES}]")
_LINE_RE: Final = re.compile(r"[^\n]+")
# Function words of the languages cue words come in: decoded text that holds more of them than the
# encoded text did is a real decoding, not a cue word followed by ordinary text.
_COMMON_WORDS: Final = frozenset(
    (
        "a",
        "all",
        "an",
        "and",
        "any",
        "are",
        "as",
        "be",
        "but",
        "by",
        "do",
        "for",
        "from",
        "have",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "me",
        "my",
        "no",
        "not",
        "now",
        "of",
        "on",
        "or",
        "please",
        "print",
        "say",
        "show",
        "tell",
        "that",
        "the",
        "this",
        "to",
        "was",
        "what",
        "with",
        "you",
        "your",
        "ignore",
        "previous",
        "instructions",
        "system",
        "prompt",
        "password",
        "secret",
        "reveal",
        "forget",
        "rules",
        "der",
        "die",
        "das",
        "und",
        "ist",
        "nicht",
        "ich",
        "du",
        "sie",
        "es",
        "ein",
        "eine",
        "zu",
        "mit",
        "alle",
        "le",
        "la",
        "les",
        "et",
        "est",
        "pas",
        "je",
        "tu",
        "vous",
        "il",
        "un",
        "une",
        "de",
        "des",
        "tout",
        "el",
        "los",
        "las",
        "es",
        "no",
        "yo",
        "usted",
        "una",
        "que",
        "todo",
        "todas",
    )
)
_WORDS_RE: Final = re.compile(r"[a-zà-öø-ÿ']{2,}")  # one-letter words read the same reversed

# Prefilters. Most texts hold no payload, and a `re` scan tries its pattern at every position
# (~15 ns a character), many times the cost of a str or bytes method (a one-character `in` costs
# next to nothing; on bytes, `find` beats `in`, which first tries its argument as an integer and
# pays for the exception). So :func:`_plan` first checks, for each finder, something that every
# match it can yield needs, with string methods and three class strings, and runs only the
# finders whose check passes: on plain prose that costs three `bytes.translate` calls, two
# `bytes.find` calls and one `re` scan that stops only at "c" and "r" (see _CUE_GATE_RE). The
# base64 and hex patterns are then tried only where the class strings show a long enough run.
# `_decode(..., scan_all=True)` skips every prefilter (the tests compare both ways).
#
# Class strings have one byte per character of the text, each non-ASCII character being a "?" by
# then (in no base64 or hex class), so their offsets are the text's.
_B64_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_"


def _class_table(classes: dict[str, str]) -> bytes:
    """A ``bytes.translate`` table: the characters of each key to its value, all others to "."."""
    table = bytearray(b"." * 256)
    for chars, name in classes.items():
        for c in chars:
            table[ord(c)] = ord(name)
    return bytes(table)


_B64_CLASSES: Final = _class_table({_B64_ALPHABET: "b"})
_B64_RUN: Final = b"b" * 16  # every _B64_RE match starts 16 alphabet characters in a row
_B64_RUN_END: Final = re.compile(rb"[^b]")
_HEX_CLASSES: Final = _class_table({"0123456789ABCDEFabcdef": "h", " :-": "s", "%": "%"})
_HEX_RUN: Final = b"h" * 16  # every _HEX_RE match: 16 hex digits or more in a row
_HEX_RUN_END: Final = re.compile(rb"[^h]")
_HEX_SPACED_START: Final = b"hh" + b"shh" * 7  # how every _HEX_SPACED_RE match starts
_PERCENT_PAIR: Final = b"%hh"  # every _URL_RE match holds three
# Cues. `_CUE_CLASSES` lower-cases ASCII letters and then writes "c" and "r" as "#", keeps digits
# and "_", turns "?" (which each non-ASCII character is by then; a "?" of the text only widens
# what passes) into "~" and every other byte into a space. Unless lower-casing the text changes
# its length or adds an ASCII letter (only "İ" and the Kelvin sign "K" do), each cue that _CUE_RE
# finds in `text.lower()` shows in that class string, with a space put first, as its image: a
# space or "~" for the \b before it, then the cue's letters, digits and "_", with a space for each
# "-" and "'", a space or "~" for each whitespace character, and a "~" for each non-ASCII letter
# (é, ü, ä, à); \w* tails are left out. Every cue holds a "c" or an "r", so every image holds a
# "#". _CUE_GATE_RE starts with one (`re` scans quickly for a one-byte prefix and tries the rest
# only there, not at every space as a \b would), reads the rest of an image from one of its "#"
# on, then checks the part before that "#" with a look-behind. Branches are ordered by how often
# prose has their first byte after a "c" or "r", most often first, as `re` tries them in order;
# each names its cues.
_WORD_ASCII: Final = _B64_ALPHABET[:62] + "_"
_CUE_CLASSES: Final = bytes(
    ord("#" if chr(c).lower() in "cr" else chr(c).lower())
    if chr(c) in _WORD_ASCII
    else ord("~" if chr(c) == "?" else " ")
    for c in range(256)
)
_CUE_GATE_RE: Final = re.compile(
    rb"#(?:"
    rb"e(?:sa#(?<=[ ~]#esa#)"  # cesar
    rb"|v[e~]s(?<=[ ~]al #ev[e~]s))"  # al revés
    rb"|o(?:t(?:13(?<=[ ~]#ot13)|[ ~_]13(?<=[ ~]#ot[ ~_]13)|ate(?<=[ ~]#otate))"  # rot13, rot-13, rotate
    rb"|d(?<=[ ~]d[e~]#od)"  # decod, décod
    rb"|v[e~]s(?:(?<=[ ~]at#ov[e~]s)|(?<=[ ~]a#ov[e~]s))"  # atrovés, arovés
    rb"|#(?<=[ ~]mi##o#))"  # mirror
    rb"|a(?:esa#(?<=[ ~]#aesa#)"  # caesar
    rb"|mbl(?<=[ ~]uns##ambl))"  # unscrambl
    rb"|i(?:phe#(?:(?<=[ ~]#iphe#)|(?<=[ ~]de#iphe#))"  # cipher, decipher
    rb"|f#ado(?<=[ ~]#if#ado)"  # cifrado
    rb"|ght[ ~]to[ ~]left(?<=[ ~]#ight[ ~]to[ ~]left))"  # right to left
    rb"|t(?:id(?<=[ ~]inve#tid)|(?<=[ ~]umgekeh#t))"  # invertid, umgekehrt
    rb"|h(?:iff#e(?<=[ ~]#hiff#e)"  # chiffre
    rb"|te#stevo#en(?<=[ ~]a#hte#stevo#en)"  # achterstevoren
    rb"|l[u~]ssel(?<=[ ~]ents#hl[u~]ssel))"  # entschlüssel
    rb"|s(?<=ve#s)(?:(?<=[ ~]#eve#s)|(?<=[ ~]inve#s)|(?<= l enve#s))"  # revers, invers, à l'envers
    rb"|kw(?:a#d(?<=[ ~]ba#kwa#d)"  # backward
    rb"|[a~]#ts(?<=[ ~]#[u~]#kw[a~]#ts))"  # rückwärts
    rb"|ypt(?<=[ ~]de##ypt)"  # decrypt
    rb"|~sa#(?<=[ ~]#~sa#)"  # césar
    # Cue words written backwards, for a text reversed whole: esrever, desrever, edoced, drawkcab,
    # sdrawkcab.
    rb"|eve#(?:(?<=[ ~]es#eve#)|(?<=[ ~]des#eve#))"
    rb"|ed(?<=[ ~]edo#ed)"
    rb"|ab(?:(?<=[ ~]d#awk#ab)|(?<=[ ~]sd#awk#ab))"
    rb")"
)


_MAX_DEPTH, _MAX_TOTAL, _MAX_ITEMS = 2, 65536, 32


def decode_payloads(
    text: str, *, max_depth: int = _MAX_DEPTH, max_total: int = _MAX_TOTAL, max_items: int = _MAX_ITEMS
) -> tuple[Decoded, ...]:
    """Find and decode the payloads embedded in *text*.

    Args:
        text: Any string.
        max_depth: How deep to look inside decoded payloads (1: only payloads in *text*).
        max_total: Most decoded characters returned in all.
        max_items: Most payloads returned.

    Returns:
        The payloads ordered by start offset, then depth; ``()`` when there are none.

    Raises:
        ConfigError: A bound is not a positive integer.

    .. versionadded:: 0.1
    """
    if not (
        max_depth.__class__ is int
        and max_total.__class__ is int
        and max_items.__class__ is int
        and max_depth > 0
        and max_total > 0
        and max_items > 0
    ):
        for name, value in (
            ("max_depth", max_depth),
            ("max_total", max_total),
            ("max_items", max_items),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"decode_payloads: {name} must be a positive integer, got {value!r}")
    if not isinstance(text, str):
        raise TypeError(f"decode_payloads() needs a str, not {type(text).__name__}")
    plan = _plan(text)
    if plan is None:
        return ()  # the common case: no finder can find anything
    return _decode(text, max_depth, max_total, max_items, scan_all=False, plan=plan)


def _default_payloads(
    text: str, smuggled: Sequence[tuple[int, int, str, str]] | None = None
) -> tuple[Decoded, ...]:
    """``decode_payloads(text)`` for a str, without checking arguments (for the canonical view);
    *smuggled* is ``smuggled_runs(text)`` when the caller has it already."""
    plan = _plan(text, smuggled)
    if plan is None:
        return ()
    return _decode(text, _MAX_DEPTH, _MAX_TOTAL, _MAX_ITEMS, scan_all=False, plan=plan)


def _decode(
    text: str,
    max_depth: int,
    max_total: int,
    max_items: int,
    *,
    scan_all: bool,
    plan: _Plan | None = None,
) -> tuple[Decoded, ...]:
    """:func:`decode_payloads` without the argument checks; *scan_all* turns the prefilters off.

    *plan* is ``_plan(text)`` when the caller has it already.
    """
    found: list[Decoded] = []
    _scan(text, None, 1, max_depth, [max_total, max_items], found, scan_all, plan)
    if not found:
        return ()
    found.sort(key=lambda d: (d.start, d.depth, d.end))
    return tuple(found)


def _scan(
    text: str,
    outer: tuple[int, int] | None,
    depth: int,
    max_depth: int,
    budget: list[int],
    found: list[Decoded],
    scan_all: bool,
    plan: _Plan | None,
) -> None:
    """Decode the payloads of *text* at *depth* into *found*, then look inside each one.

    *budget* is ``[characters, items]`` still allowed; *plan* is ``_plan(text)`` or None.
    """
    if not scan_all and plan is None:
        plan = _plan(text)
        if plan is None:
            return
    # A finder may look at a bounded number of candidate runs: junk-heavy input stays cheap.
    attempts = 64 * budget[1] + 256
    new: list[Decoded] = []
    for encoding, start, end, raw in _candidates(text, attempts, None if scan_all else plan):
        if budget[1] <= 0 or budget[0] <= 0:
            break
        decoded = CanonicalText(raw).text  # uncached: keep the shared cache for real inputs
        if len(decoded) > budget[0]:
            continue  # too big for what is left; a smaller one may still fit
        span = outer if outer is not None else (start, end)
        item = Decoded(encoding, span[0], span[1], decoded, depth)
        budget[0] -= len(decoded)
        budget[1] -= 1
        found.append(item)
        new.append(item)
    if depth < max_depth:
        for item in new:
            if budget[1] <= 0 or budget[0] <= 0:
                return
            _scan(item.text, (item.start, item.end), depth + 1, max_depth, budget, found, scan_all, None)


def _plan(text: str, smuggled: Sequence[tuple[int, int, str, str]] | None = None) -> _Plan | None:
    """Which finders may find something in *text*, with what they need; None when none may.

    ``(smuggled runs, base64 class string or None, hex match sources, url, entities, cued)``.
    Each part is a necessary condition of what its finder can yield, so the finders it rules
    out would have found nothing. *smuggled* is ``smuggled_runs(text)`` when the caller has it.
    """
    is_ascii = text.isascii()
    if smuggled is None:
        smuggled = () if is_ascii else smuggled_runs(text)  # it has its own C-level prefilter
    # One byte per character, each non-ASCII one a "?": offsets into it are offsets into text.
    data = text.encode("ascii") if is_ascii else text.encode("ascii", "replace")
    runs = None
    sources: list[Iterator[re.Match[str]]] = []
    percent = "%" in text
    if len(text) >= 16:
        runs = data.translate(_B64_CLASSES)
        if runs.find(_B64_RUN) < 0:
            runs = None
        hexes = data.translate(_HEX_CLASSES)
        # 16 hex digits in a row are 16 base64 characters in a row too.
        sources = _hex_matches(text, hexes, runs is not None)
    else:
        hexes = data.translate(_HEX_CLASSES) if percent else b""
    url = percent and hexes.count(_PERCENT_PAIR) >= 3
    entities = "&" in text and text.count("&") >= 3  # every entity run yielded holds three
    cued = _may_cue(text, data, is_ascii)
    if smuggled or runs is not None or sources or url or entities or cued:
        return (smuggled, runs, sources, url, entities, cued)
    return None


def _candidates(text: str, attempts: int, plan: _Plan | None) -> Iterator[tuple[str, int, int, str]]:
    """Yield ``(encoding, start, end, decoded)`` for each payload in *text*, finder by finder.

    With a *plan* from :func:`_plan`, only the finders it lets through run, which changes
    nothing found; with None, every finder scans the whole text.
    """
    if plan is None:
        yield from _find_smuggled(smuggled_runs(text), attempts)
        yield from _find_base64(text, attempts, None)
        yield from _find_hex(text, attempts, _hex_matches(text, None))
        yield from _find_url(text, attempts)
        yield from _find_entities(text, attempts)
        yield from _find_cued(text, attempts, text.lower())
        return
    smuggled, runs, sources, url, entities, cued = plan
    if smuggled:
        yield from _find_smuggled(smuggled, attempts)
    if runs is not None:
        yield from _find_base64(text, attempts, runs)
    if sources:
        yield from _find_hex(text, attempts, sources)
    if url:
        yield from _find_url(text, attempts)
    if entities:
        yield from _find_entities(text, attempts)
    if cued:
        yield from _find_cued(text, attempts, text.lower())


def _may_cue(text: str, data: bytes, is_ascii: bool) -> bool:
    """Whether _CUE_RE may find a cue in ``text.lower()``; *data* is the text's ASCII bytes."""
    if not is_ascii and ("\u0130" in text or "\u212a" in text):
        return True  # lower-casing changes the length or adds an ASCII letter: no shortcut
    return _CUE_GATE_RE.search((b" " + data).translate(_CUE_CLASSES)) is not None


def _run_matches(
    pattern: re.Pattern[str], text: str, classes: bytes, run: bytes, run_end: re.Pattern[bytes]
) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` yields, trying *pattern* only where a *run* starts.

    For a pattern that matches only from the start of a run in *classes* that begins with *run*
    (a look-behind keeps it from starting inside one): it is tried once at each such start.
    """
    start = classes.find(run)
    while start >= 0:
        m = pattern.match(text, start)
        if m is None:
            stop = run_end.search(classes, start)
            if stop is None:
                return
            end = stop.start()
        else:
            yield m
            end = m.end()
        start = classes.find(run, end)


def _needle_matches(
    pattern: re.Pattern[str], text: str, classes: bytes, needle: bytes
) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` yields, for a pattern whose matches start with *needle*."""
    start = classes.find(needle)
    while start >= 0:
        m = pattern.match(text, start)
        if m is None:
            start = classes.find(needle, start + 1)
        else:
            yield m
            start = classes.find(needle, m.end())


def _find_smuggled(
    runs: Sequence[tuple[int, int, str, str]], attempts: int
) -> Iterator[tuple[str, int, int, str]]:
    """The text's :func:`~guardkit._canon.smuggled_runs` *runs*, as candidates."""
    for start, end, encoding, payload in runs[:attempts]:
        yield encoding, start, end, payload


def _looks_like_text(decoded: str) -> bool:
    """Whether *decoded* reads as text rather than binary.

    At least 80% printable (no more than one junk character in five), letters present, and no
    junk at all in short texts, where one stray control character is already a strong sign.
    """
    if not decoded:
        return False
    junk = len(_JUNK_RE.findall(decoded))
    if junk and (len(decoded) < 32 or junk * 5 > len(decoded)):
        return False
    return _LETTERS_RE.search(decoded) is not None


def _utf8(data: bytes) -> str:
    """Decode *data* as UTF-8; ``""`` (not text) when it is not UTF-8.

    A multi-byte character cut off at the very end is dropped: encoded runs are often truncated.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(data) - 3 and error.reason == "unexpected end of data":
            return data[: error.start].decode("utf-8", "replace")
        return ""


def _find_base64(text: str, attempts: int, runs: bytes | None) -> Iterator[tuple[str, int, int, str]]:
    """Base64 runs; *runs* is the text's ``_B64_CLASSES`` string, or None to scan it all."""
    if len(text) < 16:
        return
    if runs is None:
        matches: Iterator[re.Match[str]] = _B64_RE.finditer(text)
    else:
        matches = _run_matches(_B64_RE, text, runs, _B64_RUN, _B64_RUN_END)
    for m in matches:
        attempts -= 1
        if attempts < 0:
            return
        run = m.group()
        body = run.rstrip("=")
        if _HEX_RE.fullmatch(body):
            continue  # all hex digits: the hex finder owns it
        urlsafe = "-" in body or "_" in body
        if urlsafe and ("+" in body or "/" in body):
            continue  # two alphabets mixed: not base64
        if len(body) % 4 == 1:
            body = body[:-1]
        padded = body + "=" * (-len(body) % 4)
        try:
            # binascii directly: what base64.b64decode and urlsafe_b64decode call, without their
            # argument checks in Python.
            data = binascii.a2b_base64(padded.translate(_URLSAFE_TO_STANDARD) if urlsafe else padded)
        except (binascii.Error, ValueError):
            continue
        decoded = _utf8(data)
        if not _looks_like_text(decoded):
            continue
        if not _base64_signal(run, body) and not _clearly_text(decoded):
            continue  # a long identifier or word that happens to decode
        yield "base64", m.start(), m.end(), decoded


_URLSAFE_TO_STANDARD = str.maketrans("-_", "+/")


def _base64_signal(run: str, body: str) -> bool:
    """Whether a base64 run shows a mark of base64 rather than of a word: padding, "+" or "/", or
    digits with letters of both cases (*body* is the run without its padding). Looked at only
    for runs that decode to text: most long words do not."""
    return (
        "=" in run
        or "+" in body
        or "/" in body
        or (any(map(str.isdigit, body)) and body != body.lower() and body != body.upper())
    )


def _clearly_text(decoded: str) -> bool:
    """Stricter test for runs without base64 signals: words of letters with spaces between."""
    if len(decoded) < 8 or _JUNK_RE.search(decoded) or not decoded.isprintable():
        return False
    letters = len(_LETTERS_RE.findall(decoded))
    return " " in decoded and letters + decoded.count(" ") >= 0.8 * len(decoded)


def _hex_matches(text: str, hexes: bytes | None, long_run: bool = True) -> list[Iterator[re.Match[str]]]:
    """The hex patterns' matches, pattern by pattern.

    *hexes* is the text's ``_HEX_CLASSES`` string, or None to scan all the text; *long_run* is
    False when the text has no 16 base64 characters in a row.
    """
    if len(text) < 16:
        return []
    if hexes is None:
        return [p.finditer(text) for p in (_HEX_RE, _HEX_SPACED_RE, _HEX_ESCAPED_RE, _HEX_0X_RE)]
    sources: list[Iterator[re.Match[str]]] = []
    if long_run and hexes.find(_HEX_RUN) >= 0:
        sources.append(_run_matches(_HEX_RE, text, hexes, _HEX_RUN, _HEX_RUN_END))
    if hexes.find(_HEX_SPACED_START) >= 0:
        sources.append(_needle_matches(_HEX_SPACED_RE, text, hexes, _HEX_SPACED_START))
    if "\\" in text and "\\x" in text:
        sources.append(_HEX_ESCAPED_RE.finditer(text))
    if "0" in text:
        # Its matches start with "0x" or "0X": `re` scans for the "0" quickly, and the first
        # match found is where finditer() would start yielding.
        first = _HEX_0X_RE.search(text)
        if first is not None:
            sources.append(_HEX_0X_RE.finditer(text, first.start()))
    return sources


def _find_hex(
    text: str, attempts: int, sources: list[Iterator[re.Match[str]]]
) -> Iterator[tuple[str, int, int, str]]:
    """Hex runs, from the match iterators :func:`_hex_matches` gives for *text*."""
    for matches in sources:
        for m in matches:
            attempts -= 1
            if attempts < 0:
                return
            pattern = m.re
            run = m.group()
            digits = run if pattern is _HEX_RE else "".join(_hex_pairs(run, pattern))
            try:
                data = bytes.fromhex(digits)
            except ValueError:
                continue
            decoded = _utf8(data)
            if not _looks_like_text(decoded):
                continue
            if digits.isdigit() and not _clearly_text(decoded):
                continue  # card, phone and account numbers are valid hex too
            yield "hex", m.start(), m.end(), decoded


def _hex_pairs(run: str, pattern: re.Pattern[str]) -> Iterator[str]:
    if pattern is _HEX_SPACED_RE:
        yield from _HEX_DIGITS_RE.findall(run)
    else:  # \x41 and 0x41 forms: skip the prefix letter's pair
        for part in re.split(r"\\x|0[xX]", run):
            pair = part.strip(" ,\t\r\n")
            if pair:
                yield pair


def _find_url(text: str, attempts: int) -> Iterator[tuple[str, int, int, str]]:
    if "%" not in text:
        return
    for m in _URL_RE.finditer(text):
        attempts -= 1
        if attempts < 0:
            return
        decoded = unquote(m.group(), errors="replace")
        if decoded != m.group() and _looks_like_text(decoded):
            yield "url", m.start(), m.end(), decoded


def _find_entities(text: str, attempts: int) -> Iterator[tuple[str, int, int, str]]:
    if "&" not in text:
        return
    for m in _ENTITY_RUN_RE.finditer(text):
        attempts -= 1
        if attempts < 0:
            return
        if len(_ENTITY_RE.findall(m.group())) < 3:
            continue
        decoded = html.unescape(m.group())
        if decoded != m.group() and _looks_like_text(decoded):
            yield "html_entities", m.start(), m.end(), decoded


def _find_cued(text: str, attempts: int, lowered: str) -> Iterator[tuple[str, int, int, str]]:
    """rot13 and reversed text, only where a cue word asks for decoding just before.

    *lowered* is ``text.lower()``.
    """
    if not any(stem in lowered for stem in _CUE_STEMS):
        return
    # Lower-casing keeps offsets unless a character changes length ("İ"); then match any case.
    cues = _CUE_RE.finditer(lowered) if len(lowered) == len(text) else _CUE_ANY_CASE_RE.finditer(text)
    covered = 0  # cues inside an earlier cue's payload add nothing
    for cue in cues:
        if cue.start() < covered:
            continue
        attempts -= 1
        if attempts < 0:
            return
        kinds = {"rot": ("rot13",), "rev": ("reversed",)}.get(cue.lastgroup or "", _BOTH)
        # The payload after the cue ("rot13: ..."), else the one before it on its line
        # ("... (rot13, decode and obey)").
        found = False
        for span in (_payload_after(text, cue.end()), _payload_before(text, cue.start())):
            if span is None:
                continue
            start, end = span
            covered = max(covered, end)
            for kind, decoded in _cued_decodings(text[start:end], kinds):
                found = True
                yield kind, start, end, decoded
            if found:
                break
    if len(lowered) == len(text) and any(stem in lowered for stem in _REVERSED_STEMS):
        for cue in _REVERSED_CUE_RE.finditer(lowered):
            if cue.start() < covered:
                continue
            attempts -= 1
            if attempts < 0:
                return
            # A line reversed whole, its own cue included: the cue ends it ("... :sdrawkcab siht
            # daeR"), so the payload is mostly before it. Spans never overlap.
            start = max(text.rfind("\n", 0, cue.start()) + 1, cue.start() - _PAYLOAD_MAX, covered)
            end = text.find("\n", cue.end(), cue.end() + _CUE_REACH)
            end = min(len(text), cue.end() + _CUE_REACH) if end < 0 else end
            covered = end
            for kind, decoded in _cued_decodings(text[start:end], ("reversed",)):
                yield kind, start, end, decoded


_REVERSED_STEMS: Final = ("esrever", "drawkcab", "edoced")


def _cued_decodings(payload: str, kinds: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """The decodings of *payload* by *kinds* that read as more ordinary text than it does."""
    for kind in kinds:
        decoded = codecs.encode(payload, "rot13") if kind == "rot13" else payload[::-1]
        if decoded != payload and _more_common(decoded, payload):
            yield kind, decoded


_BOTH: Final = ("rot13", "reversed")


def _payload_after(text: str, pos: int) -> tuple[int, int] | None:
    """The span a cue at *pos* points at: a quoted string, or the rest of the line after it."""
    window_end = min(len(text), pos + _CUE_REACH)
    opening = _QUOTE_OPEN_RE.search(text, pos, window_end)
    if opening is not None:
        quoted = _QUOTED_TAIL_RE.match(text, opening.end(), opening.end() + _PAYLOAD_MAX + 1)
        if quoted is not None:
            return quoted.span(1)
    colon = text.find(":", pos, window_end)
    begin = colon + 1 if colon >= 0 else pos
    while begin < window_end and text[begin] in " \t\r\n":
        begin += 1
    if begin >= window_end:
        return None
    line = _LINE_RE.match(text, begin, begin + _PAYLOAD_MAX)
    if line is None:
        return None
    start, end = line.span()
    return (start, end) if end - start >= 8 else None


def _payload_before(text: str, pos: int) -> tuple[int, int] | None:
    """The span a cue at *pos* points back at: its line before it, without the punctuation that
    leads into the cue ("... (rot13, please decode)")."""
    begin = max(text.rfind("\n", 0, pos) + 1, pos - _PAYLOAD_MAX)
    end = pos
    while end > begin and text[end - 1] in _BEFORE_CUE:
        end -= 1
    while begin < end and text[begin] in " \t\r":
        begin += 1
    return (begin, end) if end - begin >= 8 else None


# What stands between a payload and a cue after it: spaces, brackets, dashes, commas.
_BEFORE_CUE: Final = frozenset(" \t\r([{-\u2013\u2014,;:")


def _more_common(decoded: str, payload: str) -> bool:
    return _common_count(decoded) > _common_count(payload)


def _common_count(s: str) -> int:
    return sum(1 for w in _WORDS_RE.findall(s.lower()) if w in _COMMON_WORDS)
