"""Shared fixtures: a throw-away PostgreSQL database per test session, migrated with aerich.

The server comes from TEST_DATABASE_ADMIN_URL (default: the local PostgreSQL with trust auth);
a fresh database named smarthabit_test_<pid> is created, migrated, used and dropped.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from tortoise import Tortoise

from smarthabit.config import Settings
from smarthabit.migrations import apply_migrations
from smarthabit.orm import close_database, open_database

ADMIN_URL = os.environ.get("TEST_DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TABLES = ("users", "habits", "checkins", "habit_pauses", "reminders", "skip_predictions", "nudges",
          "refresh_tokens", "telegram_link_codes", "bot_state", "personal_access_tokens", "imported_habits",
          "webhooks", "webhook_events", "webhook_deliveries", "calendar_feeds", "idempotent_responses")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _admin_sql(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def test_db_url() -> Iterator[str]:
    """URL of a fresh, migrated database that lives for the whole test session."""
    import asyncio

    name = f"smarthabit_test_{os.getpid()}"
    asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
    url = _with_database(ADMIN_URL, name)
    asyncio.run(apply_migrations(url))
    yield url
    asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def fresh_database_url(test_db_url: str) -> Iterator[str]:
    """An extra, empty database for tests that build a schema themselves."""
    import asyncio

    name = f"smarthabit_test_{os.getpid()}_fresh"
    asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
    yield _with_database(ADMIN_URL, name)
    asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
async def database(test_db_url: str) -> AsyncIterator[str]:
    """The ORM connected to the test database for the session's event loop."""
    await open_database(test_db_url)
    yield test_db_url
    await close_database()


@pytest.fixture
async def db(database: str) -> AsyncIterator[str]:
    """A clean database for one test: every table emptied before it runs."""
    conn = Tortoise.get_connection("default")
    await conn.execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    yield database


@pytest.fixture
def settings(database: str) -> Settings:
    """Settings for an app under test: the test database, a fixed JWT key, no Redis unless asked."""
    return Settings(
        database_url=database, redis_url=None, jwt_secret="test-secret-" + "x" * 40,  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )
