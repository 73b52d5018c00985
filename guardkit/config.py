"""Policies from configuration: ``guardkit.toml``, ``[tool.guardkit]`` in ``pyproject.toml``, or a dict.

The file is parsed into pydantic models and then built into a plain :class:`~guardkit.Policy`; nothing here
runs on the hot path. Check names map to classes through an explicit table; third-party checks register under
the ``guardkit.validators`` entry-point group and are loaded only for names the table does not know.

Example ``guardkit.toml``::

    name = "chat"
    monitor = false

    [[input]]
    check = "InvisibleChars"

    [[input]]
    check = "DenyPatterns"
    patterns = ['(?i)\\bdrop\\s+table\\b']

    [[output]]
    check = "DenySubstrings"
    substrings = ["internal-only"]
    action = "block"
"""

from __future__ import annotations

import importlib
import inspect
import os
import tomllib
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from guardkit._errors import ConfigError
from guardkit._policy import Policy

__all__ = ["CHECKS", "CheckConfig", "PolicyConfig", "load_policy", "policy_from_dict"]

#: Check names accepted in configuration, mapped to ``module:attribute``. Both the class name and its
#: snake_case form are accepted (``"DenyPatterns"`` or ``"deny_patterns"``).
CHECKS: Mapping[str, str] = {
    "InvisibleChars": "guardkit.validators._unicode:InvisibleChars",
    "MaxChars": "guardkit.validators._basic:MaxChars",
    "MaxTokens": "guardkit.validators._basic:MaxTokens",
    "DenyPatterns": "guardkit.validators._basic:DenyPatterns",
    "DenySubstrings": "guardkit.validators._basic:DenySubstrings",
    "NormalizeUnicode": "guardkit.sanitizers._unicode:NormalizeUnicode",
    "SpecialTokens": "guardkit.validators._special_tokens:SpecialTokens",
    "NeutralizeSpecialTokens": "guardkit.validators._special_tokens:NeutralizeSpecialTokens",
    "Spotlight": "guardkit.sanitizers._spotlight:Spotlight",
    "SanitizeHtml": "guardkit.sanitizers._html:SanitizeHtml",
    "SafeMarkdown": "guardkit.sanitizers._markdown:SafeMarkdown",
    "Links": "guardkit.validators._links:Links",
    "PII": "guardkit.validators._pii:PII",
    "Secrets": "guardkit.validators._secrets:Secrets",
    "PromptInjection": "guardkit.validators._injection:PromptInjection",
    "Canary": "guardkit.validators._leaks:Canary",
    "PromptLeak": "guardkit.validators._leaks:PromptLeak",
    "ShellCommands": "guardkit.validators._commands:ShellCommands",
    "SqlStatements": "guardkit.validators._commands:SqlStatements",
}

# Checks whose first parameters are positional: the config key that feeds them.
_POSITIONAL: Mapping[str, str] = {
    "MaxChars": "limit",
    "MaxTokens": "limit",
    "DenyPatterns": "patterns",
    "DenySubstrings": "substrings",
    "PromptLeak": "system_prompt",
}


def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


_BY_NAME: dict[str, str] = {**{n: n for n in CHECKS}, **{_snake(n): n for n in CHECKS}}


class CheckConfig(BaseModel):
    """One check: ``check`` names it; every other key is passed to its constructor."""

    model_config = ConfigDict(extra="allow", frozen=True)

    check: str = Field(min_length=1)


