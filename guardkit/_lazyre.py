"""Regular expressions compiled on first use, so importing guardkit stays cheap."""

from __future__ import annotations

import re

__all__ = ["LazyPatterns"]


class LazyPatterns:
    """Named patterns, each compiled when first read.

    After the first access a pattern is a plain attribute: later lookups cost a dict lookup.
    """

    def __init__(self, **sources: str | tuple[str, int]) -> None:
        self._sources = sources

    def __getattr__(self, name: str) -> re.Pattern[str]:
        try:
            source = self._sources[name]
        except KeyError:
            raise AttributeError(name) from None
        compiled = re.compile(source) if isinstance(source, str) else re.compile(*source)
        setattr(self, name, compiled)
        return compiled
