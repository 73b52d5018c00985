"""Rewrite HTML to an allowlist of tags, attributes and URL schemes, on bleach or nh3.

Model output rendered as HTML is a cross-site-scripting vector like any user input. ``SanitizeHtml``
keeps a small, chat-friendly set of formatting tags and drops everything that runs code or loads
resources: script and style (with their contents), event handlers, ``javascript:``/``data:`` URLs,
embedded documents, forms and comments. Both backends get the same allowlist and the same value
checks, and the test suite runs one attack table against each.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from guardkit._errors import ConfigError
from guardkit.validators._links import _check_domains, _check_name, _Rules

__all__ = ["DEFAULT_ATTRIBUTES", "DEFAULT_PROTOCOLS", "DEFAULT_TAGS", "SanitizeHtml"]


@functools.cache
def _re(pattern: str) -> re.Pattern[str]:
    """Compile *pattern* on first use: importing the module compiles nothing."""
    return re.compile(pattern)


# fmt: off
#: Tags kept by default: text formatting, lists, headings, code, quotes, tables, links.
DEFAULT_TAGS: frozenset[str] = frozenset(
    (
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
        "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li",
        "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary",
        "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    )
)

#: Attributes kept by default, per tag. ``class`` values must be ``language-*``/``lang-*`` names.
DEFAULT_ATTRIBUTES: Mapping[str, frozenset[str]] = {
    "a": frozenset(("href", "title")),
    "abbr": frozenset(("title",)),
    "code": frozenset(("class",)),
    "pre": frozenset(("class",)),
    "span": frozenset(("class",)),
    "ol": frozenset(("start",)),
    "th": frozenset(("align", "colspan", "rowspan", "scope")),
    "td": frozenset(("align", "colspan", "rowspan")),
    "details": frozenset(("open",)),
}

#: URL schemes kept by default in ``href``; relative URLs are kept too.
DEFAULT_PROTOCOLS: frozenset[str] = frozenset(("http", "https", "mailto"))

#: Removed together with everything inside them (not only the tags).
_DROP_CONTENT = frozenset(
    (
        "script", "style", "template", "noscript", "iframe", "frame", "frameset", "object",
        "embed", "applet", "noembed", "noframes", "xmp", "textarea", "title", "svg", "math",
        "select", "head",
    )
)
#: Never allowed: they run code, load resources, submit data or change how the rest parses.
_FORBIDDEN_TAGS = _DROP_CONTENT | frozenset(
    (
        "base", "meta", "link", "form", "input", "button", "option", "param", "video", "audio",
        "source", "track", "picture", "image", "portal", "html", "body", "plaintext", "isindex",
        "keygen", "listing", "marquee", "dialog",
    )
)
#: Never allowed as attributes, on any tag (plus every ``on*`` event handler).
_FORBIDDEN_ATTRS = frozenset(
    (
        "style", "srcdoc", "srcset", "imagesrcset", "formaction", "action", "background",
        "xlink:href", "ping", "poster", "dynsrc", "lowsrc", "data", "http-equiv", "content",
        "is", "xmlns", "autofocus", "form", "codebase", "archive", "manifest", "icon",
    )
)
#: Attributes whose value is a URL (or, for the list-valued ones, URLs): a scheme off the list
#: removes the attribute, whichever of them the allowlist holds.
_URL_ATTRS = frozenset(
    (
        "href", "src", "cite", "action", "formaction", "poster", "background", "longdesc",
        "xlink:href", "xml:base", "codebase", "classid", "data", "datasrc", "dynsrc", "lowsrc",
        "usemap", "manifest", "icon", "profile", "itemid", "itemtype", "ping", "archive",
    )
)
#: URL attributes that hold a whitespace-separated list of URLs.
_URL_LIST_ATTRS = frozenset(("itemtype", "ping", "archive"))
_HREF_TAGS = frozenset(("a", "area"))
_CITE_TAGS = frozenset(("blockquote", "q", "del", "ins"))
_BACKENDS = ("auto", "bleach", "nh3")

#: Estimated nesting above which the text is escaped instead of parsed: both parsers slow down
#: quadratically on very deep trees (nh3 takes minutes at 100,000 levels).
MAX_NESTING = 512
#: Attributes on one tag above which the text is escaped instead of parsed (bleach is quadratic
#: in them: 18 s for 10,000).
MAX_ATTRIBUTES = 256
_VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr", "frame", "keygen")
)
# fmt: on
_TAG = r"<(/?)([A-Za-z][^\s/>]*)"
_LONG_TAG = r"<[A-Za-z][^<>]{512,}"
_SURROGATE = "[\ud800-\udfff]"
_CLASS_TOKEN = r"(?:language|lang)-[A-Za-z0-9_+#.\-]{1,40}"
_DATA_IMAGE = r"(?i)data:image/(?:png|gif|jpeg|jpg|webp|bmp|avif);base64,[A-Za-z0-9+/=\s]*\Z"
_URL_NOISE = r"[\x00-\x20\x7f-\xa0\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]+"
_SCHEME = r"([a-z][a-z0-9+.\-]*):"
_REFERENCE = r"&(?:#([xX][0-9A-Fa-f]+|[0-9]+)|([A-Za-z][A-Za-z0-9]*)|(#))(;?)"


def _hostile(text: str) -> bool:
    """Whether the markup may nest deeper than :data:`MAX_NESTING` or give a tag more than
    :data:`MAX_ATTRIBUTES` attributes (cheap over-estimates)."""
    for m in _re(_LONG_TAG).finditer(text):
        if len(m.group().split()) > MAX_ATTRIBUTES:
            return True
    if text.count("<") <= MAX_NESTING:
        return False
    depth = 0
    for m in _re(_TAG).finditer(text):
        if m.group(1):
            depth = max(0, depth - 1)
        elif m.group(2).lower() not in _VOID:
            depth += 1
            if depth > MAX_NESTING:
                return True
    return False


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@functools.cache
def _named_references() -> tuple[dict[str, str], frozenset[str]]:
    """HTML's named character references (``"amp;": "&"``), and the legacy names that browsers
    also decode without their ``;`` (``amp``, ``lt``, ``copy``, ...; 2 to 6 characters)."""
    from html.entities import html5

    return html5, frozenset(name for name in html5 if not name.endswith(";"))


def _terminate(text: str, *, attribute: bool) -> str:
    """*text* with its character references written the way bleach keeps them as they are.

    bleach keeps references as written but reads only those ending in ``;``: ``&amp co`` would
    come back as ``&amp;amp co``, which shows ``&amp co`` where the browser showed ``& co``.
    Browsers decode a numeric reference without ``;``, and the longest legacy name at the
    ``&`` (``&notit;`` is ``&not;it;``) except, inside an attribute value, when a letter, digit or
    ``=`` follows the name: those get their ``;``. In attribute values bleach also reads only the
    legacy names and the numbers of actual characters, so the other names (``&hellip;``) are
    written as numeric references, and numbers beyond Unicode (or 0) as U+FFFD, which is what
    browsers show for them. In text, bleach misreads ``&#`` without digits (``&#xx;`` would come
    back as ``&#x;;``): that ``&`` is written ``&amp;``.
    """
    if "&" not in text:
        return text
    html5, legacy = _named_references()

    def fix(m: re.Match[str]) -> str:
        number, name, lone, semicolon = m.groups()
        if lone is not None:
            return m.group() if attribute else "&amp;" + m.group()[1:]
        if number is not None:
            if attribute:
                digits, base = (number[1:], 16) if number[0] in "xX" else (number, 10)
                if len(digits.lstrip("0")) > 7 or not 0 < int(digits, base) < 0x110000:
                    return "&#65533;"
            return m.group() if semicolon else m.group() + ";"
        if semicolon and name + ";" in html5:
            if attribute and name not in legacy:
                return "".join(f"&#{ord(c)};" for c in html5[name + ";"])
            return m.group()
        for end in range(min(len(name), 6), 1, -1):
            if name[:end] in legacy:
                if attribute and (end < len(name) or text.startswith("=", m.end())):
                    return m.group()
                return f"&{name[:end]};{name[end:]}{semicolon}"
        return m.group()

    return _re(_REFERENCE).sub(fix, text)


def _terminate_references(tokens: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Apply :func:`_terminate` to the text and attribute values of an html5lib token stream.

    Only bleach needs it, and its parser never leaves text undecoded by accident: it parses
    raw-text elements (script, style, xmp, ...) only to drop them with their contents, and
    turns every other tag off the allowlist into plain text, so all text it keeps was read in
    the state where browsers decode references.
    """
    for token in tokens:
        kind = token["type"]
        data: Any = token.get("data")
        if kind == "Characters" and "&" in data:
            yield {**token, "data": _terminate(data, attribute=False)}
        elif kind in ("StartTag", "EmptyTag") and data and any("&" in v for v in data.values()):
            terminated = ((key, _terminate(value, attribute=True)) for key, value in data.items())
            yield {**token, "data": type(data)(terminated)}
        else:
            yield token


