"""Decision events and the sinks that receive them.

Events carry rule ids, kinds, spans and timings, never the text a check flagged, so they are safe to ship to
any log pipeline. The default sink writes to the stdlib logger ``"guardkit"`` and costs one level check
when that logger is quiet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from guardkit._types import Action, Finding, _Frozen

if TYPE_CHECKING:
    import logging

__all__ = ["Event", "LoggingSink", "Sink", "default_sink"]

Sink = Callable[["Event"], None]


class Event(_Frozen):
    """One decision of a policy.

    Args:
        stage: ``"input"``, ``"tool"`` or ``"output"``.
        action: The action taken (in monitor mode: the action that would have been taken).
        policy: The policy's name.
        findings: What fired, as rule ids, kinds and spans.
        duration_ns: Time spent in the checks.
        monitor: Whether the policy ran in monitor (shadow) mode.
        context: Audit context of the session (for example a user id).
        errors: Names of fail-open checks that raised.
    """

    __slots__ = ("action", "context", "duration_ns", "errors", "findings", "monitor", "policy", "stage")
    _fields = ("stage", "action", "policy", "findings", "duration_ns", "monitor", "context", "errors")

    stage: str
    action: Action
    policy: str
    findings: tuple[Finding, ...]
    duration_ns: int
    monitor: bool
    context: Mapping[str, Any]
    errors: tuple[str, ...]

    def __init__(
        self,
        stage: str,
        action: Action,
        policy: str,
        findings: tuple[Finding, ...] = (),
        duration_ns: int = 0,
        monitor: bool = False,
        context: Mapping[str, Any] | None = None,
        errors: tuple[str, ...] = (),
    ) -> None:
        _set = object.__setattr__
        _set(self, "stage", stage)
        _set(self, "action", action)
        _set(self, "policy", policy)
        _set(self, "findings", findings)
        _set(self, "duration_ns", duration_ns)
        _set(self, "monitor", monitor)
        _set(self, "context", {} if context is None else context)
        _set(self, "errors", errors)

    def __hash__(self) -> int:
        return hash((self.stage, self.action, self.policy, self.findings, self.duration_ns))

    def __repr__(self) -> str:
        return (
            f"Event(stage={self.stage!r}, action={self.action.name}, policy={self.policy!r}, "
            f"rules={sorted({f.rule for f in self.findings})!r}, duration_ns={self.duration_ns})"
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the event as plain JSON-ready data."""
        return {
            "stage": self.stage,
            "action": str(self.action),
            "policy": self.policy,
            "rules": sorted({f.rule for f in self.findings}),
            "findings": [
                {
                    "rule": f.rule,
                    "kind": f.kind,
                    "start": f.start,
                    "end": f.end,
                    "score": round(f.score, 4),
                    "message": f.message,
                    **({"detail": f.detail} if f.detail else {}),
                }
                for f in self.findings
            ],
            "duration_us": round(self.duration_ns / 1000, 1),
            "monitor": self.monitor,
            "context": dict(self.context),
            "errors": list(self.errors),
        }


# logging's levels, spelled out so that importing guardkit does not import logging.
_LEVELS: Final = {Action.ALLOW: 10, Action.WARN: 20, Action.REDACT: 20, Action.BLOCK: 30}


class LoggingSink:
    """Send events to a stdlib logger: blocks at WARNING, redactions and warnings at INFO, passes at
    DEBUG. The structured event is attached as ``record.guardkit``.

    Args:
        logger: Logger name (default ``"guardkit"``).
    """

    __slots__ = ("_logger", "_name")

    def __init__(self, logger: str = "guardkit") -> None:
        self._name = logger
        self._logger: logging.Logger | None = None  # looked up on first use: logging loads lazily

    @property
    def logger(self) -> logging.Logger:
        """The logger events go to."""
        if self._logger is None:
            import logging

            logger = logging.getLogger(self._name)
            if not logger.handlers:
                # A library must not print through logging's last-resort handler; applications
                # that configure logging see the events.
                logger.addHandler(logging.NullHandler())
            self._logger = logger
        return self._logger

    def wants(self, action: Action) -> bool:
        """Whether an event with *action* would be written (one cached level check)."""
        logger = self._logger if self._logger is not None else self.logger
        return logger.isEnabledFor(_LEVELS[action])

    def __call__(self, event: Event) -> None:
        level = _LEVELS[event.action]
        logger = self.logger
        if not logger.isEnabledFor(level):
            return
        data = event.as_dict()
        logger.log(
            level,
            "guardkit %s %s%s: %s",
            event.stage,
            event.action,
            " (monitor)" if event.monitor else "",
            ", ".join(data["rules"]) or "clean",
            extra={"guardkit": data},
        )

    def __repr__(self) -> str:
        return f"LoggingSink({self._name!r})"


default_sink: Final = LoggingSink()
