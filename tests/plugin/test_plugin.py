"""The pytest plugin, exercised through inner pytest sessions: fixtures, the marker, ini options and the
failure output users see."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest

GUARDKIT_TOML = 'name = "{name}"\n\n[[input]]\ncheck = "DenySubstrings"\nsubstrings = ["internal-only"]\n'
PYPROJECT = '[tool.guardkit]\nname = "{name}"\n\n[[input]]\ncheck = "InvisibleChars"\n'


def _policy_test(expected: str, marker: str = "") -> str:
    return textwrap.dedent(
        f"""
        import pytest
        import guardkit as gk

        {marker}
        def test_policy(guardkit_policy):
            assert isinstance(guardkit_policy, gk.Policy)
            assert guardkit_policy.name == {expected!r}
        """
    )


# Each case: files of the inner project, extra ini lines, a marker line, and the policy name expected.
POLICY_SOURCES = [
    pytest.param({}, "", "", "recommended", id="fallback-recommended"),
    pytest.param({"pyproject.toml": PYPROJECT.format(name="from-pyproject")}, "", "", "from-pyproject",
                 id="pyproject-table"),
    pytest.param({"pyproject.toml": "[project]\nname = 'x'\n"}, "", "", "recommended",
                 id="pyproject-without-table"),
    pytest.param({"guardkit.toml": GUARDKIT_TOML.format(name="from-guardkit-toml"),
                  "pyproject.toml": PYPROJECT.format(name="from-pyproject")}, "", "",
                 "from-guardkit-toml", id="guardkit-toml-before-pyproject"),
    pytest.param({"guardkit.toml": GUARDKIT_TOML.format(name="from-guardkit-toml"),
                  "conf/policy.toml": GUARDKIT_TOML.format(name="from-ini")},
                 "guardkit_policy = conf/policy.toml\n", "", "from-ini", id="ini-option-first"),
    pytest.param({"conf/policy.toml": GUARDKIT_TOML.format(name="from-ini")},
                 "guardkit_policy = conf/policy.toml\n",
                 "@pytest.mark.guardkit(policy=gk.Policy(name='from-marker'))", "from-marker",
                 id="marker-policy-object"),
    pytest.param({"other.toml": GUARDKIT_TOML.format(name="from-marker-path")}, "",
                 "@pytest.mark.guardkit(policy='other.toml')", "from-marker-path",
                 id="marker-path"),
    pytest.param({}, "", "@pytest.mark.guardkit(policy={'name': 'from-dict'})", "from-dict",
                 id="marker-dict"),
    pytest.param({}, "", "@pytest.mark.guardkit(policy=lambda: gk.Policy(name='from-factory'))",
                 "from-factory", id="marker-factory"),
]  # fmt: skip


@pytest.mark.parametrize(("files", "ini", "marker", "expected"), POLICY_SOURCES)
def test_policy_fixture_sources(
    inner: Any, files: dict[str, str], ini: str, marker: str, expected: str
) -> None:
    """guardkit_policy comes from the marker, the ini option, guardkit.toml, pyproject.toml, or
    recommended()."""
    inner.ini(ini)
    for name, text in files.items():
        inner.write(name, text)
    inner.write("test_it.py", _policy_test(expected, marker))
    inner.run().assert_outcomes(passed=1)


def test_policy_file_is_read_once_per_session(inner: Any) -> None:
    """Tests of one session share the configured policy instead of re-reading the file."""
    inner.write("guardkit.toml", GUARDKIT_TOML.format(name="shared"))
    inner.write(
        "test_it.py",
        textwrap.dedent(
            """
            seen = []

            def test_one(guardkit_policy):
                seen.append(guardkit_policy.input)

            def test_two(guardkit_policy):
                seen.append(guardkit_policy.input)
                assert seen[0][0] is seen[1][0]
            """
        ),
    )
    inner.run().assert_outcomes(passed=2)


def test_closest_marker_wins(inner: Any) -> None:
    """A test's own guardkit marker overrides its class's marker, option by option."""
    inner.write(
        "test_it.py",
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.guardkit(policy={"name": "class-level"}, replies=["from class"])
            class TestPolicies:
                def test_inherits(self, guardkit_policy, guardkit_fake_model):
                    assert guardkit_policy.name == "class-level"
                    assert guardkit_fake_model("q") == "from class"

                @pytest.mark.guardkit(policy={"name": "own"})
                def test_overrides(self, guardkit_policy, guardkit_fake_model):
                    assert guardkit_policy.name == "own"
                    assert guardkit_fake_model("q") == "from class"

                @pytest.mark.guardkit(replies=["abcde"], chunk_size=2)
                def test_chunk_size(self, guardkit_fake_model):
                    assert list(guardkit_fake_model.stream("q")) == ["ab", "cd", "e"]
            """
        ),
    )
    inner.run().assert_outcomes(passed=3)


