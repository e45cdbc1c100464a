"""Webhook mode: Telegram (the loopback Bot API here) posts updates to the API, which feeds the bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from api.app import init_app
from api.typedefs import ROUTES
from smarthabit.config import Settings
from tests.api.conftest import configured
from tests.botapi import BotApiServer

TOKEN = "123:ABC"
SECRET = "webhook-secret-0123456789"


@pytest.fixture
async def bot_api() -> AsyncIterator[BotApiServer]:
    async with BotApiServer([TOKEN]) as server:
        yield server


@pytest.fixture
async def telegram_app(bot_api: BotApiServer) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """A real python-telegram-bot Application without an Updater, as the composition root builds it."""
    application = ApplicationBuilder().token(TOKEN).base_url(bot_api.base_url).updater(None).build()
    await application.initialize()  # getMe against the loopback Bot API
    yield application
    await application.shutdown()


@pytest.fixture
async def webhook_client(settings: Settings, db: str, telegram_app: Application) -> AsyncIterator[TestClient]:
    app = init_app(configured(settings, telegram_webhook_secret=SECRET), manage_database=False,
                   telegram_app=telegram_app)
    async with TestClient(TestServer(app)) as client:
        yield client


def _update(update_id: int = 1) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": 5, "date": 1_700_000_000, "text": "hello",
        "chat": {"id": 42, "type": "private", "first_name": "Ada"},
        "from": {"id": 42, "is_bot": False, "first_name": "Ada"},
    }}


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                                     {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}])
async def test_wrong_or_missing_secret_is_403_and_nothing_is_queued(
    webhook_client: TestClient, telegram_app: Application, headers: dict[str, str]
) -> None:
    response = await webhook_client.post("/telegram/webhook", json=_update(), headers=headers)
    assert response.status == 403
    assert (await response.json())["error"]["code"] == "forbidden"
    assert telegram_app.update_queue.empty()
    # The secret is checked before the body: garbage with a wrong secret is still just 403.
    garbage = await webhook_client.post("/telegram/webhook", data=b"{", headers=headers)
    assert garbage.status == 403


async def test_update_is_parsed_and_queued(webhook_client: TestClient, telegram_app: Application) -> None:
    response = await webhook_client.post("/telegram/webhook", json=_update(7),
                                         headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status == 200
    update = telegram_app.update_queue.get_nowait()
    assert isinstance(update, Update) and update.update_id == 7 and update.message.text == "hello"
    assert update.get_bot() is telegram_app.bot
    bad = await webhook_client.post("/telegram/webhook", json={"message": {}},
                                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert bad.status == 422 and telegram_app.update_queue.empty()


async def test_end_to_end_through_the_loopback_bot_api(
    webhook_client: TestClient, telegram_app: Application, bot_api: BotApiServer
) -> None:
    """setWebhook on the (loopback) Bot API; a user's message reaches the bot's handler via the API."""
    seen: asyncio.Queue[str] = asyncio.Queue()

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await seen.put(update.message.text)

    telegram_app.add_handler(MessageHandler(filters.TEXT, record))
    await telegram_app.start()
    try:
        await telegram_app.bot.set_webhook(str(webhook_client.make_url("/telegram/webhook")), secret_token=SECRET)
        await bot_api.send_text(42, "hi from Telegram")
        assert await asyncio.wait_for(seen.get(), timeout=5) == "hi from Telegram"
    finally:
        await telegram_app.bot.delete_webhook()
        await telegram_app.stop()


async def test_no_webhook_route_without_secret_or_bot(settings: Settings, telegram_app: Application) -> None:
    without_secret = init_app(settings, manage_database=False, telegram_app=telegram_app)
    without_bot = init_app(configured(settings, telegram_webhook_secret=SECRET), manage_database=False)
    for app in (without_secret, without_bot):
        assert all(route.path != "/telegram/webhook" for route in app[ROUTES])
