"""Tortoise configuration and lifecycle; no side effects at import (the migration tool imports it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.models import Model

MODELS_MODULES = ["smarthabit.models", "aerich.models"]
M = TypeVar("M", bound=Model)


async def _reset_pooled_connection(connection: asyncpg.Connection) -> None:
    """Release a connection to the pool without asyncpg's default reset round trip (RESET ALL,
    UNLISTEN, ...: we never change session state), but never hand on an open transaction."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


def connection_config(db_url: str) -> dict[str, Any]:
    """The connection for a URL; PostgreSQL pools skip the per-query reset round trip and get a
    pool size that suits an API process (override with `?minsize=&maxsize=` in DATABASE_URL)."""
    config = expand_db_url(db_url)
    if config["engine"] == "tortoise.backends.asyncpg":
        credentials = config["credentials"]
        credentials.setdefault("minsize", 2)
        credentials.setdefault("maxsize", 10)
        credentials["reset"] = _reset_pooled_connection
    return config


def tortoise_config(db_url: str) -> dict[str, Any]:
    """The one ORM configuration, used by the app, aerich and the tests alike."""
    return {
        "connections": {"default": connection_config(db_url)},
        "apps": {"models": {"models": MODELS_MODULES, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


async def open_database(db_url: str, *, create_schema: bool = False) -> None:
    """Connect the ORM for this process; `create_schema` is for the embedded SQLite default only."""
    await Tortoise.init(config=tortoise_config(db_url), _enable_global_fallback=True)
    if create_schema:
        await Tortoise.generate_schemas(safe=True)


async def close_database() -> None:
    await Tortoise.close_connections()


@asynccontextmanager
async def database(db_url: str, *, create_schema: bool = False) -> AsyncIterator[None]:
    """Open the database for the duration of a block (CLI commands, workers, tests)."""
    await open_database(db_url, create_schema=create_schema)
    try:
        yield
    finally:
        await close_database()


def is_postgres_url(db_url: str) -> bool:
    return db_url.startswith(("postgres://", "postgresql://", "asyncpg://", "psycopg://"))


def on_postgres() -> bool:
    """Whether the ORM runs on PostgreSQL; hand-written statements for hot paths are PostgreSQL's."""
    return connections.get("default").capabilities.dialect == "postgres"


async def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run one hand-written statement on the ORM's connection (its transaction, when in one).

    For the few hot paths where building the query costs more CPU than the database spends on it;
    asyncpg prepares each statement once per connection."""
    return await connections.get("default").execute_query_dict(sql, list(args))


async def fetch_records(sql: str, *args: Any) -> list[asyncpg.Record]:
    """`fetch` on PostgreSQL without a dict per row, for reads that only index their rows (the list
    of habits: a tenth of its time went to copying rows into dicts); logged as the ORM logs statements."""
    client = connections.get("default")
    async with client.acquire_connection() as connection:
        client.log.debug("%s: %s", sql, list(args))
        return await connection.fetch(sql, *args)


def from_row(model: type[M], row: Mapping[str, Any]) -> M:
    """A model instance for a row that a hand-written statement read, built as the ORM builds the
    rows it reads itself: marked as stored, the driver's values taken as they are (six times cheaper
    than the constructor, which validates and converts every field). Tortoise has no public name for it."""
    return model._init_from_db(**row)


DEADLOCK_DETECTED = "40P01"


def is_deadlock(exc: BaseException) -> bool:
    """Whether PostgreSQL chose this transaction as a deadlock's victim (asyncpg's error, wrapped by
    Tortoise or not); the transaction was rolled back and may simply run again."""
    return DEADLOCK_DETECTED in (getattr(exc, "sqlstate", None), getattr(exc.__cause__, "sqlstate", None))
