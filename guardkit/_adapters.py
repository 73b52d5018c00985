"""Adapters that turn plain functions into validators and sanitizers, and plain combinators."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, overload

from guardkit._errors import ConfigError
from guardkit._types import Finding, Validator

__all__ = ["AnyOf", "FunctionSanitizer", "FunctionValidator", "sanitizer", "validator"]


class FunctionValidator:
    """A validator made from a function (see :func:`validator`)."""

    __slots__ = ("_fn", "action", "kind", "name", "window")

    def __init__(
        self,
        fn: Callable[[str], Any],
        *,
        name: str,
        kind: str,
        action: str,
        window: int | None,
    ) -> None:
        self._fn = fn
        self.name = name
        self.kind = kind
        self.action = action
        self.window = window

    def check(self, text: str, /) -> Sequence[Finding]:
        """Call the function; ``True`` flags the whole text, ``False``/``None`` passes, and spans or
        findings are passed through."""
        result = self._fn(text)
        if result is None or result is False:
            return ()
        if result is True:
            return (Finding(self.name, self.kind, 0, len(text)),)
        out: list[Finding] = []
        for item in result:
            if isinstance(item, Finding):
                out.append(item)
            else:
                start, end = item
                out.append(Finding(self.name, self.kind, int(start), int(end)))
        return tuple(out)

    def __repr__(self) -> str:
        return f"validator({getattr(self._fn, '__qualname__', self._fn)!r}, name={self.name!r})"


class FunctionSanitizer:
    """A sanitizer made from a function (see :func:`sanitizer`)."""

    __slots__ = ("_fn", "name", "streamable")

    def __init__(self, fn: Callable[[str], str], *, name: str, streamable: bool) -> None:
        self._fn = fn
        self.name = name
        self.streamable = streamable

    def clean(self, text: str, /) -> str:
        """Call the function."""
        return self._fn(text)

    def __repr__(self) -> str:
        return f"sanitizer({getattr(self._fn, '__qualname__', self._fn)!r}, name={self.name!r})"


def _name_of(fn: Callable[..., Any], name: str | None) -> str:
    if name is not None:
        if not isinstance(name, str) or not name:
            raise ConfigError("name must be a non-empty str")
        return name
    return getattr(fn, "__name__", type(fn).__name__)


@overload
def validator(fn: Callable[[str], Any], /) -> FunctionValidator: ...
@overload
def validator(
    *,
    name: str | None = ...,
    kind: str = ...,
    action: str = ...,
    window: int | None = ...,
) -> Callable[[Callable[[str], Any]], FunctionValidator]: ...


def validator(
    fn: Callable[[str], Any] | None = None,
    /,
    *,
    name: str | None = None,
    kind: str = "CUSTOM",
    action: str = "block",
    window: int | None = None,
) -> Any:
    """Turn a function into a validator; usable bare (``@validator``) or with options.

    The function returns ``True`` to flag the whole text, ``False``/``None`` when clean, or an iterable
    of ``(start, end)`` spans or :class:`~guardkit.Finding` objects.

    .. versionadded:: 0.1
    """

    def wrap(f: Callable[[str], Any]) -> FunctionValidator:
        if not callable(f):
            raise ConfigError("validator() wraps a function")
        return FunctionValidator(f, name=_name_of(f, name), kind=kind, action=action, window=window)

    return wrap(fn) if fn is not None else wrap


@overload
def sanitizer(fn: Callable[[str], str], /) -> FunctionSanitizer: ...
@overload
def sanitizer(
    *, name: str | None = ..., streamable: bool = ...
) -> Callable[[Callable[[str], str]], FunctionSanitizer]: ...


def sanitizer(
    fn: Callable[[str], str] | None = None,
    /,
    *,
    name: str | None = None,
    streamable: bool = False,
) -> Any:
    """Turn a ``str -> str`` function into a sanitizer; usable bare or with options.

    Args:
        streamable: Whether it gives the same result applied chunk by chunk (then streams stay
            incremental; otherwise a stream is checked once complete).

    .. versionadded:: 0.1
    """

    def wrap(f: Callable[[str], str]) -> FunctionSanitizer:
        if not callable(f):
            raise ConfigError("sanitizer() wraps a function")
        return FunctionSanitizer(f, name=_name_of(f, name), streamable=streamable)

    return wrap(fn) if fn is not None else wrap


class AnyOf:
    """Flag what any of *validators* flags (their findings, merged in text order).

    .. versionadded:: 0.1
    """

    __slots__ = ("_checks", "action", "name", "validators", "window")

    def __init__(
        self, *validators: Validator, name: str = "any_of", action: str = "block"
    ) -> None:
        if not validators:
            raise ConfigError("AnyOf needs at least one validator")
        for v in validators:
            if not isinstance(v, Validator):
                raise ConfigError(f"AnyOf: {v!r} is not a validator")
        self.validators = validators
        self._checks = tuple(v.check for v in validators)
        self.name = name
        self.action = action
        windows = [getattr(v, "window", None) for v in validators]
        self.window = None if None in windows else max(w for w in windows if w is not None)

    def check(self, text: str, /) -> Sequence[Finding]:
        """Run each validator and merge their findings."""
        found: list[Finding] = []
        for check in self._checks:
            found.extend(check(text))
        if not found:
            return ()
        found.sort(key=lambda f: (f.start, f.end))
        return tuple(found)

    def __repr__(self) -> str:
        return f"AnyOf({', '.join(map(repr, self.validators))})"

