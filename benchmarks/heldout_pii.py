"""Generate a fresh, labeled PII and secrets set for a generalization check, and optionally score it.

Run: python benchmarks/heldout_pii.py OUT.jsonl [--seed N] [--rows N] [--eval]

The rows follow the corpus schema (``{"id", "text", "lang", "spans": [{"start", "end", "type",
"value"}]}``, ``str`` offsets, spans sorted and never overlapping). Templates, document kinds and
value formats are written here from scratch: CSV, YAML, HTTP headers, SQL, chat logs, e-mail threads
with quoted replies, Markdown tables, stack traces, env files, Kubernetes secrets and curl commands,
in eight languages, with obfuscated values (NBSP, full-width digits, zero-width characters, JSON and
URL escapes, defanging, line breaks) and hard negatives. Every value is generated and validated
here (Luhn, mod-97, SSN rules, real base64url JOSE headers, PEM blocks); none belongs to anyone.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import string
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ZW = "\u200b"
NBSP = "\u00a0"
ALNUM = string.ascii_letters + string.digits
B32 = string.ascii_uppercase + "234567"
B64 = string.ascii_letters + string.digits + "+/"
B64URL = string.ascii_letters + string.digits + "-_"


class Doc:
    """A text under construction with its gold spans."""

    def __init__(self, lang: str = "en") -> None:
        self.parts: list[str] = []
        self.size = 0
        self.spans: list[dict[str, Any]] = []
        self.lang = lang

    def t(self, text: str) -> Doc:
        self.parts.append(text)
        self.size += len(text)
        return self

    def v(self, kind: str | None, value: str) -> Doc:
        if kind is not None:
            self.spans.append(
                {"start": self.size, "end": self.size + len(value), "type": kind, "value": value}
            )
        return self.t(value)

    def row(self, rid: str) -> dict[str, Any]:
        text = "".join(self.parts)
        for s in self.spans:
            assert text[s["start"] : s["end"]] == s["value"], s
        return {"id": rid, "text": text, "lang": self.lang, "spans": self.spans}


# -- value generators --------------------------------------------------------------------------------


def rs(r: random.Random, alphabet: str, n: int) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def luhn_complete(r: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(r.choice(string.digits) for _ in range(length - len(prefix) - 1))
    for check in string.digits:
        digits = body + check
        total = 0
        parity = len(digits) % 2
        for i, ch in enumerate(digits):
            d = int(ch)
            if i % 2 == parity:
                d *= 2
                d -= 9 if d > 9 else 0
            total += d
        if total % 10 == 0:
            return digits
    raise AssertionError


def luhn_broken(r: random.Random) -> str:
    good = luhn_complete(r, "4", 16)
    return good[:-1] + str((int(good[-1]) + r.randint(1, 9)) % 10)


def card_digits(r: random.Random) -> str:
    kind = r.choice(["visa", "visa", "mc", "mc2", "amex", "disc", "jcb", "diners", "visa13", "visa19"])
    return {
        "visa": lambda: luhn_complete(r, "4", 16),
        "visa13": lambda: luhn_complete(r, "4", 13),
        "visa19": lambda: luhn_complete(r, "4", 19),
        "mc": lambda: luhn_complete(r, str(r.randint(51, 55)), 16),
        "mc2": lambda: luhn_complete(r, str(r.randint(2221, 2720)), 16),
        "amex": lambda: luhn_complete(r, r.choice(["34", "37"]), 15),
        "disc": lambda: luhn_complete(r, r.choice(["6011", "65", "644"]), 16),
        "jcb": lambda: luhn_complete(r, str(r.randint(3528, 3589)), 16),
        "diners": lambda: luhn_complete(r, r.choice(["300", "305", "36", "38"]), 14),
    }[kind]()


def group_card(digits: str, sep: str) -> str:
    n = len(digits)
    if n == 15:
        sizes = [4, 6, 5]
    elif n == 14:
        sizes = [4, 6, 4]
    else:
        sizes = [4] * (n // 4) + ([n % 4] if n % 4 else [])
    out, pos = [], 0
    for s in sizes:
        out.append(digits[pos : pos + s])
        pos += s
    return sep.join(out)


def card_written(r: random.Random) -> str:
    d = card_digits(r)
    style = r.random()
    if style < 0.25:
        return d
    if style < 0.5:
        return group_card(d, " ")
    if style < 0.65:
        return group_card(d, "-")
    if style < 0.72:
        return group_card(d, NBSP)
    if style < 0.78:
        return group_card(d, "  ")
    if style < 0.84:
        return group_card(d, ".")
    if style < 0.9:
        return fullwidth(group_card(d, " "))
    if style < 0.95:
        g = group_card(d, " ")
        cut = g.find(" ", 6)
        return g[:cut] + "\n" + g[cut + 1 :]
    g = group_card(d, " ")
    i = r.randint(2, len(g) - 3)
    return g[:i] + ZW + g[i:]


def fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else ("\uff0d" if c == "-" else c) for c in s)


IBAN_BBAN = {
    # country: list of (alphabet, count)
    "DE": [("d", 18)], "GB": [("A", 4), ("d", 14)], "FR": [("d", 10), ("X", 11), ("d", 2)],
    "ES": [("d", 20)], "NL": [("A", 4), ("d", 10)], "IT": [("A", 1), ("d", 10), ("X", 12)],
    "CH": [("d", 5), ("X", 12)], "AT": [("d", 16)], "PL": [("d", 24)], "PT": [("d", 21)],
    "IE": [("A", 4), ("d", 14)], "BE": [("d", 12)], "LU": [("d", 3), ("X", 13)],
}  # fmt: skip


def _alpha(r: random.Random, code: str, n: int) -> str:
    pool = {"d": string.digits, "A": string.ascii_uppercase, "X": string.ascii_uppercase + string.digits}[
        code
    ]
    return rs(r, pool, n)


def _mod97(s: str) -> int:
    return int("".join(str(int(c, 36)) for c in s)) % 97


def iban_value(r: random.Random, country: str | None = None) -> str:
    cc = country or r.choice(list(IBAN_BBAN))
    while True:
        bban = "".join(_alpha(r, code, n) for code, n in IBAN_BBAN[cc])
        if cc == "BE":  # national check: first ten digits mod 97
            base = bban[:10]
            chk = int(base) % 97 or 97
            bban = base + f"{chk:02d}"
        check = 98 - _mod97(bban + cc + "00")
        iban = f"{cc}{check:02d}{bban}"
        if _mod97(iban[4:] + iban[:4]) == 1:
            return iban


def iban_written(r: random.Random) -> str:
    iban = iban_value(r)
    style = r.random()
    grouped = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    if style < 0.35:
        return iban
    if style < 0.7:
        return grouped
    if style < 0.78:
        return grouped.replace(" ", NBSP)
    if style < 0.84:
        return "-".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    if style < 0.9:
        cut = grouped.find(" ", 9)
        return grouped[:cut] + "\n" + grouped[cut + 1 :]
    if style < 0.95:
        i = r.randint(4, len(iban) - 3)
        return iban[:i] + ZW + iban[i:]
    return grouped.lower()


def broken_iban(r: random.Random) -> str:
    iban = iban_value(r)
    check = (int(iban[2:4]) + r.randint(1, 50)) % 97
    return (
        f"{iban[:2]}{max(check, 2):02d}{iban[4:]}"
        if f"{check:02d}" != iban[2:4]
        else iban[:2] + "00" + iban[4:]
    )


FIRST = [
    "anna",
    "luca",
    "sofia",
    "marco",
    "joana",
    "pedro",
    "bram",
    "fleur",
    "yuki",
    "haruto",
    "lena",
    "jonas",
    "chloe",
    "hugo",
    "lucia",
    "diego",
    "mia",
    "noah",
]
LAST = [
    "rossi",
    "bianchi",
    "silva",
    "santos",
    "jansen",
    "devries",
    "tanaka",
    "sato",
    "muller",
    "schmidt",
    "martin",
    "dubois",
    "garcia",
    "lopez",
    "smith",
]
DOMAINS = [
    "posta.it",
    "correio.pt",
    "voorbeeld.nl",
    "mail.co.uk",
    "firma.de",
    "exemple.fr",
    "empresa.es",
    "kaisha.co.jp",
    "acme.io",
    "example.com",
    "test.com",
    "shop.com.br",
    "uni.edu",
]


def email_value(r: random.Random) -> str:
    f, l_ = r.choice(FIRST), r.choice(LAST)
    local = r.choice(
        [
            f"{f}.{l_}",
            f"{f}{r.randint(1, 99)}",
            f"{f[0]}{l_}",
            f"{f}_{l_}",
            f"{f}.{l_}+{r.choice(['news', 'billing', 'x1'])}",
            f"{f.title()}.{l_.title()}",
        ]
    )
    dom = r.choice(DOMAINS)
    if r.random() < 0.15:
        dom = r.choice(["eu", "mx", "dept"]) + "." + dom
    return f"{local}@{dom}"


def email_obfuscated(r: random.Random) -> tuple[str, str]:
    e = email_value(r)
    local, dom = e.split("@")
    style = r.choice(["at", "at2", "json", "pct", "zw", "plain", "plain"])
    if style == "at":
        return dom, f"{local}[at]{dom.replace('.', '[dot]')}"
    if style == "at2":
        return dom, f"{local} (at) {dom.replace('.', ' (dot) ')}"
    if style == "json":
        return dom, f"{local}\\u0040{dom}"
    if style == "pct":
        return dom, f"{local}%40{dom}"
    if style == "zw":
        i = r.randint(1, len(local) - 1)
        return dom, f"{local[:i]}{ZW}{local[i:]}@{dom}"
    return dom, e


def _d(r: random.Random, n: int) -> str:
    return rs(r, string.digits, n)


def phone_value(r: random.Random, country: str | None = None) -> str:
    cc = country or r.choice(["US", "US", "UK", "DE", "FR", "ES", "JP", "IN", "AU", "BR", "NL", "IT", "PT"])
    a = str(r.randint(2, 9)) + _d(r, 2)
    e = str(r.randint(2, 9)) + _d(r, 2)
    s = _d(r, 4)
    if cc == "US":
        return r.choice(
            [
                f"({a}) {e}-{s}",
                f"{a}-{e}-{s}",
                f"+1 {a} {e} {s}",
                f"+1-{a}-{e}-{s}",
                f"+1 ({a}) {e}-{s}",
                f"1 ({a}) {e}-{s}",
                f"({a}){e}-{s}",
                f"{a} {e} {s}",
                f"+1.{a}.{e}.{s}",
            ]
        )
    if cc == "UK":
        return r.choice(
            [
                f"020 7{_d(r, 3)} {_d(r, 4)}",
                f"+44 (0)20 7{_d(r, 3)} {_d(r, 4)}",
                f"07{_d(r, 3)} {_d(r, 6)}",
                f"+44 7{_d(r, 3)} {_d(r, 6)}",
                f"+44 161 {_d(r, 3)} {_d(r, 4)}",
                f"0161 {_d(r, 3)} {_d(r, 4)}",
                f"+447{_d(r, 9)}",
            ]
        )
    if cc == "DE":
        return r.choice(
            [
                f"030 {_d(r, 8)}",
                f"+49 30 {_d(r, 8)}",
                f"+49 (0)89 {_d(r, 4)} {_d(r, 4)}",
                f"0151 {_d(r, 8)}",
                f"030/{_d(r, 7)}",
                f"+49-151-{_d(r, 4)}-{_d(r, 4)}",
                f"+49 171 {_d(r, 7)}",
                f"089 {_d(r, 3)} {_d(r, 3)}-{_d(r, 2)}",
            ]
        )
    if cc == "FR":
        p = lambda: " ".join(_d(r, 2) for _ in range(4))  # noqa: E731
        return r.choice(
            [
                f"0{r.randint(1, 7)} {p()}",
                f"+33 {r.randint(1, 7)} {p()}",
                f"0{r.randint(1, 7)}.{p().replace(' ', '.')}",
                f"+33 (0)6 {p()}",
                f"06-{p().replace(' ', '-')}",
                f"0{r.randint(1, 7)}{NBSP}{p().replace(' ', NBSP)}",
                f"+33{r.randint(1, 7)}{_d(r, 8)}",
            ]
        )
    if cc == "ES":
        return r.choice(
            [
                f"91 {_d(r, 3)} {_d(r, 2)} {_d(r, 2)}",
                f"+34 6{_d(r, 2)} {_d(r, 2)} {_d(r, 2)} {_d(r, 2)}",
                f"+34 6{_d(r, 2)}-{_d(r, 3)}-{_d(r, 3)}",
                f"6{_d(r, 2)} {_d(r, 3)} {_d(r, 3)}",
                f"+34 9{_d(r, 2)} {_d(r, 3)} {_d(r, 3)}",
            ]
        )
    if cc == "JP":
        return r.choice(
            [
                f"03-{_d(r, 4)}-{_d(r, 4)}",
                f"090-{_d(r, 4)}-{_d(r, 4)}",
                f"+81 3-{_d(r, 4)}-{_d(r, 4)}",
                f"+81 90 {_d(r, 4)} {_d(r, 4)}",
                f"(03) {_d(r, 4)}-{_d(r, 4)}",
                fullwidth(f"080-{_d(r, 4)}-{_d(r, 4)}"),
                f"06-{_d(r, 4)}-{_d(r, 4)}",
            ]
        )
    if cc == "IN":
        m = str(r.randint(6, 9)) + _d(r, 4)
        return r.choice(
            [
                f"+91 {m} {_d(r, 5)}",
                f"+91-{m}-{_d(r, 5)}",
                f"0{m} {_d(r, 5)}",
                f"+91 22 {_d(r, 4)} {_d(r, 4)}",
                f"{m} {_d(r, 5)}",
            ]
        )
    if cc == "AU":
        return r.choice(
            [
                f"(02) {_d(r, 4)} {_d(r, 4)}",
                f"04{_d(r, 2)} {_d(r, 3)} {_d(r, 3)}",
                f"+61 4{_d(r, 2)} {_d(r, 3)} {_d(r, 3)}",
                f"+61 2 {_d(r, 4)} {_d(r, 4)}",
                f"+61 (0)3 {_d(r, 4)} {_d(r, 4)}",
            ]
        )
    if cc == "BR":
        return r.choice(
            [
                f"(11) 9{_d(r, 4)}-{_d(r, 4)}",
                f"+55 11 9{_d(r, 4)}-{_d(r, 4)}",
                f"+55 (21) 3{_d(r, 3)}-{_d(r, 4)}",
                f"(21) 3{_d(r, 3)}-{_d(r, 4)}",
                f"+55 11 9{_d(r, 4)} {_d(r, 4)}",
            ]
        )
    if cc == "NL":
        return r.choice(
            [
                f"020-{_d(r, 3)} {_d(r, 4)}",
                f"06-{_d(r, 8)}",
                f"+31 6 {_d(r, 8)}",
                f"+31 (0)20 {_d(r, 3)} {_d(r, 4)}",
                f"06 {_d(r, 4)} {_d(r, 4)}",
                f"+31 20 {_d(r, 3)} {_d(r, 4)}",
            ]
        )
    if cc == "IT":
        return r.choice(
            [f"+39 3{_d(r, 2)} {_d(r, 3)} {_d(r, 4)}", f"+39 06 {_d(r, 4)} {_d(r, 4)}", f"+39 02 {_d(r, 8)}"]
        )
    return r.choice([f"+351 9{_d(r, 2)} {_d(r, 3)} {_d(r, 3)}", f"+351 21 {_d(r, 3)} {_d(r, 4)}"])


def ssn_value(r: random.Random, sep: str = "-") -> str:
    while True:
        a = r.randint(1, 899)
        if a not in (666,):
            break
    return f"{a:03d}{sep}{r.randint(1, 99):02d}{sep}{r.randint(1, 9999):04d}"


def ipv4_value(r: random.Random) -> str:
    kind = r.choice(["pub", "10", "192", "172", "doc"])
    if kind == "10":
        return f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    if kind == "192":
        return f"192.168.{r.randint(0, 255)}.{r.randint(1, 254)}"
    if kind == "172":
        return f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    if kind == "doc":
        return r.choice(["192.0.2.", "198.51.100.", "203.0.113."]) + str(r.randint(1, 254))
    return f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def ipv6_value(r: random.Random) -> str:
    h = lambda: f"{r.randint(0, 0xFFFF):x}"  # noqa: E731
    v = r.choice(
        [
            f"2001:db8:{h()}:{h()}::{h()}",
            f"fe80::{h()}:{h()}:{h()}:{h()}",
            ":".join(f"{r.randint(0, 0xFFFF):04x}" for _ in range(8)),
            f"2a00:{h()}:{h()}::{h()}",
            f"::ffff:{ipv4_value(r)}",
            f"2606:4700:{h()}::{h()}:{h()}",
        ]
    )
    return v.upper() if r.random() < 0.2 else v


def url_value(r: random.Random) -> str:
    host = r.choice(
        [
            "portale.example.it",
            "loja.example.pt",
            "winkel.example.nl",
            "docs.acme.io",
            "app.example.com",
            "intranet.firma.de",
            "tienda.example.es",
        ]
    )
    path = r.choice(
        [
            "",
            "/",
            "/account/settings",
            "/it/ordini?id=8842&lang=it",
            "/p/9921-blue-shoe#reviews",
            "/search?q=caf%C3%A9&page=2",
            "/v2/users/42/profile",
            "/download/report-2024.pdf",
        ]
    )
    scheme = r.choice(["https://", "https://", "http://", "www."])
    if scheme == "www.":
        host = host.split(".", 1)[1]
    port = r.choice(["", "", "", ":8443"])
    return f"{scheme}{host}{port}{path}"


def aws_key(r: random.Random) -> str:
    return r.choice(["AKIA", "AKIA", "ASIA"]) + rs(r, B32, 16)


def aws_secret(r: random.Random) -> str:
    while True:
        v = rs(r, B64, 40)
        if any(c.isdigit() for c in v) and any(c.isupper() for c in v) and any(c.islower() for c in v):
            return v


def github_token(r: random.Random) -> str:
    if r.random() < 0.25:
        return "github_pat_" + rs(r, ALNUM, 22) + "_" + rs(r, ALNUM, 59)
    return r.choice(["ghp_", "gho_", "ghs_", "ghu_", "ghr_"]) + rs(r, ALNUM, 36)


def openai_key(r: random.Random) -> str:
    kind = r.choice(["proj", "svc", "legacy"])
    if kind == "proj":
        return "sk-proj-" + rs(r, ALNUM + "-_", 74) + "T3BlbkFJ" + rs(r, ALNUM + "-_", 74)
    if kind == "svc":
        return "sk-svcacct-" + rs(r, ALNUM + "-_", 74) + "T3BlbkFJ" + rs(r, ALNUM + "-_", 74)
    return "sk-" + rs(r, ALNUM, 20) + "T3BlbkFJ" + rs(r, ALNUM, 20)


def anthropic_key(r: random.Random) -> str:
    if r.random() < 0.2:
        return "sk-ant-admin01-" + rs(r, ALNUM + "-_", 93) + "AA"
    return "sk-ant-api03-" + rs(r, ALNUM + "-_", 93) + "AA"


def slack_token(r: random.Random) -> str:
    n = lambda k: str(r.randint(1, 9)) + _d(r, k - 1)  # noqa: E731
    return r.choice(
        [
            f"xoxb-{n(12)}-{n(13)}-{rs(r, ALNUM, 24)}",
            f"xoxp-{n(12)}-{n(12)}-{n(13)}-{rs(r, string.hexdigits.lower()[:16], 32)}",
            f"xoxa-2-{n(12)}-{n(12)}-{n(13)}-{rs(r, string.hexdigits.lower()[:16], 32)}",
            f"xoxe.xoxp-1-{rs(r, ALNUM, 140)}",
        ]
    )


def stripe_key(r: random.Random) -> str:
    pre = r.choice(["sk_live_", "rk_live_", "sk_test_"])
    return pre + rs(r, ALNUM, r.choice([24, 99]))


def google_key(r: random.Random) -> str:
    return "AIza" + rs(r, ALNUM + "-_", 35)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt_value(r: random.Random) -> str:
    alg, sig = r.choice([("HS256", 32), ("RS256", 256), ("ES256", 64), ("HS512", 64)])
    header = (
        {"alg": alg, "typ": "JWT"} if r.random() < 0.7 else {"typ": "JWT", "alg": alg, "kid": rs(r, ALNUM, 8)}
    )
    payload = {
        "sub": str(r.randint(1000, 99999)),
        "iat": r.randint(1.6e9, 1.8e9),
        "scope": r.choice(["read", "admin", "read write"]),
    }
    seps = (",", ":") if r.random() < 0.7 else (", ", ": ")
    h = b64url(json.dumps(header, separators=seps).encode())
    p = b64url(json.dumps(payload, separators=seps).encode())
    return f"{h}.{p}.{b64url(r.randbytes(sig))}"


def pem_value(r: random.Random, indent: str = "", nl: str = "\n") -> str:
    label = r.choice(
        ["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]
    )
    body = base64.b64encode(r.randbytes(r.choice([120, 240, 400]))).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    inner = nl.join(indent + ln for ln in lines)
    return f"-----BEGIN {label}-----{nl}{inner}{nl}{indent}-----END {label}-----"


def password_value(r: random.Random) -> str:
    return r.choice(
        [
            rs(r, ALNUM, 8) + r.choice("!#%&*?") + str(r.randint(0, 99)),
            r.choice(["Sole", "Mare", "Fiets", "Lua", "Tulp"]) + str(r.randint(1900, 2030)) + r.choice("!$#"),
            rs(r, ALNUM, 16),
            "-".join(r.choice(["vento", "kaas", "praia", "molen", "fuji", "nuvem"]) for _ in range(3))
            + str(r.randint(1, 9)),
        ]
    )


def db_value(r: random.Random) -> str:
    user, pw = (
        r.choice(["app", "svc_ro", "admin", "etl"]),
        password_value(r).replace("#", "x").replace("%", "p").replace("?", "q"),
    )
    host = r.choice(
        ["db.internal", "10.2.3.4", "pg-prod.example.net", "cluster0.ab1cd.mongodb.net", "mq.local"]
    )
    return r.choice(
        [
            f"postgresql://{user}:{pw}@{host}:5432/orders",
            f"postgres+psycopg2://{user}:{pw}@{host}/app",
            f"mysql://{user}:{pw}@{host}:3306/shop",
            f"mongodb+srv://{user}:{pw}@{host}/test?retryWrites=true",
            f"redis://:{pw}@{host}:6379/0",
            f"amqp://{user}:{pw}@{host}:5672/vhost",
            f"Server={host};Database=Sales;User Id={user};Password={pw};",
            f"jdbc:postgresql://{host}:5432/app?user={user}&password={pw}",
        ]
    )


# -- hard negatives -----------------------------------------------------------------------------------


def negative(r: random.Random) -> str:
    h = lambda n: rs(r, "0123456789abcdef", n)  # noqa: E731
    return r.choice(
        [
            f"{h(8)}-{h(4)}-4{h(3)}-a{h(3)}-{h(12)}",
            f"commit {h(40)}",
            f"sha256:{h(64)}",
            f"v{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}.{r.randint(0, 99)}",
            f"build 10.0.{r.randint(10000, 22631)}.{r.randint(100, 4000)}",
            f"ordine n. {r.randint(10**9, 10**10 - 1)}",
            f"bestelnummer {r.randint(10**11, 10**12 - 1)}",
            f"pedido #{r.randint(100000, 999999)}-{r.randint(1000, 9999)}",
            (
                f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
                f"T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z"
            ),
            f"{r.randint(1_600_000_000_000, 1_800_000_000_000)}",
            f"ISBN 978-{r.randint(0, 9)}-{r.randint(100, 999)}-{r.randint(10000, 99999)}-{r.randint(0, 9)}",
            "sk-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "AKIAXXXXXXXXXXXXXXXX",
            "<YOUR_STRIPE_SECRET_KEY>",
            "password: ********",
            "password=${DB_PASSWORD}",
            "wachtwoord: <vul-in>",
            f"card ending **** **** **** {r.randint(1000, 9999)}",
            f"ref {group_card(luhn_broken(r), ' ')}",
            f"tracking 1Z{rs(r, B32, 16)}",
            f"MAC {':'.join(h(2) for _ in range(6))}",
            f"at 0x7ff{h(9)}",
            f"codice articolo {r.randint(100, 999)}-{r.randint(100, 999)}-{r.randint(1000, 9999)}-XL",
            f"CAP {r.randint(10000, 99999)}-{r.randint(1000, 9999)}",
            "postgresql://localhost:5432/app",
            "user@localhost",
            f"@{r.choice(FIRST)}_{r.choice(LAST)}",
            "logo@2x.png",
            f"IBAN {broken_iban(r)}",
            "xoxb-your-bot-token",
            f"{r.randint(1, 28):02d}.{r.randint(1, 12):02d}.2025 {r.randint(10, 23)}:{r.randint(10, 59)}",
            f"OID 1.3.6.1.4.1.{r.randint(1000, 99999)}.1.2",
        ]
    )


# -- document kinds ---------------------------------------------------------------------------------

Gen = Callable[[random.Random, Doc], None]

PROSE = {
    "it": {
        "email": "Scrivimi a ",
        "phone": "Il mio numero di cellulare è ",
        "card": "Ho pagato con la carta ",
        "iban": "Il mio IBAN è ",
        "pw": "la password è ",
        "url": "Vedi ",
        "ip": "Il server ha indirizzo ",
    },
    "pt": {
        "email": "Envie para ",
        "phone": "Meu telefone é ",
        "card": "Paguei com o cartão ",
        "iban": "O meu IBAN é ",
        "pw": "a senha é ",
        "url": "Veja ",
        "ip": "O servidor tem o endereço ",
    },
    "nl": {
        "email": "Mail me op ",
        "phone": "Bel me op ",
        "card": "Betaald met creditcard ",
        "iban": "Mijn IBAN is ",
        "pw": "het wachtwoord is ",
        "url": "Zie ",
        "ip": "De server heeft adres ",
    },
    "en": {
        "email": "Drop a line to ",
        "phone": "You can call me at ",
        "card": "I was charged on card ",
        "iban": "Please wire it to IBAN ",
        "pw": "the password is ",
        "url": "Check ",
        "ip": "Traffic came from ",
    },
    "de": {
        "email": "Schreiben Sie an ",
        "phone": "Rufen Sie mich an unter ",
        "card": "Bezahlt mit Kreditkarte ",
        "iban": "Meine IBAN lautet ",
        "pw": "das Passwort ist ",
        "url": "Siehe ",
        "ip": "Zugriff von ",
    },
    "fr": {
        "email": "Écrivez-moi à ",
        "phone": "Mon numéro de portable : ",
        "card": "Payé avec la carte ",
        "iban": "Mon IBAN : ",
        "pw": "le mot de passe est ",
        "url": "Voir ",
        "ip": "Connexion depuis ",
    },
    "es": {
        "email": "Escríbeme a ",
        "phone": "Mi teléfono es ",
        "card": "Pagué con la tarjeta ",
        "iban": "Mi IBAN es ",
        "pw": "la contraseña es ",
        "url": "Mira ",
        "ip": "Acceso desde ",
    },
    "ja": {
        "email": "連絡先は",
        "phone": "電話番号は",
        "card": "クレジットカード番号は",
        "iban": "IBANは",
        "pw": "パスワードは",
        "url": "詳細は",
        "ip": "接続元IPは",
    },
}
PHONE_FOR = {"it": "IT", "pt": "PT", "nl": "NL", "de": "DE", "fr": "FR", "es": "ES", "ja": "JP"}
END = {"ja": "です。"}


def value_for(r: random.Random, key: str, lang: str) -> tuple[str, str]:
    if key == "email":
        return "EMAIL", email_obfuscated(r)[1]
    if key == "phone":
        return "PHONE", phone_value(r, PHONE_FOR.get(lang) if r.random() < 0.7 else None)
    if key == "card":
        return "CREDIT_CARD", card_written(r)
    if key == "iban":
        return "IBAN", iban_written(r)
    if key == "pw":
        return "GENERIC_PASSWORD", password_value(r)
    if key == "url":
        return "URL", url_value(r)
    v = ipv4_value(r) if r.random() < 0.7 else ipv6_value(r)
    if r.random() < 0.2 and "." in v and ":" not in v:
        v = v.replace(".", "[.]")
    return "IP_ADDRESS", v


def prose(r: random.Random, d: Doc) -> None:
    lang = d.lang
    words = PROSE[lang]
    keys = r.sample(list(words), r.randint(1, 3))
    for i, key in enumerate(keys):
        kind, value = value_for(r, key, lang)
        d.t(words[key] if i == 0 else ("、" if lang == "ja" else ", ") + words[key])
        d.v(kind, value)
    d.t(END.get(lang, "." if r.random() < 0.7 else ""))
    if r.random() < 0.4:
        d.t(" (" + negative(r) + ")")


def chat_log(r: random.Random, d: Doc) -> None:
    who = [r.choice(FIRST) for _ in range(2)]
    for k in range(r.randint(2, 4)):
        d.t(f"[{r.randint(8, 20):02d}:{r.randint(0, 59):02d}] <{who[k % 2]}> ")
        key = r.choice(["email", "phone", "url", "pw", "card", "none"])
        if key == "none":
            d.t("ok, " + negative(r) + "\n")
            continue
        kind, value = value_for(r, key, "en")
        d.t(
            {
                "email": "mail me: ",
                "phone": "my cell is ",
                "url": "link -> ",
                "pw": "wifi password is ",
                "card": "use my card ",
            }[key]
        )
        d.v(kind, value)
        d.t("\n")


def csv_rows(r: random.Random, d: Doc) -> None:
    d.t("id,name,email,phone,iban\n")
    for _ in range(r.randint(1, 3)):
        d.t(f"{r.randint(100, 999)},{r.choice(FIRST).title()} {r.choice(LAST).title()},")
        d.v("EMAIL", email_value(r)).t(",")
        q = r.random() < 0.3
        d.t('"' if q else "").v("PHONE", phone_value(r)).t('"' if q else "").t(",")
        d.v("IBAN", iban_value(r)).t("\n")


def yaml_doc(r: random.Random, d: Doc) -> None:
    d.t("database:\n  host: ").v("IP_ADDRESS", ipv4_value(r)).t("\n  port: 5432\n  user: app\n  password: ")
    q = r.choice(["", '"', "'"])
    d.t(q).v("GENERIC_PASSWORD", password_value(r)).t(q + "\n")
    d.t("notify:\n  email: ").v("EMAIL", email_value(r)).t("\n  webhook: ").v("URL", url_value(r)).t("\n")
    if r.random() < 0.5:
        d.t("signing_key: |\n").v("PRIVATE_KEY", pem_value(r, indent="  ")).t("\n")
    d.t(f"version: {r.randint(1, 5)}.{r.randint(0, 9)}.{r.randint(0, 9)}\n")


def http_headers(r: random.Random, d: Doc) -> None:
    d.t(f"GET /api/v1/items?page={r.randint(1, 9)} HTTP/1.1\nHost: api.example.com\n")
    d.t("Authorization: Bearer ").v("JWT", jwt_value(r)).t("\n")
    d.t("X-Forwarded-For: ").v("IP_ADDRESS", ipv4_value(r)).t(", ").v("IP_ADDRESS", ipv4_value(r)).t("\n")
    if r.random() < 0.5:
        d.t("X-Api-Key: ").v("GOOGLE_API_KEY", google_key(r)).t("\n")
    d.t(f"X-Request-Id: {negative(r)}\n")


def sql_insert(r: random.Random, d: Doc) -> None:
    d.t("INSERT INTO customers (name, email, phone, card) VALUES ('")
    d.t(r.choice(FIRST).title()).t("', '").v("EMAIL", email_value(r)).t("', '").v("PHONE", phone_value(r)).t(
        "', '"
    )
    d.v("CREDIT_CARD", card_digits(r)).t("');\n")
    if r.random() < 0.4:
        d.t("UPDATE users SET ssn = '").v("US_SSN", ssn_value(r)).t(f"' WHERE id = {r.randint(1, 9999)};\n")


def email_thread(r: random.Random, d: Doc) -> None:
    a, b = email_value(r), email_value(r)
    d.t("From: ").v("EMAIL", a).t("\nTo: ").v("EMAIL", b).t(
        "\nSubject: Re: " + r.choice(["rimborso", "fatura", "factuur", "refund"]) + "\n\n"
    )
    d.t("Thanks, noted.\n\nOn Tue, " + r.choice(FIRST).title() + " <").v("EMAIL", b).t("> wrote:\n")
    d.t("> My number changed, new one is ").v("PHONE", phone_value(r)).t("\n")
    d.t("> IBAN for the refund: ").v("IBAN", iban_written(r).replace("\n", " ")).t("\n>\n> Best\n")


def md_table(r: random.Random, d: Doc) -> None:
    d.t("| Nome | Telefono | Email |\n|---|---|---|\n")
    for _ in range(r.randint(1, 3)):
        d.t(f"| {r.choice(FIRST).title()} | ").v("PHONE", phone_value(r)).t(" | ").v(
            "EMAIL", email_value(r)
        ).t(" |\n")


def stack_trace(r: random.Random, d: Doc) -> None:
    d.t('Traceback (most recent call last):\n  File "/srv/app/pay.py", line 88, in charge\n')
    d.t("    resp = client.post(url, auth=(user, key))\n")
    d.t("requests.exceptions.ConnectionError: HTTPSConnectionPool(host='").v(None, "api.example.com")
    d.t("', port=443): Max retries exceeded with url: /v1/charges (Caused by ")
    d.t("NewConnectionError('Failed to connect to ").v("IP_ADDRESS", ipv4_value(r)).t("'))\n")
    d.t("  locals: api_key=").v("STRIPE_KEY", stripe_key(r)).t(f" customer=cus_{rs(r, ALNUM, 14)}\n")


def env_file(r: random.Random, d: Doc) -> None:
    d.t("# .env\n")
    items = [
        ("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", aws_key),
        ("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", aws_secret),
        ("GITHUB_TOKEN", "GITHUB_TOKEN", github_token),
        ("OPENAI_API_KEY", "OPENAI_API_KEY", openai_key),
        ("ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY", anthropic_key),
        ("SLACK_BOT_TOKEN", "SLACK_TOKEN", slack_token),
        ("STRIPE_SECRET_KEY", "STRIPE_KEY", stripe_key),
        ("DATABASE_URL", "DB_CONNECTION_STRING", db_value),
        ("SMTP_PASSWORD", "GENERIC_PASSWORD", password_value),
    ]
    for name, kind, fn in r.sample(items, r.randint(2, 5)):
        q = r.choice(["", "", '"', "'"])
        d.t(f"{'export ' if r.random() < 0.2 else ''}{name}={q}").v(kind, fn(r)).t(q + "\n")
    d.t("APP_VERSION=" + f"{r.randint(1, 3)}.{r.randint(0, 9)}.{r.randint(0, 30)}\n")


def k8s_secret(r: random.Random, d: Doc) -> None:
    d.t("apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-creds\ntype: Opaque\nstringData:\n")
    d.t("  aws_secret_access_key: ").v("AWS_SECRET_KEY", aws_secret(r)).t("\n")
    d.t("  DB_PASSWORD: ").v("GENERIC_PASSWORD", password_value(r)).t("\n")
    d.t("  slack-token: ").v("SLACK_TOKEN", slack_token(r)).t("\n")
    d.t("data:\n  ca.crt: " + base64.b64encode(r.randbytes(36)).decode() + "\n")


def curl_cmd(r: random.Random, d: Doc) -> None:
    choice = r.choice(["openai", "anthropic", "stripe", "github"])
    if choice == "openai":
        d.t("curl ").v("URL", "https://api.openai.com/v1/chat/completions").t(
            ' \\\n  -H "Authorization: Bearer '
        ).v("OPENAI_API_KEY", openai_key(r)).t('" \\\n')
    elif choice == "anthropic":
        d.t("curl ").v("URL", "https://api.anthropic.com/v1/messages").t(' \\\n  -H "x-api-key: ').v(
            "ANTHROPIC_API_KEY", anthropic_key(r)
        ).t('" \\\n')
    elif choice == "stripe":
        d.t("curl ").v("URL", "https://api.stripe.com/v1/charges").t(" -u ").v("STRIPE_KEY", stripe_key(r)).t(
            ": \\\n"
        )
    else:
        d.t("curl -H 'Authorization: token ").v("GITHUB_TOKEN", github_token(r)).t("' ").v(
            "URL", "https://api.github.com/user"
        ).t(" \\\n")
    d.t('  -d \'{"email": "').v("EMAIL", email_value(r)).t("\"}'\n")


def json_payload(r: random.Random, d: Doc) -> None:
    d.t('{"user": {"email": "')
    e = email_value(r)
    if r.random() < 0.5:
        e = e.replace("@", "\\u0040")
    d.v("EMAIL", e).t('", "site": "')
    u = url_value(r)
    if u.startswith("http") and r.random() < 0.6:
        u = u.replace("/", "\\/")
    d.v("URL", u).t('", "ip": "').v("IP_ADDRESS", ipv6_value(r)).t('"')
    if r.random() < 0.4:
        d.t(', "tls_key": "').v("PRIVATE_KEY", pem_value(r, nl="\\n")).t('"')
    d.t(', "id": "' + negative(r).replace('"', "") + '"}}')


def form_encoded(r: random.Random, d: Doc) -> None:
    e = email_value(r).replace("@", "%40").replace("+", "%2B")
    p = phone_value(r, r.choice(["US", "UK", "DE", "FR"]))
    p = ("%2B" + p[1:] if p.startswith("+") else p).replace(" ", "%20")
    d.t("POST /signup body: name=" + r.choice(FIRST) + "&email=").v("EMAIL", e).t("&phone=").v("PHONE", p).t(
        "&plan=pro\n"
    )


def ioc_report(r: random.Random, d: Doc) -> None:
    d.t("IOCs (defanged):\n- C2: ").v(
        "URL", "hxxps://" + r.choice(["update-check", "cdn-sync"]) + "[.]example[.]net/gate.php"
    ).t("\n")
    d.t("- IP: ").v("IP_ADDRESS", ipv4_value(r).replace(".", "[.]")).t("\n- sender: ")
    local, dom = email_value(r).split("@")
    d.v("EMAIL", f"{local}[@]{dom.replace('.', '[.]')}").t(
        "\n- hash: " + rs(r, "0123456789abcdef", 64) + "\n"
    )


def ssn_form(r: random.Random, d: Doc) -> None:
    style = r.choice(["-", " ", "bare"])
    label = r.choice(["SSN", "Social Security No.", "tax ID", "SSN#"])
    d.t(f"Applicant: {r.choice(FIRST).title()}\n{label}: ").v(
        "US_SSN", ssn_value(r, "" if style == "bare" else style)
    )
    d.t(
        f"\nDOB: {r.randint(1, 12):02d}/{r.randint(1, 28):02d}/19{r.randint(50, 99)}"
        f"\nZIP: {r.randint(10000, 99999)}-{r.randint(1000, 9999)}\n"
    )


def code_snippet(r: random.Random, d: Doc) -> None:
    lang = r.choice(["py", "js", "go"])
    if lang == "py":
        d.t('client = OpenAI(api_key="').v("OPENAI_API_KEY", openai_key(r)).t('")\n')
        d.t('conn = psycopg2.connect("').v("DB_CONNECTION_STRING", db_value(r)).t('")\n')
    elif lang == "js":
        d.t("const stripe = require('stripe')('").v("STRIPE_KEY", stripe_key(r)).t("');\n")
        d.t("const maps = '").v("GOOGLE_API_KEY", google_key(r)).t("';\n")
    else:
        d.t('token := "').v("GITHUB_TOKEN", github_token(r)).t('"\n')
        d.t('cfg := aws.Config{AccessKeyID: "').v("AWS_ACCESS_KEY", aws_key(r)).t('", SecretAccessKey: "')
        d.v("AWS_SECRET_KEY", aws_secret(r)).t('"}\n')


def obfuscated_secret(r: random.Random, d: Doc) -> None:
    kind, fn = r.choice(
        [
            ("GITHUB_TOKEN", github_token),
            ("STRIPE_KEY", stripe_key),
            ("AWS_ACCESS_KEY", aws_key),
            ("SLACK_TOKEN", slack_token),
        ]
    )
    v = fn(r)
    i = r.randint(6, len(v) - 4)
    d.t(r.choice(["pasted from the console: ", "copy this: ", "key = "])).v(kind, v[:i] + ZW + v[i:]).t("\n")


def negatives_only(r: random.Random, d: Doc) -> None:
    for _ in range(r.randint(2, 4)):
        d.t(negative(r) + r.choice(["\n", "; ", " | "]))


def _zw_inside(r: random.Random, v: str) -> str:
    i = r.randint(2, len(v) - 2)
    return v[:i] + r.choice([ZW, "\u200c", "\u2060", "\ufeff"]) + v[i:]


def tricky(r: random.Random, d: Doc) -> None:  # noqa: PLR0915 (one short branch per case)
    """One value in a harder setting: markup around it, odd spacing, another script's digits."""
    case = r.randrange(30)
    if case == 0:
        d.t('Contact: <a href="mailto:').v("EMAIL", email_value(r)).t('">write</a>')
    elif case == 1:
        d.t('Call <a href="tel:').v(
            "PHONE", "+1" + _d(r, 0) + str(r.randint(2, 9)) + _d(r, 2) + str(r.randint(2, 9)) + _d(r, 6)
        ).t('">us</a>')
    elif case == 2:
        d.t("See [the docs](").v("URL", url_value(r).replace("www.", "https://www.")).t(") or <").v(
            "URL",
            "https://" + r.choice(["status", "help"]) + ".example.org/incident/" + str(r.randint(100, 999)),
        ).t(">.")
    elif case == 3:
        local, dom = email_value(r).split("@")
        d.lang = "ja"
        d.t("メール：").v("EMAIL", f"{local}＠{dom}").t("までご連絡ください。")
    elif case == 4:
        d.lang = "ja"
        d.t("携帯：").v("PHONE", fullwidth(f"090-{_d(r, 4)}-{_d(r, 4)}")).t("（平日のみ）")
    elif case == 5:
        d.t("listen ").v("IP_ADDRESS", "0.0.0.0").t(":443; upstream ")  # noqa: S104
        d.v("IP_ADDRESS", ipv4_value(r)).t(":8080; peer [")
        d.v("IP_ADDRESS", ipv6_value(r).replace("::ffff:", "2001:db8::")).t("]:9000")
    elif case == 6:
        d.t("allow ").v("IP_ADDRESS", ipv4_value(r)).t("/32;")
    elif case == 7:
        d.lang = r.choice(["it", "pt", "nl"])
        key = {"it": "Password", "pt": "Senha", "nl": "Wachtwoord"}[d.lang]
        d.t(f"{key}: ").v("GENERIC_PASSWORD", password_value(r)).t("\n")
    elif case == 8:
        d.t("CREATE USER report IDENTIFIED BY '").v("GENERIC_PASSWORD", password_value(r)).t("';")
    elif case == 9:
        d.t("mysql -h db.internal -u root --password=").v("GENERIC_PASSWORD", password_value(r)).t(" shop")
    elif case == 10:
        d.t('{"pwd": "').v("GENERIC_PASSWORD", password_value(r)).t('", "user": "svc"}')
    elif case == 11:
        d.t("token=").v("GITHUB_TOKEN", _zw_inside(r, github_token(r))).t(" (copied from chat)")
    elif case == 12:
        d.t("tel. ").v("PHONE", _zw_inside(r, phone_value(r, "FR"))).t(" - merci")
    elif case == 13:
        v = card_written(r).replace("\n", " ")
        d.t("card=").v("CREDIT_CARD", v.replace(" ", "%20") if r.random() < 0.5 else v).t("&exp=12/29")
    elif case == 14:
        d.t("> > On Mon, ").v("EMAIL", email_value(r)).t(" wrote:\n> > ring me on ").v(
            "PHONE", phone_value(r, "UK")
        ).t("\n")
    elif case == 15:
        d.t("Server at ").v("IP_ADDRESS", ipv4_value(r).replace(".", "[.]", 1)).t(" was hit from ").v(
            "URL", "hxxp://" + r.choice(["bad", "x"]) + "[.]example[.]com/a"
        ).t(".")
    elif case == 16:
        d.t("IBAN: ").v("IBAN", iban_value(r).lower()).t(" (rekeningnummer)")
    elif case == 17:
        d.t("aws_secret_access_key=").v("AWS_SECRET_KEY", aws_secret(r)).t(
            "\naws_session_token=" + negative(r)
        )
    elif case == 18:
        d.t("SSN ").v("US_SSN", ssn_value(r).replace("-", NBSP if r.random() < 0.5 else "\u2011")).t(
            " on file"
        )
    elif case == 19:
        d.t("Card:\u3000").v("CREDIT_CARD", group_card(card_digits(r), "\u3000")).t("\u3000(期限 12/28)")
        d.lang = "ja"
    elif case == 20:
        d.t("phone: ").v("PHONE", phone_value(r).replace(" ", "\u202f")).t(" / fax: n.a.")
    elif case == 21:
        d.t("ip=").v("IP_ADDRESS", fullwidth(ipv4_value(r)).replace(".", "．")).t(" user=guest")
    elif case == 22:
        p = phone_value(r, r.choice(["UK", "DE", "FR", "NL", "IT", "PT", "ES"])).replace(NBSP, " ")
        if not p.startswith("+"):
            p = "+" + {"UK": "44", "DE": "49"}.get("UK", "44") + " 20 7" + _d(r, 3) + " " + _d(r, 4)
        d.t(r.choice(["Tel ", "Telefono: ", "telefoon "])).v(
            "PHONE", r.choice(["00" + p[1:], "(" + p.split(" ", 1)[0] + ") " + p.split(" ", 1)[1]])
        )
    elif case == 23:
        d.lang = "ja"
        d.t("お電話は").v("PHONE", f"０９０ー{fullwidth(_d(r, 4))}ー{fullwidth(_d(r, 4))}").t(
            "までお願いします。"
        )
    elif case == 24:
        d.lang = r.choice(["pt", "es", "fr"])
        d.t("e-mail: ").v(
            "EMAIL",
            r.choice(["joão", "josé", "hélène", "françois", "conceição"])
            + "."
            + r.choice(LAST)
            + "@"
            + r.choice(DOMAINS),
        ).t(" — obrigado")
    elif case == 25:
        iban = iban_value(r)
        d.t("IBAN ").v("IBAN", ".".join(iban[i : i + 4] for i in range(0, len(iban), 4))).t(" (BIC ABCDITMM)")
    elif case == 26:
        d.t("<settings>\n  <server>\n    <id>nexus</id>\n    <password>").v(
            "GENERIC_PASSWORD", password_value(r)
        ).t("</password>\n  </server>\n</settings>")
    elif case == 27:
        d.t("Access key ID,Secret access key\n").v("AWS_ACCESS_KEY", aws_key(r)).t(",").v(
            "AWS_SECRET_KEY", aws_secret(r)
        ).t("\n")
    elif case == 28:
        a = ipv4_value(r)
        b = a.rsplit(".", 1)[0] + "." + str(min(254, int(a.rsplit(".", 1)[1]) + 20))
        d.t("dhcp-range=").v("IP_ADDRESS", a).t("-").v("IP_ADDRESS", b).t(",12h")
    else:
        d.t("Beste klant, uw IBAN ").v("IBAN", iban_written(r).replace("\n", " ")).t(" is gewijzigd.")
        d.lang = "nl"


