"""The pure core: text (or a message list) in, Verdict out. No I/O and no asyncio here.

Every call style (sync, async, generators, sessions, ``Policy.check_*``) goes through these functions, so the
logic exists once and each driver only does its own I/O.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from time import perf_counter_ns
from typing import TYPE_CHECKING, Any

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


def run_checks(
    stage: Stage,
    text: str,
    precomputed: Mapping[int, Sequence[Finding]] | None = None,
    checks: tuple[_Check, ...] | None = None,
) -> tuple[Action, list[tuple[_Check, Finding]], list[str]]:
    """Run the validators of *stage* (or *checks*) over *text*; returns (action, hits, errors)."""
    action = _ALLOW
    hits: list[tuple[_Check, Finding]] = []
    errors: list[str] = []
    size = len(text)
    for index, check in enumerate(stage.checks if checks is None else checks):
        try:
            if precomputed is not None and index in precomputed:
                found = precomputed[index]
            else:
                found = check.check(text)
            if not found:
                continue
            for finding in found:
                if not (0 <= finding.start <= finding.end <= size):
                    raise ValueError(
                        f"finding span {finding.start}:{finding.end} is outside the text (0:{size})"
                    )
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


def run_stage(
    stage: Stage,
    text: str,
    ctx: Any,
    *,
    message: int | None = None,
    part: int | None = None,
    precomputed: Mapping[int, Sequence[Finding]] | None = None,
) -> tuple[Action, str, tuple[Finding, ...], list[str]]:
    """Sanitize then validate one text; returns (action, rewritten text, findings, errors)."""
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
    action, hits, check_errors = run_checks(stage, text, precomputed)
    errors.extend(check_errors)
    if not hits:
        return _ALLOW, text, (), errors
    if message is not None or part is not None:
        findings = tuple(
            Finding(f.rule, f.kind, f.start, f.end, f.score, message, f.detail, part)
            for _, f in hits
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
            text = apply_edits(text, edits, _call_state() if ctx is None else ctx)
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


def _text_blocks(
    stage: Stage, part: int | None, blocks: object, path: tuple[Any, ...], found: list[tuple[Any, ...]]
) -> None:
    """Collect the text of a str or of a list of text blocks (``{"type": "text", "text": ...}`` and
    the ``input_text``/``output_text`` variants)."""
    if isinstance(blocks, str):
        found.append((stage, part, blocks, path))
        return
    if not isinstance(blocks, list):
        return
    for j, block in enumerate(blocks):
        if isinstance(block, Mapping) and block.get("type") in _TEXT_PART_TYPES:
            text = block.get("text")
            if isinstance(text, str):
                found.append((stage, part, text, (*path, j, "text")))


def _segments(message: Mapping[str, Any], policy: Policy, direction: str) -> list[tuple[Any, ...]]:
    """List (stage, part index, text, rebuild key) for every checkable text in one message."""
    found: list[tuple[Any, ...]] = []
    if "role" not in message and message.get("type") in _TOOL_OUTPUT_TYPES:
        # Responses API tool results: a str or a list of input_text parts.
        _text_blocks(policy._tool, None, message.get("output"), ("output",), found)
        return found
    stage = _stage_for(policy, direction, message.get("role", "user"))
    if stage is None:
        return []
    content = message.get("content")
    if content is None:
        return []
    if isinstance(content, str):
        return [(stage, None, content, ("content",))]
    if not isinstance(content, list):
        raise TypeError(f"message content must be a str or a list of parts, got {type(content).__name__}")
    tool = policy._tool
    for index, item in enumerate(content):
        if isinstance(item, str):
            found.append((stage, index, item, ("content", index)))
            continue
        if not isinstance(item, Mapping):
            raise TypeError(f"content part {index} is a {type(item).__name__}, not a dict or str")
        kind = item.get("type")
        if kind in _TEXT_PART_TYPES and isinstance(item.get("text"), str):
            found.append((stage, index, item["text"], ("content", index, "text")))
        elif direction == "output":
            continue
        elif kind == "tool_result":
            inner = item.get("content")
            _text_blocks(tool, index, inner, ("content", index, "content"), found)
            if isinstance(inner, list):  # search results nested in a tool result
                for j, block in enumerate(inner):
                    if isinstance(block, Mapping) and block.get("type") == "search_result":
                        _text_blocks(
                            tool, index, block.get("content"),
                            ("content", index, "content", j, "content"), found,
                        )
        elif kind == "search_result":
            _text_blocks(tool, index, item.get("content"), ("content", index, "content"), found)
        elif kind == "document":
            source = item.get("source")
            if isinstance(source, Mapping):
                if source.get("type") == "text" and isinstance(source.get("data"), str):
                    found.append((tool, index, source["data"], ("content", index, "source", "data")))
                elif source.get("type") == "content":
                    _text_blocks(
                        tool, index, source.get("content"), ("content", index, "source", "content"), found
                    )
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


def _check_messages(
    policy: Policy, direction: str, messages: Sequence[Any], ctx: Any, precomputed: Any = None
) -> Verdict:
    action = _ALLOW
    findings: list[Finding] = []
    errors: list[str] = []
    rebuilt: list[Any] = list(messages)
    for index, item in enumerate(messages):
        message = _as_mapping(item, index)
        current: Mapping[str, Any] = message
        for stage, part, text, path in _segments(message, policy, direction):
            if stage.empty:
                continue
            pre = precomputed.get((index, path)) if precomputed else None
            act, new, found, errs = run_stage(
                stage, text, ctx, message=index, part=part, precomputed=pre
            )
            errors.extend(errs)
            if found:
                findings.extend(found)
                action = max(action, act)
            if new is not text and new != text:
                current = _rebuild(current, path, new)
        # SDK message objects stay as they were unless a text in them had to change.
        rebuilt[index] = item if current is message and message is not item else current
    return Verdict(action, "", tuple(findings), tuple(rebuilt), tuple(errors))


def check_value(
    policy: Policy, direction: str, value: object, ctx: Any, precomputed: Any = None
) -> Verdict:
    """Check a str or a message list in *direction* (``"input"`` or ``"output"``) and emit an event."""
    stage = policy._input if direction == "input" else policy._output
    sink = default_sink if policy.events is None else policy.events
    # BLOCK has the highest level: when the default logger does not want it, it wants nothing.
    timed = sink is not default_sink or default_sink.wants(_BLOCK)
    t0 = perf_counter_ns() if timed else 0
    if isinstance(value, str):
        action, text, findings, errors = run_stage(stage, value, ctx, precomputed=precomputed)
        verdict = (
            Verdict(action, text, findings, None, tuple(errors))
            if findings or errors
            else Verdict(_ALLOW, text)
        )
    elif isinstance(value, (list, tuple)):
        # One state for the whole list, so a value keeps one placeholder across messages.
        verdict = _check_messages(
            policy, direction, value, _call_state() if ctx is None else ctx, precomputed
        )
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


async def _precompute_async(stage: Stage, text: str) -> dict[int, Sequence[Finding]]:
    results: dict[int, Sequence[Finding]] = {}
    for index, check in enumerate(stage.checks):
        if check.acheck is not None:
            try:
                results[index] = await check.acheck(text)
            except Exception as exc:
                if check.fail_open:
                    warnings.warn(
                        f"check {check.name!r} failed ({type(exc).__name__}); continuing (fail open)",
                        GuardkitWarning,
                        stacklevel=2,
                    )
                    results[index] = ()
                    continue
                raise ValidatorFailed(check.name, stage.name) from exc
    return results


async def acheck_value(policy: Policy, direction: str, value: object, ctx: Any) -> Verdict:
    """Async twin of :func:`check_value`: awaits ``acheck`` where a check defines it."""
    stage = policy._input if direction == "input" else policy._output
    if not (stage.async_checks or policy._tool.async_checks):
        return check_value(policy, direction, value, ctx)
    if isinstance(value, str):
        cleaned, _ = clean_text(stage, value) if stage.cleaners else (value, [])
        pre = await _precompute_async(stage, cleaned)
        return check_value(policy, direction, cleaned, ctx, pre)
    if isinstance(value, (list, tuple)):
        pre_messages: dict[tuple[int, Any], dict[int, Sequence[Finding]]] = {}
        for index, item in enumerate(value):
            message = _as_mapping(item, index)
            if message:
                for seg_stage, _part, text, path in _segments(message, policy, direction):
                    if seg_stage.async_checks:
                        cleaned, _ = clean_text(seg_stage, text) if seg_stage.cleaners else (text, [])
                        pre_messages[(index, path)] = await _precompute_async(seg_stage, cleaned)
        return check_value(policy, direction, value, ctx, pre_messages)
    raise _type_error(value)
