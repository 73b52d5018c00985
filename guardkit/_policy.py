"""Policy: an immutable bundle of checks for input, tool content and output, with their actions.

A policy is compiled once, when it is built: every check is validated against the protocols, its action is
resolved, and its bound methods are stored so the engine only loops over tuples on the hot path.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from guardkit._errors import ConfigError
from guardkit._types import Action, Finding, Sanitizer, Validator

if TYPE_CHECKING:
    from collections.abc import Sequence

    from guardkit._events import Sink

__all__ = ["PSEUDONYMIZE", "Policy", "Stage"]

#: Marker for the ``"pseudonymize"`` action: spans become numbered placeholders kept in a session vault.
PSEUDONYMIZE: Final = "pseudonymize"

_DEFAULT_TEMPLATE: Final = "[{kind}]"
#: Hold-back used in streams for checks that do not declare how long a span they can flag.
DEFAULT_STREAM_WINDOW: Final = 2048
_TRUSTED_ROLES: Final = frozenset({"system", "developer"})


class _Check:
    """One validator as compiled into a stage: its bound methods and resolved action."""

    __slots__ = ("acheck", "action", "check", "fail_open", "name", "rewrite", "validator", "window")

    def __init__(
        self,
        validator: Validator,
        action: Action,
        rewrite: object,
        fail_open: bool,
        window: int | None,
    ) -> None:
        self.validator = validator
        self.name: str = validator.name
        self.check: Callable[[str], Sequence[Finding]] = validator.check
        acheck = getattr(validator, "acheck", None)
        self.acheck: Callable[[str], Any] | None = acheck if callable(acheck) else None
        self.action = action
        # None (block/warn), a template str, PSEUDONYMIZE, or an object with replace(kind, value).
        self.rewrite = rewrite
        self.fail_open = fail_open
        self.window = window


class _Clean:
    """One sanitizer as compiled into a stage."""

    __slots__ = ("clean", "fail_open", "name", "sanitizer", "streamable")

    def __init__(self, sanitizer: Sanitizer, fail_open: bool) -> None:
        self.sanitizer = sanitizer
        self.name: str = sanitizer.name
        self.clean: Callable[[str], str] = sanitizer.clean
        self.fail_open = fail_open
        self.streamable = bool(getattr(sanitizer, "streamable", False))


class Stage:
    """The compiled checks of one direction (input, tool content or output)."""

    __slots__ = (
        "async_checks",
        "checks",
        "cleaners",
        "empty",
        "items",
        "name",
        "observe",
        "pseudonymizes",
        "stream_window",
        "streamable",
    )

    def __init__(
        self,
        name: str,
        items: tuple[Validator | Sanitizer, ...],
        on_fail: Mapping[str, object],
        fail_open: frozenset[str],
        stream_window: int,
    ) -> None:
        self.name = name
        self.items = items
        checks: list[_Check] = []
        cleaners: list[_Clean] = []
        for item in items:
            item_fail_open = item.name in fail_open or bool(getattr(item, "fail_open", False))
            if isinstance(item, Validator):
                action, rewrite = _resolve_action(item, on_fail)
                window = getattr(item, "window", None)
                if window is not None and (not isinstance(window, int) or window < 0):
                    raise ConfigError(f"check {item.name!r} has an invalid window {window!r}")
                checks.append(_Check(item, action, rewrite, item_fail_open, window))
            else:
                cleaners.append(_Clean(item, item_fail_open))
        self.checks = tuple(checks)
        self.cleaners = tuple(cleaners)
        self.async_checks = any(c.acheck is not None for c in checks)
        self.pseudonymizes = any(c.rewrite is PSEUDONYMIZE for c in checks)
        # Whether texts of this stage are shown to the call's vault (set by the policy): when any
        # stage pseudonymizes, placeholder-shaped text anywhere in the call must not be issued.
        self.observe = self.pseudonymizes
        self.empty = not checks and not cleaners
        self.streamable = all(c.streamable for c in cleaners)
        windows = [c.window if c.window is not None else stream_window for c in checks]
        self.stream_window = max(windows, default=0)

    def __repr__(self) -> str:
        return f"Stage({self.name!r}, {list(self.items)!r})"


_ENGINE: Any = None


def _engine() -> Any:
    """The engine module, imported once on first use (it imports this module)."""
    global _ENGINE  # noqa: PLW0603 - a one-time lazy binding to break an import cycle
    if _ENGINE is None:
        from guardkit import _engine as module

        _ENGINE = module
    return _ENGINE


def _resolve_action(validator: Validator, on_fail: Mapping[str, object]) -> tuple[Action, object]:
    raw = on_fail.get(validator.name, getattr(validator, "action", "block"))
    template = getattr(validator, "redact_with", _DEFAULT_TEMPLATE)
    if isinstance(raw, Action):
        return raw, (template if raw is Action.REDACT else None)
    if isinstance(raw, str):
        lowered = raw.lower()
        if lowered == PSEUDONYMIZE:
            return Action.REDACT, PSEUDONYMIZE
        if lowered == "mask":
            from guardkit._redactors import Mask

            return Action.REDACT, Mask()
        if lowered == "redact":
            return Action.REDACT, template
        if lowered == "hash":
            raise ConfigError(
                f"check {validator.name!r}: action 'hash' needs a key; pass action=guardkit.Hash(key=...)"
            )
        try:
            action = Action.parse(lowered)
        except ValueError:
            raise ConfigError(
                f"check {validator.name!r}: unknown action {raw!r}; expected block, redact, warn, "
                "allow, pseudonymize, or a redactor such as guardkit.Mask()"
            ) from None
        return action, (template if action is Action.REDACT else None)
    if callable(getattr(raw, "replace", None)):
        return Action.REDACT, raw
    raise ConfigError(f"check {validator.name!r}: invalid action {raw!r}")


def _as_items(name: str, items: Iterable[object] | None) -> tuple[Validator | Sanitizer, ...]:
    if items is None:
        return ()
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise ConfigError(f"Policy({name}=...) takes a list of checks, got {type(items).__name__}")
    out: list[Validator | Sanitizer] = []
    for item in items:
        if not isinstance(getattr(item, "name", None), str):
            raise ConfigError(
                f"Policy({name}=...): {item!r} is not a check (it needs a str `name` and a "
                "`check(text)` or `clean(text)` method; wrap plain functions with "
                "guardkit.validator() or guardkit.sanitizer())"
            )
        if not isinstance(item, (Validator, Sanitizer)):
            raise ConfigError(f"Policy({name}=...): {item!r} has neither check(text) nor clean(text)")
        out.append(item)
    return tuple(out)


class Policy:
    """An immutable bundle of checks for what goes into and comes out of a model.

    Args:
        input: Checks for user input (validators and sanitizers; sanitizers run first, in order).
        output: Checks for model output.
        tool: Checks for tool results and retrieved documents in a message list; defaults to *input*.
        on_fail: Per-check action overrides, keyed by check name (``{"pii": "pseudonymize"}``).
        fail_open: Names of checks that may fail open: if one raises, the call goes on with a
            :class:`~guardkit.GuardkitWarning` instead of being blocked.
        trusted_roles: Message roles whose content is not checked (``system`` and ``developer``).
        monitor: Shadow mode: run every check and report events, but never block or rewrite.
        events: Where decision events go (a callable taking an :class:`~guardkit.Event`); defaults
            to the ``"guardkit"`` logger.
        stream_window: Characters held back in streams for checks that do not declare a window.
        name: Name reported in events.

    Raises:
        ConfigError: An item is not a check, an action is unknown, or an override names no check.

    .. versionadded:: 0.1
    """

    __slots__ = (
        "_input",
        "_output",
        "_tool",
        "events",
        "fail_open",
        "monitor",
        "name",
        "on_fail",
        "stream_window",
        "trusted_roles",
    )

    _input: Stage
    _output: Stage
    _tool: Stage
    events: Sink | None
    fail_open: frozenset[str]
    monitor: bool
    name: str
    on_fail: dict[str, object]
    stream_window: int
    trusted_roles: frozenset[str]

    def __init__(
        self,
        input: Iterable[Validator | Sanitizer] | None = None,  # noqa: A002 - the natural name
        output: Iterable[Validator | Sanitizer] | None = None,
        *,
        tool: Iterable[Validator | Sanitizer] | None = None,
        on_fail: Mapping[str, str | Action | object] | None = None,
        fail_open: Iterable[str] = (),
        trusted_roles: Iterable[str] = _TRUSTED_ROLES,
        monitor: bool = False,
        events: Sink | None = None,
        stream_window: int = DEFAULT_STREAM_WINDOW,
        name: str = "policy",
    ) -> None:
        if isinstance(fail_open, str) or isinstance(trusted_roles, str):
            raise ConfigError("fail_open and trusted_roles take a collection of names, not a str")
        if not isinstance(stream_window, int) or stream_window <= 0:
            raise ConfigError(f"stream_window must be a positive int, got {stream_window!r}")
        if events is not None and not callable(events):
            raise ConfigError("events must be a callable taking an Event")
        input_items = _as_items("input", input)
        output_items = _as_items("output", output)
        tool_items = input_items if tool is None else _as_items("tool", tool)
        overrides = dict(on_fail or {})
        known = {item.name for item in (*input_items, *output_items, *tool_items)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigError(f"on_fail names no check of this policy: {', '.join(unknown)}")
        fail_open_set = frozenset(fail_open)
        unknown_fo = sorted(fail_open_set - known)
        if unknown_fo:
            raise ConfigError(f"fail_open names no check of this policy: {', '.join(unknown_fo)}")
        set_ = object.__setattr__
        set_(self, "on_fail", overrides)
        set_(self, "fail_open", fail_open_set)
        set_(self, "trusted_roles", frozenset(trusted_roles))
        set_(self, "monitor", bool(monitor))
        set_(self, "events", events)
        set_(self, "stream_window", stream_window)
        set_(self, "name", name)
        set_(self, "_input", Stage("input", input_items, overrides, fail_open_set, stream_window))
        set_(self, "_output", Stage("output", output_items, overrides, fail_open_set, stream_window))
        set_(self, "_tool", Stage("tool", tool_items, overrides, fail_open_set, stream_window))
        if self._input.pseudonymizes or self._output.pseudonymizes or self._tool.pseudonymizes:
            for stage in (self._input, self._output, self._tool):
                stage.observe = True

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Policy is immutable; use policy.replace(...)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Policy is immutable")

    @property
    def input(self) -> tuple[Validator | Sanitizer, ...]:
        """The input checks."""
        return self._input.items

    @property
    def output(self) -> tuple[Validator | Sanitizer, ...]:
        """The output checks."""
        return self._output.items

    @property
    def tool(self) -> tuple[Validator | Sanitizer, ...]:
        """The checks for tool results and documents."""
        return self._tool.items

    def replace(self, **changes: Any) -> Policy:
        """Return a copy with *changes* applied (same keywords as the constructor)."""
        current: dict[str, Any] = {
            "input": self.input,
            "output": self.output,
            "tool": None if self._tool.items is self._input.items else self.tool,
            "on_fail": self.on_fail,
            "fail_open": self.fail_open,
            "trusted_roles": self.trusted_roles,
            "monitor": self.monitor,
            "events": self.events,
            "stream_window": self.stream_window,
            "name": self.name,
        }
        bad = sorted(set(changes) - set(current))
        if bad:
            raise ConfigError(f"Policy.replace() got unknown fields: {', '.join(bad)}")
        if "input" in changes and "tool" not in changes and current["tool"] is None:
            current["tool"] = None
        current.update(changes)
        return Policy(**current)

    def __repr__(self) -> str:
        parts = [f"input={list(self.input)!r}", f"output={list(self.output)!r}"]
        if self._tool.items is not self._input.items:
            parts.append(f"tool={list(self.tool)!r}")
        if self.monitor:
            parts.append("monitor=True")
        if self.name != "policy":
            parts.append(f"name={self.name!r}")
        return f"Policy({', '.join(parts)})"

    # -- checking without a call -------------------------------------------------------------

    def check_input(self, value: object, /) -> Any:
        """Run the input checks over a str or a chat message list and return the :class:`Verdict`.

        Nothing is raised for blocked text: inspect ``verdict.blocked``.

        Raises:
            TypeError: *value* is not a str or a message list.
            ValidatorFailed: A check raised and is not configured to fail open.
        """
        return _engine().check_value(self, "input", value, None)

    def check_output(self, value: object, /) -> Any:
        """Run the output checks over *value* and return the :class:`Verdict`."""
        return _engine().check_value(self, "output", value, None)

    async def acheck_input(self, value: object, /) -> Any:
        """Async twin of :meth:`check_input`: awaits checks that define ``acheck``."""
        return await _engine().acheck_value(self, "input", value, None)

    async def acheck_output(self, value: object, /) -> Any:
        """Async twin of :meth:`check_output`."""
        return await _engine().acheck_value(self, "output", value, None)

    # -- constructors ------------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Policy:
        """Build a policy from a ``guardkit.toml`` file or the ``[tool.guardkit]`` table of a
        ``pyproject.toml``.

        Raises:
            ConfigError: The file is missing, not TOML, or has unknown keys or bad values.
        """
        from guardkit.config import load_policy

        return load_policy(path)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Build a policy from a dict of the same shape as the TOML configuration."""
        from guardkit.config import policy_from_dict

        return policy_from_dict(data)

    @classmethod
    def recommended(cls) -> Policy:
        """Return the built-in policy for a chat application's input and output.

        It blocks smuggling and injection in user and tool content, redacts secrets and invisible
        characters, and leaves ordinary text alone.
        """
        from guardkit._recommended import recommended_policy

        return recommended_policy()
