"""SanitizeHtml: schemes in every URL attribute, content that tables move, character references
without ";", and html5lib's endless loop, on both backends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from _htmlcheck import url_scheme
from _xss_vectors import VECTORS
from bleach._vendor import html5lib

from guardkit.sanitizers._html import SanitizeHtml

BACKENDS = ["bleach", "nh3"]
ROOT = Path(__file__).resolve().parents[2]


def _parse(html: str) -> object:
    return html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)


def _attributes(html: str) -> list[tuple[str, str, str]]:
    """(tag, attribute, value) of every element, as a browser parses *html*."""
    return [(el.tag, k, v) for el in _parse(html).iter() for k, v in el.attrib.items()]  # type: ignore[attr-defined]


def _rendered(html: str) -> str:
    """The text a browser shows for *html*, and the attribute values it reads, in order."""
    parts: list[str] = []
    for el in _parse(html).iter():  # type: ignore[attr-defined]
        parts.extend(f"[{k}={v}]" for k, v in sorted(el.attrib.items()))
        if el.text:
            parts.append(el.text)
        if el.tail:
            parts.append(el.tail)
    return "".join(parts)


# -- URL attributes ------------------------------------------------------------------------------

URL_ATTRIBUTES = {
    "blockquote": ["cite"],
    "q": ["cite"],
    "del": ["cite"],
    "ins": ["cite"],
    "div": ["longdesc", "usemap", "itemid", "itemtype", "xml:base", "profile"],
}
HOSTILE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java&#x09;script:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript&colon;alert(1)",
    "\x01javascript:alert(1)",
    " vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize(("tag", "name"), [(t, n) for t, names in URL_ATTRIBUTES.items() for n in names])
def test_off_list_scheme_removed_from_every_url_attribute(
    backend: str, url: str, tag: str, name: str
) -> None:
    """Whichever URL attribute the allowlist holds, an off-list scheme removes it."""
    sanitizer = SanitizeHtml(backend=backend, attributes=URL_ATTRIBUTES)
    cleaned = sanitizer.clean(f'<{tag} {name}="{url}">x</{tag}>')
    assert _attributes(cleaned) == []
    assert cleaned == f"<{tag}>x</{tag}>"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "url", ["https://example.com/a", "/relative:path", "page.html#x", "mailto:a@example.com"]
)
def test_allowed_and_relative_urls_are_kept(backend: str, url: str) -> None:
    """Listed schemes and relative URLs stay, in cite and the other URL attributes alike."""
    sanitizer = SanitizeHtml(backend=backend, attributes=URL_ATTRIBUTES)
    html = f'<blockquote cite="{url}">q</blockquote><div longdesc="{url}">d</div>'
    assert sanitizer.clean(html) == html


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_url_of_a_list_attribute_is_checked(backend: str) -> None:
    """In a list-valued URL attribute, one off-list scheme removes the attribute."""
    sanitizer = SanitizeHtml(backend=backend, attributes=URL_ATTRIBUTES)
    kept = '<div itemtype="https://schema.org/A https://schema.org/B">x</div>'
    assert sanitizer.clean(kept) == kept
    assert (
        sanitizer.clean('<div itemtype="https://schema.org/A javascript:alert(1)">x</div>') == "<div>x</div>"
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_protocols_apply_to_cite(backend: str) -> None:
    """The protocols option decides for cite as for href."""
    sanitizer = SanitizeHtml(backend=backend, attributes=URL_ATTRIBUTES, protocols=["https"])
    assert sanitizer.clean('<q cite="http://example.com/">q</q>') == "<q>q</q>"
    assert sanitizer.clean('<q cite="https://example.com/">q</q>') == '<q cite="https://example.com/">q</q>'


def test_backends_agree_on_url_attributes() -> None:
    """Both backends keep and remove the same URL attributes."""
    nh3 = SanitizeHtml(backend="nh3", attributes=URL_ATTRIBUTES)
    bleach = SanitizeHtml(backend="bleach", attributes=URL_ATTRIBUTES)
    for url in [*HOSTILE_URLS, "https://example.com/", "/x", "ftp://example.com/", "tel:123"]:
        for tag, names in URL_ATTRIBUTES.items():
            for name in names:
                html = f'<{tag} {name}="{url}">x</{tag}>'
                kept = [(a, url_scheme(v)) for _, a, v in _attributes(nh3.clean(html))]
                assert kept == [(a, url_scheme(v)) for _, a, v in _attributes(bleach.clean(html))]
                assert all(scheme in (None, "http", "https", "mailto") for _, scheme in kept)


# -- content a table moves -----------------------------------------------------------------------

FOSTERED = {
    "<table><b>important</b><tr><td>x</td></tr></table>": (
        "<b>important</b><table><tbody><tr><td>x</td></tr></tbody></table>"
    ),
    "a<table>b<tr><td>x</td></tr>c</table>d": "abc<table><tbody><tr><td>x</td></tr></tbody></table>d",
    "<table><b>1</b><i>2</i>text<tr><td>x</td></tr></table>": (
        "<b>1</b><i>2</i>text<table><tbody><tr><td>x</td></tr></tbody></table>"
    ),
    "<table><tr><td>x</td></tr><p>late</p></table>": (
        "<p>late</p><table><tbody><tr><td>x</td></tr></tbody></table>"
    ),
    "<b><table><i>x</i><tr><td>y</td></tr></table></b>": (
        "<b><i>x</i><table><tbody><tr><td>y</td></tr></tbody></table></b>"
    ),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("html", sorted(FOSTERED))
def test_content_a_table_moves_is_kept(backend: str, html: str) -> None:
    """Content misplaced in a table goes before it, as in a browser, and is not lost."""
    sanitizer = SanitizeHtml(backend=backend)
    cleaned = sanitizer.clean(html)
    assert cleaned == FOSTERED[html]
    assert sanitizer.clean(cleaned) == cleaned


# -- character references without ";" ------------------------------------------------------------

REFERENCES = [
    "<p>AT&T &amp co</p>",
    "<p>&notit; &ampamp; &copy2024 &#38 x &#x26abc &lt &LT; &AMP &frac34x &am; &bogus;</p>",
    "<p>&#0 &#xD800 &#99999999 &#x &# &amp;lt; &amp;amp;</p>",
    '<a href="?a=1&copy=2&amp x&ampy&#38z" title="&amp &lt2 &notin; &noti">l</a>',
    '<abbr title="AT&T &amp co &amp;amp;">x</abbr>',
    '<abbr title="&hellip; &NotEqualTilde; &amp;lt; &copy &copy;">x &hellip; &NotEqualTilde;</abbr>',
    "<pre><code>if (a &lt b &amp&amp c) x &= 1;</code></pre>",
    "<p>&#xx; a&#;b &#a; &#X41 &#x0000000041;</p>",
    '<abbr title="&#0 &#99999999; &#x110000 &#xD800; &#128 &#xx;">x</abbr>',
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("html", REFERENCES)
def test_references_show_the_same_text(backend: str, html: str) -> None:
    """The sanitized HTML shows the text and attribute values the input showed."""
    sanitizer = SanitizeHtml(backend=backend)
    cleaned = sanitizer.clean(html)
    assert _rendered(cleaned) == _rendered(html)
    assert sanitizer.clean(cleaned) == cleaned


@pytest.mark.parametrize("backend", BACKENDS)
def test_ampersand_without_semicolon(backend: str) -> None:
    """The reported case: "&amp co" is an ampersand, written "&amp;" once."""
    assert SanitizeHtml(backend=backend).clean("<p>AT&T &amp co</p>") == "<p>AT&amp;T &amp; co</p>"


# -- html5lib's endless loop ---------------------------------------------------------------------

LOOPS = [
    "<table><thead><math><tfoot></table>",
    "<table><tbody><svg><thead></table>",
    "<table><tfoot><math><mtext><tbody></table>",
    "<p>ok</p>" * 500 + "<table><thead><svg><foreignObject><tfoot></table>",
]


def test_bleach_backend_ends_on_markup_that_loops_html5lib() -> None:
    """Markup that sends html5lib into an endless loop is escaped after bounded work."""
    code = (
        "import sys\n"
        "from guardkit.sanitizers._html import SanitizeHtml\n"
        "sanitizer = SanitizeHtml(backend='bleach')\n"
        f"for html in {LOOPS!r}:\n"
        "    cleaned = sanitizer.clean(html)\n"
        "    assert '<' not in cleaned, cleaned\n"
        "    assert sanitizer.clean(cleaned) == cleaned\n"
        "    assert sanitizer.clean('<b>x</b>') == '<b>x</b>'\n"
        "print('done')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "done"


def test_nh3_parses_that_markup() -> None:
    """nh3 has no such loop: the same markup is sanitized as usual."""
    cleaned = SanitizeHtml(backend="nh3").clean(LOOPS[0])
    assert cleaned == "<table><thead></thead></table>"


MATH_IN_TABLE = (
    "<table><thead><tr><th>f</th></tr></thead>"
    "<tbody><tr><td><math><mi>x</mi></math> = 1</td></tr></tbody></table>"
)
TABLES_WITH_MATH = [
    MATH_IN_TABLE,
    "<table><tbody><tr><td><svg><rect/></svg>a</td></tr></tbody><tfoot><tr><td>b</td></tr></tfoot></table>",
]


@pytest.mark.parametrize("html", TABLES_WITH_MATH + [v for _, v in VECTORS])
def test_the_bound_leaves_ordinary_and_hostile_markup_alone(html: str) -> None:
    """Tables with math, and every attack vector, are parsed, never cut short by the bound."""
    backend = SanitizeHtml(backend="bleach")._backend
    parts = backend._parts()
    backend.clean(html)
    assert backend._parts() is parts  # the parser is replaced only after a cut-short parse


@pytest.mark.parametrize("html", TABLES_WITH_MATH)
def test_tables_with_math_agree(html: str) -> None:
    """Both backends drop the math and keep the table."""
    nh3 = SanitizeHtml(backend="nh3").clean(html)
    assert SanitizeHtml(backend="bleach").clean(html) == nh3
    assert "<table>" in nh3
    assert "math" not in nh3
    assert "svg" not in nh3
