"""Run the examples of the documentation and build the site, so the docs cannot drift from the code.

Conventions for the pages under ``docs/``:

- Every fenced ``python`` block runs. A page's blocks run in order, in one namespace, with the working
  directory set to a fresh temporary directory. The namespace starts with ``call_model(prompt)``,
  ``acall_model(prompt)``, ``stream_model(prompt)`` and ``astream_model(prompt)``: stand-ins for the
  application's own model call, which answer ``"You said: <last user text>"`` (the streaming ones in
  chunks of five characters).
- A ``python`` block whose first line starts with ``>>>`` runs as a doctest: printed results are compared,
  and ``...`` matches anything.
- In a ``console`` block, each ``$ guardkit ...`` (or ``$ python -m guardkit ...``) line runs the command
  line in-process (``< FILE`` reads standard input from a file), and the lines up to the next ``$`` are
  its expected output (``...`` matches anything; when no line follows, the output is not compared).
  ``$ echo $?`` prints the last exit code. Other commands (``pip``, ``python -m pytest``) are shown, not
  run.
- ``<!-- file: NAME -->`` on the line before a block writes the block to ``NAME`` in the working
  directory instead of running it (for ``guardkit.toml`` or ``pyproject.toml`` examples).
- ``<!-- no-test -->`` on the line before a block skips it. Use it only for code that needs the network,
  an API key, or a package that is not a test dependency.
"""

from __future__ import annotations

import doctest
import io
import re
import shlex
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+-]*)[^\n]*$")
_MARKER = re.compile(r"^[ \t]*<!--\s*(?P<what>no-test|file:\s*(?P<name>[^\s>]+))\s*-->[ \t]*$")
_RUN_LANGS = frozenset({"python", "py", "console"})


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    lang: str
    source: str
    line: int  # line number of the first line of the block's body in the page (1-based)
    skip: bool = False
    file: str | None = None


def parse_blocks(markdown: str) -> list[Block]:
    """Return the fenced code blocks of *markdown* with the marker that precedes each one."""
    lines = markdown.splitlines()
    blocks: list[Block] = []
    previous = ""  # the last non-blank line before the current position
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            if lines[i].strip():
                previous = lines[i]
            i += 1
            continue
        fence, indent = opening["fence"], opening["indent"]
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not closing.match(lines[j]):
            line = lines[j]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            j += 1
        marker = _MARKER.match(previous)
        blocks.append(
            Block(
                lang=opening["lang"].lower(),
                source=textwrap.dedent("\n".join(body)) + "\n",
                line=i + 2,
                skip=marker is not None and marker["what"] == "no-test",
                file=marker["name"] if marker is not None and marker["name"] else None,
            )
        )
        previous = lines[j] if j < len(lines) else ""
        i = j + 1
    return blocks


# -- the stand-in model ------------------------------------------------------------------------


def _last_text(prompt: Any) -> str:
    if isinstance(prompt, str):
        return prompt
    for message in reversed(list(prompt)):
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            texts = [p if isinstance(p, str) else p.get("text", "") for p in content]
            return " ".join(t for t in texts if t)
    return ""


def call_model(prompt: Any) -> str:
    """Stand-in for an application's model call: echo the last user text."""
    return f"You said: {_last_text(prompt)}"


async def acall_model(prompt: Any) -> str:
    """Async twin of :func:`call_model`."""
    return call_model(prompt)


def stream_model(prompt: Any) -> Iterator[str]:
    """Streaming twin of :func:`call_model`, in chunks of five characters."""
    reply = call_model(prompt)
    for start in range(0, len(reply), 5):
        yield reply[start : start + 5]


async def astream_model(prompt: Any) -> AsyncIterator[str]:
    """Async streaming twin of :func:`call_model`."""
    for chunk in stream_model(prompt):
        yield chunk


def fresh_namespace(page: str) -> dict[str, Any]:
    """Return the namespace a page's examples start with."""
    return {
        "__name__": f"docs_{Path(page).stem.replace('-', '_')}",
        "call_model": call_model,
        "acall_model": acall_model,
        "stream_model": stream_model,
        "astream_model": astream_model,
    }


# -- running blocks ----------------------------------------------------------------------------


class ExampleFailed(AssertionError):
    """A documentation example did not do what the page says."""


def _run_python(block: Block, where: str, namespace: dict[str, Any]) -> None:
    if block.source.lstrip().startswith(">>>"):
        parser = doctest.DocTestParser()
        test = parser.get_doctest(block.source, namespace, where, where, block.line - 1)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        report: list[str] = []
        runner.run(test, out=report.append, clear_globs=False)
        if runner.failures:
            raise ExampleFailed(f"{where}: doctest failed\n" + "".join(report))
        return
    # Pad with blank lines so tracebacks show the line numbers of the page.
    code = compile("\n" * (block.line - 1) + block.source, where.rsplit(":", 1)[0], "exec")
    exec(code, namespace)  # noqa: S102 - running the documentation's own examples is the point


