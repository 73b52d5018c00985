"""Find the parts of a document that a person reading it does not see, but a model does.

HTML comments, elements hidden by markup or inline style, alt, title and aria-label text, ``<meta>``
content, Markdown comments and code comments are where indirect injections hide. A tolerant linear
scanner (no HTML parser) reports each as a :class:`HiddenSegment` with offsets into the text.
"""

from __future__ import annotations

import re
from typing import Final

from guardkit._lazyre import LazyPatterns
from guardkit._types import _Frozen

__all__ = ["KINDS", "HiddenSegment", "hidden_segments"]

#: Segment kinds, with what each one covers.
KINDS: Final = {
    "html_comment": "<!-- ... --> (HTML and Markdown)",
    "css_hidden": "element hidden by display:none, visibility:hidden, opacity:0, font-size:0, white or "
    "transparent text, the hidden attribute, aria-hidden, a hiding class, <template>, or an "
    '<input type="hidden"> value',
    "zero_size": "element clipped or sized to nothing: width/height 0 with overflow hidden, scale(0), "
    "clip rect(0...)",
    "offscreen": "element moved off screen: large negative text-indent or absolute left/top",
    "markdown_comment": "[//]: # (...) and [comment]: <> (...) reference-style comments",
    "alt_text": "alt attribute, Markdown image alt ![alt](...)",
    "title_attr": "title attribute, Markdown link and image titles",
    "aria_label": "aria-label attribute",
    "meta_content": "content of <meta name=... content=...>",
    "code_comment": "/* */ and // comments, # comments after code or in fenced code blocks",
}


class HiddenSegment(_Frozen):
    """One span of text hidden from a human reader.

    Args:
        kind: One of :data:`KINDS`.
        start: Offset of the hidden text in the scanned document.
        end: Offset one past its end; ``text == document[start:end]``.
        text: The hidden text itself (markup entities are not decoded).

    .. versionadded:: 0.1
    """

    __slots__ = ("end", "kind", "start", "text")
    _fields = ("kind", "start", "end", "text")

    kind: str
    start: int
    end: int
    text: str

    def __init__(self, kind: str, start: int, end: int, text: str) -> None:
        _set = object.__setattr__
        _set(self, "kind", kind)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "text", text)

    def __repr__(self) -> str:
        # The hidden text may be an attack payload or personal data; show where it is, not what.
        return (
            f"HiddenSegment(kind={self.kind!r}, start={self.start}, end={self.end}, "
            f"text=<{len(self.text)} chars>)"
        )


_RX: Final = LazyPatterns(
    markup=r"<(?:(!--)|(/?)([A-Za-z][A-Za-z0-9:-]{0,63}))",
    # One attribute (or nothing) after optional separators. Each alternative starts on a different
    # character class, so matching never backtracks beyond one attribute.
    attr=r"""[\s/]*(?:([^\s"'>/=][^\s>/=]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?)?""",
    # inline CSS
    number=r"(-?(?:\d+\.?\d*|\.\d+))(px|pt|em|rem|%|vh|vw|ch|ex|cm|mm|in)?",
    hex=r"#([0-9a-f]{3,8})\b",
    func_color=r"(rgba?|hsla?)\(([^()]{0,80})\)",
    background_word=r"#[0-9a-f]{3,8}\b|(?:rgba?|hsla?)\([^()]{0,80}\)|[a-z]+",
    color_args_split=r"[\s,/]+",
    scale_zero=r"scale[xyz3d]{0,2}\(\s*0*\.?0*(?:,|\))",
    clip_zero=r"rect\((?:\s*0(?:px)?\s*,?){4}\)|inset\(50%\)|circle\(0",
    # Markdown
    md_image_alt=r"!\[([^\[\]\n]{1,1000})\][(\[]",
    md_title=(
        r"\]\([ \t]{0,8}(?:<[^<>\n]{0,2048}>|[^\s()<>]{1,2048})[ \t]{1,8}"
        r"""(?:"([^"\n]{1,1000})"|'([^'\n]{1,1000})'|\(([^()\n]{1,1000})\))[ \t]*\)"""
    ),
    md_reference=(
        r"(?:^|(?<=\n))[ ]{0,3}\[[^\[\]\n]{1,200}\]:[ \t]*(<[^<>\n]{0,2048}>|[^\s(][^\s(]{0,2047})"
        r"""[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|\(([^()\n]*)\))[ \t]*(?=\n|$)"""
    ),
    # code comments
    slashes=r"//+[ \t]?",
    hash=r"#[ \t]",
    fence=r"(?:^|(?<=\n))[ ]{0,3}(```|~~~)[^\n]*(?:\n|$)",
    fenced_hash=r"(?:^|(?<=[ \t\n]))#[ \t]([^\n]*)",
    non_space=r"\S",
)


