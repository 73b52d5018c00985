"""Validation rules that give the PII and secret detectors their precision.

Pure functions over already-extracted candidate values: checksums (Luhn, IBAN mod-97), issuer and
numbering-plan rules, JWT and placeholder tests, and Shannon entropy. Nothing here scans text.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections import Counter
from typing import Final

__all__ = [
    "IBAN_LENGTHS",
    "card_issuer",
    "entropy",
    "iban_valid",
    "is_placeholder",
    "jwt_valid",
    "luhn_valid",
    "ssn_valid",
]


def luhn_valid(digits: str) -> bool:
    """Return whether the digit string passes the Luhn checksum."""
    total = 0
    parity = len(digits) % 2
    for index, char in enumerate(digits):
        value = ord(char) - 48
        if index % 2 == parity:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_issuer(digits: str) -> str | None:
    """Return the card network whose prefix and length rules *digits* satisfies, else ``None``.

    Covers Visa, Mastercard (51-55 and 2221-2720), American Express, Discover, JCB, Diners Club and
    UnionPay. The Luhn checksum is checked separately.
    """
    size = len(digits)
    if size < 13 or size > 19:
        return None
    first = digits[0]
    p2 = int(digits[:2])
    p3 = int(digits[:3])
    p4 = int(digits[:4])
    if first == "4":
        return "visa" if size in (13, 16, 19) else None
    if (51 <= p2 <= 55 or 2221 <= p4 <= 2720) and size == 16:
        return "mastercard"
    if p2 in (34, 37):
        return "amex" if size == 15 else None
    if p4 == 6011 or 644 <= p3 <= 649 or p2 == 65 or 622126 <= int(digits[:6]) <= 622925:
        return "discover" if size >= 16 else None
    if 3528 <= p4 <= 3589:
        return "jcb" if size >= 16 else None
    if 300 <= p3 <= 305 or p2 in (36, 38, 39):
        return "diners" if size >= 14 else None
    if p2 == 62:
        return "unionpay" if size >= 16 else None
    return None


# ISO 13616 registry: country code -> IBAN length.
IBAN_LENGTHS: Final[dict[str, int]] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def iban_valid(iban: str) -> bool:
    """Return whether the compact upper-case *iban* has its country's length and valid check digits."""
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is None or len(iban) != expected or not iban[2:4].isdigit():
        return False
    if not iban.isalnum() or not iban.isascii():
        return False
    rearranged = iban[4:] + iban[:4]
    # int() of the letter-expanded string is exact and runs in C; lengths are bounded by 34.
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def ssn_valid(area: str, group: str, serial: str) -> bool:
    """Return whether the parts follow SSA numbering rules (no 000/666/9xx area, 00 group, 0000 serial)."""
    if area in ("000", "666") or area[0] == "9":
        return False
    return group != "00" and serial != "0000"


# n * log2(n) for the character counts of bodies up to this length, looked up instead of computed.
_NLOGN: Final = [0.0] + [n * math.log2(n) for n in range(1, 4097)]


def entropy(value: str) -> float:
    """Return the Shannon entropy of *value* in bits per character."""
    size = len(value)
    if size == 0:
        return 0.0
    table = _NLOGN
    counts = Counter(value).values()
    total = sum([table[n] if n <= 4096 else n * math.log2(n) for n in counts])
    return math.log2(size) - total / size


_PLACEHOLDER_WORDS: Final = (
    "example",
    "sample",
    "dummy",
    "placeholder",
    "your",
    "xxxx",
    "redacted",
    "changeme",
    "insert",
    "replace",
    "fixme",
    "todo",
    "<",
    ">",
    "...",
    "\u2026",
    "***",
)
# Runs of consecutive letters or digits ("abcdef…", "123456…") that fillers use and keys don't.
_SEQUENCE_MARKERS: Final = (
    "abcdef",
    "bcdefg",
    "cdefgh",
    "123456",
    "234567",
    "345678",
    "456789",
    "987654",
    "876543",
    "765432",
    "654321",
    "fedcba",
    "qwerty",
)


def is_placeholder(body: str) -> bool:
    """Return whether a token body looks like documentation filler rather than a real secret.

    Catches ``XXXX`` runs, words such as ``EXAMPLE``/``your``/``placeholder``, very low character
    variety (``aaaa…``, ``1212…``) and alphabet or digit sequences (``abcdef``, ``123456``).
    """
    if not body:
        return True
    lowered = body.lower()
    for word in _PLACEHOLDER_WORDS:
        if word in lowered:
            return True
    for run in _SEQUENCE_MARKERS:
        if run in lowered:
            return True
    size = len(body)
    return size >= 12 and len(set(lowered)) <= max(3, size // 8)


def _b64url_json(segment: str) -> object:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded)
        return json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def jwt_valid(token: str) -> bool:
    """Return whether *token* has a decodable JSON JOSE header with an ``alg`` member."""
    header = token.split(".", 1)[0]
    decoded = _b64url_json(header)
    return isinstance(decoded, dict) and isinstance(decoded.get("alg"), str)
