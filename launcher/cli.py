"""The `smarthabit` command: one entry point, a sub-command per process role.

The CLI is the composition root: it builds the settings once and hands them to the front door
that the sub-command names (imported lazily, so `smarthabit migrate` does not load the bot).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from smarthabit.config import Settings, load_settings
from smarthabit.logs import configure_logging


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

    run_all(settings)


def _serve_metrics(settings: Settings) -> None:
    """Roles without an HTTP server of their own expose /metrics on METRICS_PORT, when it is set."""
    if settings.metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(settings.metrics_port, addr=settings.host)


def _cmd_api(settings: Settings, args: argparse.Namespace) -> None:
    if settings.api_processes == 1:
        _serve_api(settings)
        return
    from api.processes import serve_in_processes

    sys.exit(serve_in_processes(settings.api_processes, _api_process, settings))


def _api_process(settings: Settings) -> None:
    """One of API_PROCESSES server processes (a fresh interpreter: it sets up its own logging)."""
    from api.processes import stop_with_parent

    configure_logging(settings.log_level)
    stop_with_parent()
    _serve_api(settings, reuse_port=True)


def _serve_api(settings: Settings, *, reuse_port: bool = False) -> None:
    from api.main import run

    if settings.webhook_secret and settings.bot_token:
        from bot.embedded import webhook_application, webhook_ctx

        telegram_app = webhook_application(settings)
        run(settings, telegram_app=telegram_app, extra_contexts=[webhook_ctx(telegram_app, settings)],
            reuse_port=reuse_port)
    else:
        run(settings, reuse_port=reuse_port)


def _cmd_bot(settings: Settings, args: argparse.Namespace) -> None:
    if settings.bot_token is None:
        sys.exit("smarthabit: TELEGRAM_BOT_TOKEN is not set; the bot cannot start")
    from bot.main import run

    _serve_metrics(settings)
    run(settings)


def _cmd_worker(settings: Settings, args: argparse.Namespace) -> None:
    from tasks.main import run_worker

    _serve_metrics(settings)
    run_worker(settings, concurrency=args.concurrency)


def _cmd_scheduler(settings: Settings, args: argparse.Namespace) -> None:
    from tasks.main import run_scheduler

    _serve_metrics(settings)
    run_scheduler(settings)


def _cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    from smarthabit.migrations import apply_migrations

    applied = asyncio.run(apply_migrations(settings.db_url))
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
    configure_logging(settings.log_level)
    args.handler(settings, args)


if __name__ == "__main__":
    main()