def hidden_segments(text: str) -> tuple[HiddenSegment, ...]:
    """Return the hidden parts of *text*, sorted by offset; ``()`` when there are none.

    Segments can nest (an alt text inside a hidden element is reported as both); blank segments are
    left out. Runs in time linear in ``len(text)``.

    Raises:
        TypeError: *text* is not a str.

    .. versionadded:: 0.1
    """
    if not isinstance(text, str):
        raise TypeError(f"hidden_segments() takes a str, got {type(text).__name__}")
    spans: list[tuple[int, int, str]] = []
    if "<" in text:
        lowered = text.lower()
        # Markup hides nothing without a comment or one of these attribute and element names.
        if any(word in lowered for word in _HTML_HINTS):
            _scan_html(text, spans)
    if "[" in text:
        _scan_markdown(text, spans)
    if "/" in text or "#" in text:
        _scan_code(text, spans)
    if not spans:
        return ()
    out: list[HiddenSegment] = []
    for start, end, kind in sorted(set(spans)):
        body = text[start:end]
        if body.strip():
            out.append(HiddenSegment(kind, start, end, body))
    return tuple(out)


# -- HTML ------------------------------------------------------------------------------------------

_HTML_HINTS: Final = (
    "<!--", "style", "hidden", "alt", "title", "aria", "class", "template", "content", "value",
)  # fmt: skip
_VOID: Final = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
     "source", "track", "wbr")
)  # fmt: skip
_RAW_TEXT: Final = frozenset(
    ("script", "style", "textarea", "title", "xmp", "noembed", "noframes", "noscript")
)
_BLOCKS: Final = frozenset(
    ("address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figure",
     "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p",
     "pre", "section", "table", "ul")
)  # fmt: skip
# Elements a new opening tag closes implicitly, as browsers do (keeps an unclosed hidden <p> short).
_AUTO_CLOSE: Final = {
    "p": _BLOCKS,
    "li": frozenset({"li"}),
    "dt": frozenset({"dt", "dd"}),
    "dd": frozenset({"dt", "dd"}),
    "tr": frozenset({"tr"}),
    "td": frozenset({"td", "th", "tr"}),
    "th": frozenset({"td", "th", "tr"}),
    "option": frozenset({"option"}),
}
_HIDING_CLASSES: Final = frozenset(
    ("hidden", "d-none", "sr-only", "visually-hidden", "visuallyhidden", "invisible", "hide",
     "screen-reader-text", "hidden-xs-up", "is-hidden")
)  # fmt: skip
_ATTR_KINDS: Final = {"alt": "alt_text", "title": "title_attr", "aria-label": "aria_label"}
_raw_close_cache: dict[str, re.Pattern[str]] = {}


