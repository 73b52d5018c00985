"""Per-call streaming state: hold back a bounded window, check it, release only what passed.

Every output check declares ``window``, the longest span it can flag. A span that is still open at the end of
the buffer (a link, a key, a PEM block that has not ended) is reported up to the end of the buffer, so the
stream keeps it. Text is released only once it lies more than the longest window behind the end of the
buffer, which no later chunk can change, and each scan covers that window plus the new text: the cost per
chunk does not grow with what has already been streamed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from guardkit._engine import (
    acheck_value,
    apply_edits,
    await_checks,
    check_value,
    clean_text,
    emit,
    run_checks,
)
from guardkit._errors import OutputBlocked
from guardkit._session import MAX_PLACEHOLDER
from guardkit._types import Action, Finding, Verdict

if TYPE_CHECKING:
    from collections.abc import Sequence

    from guardkit._policy import Policy, _Check

__all__ = ["OutputStream"]

#: Extra characters held back beyond the longest window, for lookarounds and word boundaries.
_MARGIN: Final = 16
_PARTIAL_PLACEHOLDER: Final = re.compile(r"<[A-Z0-9_]*\Z")


class OutputStream:
    """Incremental output checking for one streamed reply.

    ``feed(chunk)`` returns the text that may be shown now (often ``""``); ``finish()`` returns the rest.
    Either raises :class:`~guardkit.OutputBlocked` on a blocking finding; after that nothing more is
    released. ``afeed`` and ``afinish`` are their async twins, which await the checks that define
    ``acheck``.

    .. versionadded:: 0.1
    """

    __slots__ = (
        "_aggregates",
        "_async",
        "_base",
        "_blocked",
        "_checks",
        "_closed",
        "_ctx",
        "_findings",
        "_hold",
        "_limit",
        "_pending",
        "_policy",
        "_released",
        "_restore_tail",
        "_stage",
        "_step",
        "_tail",
        "_whole",
    )

    def __init__(self, policy: Policy, ctx: Any) -> None:
        stage = policy._output
        self._policy = policy
        self._stage = stage
        self._ctx = ctx
        # Checks over the whole reply (length and token limits) count chunk by chunk instead of
        # scanning a window.
        self._aggregates = [
            (c, c.validator.open_stream())  # type: ignore[attr-defined]
            for c in stage.checks
            if callable(getattr(c.validator, "open_stream", None))
        ]
        self._checks = tuple(c for c in stage.checks if not any(c is a for a, _ in self._aggregates))
        # Whether the async twins have checks to await (the sync path serves them otherwise).
        self._async = any(c.acheck is not None for c in self._checks)
        self._limit: int | None = None  # absolute offset past which a truncating check cut the reply
        # Sanitizers that cannot work chunk by chunk make the stream buffer the whole reply.
        self._whole = not stage.streamable
        windows = [c.window if c.window is not None else policy.stream_window for c in self._checks]
        self._hold = max(windows) + _MARGIN if windows else 0
        self._step = max(16, self._hold // 4)
        self._pending = ""  # text not yet released (after sanitizers)
        self._tail = ""  # the last `hold` characters already released, as context for the next scan
        self._base = 0  # absolute offset of _pending[0] in the reply
        self._released = 0
        self._findings: list[Finding] = []
        self._restore_tail = ""
        self._blocked = False
        self._closed = False

    @property
    def exhausted(self) -> bool:
        """Whether a truncating check cut the reply, so the rest of the model's stream can be dropped."""
        return self._limit is not None

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Findings so far, with offsets into the whole reply."""
        return tuple(self._findings)

    def feed(self, chunk: str) -> str:
        """Add *chunk* and return the text that can be released now."""
        # The steps of _add, written out: this runs once per chunk.
        if self._blocked or self._closed:
            raise RuntimeError("stream is finished")
        if type(chunk) is not str:
            raise TypeError(f"stream chunks must be str, got {type(chunk).__name__}")
        if not chunk:
            return ""
        if self._stage.cleaners and not self._whole:
            chunk, _ = clean_text(self._stage, chunk)
        if self._limit is not None:
            return ""
        if self._aggregates:
            chunk = self._feed_aggregates(chunk)
        self._pending += chunk
        if self._whole or len(self._pending) < self._hold + self._step:
            return ""
        return self._scan(final=False)

    async def afeed(self, chunk: str) -> str:
        """Async twin of :meth:`feed`: awaits ``acheck`` where a check defines it.

        .. versionadded:: 0.1
        """
        if not self._async:
            return self.feed(chunk)
        if not self._add(chunk):
            return ""
        return self._scan(final=False, pre=await self._awaited())

    def finish(self) -> str:
        """Check what is left and return it."""
        self._close()
        if self._between_blocks():
            return self._restore("", final=True)
        if self._whole:
            text = self._take()
            return self._whole_out(text, check_value(self._policy, "output", text, self._ctx))
        return self._scan(final=True)

    async def afinish(self) -> str:
        """Async twin of :meth:`finish`: awaits ``acheck`` where a check defines it.

        .. versionadded:: 0.1
        """
        self._close()
        if self._between_blocks():
            return self._restore("", final=True)
        if self._whole:
            text = self._take()
            return self._whole_out(text, await acheck_value(self._policy, "output", text, self._ctx))
        return self._scan(final=True, pre=await self._awaited())

    def _end_block(self) -> str:
        """End the current text block of a reply made of several (SDK content blocks): check the
        block's held-back text to its end and return it. The next block starts without this one as
        context, while length and token limits keep counting the whole reply."""
        self._check_open()
        if not self._pending:
            out = self._restore("", final=True)
        elif self._whole:
            text = self._take()
            out = self._whole_out(text, check_value(self._policy, "output", text, self._ctx))
        else:
            out = self._scan(final=True)
        self._tail = ""
        return out

    async def _aend_block(self) -> str:
        """Async twin of :meth:`_end_block`."""
        self._check_open()
        if not self._pending:
            out = self._restore("", final=True)
        elif self._whole:
            text = self._take()
            out = self._whole_out(text, await acheck_value(self._policy, "output", text, self._ctx))
        else:
            out = self._scan(final=True, pre=await self._awaited())
        self._tail = ""
        return out

    # -- internals -------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._blocked or self._closed:
            raise RuntimeError("stream is finished")

    def _add(self, chunk: str) -> bool:
        """Take *chunk* in, as :meth:`feed` does; return whether enough is held back for a scan."""
        self._check_open()
        if type(chunk) is not str:
            raise TypeError(f"stream chunks must be str, got {type(chunk).__name__}")
        if not chunk:
            return False
        if self._stage.cleaners and not self._whole:
            chunk, _ = clean_text(self._stage, chunk)
        if self._limit is not None:
            return False
        if self._aggregates:
            chunk = self._feed_aggregates(chunk)
        self._pending += chunk
        return not self._whole and len(self._pending) >= self._hold + self._step

    def _close(self) -> None:
        """Mark the stream finished and give the whole-reply checks their last word."""
        self._check_open()
        self._closed = True
        if self._whole or not self._aggregates or self._limit is not None:
            return
        for check, agg in self._aggregates:
            self._aggregate_hits(check, agg.finish())
        if self._limit is not None:  # a last truncation: nothing past it is released
            self._pending = self._pending[: max(0, self._limit - self._base)]

    def _between_blocks(self) -> bool:
        """Whether the last block ended and no text came after it: nothing is left to check."""
        return self._base > 0 and not self._pending and not self._tail

    def _take(self) -> str:
        """Hand over the buffered text of a stream that is checked whole."""
        text = self._pending
        self._pending = ""
        self._base += len(text)
        return text

    def _whole_out(self, text: str, verdict: Verdict) -> str:
        if verdict.blocked and not self._policy.monitor:
            self._blocked = True
            raise OutputBlocked(verdict)
        out = text if self._policy.monitor else verdict.text
        self._released += len(out)
        return self._restore(out, final=True)

    async def _awaited(self) -> dict[int, Sequence[Finding] | Exception] | None:
        """Await ``acheck`` over the region the next scan covers, by index into ``_checks``.

        What a check raised is kept: the scan handles it as on the sync path (fail open or closed).
        """
        if not self._async:
            return None
        return await await_checks(self._checks, self._tail + self._pending)

    def _restore(self, text: str, *, final: bool) -> str:
        vault = getattr(self._ctx, "vault", None)
        if vault is None or not len(vault) or not getattr(self._ctx, "restore", True):
            return text
        text = self._restore_tail + text
        self._restore_tail = ""
        if not final:
            partial = _PARTIAL_PLACEHOLDER.search(text, max(0, len(text) - MAX_PLACEHOLDER))
            if partial is not None:
                self._restore_tail = text[partial.start() :]
                text = text[: partial.start()]
        return str(vault.restore(text))

    def _scan(self, *, final: bool, pre: dict[int, Sequence[Finding] | Exception] | None = None) -> str:
        tail = self._tail
        region = tail + self._pending
        offset = self._base - len(tail)  # absolute offset of region[0]
        _action, hits, _errors = run_checks(self._stage, region, pre, self._checks)
        lead = len(tail)
        cut = len(region) if final else len(region) - self._hold
        # Only findings that reach into the unreleased part matter; the rest were handled already. A
        # finding that starts in the last `hold` characters may still change with more text (an
        # emoji sequence or a word that goes on): it is held back, and acted on once the text
        # around it is complete or the stream ends.
        hits = [
            (c, f) for c, f in hits if (f.end > lead or f.start == f.end == lead) and (final or f.start < cut)
        ]
        if hits:
            action = max(c.action for c, _ in hits)
            if action is Action.BLOCK and not self._policy.monitor:
                self._fail(hits, offset)
            for _check, finding in sorted(hits, key=lambda h: h[1].start):
                if finding.start < cut < finding.end:
                    cut = max(lead, finding.start)
        released_hits = [(c, f) for c, f in hits if f.start < cut]
        absolute = [
            Finding(f.rule, f.kind, f.start + offset, f.end + offset, f.score, None, f.detail)
            for _, f in released_hits
        ]
        self._findings.extend(absolute)
        out = region[lead:cut]
        if released_hits:
            if not self._policy.monitor:
                edits: list[tuple[int, int, _Check, Finding]] = [
                    (max(f.start, lead) - lead, min(f.end, cut) - lead, c, f)
                    for c, f in released_hits
                    if c.action is Action.REDACT and f.end > f.start
                ]
                if edits:
                    out = apply_edits(out, edits, self._ctx)
            action = max(c.action for c, _ in released_hits)
            emit(self._policy, "output", Verdict(action, "", tuple(absolute)), 0, self._ctx)
        self._tail = region[:cut][-self._hold :] if self._hold else ""
        self._pending = region[cut:]
        self._base = offset + cut
        self._released += len(out)
        return self._restore(out, final=final)

    def _feed_aggregates(self, chunk: str) -> str:
        start = self._base + len(self._pending)
        for check, agg in self._aggregates:
            self._aggregate_hits(check, agg.feed(chunk, start))
            if self._limit is not None:
                return chunk[: max(0, self._limit - start)]
        return chunk

    def _aggregate_hits(self, check: _Check, found: Any) -> None:
        if not found:
            return
        acts = check.action is Action.BLOCK or check.action is Action.REDACT
        if self._whole and (self._policy.monitor or not acts):
            return  # the check of the whole reply at the end reports it, once
        found = tuple(found)
        self._findings.extend(found)
        # Reported like the whole-text check reports it: an event with the check's action.
        verdict = Verdict(check.action, "", found)
        blocking = check.action is Action.BLOCK and not self._policy.monitor
        if blocking:
            self._blocked = True
        emit(self._policy, "output", verdict, 0, self._ctx)
        if blocking:
            raise OutputBlocked(verdict)
        if check.action is Action.REDACT and not self._policy.monitor:
            cut = min(f.start for f in found)
            self._limit = cut if self._limit is None else min(self._limit, cut)

    def _fail(self, hits: list[tuple[_Check, Finding]], offset: int) -> None:
        self._blocked = True
        findings = tuple(
            Finding(f.rule, f.kind, f.start + offset, f.end + offset, f.score, None, f.detail)
            for _, f in hits
        )
        verdict = Verdict(Action.BLOCK, "", findings)
        emit(self._policy, "output", verdict, 0, self._ctx)
        raise OutputBlocked(verdict)

    def __repr__(self) -> str:
        return f"OutputStream(held={len(self._pending)}, released={self._released}, window={self._hold})"
