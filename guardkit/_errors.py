"""The exception tree.

::

    GuardkitError(Exception)
    ├── ConfigError(GuardkitError, ValueError)   # bad arguments or config; raised at construction
    ├── Blocked(GuardkitError)                   # .verdict, .stage
    │   ├── InputBlocked
    │   └── OutputBlocked
    ├── ValidatorFailed(GuardkitError)           # a check raised; original kept in __cause__
    └── VaultError(GuardkitError)                # a vault blob is corrupt, foreign or the key is wrong
    GuardkitWarning(UserWarning)

Messages name rules and spans, never the text a rule caught.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guardkit._types import Verdict

__all__ = [
    "Blocked",
    "ConfigError",
    "GuardkitError",
    "GuardkitWarning",
    "InputBlocked",
    "OutputBlocked",
    "ValidatorFailed",
    "VaultError",
]


class GuardkitError(Exception):
    """Base class of every error guardkit raises."""


class ConfigError(GuardkitError, ValueError):
    """Bad arguments or configuration, raised when a check or policy is built."""


class Blocked(GuardkitError):
    """A policy blocked the text.

    Attributes:
        verdict: The verdict that blocked. Its findings say which rules fired and where.
        stage: ``"input"`` or ``"output"``.
    """

    stage = "input"

    def __init__(self, verdict: Verdict, *, stage: str | None = None) -> None:
        self.verdict = verdict
        if stage is not None:
            self.stage = stage
        blocking = [
            f"{f.rule}@{f.start}:{f.end}" + (f" (message {f.message})" if f.message is not None else "")
            for f in verdict.findings
        ]
        shown = ", ".join(blocking[:5]) + (f", +{len(blocking) - 5} more" if len(blocking) > 5 else "")
        super().__init__(f"{self.stage} blocked by {shown or 'policy'}")


class InputBlocked(Blocked):
    """The input to a model call was blocked."""

    stage = "input"


class OutputBlocked(Blocked):
    """The output of a model call was blocked."""

    stage = "output"


class ValidatorFailed(GuardkitError):
    """A check raised; the original exception is chained as ``__cause__``."""

    def __init__(self, rule: str, stage: str) -> None:
        self.rule = rule
        self.stage = stage
        super().__init__(f"check {rule!r} failed during {stage}; the call was blocked (fail closed)")


class VaultError(GuardkitError):
    """A pseudonymization vault could not be read: corrupt, foreign, or the wrong key."""


class GuardkitWarning(UserWarning):
    """Something works but is probably not what was meant (for example a fail-open check failed)."""
