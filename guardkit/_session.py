"""Sessions (``guarded(policy)``) and the pseudonymization vault they share across calls.

A session is the per-conversation state: the vault that maps placeholders such as ``<EMAIL_1>`` back to the
values they stand for, and an audit context (a user id, a request id) attached to every event.
"""

from __future__ import annotations

import contextvars
import re
from _thread import allocate_lock
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from guardkit._engine import acheck_value, check_value
from guardkit._errors import ConfigError, InputBlocked, OutputBlocked, VaultError
from guardkit._types import Verdict

if TYPE_CHECKING:
    from guardkit._policy import Policy
    from guardkit._stream import OutputStream

__all__ = ["CallState", "Session", "Vault", "current_session", "guarded"]

_PLACEHOLDER: Final = re.compile(r"<([A-Z][A-Z0-9_]{0,39})_([1-9][0-9]{0,8})>")
#: The longest placeholder the vault writes, so streams know how much to hold back.
MAX_PLACEHOLDER: Final = 1 + 40 + 1 + 9 + 1
_MAX_NUMBER: Final = 999_999_999
_KIND_OK: Final = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
_VAULT_FORMAT: Final = "guardkit.vault.v1"
#: Characters that NFKC turns into "<" (full-width and small forms).
_WIDE_LESS_THAN: Final = ("\uff1c", "\ufe64")


def _placeholder_kind(kind: str) -> str:
    """The ``KIND`` part of the placeholders the vault writes for *kind*.

    A kind that is already upper-case ASCII letters, digits and underscores (at most 40, starting with a
    letter) is used as it is; any other is upper-cased, other characters become ``_``, it is cut to 40
    characters and prefixed with ``V`` when it does not start with a letter (``"account-id"`` gives
    ``ACCOUNT_ID``, ``""`` gives ``VALUE``).
    """
    if _KIND_OK.fullmatch(kind):
        return kind
    label = re.sub(r"[^A-Z0-9_]", "_", kind.upper())[:40] or "VALUE"
    if not ("A" <= label[0] <= "Z"):
        label = "V" + label[:39]
    return label


def _folded_forms(text: str) -> list[str]:
    """*text*, and for non-ASCII text the forms a Unicode sanitizer may turn it into (invisible
    characters dropped, NFKC), so placeholder-shaped text hidden that way is seen too."""
    if text.isascii():
        return [text]
    import unicodedata

    from guardkit._canon import invisible_runs

    forms = [text]
    runs = invisible_runs(text)
    if runs:
        parts: list[str] = []
        pos = 0
        for start, end, _kind in runs:
            parts.append(text[pos:start])
            pos = end
        parts.append(text[pos:])
        forms.append("".join(parts))
    forms.extend(unicodedata.normalize("NFKC", form) for form in list(forms))
    return forms


def _texts(value: Any) -> list[str]:
    """Every str in a str or a message list (dicts, lists, SDK message objects)."""
    found: list[str] = []
    stack = [value]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            found.append(node)
        elif id(node) in seen:
            continue
        elif isinstance(node, Mapping):
            seen.add(id(node))
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            seen.add(id(node))
            stack.extend(node)
        else:
            dump = getattr(node, "model_dump", None)
            if callable(dump):
                seen.add(id(node))
                stack.append(dump(exclude_unset=True))
    return found


_current: contextvars.ContextVar[Session | None] = contextvars.ContextVar("guardkit_session", default=None)


def current_session() -> Session | None:
    """Return the session opened by the innermost ``with guarded(...)``, if any."""
    return _current.get()


