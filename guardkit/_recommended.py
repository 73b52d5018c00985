"""The built-in policy for a chat application: what ``Policy.recommended()`` returns."""

from __future__ import annotations

from guardkit._policy import Policy

__all__ = ["recommended_policy"]


def recommended_policy() -> Policy:
    """Build the recommended policy.

    User input: prompt injection, jailbreaks and system-prompt extraction, chat-template control tokens
    and spoofed role headers, and tag-character or variation-selector smuggling are blocked; other
    invisible characters are stripped; credentials are redacted; inputs over 200,000 characters are
    refused. Tool results and retrieved documents get the same checks (use
    ``PromptInjection(source="document")`` in a policy of your own for the stricter profile).
    Output: credentials are redacted, images that would load from any host (the Markdown
    exfiltration channel) are removed, and invisible characters are stripped.

    Ordinary text, including role-play requests, security discussions and non-English text, passes
    untouched; personal data is left alone (add ``PII()`` for that).
    """
    from guardkit.validators._basic import MaxChars
    from guardkit.validators._injection import PromptInjection
    from guardkit.validators._links import Links
    from guardkit.validators._secrets import Secrets
    from guardkit.validators._special_tokens import SpecialTokens
    from guardkit.validators._unicode import InvisibleChars

    def shared() -> list[object]:
        return [
            InvisibleChars(kinds=("tag", "variation_selector"), action="block", name="smuggling"),
            InvisibleChars(kinds=("zero_width", "bidi"), action="redact"),
            MaxChars(200_000, action="block", name="input_size"),
            SpecialTokens(action="block"),
            Secrets(action="redact"),
        ]

    return Policy(
        input=[*shared(), PromptInjection()],  # type: ignore[list-item]
        # The stricter document profile flags about one clean retrieved document in six on the
        # development corpus, so tool content gets the default profile here; opt in where tool
        # results are untrusted web content.
        tool=[*shared(), PromptInjection()],  # type: ignore[list-item]
        output=[InvisibleChars(action="redact"), Secrets(action="redact"), Links()],
        name="recommended",
    )
