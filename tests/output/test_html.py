"""SanitizeHtml: XSS vectors on both backends, ordinary answers, configuration, bad input."""

from __future__ import annotations

import time

import pytest
from _htmlcheck import Allowed, violations
from _xss_vectors import VECTORS
from hypothesis import given, settings
from hypothesis import strategies as st

from guardkit._errors import ConfigError
from guardkit.sanitizers._html import (
    DEFAULT_ATTRIBUTES,
    DEFAULT_TAGS,
    MAX_NESTING,
    SanitizeHtml,
)

BACKENDS = ["bleach", "nh3"]
DEFAULT = Allowed(tags=DEFAULT_TAGS, attributes=dict(DEFAULT_ATTRIBUTES))


@pytest.fixture(scope="module", params=BACKENDS)
def sanitizer(request: pytest.FixtureRequest) -> SanitizeHtml:
    """The default sanitizer on each backend."""
    return SanitizeHtml(backend=request.param)


def test_vector_table_is_large_enough() -> None:
    """The attack table holds at least 150 distinct vectors."""
    assert len({v for _, v in VECTORS}) >= 150


@pytest.mark.parametrize(("group", "vector"), VECTORS, ids=[f"{g}-{i}" for i, (g, _) in enumerate(VECTORS)])
def test_no_vector_survives(sanitizer: SanitizeHtml, group: str, vector: str) -> None:
    """After sanitizing, parsing the output finds only allowed tags, attributes and schemes."""
    cleaned = sanitizer.clean(vector)
    assert violations(cleaned, DEFAULT) == []
    assert sanitizer.clean(cleaned) == cleaned


#: Vectors that are inert exactly as written (a tag cut off by the end of the text is dropped by
#: parsers; a percent-encoded colon makes a relative URL; a NUL breaks the scheme): the checker
#: rightly finds nothing in them before sanitizing.
INERT_AS_WRITTEN = {
    '<a href="javascript%3Aalert(1)">x</a>',
    '<a href="java\x00script:alert(1)">x</a>',
    '<IMG SRC="javascript:alert(1)"',
    "<iframe src=http://evil.example/ <",
    "<img src=x onerror=alert(1)//",
    '<a title="><script>alert(1)</script>">x</a>',
    '<img src="x`` onerror=alert(1)>',
    '<code class="hidden evil">x</code>',
}


def test_checker_flags_the_raw_vectors() -> None:
    """The checker flags every unsanitized vector that is not inert as written, so it can fail."""
    missed = {v for _, v in VECTORS if not violations(v, DEFAULT)}
    assert missed == INERT_AS_WRITTEN


ORDINARY = [
    "<p>Hello <strong>world</strong>, this is <em>fine</em>.</p>",
    "<ul>\n<li>one</li>\n<li>two <code>x = 1</code></li>\n</ul>",
    "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>",
    '<pre><code class="language-python">def f(x):\n    return x * 2\n</code></pre>',
    "<h2>Results</h2>\n<p>The <a href=\"https://docs.python.org/3/\">docs</a> say so.</p>",
    "<blockquote>\n<p>Quoted text.</p>\n</blockquote>",
    ('<table>\n<thead>\n<tr>\n<th align="left">Name</th>\n<th>Value</th>\n</tr>\n</thead>\n'
    "<tbody>\n<tr>\n<td>a</td>\n<td>1</td>\n</tr>\n</tbody>\n</table>"),
    "<p>Line one<br>line two</p><hr><p><del>old</del> <sup>1</sup> <sub>2</sub></p>",
    '<p><a href="mailto:team@example.com" title="Mail us">mail</a> or <a href="/help">help</a></p>',
    '<p>a &amp; b, <a href="https://example.com/search?q=1&amp;page=2">search</a></p>',
    "Plain text with no markup at all & an ampersand > arrow.",
    "",
]


