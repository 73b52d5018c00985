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

from guardkit._engine import apply_edits, clean_text, emit, run_checks
from guardkit._errors import OutputBlocked
from guardkit._session import MAX_PLACEHOLDER
from guardkit._types import Action, Finding, Verdict

if TYPE_CHECKING:
    from guardkit._policy import Policy, _Check

__all__ = ["OutputStream"]

#: Extra characters held back beyond the longest window, for lookarounds and word boundaries.
_MARGIN: Final = 16
_PARTIAL_PLACEHOLDER: Final = re.compile(r"<[A-Z0-9_]*\Z")


class OutputStream:
    """Incremental output checking for one streamed reply.

    ``feed(chunk)`` returns the text that may be shown now (often ``""``); ``finish()`` returns the rest.
    Either raises :class:`~guardkit.OutputBlocked` on a blocking finding; after that nothing more is
    released.

    .. versionadded:: 0.1
    """

    __slots__ = (
        "_aggregates",
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

    def finish(self) -> str:
        """Check what is left and return it."""
        if self._blocked or self._closed:
            raise RuntimeError("stream is finished")
        self._closed = True
        if self._whole:
            text = self._pending
            self._pending = ""
            from guardkit._engine import check_value

            verdict = check_value(self._policy, "output", text, self._ctx)
            if verdict.blocked and not self._policy.monitor:
                self._blocked = True
                raise OutputBlocked(verdict)
            out = text if self._policy.monitor else verdict.text
            return self._restore(out, final=True)
        return self._scan(final=True)

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

    def _scan(self, *, final: bool) -> str:
        tail = self._tail
        region = tail + self._pending
        offset = self._base - len(tail)  # absolute offset of region[0]
        if final and self._aggregates and self._limit is None:
            for check, agg in self._aggregates:
                self._aggregate_hits(check, agg.finish())
        action, hits, _errors = run_checks(self._stage, region, checks=self._checks)
        lead = len(tail)
        # Only findings that reach into the unreleased part matter; the rest were handled already.
        hits = [(c, f) for c, f in hits if f.end > lead or (f.start == f.end == lead)]
        cut = len(region) if final else len(region) - self._hold
        if hits:
            action = max((c.action for c, _ in hits), default=Action.ALLOW)
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
        self._findings.extend(found)
        if self._policy.monitor:
            emit(self._policy, "output", Verdict(check.action, "", tuple(found)), 0, self._ctx)
            return
        if check.action is Action.BLOCK:
            self._blocked = True
            verdict = Verdict(Action.BLOCK, "", tuple(found))
            emit(self._policy, "output", verdict, 0, self._ctx)
            raise OutputBlocked(verdict)
        if check.action is Action.REDACT:
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
        return (
            f"OutputStream(held={len(self._pending)}, released={self._released}, "
            f"window={self._hold})"
        )
