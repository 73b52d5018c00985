"""The text the PII and secret detectors scan, and the map from its offsets back to the original.

Detection runs on two stacked views of the input. The first is the shared canonical view
(:func:`guardkit._canon.canonical`: NFKC, invisible characters removed, homoglyphs folded). The second
undoes obfuscations that only matter for personal data and credentials: JSON escapes (``\\u0040``,
``\\/``), URL escapes (``%40``), HTML character references (``&#64;``), defanging (``[at]``,
``[dot]``, ``[.]``, ``hxxps``) and the katakana ``ー`` typed as a dash between digits. Both keep
exact offset maps, so a span found in the view maps back to the characters as written.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from typing import Any, Final, Protocol

from guardkit._canon import canonical

__all__ = ["TextView", "view_of"]


class _Canonical(Protocol):
    text: str
    changed: bool

    def to_original(self, start: int, end: int, /) -> tuple[int, int]: ...


# Characters an escape may decode to in the view. Quotes, brackets, spaces and controls stay escaped,
# so decoding never changes where a token, a string or a URL ends.
_SAFE: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@.:/+-_~=")

_DEOBFUSCATE: Final = re.compile(
    r"\\u(?P<u>[0-9a-fA-F]{4})"
    r"|\\(?P<sl>/)"
    r"|%(?P<pct>[0-9A-Fa-f]{2})"
    r"|&\#(?:[xX](?P<hx>[0-9a-fA-F]{1,4})|(?P<dec>[0-9]{1,5}));"
    r"|&(?P<ent>commat|period|sol|colon);"
    r"|(?P<hxxp>[hH][xX][xX](?=[pP][sS]?(?::|\[:\])))"
    r"|(?P<colon>\[:\](?=//)|\[://\])"
    # The katakana prolonged sound mark typed as a dash between digits: 090ー1234ー5678.
    r"|(?<=[0-9])(?P<dash>ー)(?=[0-9])"
    r"|[ ]?(?:\[(?P<at1>at|@)\]|\((?P<at2>at|@)\)|\{(?P<at3>at|@)\})[ ]?"
    r"|[ ]?(?:\[(?P<d1>dot|\.)\]|\((?P<d2>dot|\.)\)|\{(?P<d3>dot|\.)\})[ ]?"
    # An address spelled out: "jane dot doe at example dot com" (the words only next to each other).
    r"|(?P<spelled>(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}(?:[ ]+dot[ ]+[A-Za-z0-9_%+\-]{1,64}){0,3}"
    r"[ ]+at[ ]+[A-Za-z0-9\-]{1,63}(?:[ ]+dot[ ]+[A-Za-z0-9\-]{1,63}){1,4}(?![A-Za-z0-9]))",
    re.IGNORECASE,
)
_SPELLED_AT: Final = re.compile(r"[ ]+at[ ]+", re.IGNORECASE)
_SPELLED_DOT: Final = re.compile(r"[ ]+dot[ ]+", re.IGNORECASE)
_ENTITIES: Final = {"commat": "@", "period": ".", "sol": "/", "colon": ":"}
# Finds any place where an obfuscation above could start (on the lower-cased text). Every branch
# starts with a rare character, so the scan skips ordinary text quickly; the two word-based forms
# are tested with plain substring searches first.
_TRIGGER: Final = re.compile(
    r"\\[u/]|%[0-9a-f]{2}|&#|&(?:commat|period|sol|colon);|\[:|[\[({](?:at|@|dot|\.)[\])}]|ー[0-9]"
)


def _has_obfuscation(lower: str) -> bool:
    if "hxxp" in lower or (" at " in lower and " dot " in lower):
        return True
    return _TRIGGER.search(lower) is not None


def _replacement(match: re.Match[str]) -> str | None:
    group = match.lastgroup
    if group is None:
        return None
    value = match.group(group)
    decoded: str | None
    if group in ("u", "pct", "hx"):
        decoded = chr(int(value, 16))
        if decoded == " " and group == "pct":
            return "-"  # an encoded space separates digit groups (+1%20415…) but must not end a URL
    elif group == "dec":
        code = int(value)
        decoded = chr(code) if code < 0x110000 else None
    elif group == "sl":
        return "/"
    elif group == "ent":
        return _ENTITIES[value.lower()]
    elif group == "dash":
        return "-"
    elif group == "hxxp":
        return "htt"
    elif group == "colon":
        return ":" if match.group(0) == "[:]" else "://"
    elif group == "spelled":
        return _SPELLED_DOT.sub(".", _SPELLED_AT.sub("@", value, count=1))
    elif group in ("at1", "at2", "at3"):
        return "@"
    else:
        return "."
    return decoded if decoded is not None and decoded in _SAFE else None


class TextView:
    """A scan view of a text and the offset map back to the original.

    Attributes:
        text: What detectors scan.
        lower: ``text`` lower-cased with the same length (for keyword and context tests).
    """

    __slots__ = ("_canon", "_cends", "_cstarts", "_vends", "_vstarts", "identity", "lower", "memo", "text")

    def __init__(
        self,
        text: str,
        canon: _Canonical | None,
        segments: list[tuple[int, int, int, int]] | None = None,
        lower: str | None = None,
    ) -> None:
        self.text = text
        self.lower = _lower(text) if lower is None else lower
        #: Detector results already computed for this view, shared by validators scanning it.
        self.memo: dict[Any, Any] = {}
        self._canon = canon
        segs = segments or []
        self._vstarts = [s[0] for s in segs]
        self._vends = [s[1] for s in segs]
        self._cstarts = [s[2] for s in segs]
        self._cends = [s[3] for s in segs]
        #: Whether view offsets are original offsets (nothing was normalized or decoded).
        self.identity = canon is None and not segs

    def _to_canon(self, start: int, end: int) -> tuple[int, int]:
        if not self._vstarts:
            return start, end
        vstarts, vends = self._vstarts, self._vends
        i = bisect_right(vstarts, start) - 1
        if i < 0:
            cstart = start
        elif start < vends[i]:
            cstart = self._cstarts[i]
        else:
            cstart = self._cends[i] + (start - vends[i])
        last = end - 1
        j = bisect_right(vstarts, last) - 1
        if j < 0:
            cend = end
        elif last < vends[j]:
            cend = self._cends[j]
        else:
            cend = self._cends[j] + (last - vends[j]) + 1
        return cstart, cend

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty view span ``[start, end)`` to offsets in the original text."""
        cstart, cend = self._to_canon(start, end)
        if self._canon is None:
            return cstart, cend
        return self._canon.to_original(cstart, cend)


def _lower(text: str) -> str:
    lower = text.lower()
    if len(lower) != len(text):  # a few code points lower-case to two; keep offsets aligned
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lower


def _deobfuscate(text: str, canon: _Canonical | None) -> TextView:
    lower = _lower(text)
    if not _has_obfuscation(lower):
        return TextView(text, canon, None, lower)
    pieces: list[str] = []
    segments: list[tuple[int, int, int, int]] = []
    pos = 0  # in the canonical text
    vpos = 0  # in the view being built
    for match in _DEOBFUSCATE.finditer(text):
        new = _replacement(match)
        if new is None:
            continue
        start, end = match.span()
        if start > pos:
            pieces.append(text[pos:start])
            vpos += start - pos
        pieces.append(new)
        segments.append((vpos, vpos + len(new), start, end))
        vpos += len(new)
        pos = end
    if not segments:
        return TextView(text, canon, None, lower)
    pieces.append(text[pos:])
    return TextView("".join(pieces), canon, segments)


def _canonical(text: str) -> _Canonical | None:
    if text.isascii():
        return None  # NFKC, invisible characters and look-alikes are all non-ASCII
    view = canonical(text)
    return view if view.changed else None


_CACHE_SIZE: Final = 4
_local = threading.local()


def view_of(text: str) -> TextView:
    """Build the scan view of *text*: canonical form, then PII de-obfuscation.

    Views are cached per thread for the last few text objects, so validators checking the same
    ``str`` share one view and its detector results.
    """
    try:
        cache: dict[int, tuple[str, TextView]] = _local.cache
    except AttributeError:
        cache = _local.cache = {}
    hit = cache.get(id(text))
    if hit is not None and hit[0] is text:
        return hit[1]
    canon = _canonical(text)
    base = canon.text if canon is not None else text
    view = _deobfuscate(base, canon)
    if len(cache) >= _CACHE_SIZE:
        del cache[next(iter(cache))]
    cache[id(text)] = (text, view)  # holds *text*, so its id is not reused while cached
    return view
