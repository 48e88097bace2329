"""The golden dataset, loaded into each backend's session, for the repository tests."""

from __future__ import annotations

import pytest

from tests.golden import load_golden


@pytest.fixture
def golden(session):
    return load_golden(session)