def _scan_html(text: str, spans: list[tuple[int, int, str]]) -> None:
    """Walk the tags of *text* once, keeping a stack of open elements (name, content start, kind).

    Only the outermost hidden element of a nested group is reported; an element left open ends where
    an enclosing element closes, or at the end of the text, as in browsers.
    """
    n = len(text)
    stack: list[tuple[str, int, str | None]] = []
    open_count: dict[str, int] = {}
    hidden_depth = 0
    search = _RX.markup.search
    auto_close = _AUTO_CLOSE
    pos = 0

    def pop(end: int) -> str:
        nonlocal hidden_depth
        name, content_start, kind = stack.pop()
        open_count[name] -= 1
        if kind is not None:
            hidden_depth -= 1
            if hidden_depth == 0:
                spans.append((content_start, end, kind))
        return name

    while (m := search(text, pos)) is not None:
        if m.group(1):
            pos = _comment(text, m.end(), spans)
            continue
        name = m.group(3).lower()
        attrs, tag_end = _parse_attrs(text, m.end())
        if tag_end < 0:  # end of text inside a tag: browsers drop the tag
            break
        pos = tag_end
        if m.group(2):  # a closing tag ends its element and every element opened inside it
            if open_count.get(name):
                tag_start = m.start()
                while pop(tag_start) != name:
                    pass
            continue
        if attrs:
            _attribute_spans(text, name, attrs, spans)
        if stack and name in auto_close.get(stack[-1][0], ()):
            tag_start = m.start()
            while stack and name in auto_close.get(stack[-1][0], ()):
                pop(tag_start)
        if name in _RAW_TEXT:
            pos = _raw_text_end(text, name, pos)
        elif name not in _VOID and text[tag_end - 2 : tag_end] != "/>":
            if name == "template":
                kind: str | None = "css_hidden"
            else:
                kind = _hiding_kind(text, attrs) if attrs else None
            if kind is not None:
                hidden_depth += 1
            stack.append((name, tag_end, kind))
            open_count[name] = open_count.get(name, 0) + 1
    while stack:
        pop(n)


def _comment(text: str, body: int, spans: list[tuple[int, int, str]]) -> int:
    """Record the comment whose body starts at *body*; return the offset after it."""
    if text.startswith(">", body) or text.startswith("->", body):  # `<!-->`, `<!--->`: empty
        return text.index(">", body) + 1
    close = text.find("-->", body)
    if close < 0:  # an unclosed comment runs to the end, as in browsers
        spans.append((body, len(text), "html_comment"))
        return len(text)
    spans.append((body, close, "html_comment"))
    return close + 3


def _attribute_spans(
    text: str, name: str, attrs: dict[str, tuple[int, int]], spans: list[tuple[int, int, str]]
) -> None:
    for attr, kind in _ATTR_KINDS.items():
        if attr in attrs:
            spans.append((*attrs[attr], kind))
    if name == "meta" and "content" in attrs and ("name" in attrs or "property" in attrs):
        spans.append((*attrs["content"], "meta_content"))
    if name == "input" and "value" in attrs and _value(text, attrs, "type").lower() == "hidden":
        spans.append((*attrs["value"], "css_hidden"))


def _raw_text_end(text: str, name: str, pos: int) -> int:
    """Return where the raw-text element *name* (``<script>``, ``<style>``...) opened before *pos* ends."""
    closer = _raw_close_cache.get(name)
    if closer is None:
        closer = re.compile(rf"</{name}[\s/>]", re.IGNORECASE)
        _raw_close_cache[name] = closer
    m = closer.search(text, pos)
    return len(text) if m is None else m.start()


def _parse_attrs(text: str, pos: int) -> tuple[dict[str, tuple[int, int]], int]:
    """Return attribute value spans (first occurrence wins) and the offset after ``>``, or -1."""
    if text.startswith(">", pos):  # the common case: <p>, </div>
        return _NO_ATTRS, pos + 1
    attrs: dict[str, tuple[int, int]] = {}
    n = len(text)
    match = _RX.attr.match
    while True:
        m = match(text, pos)
        end = m.end() if m else pos
        if m and m.lastindex:
            key = m.group(1).lower()
            if key not in attrs:
                group = m.lastindex
                attrs[key] = m.span(group) if group > 1 else (end, end)
        if end >= n:
            return attrs, -1
        if text[end] == ">":
            return attrs, end + 1
        # A stray quote or "=" where a name should start: skip it, as the HTML tokenizer does.
        pos = end if end > pos else end + 1


_NO_ATTRS: Final[dict[str, tuple[int, int]]] = {}


def _value(text: str, attrs: dict[str, tuple[int, int]], key: str) -> str:
    span = attrs.get(key)
    return "" if span is None else text[span[0] : span[1]]


def _hiding_kind(text: str, attrs: dict[str, tuple[int, int]]) -> str | None:
    if "hidden" in attrs or _value(text, attrs, "aria-hidden").strip().lower() == "true":
        return "css_hidden"
    if "class" in attrs and _HIDING_CLASSES.intersection(_value(text, attrs, "class").lower().split()):
        return "css_hidden"
    if "style" in attrs:
        return _style_kind(_value(text, attrs, "style"))
    return None


