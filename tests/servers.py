"""Before the first test: do the servers the selected tests need answer? If not, one message and stop.

Without this, a machine without PostgreSQL or Redis gets thousands of lines of ConnectionRefusedError,
one traceback a test. A test needs PostgreSQL when it uses the session database (`test_db_url`) in the
PostgreSQL pass, and Redis when it uses the `redis_url` fixture.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from urllib.parse import urlsplit

import asyncpg
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

CONNECT_TIMEOUT = 3.0


async def _postgres_problem(admin_url: str) -> str | None:
    try:
        conn = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1), timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        where = urlsplit(admin_url).netloc.rpartition("@")[2] or "localhost"
        return (f"PostgreSQL does not answer at {where} ({type(exc).__name__}: {exc}).\n"
                "  Start it (`docker compose up -d db`, or your distribution's postgresql service), point\n"
                "  TEST_DATABASE_ADMIN_URL at a server that answers, or run the SQLite pass: TEST_DATABASE=sqlite")
    await conn.close()
    return None


async def _redis_problem(redis_url: str) -> str | None:
    client = Redis.from_url(redis_url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT)
    try:
        await client.ping()
    except (OSError, RedisError) as exc:
        where = urlsplit(redis_url).netloc.rpartition("@")[2] or "localhost"
        return (f"Redis does not answer at {where} ({type(exc).__name__}: {exc}).\n"
                "  Start it (`docker compose up -d redis`, or `redis-server`), or point TEST_REDIS_URL\n"
                "  (redis://host:port/db: the tests use that one database only) at a server that answers")
    finally:
        await client.aclose()
    return None


async def _problems(admin_url: str | None, redis_url: str | None) -> list[str]:
    checks = [_postgres_problem(admin_url) if admin_url else None, _redis_problem(redis_url) if redis_url else None]
    found = await asyncio.gather(*(check for check in checks if check is not None))
    return [problem for problem in found if problem]


def require_servers(items: Sequence[pytest.Item], *, admin_url: str | None, redis_url: str) -> None:
    """Exit the session (non-zero) naming every missing server, before any test runs."""
    needs_database = admin_url is not None and any("test_db_url" in item.fixturenames for item in items)
    needs_redis = any("redis_url" in item.fixturenames for item in items)
    if not (needs_database or needs_redis):
        return
    problems = asyncio.run(_problems(admin_url if needs_database else None, redis_url if needs_redis else None))
    if problems:
        pytest.exit("the tests need servers that do not answer:\n" + "\n".join(problems), returncode=4)
