"""The `smarthabit` command: one entry point, a sub-command per process role.

The CLI is the composition root: it builds the settings once and hands them to the front door
that the sub-command names (imported lazily, so `smarthabit migrate` does not load the bot).
Before a role starts, `launcher.preflight` checks what a newcomer most often gets wrong; an
expected failure (a StartupError) ends the command with one line and exit status 1, no traceback
(the traceback is logged at DEBUG).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from collections.abc import Sequence

import aiohttp.web
from pydantic import ValidationError

from launcher.preflight import check_port, port_problem, prepare, warn_development_key
from smarthabit.config import Settings, load_settings
from smarthabit.errors import StartupError
from smarthabit.logs import configure_logging

log = logging.getLogger("smarthabit.launcher")


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {k: v for k, v in {"host": getattr(args, "host", None), "port": getattr(args, "port", None)}.items()
                 if v is not None}
    try:
        return load_settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        sys.exit(f"smarthabit: configuration error: {problems}")


def _cmd_run(settings: Settings, args: argparse.Namespace) -> None:
    from launcher.embedded import run_all

    check_port(settings.host, settings.port, setting="PORT", flag="--port")
    applied = prepare(settings, migrate=True)
    if applied:
        log.info("database migrated", extra={"applied": applied})
    warn_development_key(settings)
    _load_skip_model()
    run_all(settings)


def _serve_metrics(settings: Settings) -> None:
    """Roles without an HTTP server of their own expose /metrics on METRICS_PORT, when it is set."""
    if settings.metrics_port is not None:
        from prometheus_client import start_http_server

        try:
            start_http_server(settings.metrics_port, addr=settings.host)
        except OSError as exc:
            raise StartupError(port_problem(exc, settings.host, settings.metrics_port, "METRICS_PORT")) from exc


def _cmd_api(settings: Settings, args: argparse.Namespace) -> None:
    several = settings.api_processes > 1
    check_port(settings.host, settings.port, setting="PORT", flag="--port", reuse_port=several)
    if settings.metrics_port is not None:  # the API's metrics listener binds with SO_REUSEPORT
        check_port(settings.host, settings.metrics_port, setting="METRICS_PORT", reuse_port=True)
    prepare(settings)
    warn_development_key(settings)
    if several and not settings.uses_postgres:
        log.warning("API_PROCESSES=%d on SQLite: the processes share one file and take turns to write; "
                    "use PostgreSQL (DATABASE_URL) for several API processes", settings.api_processes)
    if not several:
        _serve_api(settings)
        return
    from api.processes import serve_in_processes

    sys.exit(serve_in_processes(settings.api_processes, _api_process, settings))


def _api_process(settings: Settings) -> None:
    """One of API_PROCESSES server processes (a fresh interpreter: it sets up its own logging)."""
    from api.processes import stop_with_parent

    configure_logging(settings.log_level, settings.log_format)
    stop_with_parent()
    _serve_api(settings, reuse_port=True)


def web_sub_apps() -> dict[str, aiohttp.web.Application]:
    """The web app (pages and assets) the API process serves next to the REST API."""
    from web.app import PREFIX, create_app

    return {PREFIX: create_app()}


def _serve_api(settings: Settings, *, reuse_port: bool = False) -> None:
    from api.main import run

    _load_skip_model()
    if settings.webhook_secret and settings.bot_token:
        from bot.embedded import webhook_application, webhook_ctx

        telegram_app = webhook_application(settings)
        run(settings, telegram_app=telegram_app, extra_contexts=[webhook_ctx(telegram_app, settings)],
            reuse_port=reuse_port, sub_apps=web_sub_apps())
    else:
        run(settings, reuse_port=reuse_port, sub_apps=web_sub_apps())


def _load_skip_model() -> None:
    """The skip model's trees (~0.3 s, most of it LightGBM's import) load at start-up, in the processes
    that forecast (API, worker): not in the middle of a request, or of the first night's batch."""
    from smarthabit import skip_trees

    skip_trees.load()


def _freeze_startup_objects() -> None:
    """What start-up loaded (modules, classes: ~180k objects) lives as long as the process: keep it
    out of the collector's full passes, each a pause of 200-300 ms that every update or send in flight
    waits out (the API process does the same in api.main, where it was measured)."""
    gc.freeze()


def _cmd_bot(settings: Settings, args: argparse.Namespace) -> None:
    if settings.bot_token is None:
        raise StartupError("TELEGRAM_BOT_TOKEN is not set; the bot cannot start (ask @BotFather for a token)")
    from bot.main import run

    prepare(settings)
    _serve_metrics(settings)
    _freeze_startup_objects()
    run(settings)


def _cmd_worker(settings: Settings, args: argparse.Namespace) -> None:
    from tasks.main import run_worker

    prepare(settings)
    _serve_metrics(settings)
    _load_skip_model()
    _freeze_startup_objects()
    run_worker(settings, concurrency=args.concurrency)


def _cmd_scheduler(settings: Settings, args: argparse.Namespace) -> None:
    from tasks.main import run_scheduler

    prepare(settings)
    _serve_metrics(settings)
    _freeze_startup_objects()
    run_scheduler(settings)


def _cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    applied = prepare(settings, migrate=True)
    if not settings.uses_postgres:
        print("SQLite: tables made from the models where missing (the migrations are PostgreSQL's)")
    else:
        print("applied: " + ", ".join(applied) if applied else "database is up to date")


def _cmd_makemigrations(settings: Settings, args: argparse.Namespace) -> None:
    from smarthabit.migrations import make_migration

    name = asyncio.run(make_migration(settings.db_url, args.name))
    print(f"created {name}" if name else "no changes")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smarthabit", description="SmartHabit habit tracker backend.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: object, help_text: str, *, listens: bool = False) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.set_defaults(handler=handler)
        if listens:
            cmd.add_argument("--host", help="address to listen on (overrides HOST)")
            cmd.add_argument("--port", type=int, help="port to listen on (overrides PORT)")
        return cmd

    add("run", _cmd_run, "Run everything in one process (API, bot if configured, worker, scheduler); "
        "with no DATABASE_URL/REDIS_URL it uses SQLite and an in-process broker.", listens=True)
    add("api", _cmd_api, "Run the REST API server (and the Telegram webhook when configured).", listens=True)
    add("bot", _cmd_bot, "Run the Telegram bot with long polling.")
    worker = add("worker", _cmd_worker, "Run a background worker that executes tasks from the broker.")
    worker.add_argument("--concurrency", type=int, default=20, help="tasks run at once (default 20)")
    add("scheduler", _cmd_scheduler, "Run the task scheduler (exactly one per deployment).")
    add("migrate", _cmd_migrate, "Apply database migrations (a no-op when up to date).")
    make = add("makemigrations", _cmd_makemigrations, "Developers: write a migration for model changes.")
    make.add_argument("--name", default="update", help="a short name for the migration")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    settings = _settings(args)
    configure_logging(settings.log_level, settings.log_format)
    try:
        args.handler(settings, args)
    except StartupError as exc:
        log.debug("startup failed", exc_info=exc)
        sys.exit(f"smarthabit {args.command}: {exc}")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
