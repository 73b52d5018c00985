"""Test helpers for code that uses guardkit: a scripted fake model, an event recorder, assertions on
what a policy does, and a red-team corpus of attack payloads.

Nothing here needs pytest or a network; the pytest plugin (``guardkit.pytest_plugin``) wraps these
helpers in fixtures.
"""

from __future__ import annotations

import re
from _thread import allocate_lock
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final, cast, overload

from guardkit._errors import Blocked, ConfigError, InputBlocked, OutputBlocked
from guardkit._events import Event, default_sink
from guardkit._redteam import ATTACK_FAMILIES, FAMILIES, Payload, build_corpus
from guardkit._types import Action, Finding, Verdict

if TYPE_CHECKING:
    import logging

    from guardkit._events import Sink
    from guardkit._policy import Policy

__all__ = [
    "ATTACK_FAMILIES",
    "FAMILIES",
    "EventRecorder",
    "FakeModel",
    "Payload",
    "Reply",
    "aassert_allowed",
    "aassert_blocked",
    "assert_allowed",
    "assert_blocked",
    "assert_redacted",
    "capture_events",
    "redteam",
]

_WORDS: Final = re.compile(r"\s*\S+|\s+")
_STAGES: Final = ("input", "output")


# -- the fake model ------------------------------------------------------------------------------


class Reply:
    """One scripted reply of a :class:`FakeModel`.

    Args:
        text: The reply text. May be omitted when *chunks* are given (it is their concatenation).
        chunks: How a stream delivers the text; they must join to *text*.
        chunk_size: Split the text into chunks of this many characters instead.
        error: An exception (instance or class) to raise: a plain call raises it instead of
            returning, a stream raises it after yielding the chunks (a connection dropped mid-reply).

    Raises:
        ConfigError: The chunks do not join to the text, or an argument has the wrong type.

    .. versionadded:: 0.1
    """

    __slots__ = ("chunks", "error", "text")

    chunks: tuple[str, ...] | None
    error: BaseException | type[BaseException] | None
    text: str

    def __init__(
        self,
        text: str | None = None,
        *,
        chunks: Iterable[str] | None = None,
        chunk_size: int | None = None,
        error: BaseException | type[BaseException] | None = None,
    ) -> None:
        if text is not None and not isinstance(text, str):
            raise ConfigError(f"Reply: text must be a str, got {type(text).__name__}")
        if error is not None and not _is_exception(error):
            raise ConfigError(f"Reply: error must be an exception, got {type(error).__name__}")
        if chunks is not None and chunk_size is not None:
            raise ConfigError("Reply: pass chunks or chunk_size, not both")
        parts: tuple[str, ...] | None = None
        if chunks is not None:
            if isinstance(chunks, str):
                raise ConfigError("Reply: chunks must be a list of str, not one str")
            parts = tuple(chunks)
            if not all(isinstance(c, str) for c in parts):
                raise ConfigError("Reply: chunks must all be str")
            joined = "".join(parts)
            if text is None:
                text = joined
            elif joined != text:
                raise ConfigError(
                    f"Reply: the chunks join to {len(joined)} characters that differ from the "
                    f"{len(text)}-character text"
                )
        if chunk_size is not None:
            if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
                raise ConfigError(f"Reply: chunk_size must be a positive int, got {chunk_size!r}")
            source = text or ""
            parts = tuple(source[i : i + chunk_size] for i in range(0, len(source), chunk_size))
        if text is None and error is None:
            raise ConfigError("Reply needs a text, chunks or an error")
        _set = object.__setattr__
        _set(self, "text", text or "")
        _set(self, "chunks", parts)
        _set(self, "error", error)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Reply is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reply):
            return NotImplemented
        return (self.text, self.chunks, self.error) == (other.text, other.chunks, other.error)

    def __hash__(self) -> int:
        return hash((self.text, self.chunks))

    def __repr__(self) -> str:
        extra = f", chunks={len(self.chunks)}" if self.chunks is not None else ""
        error = f", error={_exc_name(self.error)}" if self.error is not None else ""
        return f"Reply(<{len(self.text)} chars>{extra}{error})"


def _is_exception(value: object) -> bool:
    return isinstance(value, BaseException) or (
        isinstance(value, type) and issubclass(value, BaseException)
    )


