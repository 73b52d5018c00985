"""pytest plugin: the ``guardkit_policy``, ``guardkit_fake_model`` and ``guardkit_capture`` fixtures, the
``guardkit`` marker and the ``guardkit_policy`` / ``guardkit_strict_replies`` ini options.

pytest imports this module in every run wherever guardkit is installed, so it imports only pytest;
guardkit itself loads inside the fixtures, when a test asks for one. It is a top-level module (the
``pytest11`` entry point names it) because importing ``guardkit.pytest_plugin`` would import the
``guardkit`` package first; users import fixture types and helpers from ``guardkit.pytest_plugin``.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from guardkit._policy import Policy
    from guardkit.testing import (
        EventRecorder,
        FakeModel,
        Reply,
        aassert_allowed,
        aassert_blocked,
        assert_allowed,
        assert_blocked,
        assert_redacted,
        redteam,
    )

__all__ = [
    "EventRecorder",
    "FakeModel",
    "Reply",
    "aassert_allowed",
    "aassert_blocked",
    "assert_allowed",
    "assert_blocked",
    "assert_redacted",
    "guardkit_capture",
    "guardkit_fake_model",
    "guardkit_policy",
    "redteam",
]

_MARKER_OPTIONS = ("policy", "replies", "strict", "chunk_size")
_MARKER_HELP = (
    "guardkit(policy=None, replies=None, strict=None, chunk_size=None): per-test guardkit options. "
    "policy: a Policy, a path to a guardkit.toml or pyproject.toml, a dict, or a function returning a "
    "Policy, for the guardkit_policy fixture. replies, chunk_size: the script of guardkit_fake_model. "
    "strict: whether unused replies fail the test (default: the guardkit_strict_replies ini option)."
)

# Annotated rather than subscripted: a string subscript would be compiled as a forward reference on
# every pytest start.
_policy_key: pytest.StashKey[tuple[Any, str | None]] = pytest.StashKey()
_recorder_key: pytest.StashKey[EventRecorder] = pytest.StashKey()
_call_failed_key: pytest.StashKey[bool] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ini options."""
    parser.addini(
        "guardkit_policy",
        "Policy file for the guardkit_policy fixture: a guardkit.toml, or a pyproject.toml with a "
        "[tool.guardkit] table (relative paths start at the ini file's directory)",
        default="",
    )
    parser.addini(
        "guardkit_strict_replies",
        "Fail a test whose guardkit_fake_model still has unused scripted replies (default: true)",
        type="bool",
        default=True,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``guardkit`` marker."""
    config.addinivalue_line("markers", _MARKER_HELP)


# -- marker and configuration ------------------------------------------------------------------


def _marker_options(node: pytest.Item) -> dict[str, Any]:
    """Merge the ``guardkit`` markers of *node*: the closest one (the test's own) wins per option."""
    merged: dict[str, Any] = {}
    for mark in reversed(list(node.iter_markers("guardkit"))):
        if mark.args:
            pytest.fail(
                "@pytest.mark.guardkit takes keyword options only "
                f"({', '.join(_MARKER_OPTIONS)})",
                pytrace=False,
            )
        unknown = sorted(set(mark.kwargs) - set(_MARKER_OPTIONS))
        if unknown:
            pytest.fail(
                f"@pytest.mark.guardkit: unknown option {', '.join(unknown)}; expected "
                f"{', '.join(_MARKER_OPTIONS)}",
                pytrace=False,
            )
        merged.update(mark.kwargs)
    return merged


def _policy_from(value: object, config: pytest.Config, where: str) -> Policy:
    """Turn a marker's ``policy=`` value into a Policy."""
    import os

    from guardkit import ConfigError, Policy

    try:
        if isinstance(value, Policy):
            return value
        if isinstance(value, (str, os.PathLike)):
            return Policy.from_file(config.rootpath / os.fspath(value))
        if isinstance(value, Mapping):
            return Policy.from_dict(value)
        if callable(value):
            built = value()
            if not isinstance(built, Policy):
                raise ConfigError(f"the function returned {type(built).__name__}, not a Policy")
            return built
        problem = (
            "expected a Policy, a path, a dict or a function returning a Policy, got "
            f"{type(value).__name__}"
        )
    except ConfigError as exc:
        problem = str(exc)
    # Failing outside the except block keeps the report to this one message.
    pytest.fail(f"{where}: {problem}", pytrace=False)


def _has_guardkit_table(path: Any) -> bool:
    import tomllib

    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "guardkit" in tool


def _load_configured(config: pytest.Config) -> tuple[Any, str | None]:
    """Find the project's policy: ini option, then guardkit.toml, then ``[tool.guardkit]`` in
    pyproject.toml (both in the rootdir), then ``Policy.recommended()``.

    Returns ``(policy, None)``, or ``(None, message)`` when the configured file is broken.
    """
    from guardkit import ConfigError, Policy

    option = str(config.getini("guardkit_policy") or "").strip()
    if option:
        base = config.inipath.parent if config.inipath is not None else config.rootpath
        path = base / option
        source = f"guardkit_policy (ini option) {path}"
    else:
        path = config.rootpath / "guardkit.toml"
        source = str(path)
        if not path.is_file():
            path = config.rootpath / "pyproject.toml"
            source = f"[tool.guardkit] in {path}"
            if not (path.is_file() and _has_guardkit_table(path)):
                return Policy.recommended(), None
    try:
        return Policy.from_file(path), None
    except ConfigError as exc:
        return None, f"guardkit_policy: cannot load the policy from {source}: {exc}"


def _configured_policy(config: pytest.Config) -> Policy:
    """The project's policy, loaded once per session."""
    found = config.stash.get(_policy_key, None)
    if found is None:
        found = _load_configured(config)
        config.stash[_policy_key] = found
    policy, error = found
    if error is not None:
        pytest.fail(error, pytrace=False)
    return policy  # type: ignore[no-any-return]


def _recorder(item: pytest.Item) -> EventRecorder:
    """The test's event recorder, shared by ``guardkit_policy`` and ``guardkit_capture``."""
    recorder = item.stash.get(_recorder_key, None)
    if recorder is None:
        from guardkit.testing import EventRecorder

        recorder = EventRecorder()
        item.stash[_recorder_key] = recorder
    return recorder


# -- test outcome, for teardown checks -----------------------------------------------------------


class _CallOutcome:
    """Remembers whether each test's call phase failed. Registered on first use of a fixture that
    needs it, so runs that never use guardkit's fixtures pay nothing."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.when == "call":
            item.stash[_call_failed_key] = report.failed
        return report


_OUTCOME_PLUGIN = "guardkit-call-outcome"


def _watch_outcomes(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(_OUTCOME_PLUGIN):
        config.pluginmanager.register(_CallOutcome(), _OUTCOME_PLUGIN)


# -- fixtures ------------------------------------------------------------------------------------


def _policy_fixture(request: pytest.FixtureRequest) -> Iterator[Policy]:
    """The project's guardkit Policy, with its events recorded for ``guardkit_capture``.

    Taken from ``@pytest.mark.guardkit(policy=...)``, else the ``guardkit_policy`` ini option, else
    ``guardkit.toml`` or ``[tool.guardkit]`` in ``pyproject.toml`` in the rootdir, else
    ``Policy.recommended()``. Configuration files are read once per session.
    """
    options = _marker_options(request.node)
    if "policy" in options and options["policy"] is not None:
        policy = _policy_from(options["policy"], request.config, "@pytest.mark.guardkit(policy=...)")
    else:
        policy = _configured_policy(request.config)
    yield _recorder(request.node).attach(policy)


def _fake_model_fixture(request: pytest.FixtureRequest) -> Iterator[FakeModel]:
    """A FakeModel scripted by ``@pytest.mark.guardkit(replies=[...])``.

    At teardown, a test that passed fails if scripted replies were left unused, unless the marker
    says ``strict=False`` or the ``guardkit_strict_replies`` ini option is false.
    """
    from guardkit import ConfigError
    from guardkit.testing import FakeModel

    options = _marker_options(request.node)
    replies = options.get("replies")
    strict = options.get("strict")
    if strict is None:
        strict = request.config.getini("guardkit_strict_replies")
    elif not isinstance(strict, bool):
        pytest.fail(f"@pytest.mark.guardkit: strict must be True or False, got {strict!r}", pytrace=False)
    try:
        model = FakeModel(() if replies is None else replies, chunk_size=options.get("chunk_size"))
    except ConfigError as exc:
        problem = str(exc)
    else:
        problem = ""
    if problem:
        pytest.fail(f"@pytest.mark.guardkit(replies=...): {problem}", pytrace=False)
    if strict:
        _watch_outcomes(request.config)
    yield model
    if strict and model.pending and not request.node.stash.get(_call_failed_key, False):
        try:
            model.assert_all_used()
        except AssertionError as exc:
            unused = str(exc)
        else:  # pragma: no cover - pending replies always fail the check
            return
        pytest.fail(
            f"{unused} (use them, or mark the test @pytest.mark.guardkit(strict=False))", pytrace=False
        )


def _capture_fixture(request: pytest.FixtureRequest) -> Iterator[EventRecorder]:
    """An EventRecorder of every guardkit decision during the test: those of ``guardkit_policy``,
    and those of every policy that logs through the default sink (the ``"guardkit"`` logger), such
    as an application's module-level policies."""
    from guardkit.testing import capture_events

    with capture_events(_recorder(request.node)) as recorder:
        yield recorder


guardkit_policy = pytest.fixture(name="guardkit_policy")(_policy_fixture)
guardkit_fake_model = pytest.fixture(name="guardkit_fake_model")(_fake_model_fixture)
guardkit_capture = pytest.fixture(name="guardkit_capture")(_capture_fixture)


_REEXPORTED = frozenset(
    {
        "EventRecorder",
        "FakeModel",
        "Reply",
        "aassert_allowed",
        "aassert_blocked",
        "assert_allowed",
        "assert_blocked",
        "assert_redacted",
        "redteam",
    }
)


def __getattr__(name: str) -> Any:
    # The helpers and fixture types of guardkit.testing, loaded on first access so that pytest's
    # import of this module stays cheap.
    if name in _REEXPORTED:
        from guardkit import testing

        return getattr(testing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
