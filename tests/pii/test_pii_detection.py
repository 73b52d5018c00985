"""PII detection per kind: true cases with exact spans, and hard negatives that must not fire."""

from __future__ import annotations

import pytest
from _pii_support import spans

from guardkit.validators._pii import PII

DETECTOR = PII()


def found(text: str) -> list[tuple[str, str]]:
    """(kind, flagged text) pairs for *text*."""
    return spans(text, DETECTOR.check(text))


TRUE_CASES = [
    # e-mail
    ("Reach me at jane.doe@example.org today.", "EMAIL", "jane.doe@example.org"),
    ("From: Ops <OPS+alerts@Mail.Example.co.uk>", "EMAIL", "OPS+alerts@Mail.Example.co.uk"),
    ('{"email": "x_y-z@sub.example.io"}', "EMAIL", "x_y-z@sub.example.io"),
    ("Schreiben Sie an jürgen.müller@firma.de bitte.", "EMAIL", "jürgen.müller@firma.de"),
    ("mailto:a.b@c.org", "EMAIL", "a.b@c.org"),
    # phone
    ("Call (415) 555-0134 after 5pm", "PHONE", "(415) 555-0134"),
    ("Phone: 415-555-0134", "PHONE", "415-555-0134"),
    ("Phone: 415.555.0134", "PHONE", "415.555.0134"),
    ("Text me on +1 650 253 0000.", "PHONE", "+1 650 253 0000"),
    ("Hotline 1-800-555-0199", "PHONE", "1-800-555-0199"),
    ('"phone": "6502530000"', "PHONE", "6502530000"),
    ("Tel.: +49 30 12345678", "PHONE", "+49 30 12345678"),
    ("Telefon: 030 12345678", "PHONE", "030 12345678"),
    ("Mobil: 0170-1234567", "PHONE", "0170-1234567"),
    ("Portable : 06 12 34 56 78", "PHONE", "06 12 34 56 78"),
    ("Tél. : 01.23.45.67.89", "PHONE", "01.23.45.67.89"),
    ("Ring us on +44 (0)20 7946 0958", "PHONE", "+44 (0)20 7946 0958"),
    ("Llámame al 612 34 56 78.", "PHONE", "612 34 56 78"),
    ("お電話は03-1234-5678まで", "PHONE", "03-1234-5678"),
    ("Ligue para (11) 98765-4321", "PHONE", "(11) 98765-4321"),
    ("call +91 98765 43210 now", "PHONE", "+91 98765 43210"),
    ("Mobile: 0412 345 678", "PHONE", "0412 345 678"),
    # cards
    ("Card 4111 1111 1111 1111 exp 05/27", "CREDIT_CARD", "4111 1111 1111 1111"),
    ("paid with 5555-5555-5555-4444.", "CREDIT_CARD", "5555-5555-5555-4444"),
    ("amex 3782 822463 10005", "CREDIT_CARD", "3782 822463 10005"),
    ("pan=6011000990139424", "CREDIT_CARD", "6011000990139424"),
    ("Diners 30569309025904", "CREDIT_CARD", "30569309025904"),
    ("JCB: 3530 1113 3330 0000", "CREDIT_CARD", "3530 1113 3330 0000"),
    ("2-series 2223 0031 2200 3222", "CREDIT_CARD", "2223 0031 2200 3222"),
    ("Visa 13: 4222222222222", "CREDIT_CARD", "4222222222222"),
    ("Kartennummer: 4111111111111111.", "CREDIT_CARD", "4111111111111111"),
    # SSN
    ("SSN: 123-45-6789", "US_SSN", "123-45-6789"),
    ("My social security number is 219 09 9999.", "US_SSN", "219 09 9999"),
    ('"ssn": "078051120"', "US_SSN", "078051120"),
    ("tax id 123456789", "US_SSN", "123456789"),
    ("numéro de sécurité sociale 123456789", "US_SSN", "123456789"),
    ("社会保障番号: 123456789", "US_SSN", "123456789"),
    ("employee 345-67-8901 joined", "US_SSN", "345-67-8901"),
    # IBAN
    ("IBAN: DE89 3704 0044 0532 0130 00.", "IBAN", "DE89 3704 0044 0532 0130 00"),
    ("Wire to GB82WEST12345698765432 (BIC on file)", "IBAN", "GB82WEST12345698765432"),
    ("IBAN FR14 2004 1010 0505 0001 3M02 606", "IBAN", "FR14 2004 1010 0505 0001 3M02 606"),
    ("Konto CH93 0076 2011 6238 5295 7", "IBAN", "CH93 0076 2011 6238 5295 7"),
    ("iban: nl91abna0417164300", "IBAN", "nl91abna0417164300"),
    # IP addresses
    ("blocked remote_addr=203.0.113.7:8443", "IP_ADDRESS", "203.0.113.7"),
    ("ssh into 10.0.0.12 and restart", "IP_ADDRESS", "10.0.0.12"),
    ("upstream [2001:db8::1]:443 healthy", "IP_ADDRESS", "2001:db8::1"),
    ("peer FE80::1C2A:3BFF:FE4D:5E6F", "IP_ADDRESS", "FE80::1C2A:3BFF:FE4D:5E6F"),
    ("host 2001:0db8:0000:0000:0000:ff00:0042:8329", "IP_ADDRESS", "2001:0db8:0000:0000:0000:ff00:0042:8329"),
    ("mapped ::ffff:192.0.2.128 ok", "IP_ADDRESS", "::ffff:192.0.2.128"),
    ("IPは192.168.0.1です", "IP_ADDRESS", "192.168.0.1"),
    # URLs
    ("See https://example.com/a/b?x=1#top.", "URL", "https://example.com/a/b?x=1#top"),
    ("- [Docs](https://docs.example.org/setup)", "URL", "https://docs.example.org/setup"),
    ("Go to www.example.net/page, then", "URL", "www.example.net/page"),
    ("(see https://en.example.org/wiki/Foo_(bar))", "URL", "https://en.example.org/wiki/Foo_(bar)"),
    ("リンク: https://help.example.jp/faqをご覧ください", "URL", "https://help.example.jp/faq"),
    ("api at http://localhost:8000/v1", "URL", "http://localhost:8000/v1"),
]


