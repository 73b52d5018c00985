"""The pure core: text (or a message list) in, Verdict out. No I/O and no asyncio here.

Every call style (sync, async, generators, sessions, ``Policy.check_*``) goes through these functions, so the
logic exists once and each driver only does its own I/O.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from time import perf_counter_ns
from typing import TYPE_CHECKING, Any, TypeAlias

from guardkit._errors import GuardkitWarning, ValidatorFailed
from guardkit._events import Event, default_sink
from guardkit._policy import PSEUDONYMIZE
from guardkit._types import Action, Finding, Verdict

if TYPE_CHECKING:
    from guardkit._policy import Policy, Stage, _Check
    from guardkit._session import Vault

__all__ = ["acheck_value", "apply_edits", "check_value", "emit", "run_stage"]

_ALLOW = Action.ALLOW
_REDACT = Action.REDACT
_BLOCK = Action.BLOCK

_TOOL_ROLES = frozenset({"tool", "function", "ipython"})
_MODEL_ROLES = frozenset({"assistant", "model"})
_TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})


def _type_error(value: object) -> TypeError:
    return TypeError(
        f"guardkit checks text: expected a str or a list of chat messages, got {type(value).__name__}"
    )


def _replacement(check: _Check, finding: Finding, value: str, ctx: Any) -> str:
    rewrite = check.rewrite
    if rewrite is None:  # a block or warn check whose span is shown redacted in a blocked verdict
        return f"[{finding.kind}]"
    if isinstance(rewrite, str):
        if rewrite is PSEUDONYMIZE:
            vault = ctx.vault if ctx is not None else _throwaway_vault()
            return vault.placeholder(finding.kind, value)
        return rewrite.format(kind=finding.kind, rule=finding.rule) if "{" in rewrite else rewrite
    return str(rewrite.replace(finding.kind, value))  # type: ignore[attr-defined]


def _throwaway_vault() -> Vault:
    from guardkit._session import Vault

    return Vault()


def apply_edits(text: str, edits: list[tuple[int, int, _Check, Finding]], ctx: Any) -> str:
    """Rewrite the spans in *edits*, merging overlapping ones first so no fragment survives.

    A merged span is replaced as a whole with the replacement of its widest finding.
    """
    edits.sort(key=lambda e: (e[0], -e[1]))
    out: list[str] = []
    pos = 0
    i = 0
    n = len(edits)
    while i < n:
        start, end, check, finding = edits[i]
        best_len = end - start
        best = (check, finding)
        j = i + 1
        while j < n and edits[j][0] < end:
            s2, e2, c2, f2 = edits[j]
            end = max(end, e2)
            if e2 - s2 > best_len:
                best_len, best = e2 - s2, (c2, f2)
            j += 1
        out.append(text[pos:start])
        out.append(_replacement(best[0], best[1], text[start:end], ctx))
        pos = end
        i = j
    out.append(text[pos:])
    return "".join(out)


def _bad_finding(finding: object, size: int) -> Exception:
    """The error for a finding that cannot be applied to a text of *size* characters."""
    if not isinstance(finding, Finding):
        return TypeError(f"a check must return Finding objects, got {type(finding).__name__}")
    start, end = finding.start, finding.end
    if type(start) is not int or type(end) is not int:
        return TypeError(f"finding offsets must be int, got {type(start).__name__} and {type(end).__name__}")
    return ValueError(f"finding span {start}:{end} is outside the text (0:{size})")


def run_checks(
    stage: Stage,
    text: str,
    precomputed: Mapping[int, Sequence[Finding] | Exception] | None = None,
    checks: tuple[_Check, ...] | None = None,
) -> tuple[Action, list[tuple[_Check, Finding]], list[str]]:
    """Run the validators of *stage* (or *checks*) over *text*; returns (action, hits, errors).

    *precomputed* maps a check's index to what it already returned for *text* (its awaited
    ``acheck``), or to the exception it raised, which is then handled here like any other.
    """
    action = _ALLOW
    hits: list[tuple[_Check, Finding]] = []
    errors: list[str] = []
    size = len(text)
    for index, check in enumerate(stage.checks if checks is None else checks):
        try:
            if precomputed is not None and index in precomputed:
                found = precomputed[index]
                if isinstance(found, Exception):
                    raise found
            else:
                found = check.check(text)
            if not found:
                continue
            for finding in found:
                # Findings enter the engine here: anything that is not a Finding with int offsets
                # inside the text is the check's failure, not a crash in the rewriting below.
                if (finding.__class__ is not Finding and not isinstance(finding, Finding)) or not (
                    type(finding.start) is int
                    and type(finding.end) is int
                    and 0 <= finding.start <= finding.end <= size
                ):
                    raise _bad_finding(finding, size)
                hits.append((check, finding))
        except Exception as exc:
            if check.fail_open:
                errors.append(check.name)
                warnings.warn(
                    f"check {check.name!r} failed ({type(exc).__name__}); continuing (fail open)",
                    GuardkitWarning,
                    stacklevel=2,
                )
                continue
            raise ValidatorFailed(check.name, stage.name) from exc
        action = max(action, check.action)
    return action, hits, errors


def clean_text(stage: Stage, text: str) -> tuple[str, list[str]]:
    """Apply the sanitizers of *stage* in order."""
    errors: list[str] = []
    for cleaner in stage.cleaners:
        try:
            cleaned = cleaner.clean(text)
            if type(cleaned) is not str:
                raise TypeError(f"sanitizer returned {type(cleaned).__name__}, not str")
        except Exception as exc:
            if cleaner.fail_open:
                errors.append(cleaner.name)
                warnings.warn(
                    f"sanitizer {cleaner.name!r} failed ({type(exc).__name__}); continuing (fail open)",
                    GuardkitWarning,
                    stacklevel=2,
                )
                continue
            raise ValidatorFailed(cleaner.name, stage.name) from exc
        text = cleaned
    return text, errors


#: One text already sanitized by the async driver: (sanitized text, failed-open sanitizers, what the
#: awaited checks returned or raised, by check index).
Prepared: TypeAlias = tuple[str, list[str], dict[int, Sequence[Finding] | Exception]]


def run_stage(
    stage: Stage,
    text: str,
    ctx: Any,
    *,
    message: int | None = None,
    part: int | None = None,
    prepared: Prepared | None = None,
) -> tuple[Action, str, tuple[Finding, ...], list[str]]:
    """Sanitize then validate one text; returns (action, rewritten text, findings, errors).

    With *prepared*, the text was already sanitized (by :func:`acheck_value`, which awaited the async
    checks on the sanitized text): the sanitizers are not run again.
    """
    precomputed = None
    if prepared is not None:
        text, cleaned_errors, precomputed = prepared
        errors = list(cleaned_errors)
    else:
        if type(text) is not str:
            if isinstance(text, str):
                text = str.__str__(text)
            else:
                raise _type_error(text)
        if stage.cleaners:
            text, errors = clean_text(stage, text)
        else:
            errors = []
    if not stage.checks:
        return _ALLOW, text, (), errors
    if stage.observe and ctx is not None:
        # Placeholder-shaped text already in the conversation is never issued as a placeholder.
        ctx.vault.observe(text)
    action, hits, check_errors = run_checks(stage, text, precomputed)
    errors.extend(check_errors)
    if not hits:
        return _ALLOW, text, (), errors
    if message is not None or part is not None:
        findings = tuple(
            Finding(f.rule, f.kind, f.start, f.end, f.score, message, f.detail, part) for _, f in hits
        )
    else:
        findings = tuple(f for _, f in hits)
    if len(findings) > 1:
        findings = tuple(sorted(findings, key=_finding_order))
    if action is _BLOCK:
        # A blocked text is still shown redacted (never with the flagged spans in clear).
        edits = [(f.start, f.end, c, f) for c, f in hits if f.end > f.start]
        text = apply_edits(text, edits, None) if edits else text
    elif action is _REDACT:
        edits = [(f.start, f.end, c, f) for c, f in hits if c.action is _REDACT]
        if edits:
            # Pseudonyms need a vault; without a call or session, one per text keeps values apart.
            state = ctx
            if state is None:
                state = _call_state()
                state.vault.observe(text)
            text = apply_edits(text, edits, state)
    return action, text, findings, errors


def _finding_order(f: Finding) -> tuple[int, int]:
    return (f.start, f.end)


# -- messages ----------------------------------------------------------------------------------


def _stage_for(policy: Policy, direction: str, role: object) -> Stage | None:
    if direction == "output":
        return policy._output
    if role in policy.trusted_roles or role in _MODEL_ROLES:
        return None
    if role in _TOOL_ROLES:
        return policy._tool
    return policy._input


_TOOL_OUTPUT_TYPES = frozenset({"function_call_output", "custom_tool_call_output"})


def _shape_error(index: int, part: int | None, what: str, value: object) -> TypeError:
    """A malformed message: names where and what was expected, never the text."""
    where = f"message {index}" if part is None else f"message {index}, content part {part}"
    return TypeError(f"{where}: {what}, got {type(value).__name__}")


def _text_blocks(
    stage: Stage,
    part: int | None,
    blocks: object,
    path: tuple[Any, ...],
    found: list[tuple[Any, ...]],
    index: int,
    what: str,
) -> None:
    """Collect the text of a str or of a list of text blocks (``{"type": "text", "text": ...}`` and
    the ``input_text``/``output_text`` variants). Blocks of other types (images) carry no text;
    anything malformed raises ``TypeError`` rather than passing unchecked."""
    if isinstance(blocks, str):
        found.append((stage, part, blocks, path))
        return
    if blocks is None:
        return
    if not isinstance(blocks, list):
        raise _shape_error(index, part, f"{what} must be a str or a list of blocks", blocks)
    for j, block in enumerate(blocks):
        if not isinstance(block, Mapping):
            raise _shape_error(index, part, f"each block of {what} must be a dict", block)
        kind = block.get("type")
        if not isinstance(kind, str):
            raise _shape_error(index, part, f"each block of {what} needs a str 'type'", kind)
        if kind in _TEXT_PART_TYPES:
            text = block.get("text")
            if not isinstance(text, str):
                raise _shape_error(index, part, f"the 'text' of a {kind} block must be a str", text)
            found.append((stage, part, text, (*path, j, "text")))


def _tool_part(
    tool: Stage, kind: str, item: Mapping[str, Any], part: int, found: list[tuple[Any, ...]], index: int
) -> None:
    """Collect the text of an Anthropic ``tool_result``, ``search_result`` or ``document`` part; parts
    of other types (images, files) carry no text to check."""
    if kind == "tool_result":
        inner = item.get("content")
        path = ("content", part, "content")
        _text_blocks(tool, part, inner, path, found, index, "tool_result content")
        if isinstance(inner, list):  # search results nested in a tool result
            for j, block in enumerate(inner):
                if block.get("type") == "search_result":
                    _text_blocks(
                        tool,
                        part,
                        block.get("content"),
                        (*path, j, "content"),
                        found,
                        index,
                        "search_result content",
                    )
    elif kind == "search_result":
        _text_blocks(
            tool,
            part,
            item.get("content"),
            ("content", part, "content"),
            found,
            index,
            "search_result content",
        )
    elif kind == "document":
        source = item.get("source")
        if not isinstance(source, Mapping):
            raise _shape_error(index, part, "a document 'source' must be a dict", source)
        source_type = source.get("type")
        if source_type == "text":
            data = source.get("data")
            if not isinstance(data, str):
                raise _shape_error(index, part, "the 'data' of a text document must be a str", data)
            found.append((tool, part, data, ("content", part, "source", "data")))
        elif source_type == "content":
            _text_blocks(
                tool,
                part,
                source.get("content"),
                ("content", part, "source", "content"),
                found,
                index,
                "document content",
            )


def _segments(
    message: Mapping[str, Any], policy: Policy, direction: str, index: int
) -> list[tuple[Any, ...]]:
    """List (stage, part index, text, rebuild key) for every checkable text in message *index*.

    Raises:
        TypeError: The message or one of its parts is malformed (a text part without str text, a
            part without a type, tool content that is neither text nor a list of blocks).
    """
    found: list[tuple[Any, ...]] = []
    if "role" in message:
        role = message["role"]
        if role is not None and not isinstance(role, str):
            raise _shape_error(index, None, "'role' must be a str", role)
    else:
        kind = message.get("type")
        if kind is not None and not isinstance(kind, str):
            raise _shape_error(index, None, "'type' must be a str", kind)
        if kind in _TOOL_OUTPUT_TYPES:
            # Responses API tool results: a str or a list of input_text parts.
            output = message.get("output")
            if not isinstance(output, (str, list)):
                raise _shape_error(index, None, f"the 'output' of a {kind} must be a str or a list", output)
            _text_blocks(policy._tool, None, output, ("output",), found, index, f"{kind} output")
            return found
        role = "user"
    stage = _stage_for(policy, direction, role)
    if stage is None:
        return []
    content = message.get("content")
    if content is None:
        return []
    if isinstance(content, str):
        return [(stage, None, content, ("content",))]
    if not isinstance(content, list):
        raise _shape_error(index, None, "content must be a str or a list of parts", content)
    tool = policy._tool
    for part, item in enumerate(content):
        if isinstance(item, str):
            found.append((stage, part, item, ("content", part)))
            continue
        if not isinstance(item, Mapping):
            raise _shape_error(index, part, "a part must be a dict or a str", item)
        kind = item.get("type")
        if not isinstance(kind, str):
            raise _shape_error(index, part, "a part needs a str 'type'", kind)
        if kind in _TEXT_PART_TYPES:
            text = item.get("text")
            if not isinstance(text, str):
                raise _shape_error(index, part, f"the 'text' of a {kind} part must be a str", text)
            found.append((stage, part, text, ("content", part, "text")))
        elif direction == "output":
            continue
        else:
            _tool_part(tool, kind, item, part, found, index)
    return found


def _rebuild(message: Mapping[str, Any], path: tuple[Any, ...], new: str) -> dict[str, Any]:
    """Return a copy of *message* with the str at *path* replaced (copying only along the path)."""
    root: Any = dict(message)
    node = root
    for key in path[:-1]:
        child = node[key]
        child = list(child) if isinstance(child, list) else dict(child)
        node[key] = child
        node = child
    node[path[-1]] = new
    return root  # type: ignore[no-any-return]


def _as_mapping(item: object, index: int) -> Mapping[str, Any]:
    """Read a message as a mapping: dicts as they are, SDK (pydantic) message objects through
    ``model_dump``."""
    if isinstance(item, Mapping):
        return item
    dump = getattr(item, "model_dump", None)
    if callable(dump):
        data = dump(exclude_unset=True)
        if isinstance(data, Mapping):
            return data
    raise TypeError(f"message {index} is a {type(item).__name__}, not a dict")


class _ListResult:
    """What checking a message list gathers, segment by segment (shared by the sync and async loops,
    which differ only in awaiting the async checks of each text before it is checked)."""

    __slots__ = ("action", "errors", "findings", "rebuilt")

    def __init__(self, messages: Sequence[Any]) -> None:
        self.action = _ALLOW
        self.findings: list[Finding] = []
        self.errors: list[str] = []
        self.rebuilt: list[Any] = list(messages)

    def add(
        self,
        result: tuple[Action, str, tuple[Finding, ...], list[str]],
        current: Mapping[str, Any],
        path: tuple[Any, ...],
        text: str,
    ) -> Mapping[str, Any]:
        """Record one checked text; return the message with the text at *path* rewritten if needed."""
        act, new, found, errs = result
        self.errors.extend(errs)
        if found:
            self.findings.extend(found)
            self.action = max(self.action, act)
        if new is not text and new != text:
            return _rebuild(current, path, new)
        return current

    def keep(self, index: int, item: Any, message: Mapping[str, Any], current: Mapping[str, Any]) -> None:
        # SDK message objects stay as they were unless a text in them had to change.
        self.rebuilt[index] = item if current is message and message is not item else current

    def verdict(self) -> Verdict:
        return Verdict(self.action, "", tuple(self.findings), tuple(self.rebuilt), tuple(self.errors))


def _check_messages(policy: Policy, direction: str, messages: Sequence[Any], ctx: Any) -> Verdict:
    out = _ListResult(messages)
    for index, item in enumerate(messages):
        message = _as_mapping(item, index)
        current: Mapping[str, Any] = message
        for stage, part, text, path in _segments(message, policy, direction, index):
            if not stage.empty:
                result = run_stage(stage, text, ctx, message=index, part=part)
                current = out.add(result, current, path, text)
        out.keep(index, item, message, current)
    return out.verdict()


async def _acheck_messages(policy: Policy, direction: str, messages: Sequence[Any], ctx: Any) -> Verdict:
    """Async twin of :func:`_check_messages`: the same steps in the same order, each text's async
    checks awaited just before it is checked."""
    out = _ListResult(messages)
    for index, item in enumerate(messages):
        message = _as_mapping(item, index)
        current: Mapping[str, Any] = message
        for stage, part, text, path in _segments(message, policy, direction, index):
            if not stage.empty:
                prepared = await _prepare_async(stage, text) if stage.async_checks else None
                result = run_stage(stage, text, ctx, message=index, part=part, prepared=prepared)
                current = out.add(result, current, path, text)
        out.keep(index, item, message, current)
    return out.verdict()


def check_value(
    policy: Policy,
    direction: str,
    value: object,
    ctx: Any,
    prepared: Prepared | None = None,
    started: int = 0,
) -> Verdict:
    """Check a str or a message list in *direction* (``"input"`` or ``"output"``) and emit an event.

    *prepared* and *started* come from :func:`acheck_value` for a str: the text already sanitized,
    with what the awaited checks returned, and when the call began.
    """
    stage = policy._input if direction == "input" else policy._output
    sink = default_sink if policy.events is None else policy.events
    # BLOCK has the highest level: when the default logger does not want it, it wants nothing.
    timed = sink is not default_sink or default_sink.wants(_BLOCK)
    t0 = (started or perf_counter_ns()) if timed else 0
    if isinstance(value, str):
        action, text, findings, errors = run_stage(stage, value, ctx, prepared=prepared)
        verdict = (
            Verdict(action, text, findings, None, tuple(errors))
            if findings or errors
            else Verdict(_ALLOW, text)
        )
    elif isinstance(value, (list, tuple)):
        # One state for the whole list, so a value keeps one placeholder across messages.
        verdict = _check_messages(policy, direction, value, _call_state() if ctx is None else ctx)
    else:
        raise _type_error(value)
    if timed:
        emit(policy, direction, verdict, perf_counter_ns() - t0, ctx)
    return verdict


_CallState: Any = None


def _call_state() -> Any:
    """A fresh per-call state (imported once, on first use: the session module imports this one)."""
    global _CallState  # noqa: PLW0603 - a one-time lazy binding to break an import cycle
    if _CallState is None:
        from guardkit._session import CallState

        _CallState = CallState
    return _CallState()


def emit(policy: Policy, stage: str, verdict: Verdict, duration_ns: int, ctx: Any) -> None:
    """Send the decision event for *verdict* to the policy's sink."""
    sink = default_sink if policy.events is None else policy.events
    if sink is default_sink and not default_sink.wants(verdict.action):
        return
    context = getattr(ctx, "context", None) or {}
    sink(
        Event(
            stage=stage,
            action=verdict.action,
            policy=policy.name,
            findings=verdict.findings,
            duration_ns=duration_ns,
            monitor=policy.monitor,
            context=context,
            errors=verdict.errors,
        )
    )


