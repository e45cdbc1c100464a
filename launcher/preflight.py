"""Checks before a role starts, each failing with words a newcomer can act on (a StartupError).

A port that is taken, a database that does not answer or has not been migrated, a metrics port in use:
each is found here, before anything else has started, and named with the setting or command that
fixes it. The command line prints the message as one line; nothing half-started is left behind.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from urllib.parse import urlsplit

import asyncpg

from smarthabit.config import Settings
from smarthabit.errors import StartupError
from smarthabit.migrations import pending_migrations, prepare_database

log = logging.getLogger("smarthabit.launcher")
CONNECT_TIMEOUT = 5.0


def check_port(host: str, port: int, *, setting: str, flag: str | None = None, reuse_port: bool = False) -> None:
    """Bind (and release) host:port as the server will, so "in use" is said before anything starts."""
    if port == 0:
        return
    how = f"{flag} or {setting}" if flag else setting
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
        if reuse_port:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise StartupError(port_problem(exc, host, port, how)) from exc


def port_problem(exc: OSError, host: str, port: int, how: str) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use: stop the program using it, or choose another port with {how}"
    if exc.errno == errno.EACCES:
        return f"no permission to listen on port {port}: ports below 1024 need privileges; choose another with {how}"
    if exc.errno in (errno.EADDRNOTAVAIL, socket.EAI_NONAME) or isinstance(exc, socket.gaierror):
        return f"cannot listen on {host}: no such address on this machine (check HOST)"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc} (check {how})"


def where(db_url: str) -> str:
    """The database's address without its password, for messages."""
    parts = urlsplit(db_url)
    host = parts.hostname or "localhost"
    return f"{host}:{parts.port or 5432}{parts.path}"


async def _reach_postgres(db_url: str) -> None:
    dsn = "postgresql://" + db_url.split("://", 1)[1]
    try:
        conn = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT)
    except asyncpg.InvalidCatalogNameError as exc:
        raise StartupError(f"the database {where(db_url)} does not exist: create it (createdb) "
                           "or correct DATABASE_URL") from exc
    except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError) as exc:
        raise StartupError(f"PostgreSQL at {where(db_url)} refused the login ({exc}): check the user "
                           "and password in DATABASE_URL") from exc
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        reason = f"no answer within {CONNECT_TIMEOUT:.0f} s" if isinstance(exc, TimeoutError) else str(exc)
        raise StartupError(f"cannot reach the database at {where(db_url)} ({reason}): is PostgreSQL running "
                           "(docker compose up -d db)? Check DATABASE_URL") from exc
    await conn.close()


async def ready_database(settings: Settings, *, migrate: bool) -> list[str]:
    """The database answers and its schema is current. With `migrate` (smarthabit run, migrate) the
    missing schema is made; without, pending migrations are an error naming `smarthabit migrate`.
    SQLite's schema is always made from the models (the migrations are PostgreSQL's)."""
    url = settings.db_url
    if not settings.uses_postgres:
        try:
            return await prepare_database(url)
        except Exception as exc:  # sqlite3 and aiosqlite raise several kinds: any is "cannot open"
            raise StartupError(f"cannot open the SQLite database {url.removeprefix('sqlite://')} ({exc}): "
                               "check DATABASE_URL and that its folder exists and is writable") from exc
    await _reach_postgres(url)
    if migrate:
        return await prepare_database(url)
    pending = await pending_migrations(url)
    if pending:
        names = ", ".join(name.removesuffix(".py") for name in pending)
        raise StartupError(f"the database {where(url)} is not migrated ({len(pending)} pending: {names}): "
                           "run `smarthabit migrate` first (compose: docker compose run --rm migrate)")
    return []


def prepare(settings: Settings, *, migrate: bool = False) -> list[str]:
    """`ready_database` from synchronous code, before the role's own event loop starts."""
    return asyncio.run(ready_database(settings, migrate=migrate))


def warn_development_key(settings: Settings) -> None:
    """One line when tokens are signed with the development key (made here, before any process forks)."""
    if settings.jwt_secret is None:
        settings.jwt_key  # noqa: B018 (creates the key file once, before API processes start)
        log.warning("JWT_SECRET is not set: signing tokens with a development key kept in %s "
                    "(development only; production requires JWT_SECRET)", settings.dev_key_path)
