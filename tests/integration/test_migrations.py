"""The aerich migrations build exactly the schema the models describe, and re-running is a no-op.

The migrations are PostgreSQL's (SQLite's schema is made from the models by `smarthabit run`)."""

from __future__ import annotations

import asyncio
import os
import sys

import asyncpg
import pytest

GENERATE_SCHEMA = """
import asyncio, sys
from tortoise import Tortoise
from smarthabit.orm import tortoise_config

async def main():
    await Tortoise.init(config=tortoise_config(sys.argv[1]))
    await Tortoise.generate_schemas()
    await Tortoise.close_connections()

asyncio.run(main())
"""
SCHEMA_QUERY = """
SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, c.character_maximum_length
FROM information_schema.columns c WHERE c.table_schema = 'public' AND c.table_name <> 'aerich'
ORDER BY 1, 2
"""
INDEX_QUERY = """
SELECT tablename, regexp_replace(indexdef, 'INDEX \\S+ ON', 'INDEX ON') FROM pg_indexes
WHERE schemaname = 'public' AND tablename <> 'aerich' ORDER BY 1, 2
"""


async def _schema(url: str) -> tuple[list[tuple], list[tuple]]:
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        columns = [tuple(r) for r in await conn.fetch(SCHEMA_QUERY)]
        indexes = [tuple(r) for r in await conn.fetch(INDEX_QUERY)]
    finally:
        await conn.close()
    return columns, indexes

pytestmark = pytest.mark.postgres_only


async def test_migrated_schema_matches_models(database: str, fresh_database_url: str) -> None:
    """Drift check: a database built by `generate_schemas` from the models equals the migrated one."""
    migrated = await _schema(database)
    # In a separate process: initialising Tortoise again here would rebind the models for the session.
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", GENERATE_SCHEMA, fresh_database_url)
    assert await process.wait() == 0
    generated = await _schema(fresh_database_url)
    assert migrated[0] == generated[0], "columns differ: run `smarthabit makemigrations`"
    assert migrated[1] == generated[1], "indexes differ: run `smarthabit makemigrations`"
    assert any(t == "checkins" and "UNIQUE" in d and "habit_id, day" in d for t, d in migrated[1])


async def test_migrate_twice_is_a_noop(database: str) -> None:
    """`smarthabit migrate` on the already migrated database changes nothing (a separate process,
    as an operator runs it; in-process aerich would rebind the session's models)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "launcher.cli", "migrate", env={**os.environ, "DATABASE_URL": database},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    assert "database is up to date" in output.decode()
