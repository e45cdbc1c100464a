"""/start (sign-up and account linking), the time-zone question, /help, /cancel and unknown commands."""

from __future__ import annotations

import time
from datetime import datetime

from telegram import InlineKeyboardMarkup, Message, Update

from bot import callbacks, keyboards, texts, timezones
from bot.handlers import states
from bot.handlers.common import (
    ANSWER_TTL_SECONDS,
    END,
    Context,
    answer,
    chat_user,
    edit,
    edit_markup_by_id,
    message_text,
    open_prompt,
    send,
    user_data,
)
from smarthabit import accounts
from smarthabit.accounts import PreferencesUpdate
from smarthabit.clock import zone
from smarthabit.errors import Conflict, NotFound

TZ_ASKED = "tz_asked"  # user_data: the time-zone question was asked (or the zone is known)


async def start(update: Update, context: Context) -> str | int:
    """/start: create the account on first contact and ask the time zone; `/start CODE` links the
    chat to an account made in the app (deep links put the code there). Whenever the zone was never
    confirmed, the question follows."""
    person, chat = update.effective_user, update.effective_chat
    assert person is not None and chat is not None
    if context.args:
        try:
            user = await accounts.redeem_link_code(context.args[0], person.id, chat.id)
        except NotFound:
            await send(update, texts.LINK_INVALID)
            return END
        except Conflict:
            await send(update, texts.LINK_CONFLICT)
            return END
        await send(update, texts.link_ok(user.email))
        return END if user.timezone_confirmed else await _ask_timezone(update, context, texts.TZ_ASK)
    user = await chat_user(update, context)
    if not user.timezone_confirmed:
        return await _ask_timezone(update, context, texts.greeting_new(person.first_name or ""))
    await send(update, texts.greeting_back(person.first_name or ""))
    return END


async def timezone_first(update: Update, context: Context) -> bool:
    """Outside a conversation (first contact without /start, or text while the question is open):
    ask the time zone first, once, or take the text as its answer. True when the update was used.
    An account that knows its zone passes untouched (the flag is cached in user_data)."""
    data = user_data(context)
    prompt = data.get(states.PROMPT) or {}
    fresh = time.time() - float(prompt.get("since") or 0) <= ANSWER_TTL_SECONDS
    message = update.effective_message
    if prompt.get("tz_messages") and fresh and message and message.text and not message.text.startswith("/"):
        await timezone_answer(update, context)
        return True
    if data.get(TZ_ASKED):
        return False
    user = await chat_user(update, context)
    if user.timezone_confirmed:
        data[TZ_ASKED] = True
        return False
    person = update.effective_user
    await _ask_timezone(update, context, texts.greeting_new(person.first_name if person else ""))
    return True


async def _ask_timezone(update: Update, context: Context, text: str, *, from_settings: bool = False) -> str:
    """Ask for the zone; the question's buttons are valid only while it is the open question."""
    user_data(context)[TZ_ASKED] = True
    message = await send(update, text, None if from_settings else keyboards.keep_utc())
    open_prompt(context, tz_messages=[message.message_id], from_settings=from_settings)
    return states.ASK_TIMEZONE


async def ask_timezone(update: Update, context: Context) -> str:
    """Settings → time zone: the settings' own question (not the greeting's "First, ...")."""
    await answer(update)
    return await _ask_timezone(update, context, texts.TZ_ASK_SETTINGS, from_settings=True)


async def timezone_answer(update: Update, context: Context) -> str | int:
    """A typed city, country, offset or zone: set it when it is clear, else offer the closest zones."""
    typed = message_text(update)
    match = timezones.resolve(typed)
    if match.zone is not None:
        await _zone_chosen(update, context, match.zone)
        return END
    if match.suggestions:
        message = await send(update, texts.tz_suggest(typed), keyboards.timezone_suggestions(match.suggestions))
    else:
        message = await send(update, texts.tz_unknown(typed), _keep_utc(context))
    prompt = user_data(context).get(states.PROMPT) or {}
    prompt.setdefault("tz_messages", []).append(message.message_id)
    return states.ASK_TIMEZONE


