"""Real-world text: full-width forms, invisible characters, escapes, defanging, line breaks, languages.

Spans always refer to the characters as written, obfuscation included.
"""

from __future__ import annotations

import pytest
from _pii_support import ALNUM, fake, spans

from guardkit.validators._pii import PII
from guardkit.validators._secrets import Secrets

PII_CHECK = PII()
SECRETS = Secrets()
GHP = "ghp_" + fake(36, ALNUM, 1)


def found(text: str) -> list[tuple[str, str]]:
    """(kind, flagged text) pairs from both validators, in text order."""
    findings = sorted([*PII_CHECK.check(text), *SECRETS.check(text)], key=lambda f: f.start)
    return spans(text, findings)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        # full-width letters and digits (NFKC)
        ("mail ｊａｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ ok", "EMAIL", "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ"),
        ("card ４１１１ １１１１ １１１１ １１１１ ok", "CREDIT_CARD", "４１１１ １１１１ １１１１ １１１１"),
        ("SSN: ３２１－５４－９８７６", "US_SSN", "３２１－５４－９８７６"),
        ("電話：０３－１２３４－５６７８", "PHONE", "０３－１２３４－５６７８"),
        # zero-width and soft-hyphen characters inside a value
        ("mail jo\u200bhn.doe@exa\u200dmple.com now", "EMAIL", "jo\u200bhn.doe@exa\u200dmple.com"),
        ("card 4111\u200b1111\u00ad1111\u20601111", "CREDIT_CARD", "4111\u200b1111\u00ad1111\u20601111"),
        (f"token {GHP[:10]}\u200b{GHP[10:]}", "GITHUB_TOKEN", f"{GHP[:10]}\u200b{GHP[10:]}"),
        # non-breaking and narrow spaces as separators
        ("card 4111\u00a01111\u00a01111\u00a01111 ok", "CREDIT_CARD", "4111\u00a01111\u00a01111\u00a01111"),
        ("Tel.: +49\u00a030\u202f12345678", "PHONE", "+49\u00a030\u202f12345678"),
        (
            "IBAN DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000",
            "IBAN",
            "DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000",
        ),
        # values wrapped onto the next line
        ("IBAN DE89 3704 0044\n0532 0130 00 thanks", "IBAN", "DE89 3704 0044\n0532 0130 00"),
        ("card 4111 1111\n1111 1111 thanks", "CREDIT_CARD", "4111 1111\n1111 1111"),
        # JSON escapes
        ('{"email": "jane\\u0040example.com"}', "EMAIL", "jane\\u0040example.com"),
        ('{"url": "https:\\/\\/example.com\\/a\\/b"}', "URL", "https:\\/\\/example.com\\/a\\/b"),
        # URL encoding
        ("GET /subscribe?email=jane%40example.com&x=1", "EMAIL", "jane%40example.com"),
        # HTML character references
        ("contact: jane&#64;example.com", "EMAIL", "jane&#64;example.com"),
        # defanged forms
        ("contact jane[at]example[dot]com today", "EMAIL", "jane[at]example[dot]com"),
        ("contact jane (at) example (dot) org", "EMAIL", "jane (at) example (dot) org"),
        ("write to jane dot doe at example dot com please", "EMAIL", "jane dot doe at example dot com"),
        ("C2 at hxxps://evil[.]example[.]com/gate", "URL", "hxxps://evil[.]example[.]com/gate"),
        ("beacon to 10.0.0[.]1 seen", "IP_ADDRESS", "10.0.0[.]1"),
        ("beacon to 192[.]168[.]1[.]20 seen", "IP_ADDRESS", "192[.]168[.]1[.]20"),
        ("hxxp[:]//bad.example.net/x", "URL", "hxxp[:]//bad.example.net/x"),
    ],
)
def test_obfuscated_value(text: str, kind: str, value: str) -> None:
    """The obfuscated value is found and its span covers it exactly, as written."""
    assert found(text) == [(kind, value)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("メールアドレスはjane@example.orgです。", [("EMAIL", "jane@example.org")]),
        ("お電話は090-1234-5678までお願いします。", [("PHONE", "090-1234-5678")]),
        ("カード番号4111111111111111で支払いました", [("CREDIT_CARD", "4111111111111111")]),
        ("サーバー192.168.0.10が応答しません", [("IP_ADDRESS", "192.168.0.10")]),
        ("詳細はhttps://example.jp/helpをご覧ください", [("URL", "https://example.jp/help")]),
        ("パスワードはSakura2024です", [("GENERIC_PASSWORD", "Sakura2024")]),
        ("Meine Telefonnummer ist 0157 82641098.", [("PHONE", "0157 82641098")]),
        (
            "Bitte überweisen Sie auf IBAN DE89 3704 0044 0532 0130 00.",
            [("IBAN", "DE89 3704 0044 0532 0130 00")],
        ),
        ("Mon adresse e-mail est lucas.jacob@exemple.fr", [("EMAIL", "lucas.jacob@exemple.fr")]),
        ("Vous pouvez joindre le service client au 0243706971.", [("PHONE", "0243706971")]),
        ("Mi número de teléfono es 91 005 26 83", [("PHONE", "91 005 26 83")]),
        ("Il mio numero è 347 123 4567", [("PHONE", "347 123 4567")]),
        ("O cartão 5555 5555 5555 4444 foi recusado", [("CREDIT_CARD", "5555 5555 5555 4444")]),
        ("Meu e-mail é joao.silva@exemplo.com.br.", [("EMAIL", "joao.silva@exemplo.com.br")]),
    ],
)
def test_multilingual_surroundings(text: str, expected: list[tuple[str, str]]) -> None:
    """Entities are found in German, French, Spanish, Italian, Portuguese and Japanese prose."""
    assert found(text) == expected


def test_spans_map_into_original_text() -> None:
    """Offsets index the original string, even after full-width and invisible characters."""
    text = "\u200b\u200bｘ: ｊａｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ\u200b and jane@example.org"
    findings = PII_CHECK.check(text)
    assert [text[f.start : f.end] for f in findings] == [
        "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ",
        "jane@example.org",
    ]


def test_escape_decoding_does_not_leak_into_neighbours() -> None:
    """Decoding an escape never merges two tokens or moves the end of a string."""
    text = '{"a": "x\\u0022y", "email": "a@b.co"}'
    assert found(text) == [("EMAIL", "a@b.co")]
