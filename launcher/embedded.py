"""`smarthabit run`: every role in one process, for a first try on the embedded default.

This is a composition root (like the CLI): it is the one place allowed to import all three front
doors. With no DATABASE_URL it uses SQLite (schema created from the models); with no REDIS_URL the
workers run on an in-process broker.
"""

from __future__ import annotations

import logging

from aiohttp import web

from smarthabit.config import Settings

log = logging.getLogger(__name__)


def run_all(settings: Settings) -> None:
    from api.app import init_app
    from tasks.embedded import tasks_ctx
    from web.app import PREFIX, create_app

    app = init_app(settings, sub_apps={PREFIX: create_app()})
    app.cleanup_ctx.append(tasks_ctx(settings))
    if settings.bot_token:
        from bot.embedded import polling_ctx

        app.cleanup_ctx.append(polling_ctx(settings))
    else:
        log.info("TELEGRAM_BOT_TOKEN not set: running without the Telegram bot")
    url = f"http://{settings.host}:{settings.port}"
    web.run_app(app, host=settings.host, port=settings.port, access_log=None,
                print=lambda _: log.info("listening: open %s/ (API docs at %s/docs)", url, url,
                                         extra={"host": settings.host, "port": settings.port}))
