"""The ``guard()`` decorator and its four call drivers (sync, async, generator, async generator).

The call style is decided once, when the function is wrapped, and so is where the prompt sits in the
call. Each driver does only its own I/O; the checks run in the shared engine.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping
from typing import Any, Final, Protocol, TypeVar, cast, overload

from guardkit._engine import acheck_value, check_value
from guardkit._errors import Blocked, ConfigError, InputBlocked, OutputBlocked
from guardkit._policy import Policy
from guardkit._session import CallState as _CallState
from guardkit._session import Session, _current
from guardkit._stream import OutputStream
from guardkit._types import Verdict

__all__ = ["OutputAdapter", "StreamAdapter", "guard"]

F = TypeVar("F", bound=Callable[..., Any])
_MISSING: Final = object()
_PROMPT_NAMES: Final = ("messages", "prompt", "input", "text")


class OutputAdapter(Protocol):
    """Reads the text out of a model's response object and puts sanitized text back."""

    def text(self, result: Any, /) -> str | None:
        """Return the text to check, or ``None`` when the result carries none."""
        ...

    def replace(self, result: Any, text: str, /) -> Any:
        """Return *result* with its text replaced by *text*."""
        ...


class StreamAdapter(Protocol):
    """Reads text deltas out of a model's stream events and puts released text back.

    ``text(event)`` returns ``None`` for structural events (start, stop, tool calls); such an event
    ends the current text block, whose held-back text is checked and released before it. An adapter
    may also define ``ends_block(event) -> bool``: for an event without text that does not end the
    block (a keep-alive ping), it returns ``False`` and the event passes at once, without splitting
    the text that is checked.
    """

    def text(self, event: Any, /) -> str | None:
        """Return the text delta of *event*, or ``None`` when it carries none."""
        ...

    def replace(self, event: Any, text: str, /) -> Any:
        """Return *event* with its text delta replaced by *text*."""
        ...


class _FunctionOutput:
    """Adapter for a plain ``result -> str`` function: checks but cannot rewrite."""

    __slots__ = ("_fn",)

    def __init__(self, fn: Callable[[Any], str | None]) -> None:
        self._fn = fn

    def text(self, result: Any) -> str | None:
        return self._fn(result)

    def replace(self, result: Any, text: str) -> Any:
        raise _CannotRewrite


class _CannotRewrite(Exception):
    pass


