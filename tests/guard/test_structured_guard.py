"""guard(output_model=...): parsing, re-asking within a budget, and fallbacks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import BaseModel

import guardkit as gk


class User(BaseModel):
    name: str
    age: int


def scripted(replies: list[str], prompts: list[Any]) -> Any:
    def ask(prompt: Any) -> str:
        prompts.append(prompt)
        return replies[len(prompts) - 1]

    return ask


def test_output_is_parsed_into_the_model() -> None:
    """A reply with JSON in prose and a fence comes back as a model instance."""
    prompts: list[Any] = []
    ask = gk.guard(gk.Policy(), output_model=User)(
        scripted(['Sure!\n```json\n{"name": "Ada", "age": 36,}\n```'], prompts)
    )
    assert ask("extract") == User(name="Ada", age=36)


def test_failure_without_retries_raises_with_errors() -> None:
    """Without retries a bad reply raises StructuredOutputError naming the fields, not the values."""
    ask = gk.guard(gk.Policy(), output_model=User)(scripted(['{"name": "Ada", "age": "old"}'], []))
    with pytest.raises(gk.StructuredOutputError) as info:
        ask("extract")
    assert info.value.reason == "validation"
    assert "old" not in str(info.value)


def test_retries_append_the_errors_to_the_prompt() -> None:
    """A failed parse calls the function again with the validation errors appended."""
    prompts: list[Any] = []
    ask = gk.guard(gk.Policy(), output_model=User, max_retries=2)(
        scripted(['{"name": "Ada"}', '{"name": "Ada", "age": 36}'], prompts)
    )
    assert ask("extract the user") == User(name="Ada", age=36)
    assert len(prompts) == 2
    assert prompts[1].startswith("extract the user")
    assert "age" in prompts[1]


def test_custom_reask_and_message_lists() -> None:
    """reask= builds the retry; for message lists its text becomes a new user message."""
    prompts: list[Any] = []

    def chat(messages: list[dict[str, str]]) -> str:
        prompts.append(messages)
        return ['no json here', '{"name": "B", "age": 1}'][len(prompts) - 1]

    ask = gk.guard(gk.Policy(), output_model=User, max_retries=1,
                   reask=lambda prompt, err: f"{prompt}RETRY:{err.reason}")(chat)
    assert ask(messages=[{"role": "user", "content": "hi"}]) == User(name="B", age=1)
    assert prompts[1][-1] == {"role": "user", "content": "RETRY:no_json"}


def test_retry_budget_stops_retries() -> None:
    """Retries stop when the token budget for all attempts would be exceeded."""
    prompts: list[Any] = []
    ask = gk.guard(gk.Policy(), output_model=User, max_retries=5, retry_budget=60)(
        scripted(["x" * 100] * 6, prompts)
    )
    with pytest.raises(gk.StructuredOutputError):
        ask("extract")
    assert len(prompts) == 1


def test_output_checks_run_before_parsing() -> None:
    """Blocked output is never parsed; on_block returns the fallback."""
    policy = gk.Policy(output=[gk.DenySubstrings(["internal-only"])])
    ask = gk.guard(policy, output_model=User, on_block=None)(
        scripted(['{"name": "internal-only", "age": 1}'], [])
    )
    assert ask("extract") is None


def test_async_structured_output() -> None:
    """Async functions get the same parsing and retries."""
    calls: list[str] = []

    async def ask(prompt: str) -> str:
        calls.append(prompt)
        return '{"name": "A"}' if len(calls) == 1 else '{"name": "A", "age": 2}'

    guarded = gk.guard(gk.Policy(), output_model=User, max_retries=1)(ask)
    assert asyncio.run(guarded("q")) == User(name="A", age=2)


@pytest.mark.parametrize(
    ("options", "match"),
    [({"max_retries": -1}, "max_retries"), ({"retry_budget": 0}, "retry_budget"),
     ({"reask": "x"}, "reask")],
)
def test_bad_options(options: dict[str, Any], match: str) -> None:
    """Bad structured-output options fail at decoration."""
    with pytest.raises(gk.ConfigError, match=match):
        gk.guard(gk.Policy(), output_model=User, **options)(lambda prompt: prompt)


def test_retries_need_a_model_and_streams_are_refused() -> None:
    """Retry options without output_model, and output_model on a generator, are ConfigErrors."""
    with pytest.raises(gk.ConfigError, match="output_model"):
        gk.guard(gk.Policy(), max_retries=2)(lambda prompt: prompt)

    def stream(prompt: str) -> Any:
        yield prompt

    with pytest.raises(gk.ConfigError, match="stream"):
        gk.guard(gk.Policy(), output_model=User)(stream)
