"""Linear time on 100 KB adversarial inputs for SpecialTokens, hidden_segments and Spotlight."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest

from guardkit._hidden import hidden_segments
from guardkit.sanitizers._spotlight import Spotlight
from guardkit.validators._special_tokens import NeutralizeSpecialTokens, SpecialTokens

SIZE = 100_000
# A linear pass over 100 KB takes milliseconds to a few hundred (inputs where every few characters are
# a finding); a quadratic one takes minutes. The bound only has to separate the two, with room for a
# slow, busy machine.
BOUND_S = 5.0


def _fill(unit: str) -> str:
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


TOKEN_INPUTS = [
    _fill("<|"),
    _fill("[INST"),
    _fill("</s>"),
    _fill("<s>"),
    _fill("\n\nSystem:"),
    _fill("\nSystem: windows "),
    _fill("x\nHuman: you "),
    "System:" + " " * SIZE,
    _fill("<system>"),
    _fill("</system> "),
    _fill("\uff1c\uff5c"),
    _fill("<\u200b|"),
    _fill("**System"),
]


@pytest.mark.parametrize("text", TOKEN_INPUTS, ids=lambda t: repr(t[:12]))
def test_special_tokens_linear(text: str) -> None:
    """clean() (detection plus rewriting) stays fast on adversarial 100 KB inputs."""
    _assert_fast(NeutralizeSpecialTokens().clean, text)


@pytest.mark.parametrize("text", TOKEN_INPUTS[:6], ids=lambda t: repr(t[:12]))
def test_special_tokens_check_linear(text: str) -> None:
    """check() stays fast on adversarial 100 KB inputs, even when every unit is a finding."""
    _assert_fast(SpecialTokens().check, text)


HTML_INPUTS = [
    _fill("<!--"),
    _fill("<div style="),
    _fill('<a title="'),
    "<a " + "b" * SIZE,
    _fill("<div hidden>"),
    _fill("<p style=display:none>"),
    _fill("<script>"),
    '<div style="' + _fill("/*") + '">x</div>',
    '<div style="' + _fill("color:#fff;") + '">x</div>',
    _fill("!["),
    _fill("]("),
    _fill("[x]: # ("),
    _fill("/*"),
    _fill("//"),
    _fill("  # "),
    _fill("```\n# "),
    _fill("~~~\n```\n"),
    _fill("<=\"'"),
    "](" + " " * SIZE,
    "[x]: " + "a" * 2047 + ' "' + "b" * SIZE,
    "<div " + " " * SIZE,
]


@pytest.mark.parametrize("text", HTML_INPUTS, ids=lambda t: repr(t[:12]))
def test_hidden_segments_linear(text: str) -> None:
    """hidden_segments() stays fast on adversarial 100 KB inputs."""
    _assert_fast(hidden_segments, text)


SPOTLIGHT_INPUTS = [
    _fill("<<untrusted"),
    _fill("<"),
    "untrusted-" + "a" * SIZE,
    _fill("/untrusted-"),
    _fill("<</untrusted-abcd1234>>"),
    _fill("  \n"),
    _fill("\uff1c\uff1cuntrusted"),
    " " * SIZE + "untrusted-abcd1234",
    "\t" * SIZE + "<untrusted",
]


@pytest.mark.parametrize("text", SPOTLIGHT_INPUTS, ids=lambda t: repr(t[:12]))
def test_spotlight_linear(text: str) -> None:
    """wrap() and clean() of the wrapped block stay fast on adversarial 100 KB inputs."""
    sp = Spotlight(datamark=True)
    _assert_fast(sp.wrap, text)
    _assert_fast(sp.clean, sp.wrap(text).text)


def _assert_fast(fn: Callable[[str], object], text: str) -> None:
    gc.disable()  # time the algorithm, not collections of other tests' garbage
    try:
        start = time.perf_counter()
        fn(text)
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    assert elapsed < BOUND_S, f"{getattr(fn, '__qualname__', fn)} took {elapsed:.2f}s on {len(text)} chars"