def _keep_utc(context: Context) -> InlineKeyboardMarkup | None:
    prompt = user_data(context).get(states.PROMPT) or {}
    return None if prompt.get("from_settings") else keyboards.keep_utc()


async def location_answer(update: Update, context: Context) -> str | int:
    """A shared location while we ask for the zone: looked up offline."""
    found = _location_zone(update)
    if found is None:
        await send(update, texts.LOCATION_UNKNOWN)
        return states.ASK_TIMEZONE
    await _zone_chosen(update, context, found)
    return END


def _location_zone(update: Update) -> str | None:
    message = update.effective_message
    location = message.location if message else None
    return None if location is None else timezones.from_location(location.latitude, location.longitude)


async def choose_timezone(update: Update, context: Context) -> int:
    """A suggestion (or "Keep UTC") button: only on the open question (a later tap on an old question
    would silently undo the typed city), and the zone in the data is checked: it may be forged."""
    query = update.callback_query
    zone_name = callbacks.parse_timezone(query.data if query else None)
    prompt = user_data(context).get(states.PROMPT) or {}
    message = update.effective_message
    if zone_name is None or message is None or message.message_id not in prompt.get("tz_messages", []):
        await answer(update, texts.BUTTON_EXPIRED)
        if message is not None:
            await edit_markup_by_id(context, message.chat_id, message.message_id, None)
        return END
    await answer(update)
    await _zone_chosen(update, context, zone_name, tapped=message)
    return END


async def _zone_chosen(update: Update, context: Context, zone_name: str, *, tapped: Message | None = None) -> None:
    """Save the zone, take the buttons off every question asked, and say what comes next (in
    settings: the refreshed settings message); a tapped suggestion turns into the answer in place."""
    prompt = user_data(context).pop(states.PROMPT, None) or {}
    user = await accounts.update_preferences(await chat_user(update), PreferencesUpdate(timezone=zone_name))
    chat = update.effective_chat
    for message_id in prompt.get("tz_messages", []):
        if chat is not None and (tapped is None or message_id != tapped.message_id):
            await edit_markup_by_id(context, chat.id, message_id, None)
    local_now = datetime.now(zone(user.timezone)).time()
    if prompt.get("from_settings"):
        text, markup = texts.tz_set(user.timezone, local_now) + "\n\n" + texts.settings(user), keyboards.settings(user)
    else:
        text, markup = texts.tz_set(user.timezone, local_now) + "\n" + texts.TZ_NEXT_STEP, None
    if tapped is not None:
        await edit(tapped, text, markup)
    else:
        await send(update, text, markup)


async def help_command(update: Update, context: Context) -> None:
    """/help: every command in one message."""
    await send(update, texts.HELP)


async def link_command(update: Update, context: Context) -> None:
    """/link: whether this chat is linked to an account made in the app."""
    await send(update, texts.link_status(await chat_user(update)))


async def cancel_outside(update: Update, context: Context) -> None:
    """/cancel with no conversation open (a question asked outside one is dropped)."""
    if user_data(context).pop(states.PROMPT, None):
        await send(update, texts.CANCELLED)
        return
    await send(update, texts.NOTHING_TO_CANCEL)


async def unknown_command(update: Update, context: Context) -> None:
    """A command we don't have: point at /help rather than stay silent."""
    await send(update, texts.UNKNOWN_COMMAND)


async def location_outside(update: Update, context: Context) -> None:
    """A shared location outside the time-zone question: it sets the zone all the same."""
    found = _location_zone(update)
    if found is None:
        await send(update, texts.LOCATION_UNKNOWN)
        return
    await _zone_chosen(update, context, found)


async def not_text(update: Update, context: Context) -> None:
    """Photos, stickers, voice: a short note that text is what I read."""
    await send(update, texts.TEXT_ONLY)
