"""The README's quickstart examples run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks() -> dict[str, str]:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    named = {}
    for block in blocks:
        first = block.splitlines()[0]
        if first.startswith("# ") and first.endswith(".py"):
            named[first[2:]] = block
    return named


def test_openai_quickstart_passes(tmp_path: Path) -> None:
    """README's app.py and test_app.py pass under pytest with no key and no network."""
    blocks = _blocks()
    assert set(blocks) == {"app.py", "test_app.py"}
    for name, code in blocks.items():
        (tmp_path / name).write_text(code, encoding="utf-8")
    lines = sum(1 for code in blocks.values() for line in code.splitlines()
                if line.strip() and not line.startswith("#"))
    assert lines < 10
    env_free = {"PATH": "", "OPENAI_API_KEY": "", "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_app.py"],
        cwd=tmp_path, capture_output=True, text=True, env=env_free, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
