"""The scan shared by ``PII`` and ``Secrets``: run detectors, resolve overlaps, map spans back.

A :class:`Scanner` is built once per validator for its set of kinds. Detectors propose candidate
spans on the scan view; overlapping candidates are resolved so the longest (outermost) one wins,
with a fixed kind priority breaking ties; the survivors are mapped to offsets in the original text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import Final

from guardkit.validators._pii_text import view_of

__all__ = ["PII_KINDS", "STRUCTURAL_KINDS", "Scanner", "resolve", "secret_kinds"]

Candidate = tuple[int, int, str, float, str]

PII_KINDS: Final = frozenset({"EMAIL", "PHONE", "CREDIT_CARD", "US_SSN", "IBAN", "IP_ADDRESS", "URL"})
#: Kinds whose presence explains away matches inside them (a password inside a DSN is the DSN, an
#: e-mail-shaped ``user:pass@host`` inside it is not an e-mail). They always run, reported or not.
STRUCTURAL_KINDS: Final = frozenset({"DB_CONNECTION_STRING", "PRIVATE_KEY", "JWT"})

# Tie-break for candidates of equal length: specific formats beat generic ones.
_PRIORITY: Final[dict[str, int]] = {
    "PRIVATE_KEY": 90,
    "DB_CONNECTION_STRING": 80,
    "JWT": 70,
    "AWS_SECRET_KEY": 40,
    "GENERIC_PASSWORD": 30,
    "CREDIT_CARD": 28,
    "IBAN": 28,
    "US_SSN": 26,
    "EMAIL": 24,
    "IP_ADDRESS": 22,
    "URL": 20,
    "PHONE": 10,
}
_TOKEN_PRIORITY: Final = 60  # every provider token format


def secret_kinds() -> frozenset[str]:
    """Every kind the secret detectors can report."""
    from guardkit.validators._pii_secret_rules import SECRET_KINDS

    return SECRET_KINDS


def resolve(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Keep non-overlapping candidates: longest first, then by kind priority; sorted by start."""
    ordered = sorted(
        (c for c in candidates if c[1] > c[0]),
        key=lambda c: (c[0] - c[1], -_PRIORITY.get(c[2], _TOKEN_PRIORITY), c[0]),
    )
    starts: list[int] = []
    ends: list[int] = []
    kept: list[Candidate] = []
    for cand in ordered:
        start, end = cand[0], cand[1]
        i = bisect_right(starts, start)
        if i > 0 and ends[i - 1] > start:
            continue
        if i < len(starts) and starts[i] < end:
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        kept.insert(i, cand)
    return kept


class Scanner:
    """Detectors for a set of kinds, compiled once.

    Args:
        kinds: The kinds to report.
    """

    __slots__ = ("_own", "_shared", "kinds")

    def __init__(self, kinds: frozenset[str]) -> None:
        from guardkit.validators import _pii_detectors as pii  # compiled on first use
        from guardkit.validators import _pii_secret_rules as sec

        self.kinds = kinds
        wanted = kinds | STRUCTURAL_KINDS
        detectors = {kind: fn for kind, fn in pii.DETECTORS.items() if kind in wanted}
        detectors.update((kind, fn) for kind, fn in sec.DETECTORS.items() if kind in wanted)
        rules = tuple(r for r in sec.TOKEN_RULES if r.kind in wanted)
        # Detectors both validators may run on one text share their results through the view;
        # the others are called directly.
        self._shared = tuple(fn for kind, fn in detectors.items() if kind in STRUCTURAL_KINDS)
        own = [fn for kind, fn in detectors.items() if kind not in STRUCTURAL_KINDS]
        if rules:
            own.append(sec.token_detector(rules))
        self._own = tuple(own)

    def scan(self, text: str) -> list[Candidate]:
        """Return the resolved findings of *text* as candidates in original offsets."""
        if not text:
            return []
        view = view_of(text)
        memo = view.memo
        found: list[Candidate] = []
        for detector in self._shared:
            result = memo.get(detector)
            if result is None:
                result = memo[detector] = detector(view)
            if result:
                found.extend(result)
        for detector in self._own:
            result = detector(view)
            if result:
                found.extend(result)
        if not found:
            return []
        kinds = self.kinds
        kept = resolve(found) if len(found) > 1 else found
        if view.identity:
            return [c for c in kept if c[2] in kinds]
        out: list[Candidate] = []
        for start, end, kind, score, detail in kept:
            if kind in kinds:
                ostart, oend = view.to_original(start, end)
                out.append((ostart, oend, kind, score, detail))
        return out


_ACTIONS: Final = frozenset({"block", "redact", "warn", "allow", "pseudonymize", "mask"})


def check_action(action: object, owner: str) -> object:
    """Validate a validator's *action* argument; ``"mask"`` becomes a default :class:`Mask`."""
    from guardkit._errors import ConfigError
    from guardkit._types import Action

    if isinstance(action, Action):
        return action
    if isinstance(action, str):
        lowered = action.lower()
        if lowered == "hash":
            raise ConfigError(f"{owner}(action='hash') needs a key; pass action=guardkit.Hash(key=...)")
        if lowered not in _ACTIONS:
            raise ConfigError(
                f"{owner}(action={action!r}): expected one of block, redact, mask, warn, allow, "
                "pseudonymize, or a redactor such as guardkit.Mask()"
            )
        if lowered == "mask":
            from guardkit._redactors import Mask

            return Mask()
        return lowered
    if callable(getattr(action, "replace", None)):
        return action
    raise ConfigError(f"{owner}(action=...): expected a string or a redactor, got {type(action).__name__}")


def check_kinds(kinds: Iterable[str] | None, supported: frozenset[str], owner: str) -> frozenset[str]:
    """Validate a ``kinds`` argument against *supported* (case-insensitive); ``None`` means all."""
    from guardkit._errors import ConfigError

    if kinds is None:
        return supported
    if isinstance(kinds, str):
        kinds = (kinds,)
    chosen: set[str] = set()
    for kind in kinds:
        if not isinstance(kind, str):
            raise ConfigError(f"{owner}(kinds=...): kind names are strings, got {type(kind).__name__}")
        upper = kind.upper()
        if upper not in supported:
            raise ConfigError(
                f"{owner}(kinds=...): unknown kind {kind!r}; known kinds: {', '.join(sorted(supported))}"
            )
        chosen.add(upper)
    if not chosen:
        raise ConfigError(f"{owner}(kinds=...) is empty; pass None for every kind")
    return frozenset(chosen)
