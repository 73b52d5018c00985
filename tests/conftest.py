"""Shared fixtures: every guard behaviour runs under the four call styles."""

from __future__ import annotations

import asyncio
import doctest
import importlib
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

import guardkit as gk

CALL_STYLES = ("sync", "async", "gen", "async_gen")


def make_model(style: str, reply: str | list[str], calls: list[Any] | None = None) -> Callable[..., Any]:
    """Return a fake model-call function of *style* that records its prompt and replies."""
    chunks = [reply] if isinstance(reply, str) else list(reply)
    seen = calls if calls is not None else []

    if style == "sync":

        def ask(prompt: Any) -> str:
            seen.append(prompt)
            return "".join(chunks)

        return ask
    if style == "async":

        async def aask(prompt: Any) -> str:
            seen.append(prompt)
            return "".join(chunks)

        return aask
    if style == "gen":

        def stream(prompt: Any) -> Iterator[str]:
            seen.append(prompt)
            yield from chunks

        return stream

    async def astream(prompt: Any) -> AsyncIterator[str]:
        seen.append(prompt)
        for chunk in chunks:
            yield chunk

    return astream


def invoke(fn: Callable[..., Any], style: str, *args: Any, **kwargs: Any) -> Any:
    """Call a (guarded) function of *style* and return its whole output (chunks joined)."""
    if style == "sync":
        return fn(*args, **kwargs)
    if style == "async":
        return asyncio.run(fn(*args, **kwargs))
    if style == "gen":
        return list(fn(*args, **kwargs))

    async def collect() -> list[Any]:
        return [chunk async for chunk in fn(*args, **kwargs)]

    return asyncio.run(collect())


def joined(result: Any) -> Any:
    """Join generator output into one str; pass other results through."""
    if isinstance(result, list):
        return "".join(result)
    return result


class Styled:
    """One call style with helpers to build and call guarded fakes."""

    def __init__(self, style: str) -> None:
        self.style = style

    def model(self, reply: str | list[str], calls: list[Any] | None = None) -> Callable[..., Any]:
        return make_model(self.style, reply, calls)

    def guarded(
        self, policy: gk.Policy, reply: str | list[str], **options: Any
    ) -> tuple[Callable[..., Any], list[Any]]:
        calls: list[Any] = []
        return gk.guard(policy, **options)(self.model(reply, calls)), calls

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return joined(invoke(fn, self.style, *args, **kwargs))

    def __repr__(self) -> str:
        return self.style


@pytest.fixture(params=CALL_STYLES)
def call_style(request: pytest.FixtureRequest) -> Styled:
    """Each of the four call styles: sync, async, generator, async generator."""
    return Styled(request.param)


def run_module_doctests(name: str) -> doctest.TestResults:
    """Run the docstring examples written in module *name*.

    Public classes report ``guardkit`` as their module, so examples are found by the file their code
    lives in rather than by ``__module__`` (which ``doctest.testmod`` relies on).
    """
    module = importlib.import_module(name)

    def defined_here(obj: object) -> bool:
        functions = [obj] if inspect.isfunction(obj) else [
            v for v in vars(obj).values() if inspect.isfunction(v)
        ]
        return any(f.__code__.co_filename == module.__file__ for f in functions)

    finder = doctest.DocTestFinder(recurse=False)
    tests = finder.find(module, name, module=False)
    for key, obj in vars(module).items():
        if (inspect.isclass(obj) or inspect.isfunction(obj)) and defined_here(obj):
            tests.extend(doctest.DocTestFinder().find(obj, f"{name}.{key}", module=False, globs=vars(module)))
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        if test.examples:
            runner.run(test)
    return runner.summarize(verbose=False)


@pytest.fixture
def module_doctests() -> Callable[[str], doctest.TestResults]:
    """A runner for the docstring examples of a guardkit module."""
    return run_module_doctests
