"""Links and SafeMarkdown: exfiltration forms, host rules, streaming partials, idempotence."""

from __future__ import annotations

import re
import time
import unicodedata
import urllib.parse
from html.parser import HTMLParser

import pytest
from _xss_vectors import MARKDOWN_EXFIL
from hypothesis import given, settings
from hypothesis import strategies as st

from guardkit._errors import ConfigError
from guardkit.sanitizers._markdown import SafeMarkdown, defang
from guardkit.validators._links import Links

ALLOWED = ["docs.python.org", "example.com"]
RULES = {"allow_domains": ALLOWED}


def kinds(text: str, **kwargs: object) -> list[tuple[str, str]]:
    """(kind, detail) of each finding of Links(**kwargs) on *text*."""
    return [(f.kind, f.detail) for f in Links(**kwargs).check(text)]  # type: ignore[arg-type]


# -- an independent oracle: render Markdown permissively, parse the HTML, read every URL --------


def _host(url: str) -> str | None:
    """The host a browser would contact for *url* (None for relative and host-less URLs)."""
    url = re.sub(r"[\t\n\r]", "", url.strip("".join(chr(c) for c in range(33))))
    m = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", url)
    if m and m.group(1).lower() in ("http", "https", "ftp", "ws", "wss"):
        url = m.group(1) + "://" + url[m.end() :].lstrip("/\\").replace("\\", "/")
    elif url.startswith(("//", "\\\\", "/\\", "\\/")):
        url = "https://" + url.lstrip("/\\").replace("\\", "/")
    parts = urllib.parse.urlsplit(url)
    if not parts.netloc:
        return None
    host = urllib.parse.unquote(parts.netloc.rpartition("@")[2])
    host = unicodedata.normalize("NFKC", host).replace("\u3002", ".").lower()
    host = re.sub("[\u200b-\u200f\u2060\ufeff]", "", host)
    host = host[1:].split("]")[0] if host.startswith("[") else host.split(":")[0]
    return host.rstrip(".")


def _allowed_host(host: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in ALLOWED)