def _exc_name(error: object) -> str:
    return error.__name__ if isinstance(error, type) else type(error).__name__


ReplySpec = str | Reply | BaseException | type[BaseException]
Handler = Callable[[Any], ReplySpec]


def _as_reply(spec: object, where: str) -> Reply:
    if isinstance(spec, Reply):
        return spec
    if isinstance(spec, str):
        return Reply(spec)
    if _is_exception(spec):
        return Reply(error=spec)  # type: ignore[arg-type]
    raise ConfigError(f"{where}: a reply is a str, a Reply or an exception, got {type(spec).__name__}")


class FakeModel:
    """A scripted model that serves plain, async and streaming calls from one script.

    Each call takes the next reply of the script, in order, whatever its style: ``model(prompt)``,
    ``await model.acall(prompt)``, ``model.stream(prompt)`` and ``model.astream(prompt)`` (the last
    two are generator functions, so :func:`guardkit.guard` wraps them as streams). A reply is a
    ``str``, a :class:`Reply` (chunk boundaries, an error after the chunks), or an exception to
    raise. Instead of a script, a *handler* function may compute each reply from the prompt.

    Streams without explicit chunk boundaries are cut the way model streams usually are: one chunk
    per word, with the whitespace before the word (or every *chunk_size* characters when given).

    Args:
        replies: The script, or a function ``prompt -> reply``.
        chunk_size: Default chunk length for streamed replies that set none.

    Raises:
        ConfigError: A reply has the wrong type, or *chunk_size* is not a positive int.

    Example:
        >>> model = FakeModel(["Hello there", Reply(chunks=["Hi", " you"])])
        >>> model("first prompt")
        'Hello there'
        >>> list(model.stream("second prompt"))
        ['Hi', ' you']
        >>> model.calls
        ['first prompt', 'second prompt']

    .. versionadded:: 0.1
    """

    __slots__ = ("_handler", "_lock", "_script", "_used", "calls", "chunk_size")

    def __init__(
        self,
        replies: Iterable[ReplySpec] | Handler = (),
        *,
        chunk_size: int | None = None,
    ) -> None:
        if chunk_size is not None and (
            isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1
        ):
            raise ConfigError(f"FakeModel: chunk_size must be a positive int, got {chunk_size!r}")
        self.chunk_size = chunk_size
        #: The prompts received, in call order.
        self.calls: list[Any] = []
        self._used = 0
        self._lock = allocate_lock()  # calls from several threads each take a different reply
        self._handler: Handler | None = None
        self._script: list[Reply] = []
        if callable(replies) and not isinstance(replies, (str, Reply)) and not _is_exception(replies):
            self._handler = replies
        elif isinstance(replies, (str, Reply)) or _is_exception(replies):
            raise ConfigError("FakeModel takes a list of replies; wrap a single reply in a list")
        else:
            self.add(*cast("Iterable[ReplySpec]", replies))

    def add(self, *replies: ReplySpec) -> FakeModel:
        """Append *replies* to the script and return the model."""
        if self._handler is not None:
            raise ConfigError("FakeModel: this model computes replies with a handler; it has no script")
        self._script.extend(_as_reply(r, "FakeModel") for r in replies)
        return self

    @property
    def pending(self) -> int:
        """How many scripted replies have not been used yet."""
        return len(self._script) - self._used

    def assert_all_used(self) -> None:
        """Fail if some scripted replies were never requested.

        Raises:
            AssertionError: Names the unused replies by position and length.
        """
        __tracebackhide__ = True
        if self.pending <= 0:
            return
        unused = self._script[self._used :]
        described = ", ".join(
            f"#{self._used + i + 1} {reply!r}" for i, reply in enumerate(unused[:5])
        ) + (f", +{len(unused) - 5} more" if len(unused) > 5 else "")
        raise AssertionError(
            f"FakeModel: {len(unused)} of {len(self._script)} scripted replies were not used "
            f"({len(self.calls)} calls made): {described}"
        )

    def _next(self, prompt: Any) -> Reply:
        if self._handler is not None:
            self.calls.append(prompt)
            return _as_reply(self._handler(prompt), "FakeModel handler")
        with self._lock:
            self.calls.append(prompt)
            index = self._used
            if index >= len(self._script):
                raise AssertionError(
                    f"FakeModel: call {len(self.calls)} has no scripted reply "
                    f"({len(self._script)} scripted); add replies or pass a handler"
                )
            self._used = index + 1
        return self._script[index]

    def _chunks(self, reply: Reply) -> tuple[str, ...]:
        if reply.chunks is not None:
            return reply.chunks
        text = reply.text
        size = self.chunk_size
        if size is not None:
            return tuple(text[i : i + size] for i in range(0, len(text), size))
        return tuple(_WORDS.findall(text))

    def __call__(self, prompt: Any, /) -> str:
        """Return the next reply's text (or raise its error)."""
        reply = self._next(prompt)
        if reply.error is not None:
            raise reply.error
        return reply.text

    async def acall(self, prompt: Any, /) -> str:
        """Async twin of calling the model."""
        return self(prompt)

    def stream(self, prompt: Any, /) -> Iterator[str]:
        """Yield the next reply in chunks; its error, if any, is raised after the last chunk.

        The reply is taken when iteration starts, as a real stream's request is sent.
        """
        reply = self._next(prompt)
        yield from self._chunks(reply)
        if reply.error is not None:
            raise reply.error

    async def astream(self, prompt: Any, /) -> AsyncIterator[str]:
        """Async twin of :meth:`stream`."""
        reply = self._next(prompt)
        for chunk in self._chunks(reply):
            yield chunk
        if reply.error is not None:
            raise reply.error

    def __repr__(self) -> str:
        calls = len(self.calls)
        if self._handler is not None:
            return f"FakeModel(handler={getattr(self._handler, '__name__', 'handler')}, calls={calls})"
        return f"FakeModel(<{len(self._script)} replies, {self.pending} pending>, calls={calls})"


