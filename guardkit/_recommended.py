"""The built-in policy for a chat application: what ``Policy.recommended()`` returns."""

from __future__ import annotations

from guardkit._policy import Policy
from guardkit.validators._basic import MaxChars
from guardkit.validators._special_tokens import SpecialTokens
from guardkit.validators._unicode import InvisibleChars

__all__ = ["recommended_policy"]


def recommended_policy() -> Policy:
    """Build the recommended policy.

    Input and tool content: tag-character and variation-selector smuggling and chat-template control
    tokens or spoofed role headers are blocked, other invisible characters are stripped, and inputs
    over 200,000 characters are refused. Output: invisible characters
    are stripped. Ordinary text passes untouched.
    """
    smuggling = InvisibleChars(
        kinds=("tag", "variation_selector"), action="block", name="smuggling"
    )
    invisible = InvisibleChars(kinds=("zero_width", "bidi"), action="redact")
    size = MaxChars(200_000, action="block", name="input_size")
    tokens = SpecialTokens(action="block")
    return Policy(
        input=[smuggling, invisible, size, tokens],
        output=[InvisibleChars(action="redact")],
        name="recommended",
    )
