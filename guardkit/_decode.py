"""Find payloads hidden in a text by encoding and decode them, so detectors can scan them too.

:func:`decode_payloads` finds base64, hex, URL percent-encoding, HTML entities, text smuggled in
invisible characters, and, when the text asks for it, rot13 and reversed text. Decoding is bounded
in depth, size and count, linear in the input, and never raises.
"""

from __future__ import annotations

import base64
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
    from collections.abc import Callable, Iterator

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


def decode_payloads(
    text: str, *, max_depth: int = 2, max_total: int = 65536, max_items: int = 32
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
    for name, value in (
        ("max_depth", max_depth),
        ("max_total", max_total),
        ("max_items", max_items),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"decode_payloads: {name} must be a positive integer, got {value!r}")
    if not isinstance(text, str):
        raise TypeError(f"decode_payloads() needs a str, not {type(text).__name__}")
    found: list[Decoded] = []
    budget = [max_total, max_items]
    _scan(text, None, depth=1, max_depth=max_depth, budget=budget, found=found)
    if not found:
        return ()
    found.sort(key=lambda d: (d.start, d.depth, d.end))
    return tuple(found)


def _scan(
    text: str,
    outer: tuple[int, int] | None,
    *,
    depth: int,
    max_depth: int,
    budget: list[int],
    found: list[Decoded],
) -> None:
    """Decode the payloads of *text* at *depth* into *found*, then look inside each one."""
    new: list[Decoded] = []
    for encoding, start, end, raw in _candidates(text, max_items=budget[1]):
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
            _scan(
                item.text,
                (item.start, item.end),
                depth=depth + 1,
                max_depth=max_depth,
                budget=budget,
                found=found,
            )


def _candidates(text: str, *, max_items: int) -> Iterator[tuple[str, int, int, str]]:
    """Yield ``(encoding, start, end, decoded)`` for each payload in *text*, finder by finder."""
    # A finder may look at a bounded number of candidate runs: junk-heavy input stays cheap.
    attempts = 64 * max_items + 256
    finders: tuple[Callable[[str, int], Iterator[tuple[str, int, int, str]]], ...] = (
        _find_smuggled,
        _find_base64,
        _find_hex,
        _find_url,
        _find_entities,
        _find_cued,
    )
    for finder in finders:
        yield from finder(text, attempts)


def _find_smuggled(text: str, attempts: int) -> Iterator[tuple[str, int, int, str]]:
    for start, end, encoding, payload in smuggled_runs(text)[:attempts]:
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


def _find_base64(text: str, attempts: int) -> Iterator[tuple[str, int, int, str]]:
    if len(text) < 16:
        return
    for m in _B64_RE.finditer(text):
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
        signal = (
            "=" in run
            or "+" in body
            or "/" in body
            or (
                any(c.isdigit() for c in body)
                and any(c.isupper() for c in body)
                and any(c.islower() for c in body)
            )
        )
        if len(body) % 4 == 1:
            body = body[:-1]
        padded = body + "=" * (-len(body) % 4)
        try:
            data = (base64.urlsafe_b64decode if urlsafe else base64.b64decode)(padded)
        except (binascii.Error, ValueError):
            continue
        decoded = _utf8(data)
        if not _looks_like_text(decoded):
            continue
        if not signal and not _clearly_text(decoded):
            continue  # a long identifier or word that happens to decode
        yield "base64", m.start(), m.end(), decoded


def _clearly_text(decoded: str) -> bool:
    """Stricter test for runs without base64 signals: words of letters with spaces between."""
    if len(decoded) < 8 or _JUNK_RE.search(decoded) or not decoded.isprintable():
        return False
    letters = len(_LETTERS_RE.findall(decoded))
    return " " in decoded and letters + decoded.count(" ") >= 0.8 * len(decoded)


def _find_hex(text: str, attempts: int) -> Iterator[tuple[str, int, int, str]]:
    if len(text) < 16:
        return
    patterns = [_HEX_RE, _HEX_SPACED_RE]
    if "\\x" in text:
        patterns.append(_HEX_ESCAPED_RE)
    if "0x" in text or "0X" in text:
        patterns.append(_HEX_0X_RE)
    for pattern in patterns:
        for m in pattern.finditer(text):
            attempts -= 1
            if attempts < 0:
                return
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


def _find_cued(text: str, attempts: int) -> Iterator[tuple[str, int, int, str]]:
    """rot13 and reversed text, only where a cue word asks for decoding just before."""
    lowered = text.lower()
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
        span = _payload_after(text, cue.end())
        if span is None:
            continue
        start, end = span
        covered = end
        payload = text[start:end]
        kinds = {"rot": ("rot13",), "rev": ("reversed",)}.get(cue.lastgroup or "", _BOTH)
        for kind in kinds:
            decoded = codecs.encode(payload, "rot13") if kind == "rot13" else payload[::-1]
            if decoded != payload and _more_common(decoded, payload):
                yield kind, start, end, decoded


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


def _more_common(decoded: str, payload: str) -> bool:
    return _common_count(decoded) > _common_count(payload)


def _common_count(s: str) -> int:
    return sum(1 for w in _WORDS_RE.findall(s.lower()) if w in _COMMON_WORDS)