def _run_console(block: Block, where: str) -> None:
    from guardkit import cli

    checker = doctest.OutputChecker()
    last_code = 0
    commands: list[tuple[str, list[str]]] = []
    for line in block.source.splitlines():
        if line.startswith("$ "):
            command = line[2:].strip()
            if command.startswith("python -m guardkit"):
                command = command[len("python -m ") :]
            commands.append((command, []))
        elif commands:
            commands[-1][1].append(line.rstrip())
    for command, expected_lines in commands:
        if command == "echo $?":
            got = f"{last_code}\n"
        elif command == "guardkit" or command.startswith("guardkit "):
            args = shlex.split(command)[1:]
            stdin_text = ""
            if "<" in args:
                at = args.index("<")
                stdin_text = Path(args[at + 1]).read_text(encoding="utf-8")
                args = args[:at] + args[at + 2 :]
            out = io.StringIO()
            last_code = cli.main(args, stdout=out, stderr=out, stdin=io.StringIO(stdin_text))
            got = "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"
        else:
            continue  # installation and shell commands are shown, not run
        if not any(expected_lines):
            continue  # the page shows the command only; it ran, and `$ echo $?` can check its code
        want = "\n".join(expected_lines).strip("\n") + "\n"
        got_cmp = got.strip("\n") + "\n"
        if not checker.check_output(want, got_cmp, doctest.ELLIPSIS):
            raise ExampleFailed(
                f"{where}: `{command}` printed\n{got_cmp}\nbut the page shows\n{want}"
            )


def run_page(markdown: str, name: str, workdir: Path) -> int:
    """Run every testable block of one page in *workdir*; return how many blocks ran."""
    namespace = fresh_namespace(name)
    ran = 0
    for block in parse_blocks(markdown):
        where = f"{name}:{block.line}"
        if block.skip:
            continue
        if block.file is not None:
            target = workdir / block.file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.source, encoding="utf-8")
            continue
        if block.lang in ("python", "py"):
            _run_python(block, where, namespace)
        elif block.lang == "console":
            _run_console(block, where)
        else:
            continue
        ran += 1
    return ran


# -- tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every python and console example of the page runs and prints what the page shows."""
    monkeypatch.chdir(tmp_path)
    run_page(page.read_text(encoding="utf-8"), f"docs/{page.name}", tmp_path)


def test_core_pages_exist_and_carry_examples() -> None:
    """The core pages exist and the ones that teach the API run at least one example."""
    names = {p.name for p in PAGES}
    with_examples = {
        "quickstart.md", "concepts.md", "policies.md", "streaming.md", "sessions.md", "events.md",
        "configuration.md", "cli.md", "core-checks.md",
    }
    assert with_examples <= names
    for name in sorted(with_examples):
        blocks = parse_blocks((DOCS / name).read_text(encoding="utf-8"))
        assert any(b.lang in _RUN_LANGS and not b.skip and b.file is None for b in blocks), name


PARSE_CASES = [
    ("```python\nx = 1\n```\n", [("python", "x = 1\n", 2, False, None)]),
    (
        "text\n<!-- no-test -->\n```python\nimport openai\n```\n",
        [("python", "import openai\n", 4, True, None)],
    ),
    (
        "<!-- file: guardkit.toml -->\n\n```toml\nname = 'x'\n```\n",
        [("toml", "name = 'x'\n", 4, False, "guardkit.toml")],
    ),
    ("<!-- no-test -->\nprose in between\n```python\nx\n```\n", [("python", "x\n", 4, False, None)]),
    ("- item\n\n    ```py\n    a = 1\n    ```\n", [("py", "a = 1\n", 4, False, None)]),
    (
        "````markdown\n```python\nnot a block\n```\n````\n",
        [("markdown", "```python\nnot a block\n```\n", 2, False, None)],
    ),
]


@pytest.mark.parametrize(("markdown", "expected"), PARSE_CASES)
def test_parse_blocks(markdown: str, expected: list[tuple[Any, ...]]) -> None:
    """Blocks are found with their language, body, line and preceding marker."""
    got = [(b.lang, b.source, b.line, b.skip, b.file) for b in parse_blocks(markdown)]
    assert got == expected


FAILING_PAGES = [
    "```python\nassert 1 + 1 == 3\n```\n",
    "```python\n>>> 1 + 1\n3\n```\n",
    "```console\n$ guardkit check missing.txt\nchecked 1 file(s)\n```\n",
    "```console\n$ guardkit check missing.txt\n...\n$ echo $?\n0\n```\n",
]


@pytest.mark.parametrize("markdown", FAILING_PAGES)
def test_wrong_examples_fail(markdown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An example whose code or shown output is wrong makes the page fail."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AssertionError):
        run_page(markdown, "page.md", tmp_path)


def test_runner_conventions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks share a namespace, file blocks are written, and skipped blocks and shell commands do not run."""
    monkeypatch.chdir(tmp_path)
    page = "\n".join([
        "<!-- file: note.txt -->",
        "```text",
        "hello",
        "```",
        "```python",
        "from pathlib import Path",
        "value = Path('note.txt').read_text().strip()",
        "```",
        "<!-- no-test -->",
        "```python",
        "raise SystemExit('skipped blocks must not run')",
        "```",
        "```python",
        ">>> value, call_model('hi')",
        "('hello', 'You said: hi')",
        "```",
        "```console",
        "$ pip install guardkit",
        "Successfully installed whatever",
        "$ guardkit check - < note.txt",
        "checked 1 file(s)",
        "...",
        "$ echo $?",
        "0",
        "$ python -m guardkit policy validate missing.toml",
        "$ echo $?",
        "2",
        "```",
    ])
    assert run_page(page, "page.md", tmp_path) == 3


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    """The site builds offline with `mkdocs build --strict`: no broken links, no page outside the nav."""
    # Not --quiet: it silences warnings before strict mode can count them, and the build would pass.
    result = subprocess.run(
        [
            sys.executable, "-m", "mkdocs", "build", "--strict",
            "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(tmp_path / "site"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "index.html").is_file()
