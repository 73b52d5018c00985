"""Formats beyond the common ones: each case is a way real text writes a value, with its near misses.

Cards with dot or double-space separators, national phone numbers with a dash after the area code,
the ``00`` and ``(+CC)`` international forms, Indian trunk-prefixed mobiles, the katakana ``ー`` used
as a dash, accented e-mail local parts, dotted IBANs, address ranges, SQL ``IDENTIFIED BY`` and XML
password elements, and an AWS secret right after its access key id.
"""

from __future__ import annotations

import time

import pytest
from _pii_support import B64, fake, spans

from guardkit.validators._pii import PII
from guardkit.validators._secrets import Secrets

PII_CHECK = PII()
SECRETS = Secrets()
# A 40-character secret with upper, lower and digits, and an access key id in AWS's alphabet.
AWS_SECRET = "Zq8" + fake(34, B64, 11) + "x7Q"
AWS_KEY_ID = "AKIA" + "Q2W3E4R5T6Y7U2I3"


def found(text: str) -> list[tuple[str, str]]:
    """(kind, flagged text) pairs from both validators, in text order."""
    findings = sorted([*PII_CHECK.check(text), *SECRETS.check(text)], key=lambda f: f.start)
    return spans(text, findings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # cards: dots and double spaces between the groups
        ("card 4111.1111.1111.1111 exp 12/29", [("CREDIT_CARD", "4111.1111.1111.1111")]),
        ("use my card 5500  0000  0000  0004 please", [("CREDIT_CARD", "5500  0000  0000  0004")]),
        ("Amex 3782  822463  10005.", [("CREDIT_CARD", "3782  822463  10005")]),
        # phones: a dash or slash after a trunk-prefixed area code, a dash before an extension
        ("bel me op 020-123 4567", [("PHONE", "020-123 4567")]),
        ("Telefon 030/123 4567", [("PHONE", "030/123 4567")]),
        ("Durchwahl: 089 123 456-78", [("PHONE", "089 123 456-78")]),
        # phones: the international prefix written as 00, or the country code in parentheses
        ("Call 0044 20 7946 0958 today", [("PHONE", "0044 20 7946 0958")]),
        ("bel 0031 6 12345678", [("PHONE", "0031 6 12345678")]),
        ("Contatto: (+39) 06 6982 3456", [("PHONE", "(+39) 06 6982 3456")]),
        ("telefone (+351) 912 345 678", [("PHONE", "(+351) 912 345 678")]),
        # phones: an Indian mobile with the trunk prefix; an encoded space before a parenthesis
        ("my cell is 098765 43210", [("PHONE", "098765 43210")]),
        ("phone=1%20(415)%20555-0134&plan=pro", [("PHONE", "1%20(415)%20555-0134")]),
        # phones: the katakana prolonged sound mark typed as a dash
        ("電話：０９０ー１２３４ー５６７８まで", [("PHONE", "０９０ー１２３４ー５６７８")]),
        ("携帯は090ー1234ー5678です", [("PHONE", "090ー1234ー5678")]),
        # e-mail: accented letters anywhere in the local part
        ("mail josé@exemplo.pt", [("EMAIL", "josé@exemplo.pt")]),
        ("Écrivez à hélène.dupont@exemple.fr.", [("EMAIL", "hélène.dupont@exemple.fr")]),
        ("contacto: conceição.silva@correio.pt", [("EMAIL", "conceição.silva@correio.pt")]),
        ("メールはa@b.comです", [("EMAIL", "a@b.com")]),  # CJK text before it stays out
        # e-mail: internationalized domains, in any script, with text of that script around them
        ("mail jane@bücher.de now", [("EMAIL", "jane@bücher.de")]),
        ("メールはjane@例え.jpです", [("EMAIL", "jane@例え.jp")]),
        ("пишите: ivan@пример.рф, спасибо", [("EMAIL", "ivan@пример.рф")]),
        ("x@东京.中国。", [("EMAIL", "x@东京.中国")]),
        # IBAN: groups separated by dots
        ("IBAN DE89.3704.0044.0532.0130.00 (BIC)", [("IBAN", "DE89.3704.0044.0532.0130.00")]),
        # IPv4 address ranges
        (
            "dhcp-range=192.168.1.20-192.168.1.40,12h",
            [("IP_ADDRESS", "192.168.1.20"), ("IP_ADDRESS", "192.168.1.40")],
        ),
        # passwords: SQL IDENTIFIED BY and XML elements
        ("CREATE USER report IDENTIFIED BY 'Sole1988#';", [("GENERIC_PASSWORD", "Sole1988#")]),
        ('ALTER USER app identified by "Zq8Lm2xWe9";', [("GENERIC_PASSWORD", "Zq8Lm2xWe9")]),
        ("<server><password>S3cret!23x</password></server>", [("GENERIC_PASSWORD", "S3cret!23x")]),
        ("<db.password> Qw9!zz81 </db.password>", [("GENERIC_PASSWORD", "Qw9!zz81")]),
        # AWS: a credentials CSV, the secret right after the key id
        (
            f"Access key ID,Secret access key\n{AWS_KEY_ID},{AWS_SECRET}\n",
            [("AWS_ACCESS_KEY", AWS_KEY_ID), ("AWS_SECRET_KEY", AWS_SECRET)],
        ),
        (f"{AWS_KEY_ID}\t{AWS_SECRET}", [("AWS_ACCESS_KEY", AWS_KEY_ID), ("AWS_SECRET_KEY", AWS_SECRET)]),
    ],
)
def test_detected(text: str, expected: list[tuple[str, str]]) -> None:
    """Each value is found with exactly the characters as written, and nothing else is."""
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # cards: Luhn-invalid dotted groups, dotted version-like numbers
        "card 4111.1111.1111.1112",
        "build 2024.1111.1111.1111",
        # phones: mixed separators without a trunk prefix, or after a reference word
        "range 259-264 1970",
        "ref 030/123 4567",
        # phones: 00 before a number that is no country code; a bad code in parentheses
        "code 0099 12 3456 7890",
        "(+999) 12 3456 789",
        # phones: six-then-five digit groups that are no Indian mobile
        "total 054321 12345",
        # katakana marks between digits that make no number
        "第１ー２章",
        # IPv4: a range that ends in a bare number, and a range of versions
        "hosts 10.0.0.1-5",
        "version 1.2.3.4-1.2.3.9",
        # passwords: prose after "identified by", placeholders, empty and label elements
        "the user identified by name John2 was late",
        "CREATE USER x IDENTIFIED BY '${DB_PASSWORD}';",
        "<password></password>",
        "<password>${DB_PASS}</password>",
        "<label>Password</label><input>",
        # AWS: a 40-character value after something that is no access key id
        f"id,value\nrow-1,{AWS_SECRET}",
    ],
)
def test_not_detected(text: str) -> None:
    """Near misses of the formats above stay unflagged."""
    assert found(text) == []


ADVERSARIAL = {
    "dotted digits": "4." * 50_000,
    "double-spaced digits": "4  " * 33_000,
    "katakana dashes": "1ー" * 50_000,
    "open parentheses": "(+1) " * 20_000,
    "address ranges": "1.2.3.4-" * 12_500,
    "xml password tags": "<password>" * 10_000,
    "identified by": "identified by '" * 7_000,
    "key ids": "AKIAQ2W3E4R5T6Y7U2I3," * 5_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_new_patterns_are_linear(name: str) -> None:
    """Each 100 KB input aimed at a new pattern is scanned in well under a few seconds."""
    text = ADVERSARIAL[name]
    t0 = time.perf_counter()
    PII_CHECK.check(text)
    SECRETS.check(text)
    assert time.perf_counter() - t0 < 5.0
