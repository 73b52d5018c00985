"""Detectors for personal data: e-mail, phone, card, SSN, IBAN, IP address and URL.

Each detector scans a :class:`~guardkit.validators._pii_text.TextView` and returns candidate spans in
view offsets as ``(start, end, kind, score, detail)`` tuples. Patterns find candidates; validation
(checksums, numbering plans, context words) decides. Every pattern is linear-time: no nested
quantifiers over overlapping classes, bounded repetitions where a value has a bounded length.

This module compiles its patterns when first imported, which happens the first time a ``PII`` or
``Secrets`` validator is built.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Final

from guardkit.validators._pii_checks import (
    IBAN_LENGTHS,
    card_issuer,
    iban_valid,
    luhn_valid,
    ssn_valid,
)
from guardkit.validators._pii_text import TextView

__all__ = ["DETECTORS", "Candidate"]

Candidate = tuple[int, int, str, float, str]
Detector = Callable[[TextView], list[Candidate]]


def _words(text: str) -> frozenset[str]:
    """A set of the whitespace-separated words of *text* (long word lists read best as text)."""
    return frozenset(text.split())


# -- context words ----------------------------------------------------------------------------------


def _context(lower: str, start: int, width: int = 40) -> str:
    """The *width* characters before *start*, cut at the previous line break."""
    chunk = lower[max(0, start - width) : start]
    cut = chunk.rfind("\n")
    return chunk[cut + 1 :] if cut >= 0 else chunk


def _after(lower: str, end: int, width: int = 24) -> str:
    chunk = lower[end : end + width]
    cut = chunk.find("\n")
    return chunk[:cut] if cut >= 0 else chunk


# -- e-mail -----------------------------------------------------------------------------------------

# Local parts may hold accented Latin letters (josé@…, müller@…), as mail systems with SMTPUTF8 allow.
# Domain labels may be internationalized (jane@bücher.de, jane@例え.jp): letters and digits of any
# script. A top-level domain is all ASCII letters, which text in another script may follow with no
# space (メールはjane@example.comです), or all letters of other scripts (.рф, .中国).
_EMAIL: Final = re.compile(
    r"(?<![A-Za-z0-9._%+\-\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f])"
    r"[A-Za-z0-9_%+\-\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]"
    r"(?:[A-Za-z0-9._%+\-\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]{0,63})"
    r"@"
    r"((?:[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?\.){1,8}"
    r"(?:[A-Za-z]{2,24}(?![A-Za-z0-9\-]|\.[A-Za-z0-9])|[^\W\d_A-Za-z]{2,24}(?![\w\-]|\.[^\W_])))"
)
# Asset and code file extensions that are not top-level domains people mail (icon@2x.png).
_FILE_TLDS: Final = _words(
    "png jpg jpeg gif svg webp ico bmp tif tiff css js mjs ts tsx jsx map woff woff2 ttf otf eot json "
    "yaml yml xml txt lock pyc wasm avif heic"
)


_LOCAL_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")


def _latin_letter(char: str) -> bool:
    """An accented Latin letter (Latin-1 Supplement and Latin Extended-A/B)."""
    return "\u00c0" <= char <= "\u024f" and char.isalpha()


def _emails(view: TextView) -> list[Candidate]:
    text = view.text
    at = text.find("@")
    if at < 0:
        return []
    out: list[Candidate] = []
    local_chars = _LOCAL_CHARS
    resume = 0
    while at >= 0:
        start = at
        while (
            start > resume
            and at - start <= 64
            and (text[start - 1] in local_chars or _latin_letter(text[start - 1]))
        ):
            start -= 1
        m = _EMAIL.match(text, start) if start < at else None
        if m is None:
            at = text.find("@", at + 1)
            continue
        start, end = m.span()
        resume = end
        at = text.find("@", end)
        # A local part may begin with accented Latin letters (müller@…); CJK text before an
        # address is not part of it (メールはa@b.com).
        if start > 0 and _latin_letter(text[start - 1]):
            while (
                start > 0
                and m.start(1) - start < 64
                and (text[start - 1] in local_chars or _latin_letter(text[start - 1]))
            ):
                start -= 1
        local = text[start : m.start(1) - 1]
        domain = m.group(1)
        if local.endswith(".") or ".." in local or ".." in domain:
            continue
        tld = domain.rsplit(".", 1)[1].lower()
        if tld in _FILE_TLDS:
            continue
        first = domain.split(".", 1)[0].lower()
        if len(first) >= 2 and first[:-1].isdigit() and first[-1] == "x":  # retina: icon@2x.png
            continue
        out.append((start, end, "EMAIL", 1.0, "syntax"))
    return out


# -- URL --------------------------------------------------------------------------------------------

_URL: Final = re.compile(
    r"(?<![A-Za-z0-9@.\-_/+])(?:(?:https?|ftps?)://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]{1,2048}",
    re.IGNORECASE,
)
_URL_TRAIL: Final = frozenset(".,;:!?'\"*")


def _trim_url(value: str) -> str:
    while value:
        last = value[-1]
        if (
            last in _URL_TRAIL
            or (last == ")" and value.count("(") < value.count(")"))
            or (last == "]" and value.count("[") < value.count("]"))
        ):
            value = value[:-1]
        else:
            break
    return value


_URL_PATH: Final = re.compile(r"[/?#]")


def _url_host_ok(value: str) -> bool:
    lowered = value.lower()
    rest = lowered.split("//", 1)[1] if "//" in lowered[:8] else lowered
    host = _URL_PATH.split(rest, maxsplit=1)[0].rsplit("@", 1)[-1]
    if host.startswith("["):
        return "]" in host
    host = host.split(":", 1)[0]
    if host == "localhost" or _is_ipv4(host):
        return True
    labels = host.split(".")
    return len(labels) >= 2 and all(labels) and not labels[-1].isdigit()


def _url_starts(lower: str) -> list[int]:
    starts: set[int] = set()
    pos = lower.find("://")
    while pos >= 0:
        for scheme in ("https", "http", "ftps", "ftp"):
            if lower.startswith(scheme, pos - len(scheme)):
                starts.add(pos - len(scheme))
                break
        pos = lower.find("://", pos + 3)
    pos = lower.find("www.")
    while pos >= 0:
        starts.add(pos)
        pos = lower.find("www.", pos + 4)
    return sorted(starts)


def _urls(view: TextView) -> list[Candidate]:
    lower = view.lower
    if "://" not in lower and "www." not in lower:
        return []
    text = view.text
    out: list[Candidate] = []
    covered = 0
    for start in _url_starts(lower):
        if start < covered:
            continue  # "www." inside a URL already taken
        m = _URL.match(text, start)
        if m is None:
            continue
        value = _trim_url(m.group())
        if not _url_host_ok(value):
            continue
        if value.lower().startswith("www.") and value.count(".") < 2:
            continue
        covered = start + len(value)
        out.append((start, covered, "URL", 1.0, "syntax"))
    return out


# -- numeric clusters -------------------------------------------------------------------------------

# A stretch of digits joined by short runs of separators. Every phone number, SSN, card number and
# IPv4 address lies inside one, and these stretches cover a small part of most texts, so the number
# detectors scan only them instead of every digit of the text.
# (The lookahead skips short numbers without building a match for each.)
_NUMERIC_CLUSTER: Final = re.compile(
    r"[0-9+(](?=[0-9 .\-/()+\t\n]{6})(?:[0-9]|[ .\-/()+\t\n]{1,13}(?=[0-9(+]))*"
)
_MIN_CLUSTER: Final = 7  # the shortest of those entities ("1.2.3.4", seven-digit numbers)


def _clusters(view: TextView) -> list[tuple[int, int]]:
    cached: list[tuple[int, int]] | None = view.memo.get(_clusters)
    if cached is None:
        cached = view.memo[_clusters] = [
            m.span() for m in _NUMERIC_CLUSTER.finditer(view.text) if m.end() - m.start() >= _MIN_CLUSTER
        ]
    return cached


def _in_clusters(
    pattern: re.Pattern[str], view: TextView, shortest: int = _MIN_CLUSTER, needs: str = ""
) -> list[re.Match[str]]:
    """Matches of *pattern* that start inside a numeric cluster at least *shortest* long
    (and holding the character *needs*, when given).

    Each cluster is searched with two characters of lookahead room past its end, so patterns see
    what follows a number exactly as they would in the whole text.
    """
    text = view.text
    size = len(text)
    found: list[re.Match[str]] = []
    for start, end in _clusters(view):
        if end - start < shortest or (needs and text.find(needs, start, end) < 0):
            continue
        for m in pattern.finditer(text, start, min(size, end + 2)):
            if m.start() < end:
                found.append(m)
    return found


# -- IP addresses -----------------------------------------------------------------------------------

# Leading lookbehinds are written after the first character (``[0-9](?<![x][0-9])``) so the regex
# engine can still skip ahead to candidate first characters.
_IPV4: Final = re.compile(
    r"[0-9](?<![A-Za-z0-9_.\-][0-9])[0-9]{0,2}\.(?:[0-9]{1,3}\.){2}[0-9]{1,3}"
    r"(?![0-9A-Za-z_]|\.[0-9]|-[0-9])"
)
_VERSION_BEFORE: Final = re.compile(
    r"(?<![a-z])(?:version|versión|versao|versão|versione|versie|ver\.?|v|build|release|rel\.?|rev\.?|"
    r"firmware|fw|upgrad\w*(?:\s+to)?|updat\w*(?:\s+to)?|バージョン|版)[\"'`]?\s*[:=#]?\s*[\"'`]?\s*$"
)
_IPV6: Final = re.compile(
    r"(?:[0-9A-Fa-f](?<![0-9A-Za-z_:.\-][0-9A-Fa-f])[0-9A-Fa-f]{0,3}|:(?<![0-9A-Za-z_:.\-]:))"
    r"(?::[0-9A-Fa-f]{0,4}){1,7}"
    r"(?:(?<=:)[0-9]{1,3}(?:\.[0-9]{1,3}){3})?"
    r"(?![0-9A-Za-z_:]|\.[0-9])"
)


def _is_ipv4(value: str) -> bool:
    parts = value.split(".")
    return len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in parts)


def _short_ipv6_ok(value: str, groups: list[str]) -> bool:
    """Compressed forms with one or two groups: only well-known prefixes or clearly hex groups."""
    if "::" not in value:
        return False
    if value == "::1":
        return True
    if len(groups) == 2:
        return any(len(g) >= 3 for g in groups)
    return len(groups) == 1 and groups[0].lower()[:2] in ("fe", "fd", "fc", "ff", "20")


# Where an IPv6 address can be: two colons at most four hex digits apart. A literal-first pattern,
# so the scan jumps from colon to colon instead of trying every hex letter of the text.
_IPV6_ANCHOR: Final = re.compile(r":[0-9A-Fa-f]{0,4}:")
_HEX: Final = frozenset("0123456789abcdefABCDEF")


def _ipv6s(text: str) -> list[Candidate]:
    out: list[Candidate] = []
    pos = 0
    while True:
        anchor = _IPV6_ANCHOR.search(text, pos)
        if anchor is None:
            break
        start = anchor.start()
        floor = start - 4
        while start > 0 and start > floor and text[start - 1] in _HEX:
            start -= 1
        m = _IPV6.match(text, start)
        if m is None:
            pos = anchor.start() + 1
            continue
        pos = max(m.end(), anchor.start() + 1)
        value = m.group()
        colons = value.count(":")
        if "::" not in value and colons != 7 and not (colons == 6 and "." in value):
            continue
        groups = [g for g in value.split(":") if g]
        if len(groups) < 3 and "." not in value and not _short_ipv6_ok(value, groups):
            continue
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            continue
        out.append((m.start(), m.end(), "IP_ADDRESS", 1.0, "ipv6"))
    return out


# An address range, 10.0.0.20-10.0.0.40, which the single-address pattern's dash guards refuse.
_IPV4_RANGE: Final = re.compile(
    r"[0-9](?<![A-Za-z0-9_.\-][0-9])[0-9]{0,2}(?:\.[0-9]{1,3}){3}-[0-9]{1,3}(?:\.[0-9]{1,3}){3}"
    r"(?![0-9A-Za-z_]|\.[0-9]|-[0-9])"
)


def _ips(view: TextView) -> list[Candidate]:
    text, lower = view.text, view.lower
    out: list[Candidate] = []
    if "." in text:
        for m in _in_clusters(_IPV4, view, 7, "."):
            value = m.group()
            if not _is_ipv4(value):
                continue
            start = m.start()
            if _VERSION_BEFORE.search(_context(lower, start, 24)):
                continue
            out.append((start, m.end(), "IP_ADDRESS", 1.0, "ipv4"))
        for m in _in_clusters(_IPV4_RANGE, view, 15, "-"):
            first, second = m.group().split("-")
            start = m.start()
            if (
                _is_ipv4(first)
                and _is_ipv4(second)
                and not _VERSION_BEFORE.search(_context(lower, start, 24))
            ):
                out.append((start, start + len(first), "IP_ADDRESS", 1.0, "ipv4-range"))
                out.append((m.end() - len(second), m.end(), "IP_ADDRESS", 1.0, "ipv4-range"))
    if "::" in text or text.count(":") >= 7:
        out.extend(_ipv6s(text))
    return out


# -- digit runs: cards, phones, SSNs ------------------------------------------------------------------

# A run of 13 or more digits in groups separated by a space, two spaces, a dash or a dot (or a line
# break, for wrapped values): the raw material of card numbers.
_DIGIT_RUN: Final = re.compile(
    r"[0-9](?<![A-Za-z0-9_\-+./,][0-9])(?:(?:[ \-.]|[ ][ ])?[0-9]|[ \t]{0,4}\n[ \t]{0,8}[0-9]){12,}"
    r"(?![A-Za-z0-9_])"
)
_GROUP: Final = re.compile(r"[0-9]+")

_CARD_WORDS: Final = re.compile(
    r"card|carte|tarjeta|karte|kredit|visa|master|amex|pan\b|cc\b|paid|pay|charge|kart|cartão|"
    r"カード|クレジット"
)
_NOT_CARD_WORDS: Final = re.compile(
    r"track|order|invoice|parcel|sku|isbn|imei|serial|part|ref|po\b|ticket|case|account|acct|"
    r"seed|random|rng|nonce|hash|\bid\b|timestamp|epoch|"
    r"iban|sendung|paket|bestell|rechnung|commande|facture|colis|pedido|factura|seguimiento|"
    r"注文|追跡|請求"
)


def _card_shape_ok(lengths: list[int]) -> bool:
    """Card grouping: 4-4-4-4(-3), a short last group (4-4-4-1), Amex 4-6-5, Diners 4-6-4."""
    if lengths in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4


def _card_at(text: str, groups: list[tuple[int, int]], i: int) -> int:
    """End of the longest valid card starting at digit group *i*, or -1."""
    a0, b0 = groups[i]
    first = b0 - a0
    if 13 <= first <= 19:
        digits = text[a0:b0]
        return b0 if card_issuer(digits) and luhn_valid(digits) else -1
    if first != 4:
        return -1  # every grouped card starts with four digits
    best = -1
    lengths = [4]
    parts = [text[a0:b0]]
    total = 4
    sep: str | None = None
    for j in range(i + 1, len(groups)):
        a, b = groups[j]
        between = text[groups[j - 1][1] : a]
        if "\n" not in between:  # a line break may replace any separator
            if sep is None:
                sep = between
            elif between != sep:
                break
        size = b - a
        total += size
        if total > 19:
            break
        lengths.append(size)
        parts.append(text[a:b])
        if total >= 13 and _card_shape_ok(lengths):
            digits = "".join(parts)
            if card_issuer(digits) and luhn_valid(digits):
                best = b
        if size != 4 and lengths[:2] != [4, 6]:
            break
    return best


def _cards(view: TextView) -> list[Candidate]:
    text, lower = view.text, view.lower
    out: list[Candidate] = []
    for m in _in_clusters(_DIGIT_RUN, view, 13):
        base = m.start()
        groups = [(g.start() + base, g.end() + base) for g in _GROUP.finditer(m.group())]
        n = len(groups)
        i = 0
        while i < n:
            end = _card_at(text, groups, i)
            if end < 0:
                i += 1
                continue
            start = groups[i][0]
            before = _context(lower, start, 24)
            card_word = _CARD_WORDS.search(before) is not None
            if _NOT_CARD_WORDS.search(before) and not card_word:
                i += 1
                continue
            if end - start not in (14, 15, 16) and not card_word and end == groups[i][1]:
                i += 1  # an ungrouped 13, 17-19 digit number is a card only next to a card word
                continue
            out.append((start, end, "CREDIT_CARD", 1.0, "luhn+issuer"))
            while i < n and groups[i][0] < end:
                i += 1
    return out


_SSN: Final = re.compile(
    r"([0-9](?<![A-Za-z0-9_\-+./,][0-9])[0-9]{2})([\- ]?)([0-9]{2})\2([0-9]{4})"
    r"(?![A-Za-z0-9_]|[\-.,/][0-9])"
)
_SSN_WORDS: Final = re.compile(
    r"ssn|social[\s_\-]*security|soc\.?\s*sec|tax[\s_\-]*(?:payer[\s_\-]*)?(?:id|number|no)|"
    r"\btin\b|\bitin\b|taxpayer|sozialversicherung|versicherungsnummer|sécurité sociale|"
    r"securite sociale|seguro social|seguridad social|previdência|社会保障|ソーシャル"
)
_NOT_SSN_WORDS: Final = re.compile(
    r"sku|part|model|order|invoice|track|ref|phone|tel|fax|zip|isbn|serial|ticket|id\s*#"
)


def _ssns(view: TextView) -> list[Candidate]:
    lower = view.lower
    out: list[Candidate] = []
    for m in _in_clusters(_SSN, view, 9):
        area, sep, group, serial = m.groups()
        if not ssn_valid(area, group, serial):
            continue
        start = m.start()
        before = _context(lower, start, 48)
        has_word = bool(_SSN_WORDS.search(before))
        if not sep:
            if not has_word:
                continue
            score, detail = 0.9, "context"
        elif has_word:
            score, detail = 1.0, "format+context"
        else:
            if _NOT_SSN_WORDS.search(before[-24:]):
                continue
            score, detail = 0.85 if sep == "-" else 0.7, "format"
        out.append((start, m.end(), "US_SSN", score, detail))
    return out


# -- phone numbers ----------------------------------------------------------------------------------

_PHONE: Final = re.compile(
    r"(?:\+(?<![A-Za-z0-9_+\-./#@]\+)[0-9]{1,3}[ .\-]?(?:\([0-9]{1,4}\)[ .\-]?)?[0-9]"
    r"|\((?<![A-Za-z0-9_+\-./#@]\()[0-9]{1,5}\)[ .\-]?[0-9]"
    r"|\((?<![A-Za-z0-9_+\-./#@]\()\+[0-9]{1,3}\)[ .\-]?[0-9]"  # (+39) 06 6982 3456
    # Not an ISO date, an SSN-shaped or an ISBN-13 number: the commonest digit runs in logs.
    r"|[0-9](?<![A-Za-z0-9_+\-./#@][0-9])"
    r"(?!(?<=[12])[0-9]{3}-[0-9]{2}-|[0-9]{2}-[0-9]{2}-[0-9]{4}(?![0-9])|(?<=9)7[89]-))"
    r"(?:[0-9]|[ .\-/()][0-9]|[ ]/[ ][0-9]|\)[ .\-][0-9]|[ \-]\([0-9]){6,22}"
    r"(?![A-Za-z0-9_]|[\-.][A-Za-z0-9])"
)
_PHONE_WORDS: Final = re.compile(
    r"phone|\btel\b|\btel\.|tél|\btelf|\bcall|mobile|\bmobil|\bcell|\bfax|whatsapp|\bsms\b|"
    r"text me|\breach|hotline|\bdirect|\bcontact|number is|my number|telefon|handy|rufnummer|"
    r"erreichen|rufen|"
    r"portable|téléphone|numéro|numero|joindre|appel|teléfono|telefono|llám|llama|móvil|movil|"
    r"número|chiama|cellulare|"
    r"celular|contato|電話|携帯|連絡|☎|📞|(?<![a-z])(?:m|t|p|ph|mob|tel)\.?\s*[:：]\s*$"
)
_NOT_PHONE_WORDS: Final = re.compile(
    r"\bsku|\bpart\b|\bpart\s*(?:no|number|#)|\bmodel|\bref\b|\breference|référence|referencia|"
    r"\border|invoice|track|parcel|isbn|\barticle|artículo|articolo|artikel|\bitem|\bproduct|serial|"
    r"\bzip|\bplz|postal|postcode|código|\bcp\b|bestell|rechnung|facture|commande|pedido|factura|"
    r"seguimiento|sendung|paket|colis|account|acct|ticket|\bcase\b|iban|\bcard|\bssn|version|"
    r"\bbuild|\bpo\b|\bid\b|#|注文|追跡|請求|伝票|品番|型番|会員番号"
)
# A date or a date and hour, which the digit-group pattern can otherwise take for a number.
_DATE_LIKE: Final = re.compile(
    r"^(?:[0-9]{1,2}[./\-][0-9]{1,2}[./\-](?:19|20)?[0-9]{2}|(?:19|20)[0-9]{2}[./\-][0-9]{1,2}[./\-][0-9]{1,2})(?:\s|$)"
)
# Mobile numbers in national form that are distinctive even without a separator or context word.
_BARE_MOBILE: Final = re.compile(
    r"^(?:0[789]0[0-9]{8}|07[0-9]{9}|01[5-7][0-9]{8,9}|0[67][0-9]{8}|04[0-9]{8})$"
)

# Country calling codes (ITU E.164), for numbers written with a leading "+".
_CC: Final = _words(
    "1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 "
    "65 66 81 82 84 86 90 91 92 93 94 95 98 211 212 213 216 218 220 221 222 223 224 225 226 227 228 "
    "229 230 231 232 233 234 235 236 237 238 239 240 241 242 243 244 245 246 248 249 250 251 252 253 "
    "254 255 256 257 258 260 261 262 263 264 265 266 267 268 269 290 291 297 298 299 350 351 352 353 "
    "354 355 356 357 358 359 370 371 372 373 374 375 376 377 378 380 381 382 383 385 386 387 389 420 "
    "421 423 500 501 502 503 504 505 506 507 508 509 590 591 592 593 594 595 596 597 598 599 670 672 "
    "673 674 675 676 677 678 679 680 681 682 683 685 686 687 688 689 690 691 692 850 852 853 855 856 "
    "880 886 960 961 962 963 964 965 966 967 968 970 971 972 973 974 975 976 977 992 993 994 995 996 "
    "998"
)
# National significant number lengths for common codes; others use the E.164 bounds.
_NSN: Final[dict[str, tuple[int, int]]] = {
    "1": (10, 10), "7": (10, 10), "20": (9, 10), "27": (9, 9), "30": (10, 10), "31": (9, 9),
    "32": (8, 9), "33": (9, 9), "34": (9, 9), "36": (8, 9), "39": (6, 11), "41": (9, 9),
    "43": (7, 13), "44": (9, 10), "45": (8, 8), "46": (7, 9), "47": (8, 8), "48": (9, 9),
    "49": (6, 13), "52": (10, 10), "54": (10, 11), "55": (10, 11), "61": (9, 9), "62": (8, 12),
    "63": (10, 10), "64": (8, 10), "65": (8, 8), "81": (9, 10), "82": (8, 10), "86": (11, 11),
    "90": (10, 10), "91": (10, 10), "351": (9, 9), "352": (6, 11), "353": (7, 9), "358": (6, 11),
    "852": (8, 8), "971": (8, 9), "972": (8, 9),
}  # fmt: skip


_ES_SHAPES: Final = ([3, 3, 3], [3, 2, 2, 2], [2, 3, 2, 2], [2, 2, 2, 3], [2, 3, 4], [3, 6])


def _nanp(digits: str) -> bool:
    return len(digits) == 10 and digits[0] in "23456789" and digits[3] in "23456789"


_DIGIT_GROUPS: Final = re.compile(r"[0-9]+")
_NON_DIGITS: Final = re.compile(r"[^0-9]+")
_SEPARATORS: Final = re.compile(r"[0-9()+ ]+")
_PAREN_GROUPS: Final = re.compile(r"[^()]*(?:\([0-9]{1,5}\)[^()]*)+")


def _one_separator(seps: list[str], digits: str) -> bool:
    """Whether the separators between digit groups are written consistently.

    A national number keeps one separator, except that a trunk-prefixed area code may be set off
    with a dash or slash before a spaced subscriber number (020-123 4567, 030/123 4567), and an
    extension may follow a dash (089 123 456-78).
    """
    if len(set(seps)) <= 1:
        return True
    if digits[0] != "0":
        return False
    if seps[0] in ("-", "/") and all(sep == " " for sep in seps[1:]):
        return True
    return seps[-1] == "-" and all(sep == " " for sep in seps[:-1])


def _classify_phone(value: str) -> tuple[float, str] | None:
    """Return (score, detail) when *value* is written like a phone number, else ``None``.

    A score below 0.6 means the shape alone is weak (bare digits) and needs a context word.
    """
    # Parentheses wrap an area code or a trunk "(0)": balanced, around a short group.
    if ("(" in value or ")" in value) and (
        value.count("(") != value.count(")") or not _PAREN_GROUPS.fullmatch(value)
    ):
        return None
    groups = _DIGIT_GROUPS.findall(value)
    lengths = [len(g) for g in groups]
    digits = "".join(groups)
    if len(groups) == 2 and "." in value and " " not in value:
        return None  # a decimal number (1.6349839002)
    if "/" in value and digits[0] != "0":
        return None  # a fraction or a date; only trunk-prefixed numbers use an area/number slash
    if len(set(_SEPARATORS.sub("", value))) > 1:
        return None
    if value.startswith("00") and len(groups) >= 3 and lengths[0] in (3, 4, 5):
        # The international call prefix written out: 0044 20 7946 0958, 0049 30 1234567.
        verdict = _classify_phone("+" + value[2:])
        return (0.9, "intl") if verdict is not None and verdict[1] == "e164" and verdict[0] == 1.0 else None
    if value.startswith("+"):
        body = value[1:]
        trunk = "(0)" in body
        plain = digits
        for size in (1, 2, 3):
            cc = plain[:size]
            if cc in _CC:
                break
        else:
            return None
        nsn = plain[len(cc) :]
        if trunk and nsn.startswith("0"):
            nsn = nsn[1:]
        low, high = _NSN.get(cc, (6, 14 - len(cc)))
        if not low <= len(nsn) <= high:
            return None
        if cc == "1" and not _nanp(nsn):
            return None
        if len(groups) > 7:
            return None
        return (1.0, "e164") if cc in _NSN else (0.8, "e164")
    has_paren = "(" in value
    if not has_paren and len(groups) > 2 and not _one_separator(_DIGIT_GROUPS.split(value)[1:-1], digits):
        return None  # national numbers keep one separator (415-555-0134, not 259-264 1970)
    if len(groups) == 1 and not has_paren:
        if _BARE_MOBILE.match(digits):
            return 0.7, "mobile"
        if _nanp(digits) or (digits[0] == "0" and 10 <= len(digits) <= 12):
            return 0.5, "bare"
        if len(digits) == 11 and digits[0] == "1" and _nanp(digits[1:]):
            return 0.5, "bare"
        if len(digits) == 9 and digits[0] in "6789":
            return 0.5, "bare"  # Spanish and Portuguese numbers (612345678)
        return None
    if lengths in ([5, 4], [3, 2, 4]):  # ZIP+4, SSN
        return None
    if len(digits) == 11 and digits[0] == "1" and _nanp(digits[1:]) and lengths[0] == 1:
        return 1.0, "nanp"
    if _nanp(digits) and lengths in ([3, 3, 4], [3, 7], [6, 4]):
        return (1.0, "nanp") if lengths == [3, 3, 4] else (0.5, "nanp")
    if digits[0] == "0" and 10 <= len(digits) <= 12:
        if len(groups) >= 2 and 2 <= lengths[0] <= 5:
            return 0.9, "national"
        if lengths == [6, 5] and digits[1] in "6789":
            return 0.9, "national"  # India, mobile with the trunk prefix: 098765 43210
        return None
    if digits[0] != "0" and len(digits) in (10, 11) and has_paren and lengths[0] == 2:
        return 0.9, "national"  # Brazil: (11) 99264-3519
    if len(digits) == 9 and digits[0] in "6789" and lengths in _ES_SHAPES:
        return 0.8, "national"  # Spain: 612 34 56 78, 91 123 45 67
    if len(digits) == 10 and digits[0] in "6789" and lengths == [5, 5]:
        return 0.8, "national"  # India: 98765 43210
    if digits[0] == "3" and len(digits) in (9, 10) and lengths in ([3, 3, 4], [3, 7], [3, 3, 3]):
        return 0.5, "national"  # Italian mobile (347 123 4567): only with a context word
    return None


def _classify(value: str) -> tuple[float, str] | None:
    """:func:`_classify_phone`, reading a country code in parentheses, ``(+351) 912…``, as ``+351``."""
    if value.startswith("(+"):
        close = value.find(")")
        return _classify_phone("+" + value[2:close] + value[close + 1 :])
    return _classify_phone(value)


def _last_end(pattern: re.Pattern[str], text: str) -> int:
    last = -1
    for m in pattern.finditer(text):
        last = m.end()
    return last


def _table_header(text: str, lower: str, start: int) -> str:
    """For a cell of a Markdown or pipe table, the header line of that table (lower-cased)."""
    floor = max(0, start - 4096)  # bounded, so a huge single line costs no more than a short one
    line_start = text.rfind("\n", floor, start) + 1
    if (line_start == 0 and floor > 0) or not text.startswith("|", line_start):
        return ""
    header = ""
    pos = line_start
    while pos > floor:
        prev = text.rfind("\n", floor, pos - 1) + 1
        if not text.startswith("|", prev):
            break
        header = lower[prev : pos - 1]
        pos = prev
    return header


def _phones(view: TextView) -> list[Candidate]:
    text, lower = view.text, view.lower
    out: list[Candidate] = []
    for m in _in_clusters(_PHONE, view):
        start, end = m.span()
        value = m.group()
        if _DATE_LIKE.match(value):
            continue
        verdict = _classify(value)
        while verdict is None:
            # Drop a trailing group that belongs to the next token ("+1 415 555 0134 12").
            cut = value.rfind(" ")
            if cut <= 0 or len(_NON_DIGITS.sub("", value[:cut])) < 7:
                break
            value = value[:cut].rstrip(" -./(")
            verdict = _classify(value)
        if verdict is None:
            continue
        end = start + len(value)
        score, detail = verdict
        before = _context(lower, start, 32)
        positive = _last_end(_PHONE_WORDS, before)
        negative = _last_end(_NOT_PHONE_WORDS, before)
        if positive < 0 and negative < 0 and score < 0.6:
            header = _table_header(text, lower, start)
            if header and _PHONE_WORDS.search(header):
                positive = 0
        if negative > positive and not value.startswith("+"):
            continue
        if score < 0.6:
            if positive < 0:
                continue
            score = 0.8
        out.append((start, end, "PHONE", score, detail))
    return out


# -- IBAN -------------------------------------------------------------------------------------------

_IBAN_START: Final = re.compile(r"[A-Z](?<![A-Za-z0-9][A-Z])[A-Z]([0-9]{2})(?=[ \-.]?[A-Za-z0-9])")
_IBAN_START_LOWER: Final = re.compile(r"[a-z](?<![A-Za-z0-9][a-z])[a-z]([0-9]{2})(?=[ \-.]?[A-Za-z0-9])")


_IBAN_BODY: dict[int, re.Pattern[str]] = {}


def _iban_body(length: int) -> re.Pattern[str]:
    """``length - 4`` IBAN characters, each optionally after a short separator (space, dash, dot, wrap)."""
    pattern = _IBAN_BODY.get(length)
    if pattern is None:
        pattern = _IBAN_BODY[length] = re.compile(
            rf"(?:[ \-.]?[A-Za-z0-9]|[ \t]{{0,2}}\n[ \t]{{0,4}}[A-Za-z0-9]){{{length - 4}}}"
            r"(?![A-Za-z0-9])"
        )
    return pattern


def _ibans(view: TextView) -> list[Candidate]:
    text = view.text
    out: list[Candidate] = []
    starts = list(_IBAN_START.finditer(text))
    if "iban" in view.lower:  # lower-case IBANs only where the text says it holds one
        starts.extend(_IBAN_START_LOWER.finditer(text))
    for m in starts:
        start = m.start()
        expected = IBAN_LENGTHS.get(text[start : start + 2].upper())
        if expected is None:
            continue
        body = _iban_body(expected).match(text, m.end())
        if body is None:
            continue
        compact = (text[start : m.end()] + _NOT_ALNUM.sub("", body.group())).upper()
        if iban_valid(compact):
            out.append((start, body.end(), "IBAN", 1.0, "mod97+length"))
    return out


_NOT_ALNUM: Final = re.compile(r"[^A-Za-z0-9]+")


DETECTORS: Final[dict[str, Detector]] = {
    "EMAIL": _emails,
    "URL": _urls,
    "IP_ADDRESS": _ips,
    "CREDIT_CARD": _cards,
    "US_SSN": _ssns,
    "PHONE": _phones,
    "IBAN": _ibans,
}
