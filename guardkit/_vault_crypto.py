"""Authenticated encryption of pseudonymization vaults (AES-256-GCM, via ``cryptography``).

Blob layout, all of it authenticated (the header is the AES-GCM associated data)::

    magic    8 bytes   b"GKVAULT\\x00"
    version  1 byte    1
    id_len   1 byte    length of the key id
    key_id   id_len    UTF-8 name of the key, so keys can rotate
    nonce    12 bytes  random per blob
    sealed   rest      ciphertext followed by the 16-byte GCM tag

A wrong key, a changed byte anywhere, a truncated blob or a blob that is not a vault raises
:class:`~guardkit.VaultError`; decryption never returns unauthenticated data.
``cryptography`` is an optional dependency (``pip install guardkit[crypto]``), imported on first use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, Final

from guardkit._errors import ConfigError, VaultError

__all__ = ["decrypt_blob", "encrypt_blob", "generate_vault_key", "key_from_env"]

MAGIC: Final = b"GKVAULT\x00"
VERSION: Final = 1
NONCE_SIZE: Final = 12
TAG_SIZE: Final = 16
KEY_SIZES: Final = (16, 24, 32)
_HEADER_FIXED: Final = len(MAGIC) + 2


def _aesgcm(key: bytes) -> Any:
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:  # pragma: no cover - exercised only without the extra installed
        raise ConfigError(
            "vault encryption needs the 'cryptography' package: pip install guardkit[crypto]"
        ) from None
    return AESGCM(key)


def _check_key(key: object, what: str) -> bytes:
    if isinstance(key, bytearray):
        key = bytes(key)
    if not isinstance(key, bytes):
        raise ConfigError(f"{what} must be bytes, got {type(key).__name__}")
    if len(key) not in KEY_SIZES:
        raise ConfigError(f"{what} must be 16, 24 or 32 bytes (32 recommended), got {len(key)}")
    return key


def _check_key_id(key_id: object) -> bytes:
    if not isinstance(key_id, str) or not key_id:
        raise ConfigError("key_id must be a non-empty string")
    if not key_id.isprintable():
        raise ConfigError("key_id must be printable text")
    raw = key_id.encode("utf-8")
    if len(raw) > 255:
        raise ConfigError("key_id must be at most 255 bytes of UTF-8")
    return raw


def encrypt_blob(payload: bytes, key: bytes, key_id: str) -> bytes:
    """Encrypt *payload* under *key* and label the blob with *key_id*.

    Args:
        payload: The plaintext (a serialized vault).
        key: A 16-, 24- or 32-byte AES key; 32 bytes (AES-256) recommended.
        key_id: A name for the key, stored in clear in the blob so the right key can be found.

    Returns:
        The blob (see the module docstring for its layout).

    Raises:
        ConfigError: The key or key id is invalid, or ``cryptography`` is not installed.

    .. versionadded:: 0.1
    """
    if not isinstance(payload, (bytes, bytearray)):
        raise ConfigError(f"payload must be bytes, got {type(payload).__name__}")
    raw_key = _check_key(key, "key")
    raw_id = _check_key_id(key_id)
    header = MAGIC + bytes((VERSION, len(raw_id))) + raw_id
    nonce = os.urandom(NONCE_SIZE)
    sealed: bytes = _aesgcm(raw_key).encrypt(nonce, bytes(payload), header + nonce)
    return header + nonce + sealed


def _parse(blob: bytes) -> tuple[str, bytes, bytes, bytes]:
    """Split *blob* into (key id, associated data, nonce, sealed)."""
    if not isinstance(blob, (bytes, bytearray)):
        raise VaultError(f"a vault blob is bytes, not {type(blob).__name__}")
    blob = bytes(blob)
    if len(blob) < _HEADER_FIXED or not blob.startswith(MAGIC):
        raise VaultError("not a guardkit vault blob (bad magic bytes)")
    version, id_len = blob[len(MAGIC)], blob[len(MAGIC) + 1]
    if version != VERSION:
        raise VaultError(f"unsupported vault format version {version} (this guardkit reads {VERSION})")
    id_end = _HEADER_FIXED + id_len
    nonce_end = id_end + NONCE_SIZE
    if id_len == 0 or len(blob) < nonce_end + TAG_SIZE:
        raise VaultError("vault blob is truncated")
    try:
        key_id = blob[_HEADER_FIXED:id_end].decode("utf-8")
    except UnicodeDecodeError:
        raise VaultError("vault blob has a corrupt key id") from None
    return key_id, blob[:nonce_end], blob[id_end:nonce_end], blob[nonce_end:]


def _lookup(keys: Mapping[str, bytes] | Callable[[str], bytes], key_id: str) -> bytes:
    if isinstance(keys, Mapping):
        key = keys.get(key_id)
        if key is None:
            raise VaultError(f"no key for key id {key_id!r}")
    elif callable(keys):
        try:
            key = keys(key_id)
        except (KeyError, LookupError):
            raise VaultError(f"no key for key id {key_id!r}") from None
        if key is None:
            raise VaultError(f"no key for key id {key_id!r}")
    else:
        raise ConfigError("keys must be a mapping of key ids to keys, or a callable taking a key id")
    try:
        return _check_key(key, f"the key for key id {key_id!r}")
    except ConfigError as exc:
        raise VaultError(str(exc)) from None


def decrypt_blob(blob: bytes, keys: Mapping[str, bytes] | Callable[[str], bytes]) -> bytes:
    """Authenticate and decrypt a blob written by :func:`encrypt_blob`.

    Args:
        blob: The encrypted vault.
        keys: Key ids to keys (several, while keys rotate), or a callable that returns the key for a
            key id (for a KMS); it may raise ``KeyError`` or return ``None`` for an unknown id.

    Returns:
        The plaintext payload.

    Raises:
        VaultError: The blob is not a vault, is truncated or tampered with, names a key id with no
            key, or the key is wrong.
        ConfigError: ``cryptography`` is not installed, or *keys* is neither a mapping nor callable.

    .. versionadded:: 0.1
    """
    key_id, associated, nonce, sealed = _parse(blob)
    key = _lookup(keys, key_id)
    from cryptography.exceptions import InvalidTag

    aead = _aesgcm(key)
    try:
        plain: bytes = aead.decrypt(nonce, sealed, associated)
    except InvalidTag:
        raise VaultError(
            f"vault blob failed authentication: wrong key for key id {key_id!r}, or the blob was modified"
        ) from None
    return plain


def generate_vault_key() -> bytes:
    """Return a new random 32-byte key (store it as ``base64.b64encode(key)`` in a secret store).

    .. versionadded:: 0.1
    """
    return os.urandom(32)


def key_from_env(name: str = "GUARDKIT_VAULT_KEY", environ: Mapping[str, str] | None = None) -> bytes:
    """Read a 32-byte vault key from the environment variable *name*.

    The variable holds the key as 64 hex characters or as base64 (standard or URL-safe alphabet,
    padding optional).

    Args:
        name: The variable to read.
        environ: The environment mapping (``os.environ`` by default).

    Returns:
        The 32-byte key.

    Raises:
        ConfigError: The variable is unset or does not hold a 32-byte key. The message names the
            variable, never its value.

    .. versionadded:: 0.1
    """
    env = os.environ if environ is None else environ
    raw = env.get(name)
    if raw is None or not raw.strip():
        raise ConfigError(f"environment variable {name} is not set (expected a 32-byte vault key)")
    text = raw.strip()
    key: bytes | None = None
    if len(text) == 64:
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = None
    if key is None:
        import base64  # keeps `import guardkit` light
        import binascii

        standard = text.replace("-", "+").replace("_", "/")  # accept the URL-safe alphabet too
        padded = standard + "=" * (-len(standard) % 4)
        try:
            key = base64.b64decode(padded.encode("ascii"), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            key = None
    if key is None or len(key) != 32:
        raise ConfigError(
            f"environment variable {name} must hold a 32-byte key as 64 hex characters or base64"
        )
    return key