class _Urls(HTMLParser):
    FETCH = frozenset(("src", "srcset", "poster", "background", "data", "lowsrc", "dynsrc"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fetched: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, raw in attrs:
            value = raw or ""
            if name in self.FETCH:
                self.fetched.extend(v.split()[0] for v in value.split(",") if v.split())
            elif name == "href":
                (self.fetched if tag == "link" else self.links).append(value)
            elif name == "style":
                self.fetched.extend(re.findall(r"url\(\s*['\"]?([^'\")]*)", value))
            elif name == "content" and "url=" in value.lower():
                self.fetched.append(value.lower().split("url=", 1)[1])


def _render(markdown: str) -> str:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable(["linkify", "table"])
    md.validateLink = lambda url: True  # the most permissive renderer: the worst case
    return str(md.render(markdown))


def oracle(markdown: str) -> list[str]:
    """Problems in the rendered HTML: fetched URLs off the image list, links off the allowlist."""
    parser = _Urls()
    parser.feed(_render(markdown))
    problems = []
    for url in parser.fetched:
        host = _host(url)
        scheme = re.match(r"\s*([A-Za-z][\w+.\-]*):", url)
        if scheme and scheme.group(1).lower() not in ("http", "https"):
            problems.append(f"fetch scheme {scheme.group(1)}")
        elif host is not None and not _allowed_host(host):
            problems.append(f"fetch host {host}")
    for url in parser.links:
        host = _host(url)
        clean = re.sub(r"[\x00-\x20]", "", url)
        scheme = re.match(r"([A-Za-z][\w+.\-]*):", clean)
        if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
            problems.append(f"link scheme {scheme.group(1)}")
        elif host is not None and not _allowed_host(host):
            problems.append(f"link host {host}")
    return problems


try:
    import markdown_it  # noqa: F401

    HAVE_RENDERER = True
except ImportError:  # pragma: no cover - the oracle is an extra test dependency
    HAVE_RENDERER = False
needs_renderer = pytest.mark.skipif(not HAVE_RENDERER, reason="markdown-it-py not installed")


@pytest.mark.parametrize("markdown", MARKDOWN_EXFIL)
def test_every_exfiltration_form_is_found(markdown: str) -> None:
    """Links reports at least one finding for each exfiltration form."""
    assert Links(**RULES).check(markdown)  # type: ignore[arg-type]


@pytest.mark.parametrize("images", ["drop", "allow-listed", "defang"])
@pytest.mark.parametrize("markdown", MARKDOWN_EXFIL)
def test_no_exfiltration_form_survives(markdown: str, images: str) -> None:
    """After SafeMarkdown nothing is flagged any more, and the result is stable."""
    md = SafeMarkdown(**RULES, images=images)  # type: ignore[arg-type]
    cleaned = md.clean(markdown)
    assert Links(**RULES).check(cleaned) == ()  # type: ignore[arg-type]
    assert md.clean(cleaned) == cleaned


@needs_renderer
@pytest.mark.parametrize("markdown", MARKDOWN_EXFIL)
def test_rendered_output_fetches_and_links_nothing_off_list(markdown: str) -> None:
    """Rendered by a permissive CommonMark renderer, the cleaned text loads and links nothing bad."""
    cleaned = SafeMarkdown(**RULES, images="allow-listed").clean(markdown)  # type: ignore[arg-type]
    assert oracle(cleaned) == []


@needs_renderer
def test_oracle_sees_the_raw_forms() -> None:
    """The oracle flags most raw forms (partial ones render as text), so the test above can fail."""
    flagged = [m for m in MARKDOWN_EXFIL if oracle(m)]
    assert len(flagged) >= len(MARKDOWN_EXFIL) - 12


ORDINARY_MARKDOWN = [
    "# Title\n\nSome **bold** and _italic_ text.\n\n- one\n- two\n\n1. first\n2. second\n",
    "```python\nprint('hi')\n```\n\nInline `code` too.",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "See [the tutorial](https://docs.python.org/3/tutorial/) and <https://example.com/faq>.",
    "Reference [docs][1].\n\n[1]: https://docs.python.org/3/library/re.html",
    "Go to https://docs.python.org/3/ or www.example.com/help.",
    "Mail [us](mailto:team@example.com), or read [local](/help#top) and [anchor](#usage).",
    "![diagram](https://docs.python.org/3/_static/py.svg)",
    "Arrays a[0] and b[i](x) in prose, and brackets [like this] are fine.",
    "> quoted [link](https://sub.example.com/path?q=1&page=2)",
]


@pytest.mark.parametrize("markdown", ORDINARY_MARKDOWN)
def test_ordinary_markdown_comes_through_unchanged(markdown: str) -> None:
    """Answers with allowed links and images are unflagged and returned as the same object."""
    assert Links(**RULES).check(markdown) == ()  # type: ignore[arg-type]
    md = SafeMarkdown(**RULES, images="allow-listed")  # type: ignore[arg-type]
    assert md.clean(markdown) is markdown


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://evil.example/", "host not allowed"),
        ("https://example.com.evil.example/", "host not allowed"),
        ("https://badexample.com/", "host not allowed"),
        ("https://docs.python.org@evil.example/", "userinfo"),
        ("https://user:pw@example.com/", "userinfo"),
        ("http://2130706433/", "ip address host"),
        ("http://0x7f.1/", "ip address host"),
        ("http://0177.0.0.1/", "ip address host"),
        ("http://127.1/", "ip address host"),
        ("http://[::1]/", "ip address host"),
        ("https://xn--e1afmkfd.org/", "punycode host"),
        ("https://ex%61mple.com/", "encoded host"),
        ("javascript:alert(1)", "scheme not allowed"),
        ("file:///etc/passwd", "scheme not allowed"),
        ("https://exa\u200bmple.com/", "control characters"),
        ("https://example.com/\x07", "control characters"),
    ],
)
def test_link_reasons(url: str, reason: str) -> None:
    """Each suspicious URL feature is reported by name, in a Markdown link."""
    found = kinds(f"[x]({url})", allow_domains=ALLOWED)
    assert found
    assert reason in found[0][1]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/",
        "https://EXAMPLE.com./path",
        "https://a.b.example.com:8443/x",
        "http://docs.python.org/3/",
        "/relative/path",
        "#anchor",
        "mailto:someone@elsewhere.example",
    ],
)
def test_allowed_links(url: str) -> None:
    """Listed hosts, their subdomains, any port, relative URLs and mailto: pass."""
    assert kinds(f"[x]({url})", allow_domains=ALLOWED) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("![x](https://img.example/a.png)", "EXFIL_IMAGE"),
        ("[x](https://any.example/a)", None),
        ("[x](https://any.example/?t=ZXhmaWx0cmF0ZWQgZGF0YSAxMjM0NTY3ODkw)", "UNSAFE_LINK"),
        ("https://any.example/?t=0123456789abcdef0123456789abcdef01", "UNSAFE_LINK"),
        ("https://any.example/?id=550e8400-e29b-41d4-a716-446655440000", None),
        ("https://any.example/?q=how+to+cook+pasta+without+burning+it+at+all", None),
        ("[x](https://trusted.example@evil.example/)", "UNSAFE_LINK"),
        ("https://ZXhmaWx0cmF0ZWRkYXRhMTIzNDU2Nzg5MA.any.example/", "UNSAFE_LINK"),
        ("[x](https://xn--pple-43d.example/)", "UNSAFE_LINK"),
        ("[x](https://\u0430pple.com/)", "UNSAFE_LINK"),
        ("[x](https://m\u00fcnchen.example/)", "UNSAFE_LINK"),
    ],
)
def test_any_host_mode(text: str, expected: str | None) -> None:
    """Without allow_domains links may go anywhere, but images and suspicious URLs are flagged."""
    found = kinds(text)
    assert (found[0][0] if found else None) == expected


