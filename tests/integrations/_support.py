"""Shared helpers of the SDK integration tests: the policy, its marker phrases, and assertions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any, TypeVar

import guardkit as gk

T = TypeVar("T")

#: Text the output policy redacts, and the input policy redacts (an SSN-shaped number).
CODENAME = "Project Falcon"
SSN = "078-05-1120"
#: Text that blocks input and output.
FORBIDDEN = "launch code"
#: What is left of the redacted spans, and phrases that must never reach the caller.
NEVER = ("falcon", SSN, FORBIDDEN)


def make_policy() -> gk.Policy:
    """Input: block the forbidden phrase, redact SSNs. Output: also redact the codename."""
    ssn = r"\b\d{3}-\d{2}-\d{4}\b"
    return gk.Policy(
        input=[
            gk.DenySubstrings([FORBIDDEN], name="forbidden"),
            gk.DenyPatterns(ssn, kind="SSN", action="redact", name="ssn"),
        ],
        output=[
            gk.DenySubstrings([FORBIDDEN], name="forbidden"),
            gk.DenySubstrings(["project falcon"], kind="CODENAME", action="redact", name="codename"),
            gk.DenyPatterns(ssn, kind="SSN", action="redact", name="ssn"),
        ],
    )


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run *coro* on a fresh event loop (no pytest-asyncio needed)."""
    return asyncio.run(coro)


def dumped(value: Any) -> str:
    """Everything an SDK object (or a list of them) carries, as lower-case JSON."""
    if isinstance(value, list):
        return "\n".join(dumped(v) for v in value)
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json")
    return json.dumps(value, default=str).lower()


def assert_clean(value: Any) -> None:
    """Nothing the policy removed is anywhere in *value* (every field, not only the text)."""
    text = dumped(value)
    for phrase in NEVER:
        assert phrase.lower() not in text, phrase
