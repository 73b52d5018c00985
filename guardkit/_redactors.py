"""Redactors: what a flagged span is replaced with when a policy redacts it.

A redactor has one method, ``replace(kind, value) -> str``. :class:`Redact` writes a fixed label,
:class:`Mask` keeps the shape and the last few characters of a number, :class:`Hash` writes a keyed
HMAC token so the same value always gives the same token without revealing it. Pass one as a
validator's ``action`` (``PII(action=Mask())``) or in a policy's ``on_fail``.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from guardkit._errors import ConfigError

__all__ = ["Hash", "Mask", "Redact"]

# Kinds whose value is a number written with optional separators: masked and hashed by digits.
_NUMERIC_KINDS: Final = frozenset({"CREDIT_CARD", "US_SSN", "IBAN", "PHONE"})


def _check_kind(kind: str) -> str:
    if not isinstance(kind, str):
        raise TypeError(f"kind must be a str, not {type(kind).__name__}")
    return kind


class Redact:
    """Replace a value with a label such as ``[EMAIL]``.

    Args:
        template: The replacement; ``{kind}`` is filled in with the finding's kind.

    Raises:
        ConfigError: The template has a field other than ``{kind}``.

    Example:
        >>> Redact().replace("EMAIL", "jane@example.org")
        '[EMAIL]'

    .. versionadded:: 0.1
    """

    __slots__ = ("template",)

    def __init__(self, template: str = "[{kind}]") -> None:
        if not isinstance(template, str):
            raise ConfigError(f"Redact(template=...) must be a string, got {type(template).__name__}")
        import string  # keeps `import guardkit` light

        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        except ValueError as exc:
            raise ConfigError(f"Redact(template=...) is not a valid format string: {exc}") from None
        if fields - {"kind"}:
            raise ConfigError(f"Redact(template=...) may only use {{kind}}, not {sorted(fields - {'kind'})}")
        self.template = template

    def replace(self, kind: str, value: str) -> str:
        """Return the label for a value of *kind*."""
        return self.template.format(kind=_check_kind(kind))

    def __repr__(self) -> str:
        return f"Redact(template={self.template!r})"


class Mask:
    """Hide a value character by character, keeping its separators and its last few characters.

    Letters and digits become *char*; spaces, dashes, dots and other separators stay, so the text
    keeps its layout (``4111 1111 1111 1111`` becomes ``**** **** **** 1111``). At most half of
    the value's letters and digits are ever shown, so short values are mostly hidden.

    Args:
        keep_last: How many trailing letters or digits to show (0 hides everything).
        char: The masking character.
        keep_separators: Keep non-alphanumeric characters; if false, every character is masked.

    Raises:
        ConfigError: *keep_last* is negative or *char* is not a single character.

    Example:
        >>> Mask().replace("CREDIT_CARD", "4111-1111-1111-1111")
        '****-****-****-1111'

    .. versionadded:: 0.1
    """

    __slots__ = ("char", "keep_last", "keep_separators")

    def __init__(self, keep_last: int = 4, char: str = "*", *, keep_separators: bool = True) -> None:
        if not isinstance(keep_last, int) or isinstance(keep_last, bool) or keep_last < 0:
            raise ConfigError(f"Mask(keep_last=...) must be a non-negative int, got {keep_last!r}")
        if not isinstance(char, str) or len(char) != 1 or char.isalnum():
            raise ConfigError("Mask(char=...) must be one character that is not a letter or digit")
        self.keep_last = keep_last
        self.char = char
        self.keep_separators = bool(keep_separators)

    def replace(self, kind: str, value: str) -> str:
        """Return *value* masked."""
        _check_kind(kind)
        total = sum(1 for c in value if c.isalnum())
        shown = min(self.keep_last, total // 2)
        out: list[str] = []
        for c in reversed(value):
            if c.isalnum():
                if shown > 0:
                    out.append(c)
                    shown -= 1
                else:
                    out.append(self.char)
            elif self.keep_separators and not unicodedata.category(c).startswith("C"):
                out.append(c)
            else:
                out.append(self.char)
        return "".join(reversed(out))

    def __repr__(self) -> str:
        return f"Mask(keep_last={self.keep_last}, char={self.char!r}, keep_separators={self.keep_separators})"


def _normalized(kind: str, value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    value = "".join(c for c in value if unicodedata.category(c) != "Cf")
    if kind in _NUMERIC_KINDS:
        return "".join(c for c in value if c.isalnum() or c == "+").upper()
    if kind == "EMAIL":
        return value.strip().lower()
    return value


class Hash:
    """Replace a value with a keyed HMAC-SHA256 token such as ``<EMAIL:3f9a1c2b7d>``.

    The same value under the same key always gives the same token, so records stay joinable
    without the value; without the key, tokens cannot be reversed or matched against guesses.
    Values are normalized first (NFKC, invisible characters dropped; separators dropped from
    numbers; e-mail addresses lower-cased), so ``4111 1111 1111 1111`` and
    ``4111-1111-1111-1111`` give one token.

    Args:
        key: The HMAC key, at least 16 bytes (a ``str`` is UTF-8 encoded). Keep it secret.
        length: Hex digits of the digest to keep (8-64).
        template: The token; ``{kind}`` and ``{digest}`` are filled in.
        normalize: Normalize values before hashing, as described above.

    Raises:
        ConfigError: The key is too short, or *length* or *template* is invalid.

    Example:
        >>> h = Hash(key=b"0123456789abcdef0123456789abcdef")
        >>> h.replace("EMAIL", "Jane@Example.org") == h.replace("EMAIL", "jane@example.org")
        True

    .. versionadded:: 0.1
    """

    __slots__ = ("_key", "length", "normalize", "template")

    def __init__(
        self,
        key: bytes | str,
        *,
        length: int = 10,
        template: str = "<{kind}:{digest}>",
        normalize: bool = True,
    ) -> None:
        if isinstance(key, str):
            key = key.encode("utf-8")
        if not isinstance(key, (bytes, bytearray)):
            raise ConfigError(f"Hash(key=...) must be bytes or str, got {type(key).__name__}")
        if len(key) < 16:
            raise ConfigError("Hash(key=...) must be at least 16 bytes")
        if not isinstance(length, int) or isinstance(length, bool) or not 8 <= length <= 64:
            raise ConfigError(f"Hash(length=...) must be an int from 8 to 64, got {length!r}")
        if not isinstance(template, str) or "{digest}" not in template:
            raise ConfigError("Hash(template=...) must be a string containing {digest}")
        try:
            template.format(kind="K", digest="d")
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(f"Hash(template=...) is not a valid format string: {exc}") from None
        self._key = bytes(key)
        self.length = length
        self.template = template
        self.normalize = bool(normalize)

    def digest(self, kind: str, value: str) -> str:
        """Return the hex digest for *value* (the part of the token after the kind)."""
        import hashlib  # keeps `import guardkit` light
        import hmac

        _check_kind(kind)
        data = _normalized(kind, value) if self.normalize else value
        mac = hmac.new(self._key, data.encode("utf-8", "surrogatepass"), hashlib.sha256)
        return mac.hexdigest()[: self.length]

    def replace(self, kind: str, value: str) -> str:
        """Return the token for *value* of *kind*."""
        return self.template.format(kind=kind, digest=self.digest(kind, value))

    def __repr__(self) -> str:
        return f"Hash(key=<{len(self._key)} bytes>, length={self.length}, template={self.template!r})"
