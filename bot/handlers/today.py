"""/today and one-tap check-ins (also from reminder buttons), measured values and reply notes."""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, Message, Update

from bot import callbacks, keyboards, phrasing, texts
from bot.handlers import sentence, start, states
from bot.handlers.common import (
    ANSWER_TTL_SECONDS,
    END,
    Context,
    answer,
    chat_user,
    edit,
    edit_by_id,
    edit_markup_by_id,
    message_text,
    open_prompt,
    send,
    user_data,
)
from bot.parsing import Ambiguous, parse_amount
from smarthabit import checkins, day_view, habits, stats
from smarthabit.checkins import CheckInResult
from smarthabit.clock import local_today
from smarthabit.errors import NotFound, ValidationFailed
from smarthabit.models import CheckInSource, Habit, User
from smarthabit.wording import BACKFILL_DAYS, MAX_NOTE, MAX_VALUE, CheckinTap

log = logging.getLogger(__name__)


async def today_view(user: User, day: date | None = None) -> tuple[str, InlineKeyboardMarkup | None]:
    """A day's due habits as one message (today by default; an earlier day for back-fill): a header, a
    button per habit, and the row that moves between the days back-fill reaches."""
    today_ = local_today(user.timezone)
    back = 0 if day is None else max(0, min(BACKFILL_DAYS, (today_ - day).days))
    statuses = await habits.list_habits(user) if back == 0 else await day_view.statuses_on(
        user, today_ - timedelta(days=back))
    if not statuses:
        return texts.TODAY_NO_HABITS, None
    due = [status for status in statuses if status.due_today]
    if not due:
        nothing = texts.TODAY_NOTHING_DUE if back == 0 else texts.nothing_due_on(today_ - timedelta(days=back))
        return nothing, InlineKeyboardMarkup([keyboards.day_navigation(back)])
    done = sum(1 for status in due if status.done_today)
    return texts.today_header(due[0].today, done, len(due), back), keyboards.today(due, stats.streak_unit, back)


async def day_button(update: Update, context: Context) -> int:
    """◀ Earlier day / Today ▶ under the list: the same message shows that day."""
    back = callbacks.parse_day(update.callback_query.data if update.callback_query else None)
    if back is None:
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    user = await chat_user(update)
    await answer(update)
    await edit(update.effective_message, *await today_view(user, local_today(user.timezone) - timedelta(days=back)))
    return END


async def today(update: Update, context: Context) -> None:
    """/today, and the answer to any plain text outside a conversation ("hi")."""
    if await start.timezone_first(update, context):
        return
    text, markup = await today_view(await chat_user(update))
    await send(update, text, markup)


async def plain_text(update: Update, context: Context) -> None:
    """Text outside any conversation: a reply adds a note, a habit in one sentence gets a card,
    anything else ("hi") shows /today."""
    message = update.effective_message
    if message is not None and message.reply_to_message is not None:
        await reply_note(update, context)
        return
    if await start.timezone_first(update, context):
        return
    proposal = phrasing.parse_habit(message_text(update))
    if proposal is not None and proposal.cues:  # "drink 8 glasses of water daily": a habit card
        await sentence.propose(update, context, proposal)
        return
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
        user_data(context).pop(states.PROMPT, None)  # an "add more?" question on that day is settled too
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
            habit = await habits.get_habit(user, tap.habit_id, include_archived=False)
            return await _ask_value(update, context, user, habit, tap)
        await answer(update, texts.checkin_too_old(BACKFILL_DAYS), alert=True)  # the day left the window
        return END
    await answer(update, texts.ANSWER_CHECKED_IN if result.created else texts.ANSWER_ALREADY)
    await _confirm_tap(update, context, user, result, tap, origin)
    return END


async def _confirm_tap(update: Update, context: Context, user: User, result: CheckInResult, tap: CheckinTap,
                       origin: Message | None) -> None:
    """Where a tap's check-in is confirmed: a reminder becomes the confirmation itself; from the /today
    list the toast and the edited list confirm it (a milestone still gets its message), and a reply to
    the list adds the note."""
    if origin is not None and not tap.in_list:
        await _confirm_in_reminder(context, user, result, tap.day, origin)
        return
    if origin is not None and not result.milestone:
        if result.created:
            await checkins.remember_bot_message(result.checkin, origin.message_id)
    else:
        await _confirm(update, context, user, result, tap.day)
    await _refresh_origin(context, user, origin.chat_id if origin else None,
                          origin.message_id if origin else None, result.habit, tap.day, tap.in_list)


async def _ask_value(update: Update, context: Context, user: User, habit: Habit, tap: CheckinTap) -> str | int:
    """A measurable habit asks how much, once: more taps on the same habit and day while the question is
    open only point at it, and a value already logged (a stale button) is shown rather than asked for."""
    query = update.callback_query
    origin = query.message if query is not None and isinstance(query.message, Message) else None
    prompt = user_data(context).get(states.PROMPT) or {}
    fresh = time.time() - float(prompt.get("since") or 0) <= ANSWER_TTL_SECONDS
    if fresh and prompt.get("habit_id") == habit.id and prompt.get("day") == tap.day.isoformat():
        await answer(update, texts.ANSWER_VALUE_ASKED)
        return states.ASK_VALUE
    recent, _ = await checkins.list_checkins(user, habit.id, end=tap.day, limit=1)
    logged = recent[0].value if recent and recent[0].day == tap.day else None
    if logged is not None and not habit.counts_as_done(logged) and habit.target_direction != "at_most":
        await answer(update)
        open_prompt(context, habit_id=habit.id, day=tap.day.isoformat(), in_list=tap.in_list, add=True,
                    message_id=origin.message_id if origin else None)
        undo = callbacks.checkin(habit.id, tap.day, undo=True, in_list=tap.in_list)
        remaining = (habit.target or 0) - logged
        await send(update, texts.ask_more(habit, logged, tap.day, local_today(user.timezone)),
                   keyboards.quick_values(habit, remaining if remaining > 0 else None, undo=undo))
        return states.ASK_VALUE
    if recent and recent[0].day == tap.day:
        await answer(update, texts.ANSWER_ALREADY)
        await _refresh_origin(context, user, origin.chat_id if origin else None,
                              origin.message_id if origin else None, habit, tap.day, tap.in_list)
        return END
    await answer(update)
    open_prompt(context, habit_id=habit.id, day=tap.day.isoformat(), in_list=tap.in_list,
                message_id=origin.message_id if origin else None)
    last = recent[0].value if recent else None
    await send(update, texts.ask_value(habit, tap.day, local_today(user.timezone)), keyboards.quick_values(habit, last))
    return states.ASK_VALUE


async def quick_value_button(update: Update, context: Context) -> str | int:
    """A quick amount under the question: as if the number had been typed."""
    amount = callbacks.parse_value(update.callback_query.data if update.callback_query else None)
    if amount is None:
        await answer(update, texts.BUTTON_EXPIRED)
        return states.ASK_VALUE
    await answer(update)
    if update.effective_message is not None:
        await edit_markup_by_id(context, update.effective_message.chat_id, update.effective_message.message_id, None)
    return await _log_value(update, context, amount)


async def value_answer(update: Update, context: Context) -> str | int:
    """The amount for a measurable habit's check-in; anything but a number in range is asked again,
    and "1.234" where the locale doesn't say which it is gets a question."""
    parsed = parse_amount(message_text(update))
    if isinstance(parsed, Ambiguous):
        await send(update, texts.value_ambiguous(parsed.grouped, parsed.decimal))
        return states.ASK_VALUE
    if parsed is None or not 0 <= parsed <= MAX_VALUE:
        await send(update, texts.VALUE_INVALID)
        return states.ASK_VALUE
    return await _log_value(update, context, parsed)


async def _log_value(update: Update, context: Context, value: float) -> str | int:
    prompt = user_data(context).get(states.PROMPT) or {}
    user = await chat_user(update)
    if prompt.get("add"):
        return await _add_value(update, context, user, prompt, value)
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


async def _add_value(update: Update, context: Context, user: User, prompt: dict, value: float) -> int:
    """More of a partly done day: added to its value, confirmed, and the origin refreshed."""
    user_data(context).pop(states.PROMPT, None)
    try:
        day = date.fromisoformat(prompt["day"])
        checkin = await checkins.add_to_value(user, int(prompt["habit_id"]), day, value)
        habit = await habits.get_habit(user, checkin.habit_id)
    except (KeyError, TypeError, ValueError, NotFound):
        await send(update, texts.HABIT_NOT_FOUND)
        return END
    except ValidationFailed:
        await send(update, texts.VALUE_INVALID)
        return END
    await send(update, texts.checked_in(
        habit.name, day, local_today(user.timezone), habit.current_streak, stats.streak_unit(habit), None,
        habit.counts_as_done(checkin.value), checkin.value, habit.unit, habit.target_direction))
    chat_id = update.effective_chat.id if update.effective_chat else None
    await _refresh_origin(context, user, chat_id, prompt.get("message_id"), habit, day, bool(prompt.get("in_list")))
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
    except ValidationFailed as exc:
        too_long = (exc.details or {}).get("field") == "note"
        await message.reply_text(texts.note_invalid(MAX_NOTE) if too_long else texts.NOTE_INVALID)
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
        result.milestone, habit.counts_as_done(checkin.value), checkin.value, habit.unit, habit.target_direction,
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
    if rows and rows[0].bot_message_id and origin is not None and rows[0].bot_message_id != origin.message_id:
        await edit_by_id(context, origin.chat_id, rows[0].bot_message_id, texts.undone(habit.name, day))
    await _refresh_origin(context, user, origin.chat_id if origin else None,
                          origin.message_id if origin else None, habit, day, in_list)


async def _refresh_origin(context: Context, user: User, chat_id: int | None, message_id: int | None,
                          habit: Habit, day: date, in_list: bool) -> None:
    """Update the tapped message in place: the whole /today list, or a reminder's single button."""
    if chat_id is None or message_id is None:
        return
    if in_list:
        text, markup = await today_view(user, day)
        await edit_by_id(context, chat_id, message_id, text, markup)
        return
    done = await checkins.list_checkins(user, habit.id, start=day, end=day, limit=1)
    markup = keyboards.reminder_done(habit, day) if done[1] else keyboards.reminder_open(habit, day)
    await edit_markup_by_id(context, chat_id, message_id, markup)

