"""Shared fixtures: a throw-away database per test session, on PostgreSQL or on SQLite.

TEST_DATABASE picks the engine: `postgresql` (default) creates a fresh database named
smarthabit_test_<pid> on the server of TEST_DATABASE_ADMIN_URL, migrates it with aerich, uses it and
drops it; `sqlite` uses a temporary file whose schema is made as `smarthabit run` makes it.
Tests marked `postgres_only` are deselected on SQLite. Redis comes from TEST_REDIS_URL; nothing here
touches another Redis database. A missing server stops the session at once with one message.
"""

from __future__ import annotations

import asyncio
import graphlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from tortoise import Tortoise

from smarthabit.config import Settings
from smarthabit.migrations import prepare_database
from smarthabit.orm import close_database, open_database
from tests.servers import exit_if_a_worker_found_servers_missing, require_servers

pytest_plugins = ("tests.browser",)

ADMIN_URL = os.environ.get("TEST_DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ENGINE = os.environ.get("TEST_DATABASE", "postgresql").strip().lower()
ON_SQLITE = ENGINE == "sqlite"
TABLES = ("users", "habits", "checkins", "habit_pauses", "reminders", "skip_predictions", "nudges",
          "refresh_tokens", "telegram_link_codes", "bot_state", "personal_access_tokens", "imported_habits",
          "webhooks", "webhook_events", "webhook_deliveries", "webhook_attempts", "calendar_feeds",
          "idempotent_responses", "web_login_codes")


def pytest_configure(config: pytest.Config) -> None:
    """An unknown TEST_DATABASE stops the run at once (here, before any xdist worker starts)."""
    if ENGINE not in ("postgresql", "postgres", "sqlite"):
        pytest.exit(f"TEST_DATABASE={ENGINE!r}: use 'postgresql' (default) or 'sqlite'", returncode=4)


@pytest.hookimpl(trylast=True)  # after the other selections (-k, -m), before xdist's worker sends the ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The SQLite pass leaves out what needs PostgreSQL itself; the PostgreSQL pass leaves out the
    embedded default's first run (it never touches the session database, so once is enough). Then
    stop before the first test when a server the selected tests need does not answer."""
    left_out = "postgres_only" if ON_SQLITE else "sqlite_pass"
    kept = [item for item in items if item.get_closest_marker(left_out) is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
    require_servers(config, items, admin_url=None if ON_SQLITE else ADMIN_URL, redis_url=REDIS_URL)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """xdist's controller, when a worker stops: a worker that found a server missing said so here."""
    exit_if_a_worker_found_servers_missing(getattr(node, "workeroutput", {}))


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _admin_sql(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _sqlite_url(directory: Path) -> str:
    return f"sqlite://{directory / 'smarthabit.sqlite3'}"


@pytest.fixture(scope="session")
def test_db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a fresh, migrated database that lives for the whole test session."""
    if ON_SQLITE:
        url = _sqlite_url(tmp_path_factory.mktemp("sqlite"))
        asyncio.run(prepare_database(url))
        yield url
        return
    name = f"smarthabit_test_{os.getpid()}"
    asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
    url = _with_database(ADMIN_URL, name)
    asyncio.run(prepare_database(url))
    yield url
    asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def fresh_database_url(test_db_url: str, tmp_path: Path) -> Iterator[str]:
    """An extra, empty database for tests that build a schema themselves."""
    if ON_SQLITE:
        yield _sqlite_url(tmp_path)
        return
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


_FOREIGN_KEYS_SQL = """
SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
WHERE contype = 'f' AND connamespace = 'public'::regnamespace
"""


@pytest.fixture(scope="session")
async def emptying_script(database: str) -> str:
    """SQL that empties every table and restarts the ids (a fresh database for each test).

    DELETE, children before parents, then every id sequence back to 1: what TRUNCATE ... RESTART
    IDENTITY CASCADE did, in about half a millisecond instead of about 50 ms on PostgreSQL (TRUNCATE
    makes new files for every table and index), which was some 40 s of a run."""
    if ON_SQLITE:  # foreign keys off for the script; sqlite_sequence holds the AUTOINCREMENT counters
        deletes = "".join(f"DELETE FROM {table};" for table in (*TABLES, "sqlite_sequence"))
        return f"PRAGMA foreign_keys=OFF;{deletes}PRAGMA foreign_keys=ON"
    _, rows = await Tortoise.get_connection("default").execute_query(_FOREIGN_KEYS_SQL)
    order = graphlib.TopologicalSorter({table: set() for table in TABLES})
    for child, parent in (tuple(row.values()) for row in rows):
        if child != parent:
            order.add(parent, child)  # the parent is emptied after the tables that refer to it
    tables = list(order.static_order())
    deletes = "".join(f"DELETE FROM {table};" for table in tables)
    names = ", ".join(f"'{table}'" for table in tables)
    return f"{deletes}SELECT setval(pg_get_serial_sequence(t, 'id'), 1, false) FROM unnest(ARRAY[{names}]) t"


@pytest.fixture
async def db(database: str, emptying_script: str) -> AsyncIterator[str]:
    """A clean database for one test: every table emptied and its ids restarted before it runs."""
    await Tortoise.get_connection("default").execute_script(emptying_script)
    yield database


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis database of TEST_REDIS_URL (default db 15): the only one tests touch. A test that
    uses Redis asks for this fixture, so a session without Redis stops before it with one message."""
    return REDIS_URL


@pytest.fixture
def settings(database: str) -> Settings:
    """Settings for an app under test: the test database, a fixed JWT key, no Redis unless asked."""
    return Settings(
        database_url=database, redis_url=None, jwt_secret="test-secret-" + "x" * 40,  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )
