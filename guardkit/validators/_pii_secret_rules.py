"""Detectors for credentials: provider token formats, private keys, JWTs, passwords, DSNs.

Provider formats follow the public token prefixes (the gitleaks rule set is the reference for
breadth). Each token rule runs only when one of its literal keywords occurs in the text, then checks
the token body against placeholder patterns and, where a format is short or ambiguous, entropy and
context words. Detectors return ``(start, end, kind, score, detail)`` tuples in view offsets.

This module compiles its patterns when first imported, which happens the first time a ``PII`` or
``Secrets`` validator is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, NamedTuple

from guardkit.validators._pii_checks import entropy, is_placeholder, jwt_valid
from guardkit.validators._pii_text import TextView

__all__ = ["DETECTORS", "SECRET_KINDS", "TOKEN_RULES", "token_detector"]

Candidate = tuple[int, int, str, float, str]
Detector = Callable[[TextView], list[Candidate]]


def _words(text: str) -> frozenset[str]:
    """A set of the whitespace-separated words of *text* (long word lists read best as text)."""
    return frozenset(text.split())


#: The longest span a secret detector reports (a PEM block is capped at this many characters).
MAX_SECRET_SPAN: Final = 8192


def _context(lower: str, start: int, width: int = 60) -> str:
    chunk = lower[max(0, start - width) : start]
    cut = chunk.rfind("\n")
    return chunk[cut + 1 :] if cut >= 0 else chunk


def _mixed(body: str) -> bool:
    """Upper, lower and digit all present: what a random base62/base64 string of 20+ chars has."""
    return (
        any(c.isdigit() for c in body) and any(c.isupper() for c in body) and any(c.islower() for c in body)
    )


def _has_digit(body: str) -> bool:
    return any(c.isdigit() for c in body)


class _Pattern(NamedTuple):
    """A token pattern and the characters that must not come right before a match.

    The boundary is checked in Python rather than with a leading lookbehind, which would stop the
    regex engine from jumping straight to the literal token prefix.
    """

    regex: re.Pattern[str]
    before: frozenset[str]


class _Rule(NamedTuple):
    kind: str
    keywords: tuple[str, ...]  # literal substrings of the token; the rule runs only if one occurs
    pattern: _Pattern  # group "tok" is the span, group "body" the random part
    min_entropy: float = 0.0
    check: Callable[[str], bool] | None = None
    lower: bool = False  # test keywords against the lower-cased text
    context: re.Pattern[str] | None = None  # must match the text before the token (same line)
    anywhere: tuple[str, ...] = ()  # lower-case words that must occur somewhere in the text


_END = r"(?![A-Za-z0-9_\-])"
_START = r"(?<![A-Za-z0-9_\-])"
_LEADING_LOOKBEHIND: Final = re.compile(r"^\(\?<!\[((?:\\.|[^\]\\])+)\]\)")


def _rx(body: str, flags: int = 0) -> _Pattern:
    """Compile a token pattern, turning a leading ``(?<![...])`` into a boundary set."""
    before: frozenset[str] = frozenset()
    lead = _LEADING_LOOKBEHIND.match(body)
    if lead is not None:
        cls = re.compile(f"[{lead.group(1)}]")
        before = frozenset(chr(c) for c in range(128) if cls.match(chr(c)))
        body = body[lead.end() :]
    return _Pattern(re.compile(body, flags), before)


_ASSIGN = r"[\w.\-]{0,40}[\"'`]?\s{0,3}(?:=|:|:=|=>|\s)\s{0,3}[\"'`]?$"

TOKEN_RULES: Final[tuple[_Rule, ...]] = (
    _Rule(
        "AWS_ACCESS_KEY",
        ("AKIA", "ASIA", "ABIA", "ACCA", "A3T"),
        _rx(
            r"(?<![A-Za-z0-9])(?P<tok>(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])(?P<body>[A-Z0-9]{16}))"
            r"(?![A-Za-z0-9])"
        ),
        2.5,
    ),
    _Rule(
        "GITHUB_TOKEN",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>gh[pousr]_(?P<body>[A-Za-z0-9]{36,251}))(?![A-Za-z0-9_])"),
        3.0,
    ),
    _Rule(
        "GITHUB_TOKEN",
        ("github_pat_",),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>github_pat_(?P<body>[A-Za-z0-9_]{50,251}))(?![A-Za-z0-9_])"),
        3.0,
    ),
    _Rule(
        "ANTHROPIC_API_KEY",
        ("sk-ant-",),
        _rx(
            _START
            + r"(?P<tok>sk-ant-(?:api|admin|sid|oat|ort)[0-9]{2}-(?P<body>[A-Za-z0-9_\-]{32,300}))"
            + _END
        ),
        3.5,
    ),
    _Rule(
        "OPENAI_API_KEY",
        ("sk-",),
        _rx(
            _START + r"(?P<tok>sk-(?:(?:proj|svcacct|admin)-(?P<body>[A-Za-z0-9_\-]{20,300})"
            r"|(?!ant-)(?P<legacy>[A-Za-z0-9]{32,200})))" + _END
        ),
        3.5,
        _mixed,
    ),
    _Rule(
        "OPENROUTER_API_KEY",
        ("sk-or-",),
        _rx(_START + r"(?P<tok>sk-or-v[0-9]-(?P<body>[a-f0-9]{64}))" + _END),
        3.0,
    ),
    _Rule(
        "SLACK_TOKEN",
        ("xox",),
        _rx(
            r"(?<![A-Za-z0-9_\-.])(?P<tok>xox(?:e\.xox[bp]|[abposre])-"
            r"(?P<body>[0-9]{1,16}(?:-[A-Za-z0-9]{1,250}){1,5}))" + _END
        ),
        3.0,
    ),
    _Rule(
        "SLACK_TOKEN",
        ("xapp-",),
        _rx(_START + r"(?P<tok>xapp-[0-9]-(?P<body>[A-Z0-9]{6,20}-[0-9]{6,20}-[a-z0-9]{32,80}))" + _END),
        3.0,
    ),
    _Rule(
        "SLACK_WEBHOOK",
        ("hooks.slack.com",),
        _rx(
            r"(?P<tok>(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/"
            r"(?P<body>[A-Za-z0-9+/_\-]{20,120}))",
            re.IGNORECASE,
        ),
        3.0,
    ),
    _Rule(
        "STRIPE_KEY",
        ("sk_live_", "sk_test_", "rk_live_", "rk_test_", "sk_prod_", "rk_prod_"),
        _rx(
            r"(?<![A-Za-z0-9_])(?P<tok>[sr]k_(?:live|test|prod)_(?P<body>[A-Za-z0-9]{16,247}))"
            r"(?![A-Za-z0-9_])"
        ),
        3.0,
    ),
    _Rule(
        "STRIPE_WEBHOOK_SECRET",
        ("whsec_",),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>whsec_(?P<body>[A-Za-z0-9+/=]{24,100}))(?![A-Za-z0-9_])"),
        3.0,
    ),
    _Rule(
        "GOOGLE_API_KEY",
        ("AIza",),
        _rx(_START + r"(?P<tok>AIza(?P<body>[A-Za-z0-9_\-]{35}))" + _END),
        3.0,
    ),
    _Rule(
        "GOOGLE_OAUTH_SECRET",
        ("GOCSPX-",),
        _rx(_START + r"(?P<tok>GOCSPX-(?P<body>[A-Za-z0-9_\-]{28}))" + _END),
        3.0,
    ),
    _Rule(
        "GOOGLE_OAUTH_TOKEN",
        ("ya29.",),
        _rx(r"(?<![A-Za-z0-9_\-.])(?P<tok>ya29\.(?P<body>[A-Za-z0-9_\-]{30,2000}))" + _END),
        3.5,
    ),
    _Rule(
        "GITLAB_TOKEN",
        ("glpat-", "gldt-", "glrt-", "glft-", "glsoat-", "glffct-", "glimt-", "glagent-", "gloas-", "glcbt-"),
        _rx(
            _START + r"(?P<tok>(?:glpat|gldt|glrt|glft|glsoat|glffct|glimt|glagent|gloas|glcbt)-"
            r"(?P<body>[A-Za-z0-9_\-]{20,300}(?:\.[A-Za-z0-9]{2,12})?))" + _END
        ),
        3.0,
    ),
    _Rule(
        "GITLAB_TOKEN",
        ("glptt-", "GR1348941"),
        _rx(_START + r"(?P<tok>(?:glptt-(?P<body>[0-9a-f]{40})|GR1348941(?P<b2>[A-Za-z0-9_\-]{20})))" + _END),
        3.0,
    ),
    _Rule(
        "NPM_TOKEN",
        ("npm_",),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>npm_(?P<body>[A-Za-z0-9]{36}))(?![A-Za-z0-9_])"),
        3.0,
    ),
    _Rule(
        "PYPI_TOKEN",
        ("pypi-AgE",),
        _rx(
            _START
            + r"(?P<tok>pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)(?P<body>[A-Za-z0-9_\-]{50,1000}))"
            + _END
        ),
        3.0,
    ),
    _Rule(
        "TWILIO_API_KEY",
        ("SK",),
        _rx(r"(?<![A-Za-z0-9])(?P<tok>SK(?P<body>[0-9a-f]{32}))(?![A-Za-z0-9])"),
        3.0,
        lambda b: _has_digit(b) and any(c.isalpha() for c in b),
    ),
    _Rule(
        "SENDGRID_API_KEY",
        ("SG.",),
        _rx(_START + r"(?P<tok>SG\.(?P<body>[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}))" + _END),
        3.0,
    ),
    _Rule(
        "MAILGUN_API_KEY",
        ("key-",),
        _rx(_START + r"(?P<tok>key-(?P<body>[0-9a-f]{32}))" + _END),
        3.0,
        anywhere=("mailgun",),
    ),
    _Rule(
        "MAILCHIMP_API_KEY",
        ("-us",),
        _rx(_START + r"(?P<tok>(?P<body>[0-9a-f]{32})-us[0-9]{1,2})" + _END),
        3.0,
    ),
    _Rule(
        "SHOPIFY_TOKEN",
        ("shpat_", "shpca_", "shppa_", "shpss_"),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>shp(?:at|ca|pa|ss)_(?P<body>[a-fA-F0-9]{32}))(?![A-Za-z0-9_])"),
        3.0,
    ),
    _Rule(
        "HEROKU_API_KEY",
        ("HRKU-",),
        _rx(_START + r"(?P<tok>HRKU-AA(?P<body>[0-9a-zA-Z_\-]{58}))" + _END),
        3.5,
    ),
    _Rule(
        "HEROKU_API_KEY",
        ("heroku",),
        _rx(
            _START + r"(?P<tok>(?P<body>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))" + _END
        ),
        3.0,
        lower=True,
        context=re.compile(r"heroku[\w.\-]{0,30}[\"'`]?\s{0,3}(?:=|:|:=|=>)\s{0,3}[\"'`]?$"),
    ),
    _Rule(
        "DIGITALOCEAN_TOKEN",
        ("do_v1_", "dop_v1_", "doo_v1_", "dor_v1_"),
        _rx(_START + r"(?P<tok>do[opr]?_v1_(?P<body>[a-f0-9]{64}))" + _END),
        3.0,
    ),
    _Rule(
        "HUGGINGFACE_TOKEN",
        ("hf_", "api_org_"),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>(?:hf_|api_org_)(?P<body>[A-Za-z0-9]{34,40}))(?![A-Za-z0-9_])"),
        3.5,
        lambda b: any(c.isupper() for c in b) and any(c.islower() for c in b),
    ),
    _Rule(
        "AZURE_STORAGE_KEY",
        ("AccountKey=",),
        _rx(r"AccountKey=(?P<tok>(?P<body>[A-Za-z0-9+/]{86}==))"),
        4.0,
    ),
    _Rule(
        "AZURE_CLIENT_SECRET",
        ("Q~",),
        _rx(
            r"(?<![A-Za-z0-9_~.\-])(?P<tok>(?P<body>[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.\-]{30,33}"
            r"[A-Za-z0-9_~\-]))(?![A-Za-z0-9_~\-]|\.[A-Za-z0-9_~\-])"
        ),
        3.5,
    ),
    _Rule(
        "DATABRICKS_TOKEN",
        ("dapi",),
        _rx(_START + r"(?P<tok>dapi(?P<body>[a-f0-9]{32})(?:-[0-9])?)" + _END),
        3.0,
    ),
    _Rule(
        "DOPPLER_TOKEN",
        ("dp.",),
        _rx(_START + r"(?P<tok>dp\.(?:pt|st|sa|ct|scim|audit)\.(?P<body>[A-Za-z0-9]{40,44}))" + _END),
        3.5,
    ),
    _Rule(
        "DROPBOX_TOKEN",
        ("sl.",),
        _rx(r"(?<![A-Za-z0-9_\-.])(?P<tok>sl\.(?:u\.)?(?P<body>[A-Za-z0-9_\-=]{130,1400}))" + _END),
        4.0,
    ),
    _Rule(
        "DISCORD_BOT_TOKEN",
        ("discord", "bot"),
        _rx(
            r"(?<![A-Za-z0-9_\-.])(?P<tok>(?P<body>[MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{6}\."
            r"[A-Za-z0-9_\-]{27,40}))(?![A-Za-z0-9_\-.])"
        ),
        4.0,
        _mixed,
        lower=True,
    ),
    _Rule(
        "DISCORD_WEBHOOK",
        ("discord",),
        _rx(
            r"(?P<tok>https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/"
            r"(?P<body>[A-Za-z0-9_\-]{60,68}))",
            re.IGNORECASE,
        ),
        3.5,
        lower=True,
    ),
    _Rule(
        "TELEGRAM_BOT_TOKEN",
        (":AA",),
        _rx(r"(?<![0-9A-Za-z])(?P<tok>[0-9]{8,10}:AA(?P<body>[A-Za-z0-9_\-]{33}))" + _END),
        3.5,
    ),
    _Rule(
        "SQUARE_TOKEN",
        ("sq0atp-", "sq0csp-", "EAAA"),
        _rx(
            _START + r"(?P<tok>(?:sq0atp-(?P<body>[A-Za-z0-9_\-]{22})|sq0csp-(?P<b2>[A-Za-z0-9_\-]{43})"
            r"|EAAA(?P<b3>[A-Za-z0-9_\-]{60})))" + _END
        ),
        3.5,
    ),
    _Rule(
        "ATLASSIAN_API_TOKEN",
        ("ATATT3", "ATCTT3"),
        _rx(_START + r"(?P<tok>AT[AC]TT3(?P<body>[A-Za-z0-9_\-=]{150,250}))" + _END),
        4.0,
    ),
    _Rule(
        "LINEAR_API_KEY",
        ("lin_api_", "lin_oauth_"),
        _rx(
            r"(?<![A-Za-z0-9_])(?P<tok>lin_(?:api_(?P<body>[A-Za-z0-9]{40})|oauth_(?P<b2>[a-f0-9]{64})))"
            r"(?![A-Za-z0-9_])"
        ),
        3.5,
    ),
    _Rule(
        "POSTMAN_API_KEY",
        ("PMAK-",),
        _rx(_START + r"(?P<tok>PMAK-(?P<body>[a-f0-9]{24}-[a-f0-9]{34}))" + _END),
        3.0,
    ),
    _Rule(
        "PULUMI_TOKEN",
        ("pul-",),
        _rx(_START + r"(?P<tok>pul-(?P<body>[a-f0-9]{40}))" + _END),
        3.0,
    ),
    _Rule(
        "GRAFANA_TOKEN",
        ("glc_", "glsa_", "eyJrIjoi"),
        _rx(
            r"(?<![A-Za-z0-9_\-])(?P<tok>(?:glc_(?P<body>[A-Za-z0-9+/]{32,400}={0,3})"
            r"|glsa_(?P<b2>[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})|eyJrIjoi(?P<b3>[A-Za-z0-9]{70,400}={0,3})))"
            r"(?![A-Za-z0-9_\-+/=])"
        ),
        3.5,
    ),
    _Rule(
        "NEW_RELIC_KEY",
        ("NRAK-", "NRII-", "NRJS-"),
        _rx(
            _START + r"(?P<tok>(?:NRAK-(?P<body>[A-Z0-9]{27})|NRII-(?P<b2>[A-Za-z0-9\-]{32})"
            r"|NRJS-(?P<b3>[a-f0-9]{19})))" + _END
        ),
        3.0,
    ),
    _Rule(
        "SENTRY_TOKEN",
        ("sntrys_", "sntryu_"),
        _rx(
            r"(?<![A-Za-z0-9_])(?P<tok>(?:sntrys_(?P<body>eyJ[A-Za-z0-9+/=_]{50,400})"
            r"|sntryu_(?P<b2>[a-f0-9]{64})))(?![A-Za-z0-9_+/=])"
        ),
        3.5,
    ),
    _Rule(
        "VAULT_TOKEN",
        ("hvs.", "hvb.", "hvr."),
        _rx(r"(?<![A-Za-z0-9_\-.])(?P<tok>hv[sbr]\.(?P<body>[A-Za-z0-9_\-]{24,300}))" + _END),
        3.5,
    ),
    _Rule(
        "AGE_SECRET_KEY",
        ("AGE-SECRET-KEY-1",),
        _rx(r"(?P<tok>AGE-SECRET-KEY-1(?P<body>[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}))"),
        3.0,
    ),
    _Rule(
        "PERPLEXITY_API_KEY",
        ("pplx-",),
        _rx(_START + r"(?P<tok>pplx-(?P<body>[A-Za-z0-9]{48}))" + _END),
        3.5,
    ),
    _Rule(
        "GROQ_API_KEY",
        ("gsk_",),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>gsk_(?P<body>[A-Za-z0-9]{52}))(?![A-Za-z0-9_])"),
        3.5,
    ),
    _Rule(
        "XAI_API_KEY",
        ("xai-",),
        _rx(_START + r"(?P<tok>xai-(?P<body>[A-Za-z0-9]{70,90}))" + _END),
        3.5,
    ),
    _Rule(
        "REPLICATE_API_TOKEN",
        ("r8_",),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>r8_(?P<body>[A-Za-z0-9]{37}))(?![A-Za-z0-9_])"),
        3.5,
    ),
    _Rule(
        "NOTION_TOKEN",
        ("ntn_", "secret_"),
        _rx(
            r"(?<![A-Za-z0-9_])(?P<tok>(?:ntn_(?P<body>[0-9]{11}[A-Za-z0-9]{35})"
            r"|secret_(?P<b2>[A-Za-z0-9]{43})))(?![A-Za-z0-9_])"
        ),
        3.5,
        _mixed,
    ),
    _Rule(
        "TERRAFORM_CLOUD_TOKEN",
        (".atlasv1.",),
        _rx(_START + r"(?P<tok>(?P<body>[A-Za-z0-9]{14})\.atlasv1\.[A-Za-z0-9_\-=]{60,70})" + _END),
        3.0,
    ),
    _Rule(
        "RUBYGEMS_API_KEY",
        ("rubygems_",),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>rubygems_(?P<body>[a-f0-9]{48}))(?![A-Za-z0-9_])"),
        3.0,
    ),
    _Rule(
        "DOCKER_HUB_TOKEN",
        ("dckr_pat_",),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>dckr_pat_(?P<body>[A-Za-z0-9_\-]{27,40}))" + _END),
        3.0,
    ),
    _Rule(
        "ONEPASSWORD_TOKEN",
        ("ops_eyJ",),
        _rx(
            r"(?<![A-Za-z0-9_])(?P<tok>ops_(?P<body>eyJ[A-Za-z0-9+/]{250,4000}={0,3}))"
            r"(?![A-Za-z0-9+/=])"
        ),
        4.0,
    ),
    _Rule(
        "ARTIFACTORY_TOKEN",
        ("AKCp", "cmVmd"),
        _rx(
            r"(?<![A-Za-z0-9])(?P<tok>(?:AKCp(?P<body>[A-Za-z0-9]{69})|cmVmd(?P<b2>[A-Za-z0-9]{59})))"
            r"(?![A-Za-z0-9])"
        ),
        4.0,
    ),
    _Rule(
        "PLANETSCALE_TOKEN",
        ("pscale_",),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>pscale_(?:tkn|pw|oauth)_(?P<body>[A-Za-z0-9_\-=.]{32,64}))" + _END),
        3.0,
    ),
    _Rule(
        "DYNATRACE_TOKEN",
        ("dt0c01.",),
        _rx(_START + r"(?P<tok>dt0c01\.(?P<body>[A-Z0-9]{24}\.[A-Z0-9]{64}))" + _END),
        3.5,
    ),
    _Rule(
        "SENDINBLUE_API_KEY",
        ("xkeysib-",),
        _rx(_START + r"(?P<tok>xkeysib-(?P<body>[a-f0-9]{64}-[A-Za-z0-9]{16}))" + _END),
        3.0,
    ),
    _Rule(
        "FLYIO_TOKEN",
        ("fo1_", "fm1a_", "fm1r_", "fm2_"),
        _rx(
            r"(?<![A-Za-z0-9_])(?P<tok>(?:fo1_(?P<body>[A-Za-z0-9_\-]{43})"
            r"|fm(?:1[ar]|2)_(?P<b2>[A-Za-z0-9+/]{100,4000}={0,3})))(?![A-Za-z0-9_\-+/=])"
        ),
        4.0,
    ),
    _Rule(
        "EASYPOST_API_KEY",
        ("EZAK", "EZTK"),
        _rx(r"(?<![A-Za-z0-9])(?P<tok>EZ[AT]K(?P<body>[A-Za-z0-9]{54}))(?![A-Za-z0-9])"),
        3.5,
    ),
    _Rule(
        "SHIPPO_API_TOKEN",
        ("shippo_",),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>shippo_(?:live|test)_(?P<body>[a-fA-F0-9]{40}))(?![A-Za-z0-9_])"),
        3.0,
    ),
    _Rule(
        "PREFECT_API_KEY",
        ("pnu_",),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>pnu_(?P<body>[A-Za-z0-9]{36}))(?![A-Za-z0-9_])"),
        3.5,
    ),
    _Rule(
        "LANGSMITH_API_KEY",
        ("lsv2_",),
        _rx(r"(?<![A-Za-z0-9_])(?P<tok>lsv2_(?:pt|sk)_(?P<body>[a-f0-9]{32}_[a-f0-9]{10}))(?![A-Za-z0-9_])"),
        3.0,
    ),
)


_BODY_GROUPS: Final = ("body", "legacy", "b2", "b3")


def _rule_matches(rule: _Rule, view: TextView) -> list[Candidate]:
    text, lower = view.text, view.lower
    if rule.anywhere and not any(w in lower for w in rule.anywhere):
        return []
    out: list[Candidate] = []
    regex, before = rule.pattern
    for m in regex.finditer(text):
        if before and m.start() > 0 and text[m.start() - 1] in before:
            continue
        body = ""
        for name in _BODY_GROUPS:
            if name in regex.groupindex:
                body = m.group(name) or ""
                if body:
                    break
        if is_placeholder(body):
            continue
        # Entropy only matters for bodies of few distinct characters; 24 or more never fall short.
        if (
            rule.min_entropy
            and len(set(body)) < 24
            and entropy(body) < rule.min_entropy * min(1.0, len(body) / 32)
        ):
            continue
        if rule.check is not None and not rule.check(body):
            continue
        start, end = m.span("tok")
        if rule.context is not None and not rule.context.search(_context(lower, start)):
            continue
        out.append((start, end, rule.kind, 1.0, "format"))
    return out


_TOKEN_RUN: Final = re.compile(r"[A-Za-z0-9_\-.+/=:~]{20,}")
# Where an alphanumeric segment starts: every token prefix keyword begins at one (the rules refuse
# a token glued to a letter or digit before it).
_SEGMENT_HEAD: Final = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{2}")
# Keywords found inside a token rather than at its start.
_INFIX_KEYWORDS: Final = frozenset({":AA", "-us", ".atlasv1.", "Q~", "AccountKey=", "hooks.slack.com"})


def token_detector(rules: tuple[_Rule, ...]) -> Detector:
    """Return a detector running the provider token *rules*.

    A rule runs only when one of its keywords occurs in the text. Every token is a run of 20 or
    more token characters, so keywords are looked for in those runs only: prefix keywords through
    the first two characters of each alphanumeric segment, infix ones by substring search.
    """
    by_head: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
    infix: dict[str, list[int]] = {}
    folded: dict[str, list[int]] = {}
    exact: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        for keyword in rule.keywords:
            if rule.lower:
                folded.setdefault(keyword, []).append(index)
            elif keyword in _INFIX_KEYWORDS:
                infix.setdefault(keyword, []).append(index)
            else:
                exact.setdefault(keyword, []).append(index)
    for keyword, indexes in exact.items():
        by_head.setdefault(keyword[:2], []).append((keyword, tuple(indexes)))
    infix_items = tuple((k, tuple(v)) for k, v in infix.items())
    folded_items = tuple((k, tuple(v)) for k, v in folded.items())

    def detect(view: TextView) -> list[Candidate]:
        text, lower = view.text, view.lower
        hit: set[int] = set()
        runs = " ".join(_TOKEN_RUN.findall(text))
        if runs:
            for head in set(_SEGMENT_HEAD.findall(runs)):
                bucket = by_head.get(head)
                if bucket is not None:
                    for keyword, indexes in bucket:
                        if keyword in runs:
                            hit.update(indexes)
            for keyword, found in infix_items:
                if keyword in runs:
                    hit.update(found)
        for keyword, found in folded_items:
            if keyword in lower:
                hit.update(found)
        if not hit:
            return []
        out: list[Candidate] = []
        for index in sorted(hit):
            out.extend(_rule_matches(rules[index], view))
        return out

    return detect


# -- private keys -----------------------------------------------------------------------------------

_PEM_BEGIN: Final = re.compile(r"-----BEGIN ((?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?)-----")
_B64_CHARS: Final = re.compile(r"[A-Za-z0-9+/=]")
_PEM_BODY_LINE: Final = re.compile(
    r"(?:\r?\n|\\n|\\r\\n)(?:[ \t\\]*(?:\r?\n)?)?[ \t]*(?:[A-Za-z0-9+/=]{16,}|[A-Za-z\-]+: [^\n]{1,80})"
)


def _private_keys(view: TextView) -> list[Candidate]:
    text = view.text
    if "-----BEGIN " not in text:
        return []
    out: list[Candidate] = []
    pos = 0
    while True:
        m = _PEM_BEGIN.search(text, pos)
        if m is None:
            break
        label = m.group(1)
        end_marker = f"-----END {label}-----"
        limit = m.start() + MAX_SECRET_SPAN
        end_at = text.find(end_marker, m.end(), limit)
        if end_at >= 0:
            body = text[m.end() : end_at]
            stop = end_at + len(end_marker)
            score, detail = 1.0, "pem"
        else:
            stop = m.end()
            while stop < limit:
                line = _PEM_BODY_LINE.match(text, stop)
                if line is None:
                    break
                stop = line.end()
            body = text[m.end() : stop]
            score, detail = 0.8, "pem-unterminated"
        b64 = "".join(_B64_CHARS.findall(body))
        if len(b64) >= 40 and not is_placeholder(b64[:64]) and entropy(b64) >= 4.0:
            out.append((m.start(), stop, "PRIVATE_KEY", score, detail))
        pos = max(stop, m.end())
    return out


# -- JWT ----------------------------------------------------------------------------------------------

_JWT: Final = re.compile(
    r"eyJ(?<![A-Za-z0-9_\-./+]eyJ)[A-Za-z0-9_\-]{10,4000}\.[A-Za-z0-9_\-]{2,8000}\.[A-Za-z0-9_\-]{0,2000}"
    r"(?![A-Za-z0-9_\-])"
)


def _jwts(view: TextView) -> list[Candidate]:
    text = view.text
    if "eyJ" not in text:
        return []
    return [
        (m.start(), m.end(), "JWT", 1.0, "jose-header") for m in _JWT.finditer(text) if jwt_valid(m.group())
    ]


# -- AWS secret access keys ---------------------------------------------------------------------------

_AWS_SECRET: Final = re.compile(
    r"[A-Za-z0-9/+](?<![A-Za-z0-9/+][A-Za-z0-9/+])[A-Za-z0-9/+]{39}(?![A-Za-z0-9/+=])"
)
_AWS_SECRET_CONTEXT: Final = re.compile(
    r"secret[\s_\-.]?access[\s_\-.]?key|secretaccesskey|aws.{0,24}secret|secret.{0,24}aws|"
    r"geheim\w*\s+(?:aws-)?zugriffsschl|secr[eè]te\s+(?:d'accès\s+)?aws|"
    r"シークレット(?:アクセス)?キー"
)
_AWS_SECRET_HINTS: Final = ("secret", "secr", "geheim", "シークレット")
_AWS_SECRET_WORD: Final = re.compile(r"secre?t|geheim|シークレット")
_AWS_NEARBY: Final = re.compile(r"aws|amazon|\bakia|\basia")
_AWS_PAIR: Final = re.compile(
    r"(?<![a-z0-9])(?:akia|asia)[a-z2-7]{16}[\"'`]?[ \t]{0,2}[,;:|\t][ \t]{0,2}[\"'`]?$"
)


def _aws_secrets(view: TextView) -> list[Candidate]:
    lower = view.lower
    text = view.text
    if not any(h in lower for h in _AWS_SECRET_HINTS) and "AKIA" not in text and "ASIA" not in text:
        return []
    out: list[Candidate] = []
    for m in _AWS_SECRET.finditer(text):
        value = m.group()
        if not _mixed(value) or is_placeholder(value) or entropy(value) < 3.8:
            continue
        start = m.start()
        line = _context(lower, start, 80)
        # Right after an access key id, it is the pair of a credentials CSV or a key listing.
        if (
            not _AWS_PAIR.search(line)
            and not _AWS_SECRET_CONTEXT.search(line)
            and not (
                # "secret_key = ..." in a block that names AWS or holds an access key id above
                _AWS_SECRET_WORD.search(line) and _AWS_NEARBY.search(lower, max(0, start - 300), start)
            )
        ):
            continue
        out.append((start, m.end(), "AWS_SECRET_KEY", 0.9, "context+entropy"))
    return out


# -- passwords ----------------------------------------------------------------------------------------

_PASSWORD: Final = re.compile(
    r"(?P<key>(?:pass|pw|pwd|mdp)(?![A-Za-z0-9_\-])|passw(?:or)?d|passphrase|passcode|passwort|kennwort|"
    r"wachtwoord|lösenord|passord|hasło|пароль|şifre|"
    r"mot de passe|"
    r"contrase(?:ñ|n)a|senha|parola d'ordine|パスワード|暗証番号|密码|비밀번호|identified[ \t]+by)"
    r"(?![A-Za-z0-9_\-])"
    r"(?P<kq>\\?[\"'`]|\])?"
    r"[ \t]{0,3}"
    r"(?P<sep>:=|=>|==|=|:|：|>|[ \t]+(?:is|ist|lautet|est|es|é|è|era|was)(?:[ \t]*[:：])?(?=[ \t])|は|[ \t])"
    r"[ \t]{0,3}"
    r"(?P<vq>\\?[\"'`])?",
    re.IGNORECASE,
)
# Where a password key can start (lower case); short keys must not follow a letter.
_PW_KEYWORDS: Final = (
    "pass",
    "pw",
    "mdp",
    "kennwort",
    "wachtwoord",
    "lösenord",
    "passord",
    "hasło",
    "пароль",
    "şifre",
    "mot de passe",
    "contrase",
    "senha",
    "parola d'ordine",
    "パスワード",
    "暗証番号",
    "密码",
    "비밀번호",
    "identified",  # SQL: CREATE USER … IDENTIFIED BY '…'
)


def _password_keys(lower: str) -> list[int]:
    found: set[int] = set()
    for keyword in _PW_KEYWORDS:
        pos = lower.find(keyword)
        while pos >= 0:
            found.add(pos)
            pos = lower.find(keyword, pos + 1)
    return sorted(found)


# The start of an XML element name ending where a password key starts (<password>, <db.password>).
_XML_OPEN: Final = re.compile(r"<[A-Za-z0-9_.:\-]*$")
_VALUE_BARE: Final = re.compile(r"[\x21\x23-\x26\x28-\x5b\x5d-\x5f\x61-\x7e]{1,200}")
_PW_STOP: Final = _words(
    "none null nil true false undefined empty required optional string str text hidden masked "
    "redacted secret password passwd pwd pass changeme changeit default example sample test invalid "
    "incorrect wrong expired reset forgot missing correct same here below above the a an and for of "
    "to is your my not set see must should will was has have been length policy manager field input "
    "value protected strong weak admin user username login token"
)
_PW_CODE_VALUE: Final = re.compile(
    r"^(?:[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:\(.*|\[.*)?"  # os.environ[...], cfg.password
    r"|[A-Za-z_$][\w$]*\((?:.*\))?"  # getpass(), env("X") (the value stops at the quote)
    r"|[A-Za-z_$][A-Za-z_$]{3,}\(.*"  # getattr(other, ...): a word, then a call
    r"|[A-Za-z_$][\w$]*\[.*"  # config["db"], ENV['PW'], Union[...]
    r"|\$\{.*|\$\(.*|\$[A-Za-z_]\w*|%[A-Za-z_]\w*%|\{\{.*|\{.*\}|<.*|\[.*\]|![A-Za-z]+)$"
)
# After a bare "password" followed by a space: an attribute or a call is markup or code, not a value.
_PW_NOT_AFTER_SPACE: Final = re.compile(r"^(?:[A-Za-z_][\w\-]*=|[A-Za-z_]\w*\()")
_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SNAKE: Final = re.compile(r"[a-z]+(?:_[a-z]+)+")
_NAMEY: Final = re.compile(r"pass|pwd|secret|token|credential|key")
_PASSPHRASE: Final = re.compile(r"[A-Za-z]+(?:[-_.][A-Za-z0-9]+){2,}")
_PW_PLACEHOLDER_CHARS: Final = frozenset("*xX•·.…-_#?")


def _no_password(value: str) -> bool:
    """Whether *value* says there is no password ("n/a", "-", "none")."""
    return value.lower() in ("n/a", "na", "-", "--", "none", "tbd", "tba")


def _password_value_ok(value: str, natural: bool, short_key: bool = False) -> bool:
    if len(value) < 3 or len(value) > 128:
        return False
    if "***" in value or "\u2022\u2022" in value or _no_password(value):
        return False  # masked (****1234) or "n/a"
    if set(value) <= _PW_PLACEHOLDER_CHARS:
        return False
    lowered = value.lower()
    if lowered in _PW_STOP or _PW_CODE_VALUE.match(value):
        return False
    if any(
        w in lowered
        for w in (
            "environ",
            "getenv",
            "process.env",
            "getpass",
            "your_",
            "your-",
            "<",
            ">",
            "xxxx",
            "****",
            "placeholder",
            "redacted",
        )
    ):
        return False
    has_digit = any(c.isdigit() for c in value)
    has_symbol = any(not c.isalnum() for c in value)
    if short_key and not (any(c.isalpha() for c in value) and (has_digit or has_symbol)) and len(value) < 8:
        return False  # "pass: 42", "pw 1234": counts and PINs, not passwords
    if natural:
        # Prose ("the password is wrong") needs a value that looks made, not a word.
        return (
            has_digit
            or (has_symbol and len(value) >= 6)
            or (any(c.isupper() for c in value[1:]) and len(value) >= 8)
        )
    if not has_digit and not has_symbol:
        return len(value) >= 6
    return True


def _quoted_value(text: str, start: int, quote: str) -> tuple[int, int] | None:
    """The span of a quoted value opening before *start* (the quote may be backslash-escaped)."""
    closing = quote[-1]
    escaped = len(quote) == 2
    end = text.find(("\\" if escaped else "") + closing, start, start + 200)
    if end <= start or text.find("\n", start, end) >= 0:
        return None
    return start, end


def _xml_value(text: str, m: re.Match[str], key_at: int) -> tuple[int, int] | None:
    """The span of the text of ``<password>…</password>`` whose key starts at *key_at*."""
    if m.group("kq") or m.group("vq") or not _XML_OPEN.search(text, max(0, key_at - 40), key_at):
        return None
    start = m.end()
    end = text.find("</", start, start + 200)
    if end < 0:
        return None
    raw = text[start:end]
    value = raw.strip()
    if not value or "\n" in value or "<" in value:
        return None
    start += len(raw) - len(raw.lstrip())
    return start, start + len(value)


def _passwords(view: TextView) -> list[Candidate]:
    lower = view.lower
    text = view.text
    size = len(text)
    out: list[Candidate] = []
    for pos in _password_keys(lower):
        m = _PASSWORD.match(text, pos)
        if m is None:
            continue
        key = m.group("key").lower()
        if key in ("pass", "pw", "pwd", "mdp") and pos > 0 and lower[pos - 1].isalpha():
            continue
        sep = m.group("sep")
        quote = m.group("vq")
        natural = sep.strip() not in (":=", "=>", "==", "=", ":", "：")
        bare_space = sep.isspace()
        if bare_space and (m.group("kq") or key == "pass" or (key.startswith("identified") and not quote)):
            # "pass" is a verb, a quoted key needs a real separator, and only the quoted SQL
            # literal after IDENTIFIED BY is a password ("identified by name" is prose).
            continue
        start = m.end()
        if sep == ">" or quote:
            span = _xml_value(text, m, pos) if sep == ">" else _quoted_value(text, start, quote)
            if span is None:
                continue
            start, end = span
            value = text[start:end]
            natural = False
        else:
            vm = _VALUE_BARE.match(text, start)
            if vm is None:
                continue
            value = vm.group()
            while value and value[-1] in ".,;:":
                value = value[:-1]
            if value.endswith(")") and value.count("(") < value.count(")"):
                value = value[:-1]
            if sep.isspace() and _PW_NOT_AFTER_SPACE.match(value):
                continue
            end = start + len(value)
            if (
                end < size
                and not text[end].isspace()
                and text[end] not in ".,;:)\"'`"
                and text[end].isascii()
            ):
                continue
        if not _password_value_ok(value, natural, key in ("pass", "pw", "pwd", "mdp")):
            continue
        if (
            not quote
            and sep.strip() in ("=", "==", ":=")
            and _IDENTIFIER.fullmatch(value)
            and (
                _SNAKE.fullmatch(value)
                or _NAMEY.search(value.lower())
                or (value.isalpha() and value.islower() and sep != sep.strip())
            )
        ):
            continue  # a variable: password = credentials, key_password=key_password
        # "pw willow60", "pw ocean-maple-hunter": a bare key and value need a digit or the shape
        # of a passphrase to be told from prose.
        if (
            bare_space
            and not quote
            and not any(c.isdigit() for c in value)
            and not _PASSPHRASE.fullmatch(value)
        ):
            continue
        out.append((start, end, "GENERIC_PASSWORD", 0.9 if natural else 1.0, "assignment"))
    return out


# -- database connection strings ----------------------------------------------------------------------

_DSN_SCHEMES: Final = _words(
    "postgres postgresql mysql mariadb mongodb mongodb+srv redis rediss amqp amqps mssql sqlserver "
    "oracle cockroachdb clickhouse couchdb couchbase neo4j neo4j+s bolt cassandra memcached db2 "
    "snowflake timescaledb influxdb elasticsearch mqtt nats kafka"
)
_DSN_SCHEME_BEFORE: Final = re.compile(r"(?<![A-Za-z0-9+.\-])((?:jdbc:)?([A-Za-z][A-Za-z0-9+.\-]{1,40}))$")
_DSN_REST: Final = re.compile(r"[^\s\"'`<>]{3,1024}")
_DSN_USERINFO: Final = re.compile(r"^[a-z0-9+:.\-]*//(?P<user>[^\s:@/]*):(?P<pw>[^\s@/]+)@[^\s@]")
_DSN_QUERY_PW: Final = re.compile(r"[?&;](?:password|pwd|pass)=(?P<pw>[^&;\s]+)", re.IGNORECASE)
# Key/value connection strings (ADO.NET, ODBC, OLE DB): ``Server=…;User ID=…;Password=…;``.
# A key is one word, or a few capitalized words ("Initial Catalog"), never a phrase of prose.
_ADO_KEY: Final = r"[A-Z][A-Za-z0-9_]{0,30}(?: [A-Z][A-Za-z0-9_]{0,30}){1,3}|[A-Za-z][A-Za-z0-9_]{0,30}"
_ADO_PW: Final = re.compile(r"(?<![A-Za-z0-9])(?:password|pwd)\s*=", re.IGNORECASE)
_ADO_PAIR: Final = re.compile(
    r"[ \t]*(?P<key>" + _ADO_KEY + r")[ \t]*=[ \t]*(?P<value>\{[^}\n]{0,256}\}|[^;\"'\n]{0,256})"
    r"(?P<semi>;?)"
)
_ADO_HOST_KEYS: Final = frozenset(
    {
        "server",
        "data source",
        "host",
        "address",
        "addr",
        "network address",
        "dsn",
        "hostname",
        "database",
        "initial catalog",
        "driver",
        "provider",
        "uid",
        "user id",
        "userid",
        "user",
        "username",
        "port",
        "dbname",
    }
)
_ADO_PW_KEYS: Final = frozenset({"password", "pwd"})


def _ado_pairs(text: str, start: int, stop: int) -> list[tuple[int, int, str, str]]:
    """Parse ``key=value;`` pairs from *start*, stopping at *stop* or at anything else."""
    pairs: list[tuple[int, int, str, str]] = []
    pos = start
    while pos < stop:
        m = _ADO_PAIR.match(text, pos, stop)
        if m is None or m.end() == pos:
            break
        value = m.group("value")
        end = m.end()
        if not m.group("semi"):
            # An unterminated last pair ends at the first space: what follows is prose.
            value = value.strip().split(" ", 1)[0] if value.strip() else ""
            end = m.start("value") + (len(m.group("value")) - len(m.group("value").lstrip())) + len(value)
        pairs.append((m.start("key"), end, m.group("key").strip().lower(), value.strip()))
        if not m.group("semi"):
            break
        pos = m.end()
    return pairs


# The last key=value pair of a segment ending in ";", after any label or quote before it.
_ADO_TAIL: Final = re.compile(
    r"(?:^|(?<=[\s\"'`:=(,]))(?:" + _ADO_KEY + r")[ \t]*=[ \t]*(?:\{[^}\n]*\}|[^;\"'\n=]*);$"
)
_SEMICOLON: Final = re.compile(";")


def _ado_strings(text: str) -> list[Candidate]:
    out: list[Candidate] = []
    taken = -1
    for m in _ADO_PW.finditer(text):
        if m.start() < taken:
            continue
        # Bounded windows: a connection string is at most a few hundred characters long.
        floor = max(0, m.start() - 1024)
        line_start = text.rfind("\n", floor, m.start()) + 1 or floor
        ceiling = min(len(text), m.start() + 2048)
        line_end = text.find("\n", m.start(), ceiling)
        line_end = ceiling if line_end < 0 else line_end
        # Segment starts on this line before the password key; walk back over whole pairs.
        bounds = [line_start] + [x.end() for x in _SEMICOLON.finditer(text, line_start, m.start())]
        start = m.start()
        for k in range(len(bounds) - 1, 0, -1):
            pair = _ADO_TAIL.search(text[bounds[k - 1] : bounds[k]])
            if pair is None:
                break
            start = bounds[k - 1] + pair.start()
            if pair.start() > 0:
                break  # a label or quote came before this pair: the string starts here
        pairs = _ado_pairs(text, start, line_end)
        if len(pairs) < 2:
            continue
        keys = {p[2] for p in pairs}
        pw = next((p[3] for p in pairs if p[2] in _ADO_PW_KEYS), "")
        if not keys & _ADO_HOST_KEYS or not _dsn_password_ok(pw):
            continue
        start = pairs[0][0]
        end = pairs[-1][1]
        while end > start and text[end - 1] in " \t":
            end -= 1
        out.append((start, end, "DB_CONNECTION_STRING", 1.0, "key-value+credentials"))
        taken = end
    return out


def _dsn_password_ok(pw: str) -> bool:
    if not pw or set(pw) <= _PW_PLACEHOLDER_CHARS:
        return False
    lowered = pw.lower()
    if lowered in ("password", "pass", "pwd", "secret", "changeme", "xxx"):
        return False
    return not (pw.startswith(("$", "<", "{", "%", "[")) or "your" in lowered or "xxxx" in lowered)


def _db_strings(view: TextView) -> list[Candidate]:
    text, lower = view.text, view.lower
    out: list[Candidate] = []
    pos = text.find("://")
    while pos > 0:
        scheme = _DSN_SCHEME_BEFORE.search(text, max(0, pos - 48), pos)
        rest = _DSN_REST.match(text, pos + 3)
        next_pos = text.find("://", pos + 3)
        if scheme is None or rest is None:
            pos = next_pos
            continue
        name = scheme.group(2).lower()
        base = name.partition("+")[0]
        if name not in _DSN_SCHEMES and base not in _DSN_SCHEMES:
            pos = next_pos
            continue
        start = scheme.start()
        value = text[start : rest.end()]
        while value and value[-1] in ".,;:!?)]}*":
            if value[-1] in ")]}" and value.count("([{"[")]}".index(value[-1])]) >= value.count(value[-1]):
                break
            value = value[:-1]
        user = _DSN_USERINFO.match(value.lower())
        if user is not None:
            pw = value[user.start("pw") : user.end("pw")]
        else:
            q = _DSN_QUERY_PW.search(value)
            pw = q.group("pw") if q is not None else ""
        if _dsn_password_ok(pw):
            out.append((start, start + len(value), "DB_CONNECTION_STRING", 1.0, "uri+credentials"))
        pos = next_pos
    if "=" in text and ("password" in lower or "pwd" in lower):
        out.extend(_ado_strings(text))
    return out


DETECTORS: Final[dict[str, Detector]] = {
    "PRIVATE_KEY": _private_keys,
    "JWT": _jwts,
    "AWS_SECRET_KEY": _aws_secrets,
    "GENERIC_PASSWORD": _passwords,
    "DB_CONNECTION_STRING": _db_strings,
}

#: Every kind the secret detectors can report.
SECRET_KINDS: Final = frozenset(
    {r.kind for r in TOKEN_RULES}
    | {"PRIVATE_KEY", "JWT", "AWS_SECRET_KEY", "GENERIC_PASSWORD", "DB_CONNECTION_STRING"}
)
