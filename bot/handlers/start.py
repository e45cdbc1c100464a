"""/start (sign-up and account linking), the time-zone question, /help, /cancel and unknown commands."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot import callbacks, keyboards, texts, timezones
from bot.handlers import states
from bot.handlers.common import END, Context, answer, chat_user, edit, message_text, open_prompt, send
from smarthabit import accounts
from smarthabit.accounts import PreferencesUpdate
from smarthabit.clock import zone
from smarthabit.errors import Conflict, NotFound
from smarthabit.models import User


async def start(update: Update, context: Context) -> str | int:
    """/start: create the account on first contact and ask the time zone; `/start CODE` links the
    chat to an account made in the app (deep links put the code there)."""
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
        return END
    user, created = await accounts.telegram_user(person.id, chat.id, person.first_name or "")
    if created:
        open_prompt(context)
        await send(update, texts.greeting_new(person.first_name or ""), keyboards.keep_utc())
        return states.ASK_TIMEZONE
    await send(update, texts.greeting_back(person.first_name or ""))
    return END


async def ask_timezone(update: Update, context: Context) -> str:
    """Settings → time zone: the same question as at sign-up."""
    await answer(update)
    open_prompt(context)
    await send(update, texts.TZ_ASK, keyboards.keep_utc())
    return states.ASK_TIMEZONE


async def timezone_answer(update: Update, context: Context) -> str | int:
    """A typed city or zone: set it when it is clear, else offer the closest zones and ask again."""
    typed = message_text(update)
    match = timezones.resolve(typed)
    if match.zone is not None:
        user = await _set_timezone(await chat_user(update), match.zone)
        await send(update, _timezone_set(user))
        return END
    if match.suggestions:
        await send(update, texts.tz_suggest(typed), keyboards.timezone_suggestions(match.suggestions))
    else:
        await send(update, texts.tz_unknown(typed), keyboards.keep_utc())
    return states.ASK_TIMEZONE


async def location_answer(update: Update, context: Context) -> str:
    """A shared location while we ask for the zone: we can't map it yet, so ask for the city."""
    await send(update, texts.LOCATION_UNSUPPORTED)
    return states.ASK_TIMEZONE


async def choose_timezone(update: Update, context: Context) -> int:
    """A suggestion (or "Keep UTC") button: the zone in the data is checked, it may be forged."""
    zone_name = callbacks.parse_timezone(update.callback_query.data if update.callback_query else None)
    if zone_name is None:
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    user = await _set_timezone(await chat_user(update), zone_name)
    await answer(update)
    await edit(update.effective_message, _timezone_set(user))
    return END


async def _set_timezone(user: User, zone_name: str) -> User:
    return await accounts.update_preferences(user, PreferencesUpdate(timezone=zone_name))


def _timezone_set(user: User) -> str:
    local_now = datetime.now(zone(user.timezone)).time()
    return texts.tz_set(user.timezone, local_now) + "\n" + texts.TZ_NEXT_STEP


async def help_command(update: Update, context: Context) -> None:
    """/help: every command in one message."""
    await send(update, texts.HELP)


async def link_command(update: Update, context: Context) -> None:
    """/link: whether this chat is linked to an account made in the app."""
    await send(update, texts.link_status(await chat_user(update)))


async def cancel_outside(update: Update, context: Context) -> None:
    """/cancel with no conversation open."""
    await send(update, texts.NOTHING_TO_CANCEL)


async def unknown_command(update: Update, context: Context) -> None:
    """A command we don't have: point at /help rather than stay silent."""
    await send(update, texts.UNKNOWN_COMMAND)


async def location_outside(update: Update, context: Context) -> None:
    """A shared location outside the time-zone question: say what to do instead."""
    await send(update, texts.LOCATION_UNSUPPORTED)
