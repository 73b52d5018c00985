"""No pattern has a super-linear worst case: 100 KB adversarial inputs finish fast, and checks are total.

A catastrophic backtracking bug costs seconds to hours on these inputs; a linear scan costs a few
milliseconds, so a generous wall-clock bound separates the two without being a benchmark.
"""

from __future__ import annotations

import time
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardkit.validators._pii import PII
from guardkit.validators._secrets import Secrets

VALIDATORS = (PII(), Secrets())
SIZE = 100_000

ADVERSARIAL = {
    "digits": "1" * SIZE,
    "digit-groups": "1234 " * (SIZE // 5),
    "dashed-digits": "12-" * (SIZE // 3),
    "dotted-digits": "1." * (SIZE // 2),
    "repeated-separators": "1" + " -./()" * (SIZE // 6),
    "plus-parens": "+(1) " * (SIZE // 5),
    "base64": ("Ab9+/" * (SIZE // 5)),
    "base64url": ("aZ0_-" * (SIZE // 5)),
    "hex-colons": "a:" * (SIZE // 2),
    "colons": ":" * SIZE,
    "at-signs": "a@" * (SIZE // 2),
    "dots-letters": "a." * (SIZE // 2),
    "email-local": "a" * SIZE + "@",
    "domain-labels": "x@" + "a-" * (SIZE // 2),
    "url-path": "https://a.b/" + "(" * SIZE,
    "jwt-ish": "eyJ" + "A" * SIZE + "." + "eyJ" + "B" * 10,
    "pem-begin": "-----BEGIN PRIVATE KEY-----\n" + ("A" * 64 + "\n") * (SIZE // 65),
    "password-keys": "password=" * (SIZE // 9),
    "ado-pairs": "Server=a;" * (SIZE // 9) + "Password=x",
    "dsn": "postgres://" + "a:" * (SIZE // 2),
    "iban-like": "DE89 " * (SIZE // 5),
    "tokens": "sk-" * (SIZE // 3),
    "slack": "xoxb-1-" * (SIZE // 7),
    "defang": "[.]" * (SIZE // 3),
    "json-escapes": "\\u0040" * (SIZE // 6),
    "spelled": "a dot " * (SIZE // 6) + "at b dot com",
    "whitespace": " \n\t" * (SIZE // 3),
    "cjk": "電話番号" * (SIZE // 4),
    "fullwidth-digits": "１" * SIZE,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_input_is_linear(name: str) -> None:
    """Each 100 KB adversarial string is scanned by both validators in well under a few seconds."""
    text = ADVERSARIAL[name]
    start = time.perf_counter()
    for validator in VALIDATORS:
        validator.check(text)
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, f"{name}: {elapsed:.2f}s for {len(text)} characters"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from("0123456789 -.@:/+()=_abxAKIA[]\n\u200b\uff11"), max_size=300))
def test_checks_are_total(text: str) -> None:
    """Any string gives sorted, disjoint, in-bounds findings and never raises."""
    for validator in VALIDATORS:
        findings = validator.check(text)
        assert all(0 <= f.start < f.end <= len(text) for f in findings)
        assert all(a.end <= b.start for a, b in pairwise(findings))


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode(text: str) -> None:
    """Arbitrary Unicode (surrogates, controls, combining marks) never breaks a scan."""
    for validator in VALIDATORS:
        for f in validator.check(text):
            assert 0 <= f.start < f.end <= len(text)
