"""Judge sanitized HTML by parsing it, never by string search.

``violations(html, allowed)`` parses *html* twice, with the standard library's ``HTMLParser`` and with
html5lib (the browser parsing algorithm, vendored by bleach), and lists every tag, attribute, URL
scheme, comment or declaration that the allowlist does not permit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

URL_ATTRS = frozenset(
    (
        "href", "src", "cite", "action", "formaction", "xlink:href", "poster", "background",
        "srcset", "data", "ping", "lowsrc", "dynsrc", "codebase", "archive", "longdesc", "manifest",
        "icon", "content",
    )
)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_STRIP = "".join(chr(c) for c in range(33))


def url_scheme(value: str) -> str | None:
    """The scheme a browser would read from an attribute value (already entity-decoded)."""
    url = re.sub(r"[\t\n\r]", "", value.strip(_STRIP))
    m = _SCHEME.match(url)
    return m.group(1).lower() if m else None


@dataclass
class Allowed:
    """What may appear in sanitized output."""

    tags: frozenset[str]
    attributes: dict[str, frozenset[str]]
    schemes: frozenset[str] = frozenset(("http", "https", "mailto"))
    image_schemes: frozenset[str] = frozenset()
    extra: dict[str, frozenset[str]] = field(default_factory=dict)

    def attribute_ok(self, tag: str, name: str) -> bool:
        return name in self.attributes.get(tag, frozenset()) or name in self.attributes.get(
            "*", frozenset()
        )


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.other.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.other.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.other.append("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.other.append("cdata/unknown declaration")


def _check_tag(
    tag: str, attrs: list[tuple[str, str | None]], allowed: Allowed, where: str
) -> list[str]:
    found = []
    if tag not in allowed.tags:
        found.append(f"{where}: tag <{tag}>")
    for raw_name, value in attrs:
        name = raw_name.lower()
        if name.startswith("on"):
            found.append(f"{where}: event handler {name} on <{tag}>")
        elif not allowed.attribute_ok(tag, name):
            found.append(f"{where}: attribute {name} on <{tag}>")
        if name in URL_ATTRS and value:
            scheme = url_scheme(value)
            ok = allowed.image_schemes if (tag, name) == ("img", "src") else allowed.schemes
            if scheme is not None and scheme not in ok:
                found.append(f"{where}: scheme {scheme}: in {name} of <{tag}>")
    return found


def _html5lib_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    from bleach._vendor import html5lib  # browser-grade parsing, shipped with bleach

    root = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    out = []
    stack = list(root)
    while stack:
        element = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else "<comment>"
        if "}" in tag:  # foreign element: {namespace}name
            tag = "foreign:" + tag.split("}", 1)[1]
        attrs = [(k.split("}", 1)[-1], v) for k, v in element.attrib.items()]
        out.append((tag.lower(), attrs))
        stack.extend(element)
    return out


def violations(html: str, allowed: Allowed, *, browser: bool = True) -> list[str]:
    """Everything in *html* that *allowed* does not permit (empty when the output is safe).

    ``browser=False`` skips the (slow) html5lib parse, for very large outputs.
    """
    collector = _Collector()
    collector.feed(html)
    collector.close()
    found = [f"htmlparser: {what}" for what in collector.other]
    for tag, attrs in collector.tags:
        found.extend(_check_tag(tag, attrs, allowed, "htmlparser"))
    if browser:
        for tag, attrs in _html5lib_tags(html):
            found.extend(_check_tag(tag, attrs, allowed, "html5lib"))
    return found
