"""Run the examples of docs/integrations.md with the real SDKs against an echoing replay server.

The page's SDK examples are marked ``no-test`` for the generic documentation runner (they need an API); here
the clients they build reach the local server through ``OPENAI_BASE_URL`` and ``ANTHROPIC_BASE_URL``, which
answers ``"You said: <last user text>"``.
"""

from __future__ import annotations

import asyncio
import doctest
import importlib
import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _replay import ReplayServer

PAGE = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"
_BLOCK = re.compile(
    r"(?:^<!--\s*(?P<marker>no-test|file:\s*(?P<file>\S+))\s*-->\n)?^```(?P<lang>\w*)\n(?P<body>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)


def blocks() -> list[tuple[str, str | None, str, int]]:
    """``(lang, file name, source, line)`` of every fenced block of the page."""
    text = PAGE.read_text(encoding="utf-8")
    return [
        (m["lang"], m["file"], m["body"], text.count("\n", 0, m.start("body")) + 1)
        for m in _BLOCK.finditer(text)
    ]


@pytest.fixture
def echo_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ReplayServer]:
    """SDK clients built with no arguments reach an echoing replay server."""
    with ReplayServer(echo=True) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test")
        monkeypatch.chdir(tmp_path)
        monkeypatch.syspath_prepend(str(tmp_path))
        yield server


def _run(source: str, line: int, namespace: dict[str, Any]) -> None:
    if source.lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(source, namespace, "integrations.md", str(PAGE), line - 1)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        report: list[str] = []
        runner.run(test, out=report.append, clear_globs=False)
        assert not runner.failures, "".join(report)
        return
    exec(compile("\n" * (line - 1) + source, str(PAGE), "exec"), namespace)  # noqa: S102


def _close_clients(namespace: dict[str, Any]) -> None:
    for value in namespace.values():
        module = type(value).__module__
        if not module.startswith(("openai", "anthropic")) or not hasattr(value, "close"):
            continue
        closed = value.close()
        if asyncio.iscoroutine(closed):
            closed.close()  # async clients were used on a loop that is gone; nothing left to await


def test_integration_page_examples(echo_env: ReplayServer, tmp_path: Path) -> None:
    """Every python example of the page runs against the real SDKs and gives the results it shows."""
    namespace: dict[str, Any] = {"__name__": "docs_integrations"}
    fastapi = importlib.util.find_spec("fastapi") is not None
    ran = 0
    try:
        for lang, file, source, line in blocks():
            if lang != "python":
                continue
            if file is not None:
                (tmp_path / file).write_text(source, encoding="utf-8")
                continue
            if "from fastapi" in source and not fastapi:
                continue  # the recipe needs fastapi, which is not a test dependency
            _run(source, line, namespace)
            ran += 1
    finally:
        _close_clients(namespace)
    assert ran >= 10
    assert len(echo_env.requests) >= 9


def test_ten_line_quickstart(echo_env: ReplayServer, tmp_path: Path) -> None:
    """The page's app.py and test_app.py pass as written, and the blocked call sends nothing."""
    files = {file: source for _, file, source, _ in blocks() if file is not None}
    assert set(files) == {"app.py", "test_app.py"}
    code_lines = [ln for ln in files["app.py"].splitlines() if ln.strip()]
    assert len(code_lines) <= 10
    for name, source in files.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    for name in ("app", "test_app"):
        sys.modules.pop(name, None)
    try:
        tests = importlib.import_module("test_app")
        tests.test_injection_is_blocked()
        assert echo_env.requests == []
        reply = tests.ask([{"role": "user", "content": "Hello"}])
        assert reply.choices[0].message.content == "You said: Hello"
    finally:
        app = sys.modules.pop("app", None)
        sys.modules.pop("test_app", None)
        if app is not None:
            app.client.close()
