"""``NormalizeUnicode``: fold text to a Unicode normal form (NFKC by default)."""

from __future__ import annotations

import unicodedata
from typing import Final, Literal

from guardkit._errors import ConfigError

__all__ = ["NormalizeUnicode"]

_FORMS: Final = ("NFC", "NFD", "NFKC", "NFKD")


class NormalizeUnicode:
    """Normalize text to *form*: NFKC folds full-width letters, ligatures and styled mathematical
    letters to their plain forms, so later checks and the model see one spelling.

    Args:
        form: ``"NFKC"`` (default), ``"NFC"``, ``"NFKD"`` or ``"NFD"``.
        name: Name reported in events.

    .. versionadded:: 0.1
    """

    __slots__ = ("form", "name")

    #: Normalizing chunk by chunk gives the same text except inside a combining sequence split across
    #: two chunks, which stays decomposed; streams accept that.
    streamable: Final = True

    def __init__(
        self, form: Literal["NFC", "NFD", "NFKC", "NFKD"] = "NFKC", *, name: str = "normalize_unicode"
    ) -> None:
        if form not in _FORMS:
            raise ConfigError(f"NormalizeUnicode: form must be one of {', '.join(_FORMS)}")
        if not isinstance(name, str) or not name:
            raise ConfigError("NormalizeUnicode: name must be a non-empty str")
        self.form = form
        self.name = name

    def clean(self, text: str, /) -> str:
        """Return *text* in the normal form (the same object when it already is)."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.clean() takes a str, got {type(text).__name__}")
        if text.isascii() or unicodedata.is_normalized(self.form, text):
            return text
        return unicodedata.normalize(self.form, text)

    def __repr__(self) -> str:
        return f"NormalizeUnicode({self.form!r})"
