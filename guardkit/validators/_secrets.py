"""The ``Secrets`` validator: credentials found by provider format, structure, entropy and context.

Covers cloud and SaaS token formats (AWS, GitHub, GitLab, OpenAI, Anthropic, Slack, Stripe, Google
and some fifty more), PEM private keys, JWTs, password assignments and database connection strings
with credentials. Placeholders (``sk-XXXX``, ``YOUR_API_KEY``, ``${VAR}``, AWS's documented example
keys) are not flagged. Findings carry kinds, spans and scores, never the secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from guardkit._types import Finding
from guardkit.validators._pii import _SpanCheck
from guardkit.validators._pii_engine import secret_kinds

__all__ = ["Secrets"]

#: Longest span a secret detector reports (a PEM block), plus the context read before a value.
SECRETS_WINDOW: Final = 8192 + 96


class Secrets(_SpanCheck):
    """Flag credentials: API tokens, private keys, JWTs, passwords and DSNs with passwords.

    Kinds include ``AWS_ACCESS_KEY``, ``AWS_SECRET_KEY``, ``GITHUB_TOKEN``, ``OPENAI_API_KEY``,
    ``ANTHROPIC_API_KEY``, ``SLACK_TOKEN``, ``STRIPE_KEY``, ``GOOGLE_API_KEY``, ``JWT``,
    ``PRIVATE_KEY``, ``GENERIC_PASSWORD`` and ``DB_CONNECTION_STRING``, plus the provider formats
    listed in :attr:`KINDS`. A password inside a connection string is reported as the connection
    string. The default action is ``"block"``: a credential sent to a model provider or shown in
    an answer has leaked, and redacting it silently would hide that from the caller.

    Args:
        kinds: Kinds to report (case-insensitive); all of them by default.
        action: ``"block"`` (default), ``"redact"``, ``"mask"``, ``"warn"``, ``"pseudonymize"``,
            or a redactor such as :class:`guardkit.Hash`.
        name: Check name; findings use rules ``"{name}.{kind}"`` such as
            ``"secrets.aws_access_key"``.
        redact_with: Replacement template for ``"redact"``; ``{kind}`` is filled in.
        min_score: Drop findings scored below this (context-dependent ones score 0.8-0.9).

    Raises:
        ConfigError: A kind is unknown, or an argument is invalid.

    Example:
        >>> [f.rule for f in Secrets().check("token=ghp_4mhrUfZR0mEK0TWhsF1227gEFnpdWgdc7uYf")]
        ['secrets.github_token']

    .. versionadded:: 0.1
    """

    __slots__ = ()

    _owner = "Secrets"
    _window = SECRETS_WINDOW

    def __init__(
        self,
        kinds: Iterable[str] | None = None,
        *,
        action: object = "block",
        name: str = "secrets",
        redact_with: str = "[{kind}]",
        min_score: float = 0.0,
    ) -> None:
        super().__init__(secret_kinds(), kinds, action, name, redact_with, min_score)

    @property
    def KINDS(self) -> frozenset[str]:  # noqa: N802 - mirrors PII.KINDS, a constant in spirit
        """Every kind this validator can report."""
        return secret_kinds()

    def check(self, text: str, /) -> Sequence[Finding]:
        """Return the credentials in *text* as findings sorted by start, ``()`` when clean."""
        return super().check(text)

    def __repr__(self) -> str:
        return self._repr(secret_kinds())
