"""Before the first test: do the servers the selected tests need answer? If not, one message and stop.

Without this, a machine without PostgreSQL or Redis gets thousands of lines of ConnectionRefusedError,
one traceback a test. A test needs PostgreSQL when it uses the session database (`test_db_url`) in the
PostgreSQL pass, and Redis when it uses the `redis_url` fixture.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import asyncpg
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

CONNECT_TIMEOUT = 3.0
SERVERS_MISSING = "smarthabit_servers_missing"  # key of the message in an xdist worker's workeroutput


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


def require_servers(config: pytest.Config, items: list[pytest.Item], *, admin_url: str | None, redis_url: str) -> None:
    """Exit the session (non-zero) naming every missing server, before any test runs.

    In a pytest-xdist worker its own `pytest.exit` would reach the terminal as an INTERNALERROR without
    the message: the worker hands the message to the controller (`workeroutput`) and runs nothing, and
    the controller exits with it when the worker goes down (`pytest_testnodedown` in conftest)."""
    needs_database = admin_url is not None and any("test_db_url" in item.fixturenames for item in items)
    needs_redis = any("redis_url" in item.fixturenames for item in items)
    if not (needs_database or needs_redis):
        return
    problems = asyncio.run(_problems(admin_url if needs_database else None, redis_url if needs_redis else None))
    if not problems:
        return
    message = "the tests need servers that do not answer:\n" + "\n".join(problems)
    if hasattr(config, "workerinput"):
        config.workeroutput[SERVERS_MISSING] = message  # type: ignore[attr-defined]
        items.clear()
        return
    pytest.exit(message, returncode=4)


def exit_if_a_worker_found_servers_missing(workeroutput: dict[str, object]) -> None:
    """In the xdist controller: stop with the message a worker left (see `require_servers`)."""
    message = workeroutput.get(SERVERS_MISSING)
    if isinstance(message, str):
        pytest.exit(message, returncode=4)
