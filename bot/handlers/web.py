"""/web: a one-time link that signs this chat's account in to the web app in a browser."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update

from bot import texts
from bot.handlers.common import Context, chat_user, send
from bot.webapp import WebApp, web_app
from smarthabit.web_login import create_web_login


async def web_command(update: Update, context: Context) -> None:
    """/web: the link works once, for a few minutes; the code rides in the URL fragment."""
    app = web_app(context.bot_data)
    if app is None:
        return
    user = await chat_user(update)
    code, _ = await create_web_login(user, app.login_ttl)
    await send(update, texts.web_login(app.login_link(code), int(app.login_ttl.total_seconds() // 60)))


def open_button_row(context: Context, path: str) -> list[list[InlineKeyboardButton]]:
    """The "Open" row for a message's keyboard, or no row without PUBLIC_URL."""
    app: WebApp | None = web_app(context.bot_data)
    button = app.button(path) if app is not None else None
    return [[button]] if button is not None else []