@functools.cache
def _foster_safe(element: Any) -> Any:
    """html5lib's etree element class, with ``insertBefore`` keeping the child list in step.

    The parser puts content misplaced in a table before the table (foster parenting:
    ``<table><b>x</b><tr>`` puts the ``b`` first) with ``insertBefore``, which updates the
    element tree but not the list of children that parsing a fragment moves to the result:
    without this, such content is lost when the table is at the top level.
    """
    insert_before = element.insertBefore

    def insertBefore(self: Any, node: Any, ref: Any) -> None:  # noqa: N802 - html5lib's name
        if ref is None:
            self.appendChild(node)
            return
        insert_before(self, node, ref)
        children = self._childNodes
        children.insert(children.index(ref), node)

    return type(element.__name__, (element,), {"insertBefore": insertBefore})


class _Runaway(Exception):
    """html5lib's parser went on far longer than any text of this length needs."""


#: Scope checks html5lib may make per character of the text before the parse is abandoned as
#: an endless loop; ordinary and hostile markup alike stay below 3.
_SCOPE_CHECKS_PER_CHAR = 8


def _bounded(tree: Any, budget: list[int]) -> None:
    """Make *tree* (an html5lib tree builder) raise :class:`_Runaway` once its scope checks
    exceed ``budget[0]``.

    html5lib loops forever on some table markup that holds foreign content
    (``<table><thead><math><tfoot></table>``): it reprocesses the same end tag, each time
    checking the scope and changing nothing. Every round checks the scope, so a budget
    proportional to the text ends the loop.
    """
    in_scope = tree.elementInScope

    def elementInScope(target: Any, variant: Any = None) -> Any:  # noqa: N802 - html5lib's name
        budget[0] -= 1
        if budget[0] < 0:
            raise _Runaway
        return in_scope(target, variant)

    tree.elementInScope = elementInScope


