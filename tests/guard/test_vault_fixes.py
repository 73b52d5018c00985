"""The vault: placeholders never collide with placeholder-shaped text, and every kind survives export/load."""

from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import guardkit as gk
from guardkit._errors import VaultError
from guardkit._session import Vault
from guardkit._vault_crypto import encrypt_blob, generate_vault_key

KEY = generate_vault_key()
FORMAT = "guardkit.vault.v1"
EMAIL = gk.DenyPatterns(
    r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,4}", kind="EMAIL", action="pseudonymize", name="email"
)


# -- placeholder-shaped text in the conversation ---------------------------------------------------


def test_literal_placeholder_in_input_is_not_reused() -> None:
    """Text shaped like a placeholder keeps its meaning: the vault numbers around it."""
    policy = gk.Policy(input=[gk.PII(action="pseudonymize")])
    with gk.guarded(policy) as g:
        prompt = g.input("Fill the template field <EMAIL_1> with my address jane.doe@example.org")
        assert prompt == "Fill the template field <EMAIL_1> with my address <EMAIL_2>"
        assert g.output(prompt) == ("Fill the template field <EMAIL_1> with my address jane.doe@example.org")


def test_placeholders_seen_in_earlier_texts_are_not_reused() -> None:
    """A placeholder-shaped token in an earlier input of the session is never issued later."""
    with gk.guarded(gk.Policy(input=[EMAIL])) as g:
        assert g.input("The form has fields <EMAIL_1> and <EMAIL_3>.") == (
            "The form has fields <EMAIL_1> and <EMAIL_3>."
        )
        assert g.input("a@b.io, c@d.io, e@f.io") == "<EMAIL_2>, <EMAIL_4>, <EMAIL_5>"
        assert g.output("<EMAIL_1> <EMAIL_2> <EMAIL_3> <EMAIL_4>") == "<EMAIL_1> a@b.io <EMAIL_3> c@d.io"


def test_check_input_and_async_methods_observe_too() -> None:
    """check_input and ainput see the text before pseudonymizing it."""
    with gk.guarded(gk.Policy(input=[EMAIL])) as g:
        assert g.check_input("<EMAIL_1> a@b.io").text == "<EMAIL_1> <EMAIL_2>"

    async def run() -> tuple[str, str]:
        async with gk.guarded(gk.Policy(input=[EMAIL])) as g:
            text = await g.ainput("<EMAIL_1> a@b.io")
            return text, await g.aoutput(text)

    assert asyncio.run(run()) == ("<EMAIL_1> <EMAIL_2>", "<EMAIL_1> a@b.io")


def test_message_lists_are_observed_in_every_role() -> None:
    """Placeholder-shaped text in system, assistant and tool messages is avoided as well."""
    messages = [
        {"role": "system", "content": "Reply using the field <EMAIL_1>."},
        {"role": "assistant", "content": [{"type": "text", "text": "Noted <EMAIL_2>."}]},
        {"role": "tool", "content": "record <EMAIL_3>"},
        {"role": "user", "content": "My address is a@b.io"},
    ]
    with gk.guarded(gk.Policy(input=[EMAIL])) as g:
        checked = g.input(messages)
        assert checked[-1]["content"] == "My address is <EMAIL_4>"
        assert g.output("<EMAIL_1> <EMAIL_4>") == "<EMAIL_1> a@b.io"


def test_placeholders_hidden_by_invisible_or_wide_characters_are_observed() -> None:
    """A sanitizer that strips invisible characters or folds full-width forms cannot create a clash."""
    policy = gk.Policy(input=[gk.InvisibleChars(), EMAIL])
    with gk.guarded(policy) as g:
        prompt = g.input("<EMAIL\u200b_1> a@b.io")
        assert prompt == "<EMAIL_1> <EMAIL_2>"
        assert g.output(prompt) == "<EMAIL_1> a@b.io"
    policy = gk.Policy(input=[gk.NormalizeUnicode(), EMAIL])
    with gk.guarded(policy) as g:
        prompt = g.input("\uff1cEMAIL_1\uff1e a@b.io")
        assert prompt == "<EMAIL_1> <EMAIL_2>"
        assert g.output(prompt) == "<EMAIL_1> a@b.io"


def test_restore_notes_placeholders_the_model_wrote() -> None:
    """A placeholder the model wrote on its own is left as it is and never issued afterwards."""
    vault = Vault()
    first = vault.placeholder("EMAIL", "a@b.io")
    assert vault.restore(f"{first} and <EMAIL_2>") == "a@b.io and <EMAIL_2>"
    assert vault.placeholder("EMAIL", "c@d.io") == "<EMAIL_3>"


def test_observe_directly() -> None:
    """observe() reserves tokens of any kind; issued ones are unaffected; non-str is a TypeError."""
    vault = Vault()
    vault.observe("see <PHONE_1>, <PHONE_2> and <EMAIL_1>")
    assert vault.placeholder("PHONE", "+1 555 0100") == "<PHONE_3>"
    assert vault.placeholder("EMAIL", "a@b.io") == "<EMAIL_2>"
    vault.observe("<PHONE_3>")
    assert vault.placeholder("PHONE", "+1 555 0100") == "<PHONE_3>"
    with pytest.raises(TypeError):
        vault.observe(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        vault.placeholder(1, "x")  # type: ignore[arg-type]


def test_many_observed_placeholders_stay_linear() -> None:
    """Skipping a long run of observed numbers is a single pass, not a search per allocation."""
    vault = Vault()
    vault.observe(" ".join(f"<EMAIL_{n}>" for n in range(1, 20_001)))
    tokens = [vault.placeholder("EMAIL", f"user{n}@example.org") for n in range(2_000)]
    assert tokens[0] == "<EMAIL_20001>"
    assert tokens[-1] == "<EMAIL_22000>"


def test_seen_placeholders_survive_export_and_load() -> None:
    """A loaded vault keeps avoiding the placeholder-shaped text the exported one had seen."""
    pytest.importorskip("cryptography")
    vault = Vault()
    vault.observe("<EMAIL_1>")
    token = vault.placeholder("EMAIL", "a@b.io")
    assert token == "<EMAIL_2>"
    loaded = Vault.load(vault.export(key=KEY, key_id="k1"), keys={"k1": KEY})
    assert loaded.placeholder("EMAIL", "c@d.io") == "<EMAIL_3>"
    assert loaded.restore("<EMAIL_1> <EMAIL_2>") == "<EMAIL_1> a@b.io"


# -- export and load for every kind -------------------------------------------------------------------


def test_custom_kind_round_trip() -> None:
    """A kind that is not upper-case (as DenyPatterns allows) exports and loads back."""
    pytest.importorskip("cryptography")
    policy = gk.Policy(
        input=[gk.DenyPatterns(r"ACC-\d{6}", kind="account-id", action="pseudonymize", name="acct")]
    )
    with gk.guarded(policy) as g:
        assert g.input("pay ACC-123456") == "pay <ACCOUNT_ID_1>"
        blob = g.vault.export(key=KEY, key_id="k1")
    vault = Vault.load(blob, keys={"k1": KEY})
    assert vault.restore("paid <ACCOUNT_ID_1>") == "paid ACC-123456"
    with gk.guarded(policy, vault=vault) as g:
        assert g.input("pay ACC-123456 and ACC-654321") == "pay <ACCOUNT_ID_1> and <ACCOUNT_ID_2>"


def test_kinds_sharing_a_placeholder_label_keep_apart_after_load() -> None:
    """Two kinds written alike in placeholders share one numbering, before and after a round trip."""
    pytest.importorskip("cryptography")
    vault = Vault()
    assert vault.placeholder("account-id", "x") == "<ACCOUNT_ID_1>"
    assert vault.placeholder("ACCOUNT_ID", "y") == "<ACCOUNT_ID_2>"
    loaded = Vault.load(vault.export(key=KEY, key_id="k1"), keys={"k1": KEY})
    assert loaded.placeholder("account id", "z") == "<ACCOUNT_ID_3>"
    assert loaded.placeholder("account-id", "x") == "<ACCOUNT_ID_1>"


_KINDS = st.one_of(
    st.text(max_size=60),
    st.from_regex(r"[A-Z][A-Z0-9_]{0,45}", fullmatch=True),
    st.sampled_from(["EMAIL", "account-id", "", "1st", "_x", "ß", "ﬁle", "A_1", "a" * 80, "Ünïcode"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_KINDS, st.text(max_size=20)), min_size=1, max_size=8))
@example([("account-id", "ACC-123456")])
@example([("", "v"), ("VALUE", "w"), ("value", "x")])
def test_export_load_round_trip_for_any_kind(pairs: list[tuple[str, str]]) -> None:
    """Whatever kinds a check produces, a vault exports, loads, restores and keeps numbering apart."""
    pytest.importorskip("cryptography")
    vault = Vault()
    tokens = {pair: vault.placeholder(*pair) for pair in pairs}
    loaded = Vault.load(vault.export(key=KEY, key_id="k1"), keys={"k1": KEY})
    assert len(loaded) == len(vault)
    for (kind, value), token in tokens.items():
        assert loaded.original(token) == value
        assert loaded.placeholder(kind, value) == token
        assert loaded.restore(f"[{token}]") == f"[{value}]"
    fresh = {loaded.placeholder(kind, "\x00new" + value) for kind, value in tokens}
    assert fresh.isdisjoint(tokens.values())


def _blob(payload: object) -> bytes:
    return encrypt_blob(json.dumps(payload).encode(), KEY, "k1")


@pytest.mark.parametrize(
    "payload",
    [
        {"format": "guardkit.vault.v1", "entries": [["account-id", "x", "<ACCOUNT_1>"]]},
        {"format": FORMAT, "entries": [["EMAIL", "x", "<EMAIL_1>"], ["EMAIL", "y", "<EMAIL_1>"]]},
        {"format": FORMAT, "entries": [["EMAIL", "x", "<EMAIL_1>"], ["EMAIL", "x", "<EMAIL_2>"]]},
        {"format": "guardkit.vault.v1", "entries": ["abc"]},
        {"format": "guardkit.vault.v1", "entries": {"EMAIL": 1}},
        {"format": "guardkit.vault.v1", "entries": [], "seen": ["<email_1>"]},
        {"format": "guardkit.vault.v1", "entries": [], "seen": "<EMAIL_1>"},
        {"format": "guardkit.vault.v1"},
    ],
)
def test_load_rejects_inconsistent_payloads(payload: object) -> None:
    """A payload whose entries do not fit together is a VaultError, never a half-loaded vault."""
    pytest.importorskip("cryptography")
    with pytest.raises(VaultError):
        Vault.load(_blob(payload), keys={"k1": KEY})


def test_load_accepts_a_payload_without_seen_placeholders() -> None:
    """Blobs written before the vault recorded seen placeholders still load."""
    pytest.importorskip("cryptography")
    blob = _blob({"format": "guardkit.vault.v1", "entries": [["account-id", "x", "<ACCOUNT_ID_4>"]]})
    vault = Vault.load(blob, keys={"k1": KEY})
    assert vault.restore("<ACCOUNT_ID_4>") == "x"
    assert vault.placeholder("account-id", "y") == "<ACCOUNT_ID_5>"


def test_a_guarded_function_does_not_issue_a_placeholder_its_prompt_holds() -> None:
    """A decorated function, with no session, sees its prompt's placeholder-shaped text restored as
    written, and the value pseudonymized under another number."""
    policy = gk.Policy(input=[gk.PII(action="pseudonymize")])
    seen: list[str] = []

    @gk.guard(policy)
    def ask(prompt: str) -> str:
        seen.append(prompt)
        return "model saw: " + prompt

    prompt = "Fill the template field <EMAIL_1> with my address jane.doe@example.org"
    assert ask(prompt) == "model saw: " + prompt
    assert seen == ["Fill the template field <EMAIL_1> with my address <EMAIL_2>"]


def test_a_placeholder_in_another_message_is_not_issued() -> None:
    """A template in one message and the value in the next: the value gets a fresh number."""
    policy = gk.Policy(input=[gk.PII(action="pseudonymize")])
    seen: list[str] = []

    @gk.guard(policy)
    def chat(messages: list[dict[str, str]]) -> str:
        seen.extend(m["content"] for m in messages)
        return messages[0]["content"] + " | " + messages[1]["content"]

    out = chat(
        [
            {"role": "user", "content": "template: <EMAIL_1>"},
            {"role": "user", "content": "mine is jane.doe@example.org"},
        ]
    )
    assert seen == ["template: <EMAIL_1>", "mine is <EMAIL_2>"]
    assert out == "template: <EMAIL_1> | mine is jane.doe@example.org"


def test_check_input_alone_does_not_issue_a_placeholder_the_text_holds() -> None:
    """Without a call or session, the text being pseudonymized is seen before numbers are issued."""
    policy = gk.Policy(input=[gk.PII(action="pseudonymize")])
    verdict = policy.check_input("Fill <EMAIL_1> with jane.doe@example.org")
    assert verdict.text == "Fill <EMAIL_1> with <EMAIL_2>"


def test_policies_without_pseudonymization_do_not_observe() -> None:
    """Only a policy that pseudonymizes shows its texts to the vault."""
    assert not any(s.observe for s in (gk.Policy.recommended()._input, gk.Policy.recommended()._output))
    policy = gk.Policy(input=[gk.PII(action="pseudonymize")], output=[gk.Secrets()])
    assert [s.observe for s in (policy._input, policy._output, policy._tool)] == [True, True, True]
