"""Core value types: findings, verdicts, actions, and the check protocols.

Everything here is a frozen, slotted value. The clean path allocates nothing: a validator that finds
nothing returns the empty tuple.

The value classes are written out by hand rather than with ``@dataclass``: importing ``dataclasses`` pulls
in ``inspect`` and costs about a third of guardkit's import budget. ``_frozen`` gives them the same
behaviour (keyword construction, equality, hashing, immutability).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "Action",
    "Finding",
    "Sanitizer",
    "Validator",
    "Verdict",
]


class _Frozen:
    """Base for immutable slotted values: equality and hashing over ``_fields``."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self._values() == other._values())

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, self._values())

    def replace(self, **changes: Any) -> Any:
        """Return a copy with *changes* applied."""
        values = {name: getattr(self, name) for name in self._fields}
        values.update(changes)
        return self.__class__(**values)


class Action(enum.IntEnum):
    """What a policy does about a finding, ordered by severity.

    ``ALLOW < WARN < REDACT < BLOCK``, so ``max()`` over actions gives the strongest one.
    """

    ALLOW = 0
    WARN = 1
    REDACT = 2
    BLOCK = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str | Action) -> Action:
        """Return the action named *value* (``"block"``, ``"redact"``, ``"warn"``, ``"allow"``).

        Raises:
            ValueError: *value* names no action.
        """
        if isinstance(value, Action):
            return value
        try:
            return cls[value.upper()]
        except (KeyError, AttributeError):
            raise ValueError(
                f"unknown action {value!r}; expected one of: allow, warn, redact, block"
            ) from None


class Finding(_Frozen):
    """One thing a validator flagged.

    Findings carry rule ids, kinds and offsets, never the flagged text itself, so they are safe to
    log, print and ship in audit events.

    Args:
        rule: The check that fired, e.g. ``"secrets.aws_access_key"``.
        kind: Upper-case category of what was found, e.g. ``"EMAIL"``, ``"PROMPT_INJECTION"``.
        start: Offset of the first flagged character in the checked text.
        end: Offset one past the last flagged character.
        score: Confidence in ``[0, 1]``.
        message: Index of the chat message the finding belongs to, ``None`` for plain text.
        detail: A short human-readable reason (which signals fired). Never contains the value.
        part: Index of the content part inside that message, when its content is a part list.
    """

    __slots__ = ("detail", "end", "kind", "message", "part", "rule", "score", "start")
    _fields = ("rule", "kind", "start", "end", "score", "message", "detail", "part")

    rule: str
    kind: str
    start: int
    end: int
    score: float
    message: int | None
    detail: str
    part: int | None

    def __init__(
        self,
        rule: str,
        kind: str,
        start: int,
        end: int,
        score: float = 1.0,
        message: int | None = None,
        detail: str = "",
        part: int | None = None,
    ) -> None:
        _set = object.__setattr__
        _set(self, "rule", rule)
        _set(self, "kind", kind)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "score", score)
        _set(self, "message", message)
        _set(self, "detail", detail)
        _set(self, "part", part)

    def __repr__(self) -> str:
        extra = "".join(
            f", {name}={getattr(self, name)!r}"
            for name, default in (("message", None), ("detail", ""), ("part", None))
            if getattr(self, name) != default
        )
        return (
            f"Finding(rule={self.rule!r}, kind={self.kind!r}, start={self.start}, end={self.end}, "
            f"score={self.score!r}{extra})"
        )

    @property
    def span(self) -> tuple[int, int]:
        """The ``(start, end)`` offsets."""
        return (self.start, self.end)


class Verdict(_Frozen):
    """The outcome of running a policy over one text or conversation.

    Args:
        action: The strongest action taken.
        text: The sanitized text. For a message list it is empty and ``messages`` holds the result.
        findings: Everything the validators flagged, in text order (per message for lists).
        messages: The sanitized message list when a message list was checked, else ``None``.
        errors: Names of checks that raised and were configured to fail open.
    """

    __slots__ = ("action", "errors", "findings", "messages", "text")
    _fields = ("action", "text", "findings", "messages", "errors")

    action: Action
    text: str
    findings: tuple[Finding, ...]
    messages: tuple[object, ...] | None
    errors: tuple[str, ...]

    def __init__(
        self,
        action: Action,
        text: str,
        findings: tuple[Finding, ...] = (),
        messages: tuple[object, ...] | None = None,
        errors: tuple[str, ...] = (),
    ) -> None:
        _set = object.__setattr__
        _set(self, "action", action)
        _set(self, "text", text)
        _set(self, "findings", findings)
        _set(self, "messages", messages)
        _set(self, "errors", errors)

    @property
    def blocked(self) -> bool:
        """Whether the policy blocks this text."""
        return self.action is Action.BLOCK

    @property
    def allowed(self) -> bool:
        """Whether the text passes unchanged and unflagged."""
        return self.action is Action.ALLOW

    @property
    def rules(self) -> tuple[str, ...]:
        """The distinct rule ids that fired, in order of first appearance."""
        return tuple(dict.fromkeys(f.rule for f in self.findings))

    @property
    def kinds(self) -> tuple[str, ...]:
        """The distinct finding kinds, in order of first appearance."""
        return tuple(dict.fromkeys(f.kind for f in self.findings))

    def __repr__(self) -> str:
        # The sanitized text can still hold data a warn-only rule flagged; show its size only.
        return (
            f"Verdict(action={self.action.name}, text=<{len(self.text)} chars>, "
            f"findings={list(self.findings)!r})"
        )


@runtime_checkable
class Validator(Protocol):
    """Anything that flags spans of text.

    ``check`` returns ``()`` when the text is clean. Optional attributes a validator may define:

    - ``action``: default action for its findings (``"block"``, ``"redact"``, ``"warn"``).
    - ``window``: the longest span it can flag, so streams know how much text to hold back.
    - ``redact_with``: replacement text when redacting (``"[{kind}]"`` when absent).
    - ``acheck``: an ``async def`` twin, awaited by async drivers when present.
    """

    name: str

    def check(self, text: str, /) -> Sequence[Finding]:
        """Return the findings in *text*, ``()`` when clean."""
        ...


@runtime_checkable
class Sanitizer(Protocol):
    """Anything that rewrites text into a safer form; returns *text* itself when unchanged."""

    name: str

    def clean(self, text: str, /) -> str:
        """Return the sanitized text."""
        ...
