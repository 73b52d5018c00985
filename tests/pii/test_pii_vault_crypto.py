"""Vault encryption: AES-GCM round trip, key ids and rotation, and every way a blob can be bad."""

from __future__ import annotations

import base64

import pytest

from guardkit._errors import ConfigError, VaultError
from guardkit._session import Vault
from guardkit._vault_crypto import MAGIC, decrypt_blob, encrypt_blob, generate_vault_key, key_from_env

KEY = generate_vault_key()
OTHER = generate_vault_key()


def test_round_trip() -> None:
    """What goes in comes out, for empty and non-ASCII payloads too."""
    for payload in (b"", b"hello", "ünïcødé ✓".encode()):
        assert decrypt_blob(encrypt_blob(payload, KEY, "k1"), {"k1": KEY}) == payload


def test_blob_is_randomized_and_labelled() -> None:
    """Each blob has a fresh nonce, starts with the magic bytes and names its key id."""
    a, b = encrypt_blob(b"same", KEY, "2024-06"), encrypt_blob(b"same", KEY, "2024-06")
    assert a != b
    assert a.startswith(MAGIC)
    assert b"2024-06" in a
    assert b"same" not in a


def test_rotation_and_callback() -> None:
    """Decryption picks the key by id from a mapping or a KMS-style callback."""
    old = encrypt_blob(b"old", KEY, "old")
    new = encrypt_blob(b"new", OTHER, "new")
    keys = {"old": KEY, "new": OTHER}
    assert decrypt_blob(old, keys) == b"old"
    assert decrypt_blob(new, keys) == b"new"
    assert decrypt_blob(new, keys.__getitem__) == b"new"


def _flip(blob: bytes, index: int) -> bytes:
    return blob[:index] + bytes([blob[index] ^ 0x01]) + blob[index + 1 :]


BLOB = encrypt_blob(b'{"format": "x"}', KEY, "k1")


@pytest.mark.parametrize(
    ("blob", "keys", "message"),
    [
        (BLOB, {"k1": OTHER}, "authentication"),  # wrong key
        (_flip(BLOB, len(BLOB) - 1), {"k1": KEY}, "authentication"),  # tag changed
        (_flip(BLOB, len(BLOB) - 20), {"k1": KEY}, "authentication"),  # ciphertext changed
        (_flip(BLOB, len(MAGIC) + 4), {"k1": KEY}, "authentication"),  # nonce changed
        (_flip(BLOB, len(MAGIC) + 2), {"k1": KEY}, "no key"),  # key id changed
        (BLOB[:-1], {"k1": KEY}, "authentication"),  # truncated tag
        (BLOB[:12], {"k1": KEY}, "truncated"),
        (b"", {"k1": KEY}, "not a guardkit vault"),
        (b"PK\x03\x04 a zip file, not a vault", {"k1": KEY}, "not a guardkit vault"),
        (MAGIC + b"\x09" + BLOB[len(MAGIC) + 1 :], {"k1": KEY}, "version"),
        (BLOB, {"k2": KEY}, "no key"),
        (BLOB, {"k1": b"too short"}, "16, 24 or 32 bytes"),
        ("not bytes", {"k1": KEY}, "bytes"),
    ],
)
def test_bad_blobs_raise_vault_error(blob: bytes, keys: dict[str, bytes], message: str) -> None:
    """Wrong keys, tampering, truncation and foreign data raise VaultError, never garbage."""
    with pytest.raises(VaultError, match=message):
        decrypt_blob(blob, keys)


def test_callback_without_key() -> None:
    """A callback that raises KeyError or returns None means an unknown key id."""
    with pytest.raises(VaultError, match="no key"):
        decrypt_blob(BLOB, lambda key_id: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(VaultError, match="no key"):
        decrypt_blob(BLOB, {}.__getitem__)


@pytest.mark.parametrize(
    ("key", "key_id", "message"),
    [
        (b"short", "k", "16, 24 or 32"),
        (KEY, "", "key_id"),
        (KEY, "a\nb", "printable"),
        (KEY, "x" * 300, "255"),
    ],
)
def test_encrypt_arguments(key: bytes, key_id: str, message: str) -> None:
    """Bad keys and key ids raise ConfigError."""
    with pytest.raises(ConfigError, match=message):
        encrypt_blob(b"x", key, key_id)


@pytest.mark.parametrize(
    "encoded",
    [
        base64.b64encode(KEY).decode(),
        base64.urlsafe_b64encode(KEY).decode().rstrip("="),
        KEY.hex(),
        "  " + KEY.hex().upper() + "\n",
    ],
)
def test_key_from_env(encoded: str) -> None:
    """A 32-byte key is read as base64 (either alphabet) or hex."""
    assert key_from_env("GK_TEST_KEY", {"GK_TEST_KEY": encoded}) == KEY


@pytest.mark.parametrize("value", ["", "tooshort", base64.b64encode(b"x" * 16).decode(), "zz" * 32])
def test_key_from_env_rejects_bad_values(value: str) -> None:
    """Unset or malformed keys raise ConfigError naming the variable, not the value."""
    with pytest.raises(ConfigError, match="GK_TEST_KEY") as info:
        key_from_env("GK_TEST_KEY", {"GK_TEST_KEY": value} if value else {})
    if value:
        assert value not in str(info.value)


def test_key_from_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """By default the key comes from os.environ."""
    monkeypatch.setenv("GUARDKIT_VAULT_KEY", base64.b64encode(KEY).decode())
    assert key_from_env() == KEY


def test_vault_export_and_load_round_trip() -> None:
    """A session vault survives export and load, and a foreign key cannot read it."""
    vault = Vault()
    token = vault.placeholder("EMAIL", "jane@example.org")
    blob = vault.export(key=KEY, key_id="k1")
    assert b"jane@example.org" not in blob
    restored = Vault.load(blob, keys={"k1": KEY})
    assert restored.restore(f"hello {token}") == "hello jane@example.org"
    with pytest.raises(VaultError):
        Vault.load(blob, keys={"k1": OTHER})
