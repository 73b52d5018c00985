"""FakeModel and Reply: scripted replies for every call style, chunking, errors, and the checks on the
script."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

import guardkit as gk
from guardkit.testing import FakeModel, Reply


def _stream(model: FakeModel, prompt: Any) -> list[str]:
    return list(model.stream(prompt))


def _astream(model: FakeModel, prompt: Any) -> list[str]:
    async def collect() -> list[str]:
        return [chunk async for chunk in model.astream(prompt)]

    return asyncio.run(collect())


CALLS: dict[str, Callable[[FakeModel, Any], Any]] = {
    "call": lambda model, prompt: model(prompt),
    "acall": lambda model, prompt: asyncio.run(model.acall(prompt)),
    "stream": _stream,
    "astream": _astream,
}


@pytest.mark.parametrize("style", CALLS)
@pytest.mark.parametrize(
    ("reply", "chunk_size", "whole", "chunks"),
    [
        ("Hello there, friend", None, "Hello there, friend", ["Hello", " there,", " friend"]),
        ("  two  spaces ", None, "  two  spaces ", ["  two", "  spaces", " "]),
        ("abcdefg", 3, "abcdefg", ["abc", "def", "g"]),
        (Reply("abcdefg", chunk_size=2), 5, "abcdefg", ["ab", "cd", "ef", "g"]),
        (Reply(chunks=["He", "", "llo"]), None, "Hello", ["He", "", "llo"]),
        (Reply("Hello", chunks=["H", "ello"]), 1, "Hello", ["H", "ello"]),
        ("", None, "", []),
    ],
)
def test_replies_by_call_style(
    style: str, reply: Any, chunk_size: int | None, whole: str, chunks: list[str]
) -> None:
    """Each call style serves the reply: whole for plain calls, in its chunk boundaries for streams."""
    model = FakeModel([reply], chunk_size=chunk_size)
    result = CALLS[style](model, "the prompt")
    assert result == (chunks if style.endswith("stream") else whole)
    assert model.calls == ["the prompt"]
    model.assert_all_used()


@pytest.mark.parametrize("style", CALLS)
def test_one_script_serves_mixed_styles_in_order(style: str) -> None:
    """Calls of any style take the next reply, and the model records each prompt."""
    model = FakeModel(["first", "second"])
    assert model("p1") == "first"
    assert "".join(CALLS[style](model, ["a", "message", "list"])) == "second"
    assert model.calls == ["p1", ["a", "message", "list"]]
    assert model.pending == 0


@pytest.mark.parametrize("style", CALLS)
@pytest.mark.parametrize("error", [TimeoutError, TimeoutError("slow upstream")])
def test_scripted_exception_is_raised_before_any_chunk(style: str, error: Any) -> None:
    """An exception in the script is raised by the call that takes it, class or instance."""
    model = FakeModel([error, "after"])
    with pytest.raises(TimeoutError):
        CALLS[style](model, "p")
    assert model("p") == "after"


def test_stream_error_comes_after_the_chunks() -> None:
    """A Reply with an error yields its chunks, then raises, as a dropped connection does."""
    model = FakeModel([Reply("partial answer", error=ConnectionResetError)])
    stream = model.stream("p")
    assert [next(stream), next(stream)] == ["partial", " answer"]
    with pytest.raises(ConnectionResetError):
        next(stream)


def test_plain_call_raises_the_error_of_a_reply() -> None:
    """A plain call of a Reply with an error raises it instead of returning the text."""
    model = FakeModel([Reply("text", error=ValueError("bad"))])
    with pytest.raises(ValueError, match="bad"):
        model("p")


def test_handler_computes_replies_from_the_prompt() -> None:
    """A handler function answers every call and never runs out."""
    model = FakeModel(lambda prompt: f"echo: {prompt}")
    assert [model(str(i)) for i in range(3)] == ["echo: 0", "echo: 1", "echo: 2"]
    assert list(model.stream("a b")) == ["echo:", " a", " b"]
    model.assert_all_used()
    with pytest.raises(gk.ConfigError, match="handler"):
        model.add("more")


def test_handler_may_return_replies_and_exceptions() -> None:
    """A handler's result goes through the same conversion as script entries."""
    model = FakeModel(lambda prompt: RuntimeError if prompt == "boom" else Reply(chunks=["o", "k"]))
    assert list(model.stream("x")) == ["o", "k"]
    with pytest.raises(RuntimeError):
        model("boom")


def test_running_out_of_replies_fails_the_call() -> None:
    """A call beyond the script raises an AssertionError that says how many were scripted."""
    model = FakeModel(["only"])
    model("one")
    with pytest.raises(AssertionError, match=r"call 2 has no scripted reply \(1 scripted\)"):
        model("two")