def test_mixed_script_host_is_named() -> None:
    """A host mixing Latin and Cyrillic letters is reported as mixed-script."""
    assert "mixed-script host" in kinds("[x](https://\u0430pple.com/)")[0][1]


def test_image_domains_separate_from_link_domains() -> None:
    """image_domains narrows where images load from; '*' allows any image host."""
    text = "![a](https://cdn.example.com/a.png) ![b](https://docs.python.org/b.png)"
    only_cdn = Links(allow_domains=ALLOWED, image_domains=["cdn.example.com"])
    assert [f.start for f in only_cdn.check(text)] == [text.index("![b]")]
    assert Links(image_domains=["*"]).check(text) == ()


def test_image_redirect_through_allowed_host() -> None:
    """An image on an allowed host that carries another URL in its query is flagged."""
    found = kinds("![x](https://example.com/r?url=https://evil.example/)", allow_domains=ALLOWED)
    assert found == [("EXFIL_IMAGE", "markdown image: redirect")]


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("a ![x](https://evil.example/p.png) b", [(2, 34)]),
        ("[t](https://evil.example/a) [u](https://example.com/)", [(0, 27)]),
        ('x <img src="https://evil.example/x.png" alt=""> y', [(2, 47)]),
        ("see <https://evil.example/x>.", [(4, 28)]),
        ("see https://evil.example/x).", [(4, 26)]),
        ("(see https://evil.example/x)", [(5, 27)]),
        ("![a][r]\n\n[r]: https://evil.example/a.png", [(9, 40)]),
    ],
)
def test_spans_cover_the_whole_construct(text: str, spans: list[tuple[int, int]]) -> None:
    """Findings span the whole link or image, so redacting removes all of it."""
    assert [f.span for f in Links(**RULES).check(text)] == spans  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "partial",
    [
        "![x](https://evil.exa",
        "![x](https://docs.python.org/3/logo.png?q=",
        "[x](https://example.com/pa",
        "[x](<https://evil",
        '[x](https://example.com "ti',
        '<img src="https://evil.examp',
        "<img src=https://docs.python.org/x",
        "<a href='https://e",
        "<https://evil.example/pa",
        "<img ",
    ],
)
def test_partial_link_at_end_is_reported(partial: str) -> None:
    """A link or image still open at the end is reported (to its end), so a stream holds it."""
    findings = Links(**RULES).check("Answer: " + partial)  # type: ignore[arg-type]
    assert findings
    assert findings[-1].end == len("Answer: " + partial)
    assert "incomplete" in findings[-1].detail


@pytest.mark.parametrize(
    "text",
    ["if a <b then", "x = [1, 2", "see https://docs.python.org/3/", "math: 1 < 2 and 3 > 2"],
)
def test_open_text_that_is_no_link_is_not_reported(text: str) -> None:
    """Brackets in prose, comparisons and an allowed bare URL at the end are not held back."""
    assert Links(**RULES).check(text) == ()  # type: ignore[arg-type]


def test_window_and_overlong_urls() -> None:
    """window equals max_length, and a URL longer than it is flagged."""
    links = Links(max_length=100)
    assert links.window == 100
    assert "too long" in links.check("[x](https://any.example/" + "a" * 200 + ")")[0].detail


def test_reference_definition_without_visible_use_is_judged_as_image() -> None:
    """A definition whose use is out of sight may serve an image, so image rules apply."""
    assert kinds("[r]: https://any.example/x.png")[0][0] == "EXFIL_IMAGE"
    assert kinds("[a][r]\n\n[r]: https://any.example/x.png") == []


def test_deep_nesting_is_flagged_whole() -> None:
    """Link text nested beyond 32 levels is reported, and replaced, as one construct."""
    text = "[" * 40 + "x" + "](https://example.com/)" * 40
    found = Links(**RULES).check(text)  # type: ignore[arg-type]
    assert [f.detail for f in found] == ["markdown link: nested too deeply"]
    cleaned = SafeMarkdown(**RULES).clean(text)  # type: ignore[arg-type]
    assert cleaned.count("https://") == 31
    assert Links(**RULES).check(cleaned) == ()  # type: ignore[arg-type]


# -- SafeMarkdown rewrites ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "text", "expected"),
    [
        ({}, "![chart](https://evil.example/c.png)", "chart"),
        ({}, "![chart](https://docs.python.org/c.png)", "chart"),
        ({"images": "allow-listed"}, "![c](https://docs.python.org/c.png)", None),
        ({"images": "allow-listed"}, "![c](https://evil.example/c.png)", "c"),
        ({"images": "defang"}, "![c](https://evil.example/c.png)", "c (hxxps://evil[.]example/c.png)"),
        ({}, "[docs](https://evil.example/x)", "docs (hxxps://evil[.]example/x)"),
        ({"links": "remove"}, "[docs](https://evil.example/x)", "docs"),
        ({}, "go to https://evil.example/x now", "go to hxxps://evil[.]example/x now"),
        ({"links": "remove"}, "go to https://evil.example/x now", "go to  now"),
        ({}, "<https://evil.example/>", "hxxps://evil[.]example/"),
        ({}, "[a][r]\n\n[r]: https://evil.example/", "[a][r]\n\n\\[r\\]: hxxps://evil[.]example/"),
        ({"links": "remove"}, "[a][r]\n\n[r]: https://evil.example/", "[a][r]\n\n"),
        ({}, '<a href="https://evil.example/">t</a>', "(hxxps://evil[.]example/)t</a>"),
        ({}, '<img src="https://docs.python.org/a.png">', ""),
        ({}, "[x](javascript:alert(document.cookie))", "x (javascript[:]alert%28document[.]cookie%29)"),
        (
            {"images": "allow-listed"},
            "[![b](https://evil.example/b.svg)](https://example.com/ci)",
            "[b](https://example.com/ci)",
        ),
    ],
)
def test_safe_markdown_rewrites(options: dict[str, str], text: str, expected: str | None) -> None:
    """Each construct is rewritten as documented (None: unchanged)."""
    cleaned = SafeMarkdown(**RULES, **options).clean(text)  # type: ignore[arg-type]
    assert cleaned == (text if expected is None else expected)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://evil.example/a", "hxxps://evil[.]example/a"),
        ("http://user@evil.example:80/x(y)", "hxxp://user[@]evil[.]example:80/x%28y%29"),
        ("ftp://evil.example/", "fxp://evil[.]example/"),
        ("//evil.example/x", "//evil[.]example/x"),
        ("mailto:x@evil.example", "mailto[:]x[@]evil[.]example"),
        ("https://evil.example/[a](javascript:x)", "hxxps://evil[.]example/%5Ba%5D%28javascript:x%29"),
        ("https://ev\u200bil.example/", "hxxps://evil[.]example/"),
    ],
)
def test_defang(url: str, expected: str) -> None:
    """Defanged URLs are inert: no live scheme, bracketed dots, Markdown syntax encoded."""
    assert defang(url) == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"allow_domains": "example.com"}, "allow_domains"),
        ({"allow_domains": ["https://example.com"]}, "host name"),
        ({"allow_domains": ["*.example.com"]}, "subdomains"),
        ({"allow_domains": [""]}, "allow_domains"),
        ({"allow_domains": ["1.2.3.4.5"]}, "neither"),
        ({"allow_schemes": ["ht tp"]}, "allow_schemes"),
        ({"allow_schemes": "https"}, "allow_schemes"),
        ({"max_query_data": 2}, "max_query_data"),
        ({"max_length": 10}, "max_length"),
        ({"action": "explode"}, "action"),
        ({"name": ""}, "name"),
    ],
)
def test_links_config_errors(kwargs: dict[str, object], message: str) -> None:
    """Malformed settings raise ConfigError naming the argument."""
    with pytest.raises(ConfigError, match=message):
        Links(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"images": "keep"}, "images"), ({"links": "keep"}, "links"), ({"name": 3}, "name")],
)
def test_safe_markdown_config_errors(kwargs: dict[str, object], message: str) -> None:
    """Unknown modes raise ConfigError naming the argument."""
    with pytest.raises(ConfigError, match=message):
        SafeMarkdown(**kwargs)  # type: ignore[arg-type]