CONFIG_ERRORS = [
    pytest.param({"guardkit.toml": "name = \n"}, "", "",
                 ["guardkit_policy: cannot load the policy from *guardkit.toml*not valid TOML*"],
                 id="broken-toml"),
    pytest.param({}, "guardkit_policy = missing.toml\n", "",
                 ["guardkit_policy: cannot load the policy from guardkit_policy (ini option)*missing.toml*"],
                 id="missing-ini-path"),
    pytest.param({"guardkit.toml": "[[input]]\ncheck = 'NoSuchCheck'\n"}, "", "",
                 ["guardkit_policy: cannot load the policy from *NoSuchCheck*"], id="unknown-check"),
    pytest.param({}, "", "@pytest.mark.guardkit(policy=42)",
                 ["@pytest.mark.guardkit(policy=...): expected a Policy, a path, a dict*got int"],
                 id="marker-wrong-type"),
    pytest.param({}, "", "@pytest.mark.guardkit(policy={'input': [{'check': 'Nope'}]})",
                 ["@pytest.mark.guardkit(policy=...): *Nope*"], id="marker-bad-dict"),
    pytest.param({}, "", "@pytest.mark.guardkit(polcy='x.toml')",
                 [("@pytest.mark.guardkit: unknown option polcy; expected policy, replies, strict, "
                   "chunk_size")],
                 id="marker-unknown-option"),
    pytest.param({}, "", "@pytest.mark.guardkit('x.toml')",
                 ["@pytest.mark.guardkit takes keyword options only*"], id="marker-positional"),
]  # fmt: skip


@pytest.mark.parametrize(("files", "ini", "marker", "lines"), CONFIG_ERRORS)
def test_configuration_errors_fail_setup_with_a_clear_message(
    inner: Any, files: dict[str, str], ini: str, marker: str, lines: list[str]
) -> None:
    """A broken policy source errors the test at setup, naming the source, without a traceback."""
    inner.ini(ini)
    for name, text in files.items():
        inner.write(name, text)
    inner.write("test_it.py", _policy_test("unused", marker))
    result = inner.run()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(lines)
    assert "Traceback" not in result.stdout.str()
    assert "During handling" not in result.stdout.str()


def test_marker_and_ini_options_are_registered(inner: Any) -> None:
    """The guardkit marker and both ini options show in pytest's help, so strict modes accept them."""
    markers = inner.run("--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.guardkit(policy=None, replies=None, strict=None*"])
    helptext = inner.run("--help")
    helptext.stdout.fnmatch_lines(["*guardkit_policy*", "*guardkit_strict_replies*"])
    fixtures = inner.run("--fixtures")
    fixtures.stdout.fnmatch_lines(
        ["guardkit_policy*", "*guardkit Policy*", "guardkit_fake_model*", "guardkit_capture*",
         "*EventRecorder*"]
    )


def test_fake_model_serves_every_call_style_from_the_marker_script(inner: Any) -> None:
    """Marker replies feed sync, async and streaming calls through guarded functions, in order."""
    inner.write(
        "test_it.py",
        textwrap.dedent(
            """
            import asyncio
            import pytest
            import guardkit as gk
            from guardkit.testing import Reply

            @pytest.mark.guardkit(replies=["one", "two", Reply(chunks=["th", "ree"]), "four five"])
            def test_styles(guardkit_policy, guardkit_fake_model):
                model = guardkit_fake_model

                @gk.guard(guardkit_policy)
                def ask(prompt):
                    return model(prompt)

                @gk.guard(guardkit_policy)
                async def aask(prompt):
                    return await model.acall(prompt)

                @gk.guard(guardkit_policy)
                def stream(prompt):
                    yield from model.stream(prompt)

                @gk.guard(guardkit_policy)
                async def astream(prompt):
                    async for chunk in model.astream(prompt):
                        yield chunk

                async def collect():
                    return [c async for c in astream("d")]

                assert ask("a") == "one"
                assert asyncio.run(aask("b")) == "two"
                assert "".join(stream("c")) == "three"
                assert "".join(asyncio.run(collect())) == "four five"
                assert model.calls == ["a", "b", "c", "d"]
            """
        ),
    )
    inner.run().assert_outcomes(passed=1)


