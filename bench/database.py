"""A throw-away, migrated PostgreSQL database per bench run (BENCH_DATABASE_ADMIN_URL names the server)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ADMIN_URL = os.environ.get("BENCH_DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def asyncpg_url(url: str) -> str:
    """asyncpg spells the scheme `postgresql://`; Tortoise and our settings say `postgres://`."""
    return url.replace("postgres://", "postgresql://", 1)


@asynccontextmanager
async def bench_database(name: str) -> AsyncIterator[str]:
    """A fresh database `name` on the admin server, migrated; dropped afterwards whatever happens."""
    from smarthabit.migrations import apply_migrations

    admin = await asyncpg.connect(asyncpg_url(ADMIN_URL))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{name}"))
        await apply_migrations(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