async def _prepare_async(stage: Stage, text: str) -> Prepared:
    """Sanitize *text* once and await the ``acheck`` of each check that has one on the result.

    What a check raised is kept, so :func:`run_checks` handles it exactly as on the sync path (fail
    open or fail closed, in the order of the checks).
    """
    if type(text) is not str:
        text = str.__str__(text)
    cleaned, errors = clean_text(stage, text) if stage.cleaners else (text, [])
    return cleaned, errors, await await_checks(stage.checks, cleaned)


async def await_checks(checks: Sequence[_Check], text: str) -> dict[int, Sequence[Finding] | Exception]:
    """Await the ``acheck`` of each of *checks* that has one over *text*, by index into *checks*.

    What a check raised is kept, for :func:`run_checks` to handle as on the sync path. After a check
    that fails closed, no later one is awaited: the verdict fails at or before it.
    """
    results: dict[int, Sequence[Finding] | Exception] = {}
    for index, check in enumerate(checks):
        if check.acheck is not None:
            try:
                results[index] = await check.acheck(text)
            except Exception as exc:
                results[index] = exc
                if not check.fail_open:
                    break
    return results


async def acheck_value(policy: Policy, direction: str, value: object, ctx: Any) -> Verdict:
    """Async twin of :func:`check_value`: awaits ``acheck`` where a check defines it.

    Each text is sanitized once and its async checks are awaited on the sanitized text; everything
    else goes through the same code as :func:`check_value`, in the same order, so both give the same
    verdict, errors, warnings and event.
    """
    stage = policy._input if direction == "input" else policy._output
    if not (stage.async_checks or policy._tool.async_checks):
        return check_value(policy, direction, value, ctx)
    started = perf_counter_ns()
    if isinstance(value, str):
        prepared = await _prepare_async(stage, value) if stage.async_checks else None
        return check_value(policy, direction, value, ctx, prepared, started)
    if not isinstance(value, (list, tuple)):
        raise _type_error(value)
    # One state for the whole list, so a value keeps one placeholder across messages.
    verdict = await _acheck_messages(policy, direction, value, _call_state() if ctx is None else ctx)
    sink = default_sink if policy.events is None else policy.events
    if sink is not default_sink or default_sink.wants(_BLOCK):
        emit(policy, direction, verdict, perf_counter_ns() - started, ctx)
    return verdict
