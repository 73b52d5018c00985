"""Sessions: guarded(), the vault, pseudonymization and restore, streaming restore."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

import guardkit as gk

EMAIL = gk.DenyPatterns(r"[\w.+-]+@[\w-]+\.[\w.]+", kind="EMAIL", action="pseudonymize", name="email")
DENY = gk.DenySubstrings(["internal-only"])


def test_session_input_and_output() -> None:
    """g.input returns sanitized text and g.output checks the reply."""
    policy = gk.Policy(input=[EMAIL], output=[DENY])
    with gk.guarded(policy) as g:
        text = g.input("write to ana@example.org and bo@example.net")
        assert text == "write to <EMAIL_1> and <EMAIL_2>"
        assert g.output("I wrote to <EMAIL_2>.") == "I wrote to bo@example.net."
        with pytest.raises(gk.OutputBlocked):
            g.output("internal-only")


def test_same_value_same_placeholder_across_calls() -> None:
    """A value keeps its placeholder for the whole session."""
    with gk.guarded(gk.Policy(input=[EMAIL])) as g:
        assert g.input("a@b.io") == "<EMAIL_1>"
        assert g.input("c@d.io then a@b.io") == "<EMAIL_2> then <EMAIL_1>"
        assert len(g.vault) == 2


def test_async_session() -> None:
    """async with works on the same object, with ainput/aoutput."""

    async def run() -> tuple[str, str]:
        async with gk.guarded(gk.Policy(input=[EMAIL])) as g:
            text = await g.ainput("mail a@b.io")
            return text, await g.aoutput("sent to <EMAIL_1>")

    assert asyncio.run(run()) == ("mail <EMAIL_1>", "sent to a@b.io")


def test_decorated_calls_share_the_open_session() -> None:
    """Guarded functions called inside `with guarded()` use its vault: the model sees placeholders and
    the caller gets originals back."""
    policy = gk.Policy(input=[EMAIL])
    seen: list[str] = []

    @gk.guard(policy)
    def ask(prompt: str) -> str:
        seen.append(prompt)
        return f"reply to {prompt.rsplit(maxsplit=1)[-1]}"

    with gk.guarded(policy) as g:
        assert ask("contact a@b.io") == "reply to a@b.io"
        assert ask("again a@b.io") == "reply to a@b.io"
        assert g.vault.original("<EMAIL_1>") == "a@b.io"
    assert seen == ["contact <EMAIL_1>", "again <EMAIL_1>"]


def test_guard_without_session_restores_within_the_call() -> None:
    """Without a session, a call's own placeholders are restored in its reply."""

    @gk.guard(gk.Policy(input=[EMAIL]))
    def ask(prompt: str) -> str:
        return prompt.upper().replace("<EMAIL_1>", "<EMAIL_1>")

    assert ask("hi a@b.io") == "HI a@b.io"


def test_streaming_restore_handles_split_placeholders() -> None:
    """A placeholder split across chunks is still restored."""
    policy = gk.Policy(input=[EMAIL])

    @gk.guard(policy)
    def stream(prompt: str) -> Iterator[str]:
        yield from ["Sent to <EM", "AIL_", "1", "> and <", "EMAIL_1>", " done"]

    with gk.guarded(policy):
        out = "".join(stream("mail a@b.io"))
    assert out == "Sent to a@b.io and a@b.io done"


def test_session_check_does_not_raise() -> None:
    """check_input returns a verdict even when it blocks."""
    with gk.guarded(gk.Policy(input=[DENY])) as g:
        verdict = g.check_input("internal-only")
    assert verdict.blocked


def test_session_stream_object() -> None:
    """g.stream() checks a reply fed chunk by chunk."""
    policy = gk.Policy(output=[gk.DenySubstrings(["secret"], action="redact")])
    with gk.guarded(policy) as g:
        stream = g.stream()
        out = "".join(stream.feed(c) for c in ["a sec", "ret b ", "c " * 40]) + stream.finish()
    assert out == "a [DENIED_SUBSTRING] b " + "c " * 40
    with pytest.raises(RuntimeError):
        stream.feed("more")


def test_session_context_reaches_events() -> None:
    """The audit context of the session is attached to every event."""
    events: list[gk.Event] = []
    policy = gk.Policy(input=[DENY], events=events.append)
    with gk.guarded(policy, context={"user": "u-1"}) as g, pytest.raises(gk.InputBlocked):
        g.input("internal-only")
    assert events[0].context == {"user": "u-1"}


def test_vault_repr_never_shows_values() -> None:
    """Neither the vault nor the session repr contains a pseudonymized value."""
    with gk.guarded(gk.Policy(input=[EMAIL])) as g:
        g.input("a@b.io")
        assert "a@b.io" not in repr(g.vault)
        assert "a@b.io" not in repr(g)


def test_vault_restore_leaves_foreign_placeholders() -> None:
    """Placeholders the vault did not issue stay as they are."""
    vault = gk.Vault()
    token = vault.placeholder("EMAIL", "a@b.io")
    assert vault.restore(f"{token} <EMAIL_9> <PHONE_1>") == "a@b.io <EMAIL_9> <PHONE_1>"


def test_guarded_needs_a_policy() -> None:
    """guarded() with something else is a ConfigError."""
    with pytest.raises(gk.ConfigError):
        gk.guarded(object())  # type: ignore[arg-type]


def test_pseudonymize_without_session_keeps_values_apart() -> None:
    """Outside a session, one check_input call still gives different values different placeholders."""
    verdict = gk.Policy(input=[EMAIL]).check_input("a@b.io, c@d.io, a@b.io")
    assert verdict.text == "<EMAIL_1>, <EMAIL_2>, <EMAIL_1>"
