"""Inner pytest sessions for the plugin tests, run with pytester.

pytester is loaded from ``pytest_configure`` rather than ``pytest_plugins``, which pytest accepts only in
the rootdir's conftest.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


#: Inner runs load no installed plugins (re-importing them on every run is most of a run's time) and
#: load this one by module name, whether or not guardkit is pip-installed so that its entry point exists.
INNER_ARGS = ("-p", "_guardkit_pytestplugin", "-p", "no:cacheprovider")

INI = """\
[pytest]
addopts = --strict-markers --strict-config
filterwarnings = error
"""


class Inner:
    """An inner pytest project: write files, run it, read the outcome."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.path = pytester.path

    def ini(self, extra: str = "") -> None:
        """Write ``pytest.ini`` with strict options and *extra* lines."""
        (self.path / "pytest.ini").write_text(INI + extra, encoding="utf-8")

    def write(self, name: str, text: str) -> None:
        """Write a file of the inner project."""
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def run(self, *args: str) -> pytest.RunResult:
        """Run pytest in-process on the inner project."""
        return self.pytester.runpytest(*INNER_ARGS, *args)


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Inner:
    """A fresh inner project with a strict ``pytest.ini``."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    project = Inner(pytester)
    project.ini()
    return project
