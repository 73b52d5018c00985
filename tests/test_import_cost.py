"""`import guardkit` stays light: heavy dependencies load only when a check needs them."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("pydantic", "hypothesis", "asyncio", "tiktoken", "bleach", "nh3", "regex", "cryptography",
         "openai", "anthropic", "dataclasses", "logging", "inspect", "json")


def test_import_does_not_load_heavy_modules() -> None:
    """A fresh interpreter importing guardkit loads none of the heavy modules."""
    code = (
        "import sys, json, guardkit\n"  # json is imported first by this probe itself
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules and m != 'json']))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_recommended_policy_loads_lazily() -> None:
    """Building a policy imports only what its checks need."""
    code = (
        "import sys, guardkit\n"
        "guardkit.Policy(input=[guardkit.InvisibleChars(), guardkit.DenySubstrings(['x'])])\n"
        "print([m for m in ('pydantic', 'tiktoken', 'bleach') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