UNUSED = textwrap.dedent(
    """
    import pytest

    {marker}
    def test_it(guardkit_fake_model):
        assert guardkit_fake_model("q") == "used"
        {extra}
    """
)


@pytest.mark.parametrize(
    ("marker", "ini", "extra", "outcome"),
    [
        pytest.param('@pytest.mark.guardkit(replies=["used", "left", "over"])', "", "",
                     {"passed": 1, "errors": 1}, id="strict-by-default"),
        pytest.param('@pytest.mark.guardkit(replies=["used", "left"], strict=False)', "", "",
                     {"passed": 1}, id="marker-not-strict"),
        pytest.param('@pytest.mark.guardkit(replies=["used", "left"])',
                     "guardkit_strict_replies = false\n", "", {"passed": 1}, id="ini-not-strict"),
        pytest.param('@pytest.mark.guardkit(replies=["used", "left"], strict=True)',
                     "guardkit_strict_replies = false\n", "", {"passed": 1, "errors": 1},
                     id="marker-overrides-ini"),
        pytest.param('@pytest.mark.guardkit(replies=["used", "left"])', "", "assert False",
                     {"failed": 1}, id="failed-test-gets-no-second-error"),
        pytest.param('@pytest.mark.guardkit(replies=["used"])', "", "", {"passed": 1},
                     id="all-used"),
    ],
)  # fmt: skip
def test_unused_replies_fail_at_teardown(
    inner: Any, marker: str, ini: str, extra: str, outcome: dict[str, int]
) -> None:
    """A passing test that leaves scripted replies unused errors at teardown, unless told not to."""
    inner.ini(ini)
    inner.write("test_it.py", UNUSED.format(marker=marker, extra=extra))
    result = inner.run()
    result.assert_outcomes(**outcome)
    assert "During handling" not in result.stdout.str()
    if outcome.get("errors"):
        result.stdout.fnmatch_lines(
            [
                "*ERROR at teardown of test_it*",
                ("*FakeModel: * scripted replies were not used (1 calls made): #2 Reply(<4 chars>)*"
                "strict=False*"),
            ]
        )