def test_reprs_show_settings() -> None:
    """Reprs name the allowlists and modes."""
    assert "docs.python.org" in repr(Links(**RULES))  # type: ignore[arg-type]
    assert "images='drop'" in repr(SafeMarkdown())


# -- properties and adversarial input -----------------------------------------------------------

PIECES = [
    "[", "]", "(", ")", "![", "](", "<", ">", "<img src=", "<a href=", '"', "'", "\\", "\n",
    " ", "https://", "http://", "www.", "evil.example", "example.com", "docs.python.org", "/",
    "?q=", "ZXhmaWx0cmF0ZWQgZGF0YSAxMjM0NTY3ODkw", "javascript:", ":", "@", ".", "[r]: ",
    "[r]", "![a][r]", "`", "*", "\u200b", "%2E", "xn--", "0x7f", "#",
]
markdown_soup = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=40).map("".join)
_MD = {mode: SafeMarkdown(**RULES, images=mode) for mode in ("drop", "allow-listed", "defang")}  # type: ignore[arg-type]
_LINKS = Links(**RULES)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(text=markdown_soup, mode=st.sampled_from(sorted(_MD)))
def test_property_safe_markdown(text: str, mode: str) -> None:
    """SafeMarkdown is idempotent and leaves nothing for Links to flag."""
    once = _MD[mode].clean(text)
    assert _MD[mode].clean(once) == once
    assert _LINKS.check(once) == ()


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80))
def test_property_total(text: str) -> None:
    """Any string, surrogates included, is scanned without error; spans lie inside the text."""
    for finding in _LINKS.check(text):
        assert 0 <= finding.start < finding.end <= len(text)
    assert isinstance(_MD["drop"].clean(text), str)


#: Units repeated to 10 KB and to 100 KB of hostile input.
ADVERSARIAL = {
    "brackets": "[",
    "closers": "]",
    "link-openers": "](",
    "image-openers": "![x](",
    "unclosed-title": '[a](x "',
    "nested-parens": "(",
    "lt": "<",
    "tags": "<a ",
    "attrs": "x=",
    "quotes": "<a href='",
    "schemes": "https://",
    "www": "www.",
    "long-url": "a",
    "definitions": "[a]: x\n",
    "labels": "a",
    "autolinks": "<a:",
    "backslashes": "\\",
    "percent": "%41",
    "comment": "<!--",
}
PREFIX = {"nested-parens": "[a](", "attrs": "<img ", "long-url": "https://example.com/", "labels": "[",
          "percent": "https://x.example/?q="}


def _seconds(case: str, size: int) -> float:
    unit = ADVERSARIAL[case]
    text = PREFIX.get(case, "") + unit * (size // len(unit))
    started = time.perf_counter()
    _LINKS.check(text)
    _MD["defang"].clean(text)
    return time.perf_counter() - started


@pytest.mark.parametrize("case", sorted(ADVERSARIAL))
def test_adversarial_input_is_linear(case: str) -> None:
    """100 KB of hostile input costs about ten times 10 KB (a ReDoS would cost ~100x or more)."""
    small = min(_seconds(case, 10_000) for _ in range(2))
    large = min(_seconds(case, 100_000) for _ in range(2))
    assert large < 40 * max(small, 0.01)
    assert large < 20.0