class PolicyConfig(BaseModel):
    """The whole policy table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "policy"
    extends: Literal["recommended"] | None = None
    # Strict: TOML has booleans and integers, so "yes" or true in their place is a mistake to report.
    monitor: StrictBool = False
    input: list[CheckConfig] = Field(default_factory=list)
    output: list[CheckConfig] = Field(default_factory=list)
    tool: list[CheckConfig] | None = None
    on_fail: dict[str, str] = Field(default_factory=dict)
    fail_open: list[str] = Field(default_factory=list)
    trusted_roles: list[str] = Field(default_factory=lambda: ["system", "developer"])
    stream_window: StrictInt = Field(default=2048, gt=0)

    def build(self) -> Policy:
        """Instantiate every check and return the plain :class:`Policy`."""
        input_checks = [_build_check(c, f"input[{i}]") for i, c in enumerate(self.input)]
        output_checks = [_build_check(c, f"output[{i}]") for i, c in enumerate(self.output)]
        tool_checks = (
            None
            if self.tool is None
            else [_build_check(c, f"tool[{i}]") for i, c in enumerate(self.tool)]
        )
        if self.extends == "recommended":
            base = Policy.recommended()
            input_checks = [*base.input, *input_checks]
            output_checks = [*base.output, *output_checks]
            # Like a Policy without tool=, tool content gets the input checks when none are listed.
            own_tool = input_checks[len(base.input) :] if tool_checks is None else tool_checks
            tool_checks = [*base.tool, *own_tool]
        return Policy(
            input=input_checks,
            output=output_checks,
            tool=tool_checks,
            on_fail=self.on_fail,
            fail_open=self.fail_open,
            trusted_roles=self.trusted_roles,
            monitor=self.monitor,
            stream_window=self.stream_window,
            name=self.name,
        )


def _resolve(name: str, where: str) -> tuple[str, Callable[..., Any]]:
    canonical = _BY_NAME.get(name)
    if canonical is not None:
        module, _, attr = CHECKS[canonical].partition(":")
        return canonical, getattr(importlib.import_module(module), attr)
    from importlib.metadata import entry_points

    for ep in entry_points(group="guardkit.validators"):
        if ep.name == name:
            return name, ep.load()
    known = ", ".join(sorted(CHECKS))
    raise ConfigError(f"{where}.check: unknown check {name!r}; known checks: {known}")


def _build_check(config: CheckConfig, where: str) -> Any:
    name, factory = _resolve(config.check, where)
    options = dict(config.model_extra or {})
    args: list[Any] = []
    positional = _POSITIONAL.get(name)
    if positional is not None and positional in options:
        value = options.pop(positional)
        if name == "DenyPatterns":
            args.extend(value if isinstance(value, list) else [value])
        else:
            args.append(value)
    params: Mapping[str, inspect.Parameter]
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without signatures
        params = {}
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    if not accepts_any:
        allowed = {
            n for n, p in params.items() if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
        }
        for key in options:
            if key not in allowed:
                raise ConfigError(
                    f"{where}.{key}: {name} has no option {key!r}"
                    + (f" (options: {', '.join(sorted(allowed))})" if allowed else "")
                )
    if isinstance(options.get("action"), Mapping):
        options["action"] = _redactor(options["action"], f"{where}.action")
    try:
        return factory(*args, **options)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    except TypeError as exc:
        raise ConfigError(f"{where}: {name}: {exc}") from None


def _redactor(spec: Mapping[str, Any], where: str) -> Any:
    """Build a redactor from a table: ``{mask = {keep_last = 4}}`` or ``{hash = {key_env = "NAME"}}``."""
    from guardkit._redactors import Hash, Mask

    if len(spec) != 1:
        raise ConfigError(f"{where}: expected one of mask or hash, got {', '.join(spec) or 'nothing'}")
    (kind, options), = spec.items()
    options = dict(options or {})
    try:
        if kind == "mask":
            return Mask(**options)
        if kind == "hash":
            from guardkit._vault_crypto import key_from_env

            env = options.pop("key_env", "GUARDKIT_HASH_KEY")
            return Hash(key_from_env(env), **options)
    except TypeError as exc:
        raise ConfigError(f"{where}.{kind}: {exc}") from None
    raise ConfigError(f"{where}: unknown redactor {kind!r}; expected mask or hash")


def _format_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def policy_from_dict(data: Mapping[str, Any]) -> Policy:
    """Build a policy from a dict shaped like the TOML table.

    Raises:
        ConfigError: Unknown keys or bad values, naming the key.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"policy config must be a table, got {type(data).__name__}")
    try:
        config = PolicyConfig.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(f"policy config: {_format_errors(exc)}") from None
    return config.build()


def load_policy(path: str | os.PathLike[str]) -> Policy:
    """Read a policy from ``guardkit.toml`` or from ``[tool.guardkit]`` in ``pyproject.toml``.

    Raises:
        ConfigError: The file is missing or unreadable, is not TOML, or the policy is invalid.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text, which TOML requires") from None
    if os.path.basename(path) == "pyproject.toml":
        table = data.get("tool", {}).get("guardkit")
        if table is None:
            raise ConfigError(f"{path}: no [tool.guardkit] table")
        data = table
    try:
        return policy_from_dict(data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