# -- recording events ----------------------------------------------------------------------------


class EventRecorder(Sequence[Event]):
    """A list of the decision :class:`~guardkit.Event` s that policies emitted.

    Record a policy with :meth:`attach` (a copy of the policy whose events land here, and still reach
    its own sink), build one with ``Policy(events=recorder.sink)``, or use :func:`capture_events` to
    record every policy that logs through the default sink.

    Example:
        >>> import guardkit as gk
        >>> events = EventRecorder()
        >>> policy = events.attach(gk.Policy(input=[gk.DenySubstrings(["internal-only"])]))
        >>> _ = policy.check_input("an internal-only memo")
        >>> events.actions, events.rules
        ([<Action.BLOCK: 3>], ('deny_substrings',))

    .. versionadded:: 0.1
    """

    __slots__ = ("_events", "_forwarding")

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._forwarding = False

    def __call__(self, event: Event) -> None:
        """Record *event*."""
        self._events.append(event)

    def attach(self, policy: Policy) -> Policy:
        """Return a copy of *policy* whose events are recorded here, then go to its own sink (the
        ``"guardkit"`` logger for a policy without one)."""
        own = policy.events
        if isinstance(own, _Tee) and own._recorder is self:
            return policy
        # A policy without a sink logs through the default one; the copy keeps doing so.
        return policy.replace(events=_Tee(self, default_sink if own is None else own))

    @property
    def sink(self) -> Sink:
        """A sink that records here, for ``Policy(events=recorder.sink)``.

        Pass this rather than the recorder itself: an empty recorder is a false-y sequence, and a
        false-y ``events=`` value counts as no sink.
        """
        return _Tee(self, None)

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | Sequence[Event]:
        return self._events[index]

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EventRecorder):
            return self._events == other._events
        if isinstance(other, list):
            return self._events == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # a mutable sequence

    def clear(self) -> None:
        """Forget the events recorded so far."""
        self._events.clear()

    @property
    def actions(self) -> list[Action]:
        """The action of each event, in order."""
        return [e.action for e in self._events]

    @property
    def stages(self) -> list[str]:
        """The stage of each event, in order."""
        return [e.stage for e in self._events]

    @property
    def rules(self) -> tuple[str, ...]:
        """The distinct rule ids that fired, in order of first appearance."""
        return tuple(dict.fromkeys(f.rule for e in self._events for f in e.findings))

    @property
    def kinds(self) -> tuple[str, ...]:
        """The distinct finding kinds, in order of first appearance."""
        return tuple(dict.fromkeys(f.kind for e in self._events for f in e.findings))

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every event, in order."""
        return [f for e in self._events for f in e.findings]

    def where(self, *, stage: str | None = None, action: Action | str | None = None) -> list[Event]:
        """Return the events of *stage* and/or with *action*."""
        wanted = None if action is None else Action.parse(action)
        return [
            e
            for e in self._events
            if (stage is None or e.stage == stage) and (wanted is None or e.action is wanted)
        ]

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{e.stage}:{e.action}"
            + (f"[{','.join(sorted({f.rule for f in e.findings}))}]" if e.findings else "")
            for e in self._events[:8]
        )
        more = f", +{len(self._events) - 8} more" if len(self._events) > 8 else ""
        return f"EventRecorder(<{len(self._events)} events> {shown}{more})".rstrip()


class _Tee:
    """A sink that records into an :class:`EventRecorder`, then passes the event on."""

    __slots__ = ("_next", "_recorder")

    def __init__(self, recorder: EventRecorder, next_sink: Sink | None) -> None:
        self._recorder = recorder
        self._next = next_sink

    def __call__(self, event: Event) -> None:
        self._recorder(event)
        if self._next is None:
            return
        recorder = self._recorder
        recorder._forwarding = True  # a logging sink downstream must not be recorded twice
        try:
            self._next(event)
        finally:
            recorder._forwarding = False

    def __repr__(self) -> str:
        return f"{self._recorder!r} -> {self._next!r}" if self._next else repr(self._recorder)


def _event_from_log(data: dict[str, Any]) -> Event:
    """Rebuild an Event from the ``record.guardkit`` dict the logging sink attaches."""
    findings = tuple(
        Finding(
            f["rule"], f["kind"], f["start"], f["end"], f.get("score", 1.0), f.get("message"),
            f.get("detail", ""),
        )
        for f in data.get("findings", ())
    )
    return Event(
        stage=data["stage"],
        action=Action.parse(data["action"]),
        policy=data["policy"],
        findings=findings,
        duration_ns=round(float(data.get("duration_us", 0)) * 1000),
        monitor=bool(data.get("monitor", False)),
        context=data.get("context") or {},
        errors=tuple(data.get("errors", ())),
    )


def _log_handler(recorder: EventRecorder) -> logging.Handler:
    import logging

    class _Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            data = getattr(record, "guardkit", None)
            if isinstance(data, dict) and not recorder._forwarding:
                recorder._events.append(_event_from_log(data))

    return _Handler(logging.DEBUG)


@contextmanager
def capture_events(recorder: EventRecorder | None = None) -> Iterator[EventRecorder]:
    """Record the events of every policy that uses the default sink (the ``"guardkit"`` logger).

    Inside the block the ``"guardkit"`` logger is set to ``DEBUG`` and a handler records each event,
    so already-decorated functions of your application are captured without changes. Events are
    rebuilt from the log records: they carry everything but ``Finding.part``. Policies with their
    own ``events=`` sink do not log, so they are not seen here; use :meth:`EventRecorder.attach`.

    Args:
        recorder: Record into this recorder instead of a new one.

    Example:
        >>> import guardkit as gk
        >>> policy = gk.Policy(input=[gk.DenySubstrings(["internal-only"])])
        >>> with capture_events() as events:
        ...     _ = policy.check_input("this is internal-only")
        >>> events.actions
        [<Action.BLOCK: 3>]

    .. versionadded:: 0.1
    """
    import logging

    target = EventRecorder() if recorder is None else recorder
    logger = logging.getLogger("guardkit")
    handler = _log_handler(target)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield target
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


# -- assertions ----------------------------------------------------------------------------------


def _describe(findings: Sequence[Finding]) -> str:
    if not findings:
        return "no findings"
    shown = [
        f"{f.rule} [{f.kind}] at {f.start}:{f.end}"
        + (f" (message {f.message})" if f.message is not None else "")
        for f in findings[:8]
    ]
    if len(findings) > 8:
        shown.append(f"+{len(findings) - 8} more")
    return "; ".join(shown)


def _rule_matches(finding: Finding, rule: str) -> bool:
    return finding.rule == rule or finding.rule.startswith(rule + ".")


def _check_stage(stage: str, helper: str) -> None:
    if stage not in _STAGES:
        raise ConfigError(f"{helper}: stage must be 'input' or 'output', got {stage!r}")


def _is_policy_like(target: object) -> bool:
    return callable(getattr(target, "check_input", None)) and callable(
        getattr(target, "check_output", None)
    )


def _verdict_of(target: object, value: object, stage: str) -> Verdict:
    method = target.check_input if stage == "input" else target.check_output  # type: ignore[attr-defined]
    verdict = method(value)
    if not isinstance(verdict, Verdict):  # pragma: no cover - a misbehaving stand-in
        raise TypeError(f"{type(target).__name__}.check_{stage} did not return a Verdict")
    return verdict


async def _averdict_of(target: object, value: object, stage: str) -> Verdict:
    method = getattr(target, f"acheck_{stage}", None)
    if method is None:  # sessions check synchronously
        return _verdict_of(target, value, stage)
    verdict = await method(value)
    if not isinstance(verdict, Verdict):  # pragma: no cover - a misbehaving stand-in
        raise TypeError(f"{type(target).__name__}.acheck_{stage} did not return a Verdict")
    return verdict


def _expect_match(
    verdict: Verdict, stage: str, rule: str | None, kind: str | None, helper: str
) -> None:
    __tracebackhide__ = True
    if rule is not None and not any(_rule_matches(f, rule) for f in verdict.findings):
        raise AssertionError(
            f"{helper}: the {stage} was blocked, but not by rule {rule!r}; findings: "
            f"{_describe(verdict.findings)}"
        )
    if kind is not None and not any(f.kind == kind for f in verdict.findings):
        raise AssertionError(
            f"{helper}: the {stage} was blocked, but nothing of kind {kind!r} was found; findings: "
            f"{_describe(verdict.findings)}"
        )


def _call_sync(fn: Callable[..., Any], value: object, helper: str) -> Any:
    result = fn(value)
    if hasattr(result, "__await__") or hasattr(result, "__aiter__"):
        if hasattr(result, "__await__") and callable(getattr(result, "close", None)):
            result.close()  # a coroutine that is never awaited would warn when collected
        raise TypeError(f"{helper}: {_name(fn)} is async; use `await a{helper}(...)`")
    if isinstance(result, Iterator):
        return list(result)
    return result


async def _call_async(fn: Callable[..., Any], value: object) -> Any:
    result = fn(value)
    if hasattr(result, "__aiter__"):
        return [chunk async for chunk in result]
    if hasattr(result, "__await__"):
        return await result
    if isinstance(result, Iterator):
        return list(result)
    return result


def _name(fn: object) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__


def _blocked_outcome(
    fn: object, stage: str, rule: str | None, kind: str | None, exc: Blocked | None, helper: str
) -> Verdict:
    __tracebackhide__ = True
    if exc is None:
        raise AssertionError(
            f"{helper}: expected {_name(fn)} to raise {'Input' if stage == 'input' else 'Output'}"
            "Blocked, but the call returned normally"
        )
    wanted = InputBlocked if stage == "input" else OutputBlocked
    if not isinstance(exc, wanted):
        raise AssertionError(
            f"{helper}: expected the {stage} to be blocked, but the {exc.stage} was blocked by "
            f"{_describe(exc.verdict.findings)}"
        )
    _expect_match(exc.verdict, stage, rule, kind, helper)
    return exc.verdict


def assert_blocked(
    target: Any,
    text: Any,
    *,
    rule: str | None = None,
    kind: str | None = None,
    stage: str = "input",
) -> Verdict:
    """Assert that *target* blocks *text*, and return the blocking verdict.

    *target* is a :class:`~guardkit.Policy` (or a session), whose ``check_input``/``check_output``
    runs over *text*, or a guarded function, which is called with *text* and must raise
    :class:`~guardkit.InputBlocked` (or :class:`~guardkit.OutputBlocked` for ``stage="output"``).
    Generator functions are run to the end. Async functions need :func:`aassert_blocked`.

    Args:
        target: A policy, a session, or a guarded function.
        text: The text (or message list) to check or to call with.
        rule: A rule that must be among the findings; ``"pii"`` also matches ``"pii.email"``.
        kind: A finding kind that must be among the findings.
        stage: ``"input"`` or ``"output"``.

    Raises:
        AssertionError: The text was not blocked, or not by *rule* / *kind*. The message lists the
            rules, kinds and spans that fired.

    .. versionadded:: 0.1
    """
    __tracebackhide__ = True  # pytest shows the caller, not these frames
    helper = "assert_blocked"
    _check_stage(stage, helper)
    if _is_policy_like(target):
        verdict = _verdict_of(target, text, stage)
        if not verdict.blocked:
            state = "allowed (no check fired)" if not verdict.findings else f"{verdict.action}"
            raise AssertionError(
                f"{helper}: expected the {stage} to be blocked, but the verdict was {state}; "
                f"findings: {_describe(verdict.findings)}"
            )
        _expect_match(verdict, stage, rule, kind, helper)
        return verdict
    if not callable(target):
        raise TypeError(f"{helper}: expected a Policy or a guarded function, got {type(target).__name__}")
    try:
        _call_sync(target, text, helper)
    except Blocked as exc:
        return _blocked_outcome(target, stage, rule, kind, exc, helper)
    return _blocked_outcome(target, stage, rule, kind, None, helper)


async def aassert_blocked(
    target: Any,
    text: Any,
    *,
    rule: str | None = None,
    kind: str | None = None,
    stage: str = "input",
) -> Verdict:
    """Async twin of :func:`assert_blocked` for async functions, async generators and policies with
    async checks.

    .. versionadded:: 0.1
    """
    __tracebackhide__ = True  # pytest shows the caller, not these frames
    helper = "aassert_blocked"
    _check_stage(stage, helper)
    if _is_policy_like(target):
        verdict = await _averdict_of(target, text, stage)
        if not verdict.blocked:
            raise AssertionError(
                f"{helper}: expected the {stage} to be blocked, but the verdict was "
                f"{verdict.action}; findings: {_describe(verdict.findings)}"
            )
        _expect_match(verdict, stage, rule, kind, helper)
        return verdict
    try:
        await _call_async(target, text)
    except Blocked as exc:
        return _blocked_outcome(target, stage, rule, kind, exc, helper)
    return _blocked_outcome(target, stage, rule, kind, None, helper)


def assert_allowed(target: Any, text: Any, *, stage: str = "input") -> Any:
    """Assert that *target* lets *text* through untouched.

    For a policy or session: the verdict is ``allow`` (no check flagged anything); returns the verdict.
    For a guarded function: the call raises no :class:`~guardkit.Blocked`; returns what it returned
    (a list of chunks for generators).

    Raises:
        AssertionError: Something fired; the message lists the rules, kinds and spans.

    .. versionadded:: 0.1
    """
    __tracebackhide__ = True  # pytest shows the caller, not these frames
    helper = "assert_allowed"
    _check_stage(stage, helper)
    if _is_policy_like(target):
        verdict = _verdict_of(target, text, stage)
        if not verdict.allowed:
            raise AssertionError(
                f"{helper}: expected the {stage} to pass, but the verdict was {verdict.action}; "
                f"findings: {_describe(verdict.findings)}"
            )
        return verdict
    if not callable(target):
        raise TypeError(f"{helper}: expected a Policy or a guarded function, got {type(target).__name__}")
    try:
        return _call_sync(target, text, helper)
    except Blocked as exc:
        raise AssertionError(
            f"{helper}: expected {_name(target)} to pass, but the {exc.stage} was blocked by "
            f"{_describe(exc.verdict.findings)}"
        ) from None


async def aassert_allowed(target: Any, text: Any, *, stage: str = "input") -> Any:
    """Async twin of :func:`assert_allowed`.

    .. versionadded:: 0.1
    """
    __tracebackhide__ = True  # pytest shows the caller, not these frames
    helper = "aassert_allowed"
    _check_stage(stage, helper)
    if _is_policy_like(target):
        verdict = await _averdict_of(target, text, stage)
        if not verdict.allowed:
            raise AssertionError(
                f"{helper}: expected the {stage} to pass, but the verdict was {verdict.action}; "
                f"findings: {_describe(verdict.findings)}"
            )
        return verdict
    try:
        return await _call_async(target, text)
    except Blocked as exc:
        raise AssertionError(
            f"{helper}: expected {_name(target)} to pass, but the {exc.stage} was blocked by "
            f"{_describe(exc.verdict.findings)}"
        ) from None


def assert_redacted(
    policy: Any,
    text: Any,
    *,
    kinds: Iterable[str] | None = None,
    expected: Any = None,
    stage: str = "input",
) -> Any:
    """Assert that *policy* rewrites *text* (rather than passing or blocking it) and return the
    rewritten text (or message list).

    Args:
        policy: A :class:`~guardkit.Policy` or a session.
        text: The text or message list to check.
        kinds: Finding kinds that must all be among the findings (``{"EMAIL", "PHONE"}``).
        expected: The exact rewritten text (or message list) to expect.
        stage: ``"input"`` or ``"output"``.

    Raises:
        AssertionError: The policy passed or blocked the text, a kind is missing, or the result
            differs from *expected*.

    .. versionadded:: 0.1
    """
    __tracebackhide__ = True  # pytest shows the caller, not these frames
    helper = "assert_redacted"
    _check_stage(stage, helper)
    if isinstance(kinds, str):
        raise ConfigError(f"{helper}: kinds takes a collection of kinds, not one str")
    if not _is_policy_like(policy):
        raise TypeError(
            f"{helper}: expected a Policy or a session, got {type(policy).__name__}; for a "
            "guarded function, check the prompt your fake model received"
        )
    verdict = _verdict_of(policy, text, stage)
    result: Any = list(verdict.messages) if verdict.messages is not None else verdict.text
    if verdict.action is not Action.REDACT:
        raise AssertionError(
            f"{helper}: expected the {stage} to be redacted, but the verdict was {verdict.action}; "
            f"findings: {_describe(verdict.findings)}"
        )
    original = list(text) if verdict.messages is not None else text
    if result == original:
        raise AssertionError(
            f"{helper}: the verdict was redact but the {stage} came back unchanged; findings: "
            f"{_describe(verdict.findings)}"
        )
    if kinds is not None:
        missing = sorted(set(kinds) - set(verdict.kinds))
        if missing:
            raise AssertionError(
                f"{helper}: the {stage} was redacted, but nothing of kind "
                f"{', '.join(repr(k) for k in missing)} was found; findings: "
                f"{_describe(verdict.findings)}"
            )
    if expected is not None and result != expected:
        raise AssertionError(
            f"{helper}: the redacted {stage} differs from the expected one\n"
            f"  expected: {expected!r}\n  got:      {result!r}"
        )
    return result


# -- red-team corpus -----------------------------------------------------------------------------

_CORPUS: dict[str, tuple[Payload, ...]] = {}


def redteam(family: str | Iterable[str] | None = None) -> list[Payload]:
    """Return the red-team payloads of *family* (a name or several), or of every attack family.

    Attack families: ``injection``, ``extraction``, ``jailbreak``, ``special_tokens``, ``smuggling``,
    ``pii``, ``secrets``, ``xss`` and ``markdown_exfil``. The ``benign`` family (ordinary and
    hard-benign texts a policy should pass) is returned only when asked for by name.

    Example:
        >>> [p.id for p in redteam("smuggling")][:2]
        ['smuggling.zero-width', 'smuggling.tag-characters']

    Raises:
        ConfigError: An unknown family name.

    .. versionadded:: 0.1
    """
    if not _CORPUS:
        _CORPUS.update(build_corpus())
    if family is None:
        names: tuple[str, ...] = ATTACK_FAMILIES
    elif isinstance(family, str):
        names = (family,)
    else:
        names = tuple(family)
    unknown = [n for n in names if n not in FAMILIES]
    if unknown:
        raise ConfigError(
            f"redteam: unknown family {', '.join(map(repr, unknown))}; choose from {', '.join(FAMILIES)}"
        )
    return [p for name in dict.fromkeys(names) for p in _CORPUS[name]]


for _obj in (EventRecorder, FakeModel, Payload, Reply):
    _obj.__module__ = __name__
del _obj
