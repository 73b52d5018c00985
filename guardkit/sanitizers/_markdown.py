"""Rewrite Markdown so that images and links off the allowlist can neither load nor be clicked.

Uses the scanner and rules of :class:`guardkit.Links`: the same constructs are found and judged the
same way, so a policy can flag with ``Links`` and repair with ``SafeMarkdown`` without the two
disagreeing.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Iterable

from guardkit._errors import ConfigError
from guardkit.validators._links import (
    _IGNORABLE_CHARS,
    DEFAULT_MAX_LENGTH,
    _check_name,
    _Hit,
    _loose_label,
    _Rules,
    _scan,
    _unescape_md,
    _walk,
)

__all__ = ["SafeMarkdown"]

_IMAGE_MODES = ("drop", "defang", "allow-listed")
_LINK_MODES = ("defang", "remove")
_DEFANGED_SCHEMES = {"http": "hxxp", "https": "hxxps", "ftp": "fxp", "ws": "wxs", "wss": "wxss"}
#: Characters Markdown or GFM tables would read as syntax, percent-encoded in defanged URLs.
_ACTIVE = {c: f"%{ord(c):02X}" for c in "[]()<>`\\*_!\"'|{}~"}
_ACTIVE_TABLE = str.maketrans(_ACTIVE)


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    return re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):"), re.compile(_IGNORABLE_CHARS)


def defang(url: str) -> str:
    """Return *url* as inert text: ``https://evil.example/x`` -> ``hxxps://evil[.]example/x``.

    The result is not a link for Markdown renderers, GFM autolinking or linkify: the scheme is
    altered, the host's dots are bracketed, and characters Markdown reads as syntax are
    percent-encoded. Invisible and control characters are dropped.
    """
    scheme_re, noise_re = _patterns()
    url = noise_re.sub("", url)
    m = scheme_re.match(url)
    if m is not None:
        scheme = m.group(1)
        rest = url[m.end() :]
        head = _DEFANGED_SCHEMES.get(scheme.lower())
        prefix = f"{head}:" if head else f"{scheme.replace('.', '[.]')}[:]"
    else:
        prefix, rest = "", url
    if rest.startswith(("//", "\\\\", "/\\", "\\/")) or (m is not None and prefix[-1] == ":"):
        stripped = rest.lstrip("/\\")
        slashes = "//" if stripped != rest or prefix else ""
        cut = len(stripped)
        for delimiter in "/\\?#":
            i = stripped.find(delimiter)
            if 0 <= i < cut:
                cut = i
        authority = stripped[:cut].translate(_ACTIVE_TABLE).replace("@", "[@]").rstrip(".")
        authority = authority.replace(".", "[.]")
        return prefix + slashes + _inert(authority + stripped[cut:].translate(_ACTIVE_TABLE))
    # No host (mailto:, javascript:, a relative path): bracket every dot and "@" so that
    # no e-mail address or domain in it is autolinked.
    return prefix + _inert(rest.translate(_ACTIVE_TABLE).replace("@", "[@]").replace(".", "[.]"))


def _inert(tail: str) -> str:
    """Break URLs nested in a path or query (``?u=https://evil``) so none is autolinked."""
    if "://" in tail:
        tail = tail.replace("://", "[:]//")
    if "ww." in tail or "WW." in tail:
        tail = re.sub(r"(?i)(www)\.", r"\1[.]", tail)
    return tail


class SafeMarkdown:
    """Rewrite Markdown so that off-allowlist images cannot load and unsafe links cannot be clicked.

    Finds the same constructs as :class:`guardkit.Links` (inline and reference-style links and
    images, autolinks, raw HTML tags carrying URLs, bare URLs) and judges them by the same rules.
    Then, for each construct that may not stay:

    - inline link ``[text](url)``: ``links="defang"`` gives ``text (hxxps://evil[.]example/...)``,
      ``links="remove"`` keeps only ``text``;
    - image ``![alt](url)``, ``![alt][ref]``: ``images="allow-listed"`` keeps allowed images and
      replaces the others by their alt text; ``images="defang"`` adds the defanged URL after the
      alt text; ``images="drop"`` (the default) replaces every image by its alt text, allowed or
      not;
    - reference definition ``[ref]: url``: defanged to inert text (``\\[ref\\]: hxxps://...``) or
      removed, so every use of it loses its URL;
    - autolink and bare URL: defanged, or removed;
    - raw HTML tag (``<img src>``, ``<a href>``, ...): the tag is removed (its text stays), or with
      ``"defang"`` replaced by the defanged URL in parentheses.

    A construct still open at the end of the text is treated as one that may not stay. Raw HTML
    without URLs is left alone: render with raw HTML disabled, or run :class:`SanitizeHtml` on the
    rendered HTML. ``clean`` is idempotent and returns *text* itself when nothing changed.

    Args:
        allow_domains: Hosts links may point to; ``None`` allows any host (see ``Links``).
        allow_schemes: URL schemes links may use.
        image_domains: Hosts images may load from (default: *allow_domains*, or none).
        images: ``"drop"``, ``"allow-listed"`` or ``"defang"``.
        links: ``"defang"`` or ``"remove"``.
        max_query_data: Shortest base64/hex-like query value treated as encoded data.
        max_length: Longest URL kept.
        name: Name reported for this sanitizer.

    Raises:
        ConfigError: An argument is malformed.

    >>> md = SafeMarkdown(allow_domains=["docs.python.org"], images="allow-listed")
    >>> md.clean("See ![chart](https://evil.example/c.png?d=1) and [docs](https://docs.python.org/3/).")
    'See chart and [docs](https://docs.python.org/3/).'

    .. versionadded:: 0.1
    """

    __slots__ = ("_rules", "images", "links", "name")

    def __init__(
        self,
        *,
        allow_domains: Iterable[str] | None = None,
        allow_schemes: Iterable[str] = ("https", "http", "mailto"),
        image_domains: Iterable[str] | None = None,
        images: str = "drop",
        links: str = "defang",
        max_query_data: int = 32,
        max_length: int = DEFAULT_MAX_LENGTH,
        name: str = "safe_markdown",
    ) -> None:
        if images not in _IMAGE_MODES:
            raise ConfigError(f"images must be one of {', '.join(_IMAGE_MODES)}, got {images!r}")
        if links not in _LINK_MODES:
            raise ConfigError(f"links must be one of {', '.join(_LINK_MODES)}, got {links!r}")
        self._rules = _Rules(
            allow_domains=allow_domains,
            image_domains=image_domains,
            allow_schemes=allow_schemes,
            max_query_data=max_query_data,
            max_length=max_length,
        )
        self.images = images
        self.links = links
        self.name = _check_name(name)

    def __repr__(self) -> str:
        rules = self._rules
        domains = "any" if rules.any_host else sorted(rules.domains)
        images = "any" if rules.any_image_host else sorted(rules.image_domains)
        return (
            f"SafeMarkdown(allow_domains={domains!r}, image_domains={images!r}, "
            f"allow_schemes={sorted(rules.schemes)!r}, images={self.images!r}, "
            f"links={self.links!r}, name={self.name!r})"
        )

    def clean(self, text: str, /) -> str:
        """Return *text* with unsafe links and images rewritten (*text* itself if none)."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.clean() takes a str, got {type(text).__name__}")
        result = self._clean_once(text)
        if result is text:
            return text
        # A rewrite can change how the text around it parses (an unclosed "[x](" before a
        # replaced link at the end): clean again until stable, so that clean() is idempotent.
        for _ in range(2):
            again = self._clean_once(result)
            if again is result:
                return result
            result = again
        return _neutralize(result, self._rules)

    def _clean_once(self, text: str) -> str:
        roots, overlapping = _scan(text, self._rules.max_length)
        if not roots:
            return text
        definitions: dict[str, _Hit] = {}
        loose: dict[str, _Hit] = {}
        for hit in (*_walk(roots), *overlapping):
            self._rules.judge(hit)
            if hit.form.startswith("reference definition") and hit.label is not None:
                definitions.setdefault(hit.label, hit)  # the first definition of a label wins
                loose.setdefault(_loose_label(hit.label), hit)
        renderer = _Renderer(self, text, definitions, loose)
        # A construct that overlaps another one's markup is not part of the tree rendered below:
        # it is rewritten where the text around it is copied, whole when it has no link text, else
        # by neutralizing the one character that makes it ("<", the "(" after "]", a "[").
        edits = renderer.edits
        for hit in overlapping:
            if not renderer.bad(hit):
                continue
            if hit.text_start < 0 and not (hit.partial or hit.note or hit.form.startswith("ref")):
                # No link text (a URL, an autolink, a closed tag): rewritten whole, as it would be
                # on its own, so its URL cannot be linkified either.
                edits[hit.start] = (hit.end, renderer.hit(hit))
            elif hit.trigger is not None:
                edits[hit.trigger[0]] = (hit.trigger[0] + 1, hit.trigger[1])
            else:  # pragma: no cover - every construct with link text has a trigger
                return _neutralize(text, self._rules)
        last = -1
        for start in sorted(edits):  # overlapping edits: the first wins, the next pass does the rest
            if start < last:
                del edits[start]
            else:
                last = edits[start][0]
        renderer.edit_at = sorted(edits)
        result = renderer.render(0, len(text), roots)
        return text if result == text else result


def _escape_syntax(segment: str) -> str:
    """Backslash-escape ``[``, ``]``, ``(`` and ``<`` that are not escaped already."""
    if not any(c in segment for c in "[](<"):
        return segment
    return _re_syntax().sub(_escape_match, segment)


def _escape_match(m: re.Match[str]) -> str:
    slashes = m.group(1)
    return slashes + ("\\" if len(slashes) % 2 == 0 else "") + m.group(2)


@functools.cache
def _re_syntax() -> re.Pattern[str]:
    return re.compile(r"(\\*)([\[\](<])")


def _closes_bracket(text: str, parts: list[str], start: int) -> bool:
    """Whether the output so far (*parts* after ``text[:start]``) ends with an unescaped ``]``."""
    tail = ""
    for part in reversed(parts):
        tail = part + tail
        if len(tail) > 64:
            break
    if len(tail) <= 64:
        tail = text[max(0, start - 64) : start] + tail
    if not tail.endswith("]"):
        return False
    body = tail[:-1]
    return (len(body) - len(body.rstrip("\\"))) % 2 == 0


def _neutralize(text: str, rules: _Rules) -> str:
    """Last resort for text that never settles: escape all link syntax and defang every bare URL.

    Without unescaped brackets and parentheses no Markdown link, image or definition remains;
    ``<`` becomes ``&lt;`` (Python-Markdown does not read ``\\<`` as an escape), so no tag or
    autolink remains; defanged URLs are not autolinked.
    """
    text = _escape_syntax(text.replace("<", "&lt;"))
    roots, _ = _scan(text, rules.max_length)
    out = []
    pos = 0
    for hit in _walk(roots):
        if hit.form in ("bare url", "css url") and hit.start >= pos:
            out.append(text[pos : hit.start])
            out.append(defang(hit.urls[0]))
            pos = hit.end
    out.append(text[pos:])
    return "".join(out)


class _Renderer:
    __slots__ = ("consumed", "definitions", "edit_at", "edits", "images", "links", "loose", "text")

    def __init__(
        self,
        owner: SafeMarkdown,
        text: str,
        definitions: dict[str, _Hit],
        loose: dict[str, _Hit],
    ) -> None:
        self.text = text
        self.images = owner.images
        self.links = owner.links
        self.definitions = definitions
        self.loose = loose
        #: Spans (start -> end, replacement) rewritten wherever the text is copied whole.
        self.edits: dict[int, tuple[int, str]] = {}
        self.edit_at: list[int] = []
        self.consumed = 0

    def definition(self, hit: _Hit) -> _Hit | None:
        label = hit.label or ""
        found = self.definitions.get(label)
        return found if found is not None else self.loose.get(_loose_label(label))

    def bad(self, hit: _Hit) -> bool:
        """Whether *hit* may not stay as it is."""
        reasons = hit.reasons
        if hit.form == "reference image":
            definition = self.definition(hit)
            if definition is None:
                return False
            reasons = definition.reasons
        return bool(reasons) or (hit.fetch and self.images == "drop")

    def copy(self, start: int, end: int, *, loose: bool = False) -> str:
        """``text[start:end]`` with the edits inside it made (and syntax escaped when *loose*)."""
        text = self.text
        at = self.edit_at
        start = max(start, self.consumed)
        i = bisect_left(at, start) if at else 0
        if i == len(at) or at[i] >= end:
            segment = text[start:end]
            return _escape_syntax(segment) if loose else segment
        parts = []
        pos = start
        while i < len(at) and at[i] < end:
            stop, replacement = self.edits[at[i]]
            segment = text[pos : at[i]]
            parts.append(_escape_syntax(segment) if loose else segment)
            parts.append(replacement)
            pos = min(stop, end)
            # An edit running past this piece (a URL into a kept link's markup) is made whole:
            # the text after is produced in order, and skips what the edit replaced.
            self.consumed = max(self.consumed, stop)
            i += 1
        segment = text[pos:end]
        parts.append(_escape_syntax(segment) if loose else segment)
        return "".join(parts)

    def render(self, start: int, end: int, hits: list[_Hit], *, loose: bool = False) -> str:
        """Rewrite ``text[start:end]``; *loose* text (left over from a removed link) has its
        brackets, ``(`` and ``<`` escaped, so that it cannot join its surroundings into a link."""
        text = self.text
        parts = []
        pos = start
        for hit in hits:
            parts.append(self.copy(pos, hit.start, loose=loose))
            replacement = self.hit(hit)
            if replacement.startswith("(") and _closes_bracket(text, parts, start):
                replacement = "\\" + replacement  # after "]", "(" would open a link again
            parts.append(replacement)
            pos = hit.end
        parts.append(self.copy(pos, end, loose=loose))
        out = "".join(parts)
        if loose and out.endswith("!") and not out.endswith("\\!"):
            out = out[:-1] + "\\!"  # "text!" followed by "[...](...)" would form an image
        return out

    def hit(self, hit: _Hit) -> str:
        copy = self.copy
        has_text = 0 <= hit.text_start <= hit.text_end
        url: str | None = hit.urls[0] if hit.urls else None
        reasons = hit.reasons
        if hit.form == "reference image":
            definition = self.definition(hit)
            if definition is None:  # no URL anywhere in sight: it renders as plain text
                inner = self.render(hit.text_start, hit.text_end, hit.children)
                return copy(hit.start, hit.text_start) + inner + copy(hit.text_end, hit.end)
            url = definition.urls[0] if definition.urls else None
            reasons = definition.reasons
        if hit.note is not None and hit.trigger is not None:
            # A tag whose end is unknown: its "<" is neutralized, the rest stays text.
            at, replacement = hit.trigger
            return copy(hit.start, at) + replacement + copy(at + 1, hit.end)
        image = hit.fetch
        bad = bool(reasons) or (image and self.images == "drop")
        if not bad:
            if not has_text:
                return copy(hit.start, hit.end)
            inner = self.render(hit.text_start, hit.text_end, hit.children)
            return copy(hit.start, hit.text_start) + inner + copy(hit.text_end, hit.end)
        inner = self.render(hit.text_start, hit.text_end, hit.children, loose=True) if has_text else ""
        if hit.deep:
            inner = ""  # children were not judged: none of the link text may stay
        defang_it = (self.images == "defang") if image else (self.links == "defang")
        shown = ""
        if defang_it and url is not None:
            literal = hit.form.startswith(("html", "bare", "css"))
            shown = defang(url if literal else _unescape_md(url))
        form = hit.form
        if form.startswith("reference definition"):
            if not shown:
                return ""
            label = copy(hit.start + 1, hit.label_end)
            return f"\\[{label}\\]: {shown}"  # escaped brackets: no longer a definition
        if has_text:
            if shown:
                return f"{inner} ({shown})" if inner else f"({shown})"
            return inner
        if form.startswith("html"):
            return f"({shown})" if shown else ""
        return shown
