"""guardkit: fast, offline guards around LLM calls.

Validators flag, sanitizers rewrite, and a :class:`Policy` decides what happens; :func:`guard` and
:func:`guarded` apply a policy to your own model-call functions.
"""

from typing import TYPE_CHECKING

from guardkit._adapters import AnyOf, sanitizer, validator
from guardkit._errors import (
    Blocked,
    ConfigError,
    GuardkitError,
    GuardkitWarning,
    InputBlocked,
    OutputBlocked,
    ValidatorFailed,
    VaultError,
)
from guardkit._events import Event, LoggingSink
from guardkit._guard import OutputAdapter, StreamAdapter, guard
from guardkit._hidden import HiddenSegment, hidden_segments
from guardkit._policy import Policy
from guardkit._redactors import Hash, Mask, Redact
from guardkit._session import Session, Vault, current_session, guarded
from guardkit._stream import OutputStream
from guardkit._structured import (
    StructuredOutputError,
    default_reask,
    extract_json,
    format_errors,
    parse_model,
    repair_json,
)
from guardkit._types import Action, Finding, Sanitizer, Validator, Verdict
from guardkit.sanitizers._spotlight import Spotlight, Spotlighted
from guardkit.sanitizers._unicode import NormalizeUnicode
from guardkit.validators._basic import DenyPatterns, DenySubstrings, MaxChars, MaxTokens
from guardkit.validators._commands import ShellCommands, SqlStatements
from guardkit.validators._leaks import Canary, PromptLeak
from guardkit.validators._special_tokens import NeutralizeSpecialTokens, SpecialTokens
from guardkit.validators._unicode import InvisibleChars

if TYPE_CHECKING:
    from guardkit._vault_crypto import generate_vault_key, key_from_env
    from guardkit.sanitizers._html import SanitizeHtml
    from guardkit.sanitizers._markdown import SafeMarkdown
    from guardkit.validators._injection import PromptInjection
    from guardkit.validators._links import Links
    from guardkit.validators._pii import PII
    from guardkit.validators._secrets import Secrets

__version__ = "0.1.0.dev0"

# Checks whose modules compile large pattern tables load on first use, keeping `import guardkit` light.
_LAZY = {
    "PII": "guardkit.validators._pii",
    "Secrets": "guardkit.validators._secrets",
    "key_from_env": "guardkit._vault_crypto",
    "generate_vault_key": "guardkit._vault_crypto",
    "Links": "guardkit.validators._links",
    "PromptInjection": "guardkit.validators._injection",
    "SafeMarkdown": "guardkit.sanitizers._markdown",
    "SanitizeHtml": "guardkit.sanitizers._html",
}

__all__ = [
    "PII",
    "Action",
    "AnyOf",
    "Blocked",
    "Canary",
    "ConfigError",
    "DenyPatterns",
    "DenySubstrings",
    "Event",
    "Finding",
    "GuardkitError",
    "GuardkitWarning",
    "Hash",
    "HiddenSegment",
    "InputBlocked",
    "InvisibleChars",
    "Links",
    "LoggingSink",
    "Mask",
    "MaxChars",
    "MaxTokens",
    "NeutralizeSpecialTokens",
    "NormalizeUnicode",
    "OutputAdapter",
    "OutputBlocked",
    "OutputStream",
    "Policy",
    "PromptInjection",
    "PromptLeak",
    "Redact",
    "SafeMarkdown",
    "SanitizeHtml",
    "Sanitizer",
    "Secrets",
    "Session",
    "ShellCommands",
    "SpecialTokens",
    "Spotlight",
    "Spotlighted",
    "SqlStatements",
    "StreamAdapter",
    "StructuredOutputError",
    "Validator",
    "ValidatorFailed",
    "Vault",
    "VaultError",
    "Verdict",
    "current_session",
    "default_reask",
    "extract_json",
    "format_errors",
    "generate_vault_key",
    "guard",
    "guarded",
    "hidden_segments",
    "key_from_env",
    "parse_model",
    "repair_json",
    "sanitizer",
    "validator",
]

# Public objects read as guardkit.X in reprs, tracebacks and docs.
for _name in __all__:
    if _name in _LAZY:
        continue
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("guardkit."):
        _obj.__module__ = "guardkit"
del _name, _obj


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'guardkit' has no attribute {name!r}")
    import importlib

    obj = getattr(importlib.import_module(module), name)
    obj.__module__ = "guardkit"
    globals()[name] = obj
    return obj


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