@pytest.mark.parametrize(("text", "kind", "value"), TRUE_CASES)
def test_true_case(text: str, kind: str, value: str) -> None:
    """The value is found with its kind and its exact span, and nothing else is."""
    assert found(text) == [(kind, value)]


HARD_NEGATIVES = [
    # cards
    "Card 4111 1111 1111 1112 was declined",  # Luhn-invalid
    "masked **** **** **** 4242",
    "XXXX-XXXX-XXXX-1244 on file",
    "tracking 4007-201779-90810 in transit",
    "order 7155248123911191043468 shipped",
    # phone-like numbers
    "SKU 614-427-0316-XL is back",
    "part number 743-716-3595-XL",
    "Ship to ZIP 88834-9588.",
    "ISBN 978-3-16-148410-0",
    "ts=1697150636 epoch",
    "It started at 1730590548000 ms",
    "2023-11-17 22:50:03,599 DEBUG ok",
    "invoice 202510420651 due",
    "Order #123-456-7890 shipped",
    "Artikelnummer 684-5795-47 ist ausverkauft",
    "version 10.0.19045.3693",
    "on 04/02/2025 00:35 we saw",
    # SSN-like
    "reference 123-45-6789 closed",
    "SSN: 666-12-3456",
    "SSN: 912-34-5678",
    "SSN 123-00-4567",
    "order 123456789 shipped",
    # IP-like
    "upgrade to v2.14.0.3 now",
    "we are on version 4.2.1.7",
    "Build 7.20.11.197 released",
    "OID 1.3.6.1.4.1.24320.13.5",
    "dotted 1.2.3.4.5 string",
    "MAC 5F:01:2D:DA:1A:6F",
    "at 22:50:03 UTC",
    "std::vector<int> and Foo::Bar",
    "bad 256.1.1.1 address",
    # IBAN-like
    "DE89 3704 0044 0532 0130 01 is a typo",
    "model RS256 signing",
    # e-mail-like
    "retina icon@2x.png asset",
    "ping @someone on chat",
    "ssh admin@localhost",
    "npm i @babel/core@7.24.0",
    # URL-like
    "not a url: https://",
    "the file example.com.txt",
    # identifiers
    "job e3806cde-d624-4834-a3a0-755ebad954dc failed",
    "commit 2251b60c38ab4d1e9f0c7a3b5e6d8f9a0b1c2d3e",
    "sha256 87d4486d14d88f98f6fbf7a55e41a46affa344872153769da0097278a8c03ab4",
    "addr 0x7ffeefbff5c8",
    # numbers in code and references
    "Discrete Mathematics, 105, pp. 292-303 (1992).",
    "Math. Monthly 77, 259-264 1970",
    ">>> harmonic(8)\n761/280 and 83711/27720",
    "assert round(x, 10) == 1.6349839002",
    'sp.check_call(["truncate", "-s", "5368709120"])',
    "seed = 3562050283508273023",
    "rng = np.random.default_rng(628174795866951638)",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(text: str) -> None:
    """Look-alikes that are not personal data are not flagged."""
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An e-mail inside a URL is reported as the URL only.
        (
            "open https://example.com/u?mail=jane@example.org now",
            [("URL", "https://example.com/u?mail=jane@example.org")],
        ),
        # An IP inside a URL is the URL.
        ("fetch http://10.0.0.1:8080/status", [("URL", "http://10.0.0.1:8080/status")]),
        # user:pass@host inside a DSN is not an e-mail (the DSN is a secret, not PII).
        ("db mysql://app:Rocket145@db.example.com:3306/app", []),
        # Several kinds in one text, in order.
        (
            "jane@example.org, +1 415 555 0134, 4111111111111111",
            [
                ("EMAIL", "jane@example.org"),
                ("PHONE", "+1 415 555 0134"),
                ("CREDIT_CARD", "4111111111111111"),
            ],
        ),
    ],
)
def test_outer_entity_wins(text: str, expected: list[tuple[str, str]]) -> None:
    """Nested entities are reported once, as the outermost one."""
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tel: 6502530000", [("PHONE", "6502530000")]),
        ("ref 6502530000", []),
        ("| Name | Phone |\n|---|---|\n| Ann | 6502530000 |", [("PHONE", "6502530000")]),
        ("| Name | Order |\n|---|---|\n| Ann | 6502530000 |", []),
        ("SSN: 123456789", [("US_SSN", "123456789")]),
        ("count: 123456789", []),
    ],
)
def test_bare_numbers_need_context(text: str, expected: list[tuple[str, str]]) -> None:
    """Bare digit strings count only next to a phone or SSN word (or under such a table column)."""
    assert found(text) == expected
