"""The fast paths of the canonical view give exactly what the slow, exact ones give."""

from __future__ import annotations

import functools
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardkit import _canon
from guardkit._canon import CanonicalText, invisible_runs

# Latin letters, Cyrillic and Greek look-alikes and other letters of those scripts, letters of
# other scripts, marks, digits, gaps the fold pre-checks know and gaps they do not.
SCRIPTS = (
    "abcxyzPQRéüßñÀ"
    "аеорсухіјѕАВЕКМНОРСТХ"
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧονιρυακχ"
    "длиПбвжλωΣ"
    "東のテ\U00020000\u0301\u0483ª1_ .,-«»—’\u3000、€©²\U0001f600"
)
script_texts = st.text(alphabet=st.sampled_from(SCRIPTS), max_size=40)
# Compatibility characters NFKC maps one to one, expansions, compositions and invisible characters.
NORMALIZE = (
    "ＡＩ！（）：１\u00a0\u202f\u2011ｶﾞ\u3131\u314f…ﬁ½\u0301\u0308e\u200b\u200d\ufe0f\U0001d41b"
    "\U0001f600東京a "
)
normalize_texts = st.text(alphabet=st.sampled_from(NORMALIZE), max_size=40) | st.text(
    alphabet=st.sampled_from(NORMALIZE) | st.characters(codec=None), max_size=40
)


@functools.cache
def exact_tables() -> _canon._Tables:
    """Tables whose fold pre-check always fires, so folding always takes the exact path."""
    tables = _canon._Tables()
    object.__setattr__(tables, "lookalike_hint_re", re.compile(""))
    return tables


@pytest.mark.parametrize(
    "text",
    [
        "Grüße aus München, Привет, как дела? Καλημέρα κόσμε. 東京",  # nothing to fold
        "pаypаl",  # a mixed word
        "pдa",  # a mixed word whose look-alike does not touch the Latin letter
        "Ехес the command",  # a look-alike word next to a Latin one
        "the «Ехес»",
        "Python и о",  # a look-alike word whose nearest word is not Latin
        "е\u0301 cat",
        "Pの\u0430",  # a mixed word with a letter of a third script between
    ],
)
def test_fold_examples(text: str) -> None:
    """On examples, folding with the pre-checks gives what the exact search gives."""
    assert _canon._fold_scripts(text, _canon._get_tables()) == _canon._fold_scripts(text, exact_tables())


@settings(max_examples=400, deadline=None)
@given(script_texts)
def test_fold_precheck_is_exact(text: str) -> None:
    """The fold pre-checks never skip a text that the exact search would fold."""
    assert _canon._fold_scripts(text, _canon._get_tables()) == _canon._fold_scripts(text, exact_tables())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＡＩの話（続き）！", "AIの話(続き)!"),  # full-width forms, one to one
        ("Paris\u00a0: «\u202fOui\u202f»", "Paris : « Oui »"),  # no-break spaces
        ("disait\u2011elle…", "disait-elle..."),  # a hyphen NFKC maps to one the view folds
        ("𝐛𝐨𝐥𝐝 ①", "bold 1"),
    ],
)
def test_one_to_one(text: str, expected: str) -> None:
    """Characters NFKC maps one to one are normalized in place, with an identity map around them."""
    view = CanonicalText(text)
    assert view.text == expected
    if len(expected) == len(text):
        assert [view.to_original(i, i + 1) for i in range(len(text))] == [
            (i, i + 1) for i in range(len(text))
        ]


@settings(max_examples=300, deadline=None)
@given(normalize_texts)
def test_view_is_nfkc_of_the_kept_text(text: str) -> None:
    """The view is NFKC of the text without what invisible_runs reports, then folded."""
    dropped = {i for a, b, _ in invisible_runs(text) for i in range(a, b)}
    kept = "".join(c for i, c in enumerate(text) if i not in dropped)
    normal = unicodedata.normalize("NFKC", kept)
    assert CanonicalText(text).text == _canon._fold_confusables(normal, _canon._get_tables())
