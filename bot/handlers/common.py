"""What every handler needs: the person's account, the conversation plumbing and small parsers."""

from __future__ import annotations

import functools
import time as clock
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, ContextTypes, ConversationHandler, filters
from telegram.ext import MessageHandler as _MessageHandler

from bot import replies, texts
from bot.handlers import states
from smarthabit import accounts, i18n
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
LAST_GROUP = 99  # after every other group: an update that got here raised nothing

PLAIN_TEXT = filters.TEXT & ~filters.COMMAND
NOT_TEXT = filters.ATTACHMENT | filters.Sticker.ALL | filters.VOICE | filters.PHOTO | filters.VIDEO_NOTE
LANGUAGE_KEY = "lang"  # user_data: the account's language, so the guard answers in it at once
# An open question older than this is forgotten when text arrives: after a day away, "hi" is a
# greeting (→ /today), not the name of a habit or the value asked for yesterday.
ANSWER_TTL_SECONDS = 3600


async def chat_user(update: Update, context: Context | None = None) -> User:
    """The account behind this chat, created on first contact; writing again also unblocks the bot.
    A new account takes its language from Telegram's language_code; the answer is in the account's."""
    person, chat = update.effective_user, update.effective_chat
    assert person is not None and chat is not None  # the guard drops updates without them
    user, _ = await accounts.telegram_user(person.id, chat.id, person.first_name or "")
    if user.language is None:
        user.language = i18n.supported(person.language_code)
        await user.save(update_fields=["language"])
    i18n.activate(user.language)
    if context is not None and context.user_data is not None:
        context.user_data[LANGUAGE_KEY] = user.language
    return user


def final(callback: Callback) -> Callback:
    """Wrap a conversation callback whose update is fully handled: later handler groups (the plain
    commands, the /today default for text) must not see it too. The returned state is kept."""

    @functools.wraps(callback)
    async def handled(update: Update, context: Context) -> None:
        raise ApplicationHandlerStop(await callback(update, context))

    return handled


def open_prompt(context: Context, **data: Any) -> None:
    """Remember what a one-question prompt is about, and when it was asked."""
    user_data(context)[states.PROMPT] = {**data, "since": clock.time()}


def on_text(callback: Callback, key: str, stale: Callback) -> _MessageHandler[Any, Any]:
    """A conversation state's typed answer (commands are not answers). When the question in
    user_data[key] is older than ANSWER_TTL_SECONDS the conversation ends and `stale` handles the
    text as if no question had been asked."""

    @functools.wraps(callback)
    async def answer_if_fresh(update: Update, context: Context) -> object:
        since = (user_data(context).get(key) or {}).get("since")
        if isinstance(since, int | float) and clock.time() - since > ANSWER_TTL_SECONDS:
            user_data(context).pop(key, None)
            await stale(update, context)
            return END
        return await callback(update, context)

    return _MessageHandler(PLAIN_TEXT, final(answer_if_fresh))


def on_button(callback: Callback, pattern: str) -> CallbackQueryHandler[Any, Any]:
    """A conversation's button (callback_data matching `pattern`), handled and stopped there."""
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
    """Swap only the buttons of a message (a worker's reminder keeps its own text)."""
    try:
        await context.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message and "not found" not in exc.message:
            raise


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the button tap (stops the client's spinner); once per tap."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=alert)
        if text:  # a toast that says something is this update's answer (a list check-in's confirmation)
            replies.note_reply()


def message_text(update: Update) -> str:
    """The typed text ("" when there is none)."""
    return (update.effective_message.text or "") if update.effective_message else ""


def user_data(context: Context) -> dict[str, Any]:
    """This person's persisted scratch space (plain JSON only, see bot.persistence)."""
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
    """The /cancel fallback of the conversation that keeps its state in user_data[key]."""
    async def cancel(update: Update, context: Context) -> int:
        return await cancel_in_conversation(update, context, key)

    cancel.__doc__ = f"/cancel: end the conversation and drop user_data[{key!r}]."
    return cancel