def _drop_content(tokens: Iterable[dict[str, Any]], drop: frozenset[str]) -> Iterator[dict[str, Any]]:
    """Drop the elements named in *drop* from an html5lib token stream, with their contents."""
    depth = 0
    for token in tokens:
        kind = token["type"]
        if depth:
            if kind == "StartTag":
                depth += 1
            elif kind == "EndTag":
                depth -= 1
            continue
        if kind in ("StartTag", "EmptyTag") and token.get("name", "").lower() in drop:
            depth = 1 if kind == "StartTag" else 0
            continue
        yield token


class _Bleach:
    """The bleach pipeline with extra steps: drop script/style/... elements with contents, give
    character references their ``;`` (:func:`_terminate_references`), keep content that tables
    move (:func:`_foster_safe`) and bound the parser's work (:func:`_bounded`).

    bleach's parser is not thread-safe, so each thread gets its own parser and serializer.
    """

    __slots__ = ("_attributes", "_drop", "_local", "_parse_tags", "_protocols", "_tags")

    def __init__(
        self,
        tags: frozenset[str],
        attributes: Any,
        protocols: frozenset[str],
        drop: frozenset[str],
    ) -> None:
        import bleach.sanitizer  # noqa: F401 - heavy (html5lib); loaded only when used

        self._tags = tags
        self._attributes = attributes
        self._protocols = protocols
        self._drop = drop
        # The dropped elements must parse as elements (script as raw text, svg as foreign
        # content) for their contents to be found; the sanitizer then never sees them.
        self._parse_tags = tags | drop
        self._local = threading.local()

    def _parts(self) -> tuple[Any, Any, Any, list[int]]:
        parts = getattr(self._local, "parts", None)
        if parts is None:
            from bleach import html5lib_shim

            parser = html5lib_shim.BleachHTMLParser(
                tags=self._parse_tags,
                strip=True,
                consume_entities=False,
                namespaceHTMLElements=False,
            )
            parser.tree.elementClass = _foster_safe(parser.tree.elementClass)
            budget = [0]
            _bounded(parser.tree, budget)
            walker = html5lib_shim.getTreeWalker("etree")
            serializer = html5lib_shim.BleachHTMLSerializer(
                quote_attr_values="always",
                omit_optional_tags=False,
                escape_lt_in_attrs=True,
                resolve_entities=False,
                sanitize=False,
                alphabetical_attributes=False,
            )
            parts = self._local.parts = (parser, walker, serializer, budget)
        return parts

    def clean(self, text: str) -> str:
        from bleach.sanitizer import BleachSanitizerFilter

        parser, walker, serializer, budget = self._parts()
        budget[0] = _SCOPE_CHECKS_PER_CHAR * len(text) + 256
        try:
            dom = parser.parseFragment(text)
        except _Runaway:
            self._local.parts = None  # a parser stopped midway is not reused
            return _escape(text)
        filtered = BleachSanitizerFilter(
            source=_terminate_references(_drop_content(walker(dom), self._drop)),
            allowed_tags=self._tags,
            attributes=self._attributes,
            allowed_protocols=self._protocols,
            strip_disallowed_tags=True,
            strip_html_comments=True,
            css_sanitizer=None,
        )
        return str(serializer.render(filtered))