# -- inline CSS ------------------------------------------------------------------------------------


def _declarations(style: str) -> dict[str, str]:
    style = style.lower()
    if "/*" in style:  # CSS comments can split a property (`display:/**/none`)
        parts: list[str] = []
        pos = 0
        while (start := style.find("/*", pos)) >= 0:
            parts.append(style[pos:start])
            close = style.find("*/", start + 2)
            pos = len(style) if close < 0 else close + 2
        parts.append(style[pos:])
        style = "".join(parts)
    out: dict[str, str] = {}
    for decl in style.split(";"):
        prop, sep, value = decl.partition(":")
        if sep:
            out[prop.strip()] = value.replace("!important", "").strip()
    return out


def _length(value: str) -> tuple[float, str] | None:
    m = _RX.number.fullmatch(value.replace(" ", ""))
    if m is None:
        return None
    return float(m.group(1)), m.group(2) or ""


def _tiny(value: str) -> bool:
    """Whether a font size renders as nothing legible (0, 1px, 0.1em, 5%)."""
    length = _length(value)
    if length is None:
        return False
    number, unit = length
    limits = {"": 0.0, "px": 1.0, "pt": 1.0, "em": 0.1, "rem": 0.1, "%": 10.0}
    return unit in limits and number <= limits[unit]


def _channels(value: str) -> tuple[float, float, float, float] | None:
    """Parse a CSS color into RGBA in [0, 255] and alpha in [0, 1]; ``None`` when unknown."""
    value = value.strip()
    if value == "white":
        return 255.0, 255.0, 255.0, 1.0
    if value == "transparent":
        return 0.0, 0.0, 0.0, 0.0
    m = _RX.hex.fullmatch(value)
    if m:
        digits = m.group(1)
        if len(digits) in (3, 4):
            digits = "".join(d * 2 for d in digits)
        if len(digits) not in (6, 8):
            return None
        alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
        r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
        return float(r), float(g), float(b), alpha
    m = _RX.func_color.fullmatch(value)
    if m:
        args = [a for a in _RX.color_args_split.split(m.group(2).strip()) if a]
        try:
            numbers = [float(a.rstrip("%")) for a in args]
        except ValueError:
            return None
        if len(numbers) < 3:
            return None
        alpha = numbers[3] / (100.0 if args[3].endswith("%") else 1.0) if len(numbers) > 3 else 1.0
        if m.group(1).startswith("rgb"):
            red, green, blue = (
                v * 2.55 if a.endswith("%") else v for v, a in zip(numbers, args[:3], strict=False)
            )
            return red, green, blue, alpha
        lightness = numbers[2]
        return (255.0,) * 3 + (alpha,) if lightness >= 95 else (0.0, 0.0, 0.0, alpha)
    return None


def _whitish(rgba: tuple[float, float, float, float]) -> bool:
    return min(rgba[:3]) >= 240


def _style_kind(style: str) -> str | None:
    d = _declarations(style)
    if not d:
        return None
    if d.get("display") == "none" or d.get("visibility") in ("hidden", "collapse"):
        return "css_hidden"
    opacity = _length(d.get("opacity", "1"))
    if opacity is not None and opacity[0] <= (5.0 if opacity[1] == "%" else 0.05):
        return "css_hidden"
    if _tiny(d.get("font-size", "1em")):
        return "css_hidden"
    color = _channels(d.get("color", ""))
    if color is not None and (color[3] <= 0.05 or (_whitish(color) and not _dark_background(d))):
        return "css_hidden"
    overflow = d.get("overflow", "") + d.get("overflow-x", "") + d.get("overflow-y", "")
    if "hidden" in overflow or "clip" in overflow:
        for prop in ("width", "height", "max-width", "max-height"):
            length = _length(d.get(prop, "auto"))
            if length is not None and length[0] <= 0:
                return "zero_size"
    if _RX.scale_zero.search(d.get("transform", "")):
        return "zero_size"
    if _RX.clip_zero.search(d.get("clip", "") + d.get("clip-path", "")):
        return "zero_size"
    props = ["text-indent"]
    if d.get("position") in ("absolute", "fixed"):
        props += ["left", "top", "margin-left", "margin-top"]
    for prop in props:
        length = _length(d.get(prop, "0"))
        if length is not None:
            number, unit = length
            if number <= (-50.0 if unit in ("em", "rem", "%", "vw", "vh") else -500.0):
                return "offscreen"
    return None