@pytest.mark.parametrize("answer", ORDINARY)
def test_ordinary_answers_come_through_unchanged(sanitizer: SanitizeHtml, answer: str) -> None:
    """Formatted answers made of allowed markup are returned as the same object."""
    assert sanitizer.clean(answer) is answer


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<p onclick="x()">Hi <script>alert(1)</script><b>there</b></p>', "<p>Hi <b>there</b></p>"),
        ("<style>p{}</style><p>y</p>", "<p>y</p>"),
        ("<svg><circle/></svg>after", "after"),
        ("<unknown>kept text</unknown>", "kept text"),
        ('<code class="language-js evil">x</code>', "<code>x</code>"),
        ("<!-- secret comment --><b>x</b>", "<b>x</b>"),
    ],
)
def test_rewrites(sanitizer: SanitizeHtml, html: str, expected: str) -> None:
    """Scripts and styles go with their content, other tags keep their text."""
    assert sanitizer.clean(html) == expected


@pytest.mark.parametrize(
    "html",
    [
        "<h1><x><h2>a</h2></x></h1>",
        "<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title=x>",
        "<p><x><p>a</p></x></p>",
        "<a href=/a><x><a href=/b>b</a></x></a>",
    ],
)
def test_stripping_that_changes_nesting_still_gives_a_stable_result(
    sanitizer: SanitizeHtml, html: str
) -> None:
    """Markup whose serialization re-parses differently (an h2 inside an h1) is cleaned to a fixpoint."""
    once = sanitizer.clean(html)
    assert sanitizer.clean(once) == once


def test_text_without_markup_is_returned_as_is(sanitizer: SanitizeHtml) -> None:
    """Without '<' nothing can be markup, so entities and '&' are left alone."""
    text = "AT&T &lt;b&gt; 1 > 0"
    assert sanitizer.clean(text) is text


@pytest.mark.parametrize("backend", BACKENDS)
def test_images_only_from_listed_hosts(backend: str) -> None:
    """With image_domains, images load only from those hosts (and their subdomains)."""
    s = SanitizeHtml(backend=backend, image_domains=["img.example.com"])
    out = s.clean(
        '<img src="https://img.example.com/a.png" alt="a">'
        '<img src="https://cdn.img.example.com/b.png">'
        '<img src="https://evil.example/c.png">'
        '<img src="https://img.example.com.evil.example/d.png">'
    )
    allowed = Allowed(
        tags=DEFAULT_TAGS | {"img"},
        attributes={**DEFAULT_ATTRIBUTES, "img": frozenset({"src", "alt", "title", "width", "height"})},
        image_schemes=frozenset({"https", "http"}),
    )
    assert violations(out, allowed) == []
    assert out.count('src="https://') == 2
    assert "evil.example" not in out.split('src="')[-1] or out.count("src=") == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_data_images_only_when_allowed(backend: str) -> None:
    """Raster data images pass only with allow_data_images; never SVG, never in links."""
    html = (
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">'
        '<a href="data:image/png;base64,iVBORw0KGgo=">x</a>'
    )
    off = SanitizeHtml(backend=backend).clean(html)
    on = SanitizeHtml(backend=backend, allow_data_images=True).clean(html)
    assert "data:" not in off
    assert on.count("data:image/png") == 1
    assert "svg" not in on


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tags": ["p", "script"]}, "script"),
        ({"tags": ["iframe"]}, "iframe"),
        ({"tags": "p"}, "tags"),
        ({"tags": ["img"]}, "image_domains"),
        ({"tags": ["not a tag"]}, "tag name"),
        ({"attributes": {"p": ["onclick"]}}, "onclick"),
        ({"attributes": {"p": ["style"]}}, "style"),
        ({"attributes": {"p": ["href"]}}, "href"),
        ({"attributes": {"img": ["src"]}}, "image_domains"),
        ({"attributes": ["href"]}, "mapping"),
        ({"protocols": ["https", "javascript"]}, "javascript"),
        ({"protocols": ["data"]}, "data"),
        ({"protocols": "https"}, "protocols"),
        ({"image_domains": ["*"]}, "any host"),
        ({"image_domains": ["https://x.example"]}, "host name"),
        ({"backend": "lxml"}, "backend"),
        ({"allow_data_images": "yes"}, "allow_data_images"),
        ({"name": ""}, "name"),
    ],
)
def test_config_errors(kwargs: dict[str, object], message: str) -> None:
    """Unsafe or malformed settings raise ConfigError naming the argument or value."""
    with pytest.raises(ConfigError, match=message):
        SanitizeHtml(**kwargs)  # type: ignore[arg-type]


