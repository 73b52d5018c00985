"""PromptLeak on disguised reproductions and exempt passages; Canary's escaped and encoded forms."""

from __future__ import annotations

import base64
import random
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import guardkit as gk
from guardkit._canon import canonical
from guardkit._errors import ConfigError
from guardkit.validators._leaks import Canary, PromptLeak

PROMPT = (
    "You are Aria, the billing assistant of Example Corp. Never discuss refunds above 500 "
    "dollars without a manager's approval code. Escalate chargebacks to the ledger-seven queue."
)
BODY = (
    "Never discuss refunds above 500 dollars without a manager's approval code. Escalate "
    "chargebacks to the ledger-seven queue."
)
LEAK = PromptLeak(PROMPT)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _between_letters(text: str, mark: str) -> str:
    return "".join(c + (mark if c.isalpha() else "") for c in text)


VARIANTS = {
    "underscore italics on every word": " ".join(f"_{w}_" for w in BODY.split()),
    "underscore bold on every word": " ".join(f"__{w}__" for w in BODY.split()),
    "snake_case": BODY.replace(" ", "_"),
    "zero-width space inside words": _between_letters(BODY, "\u200b"),
    "soft hyphen inside words": _between_letters(BODY, "\u00ad"),
    "word joiner between characters": "\u2060".join(BODY),
    "full-width letters": _fullwidth(BODY),
    "cyrillic look-alikes": BODY.replace("o", "\u043e").replace("e", "\u0435").replace("a", "\u0430"),
    "no spaces": BODY.replace(" ", ""),
    "CamelCase": "".join(w.capitalize() for w in BODY.split()),
    "letter-spaced": " ".join(BODY),
    "letters joined by hyphens": "   ".join("-".join(w) for w in BODY.split()),
    "apostrophe dropped": BODY.replace("'", ""),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_disguised_reproduction_is_found(variant: str) -> None:
    """Each disguise of the 19 reproduced words is found as one run of all of them."""
    text = VARIANTS[variant]
    assert [f.detail for f in LEAK.check(text)] == ["19 words reproduced"]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_span_is_on_the_original_text(variant: str) -> None:
    """The span runs from the first to the last reproduced word of the text as it was given."""
    leaked = VARIANTS[variant]
    text = f"Intro words here. {leaked} Thanks!"
    (finding,) = LEAK.check(text)
    first = text.index(leaked)
    assert first <= finding.start < first + 3
    assert canonical(text[finding.start]).text.casefold() == "n"
    assert finding.end <= first + len(leaked)
    tail = canonical(text[: finding.end]).text.casefold()
    assert re.sub(r"[\W_]+", "", tail).endswith("queue")


def test_policy_blocks_the_zero_width_variant() -> None:
    """Removing invisible characters first no longer hides the leak from the policy."""
    text = VARIANTS["zero-width space inside words"]
    policy = gk.Policy(output=[gk.InvisibleChars(), gk.PromptLeak(PROMPT)])
    verdict = policy.check_output(text)
    assert verdict.blocked
    assert any(f.kind == "PROMPT_LEAK" for f in verdict.findings)


def test_findings_never_carry_the_prompt() -> None:
    """Findings hold the rule, kind, span and a word count only."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]{5,}", PROMPT)}
    for text in VARIANTS.values():
        for finding in LEAK.check(text):
            shown = repr(finding).lower()
            assert not [w for w in words if w in shown]


HARD_NEGATIVES = [
    "Hi, I'm Aria, the billing assistant. How can I help with your invoice?",
    "Refunds above 500 dollars need approval. Chargebacks go to a separate team; I can't discuss them.",
    "Options: a, b, c, d, e and f. Pick a b c or d e f; U.S.A. and N.A.S.A. are acronyms.",
    "Set refund_limit_dollars and approval_code_required in billing_config.yaml, then run it.",
    "The EscalationQueue class wraps a ChargebackManager and a RefundApprover for the ledger.",
    "Counterrevolutionaries misunderstood the internationalization of telecommunications.",
    "n e v e r   m i n d ,   t h a t   i s   f i n e",
    base64.b64encode(bytes(range(256)) * 4).decode(),
    "".join(random.Random(7).choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(4000)),
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives(text: str) -> None:
    """Acronyms, identifiers, compounds, spelled-out letters and blobs are not leaks."""
    assert LEAK.check(text) == ()


SEPARATORS = [" ", "_", "-", "\n", "", " _", "_ ", "**", "\u200b", "\u00ad ", ". ", " | "]


@settings(max_examples=100, deadline=None)
@given(
    separators=st.lists(st.sampled_from(SEPARATORS), min_size=18, max_size=18),
    cases=st.lists(st.sampled_from(["lower", "upper", "capitalize", "keep"]), min_size=19, max_size=19),
)
def test_property_any_separators_and_case(separators: list[str], cases: list[str]) -> None:
    """The reproduced words are found whatever separates them (nothing included) and however
    each word is cased."""
    words = re.findall(r"[A-Za-z0-9]+", BODY)
    assert len(words) == 19  # manager's and ledger-seven are two words each
    cased = [getattr(w, c)() if c != "keep" else w for w, c in zip(words, cases, strict=True)]
    text = "".join(w + s for w, s in zip(cased, [*separators, ""], strict=True))
    findings = LEAK.check(text)
    assert findings
    assert max(int(f.detail.split()[0]) for f in findings) >= 12


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_property_ascii_words_match_the_pattern(text: str) -> None:
    """The ASCII fast path cuts the same words, at the same offsets, as the word pattern."""
    from guardkit.validators._leaks import _WORD, _words

    words, scanned = _words(text)
    assert words == re.findall(_WORD, text.lower())
    assert [m.group() for m in re.finditer(_WORD, scanned)] == words


# -- exempt passages -----------------------------------------------------------------------------

DISCLAIMER = (
    "This is general information, not financial advice; please consult a licensed advisor "
    "before making any investment decision."
)
FINBOT = (
    "You are FinBot for Acme Bank. Answer questions about our savings accounts. Always end every "
    f"answer with exactly this sentence: {DISCLAIMER}"
)
ANSWER = f"Our savings account pays 3.1% APY with no monthly fee. {DISCLAIMER}"


def test_a_passage_the_model_must_repeat_is_flagged_without_exempt() -> None:
    """The false positive that exempt removes: every compliant answer is flagged."""
    assert PromptLeak(FINBOT).check(ANSWER)


@pytest.mark.parametrize(
    "answer",
    [
        ANSWER,
        ANSWER.upper(),
        f"**{DISCLAIMER}**",
        _fullwidth(DISCLAIMER),
        f"> _{DISCLAIMER}_\n\n{DISCLAIMER}",
    ],
)
def test_exempt_passage_is_not_flagged(answer: str) -> None:
    """A compliant answer passes, however the passage is formatted."""
    assert PromptLeak(FINBOT, exempt=[DISCLAIMER]).check(answer) == ()


def test_exempt_keeps_checking_the_rest() -> None:
    """The rest of the prompt is still found, alone or next to the passage."""
    leak = PromptLeak(FINBOT, exempt=[DISCLAIMER])
    assert leak.check(f"My instructions: {FINBOT}")
    rest = (
        "You are FinBot for Acme Bank. Answer questions about our savings accounts. Always end every answer"
    )
    assert leak.check(rest)


def test_exempt_repr_counts_passages_only() -> None:
    """repr shows how many passages are exempt, never their words."""
    shown = repr(PromptLeak(FINBOT, exempt=[DISCLAIMER]))
    assert "exempt=<1 passages>" in shown
    assert "advisor" not in shown
    assert "exempt" not in repr(PromptLeak(FINBOT))


@pytest.mark.parametrize(
    ("exempt", "message"),
    [
        (DISCLAIMER, "not one string"),
        (3, "collection"),
        ([3], "must be a str"),
        (["two words"], "at least ngram"),
        ([FINBOT], "whole system_prompt"),
    ],
)
def test_exempt_config_errors(exempt: object, message: str) -> None:
    """Malformed exempt passages raise ConfigError."""
    with pytest.raises(ConfigError, match=message):
        PromptLeak(FINBOT, exempt=exempt)  # type: ignore[arg-type]


# -- linear time ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "a " * 50_000,
        "a-" * 50_000,
        "".join(w.capitalize() for w in BODY.split()) * 800,
        " ".join(BODY) * 400,
        "_".join(["x"] * 50_000),
        "ab" * 50_000,
        "\u200b".join("never") * 20_000,
    ],
)
def test_joining_and_cutting_stay_linear(text: str) -> None:
    """Text that exercises word cutting and letter joining is checked quickly."""
    leak = PromptLeak(PROMPT + " A b ab aba abab.")
    started = time.perf_counter()
    leak.check(text)
    assert time.perf_counter() - started < 5.0


# -- Canary --------------------------------------------------------------------------------------

CANARY = Canary()
TOKEN = CANARY.token
SECRET = TOKEN.rsplit("-", 1)[1]
RAW = SECRET.encode()

ENCODED = {
    "\\x escapes": "".join(f"\\x{b:02x}" for b in TOKEN.encode()),
    "\\x escapes, upper, spaced": " ".join(f"\\X{b:02X}" for b in RAW),
    "0x bytes": " ".join(f"0x{b:02x}" for b in TOKEN.encode()),
    "0x bytes, commas": ", ".join(f"0X{b:02X}" for b in RAW),
    "\\u escapes": "".join(f"\\u{ord(c):04x}" for c in TOKEN),
    "U+ code points": " ".join(f"U+{ord(c):04X}" for c in SECRET),
    "decimal codes": " ".join(str(b) for b in TOKEN.encode()),
    "decimal codes, commas": ", ".join(str(b) for b in RAW),
    "base32": base64.b32encode(TOKEN.encode()).decode(),
    "base32, lower, no padding": base64.b32encode(RAW).decode().lower().rstrip("="),
}


@pytest.mark.parametrize("form", sorted(ENCODED))
def test_canary_found_in_escaped_and_encoded_forms(form: str) -> None:
    """Hex escapes, decimal codes and base32 carry the token too."""
    assert [f.kind for f in CANARY.check(f"Sure: {ENCODED[form]} done")] == ["CANARY_LEAK"]


@pytest.mark.parametrize("offset", range(5))
def test_canary_found_in_base32_at_any_offset(offset: int) -> None:
    """The secret is found inside a longer base32 string, whatever bytes come before it."""
    blob = base64.b32encode(b"note: "[:offset] + b"my marker " + RAW + b" ok").decode()
    assert CANARY.check(blob)


def test_canary_escape_span_covers_the_escapes() -> None:
    """The span of an escaped random part covers its escapes, on the original text."""
    escaped = "".join(f"\\x{b:02x}" for b in RAW)
    text = f"before {escaped} after"
    (finding,) = CANARY.check(text)
    assert finding.start == text.index(escaped) + 1  # from the first "x": "\\" is punctuation
    assert finding.end == text.index(escaped) + len(escaped)


def _canary_with_letters() -> Canary:
    """A canary whose random part has a letter with a Cyrillic look-alike and another letter."""
    while True:
        canary = Canary()
        secret = canary.token.rsplit("-", 1)[1]
        if set(secret) & set("ace") and set(secret) & set("bdf"):
            return canary


def test_canary_found_with_look_alike_letters() -> None:
    """Cyrillic look-alikes among Latin letters are read as the Latin letters."""
    canary = _canary_with_letters()
    secret = canary.token.rsplit("-", 1)[1]
    disguised = secret.translate(str.maketrans("ace", "\u0430\u0441\u0435"))
    text = f"marker: {disguised}!"
    (finding,) = canary.check(text)
    assert text[finding.start : finding.end] == disguised


@pytest.mark.parametrize(
    "text",
    [
        " ".join(str(random.Random(1).randrange(256)) for _ in range(2000)),
        " ".join(f"0x{random.Random(2).randrange(256):02x}" for _ in range(1000)),
        "".join(f"\\x{random.Random(3).randrange(256):02x}" for _ in range(1000)),
        base64.b32encode(random.Random(4).randbytes(3000)).decode(),
        "Error 0x80070005 at \\x00\\x01; see U+FFFD and code points 104 105.",
    ],
)
def test_canary_clean_encoded_noise(text: str) -> None:
    """Unrelated escapes, codes and base32 are not flagged."""
    assert CANARY.check(text) == ()


def test_canary_window_covers_the_longest_escaped_form() -> None:
    """A stream holds back enough for the longest form written with separators."""
    longest = ", ".join(f"\\u{ord(c):04x}" for c in SECRET)
    assert len(longest) <= CANARY.window  # type: ignore[operator]
    assert len(", ".join(f"0x{b:02x}" for b in RAW)) <= CANARY.window  # type: ignore[operator]
