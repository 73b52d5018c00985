"""``InvisibleChars``: zero-width, bidi-control, tag and variation-selector characters used to smuggle text.

Legitimate uses are kept: emoji ZWJ sequences (👨‍👩‍👧), emoji flag tag sequences (🏴 + tags + cancel tag),
one presentation selector after an emoji or a CJK ideograph, and ZWNJ/ZWJ between letters of scripts that
need them (Persian, Arabic, the Indic scripts).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final

from guardkit._errors import ConfigError
from guardkit._types import Finding

__all__ = ["InvisibleChars", "invisible_runs"]

_INVISIBLE: Final = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef]+"
)
_ZWNJ, _ZWJ = "\u200c", "\u200d"
_BLACK_FLAG: Final = "\U0001f3f4"
_CANCEL_TAG: Final = "\U000e007f"

#: Scripts whose orthography uses ZWNJ/ZWJ between letters (Arabic, Syriac, Thaana, N'Ko, Indic,
#: Sinhala, Tibetan, Myanmar, Khmer, Mongolian and Arabic presentation forms).
_JOINING_RANGES: Final = (
    (0x0600, 0x08FF),
    (0x0900, 0x0DFF),
    (0x0F00, 0x0FFF),
    (0x1000, 0x109F),
    (0x1780, 0x18AF),
    (0xA8E0, 0xA8FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFC),
)

KINDS: Final = {
    "zero_width": "zero-width or format character",
    "bidi": "bidirectional control",
    "tag": "tag characters (hidden text)",
    "variation_selector": "variation selectors (hidden data)",
}


def _joining_letter(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _JOINING_RANGES) and unicodedata.category(ch)[0] in "LM"


def _emoji_like(ch: str) -> bool:
    cp = ord(ch)
    return cp >= 0x1F000 or unicodedata.category(ch) == "So" or 0x2190 <= cp <= 0x2BFF


def _cjk(ch: str) -> bool:
    cp = ord(ch)
    return 0x3400 <= cp <= 0x9FFF or 0x20000 <= cp <= 0x3FFFF or 0xF900 <= cp <= 0xFAFF


def _classify(ch: str) -> str:
    cp = ord(ch)
    if 0xE0000 <= cp <= 0xE007F:
        return "tag"
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or 0x180B <= cp <= 0x180D:
        return "variation_selector"
    if cp in (0x061C, 0x200E, 0x200F) or 0x202A <= cp <= 0x202E or 0x2066 <= cp <= 0x2069:
        return "bidi"
    return "zero_width"


def invisible_runs(text: str) -> list[tuple[int, int, str]]:
    """Return ``(start, end, kind)`` for each run of smuggling-capable invisible characters, leaving
    out the legitimate sequences described in the module docstring."""
    if text.isascii():
        return []
    runs: list[tuple[int, int, str]] = []
    size = len(text)
    for match in _INVISIBLE.finditer(text):
        start, end = match.span()
        before = text[start - 1] if start else ""
        after = text[end] if end < size else ""
        run = match.group()
        if run == _ZWJ and before and after and _emoji_like(before) and _emoji_like(after):
            continue
        if run in (_ZWNJ, _ZWJ) and before and after and (
            _joining_letter(before) or _joining_letter(after)
        ):
            continue
        if run in ("\ufe0f", "\ufe0e") and before and _emoji_like(before):
            continue
        if run == "\ufe0f" + _ZWJ and before and after and _emoji_like(before) and _emoji_like(after):
            continue
        if len(run) == 1 and 0xE0100 <= ord(run) <= 0xE01EF and before and _cjk(before):
            continue
        if (
            before == _BLACK_FLAG
            and run.endswith(_CANCEL_TAG)
            and 2 <= len(run) <= 8
            and all(0xE0061 <= ord(c) <= 0xE007A or 0xE0030 <= ord(c) <= 0xE0039 for c in run[:-1])
        ):
            continue  # subdivision flags such as England's: black flag + lowercase tags + cancel tag
        # Split the run where the kind changes so findings name what they are.
        seg_start = start
        seg_kind = _classify(run[0])
        for offset in range(1, len(run)):
            kind = _classify(run[offset])
            if kind != seg_kind:
                runs.append((seg_start, start + offset, seg_kind))
                seg_start, seg_kind = start + offset, kind
        runs.append((seg_start, end, seg_kind))
    return runs


class InvisibleChars:
    """Flag invisible characters that can hide or reorder text: zero-width and format characters, bidi
    controls, tag characters (U+E0000 block) and variation-selector runs.

    By default they are removed (``action="redact"`` with an empty replacement); use ``action="block"``
    to refuse such text instead.

    Args:
        kinds: Which classes to flag: any of ``"zero_width"``, ``"bidi"``, ``"tag"``,
            ``"variation_selector"`` (all by default).
        action: ``"redact"`` (default: strip), ``"block"`` or ``"warn"``.
        name: Rule name prefix reported in findings.

    .. versionadded:: 0.1
    """

    __slots__ = ("_kinds", "_rules", "action", "name")

    kind: Final = "INVISIBLE_CHARS"
    redact_with: Final = ""
    window: Final = 64

    def __init__(
        self,
        *,
        kinds: Sequence[str] | None = None,
        action: str = "redact",
        name: str = "invisible_chars",
    ) -> None:
        chosen = frozenset(KINDS) if kinds is None else frozenset(kinds)
        unknown = sorted(chosen - set(KINDS))
        if unknown:
            raise ConfigError(
                f"InvisibleChars: unknown kinds {', '.join(unknown)}; choose from {', '.join(KINDS)}"
            )
        if not isinstance(name, str) or not name:
            raise ConfigError("InvisibleChars: name must be a non-empty str")
        self._kinds = chosen
        self.action = action
        self.name = name
        self._rules = {k: f"{name}.{k}" for k in KINDS}

    def check(self, text: str, /) -> Sequence[Finding]:
        """Flag each run of invisible characters."""
        if text.isascii():
            return ()
        found = [
            Finding(self._rules[kind], self.kind, start, end, detail=KINDS[kind])
            for start, end, kind in invisible_runs(text)
            if kind in self._kinds
        ]
        return tuple(found) if found else ()

    def __repr__(self) -> str:
        kinds = "" if self._kinds == frozenset(KINDS) else f"kinds={sorted(self._kinds)!r}, "
        return f"InvisibleChars({kinds}action={self.action!r})"