def test_auto_prefers_nh3() -> None:
    """backend='auto' picks nh3 when installed; repr shows settings."""
    s = SanitizeHtml()
    assert s.backend == "nh3"
    assert "backend='nh3'" in repr(s)


# -- bad input ----------------------------------------------------------------------------------

BAD_INPUT = {
    "unclosed": "<p><b><i><a href='https://example.com'>text" * 50,
    "nested-div": "<div>" * 10_000 + "x" + "</div>" * 10_000,
    "nested-b": "<b>" * 10_000 + "x",
    "nested-p-b": "<p><b>" * 5_000 + "x",
    "nested-mixed": "<ul><li><blockquote>" * 3_400 + "x",
    "just-under-limit": "<div>" * (MAX_NESTING - 10) + "x",
    "huge-attribute": '<a title="' + "x" * 1_000_000 + '" href="https://example.com">y</a>',
    "huge-unquoted": "<a title=" + "y" * 1_000_000 + ">z</a>",
    "surrogates": "<b>\ud800 lone \udfff</b><i>\udc00</i>",
    "nul-bytes": "<p>a\x00b</p><scr\x00ipt>x</script>",
    "many-tags": "<b>x</b>" * 3_000,
    "lt-storm": "<" * 10_000,
    "amp-storm": "<b>" + "&" * 10_000,
    "attr-storm": "<a " + "x=1 " * 50_000 + ">",
    "distinct-attrs": "<a " + "".join(f"x{i}=1 " for i in range(20_000)) + ">",
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_gives_a_safe_result_quickly(sanitizer: SanitizeHtml, case: str) -> None:
    """Hostile markup never crashes or hangs, and the result is still safe."""
    html = BAD_INPUT[case]
    started = time.perf_counter()
    cleaned = sanitizer.clean(html)
    assert time.perf_counter() - started < 5.0
    assert isinstance(cleaned, str)
    assert not any("\ud800" <= c <= "\udfff" for c in cleaned)
    assert violations(cleaned, DEFAULT, browser=len(cleaned) < 20_000) == []


def test_deep_nesting_is_escaped_not_parsed(sanitizer: SanitizeHtml) -> None:
    """Nesting beyond MAX_NESTING comes back escaped, which renders as inert text."""
    cleaned = sanitizer.clean("<div>" * (MAX_NESTING + 1) + "<script>alert(1)</script>")
    assert cleaned.startswith("&lt;div&gt;")
    assert "<" not in cleaned


# -- properties ---------------------------------------------------------------------------------

FRAGMENTS = [
    "<", ">", "</", "/>", "<!--", "-->", "<![CDATA[", "]]>", '"', "'", "=", "&", "&#", ";", "x",
    "&amp;", "&lt;", "&#106;", "&#x09;", "\t", "\n", " ", "javascript:", "java\tscript:",
    "data:", "vbscript:", "https://e.example/", "alert(1)", "script", "style", "svg", "math",
    "img", "a", "p", "b", "iframe", "href", "src", "onerror", "onclick", "style=", "title",
    "class", "language-py", "noscript", "textarea", "template", "<script>", "</script>",
    "<svg>", "<math>", "<a href=", "<img src=", "<p title=", "<style>", "\x00", "\ud800",
]
html_soup = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=40).map("".join)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=100, deadline=None)
@given(html=html_soup)
def test_property_idempotent_and_safe(backend: str, html: str) -> None:
    """clean(clean(x)) == clean(x), and the output never holds a disallowed tag or scheme."""
    s = _SANITIZERS[backend]
    once = s.clean(html)
    assert s.clean(once) == once
    assert violations(once, DEFAULT) == []


_SANITIZERS = {backend: SanitizeHtml(backend=backend) for backend in BACKENDS}


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_sanitizer_serves_many_threads(backend: str) -> None:
    """A shared sanitizer gives every thread the right answer (bleach's parser is per thread)."""
    import threading

    s = SanitizeHtml(backend=backend)
    failures: list[str] = []

    def work(n: int) -> None:
        for i in range(40):
            got = s.clean(f"<p onclick=x>{n}-{i}<script>a</script></p>")
            if got != f"<p>{n}-{i}</p>":
                failures.append(got)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
