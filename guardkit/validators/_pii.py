"""The ``PII`` validator: personal data found by format and validated by checksum and context.

Detects e-mail addresses, phone numbers, payment cards, US social security numbers, IBANs, IP
addresses and URLs, including obfuscated forms (full-width characters, zero-width characters,
JSON/URL escapes, defanged ``[at]``/``[dot]``). Findings carry kinds, spans and scores, never values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from guardkit._errors import ConfigError
from guardkit._types import Finding
from guardkit.validators._pii_engine import PII_KINDS, Scanner, check_action, check_kinds

__all__ = ["PII"]

#: Longest span a PII detector reports (a URL), plus the context read before a value.
PII_WINDOW: Final = 2048 + 96


class _SpanCheck:
    """What ``PII`` and ``Secrets`` share: arguments, the compiled scanner, findings and repr."""

    __slots__ = ("_rules", "_scanner", "action", "kinds", "min_score", "name", "redact_with", "window")

    _owner: str = "_SpanCheck"
    _window: int = 0

    def __init__(
        self,
        supported: frozenset[str],
        kinds: Iterable[str] | None,
        action: object,
        name: str,
        redact_with: str,
        min_score: float,
    ) -> None:
        owner = self._owner
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{owner}(name=...) must be a non-empty string")
        if not isinstance(redact_with, str):
            raise ConfigError(f"{owner}(redact_with=...) must be a string")
        if isinstance(min_score, bool) or not isinstance(min_score, (int, float)):
            raise ConfigError(f"{owner}(min_score=...) must be a number between 0 and 1")
        if not 0.0 <= float(min_score) <= 1.0:
            raise ConfigError(f"{owner}(min_score=...) must be a number between 0 and 1")
        self.kinds: frozenset[str] = check_kinds(kinds, supported, owner)
        self.action: object = check_action(action, owner)
        self.name: str = name
        self.redact_with: str = redact_with
        self.min_score: float = float(min_score)
        self.window: int = self._window
        self._scanner = Scanner(self.kinds)
        self._rules = {kind: f"{name}.{kind.lower()}" for kind in self.kinds}

    def check(self, text: str, /) -> Sequence[Finding]:
        """Return the findings in *text*, sorted by start; ``()`` when clean."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.check() takes a str, got {type(text).__name__}")
        found = self._scanner.scan(text)
        if not found:
            return ()
        rules = self._rules
        floor = self.min_score
        out = tuple(
            Finding(rules[kind], kind, start, end, score, None, detail)
            for start, end, kind, score, detail in found
            if score >= floor
        )
        return out if out else ()

    def _repr(self, supported: frozenset[str]) -> str:
        kinds = self.kinds
        shown = "all" if kinds == supported else "{" + ", ".join(repr(k) for k in sorted(kinds)) + "}"
        return f"{self._owner}(kinds={shown}, action={self.action!r}, name={self.name!r})"


class PII(_SpanCheck):
    """Flag personal data: e-mail, phone, card, SSN, IBAN, IP address and URL.

    Kinds: ``EMAIL``, ``PHONE``, ``CREDIT_CARD``, ``US_SSN``, ``IBAN``, ``IP_ADDRESS``, ``URL``.
    Cards pass Luhn and issuer rules, IBANs mod-97 and their country's length, SSNs the SSA numbering
    rules (nine bare digits only next to an SSN or tax-id word), IP addresses :mod:`ipaddress`
    parsing; version strings, OIDs, ZIP+4 codes, SKUs and timestamps are not flagged. Detection runs
    on a canonical view of the text, so full-width digits, zero-width characters, JSON and URL escapes
    and defanged addresses are found too, with spans in the original text. An entity inside a larger
    one (an e-mail inside a URL) is reported once, as the outer one.

    Args:
        kinds: Kinds to report (case-insensitive); all of them by default.
        action: What a policy does with findings: ``"redact"`` (default), ``"mask"``, ``"block"``,
            ``"warn"``, ``"pseudonymize"``, or a redactor such as :class:`guardkit.Mask` or
            :class:`guardkit.Hash`.
        name: Check name; findings use rules ``"{name}.{kind}"`` such as ``"pii.email"``.
        redact_with: Replacement template for ``"redact"``; ``{kind}`` is filled in.
        min_score: Drop findings scored below this (context-dependent ones score 0.7-0.9).

    Raises:
        ConfigError: A kind is unknown, or an argument is invalid.

    Example:
        >>> [(f.kind, f.start, f.end) for f in PII().check("mail jane.doe@example.org today")]
        [('EMAIL', 5, 25)]

    .. versionadded:: 0.1
    """

    __slots__ = ()

    _owner = "PII"
    _window = PII_WINDOW

    #: Every kind this validator can report.
    KINDS: Final = PII_KINDS

    def __init__(
        self,
        kinds: Iterable[str] | None = None,
        *,
        action: object = "redact",
        name: str = "pii",
        redact_with: str = "[{kind}]",
        min_score: float = 0.0,
    ) -> None:
        super().__init__(PII_KINDS, kinds, action, name, redact_with, min_score)

    def check(self, text: str, /) -> Sequence[Finding]:
        """Return the personal data in *text* as findings sorted by start, ``()`` when clean."""
        return super().check(text)

    def __repr__(self) -> str:
        return self._repr(PII_KINDS)
