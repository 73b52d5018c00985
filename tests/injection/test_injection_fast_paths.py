"""The C-level fast paths of the injection features agree with the plain definitions they replace."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from guardkit.validators import _injection_signals as sig

# Small alphabets that hit the edge cases: joiners next to each other and to spaces, separators,
# upper and lower case, odd punctuation, whitespace of several kinds.
_TOKEN_TEXT = st.text(alphabet="ab1_'- .,'-!?\n\t", max_size=40)
_SHAPE_TEXT = st.text(alphabet="aAbZ1 _.-(]{*!|\\\t\n", max_size=120)
_REFERENCE_TOKEN = re.compile(r"\w+(?:['-]\w+)*")
_REFERENCE_DOC_LINE = re.compile(
    r"(?im)^(?:subject|from|to|cc|date|sent|received date|email_from|content|hi|hello|dear|def|class|"
    r"import|function|public|#include|var|const|let)\b"
)


def _reference_short_run(text: str) -> bool:
    if text.count(" ") + text.count("\t") < 40:
        return False
    run = 0
    for chunk in text.split():
        run = run + 1 if len(chunk) <= 3 else 0
        if run >= 40:
            return True
    return False


@settings(max_examples=300, deadline=None)
@given(_TOKEN_TEXT)
def test_ascii_tokenizer_matches_the_regex(text: str) -> None:
    """Splitting in C gives exactly the tokens of the token regular expression."""
    assert sig.tokenize(text) == _REFERENCE_TOKEN.findall(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "ab", "abc", "abcd", "abcdefg", "x!", " ", "\t", "\n"]), max_size=150))
def test_short_run_prefilter_matches_the_loop(chunks: list[str]) -> None:
    """The block prefilter never changes whether 40 short chunks stand in a row."""
    text = " ".join(chunks)
    assert sig._short_run(text) == _reference_short_run(text)


@settings(max_examples=200, deadline=None)
@given(_SHAPE_TEXT)
def test_odd_count_fast_path_matches_the_regexes(text: str) -> None:
    """Counting rare characters and camel-case joints with bytes.translate gives the regex counts."""
    rare = len(sig._RARE_RE.findall(text))
    upper = sum(1 for c in text if "A" <= c <= "Z")
    expected = rare if rare >= 4 or upper < 4 - rare else rare + len(sig._CAMEL.findall(text))
    assert sig._odd_count(text) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["From: a", "hi there", "Dear x", "import os", "İmport y", " to"])))
def test_document_line_prefilter_matches_the_multiline_regex(lines: list[str]) -> None:
    """Trying the header regex only on lines with a known first word finds the same documents."""
    text = "\n".join(["intro", *lines])
    folded = text.lower()
    expected = bool(_REFERENCE_DOC_LINE.search(text)) and "\n" in text
    if text.count("\n") >= 4 and len(text) >= 400:
        expected = True
    assert sig._is_document(text, folded) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*sig._DANGER, "word", ". ", ".x", "(", "-"]), max_size=8))
def test_danger_hits_match_the_plain_scan(parts: list[str]) -> None:
    """Gated scanning finds the same dangerous calls, in the same order, as scanning for each."""
    folded = " ".join(parts)
    assert sig._danger_hits(folded) == [d for d in sig._DANGER if d in folded]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab1 ._-@$x", max_size=30))
def test_spaced_hint_fast_path_matches_the_regex(text: str) -> None:
    """The class-string test for spelled-out letters agrees with its regular expression."""
    assert sig._spaced_hint(text) == (sig._SPACED_HINT.search(text) is not None)


def test_case_scrambled_text_is_not_an_adversarial_suffix() -> None:
    """Alternating case puts a camel-case joint in every word; that alone is not optimizer output."""
    plain = "please tell me a story about a dragon " * 3
    text = "".join(c.upper() if i % 2 else c for i, c in enumerate(plain))
    assert sig._adversarial(text) == 0.0


_CJK_WORDS = sorted({w for _, a, b in sig.CJK_RULES for w in (*a, *b) if w})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*_CJK_WORDS, "的", "我们", "。", " ", "ai", "x"]), min_size=1, max_size=8))
def test_cjk_gates_never_skip_a_matching_rule(parts: list[str]) -> None:
    """The bigram gates in front of the CJK phrase rules only skip rules that cannot match."""
    from guardkit._canon import canonical
    from guardkit.validators._injection import PromptInjection

    lex = PromptInjection()._model.lexicon
    view = canonical("".join(parts))
    values = sig.analyze(view.text, view.folded, lex).values
    names = {"override": "cjk_override", "extraction": "cjk_extraction"}
    expected = {names.get(s, "cjk_jailbreak") for s, pattern, _ in lex.cjk if pattern.search(view.folded)}
    if view.folded.isascii() or not sig._NOSPACE.search(view.folded):
        expected = set()
    fired = {n for n in ("cjk_override", "cjk_extraction", "cjk_jailbreak") if values[sig.SIGNALS.index(n)]}
    assert fired == expected


_MODE_WORDS = ["system", "admin", "mode", "override", "update", "enabled", "by", "openai", "debug", "root"]
_SWITCH_WORDS = ["new", "real", "rules", "instructions", "are", "follow", "the", "task", "is", ":"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*_MODE_WORDS, "x", "-", "[", ":", "\n"]), max_size=8))
def test_system_mode_gate_is_a_necessary_condition(parts: list[str]) -> None:
    """When the gate says no, the system-mode pattern matches nowhere in the text."""
    folded = " ".join(parts)
    toks = sig.tokenize(folded)
    if not sig._sysmode_possible(folded, set(toks), None, toks) and "debug" not in folded:
        assert sig._SYSMODE.search(folded) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*_SWITCH_WORDS, "x", "-", "brand-new"]), max_size=8))
def test_new_rules_gate_is_a_necessary_condition(parts: list[str]) -> None:
    """When the gate says no, no "new rules: ..." branch of the context-switch pattern matches."""
    folded = " ".join(parts)
    toks = sig.tokenize(folded)
    branch = re.compile(
        r"\b(?:new|updated|revised|changed|real|actual)\s+(?:rules|instructions|directives|"
        r"guidelines|orders|task|objective|mission)\s*(?::|are|is|follow)"
    )
    if not sig._switch_pair(folded, set(toks), None, toks):
        assert branch.search(folded) is None
