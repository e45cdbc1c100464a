"""`smarthabit bot`: the bot on its own, with long polling, until SIGINT or SIGTERM."""

from __future__ import annotations

import logging
import signal

from telegram import Update

from bot.app import build_application
from smarthabit.config import Settings

log = logging.getLogger(__name__)


def run(settings: Settings) -> None:
    """Poll until a stop signal; python-telegram-bot then stops polling, finishes the updates it
    holds, flushes the persistence and shuts down, and the database closes last."""
    application = build_application(settings, manage_database=True)
    log.info("bot polling", extra={"api": settings.telegram_api_url})
    application.run_polling(
        allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER],
        stop_signals=(signal.SIGINT, signal.SIGTERM),
    )
    log.info("bot stopped")