class _Plan:
    """Everything the drivers need, computed at decoration."""

    __slots__ = (
        "async_in",
        "async_out",
        "check_in",
        "check_out",
        "ends_block",
        "locate",
        "on_block",
        "output",
        "policy",
        "stream",
    )

    def __init__(
        self,
        fn: Callable[..., Any],
        policy: Policy,
        prompt: str | None,
        output: OutputAdapter | Callable[[Any], str | None] | None,
        on_block: Any,
        stream: StreamAdapter | None = None,
    ) -> None:
        if stream is not None and not (hasattr(stream, "text") and hasattr(stream, "replace")):
            raise ConfigError("stream= takes a StreamAdapter (text(event) and replace(event, text))")
        self.stream = stream
        ends_block = getattr(stream, "ends_block", None)
        if ends_block is not None and not callable(ends_block):
            raise ConfigError("a StreamAdapter's ends_block must be a method ends_block(event) -> bool")
        self.ends_block: Callable[[Any], bool] | None = ends_block
        if not isinstance(policy, Policy):
            raise ConfigError(f"guard() needs a Policy, got {type(policy).__name__}; use @guard(policy)")
        self.policy = policy
        self.check_in = not (policy._input.empty and policy._tool.empty)
        self.async_in = policy._input.async_checks or policy._tool.async_checks
        self.check_out = not policy._output.empty
        self.async_out = policy._output.async_checks
        self.on_block = on_block
        if output is None or (hasattr(output, "text") and hasattr(output, "replace")):
            self.output = cast("OutputAdapter | None", output)
        elif callable(output):
            self.output = _FunctionOutput(output)
        else:
            raise ConfigError("output= takes an OutputAdapter or a function returning the text")
        self.locate = _locator(fn, prompt)

    def fallback(self, exc: Blocked) -> Any:
        if self.on_block is _MISSING:
            raise exc
        return self.on_block(exc) if callable(self.on_block) else self.on_block

    # -- input -------------------------------------------------------------------------------

    def input_verdict(self, args: tuple[Any, ...], kwargs: dict[str, Any], ctx: Any) -> Any:
        where, value = self.locate(args, kwargs)
        return where, value, check_value(self.policy, "input", value, ctx)

    def apply_input(
        self,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        where: int | str,
        value: Any,
        verdict: Verdict,
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        if self.policy.monitor:
            return args, kwargs
        if verdict.blocked:
            raise InputBlocked(verdict)
        new = list(verdict.messages) if verdict.messages is not None else verdict.text
        if verdict.messages is None and new is value:
            return args, kwargs
        if isinstance(where, int):
            args = (*args[:where], new, *args[where + 1 :])
        else:
            kwargs = {**kwargs, where: new}
        return args, kwargs

    def check_call(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], ctx: Any
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Check the prompt of one call; return the arguments with the sanitized prompt."""
        where, value, verdict = self.input_verdict(args, kwargs, ctx)
        return self.apply_input(args, kwargs, where, value, verdict)

    async def acheck_call(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], ctx: Any
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Async twin of :meth:`check_call`: awaits checks that define ``acheck``."""
        if not self.async_in:
            return self.check_call(args, kwargs, ctx)
        where, value = self.locate(args, kwargs)
        verdict = await acheck_value(self.policy, "input", value, ctx)
        return self.apply_input(args, kwargs, where, value, verdict)

    # -- output ------------------------------------------------------------------------------

    def output_value(self, result: Any, ctx: Any) -> Any:
        if not self.check_out and not _restoring(ctx):
            return result
        if isinstance(result, str):
            text: str | None = result
        elif self.output is not None:
            text = self.output.text(result)
            if text is None:
                return result
            if type(text) is not str:
                raise TypeError(f"the output adapter returned {type(text).__name__}, not str")
        elif not self.check_out:
            return result
        else:
            raise TypeError(
                f"guarded function returned {type(result).__name__}; pass output= to guard() to "
                "say where its text is"
            )
        if text is None:  # pragma: no cover - every branch above returned, raised or set it
            return result
        verdict = check_value(self.policy, "output", text, ctx)
        return self._finish_output(result, text, verdict, ctx)

    async def aoutput_value(self, result: Any, ctx: Any) -> Any:
        if self.policy._output.async_checks and (isinstance(result, str) or self.output):
            text = result if isinstance(result, str) else self.output.text(result)  # type: ignore[union-attr]
            if text is None:
                return result
            if not isinstance(text, str):  # a list here would be read as chat messages
                raise TypeError(f"the output adapter returned {type(text).__name__}, not str")
            verdict = await acheck_value(self.policy, "output", text, ctx)
            return self._finish_output(result, text, verdict, ctx)
        return self.output_value(result, ctx)

    def _finish_output(self, result: Any, text: str, verdict: Verdict, ctx: Any) -> Any:
        if self.policy.monitor:
            new = text
        elif verdict.blocked:
            raise OutputBlocked(verdict)
        else:
            new = verdict.text
        if _restoring(ctx):
            new = ctx.vault.restore(new)
        if isinstance(result, str) or new is text:
            return new if isinstance(result, str) else result
        try:
            return self.output.replace(result, new)  # type: ignore[union-attr]
        except _CannotRewrite:
            # The text had to change but the caller gave no way to put it back: never return the
            # unsanitized object.
            raise OutputBlocked(verdict) from None


def _locator(
    fn: Callable[..., Any], prompt: str | None
) -> Callable[[tuple[Any, ...], dict[str, Any]], tuple[int | str, Any]]:
    """Build the function that finds the prompt in a call, deciding everything possible now."""
    import inspect

    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names = [p.name for p in params]
    name = prompt
    if name is not None and name not in names:
        raise ConfigError(f"guard(prompt={name!r}): {fn.__qualname__} has no such parameter")
    if name is None:
        name = next((n for n in _PROMPT_NAMES if n in names), None)
    if name is not None:
        index = next((i for i, p in enumerate(positional) if p.name == name), None)
        keyword_ok = next(p for p in params if p.name == name).kind is not inspect.Parameter.POSITIONAL_ONLY

        def by_name(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int | str, Any]:
            if keyword_ok and name in kwargs:
                return name, kwargs[name]
            if index is not None and index < len(args):
                return index, args[index]
            raise TypeError(f"guard: the call has no {name!r} argument to check")

        return by_name

    def first_text(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int | str, Any]:
        for i, arg in enumerate(args):
            if isinstance(arg, str):
                return i, arg
        for key, arg in kwargs.items():
            if isinstance(arg, str):
                return key, arg
        raise TypeError("guard: found no str argument to check; name it with guard(policy, prompt='param')")

    return first_text


def _is_coroutine_callable(fn: Any) -> bool:
    import inspect

    while isinstance(fn, functools.partial):
        fn = fn.func
    if inspect.iscoroutinefunction(fn):
        return True
    call = getattr(fn, "__call__", None)  # noqa: B004 - objects with an async __call__
    return inspect.iscoroutinefunction(call)


@overload
def guard(policy: Policy) -> Callable[[F], F]: ...
@overload
def guard(
    policy: Policy,
    *,
    prompt: str | None = ...,
    output: OutputAdapter | Callable[[Any], str | None] | None = ...,
    stream: StreamAdapter | None = ...,
    on_block: Any = ...,
    output_model: Any = ...,
    max_retries: int = ...,
    reask: Callable[[str, Any], str] | None = ...,
    retry_budget: int | None = ...,
    count_tokens: Callable[[str], int] | None = ...,
) -> Callable[..., Any]: ...


def guard(
    policy: Policy,
    *,
    prompt: str | None = None,
    output: OutputAdapter | Callable[[Any], str | None] | None = None,
    stream: StreamAdapter | None = None,
    on_block: Any = _MISSING,
    output_model: Any = None,
    max_retries: int = 0,
    reask: Callable[[str, Any], str] | None = None,
    retry_budget: int | None = None,
    count_tokens: Callable[[str], int] | None = None,
) -> Callable[[F], F]:
    """Wrap a model-call function so its input and output go through *policy*.

    Works on sync, async, generator and async-generator functions; the call style is decided here,
    once. The prompt is the parameter named *prompt*, else a ``messages``/``prompt``/``input``/``text``
    parameter, else the first ``str`` argument of each call. Generators are checked as streams: text is
    released only after every output check has passed it.

    Args:
        policy: The policy to enforce.
        prompt: Name of the parameter that carries the prompt or message list.
        output: How to read (and rewrite) the text of a non-str result, such as an SDK response.
        stream: How to read (and rewrite) the text of non-str stream events, for generators.
        on_block: Returned (or yielded, for generators) instead of raising when the policy blocks;
            a callable receives the :class:`~guardkit.Blocked` exception and returns the fallback.
        output_model: A pydantic model (or any type pydantic validates): the checked output is parsed
            into it with :func:`~guardkit.parse_model` and the instance is returned. Sync and async
            functions only.
        max_retries: With *output_model*, how many times to call the function again when the output
            does not parse, with the errors appended to the prompt.
        reask: ``(prompt, error) -> prompt`` building a retry's prompt; defaults to
            :func:`~guardkit.default_reask`. For message lists it receives ``""`` and its result is
            sent as a new user message.
        retry_budget: Tokens that all attempts together may spend (prompts plus outputs); a retry
            that would exceed it is not made and the last error is raised.
        count_tokens: How tokens are counted for *retry_budget* (default: about four characters per
            token, or pass ``MaxTokens(...).count`` for tiktoken's count).

    Raises:
        ConfigError: *policy* is not a Policy, or *prompt* names no parameter.

    .. versionadded:: 0.1
    """

    def decorate(fn: F) -> F:
        if not callable(fn):
            raise ConfigError(f"guard() decorates functions, got {type(fn).__name__}")
        import inspect

        if output_model is not None:
            return cast(
                F,
                _structured(
                    fn,
                    policy,
                    prompt,
                    output,
                    stream,
                    on_block,
                    output_model,
                    max_retries,
                    reask,
                    retry_budget,
                    count_tokens,
                ),
            )
        if max_retries or reask is not None or retry_budget is not None:
            raise ConfigError("max_retries, reask and retry_budget need output_model=")
        plan = _Plan(fn, policy, prompt, output, on_block, stream)
        if inspect.isasyncgenfunction(fn):
            return cast(F, _drive_async_gen(fn, plan))
        if inspect.isgeneratorfunction(fn):
            return cast(F, _drive_gen(fn, plan))
        if _is_coroutine_callable(fn):
            return cast(F, _drive_async(fn, plan))
        return cast(F, _drive_sync(fn, plan))

    return decorate


def _drive_sync(fn: Callable[..., Any], plan: _Plan) -> Callable[..., Any]:
    check_in = plan.check_in

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx: Session | _CallState | None = _current.get()
        try:
            if check_in:
                if ctx is None:
                    ctx = _CallState()
                args, kwargs = plan.check_call(args, kwargs, ctx)
            return plan.output_value(fn(*args, **kwargs), ctx)
        except Blocked as exc:
            return plan.fallback(exc)

    return wrapper


def _drive_async(fn: Callable[..., Any], plan: _Plan) -> Callable[..., Any]:
    check_in = plan.check_in

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx: Session | _CallState | None = _current.get()
        try:
            if check_in:
                if ctx is None:
                    ctx = _CallState()
                args, kwargs = await plan.acheck_call(args, kwargs, ctx)
            return await plan.aoutput_value(await fn(*args, **kwargs), ctx)
        except Blocked as exc:
            return plan.fallback(exc)

    return wrapper


def _restoring(ctx: Any) -> bool:
    """Whether output must have pseudonyms put back (without creating a vault to find out)."""
    if ctx is None:
        return False
    if type(ctx) is _CallState:
        return ctx._vault is not None and len(ctx._vault) > 0
    return bool(ctx.restore) and len(ctx.vault) > 0


def _stream_needed(plan: _Plan, ctx: Any) -> bool:
    return plan.check_out or _restoring(ctx)


class _Blocks:
    """Streams one reply as text blocks: plain str chunks, or SDK events read through a
    :class:`StreamAdapter`, where a structural event closes the current block.

    One :class:`OutputStream` serves every block of the reply, so length and token limits count the
    whole reply; at the end of a block its held-back text is checked to the end, and the next block
    is checked without it as context.
    """

    __slots__ = ("_adapter", "_ctx", "_ends_block", "_last", "_plan", "_stream")

    def __init__(self, plan: _Plan, ctx: Any) -> None:
        self._plan = plan
        self._ctx = ctx
        self._adapter = plan.stream
        self._ends_block = plan.ends_block
        self._stream: OutputStream | None = None
        self._last: Any = None

    @property
    def exhausted(self) -> bool:
        return self._stream is not None and self._stream.exhausted

    def _open(self) -> OutputStream:
        stream = self._stream
        if stream is None:
            stream = self._stream = OutputStream(self._plan.policy, self._ctx)
        return stream

    def _out(self, event: Any, released: str) -> list[Any]:
        if not released:
            return []
        return [released if self._adapter is None else self._adapter.replace(event, released)]

    def _passes(self, event: Any) -> bool:
        """Whether *event*, which carries no text, passes at once without ending the text block."""
        ends_block = self._ends_block
        return ends_block is not None and not ends_block(event)

    def feed(self, chunk: Any) -> list[Any]:
        adapter = self._adapter
        if adapter is None:
            text = chunk
        else:
            text = adapter.text(chunk)
            if text is None:
                if self._passes(chunk):
                    return [chunk]
                out = [] if self._stream is None else self._out(self._last, self._stream._end_block())
                out.append(chunk)
                return out
            self._last = chunk
        released = self._open().feed(text)
        if not released:
            return []
        return [released if adapter is None else adapter.replace(chunk, released)]

    async def afeed(self, chunk: Any) -> list[Any]:
        """Async twin of :meth:`feed`: awaits the checks that define ``acheck``."""
        adapter = self._adapter
        if adapter is None:
            text = chunk
        else:
            text = adapter.text(chunk)
            if text is None:
                if self._passes(chunk):
                    return [chunk]
                out = [] if self._stream is None else self._out(self._last, await self._stream._aend_block())
                out.append(chunk)
                return out
            self._last = chunk
        return self._out(chunk, await self._open().afeed(text))

    def finish(self) -> list[Any]:
        stream, self._stream = self._stream, None
        return [] if stream is None else self._out(self._last, stream.finish())

    async def afinish(self) -> list[Any]:
        stream, self._stream = self._stream, None
        return [] if stream is None else self._out(self._last, await stream.afinish())


def _drive_gen(fn: Callable[..., Iterator[Any]], plan: _Plan) -> Callable[..., Iterator[Any]]:
    check_in = plan.check_in

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
        ctx: Session | _CallState | None = _current.get()
        try:
            if check_in:
                if ctx is None:
                    ctx = _CallState()
                args, kwargs = plan.check_call(args, kwargs, ctx)
        except Blocked as exc:
            yield plan.fallback(exc)
            return
        inner = cast(Generator[Any, None, None], fn(*args, **kwargs))
        if not _stream_needed(plan, ctx):
            yield from inner
            return
        blocks = _Blocks(plan, ctx)
        try:
            for chunk in inner:
                yield from blocks.feed(chunk)
                if blocks.exhausted:
                    break
            yield from blocks.finish()
        except Blocked as exc:
            yield plan.fallback(exc)
        finally:
            inner.close()

    return wrapper


def _drive_async_gen(fn: Callable[..., AsyncIterator[Any]], plan: _Plan) -> Callable[..., AsyncIterator[Any]]:
    check_in = plan.check_in

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        ctx: Session | _CallState | None = _current.get()
        try:
            if check_in:
                if ctx is None:
                    ctx = _CallState()
                args, kwargs = await plan.acheck_call(args, kwargs, ctx)
        except Blocked as exc:
            yield plan.fallback(exc)
            return
        inner = fn(*args, **kwargs)
        if not _stream_needed(plan, ctx):
            try:
                async for chunk in inner:
                    yield chunk
            finally:
                await inner.aclose()  # type: ignore[attr-defined]
            return
        blocks = _Blocks(plan, ctx)
        awaited = plan.async_out  # checks with acheck are awaited, as for async def functions
        try:
            async for chunk in inner:
                for out in await blocks.afeed(chunk) if awaited else blocks.feed(chunk):
                    yield out
                if blocks.exhausted:
                    break
            for out in await blocks.afinish() if awaited else blocks.finish():
                yield out
        except Blocked as exc:
            yield plan.fallback(exc)
        finally:
            await inner.aclose()  # type: ignore[attr-defined]

    return wrapper


def _approximate_tokens(text: str) -> int:
    return len(text) // 4 + 1


class _Reasker:
    """The retry logic of ``output_model=``, shared by the sync and async wrappers: parse a reply, or
    build the next call's arguments while the retry count and token budget allow."""

    __slots__ = ("budget", "build", "count", "max_retries", "model", "parse", "plan")

    def __init__(
        self,
        plan: _Plan,
        model: Any,
        max_retries: int,
        reask: Callable[[str, Any], str] | None,
        budget: int | None,
        count: Callable[[str], int] | None,
    ) -> None:
        from guardkit._structured import default_reask, parse_model

        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigError(f"max_retries must be a non-negative int, got {max_retries!r}")
        if budget is not None and (not isinstance(budget, int) or budget <= 0):
            raise ConfigError(f"retry_budget must be a positive int, got {budget!r}")
        if reask is not None and not callable(reask):
            raise ConfigError("reask must be a function (prompt, error) -> prompt")
        self.plan = plan
        self.model = model
        self.parse = parse_model
        self.max_retries = max_retries
        self.build = reask or default_reask
        self.budget = budget
        self.count = count or _approximate_tokens

    def _size(self, value: Any) -> int:
        if isinstance(value, str):
            return self.count(value)
        return sum(self.count(str(m.get("content", ""))) for m in value if isinstance(m, Mapping))

    def prompt_cost(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
        try:
            return self._size(self.plan.locate(args, kwargs)[1])
        except TypeError:
            return 0

    def text_of(self, result: Any) -> str:
        if isinstance(result, str):
            return result
        text = self.plan.output.text(result) if self.plan.output is not None else None
        if not isinstance(text, str):
            raise TypeError("output_model= needs a str result or an output= adapter that reads its text")
        return text

    def attempt(
        self, result: Any, attempt: int, args: tuple[Any, ...], kwargs: dict[str, Any], spent: int
    ) -> tuple[bool, Any, int]:
        """Return ``(True, instance, spent)`` when the reply parses, else ``(False, (args, kwargs),
        spent)`` for the next call; raises the parse error when no retry is allowed."""
        from guardkit._structured import StructuredOutputError

        reply = self.text_of(result)
        spent += self.count(reply)
        try:
            return True, self.parse(self.model, reply), spent
        except StructuredOutputError as error:
            if attempt >= self.max_retries:
                raise
            where, value = self.plan.locate(args, kwargs)
            if isinstance(value, str):
                new: Any = self.build(value, error)
            else:
                new = [*value, {"role": "user", "content": self.build("", error).strip()}]
            cost = self._size(new)
            # The next reply is assumed to be as long as this one.
            if self.budget is not None and spent + cost + self.count(reply) > self.budget:
                raise
            if isinstance(where, int):
                args = (*args[:where], new, *args[where + 1 :])
            else:
                kwargs = {**kwargs, where: new}
            return False, (args, kwargs), spent + cost


def _structured(
    fn: Callable[..., Any],
    policy: Policy,
    prompt: str | None,
    output: Any,
    stream: Any,
    on_block: Any,
    model: Any,
    max_retries: int,
    reask: Callable[[str, Any], str] | None,
    retry_budget: int | None,
    count_tokens: Callable[[str], int] | None,
) -> Callable[..., Any]:
    """Wrap *fn* so its checked output is parsed into *model*, re-asking on failure within a budget."""
    import inspect

    if inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn):
        raise ConfigError(
            "output_model= needs a function that returns the whole reply; for a stream, parse the "
            "joined text with guardkit.parse_model"
        )
    plan = _Plan(fn, policy, prompt, output, on_block, stream)
    reasker = _Reasker(plan, model, max_retries, reask, retry_budget, count_tokens)
    # The inner call raises Blocked; the fallback is applied here, never parsed.
    inner_plan = _Plan(fn, policy, prompt, output, _MISSING, stream)

    if _is_coroutine_callable(fn):
        inner_async = _drive_async(fn, inner_plan)

        @functools.wraps(fn)
        async def awrapper(*args: Any, **kwargs: Any) -> Any:
            spent = reasker.prompt_cost(args, kwargs)
            for attempt in range(max_retries + 1):
                try:
                    result = await inner_async(*args, **kwargs)
                except Blocked as exc:
                    return plan.fallback(exc)
                done, value, spent = reasker.attempt(result, attempt, args, kwargs, spent)
                if done:
                    return value
                args, kwargs = value
            raise AssertionError("unreachable")  # pragma: no cover

        return awrapper

    inner = _drive_sync(fn, inner_plan)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        spent = reasker.prompt_cost(args, kwargs)
        for attempt in range(max_retries + 1):
            try:
                result = inner(*args, **kwargs)
            except Blocked as exc:
                return plan.fallback(exc)
            done, value, spent = reasker.attempt(result, attempt, args, kwargs, spent)
            if done:
                return value
            args, kwargs = value
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper
