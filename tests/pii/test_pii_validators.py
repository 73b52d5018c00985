"""The PII and Secrets validator API: arguments, findings, reprs, and what never leaks."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from _pii_support import ALNUM, fake, jwt

from guardkit._errors import ConfigError
from guardkit._policy import Policy
from guardkit._redactors import Hash, Mask
from guardkit._types import Action, Finding, Validator
from guardkit.validators._pii import PII, PII_WINDOW
from guardkit.validators._secrets import SECRETS_WINDOW, Secrets

GHP = "ghp_" + fake(36, ALNUM, 7)
MIXED = (
    "Contact jane.doe@example.org or +1 415 555 0134; card 4111 1111 1111 1111; SSN 123-45-6789; "
    f"IBAN DE89 3704 0044 0532 0130 00 from 10.0.0.12 via https://example.com/x; token {GHP}; "
    f"DATABASE_URL=postgres://app:Rocket145@db.example.com:5432/app; jwt {jwt()}; password=Winter44#"
)


def test_validators_satisfy_protocol() -> None:
    """Both are Validators with the optional attributes a policy reads."""
    for validator in (PII(), Secrets()):
        assert isinstance(validator, Validator)
        assert validator.redact_with == "[{kind}]"
    assert PII().window == PII_WINDOW >= 2048  # a URL's length, plus context
    assert Secrets().window == SECRETS_WINDOW >= 8192  # a PEM block's length, plus context
    assert PII().action == "redact"
    assert Secrets().action == "block"


def test_findings_sorted_disjoint_and_in_bounds() -> None:
    """Findings are sorted by start, never overlap, and lie within the text."""
    for validator in (PII(), Secrets()):
        findings = validator.check(MIXED)
        assert isinstance(findings, tuple)
        assert findings
        assert all(0 <= f.start < f.end <= len(MIXED) for f in findings)
        assert all(a.end <= b.start for a, b in pairwise(findings))


def test_rules_and_kinds() -> None:
    """Rules are name.kind in lower case; kinds are the upper-case kind names."""
    rules = {f.rule for f in PII().check(MIXED)} | {f.rule for f in Secrets().check(MIXED)}
    assert {
        "pii.email",
        "pii.phone",
        "pii.credit_card",
        "pii.us_ssn",
        "pii.iban",
        "pii.ip_address",
        "pii.url",
        "secrets.github_token",
        "secrets.db_connection_string",
        "secrets.jwt",
        "secrets.generic_password",
    } <= rules
    custom = PII(name="personal").check("jane@example.org")
    assert [f.rule for f in custom] == ["personal.email"]


def test_clean_text_returns_empty_tuple() -> None:
    """The clean path returns () for empty and ordinary text."""
    for validator in (PII(), Secrets()):
        assert validator.check("") == ()
        assert validator.check("Nothing to see here, just words and 42 numbers.") == ()


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ({"EMAIL"}, {"EMAIL"}),
        (["email", "Iban"], {"EMAIL", "IBAN"}),
        ("PHONE", {"PHONE"}),
    ],
)
def test_kinds_narrow(kinds: object, expected: set[str]) -> None:
    """kinds (case-insensitive) restricts what is reported."""
    validator = PII(kinds=kinds)  # type: ignore[arg-type]
    assert validator.kinds == expected
    assert {f.kind for f in validator.check(MIXED)} == expected


def test_narrowed_kinds_still_report_inner_entities() -> None:
    """With URL not requested, an e-mail inside a URL is still an e-mail."""
    text = "see https://example.com/?to=jane@example.org"
    assert [f.kind for f in PII(kinds={"EMAIL"}).check(text)] == ["EMAIL"]
    assert [f.kind for f in PII().check(text)] == ["URL"]


def test_narrowed_kinds_keep_structure() -> None:
    """A DSN still hides the e-mail-shaped user:pass@host inside it when only EMAIL is asked."""
    text = "mysql://app:Rocket145@db.example.com:3306/app"
    assert PII(kinds={"EMAIL"}).check(text) == ()
    assert [f.kind for f in Secrets(kinds={"GENERIC_PASSWORD"}).check(text)] == []


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: PII(kinds={"EMAIL", "PASSPORT"}), "PASSPORT"),
        (lambda: Secrets(kinds={"NOPE_TOKEN"}), "NOPE_TOKEN"),
        (lambda: PII(kinds=[]), "empty"),
        (lambda: PII(kinds=[1]), "strings"),  # type: ignore[list-item]
        (lambda: PII(action="explode"), "action"),
        (lambda: Secrets(action="hash"), "Hash(key=...)"),
        (lambda: PII(action=42), "action"),
        (lambda: PII(name=""), "name"),
        (lambda: PII(redact_with=None), "redact_with"),  # type: ignore[arg-type]
        (lambda: PII(min_score=2), "min_score"),
    ],
)
def test_bad_arguments(factory: object, message: str) -> None:
    """Bad arguments raise ConfigError naming the problem."""
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        factory()  # type: ignore[operator]


def test_actions() -> None:
    """Actions are strings, Action values, or redactors; "mask" becomes a Mask."""
    assert isinstance(PII(action="mask").action, Mask)
    assert PII(action=Action.BLOCK).action is Action.BLOCK
    hasher = Hash(key=b"k" * 32)
    assert PII(action=hasher).action is hasher
    assert PII(action="PSEUDONYMIZE").action == "pseudonymize"


def test_min_score_drops_weak_findings() -> None:
    """min_score filters context-dependent findings."""
    text = "employee 345-67-8901 joined"  # an SSN shape without a keyword scores below 1
    assert PII().check(text)
    assert PII(min_score=0.95).check(text) == ()


def test_reprs_show_settings_not_values() -> None:
    """Reprs show configuration only."""
    assert repr(PII()) == "PII(kinds=all, action='redact', name='pii')"
    assert repr(PII(kinds={"IBAN", "EMAIL"})) == "PII(kinds={'EMAIL', 'IBAN'}, action='redact', name='pii')"
    assert repr(Secrets()).startswith("Secrets(kinds=all, action='block'")
    assert "k" * 32 not in repr(PII(action=Hash(key=b"k" * 32)))


def test_findings_never_carry_values() -> None:
    """Finding reprs and details hold kinds, rules and offsets, never the flagged text."""
    findings = [*PII().check(MIXED), *Secrets().check(MIXED)]
    assert findings
    for f in findings:
        value = MIXED[f.start : f.end]
        assert value not in repr(f)
        assert value not in f.detail
        assert isinstance(f, Finding)


def test_policy_redacts_and_blocks() -> None:
    """In a policy, PII redacts by default and Secrets blocks."""
    pii_verdict = Policy(input=[PII()]).check_input("mail jane@example.org now")
    assert pii_verdict.text == "mail [EMAIL] now"
    masked = Policy(input=[PII(action=Mask())]).check_input("card 4111 1111 1111 1111")
    assert masked.text == "card **** **** **** 1111"
    blocked = Policy(input=[Secrets()]).check_input(f"token {GHP}")
    assert blocked.blocked
    assert GHP not in blocked.text
    assert GHP not in repr(blocked)


def test_redaction_is_idempotent_and_leaves_no_fragment() -> None:
    """Redacting twice changes nothing more, and no character of a value survives."""
    policy = Policy(input=[PII(), Secrets(action="redact")])
    once = policy.check_input(MIXED).text
    twice = policy.check_input(once).text
    assert once == twice
    for fragment in ("jane.doe", "4111", "123-45-6789", "DE89", GHP[4:12], "Rocket145", "Winter44"):
        assert fragment not in once


@pytest.mark.parametrize(
    "module",
    ["guardkit.validators._pii", "guardkit.validators._secrets", "guardkit._redactors"],
)
def test_module_doctests(module: str, module_doctests: Any) -> None:
    """The examples in the docstrings hold."""
    result = module_doctests(module)
    assert result.attempted > 0
    assert result.failed == 0


def test_imports_stay_light() -> None:
    """Importing the PII modules loads no heavy or optional dependency; detectors compile on first use."""
    import subprocess
    import sys

    code = (
        "import sys, guardkit\n"
        "before = set(sys.modules)\n"
        "import guardkit.validators._pii, guardkit.validators._secrets, guardkit._redactors\n"
        "import guardkit._vault_crypto\n"
        "heavy = ('cryptography', 'hashlib', 'hmac', 'json', 'base64', 'regex', 'pydantic',\n"
        "         'guardkit.validators._pii_detectors', 'guardkit.validators._pii_secret_rules')\n"
        "print(repr(sorted(m for m in heavy if m in sys.modules and m not in before)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
