"""aerich migrations, applied from the package's own `migrations/` folder wherever it is installed."""

from __future__ import annotations

from pathlib import Path

from aerich import Command

from smarthabit.orm import tortoise_config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _command(db_url: str) -> Command:
    return Command(tortoise_config=tortoise_config(db_url), app="models", location=str(MIGRATIONS_DIR))


async def apply_migrations(db_url: str) -> list[str]:
    """Bring the schema up to date; returns the versions applied (none when already current)."""
    async with _command(db_url) as command:
        await command.init()
        return await command.upgrade(run_in_transaction=True)


async def make_migration(db_url: str, name: str) -> str | None:
    """Write a new migration for model changes (first run: the initial schema) against `db_url`."""
    async with _command(db_url) as command:
        if not any(f.stem.split("_")[0].isdigit() for f in (MIGRATIONS_DIR / "models").glob("*_*.py")):
            await command.init_db(safe=True)
            return "initial schema"
        await command.init()
        return await command.migrate(name, no_input=True)
