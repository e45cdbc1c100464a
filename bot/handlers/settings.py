"""/settings: time zone, reminders and nudges on/off, quiet hours (and whether a reminder due in them
is sent when they end or dropped), link status, delete my data."""

from __future__ import annotations

import logging
import re

from pydantic import ValidationError
from telegram import Update

from bot import callbacks, keyboards, texts
from bot.handlers import states
from bot.handlers.common import (
    END,
    Context,
    answer,
    chat_user,
    edit,
    message_text,
    open_prompt,
    parse_time,
    send,
    user_data,
)
from bot.handlers.start import ask_timezone
from smarthabit import accounts
from smarthabit.accounts import PreferencesUpdate

log = logging.getLogger(__name__)
_RANGE = re.compile(r"(.+?)\s*(?:-|–|—|to|until)\s*(.+)", re.IGNORECASE)


async def settings_command(update: Update, context: Context) -> None:
    """/settings: the current values with a button for each."""
    user = await chat_user(update)
    await send(update, texts.settings(user), keyboards.settings(user))


async def settings_button(update: Update, context: Context) -> str | int:
    """A settings button (`set:{action}[:{arg}]`): toggles edit the message in place, the time zone
    and quiet hours ask a question, deleting the account asks for a confirmation first."""
    action = callbacks.parse_settings(update.callback_query.data if update.callback_query else None)
    if action is None:
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    user = await chat_user(update)
    message = update.effective_message
    if action.action == "tz":
        return await ask_timezone(update, context)
    if action.action in ("reminders", "nudges", "quietrem"):
        field = "quiet_reminders_later" if action.action == "quietrem" else f"{action.action}_enabled"
        user = await accounts.update_preferences(user, PreferencesUpdate(**{field: not getattr(user, field)}))
        await answer(update)
        await edit(message, texts.settings(user), keyboards.settings(user))
        return END
    if action.action == "quiet" and action.arg is None:
        await answer(update)
        open_prompt(context)
        await send(update, texts.ASK_QUIET, keyboards.quiet_off())
        return states.ASK_QUIET
    if action.action == "quiet" and action.arg == "off":
        user = await accounts.update_preferences(user, PreferencesUpdate(quiet_start=None, quiet_end=None))
        await answer(update)
        await edit(message, texts.settings(user), keyboards.settings(user))
        return END
    if action.action == "delete" and action.arg is None:
        await answer(update)
        await edit(message, texts.CONFIRM_DELETE_ACCOUNT, keyboards.confirm(
            texts.YES_DELETE_ALL, callbacks.settings("delete", "yes"), callbacks.settings("back"), texts.NO_KEEP))
        return END
    if action.action == "delete" and action.arg == "yes":
        await accounts.delete_account(user)
        person, chat = update.effective_user, update.effective_chat
        if person is not None:
            context.application.drop_user_data(person.id)
        if chat is not None:
            context.application.drop_chat_data(chat.id)
        log.info("account deleted from the bot", extra={"user_id": user.id})
        await answer(update)
        await edit(message, texts.ACCOUNT_DELETED)
        return END
    if action.action == "back":
        await answer(update)
        await edit(message, texts.settings(user), keyboards.settings(user))
        return END
    await answer(update, texts.BUTTON_EXPIRED)
    return END


def parse_quiet_hours(text: str) -> tuple[str, str] | None:
    """`22:00-07:00` (or `22:00 to 7:00`) → the two times as HH:MM; None if it is not two times."""
    match = _RANGE.fullmatch(text.strip())
    if match is None:
        return None
    start, end = parse_time(match[1]), parse_time(match[2])
    if start is None or end is None or start == end:
        return None
    return start.isoformat("minutes"), end.isoformat("minutes")


async def quiet_answer(update: Update, context: Context) -> str | int:
    """Quiet hours as a range; the preferences model validates them like the API does."""
    parsed = parse_quiet_hours(message_text(update))
    try:
        if parsed is None:
            raise ValueError("not a range")
        change = PreferencesUpdate(quiet_start=parsed[0], quiet_end=parsed[1])  # type: ignore[arg-type]
    except (ValueError, ValidationError):
        await send(update, texts.QUIET_INVALID, keyboards.quiet_off())
        return states.ASK_QUIET
    user = await accounts.update_preferences(await chat_user(update), change)
    user_data(context).pop(states.PROMPT, None)
    await send(update, texts.settings(user), keyboards.settings(user))
    return END
