"""Redactors: fixed labels, masks that keep the shape, and keyed hash tokens."""

from __future__ import annotations

import pytest

from guardkit._errors import ConfigError
from guardkit._redactors import Hash, Mask, Redact

KEY = b"0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("template", "kind", "expected"),
    [("[{kind}]", "EMAIL", "[EMAIL]"), ("<redacted>", "PHONE", "<redacted>"), ("{kind}!", "IBAN", "IBAN!")],
)
def test_redact(template: str, kind: str, expected: str) -> None:
    """Redact writes its template with the kind filled in."""
    assert Redact(template).replace(kind, "secret value") == expected


@pytest.mark.parametrize("template", ["{value}", "{0}", "{kind"])
def test_redact_rejects_other_fields(template: str) -> None:
    """A template may only use {kind}: it never echoes the value."""
    with pytest.raises(ConfigError, match="template"):
        Redact(template)


@pytest.mark.parametrize(
    ("mask", "kind", "value", "expected"),
    [
        (Mask(), "CREDIT_CARD", "4111 1111 1111 1111", "**** **** **** 1111"),
        (Mask(), "CREDIT_CARD", "4111-1111-1111-1111", "****-****-****-1111"),
        (Mask(), "US_SSN", "123-45-6789", "***-**-6789"),
        (Mask(), "PHONE", "+1 (415) 555-0134", "+* (***) ***-0134"),
        (Mask(keep_last=0), "IBAN", "DE89 3704", "**** ****"),
        (Mask(keep_last=2, char="#"), "CREDIT_CARD", "4111111111111111", "##############11"),
        (Mask(keep_separators=False), "US_SSN", "123-45-6789", "*******6789"),
        (Mask(), "GENERIC_PASSWORD", "abc", "**c"),  # never more than half of a short value
        (Mask(), "EMAIL", "", ""),
    ],
)
def test_mask(mask: Mask, kind: str, value: str, expected: str) -> None:
    """Mask hides letters and digits, keeps separators and at most keep_last trailing characters."""
    out = mask.replace(kind, value)
    assert out == expected
    assert len(out) == len(value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"keep_last": -1}, "keep_last"), ({"char": "ab"}, "char"), ({"char": "x"}, "char")],
)
def test_mask_arguments(kwargs: dict[str, object], message: str) -> None:
    """Bad Mask arguments raise ConfigError."""
    with pytest.raises(ConfigError, match=message):
        Mask(**kwargs)  # type: ignore[arg-type]


def test_hash_is_deterministic_and_keyed() -> None:
    """The same value and key give the same token; another key gives another."""
    token = Hash(key=KEY).replace("EMAIL", "jane@example.org")
    assert token == Hash(key=KEY).replace("EMAIL", "jane@example.org")
    assert token.startswith("<EMAIL:")
    assert token.endswith(">")
    assert len(token) == len("<EMAIL:>") + 10
    assert token != Hash(key=b"another key of 32 bytes........").replace("EMAIL", "jane@example.org")
    assert token != Hash(key=KEY).replace("EMAIL", "john@example.org")
    assert "jane" not in token


def test_hash_matches_the_documented_construction() -> None:
    """Without normalization the digest is HMAC-SHA256(key, value), hex, truncated."""
    import hashlib
    import hmac

    expected = hmac.new(KEY, b"jane@example.org", hashlib.sha256).hexdigest()[:10]
    assert Hash(key=KEY, normalize=False).replace("EMAIL", "jane@example.org") == f"<EMAIL:{expected}>"


@pytest.mark.parametrize(
    ("kind", "a", "b"),
    [
        ("CREDIT_CARD", "4111 1111 1111 1111", "4111-1111-1111-1111"),
        ("EMAIL", "Jane@Example.org", "jane@example.org"),
        ("PHONE", "+1 415 555 0134", "+1-415-555-0134"),
        ("IBAN", "de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("EMAIL", "ｊａｎｅ@example.org", "jane@example.org"),
    ],
)
def test_hash_normalizes_formatting(kind: str, a: str, b: str) -> None:
    """Formatting differences of one value give one token."""
    hasher = Hash(key=KEY)
    assert hasher.replace(kind, a) == hasher.replace(kind, b)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"key": b"short"}, "16 bytes"),
        ({"key": 123}, "bytes or str"),
        ({"key": KEY, "length": 4}, "length"),
        ({"key": KEY, "template": "<{kind}>"}, "digest"),
    ],
)
def test_hash_arguments(kwargs: dict[str, object], message: str) -> None:
    """Bad Hash arguments raise ConfigError."""
    with pytest.raises(ConfigError, match=message):
        Hash(**kwargs)  # type: ignore[arg-type]


def test_hash_repr_hides_key() -> None:
    """The repr shows the key size, never the key."""
    text = repr(Hash(key=KEY))
    assert KEY.decode() not in text
    assert "32 bytes" in text
