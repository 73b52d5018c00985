"""Usage examples that must type-check under mypy --strict (they are not run as tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import guardkit as gk

policy = gk.Policy(
    input=[gk.InvisibleChars(), gk.MaxChars(4000), gk.DenyPatterns(r"(?i)\bdrop\s+table\b")],
    output=[gk.DenySubstrings(["internal-only"], action="block")],
)


@gk.guard(policy)
def ask(prompt: str) -> str:
    return prompt


@gk.guard(policy, on_block="Sorry.")
async def aask(prompt: str) -> str:
    return prompt


@gk.guard(policy)
def stream(prompt: str) -> Iterator[str]:
    yield prompt


@gk.guard(policy)
async def astream(prompt: str) -> AsyncIterator[str]:
    yield prompt


def use() -> None:
    reply: str = ask("hello")
    chunks: list[str] = list(stream("hello"))
    verdict: gk.Verdict = policy.check_input("hello")
    blocked: bool = verdict.blocked
    findings: tuple[gk.Finding, ...] = verdict.findings
    with gk.guarded(policy, context={"user": "u-1"}) as g:
        text: str = g.input("hello")
        reply = g.output(text)
    del reply, chunks, blocked, findings


@gk.validator(name="no_digits", kind="DIGITS")
def no_digits(text: str) -> bool:
    return any(c.isdigit() for c in text)


custom = gk.Policy(input=[no_digits, gk.sanitizer(str.strip)])
