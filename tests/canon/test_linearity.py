"""100 KB adversarial inputs: the view, the folded view and decoding stay linear.

Each case must finish within a wall-clock bound that a linear pass meets with a wide margin and
that quadratic behaviour (a ReDoS, a rescan per character) would exceed by orders of magnitude:
100 KB squared is 10^10 steps.
"""

from __future__ import annotations

import time

import pytest

from guardkit._canon import CanonicalText, invisible_runs
from guardkit._decode import decode_payloads

N = 100_000
BOUND_SECONDS = 4.0

# Inputs aimed at the decoders' patterns.
DECODE_CASES = {
    "base64 alphabet": "A" * N,
    "base64 mixed": "aB3+/xY9-_" * (N // 10),
    "base64 padding": ("QUJD" * 4 + "=") * (N // 17),
    "percent": "%" * N,
    "percent half escapes": "%4" * (N // 2),
    "ampersands": "&" * N,
    "entity starts": "&#1" * (N // 3),
    "entities and gaps": "&amp;xxxxxxxxxxxxxxxx" * (N // 21),
    "hex odd": "a" * (N + 1),
    "hex spaced": "41 " * (N // 3),
    "hex escapes": "\\x41" * (N // 4),
    "hex 0x": "0x41 " * (N // 5),
    "cue words": "decode " * (N // 7),
    "cue and quote": 'decode "xxxxx\n' * (N // 14),
    "tags": "\U000e0041" * N,
    "selectors": "\ufe01" * N,
}

# Inputs aimed at the canonical and folded views.
VIEW_CASES = {
    "spelled letters": "a " * (N // 2),
    "spelled then word": ("a " * 1000 + "ab ") * (N // 2003),
    "leet": "a1" * (N // 2),
    "whitespace": " \n" * (N // 2),
    "slash gaps": "a b c / " * (N // 8),
    "mixed script": "pа" * (N // 2),
    "look-alike words": "о " * (N // 2),
    "zero width joiners": "\u200d" * N,
    "marks and joiners": "e" + "\u0301\u200d" * (N // 2),
    "emoji joined": "\U0001f468\u200d" * (N // 2),
    "tags": "\U000e0041" * N,
    "full width": "ｘ" * N,
    "combining": "a" + "\u0301" * N,
    # The fold pre-checks: long stretches before a look-alike, words that mix, look-alike runs.
    "latin then look-alike": "x" * N + "а",
    "look-alike then latin": "а" + "x" * N,
    "mixed words": "аx " * (N // 3),
    "latin and look-alike words": "x а " * (N // 4),
    "gapless scripts": "xа" * (N // 2) + " ",
    "look-alikes then gap": "а" * N + " x",
    # The keep rules: selectors, ideographic and Mongolian selectors, marks before a joiner.
    "selectors": "\ufe0f" * N,
    "ideographic selectors": "\u845b\U000e0100" * (N // 2),
    "emoji selectors": "\u2764\ufe0f" * (N // 2),
    "mongolian selectors": "\u1820\u180b\u180c" * (N // 3),
    "marks before a joiner": "e" + "\u0301" * N + "\u200d",
    "one to one": "ＡＩ！" * (N // 3),
}


@pytest.mark.parametrize("name", list(VIEW_CASES))
def test_view_linear(name: str) -> None:
    """The canonical view, folded view, hidden text and invisible runs of 100 KB are built quickly."""
    text = VIEW_CASES[name]
    started = time.perf_counter()
    view = CanonicalText(text)
    assert isinstance(view.folded, str)
    assert isinstance(view.hidden, str)
    view.to_original(0, len(view.text))
    assert isinstance(invisible_runs(text), list)
    assert time.perf_counter() - started < BOUND_SECONDS


@pytest.mark.parametrize("name", list(DECODE_CASES))
def test_decode_linear(name: str) -> None:
    """Payload decoding of 100 KB finishes quickly."""
    started = time.perf_counter()
    decode_payloads(DECODE_CASES[name])
    assert time.perf_counter() - started < BOUND_SECONDS