KINDS: list[tuple[Gen, int, list[str]]] = [
    (prose, 18, ["it", "pt", "nl", "en", "de", "fr", "es", "ja"]),
    (chat_log, 8, ["en"]),
    (csv_rows, 6, ["en"]),
    (yaml_doc, 6, ["en"]),
    (http_headers, 5, ["en"]),
    (sql_insert, 5, ["en"]),
    (email_thread, 6, ["en"]),
    (md_table, 5, ["it"]),
    (stack_trace, 4, ["en"]),
    (env_file, 7, ["en"]),
    (k8s_secret, 4, ["en"]),
    (curl_cmd, 5, ["en"]),
    (json_payload, 6, ["en"]),
    (form_encoded, 3, ["en"]),
    (ioc_report, 3, ["en"]),
    (ssn_form, 4, ["en"]),
    (code_snippet, 6, ["en"]),
    (obfuscated_secret, 3, ["en"]),
    (negatives_only, 12, ["en"]),
    (tricky, 14, ["en"]),
]


def generate(rows: int, seed: int) -> list[dict[str, Any]]:
    """Return *rows* labeled rows, the same for the same *seed*."""
    r = random.Random(seed)
    weights = [w for _, w, _ in KINDS]
    out = []
    for i in range(rows):
        gen, _, langs = r.choices(KINDS, weights)[0]
        d = Doc(r.choice(langs))
        gen(r, d)
        out.append(d.row(f"heldout-{i:05d}"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="where to write the JSONL file")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--rows", type=int, default=1500)
    parser.add_argument("--eval", action="store_true", help="score the default validators on it")
    args = parser.parse_args(argv)
    rows = generate(args.rows, args.seed)
    with open(args.out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if args.eval:
        from guardkit._eval import run_eval_pii

        return run_eval_pii(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
