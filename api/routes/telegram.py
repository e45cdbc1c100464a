"""The Telegram webhook (production mode of the bot): updates arrive here and go to the bot's queue."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web
from telegram import Update

from api.errors import ApiError
from api.routing import RouteTable
from api.schemas import OkOut, TelegramUpdateIn
from api.typedefs import SETTINGS, TELEGRAM_APP

routes = RouteTable("telegram")
log = logging.getLogger("smarthabit.api.telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


async def verify_secret(request: web.Request) -> None:
    """Only Telegram knows the secret given to setWebhook; anything else is refused before parsing."""
    expected = request.app[SETTINGS].webhook_secret or ""
    given = request.headers.get(SECRET_HEADER, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("webhook call with a wrong secret")
        raise ApiError(403, "forbidden", "Wrong or missing webhook secret")


@routes.post("/telegram/webhook", guard=verify_secret, security="telegramSecret",
             errors={403: "Wrong or missing X-Telegram-Bot-Api-Secret-Token"})
async def telegram_webhook(request: web.Request, body: TelegramUpdateIn) -> OkOut:
    """Receive one Telegram update and queue it for the bot; answers at once, the bot works after."""
    telegram_app = request.app[TELEGRAM_APP]
    try:
        update = Update.de_json(body.model_dump(), telegram_app.bot)
    except (KeyError, TypeError, ValueError):
        raise ApiError(422, "validation_error", "Not a Telegram update") from None
    await telegram_app.update_queue.put(update)
    return OkOut()