def test_bad_replies_fail_setup(inner: Any) -> None:
    """A marker script of the wrong type errors the test at setup with the reason."""
    inner.write(
        "test_it.py",
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.guardkit(replies="just one str")
            def test_it(guardkit_fake_model):
                pass

            @pytest.mark.guardkit(replies=["ok"], strict="yes")
            def test_strict(guardkit_fake_model):
                pass
            """
        ),
    )
    result = inner.run()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.guardkit(replies=...): FakeModel takes a list of replies*",
            "*@pytest.mark.guardkit: strict must be True or False, got 'yes'*",
        ]
    )


def test_capture_records_the_policy_fixture_and_default_sink_policies(inner: Any) -> None:
    """guardkit_capture sees guardkit_policy's events and those of an app's module-level policy."""
    inner.write(
        "app.py",
        textwrap.dedent(
            """
            import guardkit as gk

            POLICY = gk.Policy(input=[gk.DenySubstrings(["internal-only"])], name="app")

            @gk.guard(POLICY)
            def ask(prompt):
                return "fine"
            """
        ),
    )
    inner.write(
        "test_it.py",
        textwrap.dedent(
            """
            import logging
            import pytest
            import guardkit as gk
            from guardkit.testing import assert_blocked
            import app

            @pytest.mark.guardkit(policy=gk.Policy(input=[gk.InvisibleChars()], name="fixture"))
            def test_capture(guardkit_policy, guardkit_capture):
                assert guardkit_policy.check_input("a\\u200bb").action is gk.Action.REDACT
                assert_blocked(app.ask, "an internal-only note")
                assert [e.policy for e in guardkit_capture] == ["fixture", "app"]
                assert guardkit_capture.actions == [gk.Action.REDACT, gk.Action.BLOCK]
                assert guardkit_capture.rules == ("invisible_chars.zero_width", "deny_substrings")

            def test_logger_restored_after_capture():
                assert logging.getLogger("guardkit").level == logging.NOTSET
            """
        ),
    )
    inner.run().assert_outcomes(passed=2)


def test_assertion_helpers_explain_failures(inner: Any) -> None:
    """Failed assertions name the stage, the verdict and the rules, kinds and spans that fired."""
    inner.write(
        "test_it.py",
        textwrap.dedent(
            """
            import pytest
            import guardkit as gk
            from guardkit.testing import assert_allowed, assert_blocked, assert_redacted

            POLICY = gk.Policy(
                input=[gk.DenySubstrings(["internal-only"]), gk.InvisibleChars()],
                output=[gk.DenySubstrings(["codename"])],
            )

            def test_not_blocked():
                assert_blocked(POLICY, "a harmless question")

            def test_wrong_rule():
                assert_blocked(POLICY, "internal-only", rule="pii")

            def test_not_allowed():
                assert_allowed(POLICY, "see the internal-only memo")

            def test_not_redacted():
                assert_redacted(POLICY, "see the internal-only memo")

            def test_function_returned():
                @gk.guard(POLICY)
                def ask(prompt):
                    return "the codename is out"
                assert_blocked(ask, "hello")
            """
        ),
    )
    result = inner.run()
    result.assert_outcomes(failed=5)
    output = result.stdout.str()
    for message in (
        ("E       AssertionError: assert_blocked: expected the input to be blocked, but the verdict "
        "was allowed (no check fired); findings: no findings"),
        ("E       AssertionError: assert_blocked: the input was blocked, but not by rule 'pii'; "
        "findings: deny_substrings [DENIED_SUBSTRING] at 0:13"),
        ("E       AssertionError: assert_allowed: expected the input to pass, but the verdict was "
        "block; findings: deny_substrings [DENIED_SUBSTRING] at 8:21"),
        ("E       AssertionError: assert_redacted: expected the input to be redacted, but the verdict "
        "was block; findings: deny_substrings [DENIED_SUBSTRING] at 8:21"),
        ("E       AssertionError: assert_blocked: expected the input to be blocked, but the output "
        "was blocked by deny_substrings [DENIED_SUBSTRING] at 4:12"),
    ):
        assert message in output
    # The helpers' own frames are hidden: the failure points at the test's line.
    assert "def assert_blocked(" not in output
    assert ">       assert_blocked(POLICY, \"a harmless question\")" in output


def test_helpers_and_fixture_types_are_reexported() -> None:
    """The plugin module re-exports the helpers and fixture types of guardkit.testing."""
    import guardkit.pytest_plugin as plugin
    from guardkit import testing

    for name in ("FakeModel", "EventRecorder", "Reply", "assert_blocked", "assert_allowed",
                 "assert_redacted", "aassert_blocked", "aassert_allowed", "redteam"):  # fmt: skip
        assert getattr(plugin, name) is getattr(testing, name)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        plugin.nothing  # noqa: B018 - the attribute access is the test


def test_a_run_that_uses_no_fixture_loads_no_helpers(pytester: pytest.Pytester) -> None:
    """Loading the plugin imports neither guardkit nor its test helpers, Hypothesis or pydantic."""
    pytester.makepyfile(
        test_plain="def test_nothing():\n    pass\n",
        conftest=textwrap.dedent(
            """
            import sys

            def pytest_sessionfinish(session):
                loaded = [m for m in ("guardkit", "guardkit.testing", "guardkit.strategies",
                                      "hypothesis", "pydantic", "guardkit.config") if m in sys.modules]
                print("LOADED", loaded)
            """
        ),
    )
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "_guardkit_pytestplugin", "-p", "no:cacheprovider",
         "-s", "-q"],
        cwd=pytester.path, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "LOADED []" in result.stdout