class Vault:
    """Numbered placeholders for pseudonymized values, and their originals.

    The same value of the same kind always gets the same placeholder within a vault, so a model sees
    a consistent conversation. A placeholder is never one that already occurred in text the vault was
    shown (see :meth:`observe`), so restoring cannot turn such text into a value. The repr never
    shows values.

    .. versionadded:: 0.1
    """

    __slots__ = ("_by_token", "_by_value", "_counters", "_lock", "_seen")

    def __init__(self) -> None:
        self._lock = allocate_lock()
        self._by_value: dict[tuple[str, str], str] = {}
        self._by_token: dict[str, str] = {}
        self._counters: dict[str, int] = {}
        # Placeholder-shaped text seen in the conversation that this vault did not issue.
        self._seen: set[str] = set()

    def placeholder(self, kind: str, value: str) -> str:
        """Return the placeholder for *value* of *kind*, allocating ``<KIND_n>`` on first sight.

        Numbers whose placeholder occurred in text the vault was shown are skipped.

        Raises:
            TypeError: *kind* or *value* is not a str.
            VaultError: Every number of the kind is taken.
        """
        if not isinstance(kind, str) or not isinstance(value, str):
            raise TypeError("a vault maps str values of a str kind")
        key = (kind, value)
        token = self._by_value.get(key)
        if token is not None:
            return token
        label = _placeholder_kind(kind)
        with self._lock:
            token = self._by_value.get(key)
            if token is None:
                number = self._counters.get(label, 0)
                while True:
                    number += 1
                    if number > _MAX_NUMBER:
                        raise VaultError(f"the vault has no placeholder left for kind {label}")
                    token = f"<{label}_{number}>"
                    if token not in self._seen:
                        break
                self._counters[label] = number
                self._by_value[key] = token
                self._by_token[token] = value
        return token

    def observe(self, text: str) -> None:
        """Note the placeholder-shaped text (``<KIND_n>``) in *text* so this vault never issues it.

        A session's ``input``, ``output``, ``check_input`` and ``check_output`` (and their async twins)
        call this on everything they are given, and :meth:`restore` notes what it leaves alone; call it
        yourself for other text the model sees (a prompt template, a document you add unchecked).
        Also looks at *text* with invisible characters dropped and NFKC-normalized, the forms a
        sanitizer may produce.

        Raises:
            TypeError: *text* is not a str.
        """
        if not isinstance(text, str):
            raise TypeError(f"observe() takes a str, not {type(text).__name__}")
        if "<" not in text and (text.isascii() or not any(c in text for c in _WIDE_LESS_THAN)):
            return
        issued = self._by_token
        found = {
            m.group(0)
            for form in _folded_forms(text)
            for m in _PLACEHOLDER.finditer(form)
            if m.group(0) not in issued
        }
        if found:
            with self._lock:
                self._seen.update(found)

    def restore(self, text: str) -> str:
        """Replace every placeholder this vault issued with its original value.

        Placeholders it did not issue are left as they are, and noted (see :meth:`observe`) so that
        they are never issued later: a model that wrote one meant the text, not a value.
        """
        if "<" not in text:
            return text
        lookup = self._by_token
        unknown: list[str] = []

        def swap(m: re.Match[str]) -> str:
            token = m.group(0)
            value = lookup.get(token)
            if value is None:
                unknown.append(token)
                return token
            return value

        restored = _PLACEHOLDER.sub(swap, text)
        if unknown:
            with self._lock:
                self._seen.update(t for t in unknown if t not in lookup)
        return restored

    def original(self, placeholder: str) -> str | None:
        """Return the value behind *placeholder*, or ``None``."""
        return self._by_token.get(placeholder)

    def __len__(self) -> int:
        return len(self._by_token)

    def __repr__(self) -> str:
        return f"Vault(<{len(self._by_token)} entries>)"

    # -- persistence -----------------------------------------------------------------------------

    def export(self, *, key: bytes, key_id: str) -> bytes:
        """Return the vault encrypted with AES-GCM under *key* (needs ``guardkit[crypto]``).

        The blob holds the entries and the placeholder-shaped text the vault has seen, so a loaded vault
        keeps avoiding it.

        Args:
            key: A 32-byte key the application supplies (see :func:`guardkit.key_from_env`).
            key_id: A name for the key, stored in the blob so keys can rotate.
        """
        import json

        from guardkit._vault_crypto import encrypt_blob

        with self._lock:
            entries = [[kind, value, token] for (kind, value), token in self._by_value.items()]
            seen = sorted(self._seen)
        payload = json.dumps(
            {"format": _VAULT_FORMAT, "entries": entries, "seen": seen},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        return bytes(encrypt_blob(payload, key, key_id))

    @classmethod
    def load(cls, blob: bytes, *, keys: Mapping[str, bytes] | Callable[[str], bytes]) -> Vault:
        """Decrypt a blob written by :meth:`export`.

        Args:
            blob: The encrypted vault.
            keys: Key ids to keys, or a callback returning the key for an id (a KMS).

        Raises:
            VaultError: The blob is corrupt, tampered, foreign, or the key is wrong.
        """
        import json

        from guardkit._vault_crypto import decrypt_blob

        payload = decrypt_blob(blob, keys)
        try:
            data = json.loads(payload.decode("utf-8"))
            if not isinstance(data, dict) or data.get("format") != _VAULT_FORMAT:
                raise VaultError("not a guardkit vault (unknown format)")
            entries = data["entries"]
            seen = data.get("seen", [])
            if not isinstance(entries, list) or not isinstance(seen, list):
                raise VaultError("vault payload has the wrong shape")
            vault = cls()
            for entry in entries:
                if not (isinstance(entry, list) and len(entry) == 3):
                    raise VaultError("vault entry has the wrong shape")
                kind, value, token = entry
                if not (isinstance(kind, str) and isinstance(value, str) and isinstance(token, str)):
                    raise VaultError("vault entry has the wrong shape")
                match = _PLACEHOLDER.fullmatch(token)
                label = _placeholder_kind(kind)
                if match is None or match.group(1) != label:
                    raise VaultError("vault entry has an invalid placeholder")
                if token in vault._by_token or (kind, value) in vault._by_value:
                    raise VaultError("vault entry is a duplicate")
                vault._by_value[(kind, value)] = token
                vault._by_token[token] = value
                number = int(match.group(2))
                vault._counters[label] = max(vault._counters.get(label, 0), number)
            for token in seen:
                if not (isinstance(token, str) and _PLACEHOLDER.fullmatch(token)):
                    raise VaultError("vault has an invalid seen placeholder")
                if token not in vault._by_token:
                    vault._seen.add(token)
        except VaultError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise VaultError(f"vault payload is malformed ({type(exc).__name__})") from None
        return vault


class CallState:
    """Per-call state when no session is open: a vault created on first use, shared by every check
    of the call so one value keeps one placeholder."""

    __slots__ = ("_vault",)

    context: Mapping[str, Any] = {}
    restore = True

    def __init__(self) -> None:
        self._vault: Vault | None = None

    @property
    def vault(self) -> Vault:
        if self._vault is None:
            self._vault = Vault()
        return self._vault


class Session:
    """Per-conversation state shared by the calls made inside ``with guarded(policy) as g``.

    Use ``g.input(text)`` before the model call and ``g.output(text)`` after it; both raise
    :class:`~guardkit.Blocked` subclasses when the policy blocks. ``async with`` works on the same object,
    with ``ainput``/``aoutput``. Decorated functions called inside the block share its vault and context.

    Args:
        policy: The policy to enforce.
        context: Audit context added to every event (for example ``{"user": "u-42"}``).
        vault: A vault to continue from (see :meth:`Vault.load`); a new one by default.
        restore: Whether :meth:`output` puts pseudonymized values back.

    .. versionadded:: 0.1
    """

    __slots__ = ("_tokens", "context", "policy", "restore", "vault")

    def __init__(
        self,
        policy: Policy,
        *,
        context: Mapping[str, Any] | None = None,
        vault: Vault | None = None,
        restore: bool = True,
    ) -> None:
        from guardkit._policy import Policy

        if not isinstance(policy, Policy):
            raise ConfigError(f"guarded() needs a Policy, got {type(policy).__name__}")
        if context is not None and not isinstance(context, Mapping):
            raise ConfigError("context must be a mapping")
        self.policy = policy
        self.context: Mapping[str, Any] = dict(context or {})
        self.vault = vault if vault is not None else Vault()
        self.restore = restore
        self._tokens: list[contextvars.Token[Session | None]] = []

    def __repr__(self) -> str:
        return f"Session(policy={self.policy.name!r}, vault={self.vault!r})"

    # -- context management ------------------------------------------------------------------

    def __enter__(self) -> Session:
        self._tokens.append(_current.set(self))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._tokens:
            _current.reset(self._tokens.pop())

    async def __aenter__(self) -> Session:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    # -- checks ------------------------------------------------------------------------------

    def check_input(self, value: Any) -> Verdict:
        """Return the input verdict without raising (pseudonyms go into this session's vault)."""
        self._observe(value)
        return check_value(self.policy, "input", value, self)

    def check_output(self, value: Any) -> Verdict:
        """Return the output verdict without raising."""
        self._observe(value)
        return check_value(self.policy, "output", value, self)

    def input(self, value: Any) -> Any:
        """Check input and return its sanitized form (a str, or a message list).

        Raises:
            InputBlocked: The policy blocks the input.
        """
        self._observe(value)
        return self._input_result(value, check_value(self.policy, "input", value, self))

    def output(self, value: str) -> str:
        """Check model output and return its sanitized form, with pseudonyms restored.

        Raises:
            OutputBlocked: The policy blocks the output.
        """
        self._observe(value)
        return self._output_result(value, check_value(self.policy, "output", value, self))

    async def ainput(self, value: Any) -> Any:
        """Async twin of :meth:`input`."""
        self._observe(value)
        return self._input_result(value, await acheck_value(self.policy, "input", value, self))

    async def aoutput(self, value: str) -> str:
        """Async twin of :meth:`output`."""
        self._observe(value)
        return self._output_result(value, await acheck_value(self.policy, "output", value, self))

    def stream(self) -> OutputStream:
        """Return an incremental output checker: ``feed(chunk)`` returns releasable text, and
        ``finish()`` the rest."""
        from guardkit._stream import OutputStream

        return OutputStream(self.policy, self)

    def _observe(self, value: Any) -> None:
        """Show the vault every text of *value*, so no placeholder it issues is already in them."""
        if isinstance(value, str):
            self.vault.observe(value)
        elif isinstance(value, (list, tuple)):
            for text in _texts(value):
                self.vault.observe(text)

    def _input_result(self, value: Any, verdict: Verdict) -> Any:
        if self.policy.monitor:
            return value
        if verdict.blocked:
            raise InputBlocked(verdict)
        if verdict.messages is not None:
            return list(verdict.messages)
        return verdict.text

    def _output_result(self, value: str, verdict: Verdict) -> str:
        if self.policy.monitor:
            return value
        if verdict.blocked:
            raise OutputBlocked(verdict)
        if verdict.messages is not None:
            raise TypeError("output must be a str")
        return self.vault.restore(verdict.text) if self.restore else verdict.text


def guarded(
    policy: Policy,
    *,
    context: Mapping[str, Any] | None = None,
    vault: Vault | None = None,
    restore: bool = True,
) -> Session:
    """Open a session that shares a vault and audit context across calls.

    Example::

        with guarded(policy, context={"user": "u-42"}) as g:
            text = g.input(user_text)
            reply = g.output(call_model(text))

    .. versionadded:: 0.1
    """
    return Session(policy, context=context, vault=vault, restore=restore)
