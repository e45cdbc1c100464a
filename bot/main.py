"""`smarthabit bot`: the bot on its own, with long polling, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import BotApplication, build_application
from bot.embedded import start_problem
from smarthabit.config import Settings
from smarthabit.errors import StartupError

log = logging.getLogger(__name__)


async def _check_telegram(application: BotApplication, settings: Settings) -> None:
    """Ask the Bot API who we are before polling, so an unreachable Telegram or a rejected token is
    one clear line (python-telegram-bot's own start-up would log a traceback first)."""
    try:
        async with application.bot:
            pass
    except (InvalidToken, NetworkError) as error:
        raise StartupError(start_problem(error, settings.telegram_api_url)) from None


def run(settings: Settings) -> None:
    """Poll until a stop signal; python-telegram-bot then stops polling, finishes the updates it
    holds, flushes the persistence and shuts down, and the database closes last."""
    application = build_application(settings, manage_database=True)
    asyncio.run(_check_telegram(application, settings))
    log.info("bot polling", extra={"api": settings.telegram_api_url})
    try:
        application.run_polling(
            allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER],
            stop_signals=(signal.SIGINT, signal.SIGTERM),
        )
    except (InvalidToken, NetworkError) as error:  # at start: once polling, PTB retries network errors itself
        raise StartupError(start_problem(error, settings.telegram_api_url)) from None
    log.info("bot stopped")
