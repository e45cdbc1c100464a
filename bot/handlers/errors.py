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
from bot.handlers.common import Context
from smarthabit import accounts
from smarthabit.errors import DomainError

log = logging.getLogger(__name__)
_GONE = (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)


async def private_only(update: Update, context: Context) -> None:
    """Runs first: the bot is one person's coach, so groups and channels are ignored entirely."""
    replies.begin_update()
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE or update.effective_user is None:
        raise ApplicationHandlerStop


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
    if isinstance(error, DomainError):
        log.info("domain error", extra={"code": error.code, "update_id": update_id})
        reply = texts.domain_error(error.message)
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