class SanitizeHtml:
    """Rewrite HTML so that only an allowlist of tags, attributes and URL schemes remains.

    Disallowed tags are removed and their text kept, except for elements that only make sense
    as code or embedded documents (``script``, ``style``, ``template``, ``noscript``,
    ``iframe``, ``object``, ``embed``, ``svg``, ``math``, ``textarea``, ``title`` ...), which are
    removed with everything inside them. Comments (and so ``<![CDATA[`` and conditional-comment
    tricks) are removed. Attributes are kept only when allowed for their tag; URL attributes only
    with an allowed scheme or a relative URL (entities, tabs and newlines inside the scheme are
    decoded first, as browsers do). ``class`` values must be ``language-*``/``lang-*`` names.
    Images are off unless *image_domains* names hosts they may load from or *allow_data_images*
    is set, and then only ``src``, ``alt``, ``title``, ``width`` and ``height`` are kept.

    Text without ``<`` cannot contain markup (a character reference decodes to text, never to a
    tag), so it is returned as it is, ``&`` and entities included. Otherwise the text is parsed
    and serialized again, so equivalent markup may be normalized (quotes, ``&amp;``, ``&gt;``).
    Markup nested deeper than :data:`MAX_NESTING` levels, or with a tag of more than
    :data:`MAX_ATTRIBUTES` attributes (both by cheap over-estimates), is escaped as a whole
    instead of parsed: the parsers slow down quadratically on such input.
    Lone surrogates become U+FFFD. ``clean`` is idempotent and returns *text* itself when
    nothing changed.

    Args:
        tags: Tags to keep. Tags that run code or load resources are refused.
        attributes: Attributes to keep, per tag (``"*"`` for every kept tag). Event handlers,
            ``style`` and other resource-loading attributes are refused.
        protocols: URL schemes allowed in ``href``, ``cite`` and every other URL attribute.
        allow_data_images: Keep ``<img src="data:image/...;base64,...">`` (raster types only).
        image_domains: Hosts ``<img>`` may load from over http(s); an entry covers its
            subdomains. Images are removed when this is empty and data images are off.
        backend: ``"bleach"``, ``"nh3"``, or ``"auto"`` (nh3 when installed, else bleach).
        name: Name reported for this sanitizer.

    Raises:
        ConfigError: An argument is malformed, allows something unsafe, or names a backend
            that is not installed.

    >>> SanitizeHtml().clean('<p onclick="steal()">Hi <script>alert(1)</script><b>there</b></p>')
    '<p>Hi <b>there</b></p>'

    .. versionadded:: 0.1
    """

    __slots__ = (
        "_attributes",
        "_backend",
        "_image_rules",
        "allow_data_images",
        "backend",
        "image_domains",
        "name",
        "protocols",
        "tags",
    )

    def __init__(
        self,
        *,
        tags: Iterable[str] = DEFAULT_TAGS,
        attributes: Mapping[str, Iterable[str]] = DEFAULT_ATTRIBUTES,
        protocols: Iterable[str] = DEFAULT_PROTOCOLS,
        allow_data_images: bool = False,
        image_domains: Iterable[str] = (),
        backend: str = "auto",
        name: str = "sanitize_html",
    ) -> None:
        self.name = _check_name(name)
        if not isinstance(allow_data_images, bool):
            raise ConfigError("allow_data_images must be a bool")
        self.allow_data_images = allow_data_images
        any_host, hosts = _check_domains(image_domains, "image_domains")
        if any_host:
            raise ConfigError("image_domains: '*' would let images load from any host")
        self.image_domains = hosts
        self._image_rules = (
            _Rules(
                allow_domains=(),
                image_domains=hosts,
                allow_schemes=("https", "http"),
                max_query_data=32,
                max_length=2048,
            )
            if hosts
            else None
        )
        self.tags = self._check_tags(tags)
        self._attributes = self._check_attributes(attributes)
        self.protocols = self._check_protocols(protocols)
        if hosts or allow_data_images:
            self.tags = self.tags | {"img"}
            self._attributes = {
                **self._attributes,
                "img": frozenset(("src", "alt", "title", "width", "height")),
            }
        if backend not in _BACKENDS:
            raise ConfigError(f"backend must be one of {', '.join(_BACKENDS)}, got {backend!r}")
        drop = _DROP_CONTENT - self.tags
        schemes = self.protocols | ({"data"} if allow_data_images else set())
        self._backend: Any
        if backend in ("auto", "nh3"):
            try:
                import nh3
            except ImportError:
                if backend == "nh3":
                    raise ConfigError(
                        "backend='nh3' needs the nh3 package: pip install 'guardkit[fast-html]'"
                    ) from None
            else:
                self.backend = "nh3"
                self._backend = nh3.Cleaner(
                    tags=set(self.tags),
                    clean_content_tags=set(drop),
                    # "*" always given: without it nh3 keeps its own generic lang and title.
                    attributes={"*": set(), **{t: set(n) for t, n in self._attributes.items()}},
                    attribute_filter=self._nh3_filter,
                    strip_comments=True,
                    link_rel=None,
                    url_schemes=set(schemes),
                )
                return
        try:
            self._backend = _Bleach(self.tags, self._bleach_filter, frozenset(schemes), drop)
        except ImportError:
            raise ConfigError("backend='bleach' needs the bleach package") from None
        self.backend = "bleach"

    @staticmethod
    def _check_tags(tags: Iterable[str]) -> frozenset[str]:
        if isinstance(tags, str):
            raise ConfigError("tags must be a collection of tag names, not one string")
        out = set()
        for tag in tags:
            if not isinstance(tag, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", tag):
                raise ConfigError(f"tags: {tag!r} is not a tag name")
            lowered = tag.lower()
            if lowered in _FORBIDDEN_TAGS:
                raise ConfigError(f"tags: {lowered!r} cannot be allowed safely")
            if lowered == "img":
                raise ConfigError("tags: enable images with image_domains= or allow_data_images=")
            out.add(lowered)
        return frozenset(out)

    def _check_attributes(self, attributes: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
        if not isinstance(attributes, Mapping):
            raise ConfigError("attributes must be a mapping of tag name to attribute names")
        out: dict[str, frozenset[str]] = {}
        for raw_tag, names in attributes.items():
            if not isinstance(raw_tag, str) or isinstance(names, str):
                raise ConfigError("attributes must map tag names to collections of names")
            tag = raw_tag.lower()
            checked = set()
            for name in names:
                if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][\w:.\-]*", name):
                    raise ConfigError(f"attributes: {name!r} is not an attribute name")
                lowered = name.lower()
                if lowered.startswith("on") or lowered in _FORBIDDEN_ATTRS:
                    raise ConfigError(f"attributes: {lowered!r} cannot be allowed safely")
                if lowered == "href" and tag not in _HREF_TAGS:
                    raise ConfigError("attributes: 'href' is allowed only on 'a' and 'area'")
                if lowered == "cite" and tag not in _CITE_TAGS:
                    raise ConfigError("attributes: 'cite' is allowed only on quote and edit tags")
                if lowered == "src":
                    raise ConfigError("attributes: enable images with image_domains= instead")
                checked.add(lowered)
            out[tag] = frozenset(checked)
        return out

    @staticmethod
    def _check_protocols(protocols: Iterable[str]) -> frozenset[str]:
        if isinstance(protocols, str):
            raise ConfigError("protocols must be a collection of scheme names, not one string")
        out = set()
        for scheme in protocols:
            if not isinstance(scheme, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*", scheme):
                raise ConfigError(f"protocols: {scheme!r} is not a URL scheme name")
            lowered = scheme.lower()
            if lowered in ("javascript", "vbscript", "data", "livescript", "file", "jar"):
                raise ConfigError(f"protocols: {lowered!r} cannot be allowed safely")
            out.add(lowered)
        return frozenset(out)

    def _value_ok(self, tag: str, name: str, value: str) -> bool:
        """Value checks both backends share (names were already allowlisted)."""
        if name == "class":
            tokens = value.split()
            return bool(tokens) and all(_re(_CLASS_TOKEN).fullmatch(t) for t in tokens)
        if name not in _URL_ATTRS:
            return True
        if name == "src":
            if _re(_URL_NOISE).sub("", value).lower().startswith("data:"):
                return self.allow_data_images and bool(_re(_DATA_IMAGE).match(value.strip()))
            return self._image_rules is not None and not self._image_rules.judge_url(value, fetch=True)
        urls = value.split() if name in _URL_LIST_ATTRS else (value,)
        return all(self._scheme_ok(url) for url in urls)

    def _scheme_ok(self, url: str) -> bool:
        """Whether *url* is relative or has a scheme on the list. Characters a browser skips or
        drops (control characters, whitespace, zero-width ones) are removed before the scheme is
        read, so ``java&#x09;script:`` is ``javascript:``."""
        m = _re(_SCHEME).match(_re(_URL_NOISE).sub("", url).lower())
        return m is None or m.group(1) in self.protocols

    def _allowed(self, tag: str, name: str) -> bool:
        names = self._attributes.get(tag)
        star = self._attributes.get("*")
        return (names is not None and name in names) or (star is not None and name in star)

    def _bleach_filter(self, tag: str, name: str, value: str) -> bool:
        if not self._allowed(tag, name):
            return False
        if "&" in value:
            import html

            value = html.unescape(value)
        return self._value_ok(tag, name, value)

    def _nh3_filter(self, tag: str, name: str, value: str) -> str | None:
        return value if self._value_ok(tag, name, value) else None

    def __repr__(self) -> str:
        return (
            f"SanitizeHtml(backend={self.backend!r}, tags=<{len(self.tags)} tags>, "
            f"protocols={sorted(self.protocols)!r}, allow_data_images={self.allow_data_images}, "
            f"image_domains={sorted(self.image_domains)!r}, name={self.name!r})"
        )

    def clean(self, text: str, /) -> str:
        """Return *text* with everything outside the allowlist removed (*text* itself if clean)."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.clean() takes a str, got {type(text).__name__}")
        if "<" not in text:
            return text
        work = _re(_SURROGATE).sub("\ufffd", text)
        if _hostile(work):
            result = _escape(work)
        else:
            # Serializing can produce markup that parses differently (an <h6> inside an <h1>
            # moves out of it); sanitize again until the output is stable, so that clean() is
            # idempotent. Two passes are the rule, a third is rare.
            result = self._backend.clean(work)
            for _ in range(3):
                if result == work or "<" not in result:
                    break
                work, result = result, self._backend.clean(result)
            else:
                result = _escape(result)
        return text if result == text else result
