"""What every handler needs: the person's account, the conversation plumbing and small parsers."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Awaitable, Callable
from datetime import date, time
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, ContextTypes, ConversationHandler, filters
from telegram.ext import MessageHandler as _MessageHandler

from bot import texts
from smarthabit import accounts
from smarthabit.models import User

Context = ContextTypes.DEFAULT_TYPE
Callback = Callable[[Update, Context], Awaitable[Any]]
END = ConversationHandler.END

# Handler groups: a one-question prompt sits above /new, so answering it never disturbs a half-done
# habit form; everything outside a conversation comes last. See `bot.handlers.register`.
GUARD_GROUP = -1
PROMPTS_GROUP = 0
NEW_HABIT_GROUP = 1
MAIN_GROUP = 2

PLAIN_TEXT = filters.TEXT & ~filters.COMMAND
_TIME = re.compile(r"(\d{1,2})\s*[:.h]\s*(\d{2})")
_DATE_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


async def chat_user(update: Update) -> User:
    """The account behind this chat, created on first contact; writing again also unblocks the bot."""
    person, chat = update.effective_user, update.effective_chat
    assert person is not None and chat is not None  # the guard drops updates without them
    user, _ = await accounts.telegram_user(person.id, chat.id, person.first_name or "")
    return user


def final(callback: Callback) -> Callback:
    """Wrap a conversation callback whose update is fully handled: later handler groups (the plain
    commands, the /today default for text) must not see it too. The returned state is kept."""

    @functools.wraps(callback)
    async def handled(update: Update, context: Context) -> None:
        raise ApplicationHandlerStop(await callback(update, context))

    return handled


def on_text(callback: Callback) -> _MessageHandler[Any, Any]:
    """A conversation state's text answer (commands are not answers)."""
    return _MessageHandler(PLAIN_TEXT, final(callback))


def on_button(callback: Callback, pattern: str) -> CallbackQueryHandler[Any, Any]:
    return CallbackQueryHandler(final(callback), pattern=pattern)


async def send(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    """Send a new message into the update's chat."""
    assert update.effective_chat is not None
    return await update.effective_chat.send_message(text, reply_markup=markup)


async def edit(message: Message | None, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit one of our messages in place; an identical edit (a repeated tap) is not an error."""
    if message is None:
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message:
            raise


async def edit_by_id(context: Context, chat_id: int, message_id: int, text: str,
                     markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit a message we only know by id (the one a prompt came from); a vanished one is ignored."""
    try:
        await context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message and "not found" not in exc.message:
            raise


async def edit_markup_by_id(context: Context, chat_id: int, message_id: int,
                            markup: InlineKeyboardMarkup | None) -> None:
    try:
        await context.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message and "not found" not in exc.message:
            raise


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the button tap (stops the client's spinner); once per tap."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=alert)


def message_text(update: Update) -> str:
    return (update.effective_message.text or "") if update.effective_message else ""


def user_data(context: Context) -> dict[str, Any]:
    assert context.user_data is not None
    return context.user_data


async def cancel_in_conversation(update: Update, context: Context, key: str) -> int:
    """/cancel inside a conversation: forget its draft and say so."""
    user_data(context).pop(key, None)
    await send(update, texts.CANCELLED)
    raise ApplicationHandlerStop(END)


def leaver(key: str) -> Callback:
    """A fallback for any other command: quietly leave the conversation and let that command run."""

    async def leave(update: Update, context: Context) -> int:
        user_data(context).pop(key, None)
        return END

    leave.__doc__ = f"Leave the conversation (dropping user_data[{key!r}]) when another command is sent."
    return leave


def canceller(key: str) -> Callback:
    async def cancel(update: Update, context: Context) -> int:
        return await cancel_in_conversation(update, context, key)

    cancel.__doc__ = f"/cancel: end the conversation and drop user_data[{key!r}]."
    return cancel


# -- parsers for typed answers ------------------------------------------------------------------


def parse_time(text: str) -> time | None:
    """`7:30`, `07:30`, `7.30`, `7h30` → 07:30; None for anything that is not a real time ("25:99")."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    return time(hour, minute) if hour < 24 and minute < 60 else None


def parse_number(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_date(text: str) -> date | None:
    """`2026-12-24` or `24.12.2026`."""
    text = text.strip()
    try:
        match = _DATE_DMY.fullmatch(text)
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