def _dark_background(d: dict[str, str]) -> bool:
    """Whether the declarations set a background that is not white (white text then shows)."""
    for prop in ("background-color", "background"):
        value = d.get(prop)
        if not value:
            continue
        if "url(" in value or "gradient(" in value:
            return True
        for token in _RX.background_word.findall(value):
            rgba = _channels(token)
            if rgba is not None and not _whitish(rgba) and rgba[3] > 0.05:
                return True
            if rgba is None and token.isalpha() and token not in _NON_COLOR_WORDS:
                return True  # a named color other than white
    return False


_NON_COLOR_WORDS: Final = frozenset(
    ("none", "repeat", "no", "repeat-x", "repeat-y", "fixed", "scroll", "local", "center", "top",
     "bottom", "left", "right", "cover", "contain", "auto", "inherit", "initial", "unset",
     "border-box", "padding-box", "content-box", "transparent", "white")
)  # fmt: skip


# -- Markdown --------------------------------------------------------------------------------------


def _scan_markdown(text: str, spans: list[tuple[int, int, str]]) -> None:
    if "![" in text:
        for m in _RX.md_image_alt.finditer(text):
            spans.append((*m.span(1), "alt_text"))
    if "](" in text:
        for m in _RX.md_title.finditer(text):
            group = next(g for g in (1, 2, 3) if m.group(g) is not None)
            spans.append((*m.span(group), "title_attr"))
    if "]:" in text:
        for m in _RX.md_reference.finditer(text):
            group = next(g for g in (2, 3, 4) if m.group(g) is not None)
            kind = "markdown_comment" if m.group(1) in ("#", "<>") else "title_attr"
            spans.append((*m.span(group), kind))


# -- code comments ---------------------------------------------------------------------------------

_COMMENT_LEAD: Final = " \t\n;{}()"


def _scan_code(text: str, spans: list[tuple[int, int, str]]) -> None:
    if "/*" in text:
        pos = 0
        while (start := text.find("/*", pos)) >= 0:
            close = text.find("*/", start + 2)
            if close < 0:
                break  # an unclosed "/*" is more likely a path glob than a comment
            spans.append((start + 2, close, "code_comment"))
            pos = close + 2
    if "//" in text:
        _line_comments(text, _RX.slashes, spans, inline_hash=False)
    if "#" not in text:
        return
    _line_comments(text, _RX.hash, spans, inline_hash=True)
    if "```" in text or "~~~" in text:
        fences = list(_RX.fence.finditer(text))
        i = 0
        while i < len(fences):
            opening = fences[i]
            j = next((k for k in range(i + 1, len(fences))
                      if fences[k].group(1) == opening.group(1)), None)  # fmt: skip
            body_end = len(text) if j is None else fences[j].start()
            for m in _RX.fenced_hash.finditer(text, opening.end(), body_end):
                spans.append((*m.span(1), "code_comment"))
            if j is None:
                break
            i = j + 1


def _line_comments(
    text: str, marker: re.Pattern[str], spans: list[tuple[int, int, str]], *, inline_hash: bool
) -> None:
    """Add ``//`` comments (after whitespace or code punctuation, not in ``http://``) or ``#``
    comments that follow code on their line after two spaces (``x = 1  # note``)."""
    n = len(text)
    pos = 0
    line_end = -1  # the line of the last candidate, computed once per line
    code_start = 0
    while (m := marker.search(text, pos)) is not None:
        start = m.start()
        if inline_hash:
            if start > line_end:
                line_start = text.rfind("\n", 0, start) + 1
                line_end = text.find("\n", start)
                line_end = n if line_end < 0 else line_end
                first = _RX.non_space.search(text, line_start, line_end)
                code_start = first.start() if first else line_end
            ok = code_start < start - 2 and text[start - 2 : start].isspace()
        else:
            ok = start == 0 or text[start - 1] in _COMMENT_LEAD
        if not ok:
            pos = m.end()
            continue
        eol = text.find("\n", m.end())
        eol = n if eol < 0 else eol
        spans.append((m.end(), eol, "code_comment"))
        pos = eol
