"""``InvisibleChars``: zero-width, bidi-control, tag and variation-selector characters used to smuggle text.

The check flags exactly the invisible characters that the canonical view every detector scans
(:func:`guardkit._canon.canonical`) drops, by the same rules: emoji ZWJ sequences, emoji flag tag
sequences, one presentation selector after an emoji (and keycaps), one ideographic variation selector
after a CJK ideograph, one free variation selector after a Mongolian letter, and ZWNJ/ZWJ between
letters of scripts that need them (Persian, Arabic, the Indic scripts) are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from guardkit._errors import ConfigError
from guardkit._types import Finding
from guardkit.validators._basic import _check_action, _check_name

__all__ = ["InvisibleChars"]

#: The kinds of :func:`guardkit._canon.invisible_runs`, with the detail each finding carries.
KINDS: Final = {
    "zero_width": "zero-width or format character",
    "bidi": "bidirectional control",
    "tag": "tag characters (hidden text)",
    "variation_selector": "variation selectors (hidden data)",
}


class InvisibleChars:
    """Flag invisible characters that can hide or reorder text: zero-width and format characters, bidi
    controls, tag characters (U+E0000 block) and variation selectors.

    By default they are removed (``action="redact"`` with an empty replacement); use ``action="block"``
    to refuse such text instead. What is flagged is exactly what the canonical view drops, so the other
    detectors see the text as this check leaves it.

    Args:
        kinds: Which classes to flag: any of ``"zero_width"``, ``"bidi"``, ``"tag"``,
            ``"variation_selector"`` (all by default).
        action: ``"redact"`` (default: strip), ``"block"`` or ``"warn"``.
        name: Rule name prefix reported in findings.

    .. versionadded:: 0.1
    """

    __slots__ = ("_kinds", "_rules", "_runs", "action", "name")

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
        if isinstance(kinds, str):
            raise ConfigError(f"InvisibleChars: kinds must be a list of kinds, such as [{kinds!r}]")
        chosen = frozenset(KINDS) if kinds is None else frozenset(kinds)
        unknown = sorted(chosen - set(KINDS))
        if unknown:
            raise ConfigError(
                f"InvisibleChars: unknown kinds {', '.join(unknown)}; choose from {', '.join(KINDS)}"
            )
        _check_name(name, "InvisibleChars")
        _check_action(action, "InvisibleChars")
        # The canonical view's module compiles its tables on import: load it here, not with guardkit.
        from guardkit._canon import invisible_runs

        self._runs: Callable[[str], list[tuple[int, int, str]]] = invisible_runs
        self._kinds = chosen
        self.action = action
        self.name = name
        self._rules = {k: f"{name}.{k}" for k in KINDS}

    def check(self, text: str, /) -> Sequence[Finding]:
        """Flag each run of adjacent invisible characters of one kind."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.check() takes a str, got {type(text).__name__}")
        if text.isascii():
            return ()
        found = [
            Finding(self._rules[kind], self.kind, start, end, detail=KINDS[kind])
            for start, end, kind in self._runs(text)
            if kind in self._kinds
        ]
        return tuple(found) if found else ()

    def __repr__(self) -> str:
        kinds = "" if self._kinds == frozenset(KINDS) else f"kinds={sorted(self._kinds)!r}, "
        return f"InvisibleChars({kinds}action={self.action!r})"
