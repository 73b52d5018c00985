"""Checksums and validation rules behind the detectors."""

from __future__ import annotations

import pytest
from _pii_support import fake, jwt

from guardkit.validators._pii_checks import (
    card_issuer,
    entropy,
    iban_valid,
    is_placeholder,
    jwt_valid,
    luhn_valid,
    ssn_valid,
)


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("378282246310005", True),
        ("6011000990139424", True),
        ("79927398713", True),
        ("79927398710", False),
    ],
)
def test_luhn(digits: str, valid: bool) -> None:
    """Luhn accepts valid check digits and rejects a changed last digit."""
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("digits", "issuer"),
    [
        ("4111111111111111", "visa"),
        ("4222222222222", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("2721000000000000", None),  # just past the 2-series range
        ("378282246310005", "amex"),
        ("37828224631000", None),  # Amex must have 15 digits
        ("6011111111111117", "discover"),
        ("6441111111111111", "discover"),
        ("3530111333300000", "jcb"),
        ("30569309025904", "diners"),
        ("36227206271667", "diners"),
        ("6200000000000005", "unionpay"),
        ("9111111111111111", None),
        ("411111111111", None),  # too short
    ],
)
def test_card_issuer(digits: str, issuer: str | None) -> None:
    """Issuer ranges and lengths identify the network, or reject the number."""
    assert card_issuer(digits) == issuer


@pytest.mark.parametrize(
    ("iban", "valid"),
    [
        ("DE89370400440532013000", True),
        ("GB82WEST12345698765432", True),
        ("FR1420041010050500013M02606", True),
        ("NL91ABNA0417164300", True),
        ("CH9300762011623852957", True),
        ("DE89370400440532013001", False),  # check digits no longer match
        ("DE8937040044053201300", False),  # one character short for DE
        ("XX89370400440532013000", False),  # unknown country
        ("GB82WEST1234569876543!", False),
    ],
)
def test_iban(iban: str, valid: bool) -> None:
    """IBANs need their country's length and mod-97 check digits."""
    assert iban_valid(iban) is valid


@pytest.mark.parametrize(
    ("area", "group", "serial", "valid"),
    [
        ("123", "45", "6789", True),
        ("000", "45", "6789", False),
        ("666", "45", "6789", False),
        ("900", "45", "6789", False),
        ("123", "00", "6789", False),
        ("123", "45", "0000", False),
    ],
)
def test_ssn_rules(area: str, group: str, serial: str, valid: bool) -> None:
    """SSA rules exclude area 000/666/9xx, group 00 and serial 0000."""
    assert ssn_valid(area, group, serial) is valid


def test_entropy_orders_random_above_repetitive() -> None:
    """Random text has high entropy, repeated characters none."""
    assert entropy("aaaaaaaa") == 0.0
    assert entropy("abab") == pytest.approx(1.0)
    assert entropy(fake(64)) > 5.0
    assert entropy("") == 0.0


@pytest.mark.parametrize(
    ("body", "placeholder"),
    [
        ("XXXXXXXXXXXXXXXXXXXXXXXXXXXX", True),
        ("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", True),
        ("IOSFODNN7EXAMPLE", True),
        ("your-api-key-goes-here-please", True),
        ("abcdefghijklmnopqrstuvwxyz012345", True),
        ("1234567890123456789012345678901234", True),
        ("<insert key>", True),
        ("", True),
        (fake(36), False),
        (fake(40, "0123456789abcdef"), False),
    ],
)
def test_placeholders(body: str, placeholder: bool) -> None:
    """Documentation fillers are placeholders, random bodies are not."""
    assert is_placeholder(body) is placeholder


@pytest.mark.parametrize(
    ("token", "valid"),
    [
        (jwt(), True),
        (jwt("RS256"), True),
        ("eyJzdWIiOiIxIn0.eyJzdWIiOiIxIn0.c2ln", False),  # header without "alg"
        ("eyJ!!!.eyJ.abc", False),
        ("eyJhbGciOiJIUzI1Ni", False),  # truncated header
    ],
)
def test_jwt_header(token: str, valid: bool) -> None:
    """A JWT needs a decodable JSON header with an alg member."""
    assert jwt_valid(token) is valid
