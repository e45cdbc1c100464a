"""/settings: time zone, reminders and nudges on/off, quiet hours, link status, delete my data."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from pydantic import ValidationError
from telegram import BotCommand, BotCommandScopeChat, Update

from bot import callbacks, keyboards, texts
from bot.handlers import states
from bot.handlers.common import (
    END,
    LANGUAGE_KEY,
    Context,
    answer,
    chat_user,
    edit,
    message_text,
    open_prompt,
    send,
    user_data,
)
from bot.handlers.start import ask_timezone
from bot.parsing import parse_time
from smarthabit import accounts, i18n
from smarthabit.accounts import PreferencesUpdate
from smarthabit.models import User

log = logging.getLogger(__name__)
_RANGE = re.compile(r"(.+?)\s*(?:-|–|—|to|until)\s*(.+)", re.IGNORECASE)


async def settings_command(update: Update, context: Context) -> None:
    """/settings: the current values with a button for each."""
    user = await chat_user(update)
    await send(update, texts.settings(user), keyboards.settings(user))


async def language_command(update: Update, context: Context) -> None:
    """/language: one button per language, each in its own name."""
    user = await chat_user(update, context)
    await send(update, texts.LANGUAGE_ASK, keyboards.languages(user.language))


async def language_button(update: Update, context: Context) -> int:
    """A language button: store it, answer in it at once, and show the settings in it."""
    code = callbacks.parse_language(update.callback_query.data if update.callback_query else None)
    if code is None:
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    user = await accounts.update_preferences(await chat_user(update), PreferencesUpdate(language=code))
    user_data(context)[LANGUAGE_KEY] = code
    i18n.activate(code)
    await answer(update)
    await edit(update.effective_message, texts.language_set(i18n.LANGUAGES[code]) + "\n\n" + texts.settings(user),
               keyboards.settings(user))
    chat = update.effective_chat
    if chat is not None:
        await context.bot.set_my_commands([BotCommand(name, about) for name, about in texts.commands()],
                                          scope=BotCommandScopeChat(chat.id))
    return END


async def settings_button(update: Update, context: Context) -> str | int:
    """A settings button (`set:{action}[:{arg}]`), dispatched through `_SETTINGS_ACTIONS`: toggles edit
    the message in place, the time zone and quiet hours ask a question, deleting the account asks
    for a confirmation first."""
    action = callbacks.parse_settings(update.callback_query.data if update.callback_query else None)
    handler = _SETTINGS_ACTIONS.get((action.action, action.arg)) if action is not None else None
    if handler is None or action is None:
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    return await handler(update, context, await chat_user(update), action.action)


async def _show(update: Update, user: User) -> int:
    await answer(update)
    await edit(update.effective_message, texts.settings(user), keyboards.settings(user))
    return END


async def _timezone(update: Update, context: Context, user: User, action: str) -> str | int:
    return await ask_timezone(update, context)


async def _languages(update: Update, context: Context, user: User, action: str) -> int:
    await answer(update)
    await edit(update.effective_message, texts.LANGUAGE_ASK, keyboards.languages(user.language))
    return END


async def _toggle(update: Update, context: Context, user: User, action: str) -> int:
    field = "quiet_reminders_later" if action == "quietrem" else f"{action}_enabled"
    user = await accounts.update_preferences(user, PreferencesUpdate(**{field: not getattr(user, field)}))
    return await _show(update, user)


async def _ask_quiet(update: Update, context: Context, user: User, action: str) -> str:
    await answer(update)
    open_prompt(context)
    await send(update, texts.ASK_QUIET, keyboards.quiet_off())
    return states.ASK_QUIET


async def _quiet_off(update: Update, context: Context, user: User, action: str) -> int:
    user_data(context).pop(states.PROMPT, None)
    user = await accounts.update_preferences(user, PreferencesUpdate(quiet_start=None, quiet_end=None))
    return await _show(update, user)


async def _confirm_delete(update: Update, context: Context, user: User, action: str) -> int:
    await answer(update)
    await edit(update.effective_message, texts.CONFIRM_DELETE_ACCOUNT, keyboards.confirm(
        texts.YES_DELETE_ALL, callbacks.settings("delete", "yes"), callbacks.settings("back"), texts.NO_KEEP))
    return END


async def _delete(update: Update, context: Context, user: User, action: str) -> int:
    await accounts.delete_account(user)
    person, chat = update.effective_user, update.effective_chat
    if person is not None:
        context.application.drop_user_data(person.id)
    if chat is not None:
        context.application.drop_chat_data(chat.id)
    log.info("account deleted from the bot", extra={"user_id": user.id})
    await answer(update)
    await edit(update.effective_message, texts.ACCOUNT_DELETED)
    return END


async def _back(update: Update, context: Context, user: User, action: str) -> int:
    return await _show(update, user)


SettingsAction = Callable[[Update, Context, User, str], Awaitable["str | int"]]
# Every settings button, by (action, arg).
_SETTINGS_ACTIONS: dict[tuple[str, str | None], SettingsAction] = {
    ("tz", None): _timezone, ("lang", None): _languages, ("reminders", None): _toggle, ("nudges", None): _toggle,
    ("quietrem", None): _toggle,
    ("quiet", None): _ask_quiet, ("quiet", "off"): _quiet_off, ("delete", None): _confirm_delete,
    ("delete", "yes"): _delete, ("back", None): _back,
}


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
