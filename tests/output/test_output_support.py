"""Module hygiene for the output checks: import cost, doctests, and the benchmark in smoke mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = [
    "guardkit._structured",
    "guardkit.sanitizers._html",
    "guardkit.sanitizers._markdown",
    "guardkit.validators._commands",
    "guardkit.validators._leaks",
    "guardkit.validators._links",
]
HEAVY = ["bleach", "nh3", "pydantic", "json", "hypothesis", "regex", "asyncio", "html.entities"]


def test_importing_the_modules_loads_nothing_heavy() -> None:
    """The output modules import no heavy dependency and compile no pattern at import time."""
    code = (
        "import sys, re, json, guardkit\n"  # the package itself first: it is not measured here
        "sys.modules.pop('json')\n"
        "before = len(re._cache)\n"
        f"for name in {MODULES!r}: __import__(name)\n"
        f"print(json.dumps([[m for m in {HEAVY!r} if m in sys.modules], len(re._cache) - before]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded, compiled = json.loads(out.stdout)
    assert [m for m in loaded if m != "json"] == []
    assert compiled == 0


def test_building_the_checks_loads_only_what_they_need() -> None:
    """Links, leaks and commands need no heavy module; SanitizeHtml loads just its backend."""
    code = (
        "import sys\n"
        "from guardkit.validators._links import Links\n"
        "from guardkit.validators._leaks import Canary, PromptLeak\n"
        "from guardkit.validators._commands import ShellCommands, SqlStatements\n"
        "from guardkit.sanitizers._markdown import SafeMarkdown\n"
        "Links(); Canary(); PromptLeak('a b c d e'); ShellCommands(); SqlStatements(); SafeMarkdown()\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert json.loads(out.stdout.replace("'", '"')) == []


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, module_doctests: Any) -> None:
    """The examples in the modules' docstrings run and print what they show."""
    result = module_doctests(name)
    assert result.failed == 0
    assert result.attempted > 0


def test_benchmark_runs_in_smoke_mode() -> None:
    """benchmarks/bench_output.py completes untimed and prints its tables."""
    env = {**os.environ, "GUARDKIT_BENCH_SMOKE": "1"}
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_output.py")],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "Python" in out.stdout
    assert "SanitizeHtml" in out.stdout


def test_checks_accept_lone_surrogates_and_never_echo_input() -> None:
    """Every check takes text with lone surrogates; details never repeat text from the input."""
    from guardkit._structured import StructuredOutputError, parse_model
    from guardkit.sanitizers._html import SanitizeHtml
    from guardkit.sanitizers._markdown import SafeMarkdown
    from guardkit.validators._commands import ShellCommands, SqlStatements
    from guardkit.validators._leaks import Canary, PromptLeak
    from guardkit.validators._links import Links

    marker = "Zq9secretmarker"
    text = (
        f"\ud800 ![x](https://ev\udfffil.example/{marker}) <{marker} href='https://e.example/'> "
        f"[{marker}](javascript:{marker}) rm -rf / \udc00 DROP TABLE {marker};"
    )
    checks = [Links(allow_domains=["docs.python.org"]), Canary(), PromptLeak("a b c d e f"),
              ShellCommands(), SqlStatements()]
    for check in checks:
        for finding in check.check(text):
            assert marker.lower() not in finding.detail.lower()
            assert marker.lower() not in repr(finding).lower()
    for sanitizer in (SanitizeHtml(backend="nh3"), SanitizeHtml(backend="bleach"), SafeMarkdown()):
        assert isinstance(sanitizer.clean(text), str)
    with pytest.raises(StructuredOutputError) as info:
        parse_model(dict[str, int], '{"k": "' + marker + '\ud800"}')
    assert marker not in str(info.value)
