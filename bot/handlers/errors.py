"""Errors, blocked users and the private-chat guard.

Logs carry ids and error types only: no message texts of users at INFO and never the bot token.
One apology per update at most, and none once the person got an answer (`bot.replies`): the error
handler stops the update's remaining handler groups, so a failure cannot fall through to the
stale-button handler and answer twice.
"""

from __future__ import annotations

import logging

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import replies, texts
from bot.handlers.common import LANGUAGE_KEY, Context
from smarthabit import accounts, i18n
from smarthabit.errors import DomainError
from smarthabit.outages import Dependencies

log = logging.getLogger(__name__)
# This process's view of PostgreSQL and Redis: an update that fails because one is down gets the
# "try again in a moment" answer and no traceback; the outage is logged once when it starts, once a
# minute, and once when an update goes through again.
DEPENDENCIES = Dependencies(logger=log)
_GONE = (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)


async def private_only(update: Update, context: Context) -> None:
    """Runs first: the bot is one person's coach, so groups and channels get one polite note (once a
    chat) and are otherwise ignored. It also picks the language of the answer: the person's choice
    (remembered in user_data), else Telegram's language_code; `chat_user` confirms it from the account."""
    replies.begin_update()
    chat, person = update.effective_chat, update.effective_user
    if chat is None or chat.type != ChatType.PRIVATE or person is None:
        await _group_note(update, context)
        raise ApplicationHandlerStop
    chosen = context.user_data.get(LANGUAGE_KEY) if context.user_data is not None else None
    i18n.activate(chosen if isinstance(chosen, str) else person.language_code)
    if update.edited_message is not None:
        raise ApplicationHandlerStop  # edits are ignored, always: the original was already answered


async def _group_note(update: Update, context: Context) -> None:
    """A group or channel message: say once that the bot works in a private chat."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.type == ChatType.CHANNEL or message is None or update.message is None:
        return
    if context.chat_data is None or context.chat_data.get("noted"):
        return
    context.chat_data["noted"] = True
    i18n.activate(update.effective_user.language_code if update.effective_user else None)
    await chat.send_message(texts.NOT_PRIVATE)


async def membership_changed(update: Update, context: Context) -> None:
    """Telegram reports when a person blocks the bot (kicked) or starts it again; mirror that on the
    account so the workers stop (or resume) sending to them."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        raise ApplicationHandlerStop
    status = change.new_chat_member.status
    if status in _GONE:
        await accounts.mark_bot_blocked(change.chat.id)
        log.info("bot blocked by user", extra={"chat_id": change.chat.id})
    elif status == ChatMemberStatus.MEMBER:
        await accounts.telegram_user(change.from_user.id, change.chat.id, change.from_user.first_name or "")
        log.info("bot unblocked by user", extra={"chat_id": change.chat.id})
    raise ApplicationHandlerStop


async def went_through(_update: Update, _context: Context) -> None:
    """The last handler group: reached only by an update that raised nothing."""
    DEPENDENCIES.served()


async def on_error(update: object, context: Context) -> None:
    """Log the failure and tell the person once, unless they already got an answer to this update
    or blocked us (then mark the account and send nothing more); stop the update's other handlers."""
    await _report(update, context)
    raise ApplicationHandlerStop


async def _report(update: object, context: Context) -> None:
    error = context.error
    chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        if chat_id is not None:
            await accounts.mark_bot_blocked(chat_id)
        log.info("bot blocked by user", extra={"chat_id": chat_id, "update_id": update_id})
        return
    if error is not None and DEPENDENCIES.down_because(error) is not None:
        reply = texts.ERROR_GENERIC  # "... try again in a moment"; the outage itself is logged once
    elif isinstance(error, DomainError):
        log.info("domain error", extra={"code": error.code, "update_id": update_id})
        reply = texts.domain_error(error.localized())
    elif isinstance(error, TelegramError):
        token = context.bot.token
        log.warning("telegram error", extra={"error": type(error).__name__, "update_id": update_id,
                                             "detail": str(error).replace(token, "<token>")})
        reply = texts.ERROR_GENERIC
    else:
        log.error("update failed", exc_info=error, extra={"update_id": update_id, "error": type(error).__name__})
        reply = texts.ERROR_GENERIC
    state = replies.current()
    if not isinstance(update, Update) or chat_id is None or state.apologised or state.replies > 0:
        return
    state.apologised = True
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
    except TelegramError:
        pass  # already answered before the failure
    try:
        await context.bot.send_message(chat_id, reply)
    except Forbidden:
        await accounts.mark_bot_blocked(chat_id)
    except TelegramError:
        log.warning("could not send the error reply", extra={"chat_id": chat_id})
