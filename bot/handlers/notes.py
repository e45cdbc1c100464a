"""A habit's notes by day, reached from its year calendar (and its card): a month of checked-in
days as a picker, one day with what was logged and its note, and the note edited or removed there.

Notes belong to check-ins (a reply to a ✅ confirmation adds one), so the picker offers the days
with a check-in; the months go back as far as the calendar shows.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, Message, Update

from bot import callbacks, charts, keyboards, texts
from bot.handlers import states
from bot.handlers.common import (
    END,
    Context,
    answer,
    chat_user,
    edit,
    edit_by_id,
    message_text,
    open_prompt,
    send,
    user_data,
)
from smarthabit import checkins, habits
from smarthabit.checkins import MAX_NOTE
from smarthabit.clock import local_today
from smarthabit.errors import NotFound, ValidationFailed
from smarthabit.models import CheckIn, Habit, HabitKind, User


def _months(today: date) -> tuple[date, date]:
    """The first and the last month the calendar shows (the first days of both)."""
    oldest = today - timedelta(weeks=charts.YEAR_WEEKS)
    return oldest.replace(day=1), today.replace(day=1)


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


async def _month_checkins(user: User, habit: Habit, month: date) -> list[CheckIn]:
    end = _next_month(month) - timedelta(days=1)
    rows, _ = await checkins.list_checkins(user, habit.id, start=month, end=end, limit=31)
    return sorted(rows, key=lambda row: row.day)


async def _show(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    """Edit the view in place; under the calendar picture (a photo) it starts a new message."""
    message = update.effective_message
    if isinstance(message, Message) and message.photo:
        await send(update, text, markup)
    else:
        await edit(message, text, markup)


async def month_view(update: Update, context: Context, user: User, habit: Habit, arg: str | None) -> int:
    """`hab:{id}:notes[:YYYYMM]`: the month's notes and its checked-in days (this month by default)."""
    oldest, newest = _months(local_today(user.timezone))
    month = callbacks.parse_month_arg(arg) if arg else newest
    if month is None or not oldest <= month <= newest:
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    await answer(update)
    rows = await _month_checkins(user, habit, month)
    earlier = (month - timedelta(days=1)).replace(day=1)
    later = _next_month(month)
    await _show(update, texts.notes_month(habit.name, month, [(r.day, r.note) for r in rows if r.note], bool(rows)),
                keyboards.notes_month(habit.id, [(r.day, bool(r.note)) for r in rows],
                                      earlier if earlier >= oldest else None, later if later <= newest else None))
    return END


async def _day_checkin(user: User, habit: Habit, day: date) -> CheckIn | None:
    rows, _ = await checkins.list_checkins(user, habit.id, start=day, end=day, limit=1)
    return rows[0] if rows else None


def _outcome(habit: Habit, checkin: CheckIn) -> str:
    if habit.kind is HabitKind.MEASURABLE and checkin.value is not None:
        return texts.amount(checkin.value, habit.unit)
    return texts.DONE_WORD


async def day_view(update: Update, context: Context, user: User, habit: Habit, arg: str | None) -> int:
    """`hab:{id}:nday:YYYYMMDD`: one checked-in day with its note and what can be done with it."""
    day = callbacks.parse_day_arg(arg)
    checkin = await _day_checkin(user, habit, day) if day is not None else None
    if day is None or checkin is None:
        await answer(update, texts.NOTE_CHECKIN_GONE if day is not None else texts.BUTTON_EXPIRED)
        return END
    await answer(update)
    await _show(update, *day_screen(habit, checkin))
    return END


def day_screen(habit: Habit, checkin: CheckIn) -> tuple[str, InlineKeyboardMarkup]:
    return (texts.note_day(habit.name, checkin.day, _outcome(habit, checkin), checkin.note),
            keyboards.note_day(habit.id, checkin.day, bool(checkin.note)))


async def ask_note(update: Update, context: Context, user: User, habit: Habit, arg: str | None) -> str | int:
    """`hab:{id}:nedit:YYYYMMDD`: the next text is that day's note (replacing the old one)."""
    day = callbacks.parse_day_arg(arg)
    if day is None or await _day_checkin(user, habit, day) is None:
        await answer(update, texts.NOTE_CHECKIN_GONE if day is not None else texts.BUTTON_EXPIRED)
        return END
    await answer(update)
    message = update.effective_message
    open_prompt(context, habit_id=habit.id, day=day.isoformat(), message_id=message.message_id if message else None)
    await send(update, texts.ask_note(day, MAX_NOTE))
    return states.ASK_NOTE


async def remove_note(update: Update, context: Context, user: User, habit: Habit, arg: str | None) -> int:
    """`hab:{id}:ndel:YYYYMMDD`: clear the day's note; the day view shows it gone."""
    day = callbacks.parse_day_arg(arg)
    try:
        if day is None:
            raise NotFound("no day")
        checkin = await checkins.set_note(user, habit.id, day, None)
    except NotFound:
        await answer(update, texts.NOTE_CHECKIN_GONE if day is not None else texts.BUTTON_EXPIRED)
        return END
    await answer(update, texts.NOTE_REMOVED)
    await edit(update.effective_message, *day_screen(habit, checkin))
    return END


async def note_answer(update: Update, context: Context) -> str | int:
    """The typed note: saved (line breaks kept), confirmed, and the day view refreshed; a note that
    is too long or not plain text is asked again."""
    prompt = user_data(context).get(states.PROMPT) or {}
    user = await chat_user(update)
    try:
        habit = await habits.get_habit(user, int(prompt["habit_id"]), include_archived=False)
        checkin = await checkins.set_note(user, habit.id, date.fromisoformat(prompt["day"]), message_text(update))
    except ValidationFailed as exc:
        too_long = (exc.details or {}).get("field") == "note"
        await send(update, texts.note_invalid(MAX_NOTE) if too_long else texts.NOTE_INVALID)
        return states.ASK_NOTE
    except (KeyError, TypeError, ValueError, NotFound):
        user_data(context).pop(states.PROMPT, None)
        await send(update, texts.NOTE_CHECKIN_GONE)
        return END
    user_data(context).pop(states.PROMPT, None)
    await send(update, texts.NOTE_SAVED)
    if prompt.get("message_id") and update.effective_chat:
        await edit_by_id(context, update.effective_chat.id, prompt["message_id"], *day_screen(habit, checkin))
    return END
