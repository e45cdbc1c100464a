"""Fixtures for domain use-case tests over the real test database."""

from __future__ import annotations

import pytest

from smarthabit.models import User


@pytest.fixture
async def alice(db: str) -> User:
    return await User.create(email="alice@example.com", timezone="Europe/Berlin")


@pytest.fixture
async def bob(db: str) -> User:
    return await User.create(email="bob@example.com", timezone="America/New_York")
