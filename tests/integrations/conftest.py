"""Fixtures for the SDK integration tests: a replay server on 127.0.0.1 and the tests' policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _replay import ReplayServer
from _support import make_policy

import guardkit as gk


@pytest.fixture
def policy() -> gk.Policy:
    """The integration tests' policy."""
    return make_policy()


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    """A replay server on 127.0.0.1, stopped after the test."""
    with ReplayServer() as srv:
        yield srv
