"""/today and one-tap check-ins (also from reminder buttons), measured values and reply notes."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, Message, Update

from bot import callbacks, keyboards, texts
from bot.handlers import states
from bot.handlers.common import (
    END,
    Context,
    answer,
    chat_user,
    edit_by_id,
    edit_markup_by_id,
    message_text,
    open_prompt,
    parse_number,
    send,
    user_data,
)
from smarthabit import checkins, habits, stats
from smarthabit.checkins import BACKFILL_DAYS, MAX_NOTE, CheckInResult
from smarthabit.clock import local_today
from smarthabit.errors import NotFound, ValidationFailed
from smarthabit.models import CheckInSource, Habit, User

log = logging.getLogger(__name__)


async def today_view(user: User) -> tuple[str, InlineKeyboardMarkup | None]:
    """Today's due habits as one message: a header and a button per habit."""
    statuses = await habits.list_habits(user)
    if not statuses:
        return texts.TODAY_NO_HABITS, None
    due = [status for status in statuses if status.due_today]
    if not due:
        return texts.TODAY_NOTHING_DUE, None
    done = sum(1 for status in due if status.done_today)
    return texts.today_header(due[0].today, done, len(due)), keyboards.today(due, stats.streak_unit)


async def today(update: Update, context: Context) -> None:
    """/today, and the answer to any plain text outside a conversation ("hi")."""
    text, markup = await today_view(await chat_user(update))
    await send(update, text, markup)


async def plain_text(update: Update, context: Context) -> None:
    """Text outside any conversation: a reply adds a note, anything else shows /today."""
    message = update.effective_message
    if message is not None and message.reply_to_message is not None:
        await reply_note(update, context)
    else:
        await today(update, context)


async def checkin_tap(update: Update, context: Context) -> str | int:
    """A check-in button from /today or a reminder: check in (or undo) that habit for that local day.

    The data is validated (it may be forged) and ownership is the domain's job: another user's habit
    is NotFound, answered as "not found" with nothing done. A measurable habit asks for the value.
    """
    query = update.callback_query
    assert query is not None
    tap = callbacks.parse_checkin(query.data)
    if tap is None:
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    user = await chat_user(update)
    origin = query.message if isinstance(query.message, Message) else None
    if tap.undo:
        await _undo(update, context, user, tap.habit_id, tap.day, tap.in_list)
        return END
    problem = _day_problem(tap.day, local_today(user.timezone))
    if problem is not None:
        await answer(update, problem, alert=True)
        return END
    try:  # the check-in itself checks ownership and that the habit is active
        result = await checkins.check_in(user.id, tap.habit_id, day=tap.day, source=CheckInSource.BOT)
    except NotFound:
        await answer(update, texts.HABIT_NOT_FOUND, alert=True)
        return END
    except ValidationFailed as exc:
        if isinstance(exc.details, dict) and exc.details.get("field") == "value":  # measurable: ask the amount
            return await _ask_value(update, context, user, tap, origin)
        await answer(update, texts.checkin_too_old(BACKFILL_DAYS), alert=True)  # the day left the window
        return END
    await answer(update, texts.ANSWER_CHECKED_IN if result.created else texts.ANSWER_ALREADY)
    if origin is not None and not tap.in_list:
        await _confirm_in_reminder(context, user, result, tap.day, origin)
        return END
    await _confirm(update, context, user, result, tap.day)
    await _refresh_origin(context, user, origin.chat_id if origin else None,
                          origin.message_id if origin else None, result.habit, tap.day, tap.in_list)
    return END


async def _ask_value(update: Update, context: Context, user: User, tap: callbacks.CheckinTap,
                     origin: Message | None) -> str | int:
    """A measurable habit's button: ask for the amount (or show the one logged already)."""
    habit = await habits.get_habit(user, tap.habit_id, include_archived=False)
    _, logged = await checkins.list_checkins(user, habit.id, start=tap.day, end=tap.day, limit=1)
    if logged:  # a value is there already (a stale button): show it rather than ask in vain
        await answer(update, texts.ANSWER_ALREADY)
        await _refresh_origin(context, user, origin.chat_id if origin else None,
                              origin.message_id if origin else None, habit, tap.day, tap.in_list)
        return END
    await answer(update)
    open_prompt(context, habit_id=habit.id, day=tap.day.isoformat(), in_list=tap.in_list,
                message_id=origin.message_id if origin else None)
    await send(update, texts.ask_value(habit, tap.day, local_today(user.timezone)))
    return states.ASK_VALUE


async def value_answer(update: Update, context: Context) -> str | int:
    """The amount for a measurable habit's check-in; anything but a number in range is asked again."""
    prompt = user_data(context).get(states.PROMPT) or {}
    value = parse_number(message_text(update))
    if value is None or not 0 <= value <= 1_000_000:
        await send(update, texts.VALUE_INVALID)
        return states.ASK_VALUE
    user = await chat_user(update)
    try:
        day = date.fromisoformat(prompt["day"])
        result = await checkins.check_in(user.id, int(prompt["habit_id"]), day=day, value=value,
                                         source=CheckInSource.BOT)
    except (KeyError, TypeError, ValueError, NotFound):
        user_data(context).pop(states.PROMPT, None)
        await send(update, texts.HABIT_NOT_FOUND)
        return END
    except ValidationFailed:
        user_data(context).pop(states.PROMPT, None)
        await send(update, texts.checkin_too_old(BACKFILL_DAYS))
        return END
    user_data(context).pop(states.PROMPT, None)
    if not result.created:
        await send(update, texts.already_logged(result.habit.name, day))
    await _confirm(update, context, user, result, day)
    chat_id = update.effective_chat.id if update.effective_chat else None
    await _refresh_origin(context, user, chat_id, prompt.get("message_id"), result.habit, day,
                          bool(prompt.get("in_list")))
    return END


async def reply_note(update: Update, context: Context) -> None:
    """Text that replies to a check-in confirmation becomes that check-in's note."""
    message = update.effective_message
    assert message is not None and message.reply_to_message is not None
    replied = message.reply_to_message
    user = await chat_user(update)
    checkin = await checkins.checkin_for_bot_message(user, replied.message_id)
    if checkin is None:
        gone = (replied.text or "").startswith("↩️")
        await message.reply_text(texts.NOTE_CHECKIN_GONE if gone else texts.NOTE_NOT_A_CHECKIN)
        return
    try:
        await checkins.set_note(user, checkin.habit_id, checkin.day, message.text)
    except ValidationFailed:
        await message.reply_text(texts.note_invalid(MAX_NOTE))
        return
    except NotFound:
        await message.reply_text(texts.NOTE_CHECKIN_GONE)
        return
    log.info("note added", extra={"checkin_id": checkin.id})
    await message.reply_text(texts.NOTE_SAVED)


def _day_problem(day: date, today: date) -> str | None:
    """Why a check-in day is refused (the domain refuses it too; this lets us say it kindly first)."""
    if day > today:
        return texts.CHECKIN_FUTURE
    if day < today - timedelta(days=BACKFILL_DAYS):
        return texts.checkin_too_old(BACKFILL_DAYS)
    return None


def _confirmation(user: User, result: CheckInResult, day: date) -> str:
    habit, checkin = result.habit, result.checkin
    return texts.checked_in(
        habit.name, day, local_today(user.timezone), habit.current_streak, stats.streak_unit(habit),
        result.milestone, habit.counts_as_done(checkin.value), checkin.value, habit.unit,
    )


async def _confirm(update: Update, context: Context, user: User, result: CheckInResult, day: date) -> None:
    """A new check-in gets its own confirmation (with any milestone); replying to it adds a note."""
    if not result.created:
        return
    message = await send(update, _confirmation(user, result, day))
    await checkins.remember_bot_message(result.checkin, message.message_id)
    log.info("checked in", extra={"habit_id": result.habit.id, "day": str(day), "milestone": result.milestone})


async def _confirm_in_reminder(context: Context, user: User, result: CheckInResult, day: date,
                               reminder: Message) -> None:
    """A reminder's tap: the reminder itself becomes the confirmation, with the undo button, in one
    edit (replying to it adds a note). With the tap's answer that is two Bot API calls, and three
    database round trips with the account and the check-in."""
    habit = result.habit
    markup = keyboards.reminder_done(habit, day)
    if not result.created:  # a repeated tap: the check-in is there, show it on the button
        await edit_markup_by_id(context, reminder.chat_id, reminder.message_id, markup)
        return
    await checkins.remember_bot_message(result.checkin, reminder.message_id)  # before a reply can come
    await edit_by_id(context, reminder.chat_id, reminder.message_id, _confirmation(user, result, day), markup)
    log.info("checked in", extra={"habit_id": habit.id, "day": str(day), "milestone": result.milestone})


async def _undo(update: Update, context: Context, user: User, habit_id: int, day: date, in_list: bool) -> None:
    query = update.callback_query
    assert query is not None
    origin = query.message if isinstance(query.message, Message) else None
    try:
        rows, _ = await checkins.list_checkins(user, habit_id, start=day, end=day, limit=1)
        habit = await checkins.undo_check_in(user, habit_id, day)
    except NotFound as exc:
        missing_habit = exc.details is None or "day" not in exc.details
        await answer(update, texts.HABIT_NOT_FOUND if missing_habit else texts.ANSWER_NOT_CHECKED_IN)
        if not missing_habit and origin is not None:
            await _refresh_origin(context, user, origin.chat_id, origin.message_id,
                                  await habits.get_habit(user, habit_id), day, in_list)
        return
    await answer(update, texts.ANSWER_UNDONE)
    if rows and origin is not None and rows[0].bot_message_id == origin.message_id and not in_list:
        # the reminder had become the confirmation: it becomes the undo notice with a fresh button
        await edit_by_id(context, origin.chat_id, origin.message_id, texts.undone(habit.name, day),
                         keyboards.reminder_open(habit, day))
        return
    if rows and rows[0].bot_message_id and origin is not None:
        await edit_by_id(context, origin.chat_id, rows[0].bot_message_id, texts.undone(habit.name, day))
    await _refresh_origin(context, user, origin.chat_id if origin else None,
                          origin.message_id if origin else None, habit, day, in_list)


async def _refresh_origin(context: Context, user: User, chat_id: int | None, message_id: int | None,
                          habit: Habit, day: date, in_list: bool) -> None:
    """Update the tapped message in place: the whole /today list, or a reminder's single button."""
    if chat_id is None or message_id is None:
        return
    if in_list:
        text, markup = await today_view(user)
        await edit_by_id(context, chat_id, message_id, text, markup)
        return
    done = await checkins.list_checkins(user, habit.id, start=day, end=day, limit=1)
    markup = keyboards.reminder_done(habit, day) if done[1] else keyboards.reminder_open(habit, day)
    await edit_markup_by_id(context, chat_id, message_id, markup)

