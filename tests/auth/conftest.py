"""Fixtures of the account tests: throw-away members of the shared world."""

import pytest

from tests.auth.support import member_factory


@pytest.fixture
def members(app, world):
    """members("acme", "admin") -> a new Member of the shared world, deleted after the test."""
    yield from member_factory(app, world)
