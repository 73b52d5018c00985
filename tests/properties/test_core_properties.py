"""Hypothesis properties of the core: totality, idempotence, and streams that match whole-text checks."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

import guardkit as gk
from guardkit import Finding

ANY_TEXT = st.text(alphabet=st.characters(codec=None), max_size=200)
CHECKS: list[Any] = [
    gk.InvisibleChars(),
    gk.MaxChars(50),
    gk.MaxTokens(20),
    gk.DenyPatterns(r"(?i)drop\s+table", r"\d{3}-\d{4}"),
    gk.DenySubstrings(["secret", "internal-only", "c++"]),
]


@given(ANY_TEXT)
def test_every_check_is_total(text: str) -> None:
    """Every validator returns findings inside the text for any str, surrogates included."""
    for check in CHECKS:
        for f in check.check(text):
            assert 0 <= f.start <= f.end <= len(text)


@given(ANY_TEXT)
def test_sanitizers_are_idempotent(text: str) -> None:
    """Sanitizing twice gives the same text as sanitizing once."""
    for form in ("NFC", "NFKC"):
        clean = gk.NormalizeUnicode(form).clean  # type: ignore[arg-type]
        once = clean(text)
        assert clean(once) == once


@given(ANY_TEXT)
def test_redacting_policy_is_idempotent(text: str) -> None:
    """A redacting policy leaves its own output unchanged (nothing left to flag)."""
    policy = gk.Policy(input=[gk.InvisibleChars(), gk.DenySubstrings(["secret"], action="redact")])
    once = policy.check_input(text).text
    assert policy.check_input(once).text == once


WORDS = st.sampled_from(["secret", "plain", " ", "word", "sec", "ret", "\n", "x" * 30, "internal", "-only"])


@st.composite
def chunked(draw: st.DrawFn) -> list[str]:
    text = "".join(draw(st.lists(WORDS, max_size=60)))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    pieces, last = [], 0
    for cut in [*cuts, len(text)]:
        pieces.append(text[last:cut])
        last = cut
    return pieces


@settings(max_examples=150)
@given(chunked())
@example(["internal-only" + "x" * 30 + " in", "ternal-only"])  # a look-alike released, the match held
def test_stream_equals_whole_text_check(chunks: list[str]) -> None:
    """However a reply is chunked, the streamed result equals checking the whole reply at once."""
    redact = gk.DenySubstrings(["secret"], action="redact")
    block = gk.DenySubstrings(["internal-only"], action="block", name="block")
    policy = gk.Policy(output=[redact, block])
    whole = policy.check_output("".join(chunks))
    stream = gk.OutputStream(policy, None)
    released: list[str] = []
    try:
        for chunk in chunks:
            released.append(stream.feed(chunk))
        released.append(stream.finish())
    except gk.OutputBlocked:
        assert whole.blocked
        # What was released is the start of the redacted reply and ends before the first blocked
        # match ("internal-onlyxxx" is no match: the substring must stand as a word).
        out = "".join(released)
        redacted = gk.Policy(output=[redact]).check_output("".join(chunks)).text
        assert redacted.startswith(out)
        assert all(len(out) <= f.start for f in block.check(redacted))
        return
    assert not whole.blocked
    assert "".join(released) == whole.text


class Recorder:
    """A validator that records how much text each scan covered."""

    name = "recorder"
    action = "warn"
    window = 40

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def check(self, text: str) -> tuple[Finding, ...]:
        self.sizes.append(len(text))
        return ()


def test_stream_scans_are_bounded_by_the_window() -> None:
    """Per-chunk work does not grow with what has been streamed: every scan covers at most about two
    windows plus the new text, and the total scanned is linear in the reply length."""
    recorder = Recorder()
    policy = gk.Policy(output=[recorder])
    stream = gk.OutputStream(policy, None)
    total = 0
    for _ in range(20_000):
        total += len(stream.feed("abcd "))
    total += len(stream.finish())
    assert total == 100_000
    hold = 40 + 16
    assert max(recorder.sizes) <= 2 * hold + 2 * max(16, hold // 4) + 5
    assert sum(recorder.sizes) < 12 * 100_000


def test_stream_events_carry_absolute_offsets_and_monitor_mode_reports() -> None:
    """Events from a stream use offsets into the whole reply, and monitor mode still reports them."""
    for monitor in (False, True):
        events: list[gk.Event] = []
        policy = gk.Policy(
            output=[gk.DenySubstrings(["secret"], action="redact")], events=events.append, monitor=monitor
        )
        stream = gk.OutputStream(policy, None)
        text = "x" * 500 + " secret " + "y" * 500
        out = "".join(stream.feed(text[i : i + 7]) for i in range(0, len(text), 7)) + stream.finish()
        spans = [(f.start, f.end) for e in events for f in e.findings]
        assert spans == [(501, 507)]
        assert ("secret" in out) is monitor
