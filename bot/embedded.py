"""The bot inside another process's event loop: `smarthabit run` (polling) and the API's webhook mode.

Both are aiohttp `cleanup_ctx` factories, so the bot starts after the resources before it (the
database) and stops before them. The database belongs to the host here, never to the bot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken, TelegramError

from bot.app import BotApplication, build_application
from smarthabit.config import Settings

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
POLL_TIMEOUT = 10.0
RETRY_FIRST_SECONDS = 2.0
RETRY_MAX_SECONDS = 300.0

CleanupCtx = Callable[[web.Application], AsyncIterator[None]]


async def start(application: BotApplication, *, polling: bool = True, poll_interval: float = 0.0,
                poll_timeout: float = POLL_TIMEOUT) -> None:
    """Initialize (loads persistence), register the menu, start processing and, if asked, polling."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    if polling:
        assert application.updater is not None, "polling needs an application built with an updater"
        await application.updater.start_polling(
            poll_interval=poll_interval, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
        )


async def stop(application: BotApplication) -> None:
    """Stop polling, finish the updates already fetched, write the persistence, shut down."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()


def start_problem(error: TelegramError, api_url: str) -> str:
    """Why the bot could not start, in words (never the token, which InvalidToken's text contains)."""
    if isinstance(error, InvalidToken):
        return "Telegram rejected TELEGRAM_BOT_TOKEN (check it with @BotFather)"
    return f"cannot reach the Telegram Bot API at {api_url} ({error.message}); check TELEGRAM_API_URL and the network"


async def start_when_reachable(application: BotApplication, api_url: str, *,
                               first_delay: float = RETRY_FIRST_SECONDS, max_delay: float = RETRY_MAX_SECONDS) -> None:
    """Start polling; while Telegram cannot be reached or refuses the token, try again with a doubling
    delay, one log line an attempt. The host (the API) serves all the while."""
    delay, attempt = first_delay, 1
    while True:
        try:
            await start(application, polling=True)
        except TelegramError as error:
            log.warning("bot not started: %s; attempt %d, next in %.0f s", start_problem(error, api_url), attempt,
                        delay, extra={"attempt": attempt, "retry_in_s": delay})
        else:
            log.info("bot polling inside the API process")
            return
        await asyncio.sleep(delay)
        delay, attempt = min(delay * 2, max_delay), attempt + 1


def polling_ctx(settings: Settings, *, first_retry_delay: float = RETRY_FIRST_SECONDS) -> CleanupCtx:
    """For `smarthabit run`: poll Telegram inside the API's loop for the app's lifetime. The bot starts
    in the background, so an unreachable Telegram or a wrong token never keeps the API from serving."""

    async def bot_polling(app: web.Application) -> AsyncIterator[None]:
        application = build_application(settings)
        starting = asyncio.create_task(
            start_when_reachable(application, settings.telegram_api_url, first_delay=first_retry_delay))
        try:
            yield
        finally:
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
            await stop(application)

    return bot_polling


def webhook_application(settings: Settings) -> BotApplication:
    """The Application for webhook mode: no updater; hand it to `api.app.init_app(telegram_app=...)`,
    which puts each verified update into `application.update_queue`."""
    return build_application(settings, updater=False)


def webhook_ctx(application: BotApplication, settings: Settings) -> CleanupCtx:
    """Start the webhook-mode Application with the API; when TELEGRAM_WEBHOOK_URL is set, tell
    Telegram where to deliver (with the secret it must echo in X-Telegram-Bot-Api-Secret-Token)."""

    async def bot_webhook(app: web.Application) -> AsyncIterator[None]:
        await start(application, polling=False)
        if settings.telegram_webhook_url:
            await application.bot.set_webhook(
                settings.telegram_webhook_url, secret_token=settings.webhook_secret, allowed_updates=ALLOWED_UPDATES
            )
            log.info("webhook registered")
        try:
            yield
        finally:
            await stop(application)

    return bot_webhook
