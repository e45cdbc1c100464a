"""aerich migrations, applied from the package's own `migrations/` folder wherever it is installed."""

from __future__ import annotations

from pathlib import Path

from aerich import Command
from aerich.migrate import Migrate
from tortoise import connections

from smarthabit.orm import database, is_postgres_url, tortoise_config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _command(db_url: str) -> Command:
    return Command(tortoise_config=tortoise_config(db_url), app="models", location=str(MIGRATIONS_DIR))


async def apply_migrations(db_url: str) -> list[str]:
    """Bring the schema up to date; returns the versions applied (none when already current)."""
    async with _command(db_url) as command:
        await command.init()
        return await command.upgrade(run_in_transaction=True)


async def pending_migrations(db_url: str) -> list[str]:
    """The migration versions a PostgreSQL database has not applied yet (all of them on a blank one)."""
    async with _command(db_url) as command:
        await command.init()
        if not await _has_aerich_table():
            return Migrate.get_all_version_files()
        return await command.heads()


async def _has_aerich_table() -> bool:
    rows = await connections.get("default").execute_query_dict("SELECT to_regclass('aerich') IS NOT NULL AS present")
    return bool(rows[0]["present"])


async def prepare_database(db_url: str) -> list[str]:
    """What `smarthabit run` does before it serves: PostgreSQL gets its pending migrations; SQLite
    (the migrations are PostgreSQL SQL) gets the models' tables and indexes, created where missing.
    Returns the migration versions applied."""
    if is_postgres_url(db_url):
        return await apply_migrations(db_url)
    async with database(db_url, create_schema=True):
        return []


async def make_migration(db_url: str, name: str) -> str | None:
    """Write a new migration for model changes (first run: the initial schema) against `db_url`."""
    async with _command(db_url) as command:
        if not any(f.stem.split("_")[0].isdigit() for f in (MIGRATIONS_DIR / "models").glob("*_*.py")):
            await command.init_db(safe=True)
            return "initial schema"
        await command.init()
        return await command.migrate(name, no_input=True)
