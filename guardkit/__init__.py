"""guardkit: fast, offline guards around LLM calls.

Validators flag, sanitizers rewrite, and a :class:`Policy` decides what happens; :func:`guard` and
:func:`guarded` apply a policy to your own model-call functions.
"""

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
from guardkit._session import Session, Vault, current_session, guarded
from guardkit._stream import OutputStream
from guardkit._types import Action, Finding, Sanitizer, Validator, Verdict
from guardkit.sanitizers._spotlight import Spotlight, Spotlighted
from guardkit.sanitizers._unicode import NormalizeUnicode
from guardkit.validators._basic import DenyPatterns, DenySubstrings, MaxChars, MaxTokens
from guardkit.validators._special_tokens import NeutralizeSpecialTokens, SpecialTokens
from guardkit.validators._unicode import InvisibleChars

__version__ = "0.1.0.dev0"

__all__ = [
    "Action",
    "AnyOf",
    "Blocked",
    "ConfigError",
    "DenyPatterns",
    "DenySubstrings",
    "Event",
    "Finding",
    "GuardkitError",
    "GuardkitWarning",
    "HiddenSegment",
    "InputBlocked",
    "InvisibleChars",
    "LoggingSink",
    "MaxChars",
    "MaxTokens",
    "NeutralizeSpecialTokens",
    "NormalizeUnicode",
    "OutputAdapter",
    "OutputBlocked",
    "OutputStream",
    "Policy",
    "Sanitizer",
    "Session",
    "SpecialTokens",
    "Spotlight",
    "Spotlighted",
    "StreamAdapter",
    "Validator",
    "ValidatorFailed",
    "Vault",
    "VaultError",
    "Verdict",
    "current_session",
    "guard",
    "guarded",
    "hidden_segments",
    "sanitizer",
    "validator",
]

# Public objects read as guardkit.X in reprs, tracebacks and docs.
for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("guardkit."):
        _obj.__module__ = "guardkit"
del _name, _obj