def test_assert_all_used_names_the_unused_replies_without_their_text() -> None:
    """The failure lists unused replies by position and size, never their content."""
    model = FakeModel(["used", "the secret plan", Reply(chunks=["a", "b"]), KeyError])
    model("q")
    with pytest.raises(AssertionError) as info:
        model.assert_all_used()
    message = str(info.value)
    assert message.startswith("FakeModel: 3 of 4 scripted replies were not used (1 calls made): ")
    assert (
        "#2 Reply(<15 chars>), #3 Reply(<2 chars>, chunks=2), #4 Reply(<0 chars>, error=KeyError)"
    ) in message
    assert "secret" not in message


def test_add_extends_the_script() -> None:
    """add() appends replies and returns the model for chaining."""
    model = FakeModel().add("a").add("b", Reply("c"))
    assert [model("1"), model("2"), model("3")] == ["a", "b", "c"]


def test_streams_take_their_reply_when_iteration_starts() -> None:
    """Creating a stream takes no reply: the request is made when iteration starts."""
    model = FakeModel(["a", "b"])
    stream = model.stream("first")
    assert model("second") == "a"
    assert list(stream) == ["b"]
    assert model.calls == ["second", "first"]


def test_guard_wraps_the_model_methods_directly() -> None:
    """guard() recognises the model itself as sync and its stream methods as generators."""
    policy = gk.Policy(output=[gk.DenySubstrings(["codename"])])
    model = FakeModel(["fine", "the codename leaked"])
    assert gk.guard(policy)(model)("q") == "fine"
    stream = gk.guard(policy)(model.stream)
    with pytest.raises(gk.OutputBlocked):
        list(stream("q"))


def test_repr_shows_counts_not_replies() -> None:
    """reprs of the model and its replies carry sizes and counts, never reply text."""
    model = FakeModel(["the secret plan"])
    assert repr(model) == "FakeModel(<1 replies, 1 pending>, calls=0)"
    assert repr(Reply("the secret plan", chunks=["the secret", " plan"])) == "Reply(<15 chars>, chunks=2)"
    assert repr(FakeModel(str.upper)) == "FakeModel(handler=upper, calls=0)"


BAD_REPLIES = [
    pytest.param(Reply, "needs a text, chunks or an error", id="empty"),
    pytest.param(lambda: Reply(42), "text must be a str", id="text-type"),  # type: ignore[arg-type]
    pytest.param(lambda: Reply("ab", chunks=["a", "c"]), "differ", id="chunks-mismatch"),
    pytest.param(lambda: Reply(chunks="abc"), "not one str", id="chunks-str"),
    pytest.param(lambda: Reply(chunks=["a", 1]), "must all be str", id="chunk-type"),  # type: ignore[list-item]
    pytest.param(lambda: Reply("a", chunks=["a"], chunk_size=1), "not both", id="both"),
    pytest.param(lambda: Reply("a", chunk_size=0), "positive int", id="chunk-size"),
    pytest.param(lambda: Reply("a", error="boom"), "must be an exception", id="error-type"),  # type: ignore[arg-type]
    pytest.param(lambda: FakeModel("one reply"), "wrap a single reply in a list", id="bare-str"),
    pytest.param(lambda: FakeModel([1]), "a reply is a str, a Reply or an exception", id="reply-type"),  # type: ignore[list-item]
    pytest.param(lambda: FakeModel(chunk_size=-1), "positive int", id="model-chunk-size"),
]


@pytest.mark.parametrize(("build", "message"), BAD_REPLIES)
def test_bad_arguments_raise_config_error(build: Callable[[], Any], message: str) -> None:
    """Constructors check their arguments and say which one is wrong."""
    with pytest.raises(gk.ConfigError, match=message):
        build()


def test_reply_is_immutable_and_comparable() -> None:
    """Replies are values: equal by content, hashable, and read-only."""
    assert Reply("a", chunks=["a"]) == Reply(chunks=["a"])
    assert len({Reply("a"), Reply("a")}) == 1
    with pytest.raises(AttributeError):
        Reply("a").text = "b"


@pytest.mark.parametrize("text", [" " * 100_000, "a " * 50_000, "\t\n" * 50_000 + "x", "x" * 100_000])
def test_default_chunking_is_linear(text: str) -> None:
    """Splitting a 100 KB reply into word chunks takes linear time on adversarial whitespace."""
    model = FakeModel([text])
    start = time.perf_counter()
    assert "".join(model.stream("p")) == text
    assert time.perf_counter() - start < 2.0  # a quadratic split would take minutes


def test_concurrent_calls_take_distinct_replies() -> None:
    """Calls from many threads each take their own reply: none is served twice or skipped."""
    from concurrent.futures import ThreadPoolExecutor

    model = FakeModel([str(i) for i in range(200)])
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(model, range(200)))
    assert sorted(replies, key=int) == [str(i) for i in range(200)]
    assert sorted(model.calls) == list(range(200))
    model.assert_all_used()
