"""/habits: streak, strength and this week per habit, and a card per habit to edit (name, schedule,
reminder), pause until a date, resume, archive or delete it (the last two after a confirmation)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from pydantic import ValidationError
from telegram import InlineKeyboardMarkup, Update

from bot import callbacks, keyboards, texts
from bot.handlers import notes, start, states
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
from bot.handlers.forms import WORKDAYS_MASK, schedule_in, validated_name
from bot.handlers.web import open_button_row
from bot.parsing import parse_date, parse_time
from smarthabit import checkins, habits, stats
from smarthabit.clock import local_today
from smarthabit.errors import Conflict, NotFound, ValidationFailed
from smarthabit.habits import MAX_PAUSE_DAYS
from smarthabit.models import Habit, User
from smarthabit.schedule import ScheduleKind
from smarthabit.schemas import HabitUpdate, ScheduleIn

CARD_NOTES = 3  # the latest notes shown on a habit's card (reply to a check-in again to edit one)
MAX_LIST_CHARS = 3500  # Telegram allows 4096 per message; the rest of a long list is named only
HabitAction = Callable[[Update, Context, User, Habit, "str | None"], Awaitable["str | int"]]


async def _summary(user: User, habit_id: int) -> tuple[str, stats.HabitStats, bool]:
    """A habit's lines for the list and card, its stats, and whether it is paused today."""
    data = await stats.habit_stats(user, habit_id)
    pause = await habits.active_pause(data.habit, data.today)
    summary = texts.habit_summary(
        data.habit, data.current_streak, data.longest_streak, data.streak_unit, data.strength,
        data.this_week_done, data.this_week_target, pause.end if pause else None,
        await habits.reminder_times(data.habit),
    )
    return summary, data, pause is not None


async def list_view(user: User) -> tuple[str, InlineKeyboardMarkup | None]:
    """The /habits message: a summary per habit (within Telegram's length limit) and a button each."""
    statuses = await habits.list_habits(user)
    if not statuses:
        return texts.HABITS_EMPTY, None
    parts, rest = [texts.HABITS_HEADER], []
    size = len(parts[0])
    for status in statuses:
        if size > MAX_LIST_CHARS:
            rest.append(status.habit.name)
            continue
        summary, _, _ = await _summary(user, status.habit.id)
        parts.append(summary)
        size += len(summary) + 2
    if rest:
        parts.append(texts.more_habits(len(rest)))
    parts.append(texts.HABITS_FOOTER)
    return "\n\n".join(parts), keyboards.habits_list([status.habit for status in statuses])


async def card_view(user: User, habit_id: int, context: Context | None = None
                    ) -> tuple[str, InlineKeyboardMarkup]:
    """One habit in detail (completion rates, best and hardest weekday) with its actions; with the
    context, and PUBLIC_URL set, also an "Open" button to the habit in the web app."""
    summary, data, paused = await _summary(user, habit_id)
    details = texts.habit_details(data.completion, data.best_weekday, data.worst_weekday, data.total_done)
    recent, _ = await checkins.list_checkins(user, habit_id, limit=30)
    notes = [texts.note_line(row.day, row.note) for row in recent if row.note][:CARD_NOTES]
    open_row = open_button_row(context, f"habit/{habit_id}") if context is not None else []
    return "\n".join([summary, details, *notes]), keyboards.habit_card(data.habit, paused, open_row)


async def habits_command(update: Update, context: Context) -> None:
    """/habits: every active habit with its streak, strength and this week's progress."""
    if await start.timezone_first(update, context):
        return
    text, markup = await list_view(await chat_user(update))
    await send(update, text, markup)


async def list_button(update: Update, context: Context) -> int:
    """« All habits: back from a card to the list, in place."""
    text, markup = await list_view(await chat_user(update))
    await answer(update)
    await edit(update.effective_message, text, markup)
    return END


async def habit_button(update: Update, context: Context) -> str | int:
    """Every button of a habit card (`hab:{id}:{action}[:{arg}]`); a forged id is "not found"."""
    action = callbacks.parse_habit(update.callback_query.data if update.callback_query else None)
    if action is None:
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    user = await chat_user(update)
    try:
        habit = await habits.get_habit(user, action.target, include_archived=False)
        return await _habit_action(update, context, user, habit, action.action, action.arg)
    except NotFound:
        await answer(update, texts.HABIT_NOT_FOUND, alert=True)
        return END


async def _habit_action(update: Update, context: Context, user: User, habit: Habit, action: str,
                        arg: str | None) -> str | int:
    """Dispatch a habit card's button through `_HABIT_ACTIONS`; an unknown action has expired."""
    handler = _HABIT_ACTIONS.get(action)
    if handler is None:
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    return await handler(update, context, user, habit, arg)


async def _card(update: Update, context: Context, user: User, habit: Habit, arg: str | None) -> int:
    await answer(update)
    await edit(update.effective_message, *await card_view(user, habit.id, context))
    return END


async def _rename(update: Update, context: Context, user: User, habit: Habit, arg: str | None) -> str | int:
    return await _ask(update, context, user, habit, "name")


async def _reminder(update: Update, context: Context, user: User, habit: Habit, arg: str | None) -> str | int:
    if arg is None:
        return await _ask(update, context, user, habit, "rem")
    if arg != "none":
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    await habits.update_habit(user, habit.id, HabitUpdate(reminder_times=[]))
    await answer(update)
    await edit(update.effective_message, texts.reminder_saved(habit.name, None))
    return END


async def _pause(update: Update, context: Context, user: User, habit: Habit, arg: str | None) -> str | int:
    if arg is None:
        return await _ask(update, context, user, habit, "pause")
    days = int(arg) if arg.isdigit() and len(arg) <= 3 else 0
    if not 1 <= days <= MAX_PAUSE_DAYS:
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    today = local_today(user.timezone)
    until = today + timedelta(days=days - 1)
    await habits.pause_habit(user, habit.id, today, until)
    await answer(update)
    await edit(update.effective_message, texts.paused(habit.name, until))
    return END


async def _resume(update: Update, context: Context, user: User, habit: Habit, arg: str | None) -> int:
    await habits.resume_habit(user, habit.id)
    await answer(update, _plain(texts.resumed(habit.name)))
    await edit(update.effective_message, *await card_view(user, habit.id, context))
    return END


async def _archive(update: Update, context: Context, user: User, habit: Habit, arg: str | None) -> int:
    return await _confirmed(update, habit, arg, texts.confirm_archive(habit.name), texts.YES_ARCHIVE,
                            habits.archive_habit, texts.archived(habit.name), user)


async def _delete(update: Update, context: Context, user: User, habit: Habit, arg: str | None) -> int:
    return await _confirmed(update, habit, arg, texts.confirm_delete(habit.name), texts.YES_DELETE,
                            habits.delete_habit, texts.deleted(habit.name), user)


def _schedule_button(action: str) -> HabitAction:
    async def step(update: Update, context: Context, user: User, habit: Habit, arg: str | None) -> int:
        return await _schedule(update, context, user, habit, action, arg)

    return step


# Every button of a habit card (`hab:{id}:{action}[:{arg}]`), by action.
_HABIT_ACTIONS: dict[str, HabitAction] = {
    "card": _card, "name": _rename, "rem": _reminder, "pause": _pause, "resume": _resume, "arch": _archive,
    "del": _delete, **{action: _schedule_button(action) for action in ("sched", "sk", "wd", "wdok", "tpw")},
    "notes": notes.month_view, "nday": notes.day_view, "nedit": notes.ask_note, "ndel": notes.remove_note,
}


async def _ask(update: Update, context: Context, user: User, habit: Habit, action: str) -> str:
    """Start a one-question prompt about the habit; the answer arrives as text."""
    await answer(update)
    message = update.effective_message
    open_prompt(context, habit_id=habit.id, message_id=message.message_id if message else None)
    if action == "name":
        await send(update, texts.ask_rename(habit.name))
        return states.ASK_RENAME
    if action == "rem":
        current = await habits.reminder_times(habit)
        await send(update, texts.ask_edit_reminder(habit.name, current),
                   keyboards.no_reminder(callbacks.habit(habit.id, "rem", "none")))
        return states.ASK_REMINDER
    await send(update, texts.ask_pause(habit.name), keyboards.pause_lengths(habit.id))
    return states.ASK_PAUSE


async def _schedule(update: Update, context: Context, user: User, habit: Habit, action: str,
                    arg: str | None) -> int:
    """The schedule editor: the same keyboards as /new, with this habit's prefix."""
    message = update.effective_message

    def data(name: str, value: object) -> str:
        return callbacks.habit(habit.id, name, value)

    chosen: ScheduleIn | None = None
    kind = callbacks.parse_schedule_kind(arg) if action == "sk" else None
    if action == "sched":
        await answer(update)
        await edit(message, texts.ask_edit_schedule(habit.name), keyboards.schedule_kinds(data))
        return END
    if kind is ScheduleKind.DAILY:
        chosen = schedule_in(kind)
    elif kind is ScheduleKind.WEEKDAYS:
        mask = habit.schedule_weekdays or WORKDAYS_MASK
        await answer(update)
        await edit(message, texts.ASK_WEEKDAYS, keyboards.weekdays(data, mask))
        return END
    elif kind is ScheduleKind.TIMES_PER_WEEK:
        await answer(update)
        await edit(message, texts.ASK_TIMES, keyboards.times_per_week(data))
        return END
    elif action == "wd" and (mask := callbacks.parse_mask(arg)) is not None:
        await answer(update)
        await edit(message, texts.ASK_WEEKDAYS, keyboards.weekdays(data, mask))
        return END
    elif action == "wdok" and (mask := callbacks.parse_mask(arg)) is not None:
        if not mask:
            await answer(update, texts.WEEKDAYS_NEED_ONE, alert=True)
            return END
        chosen = schedule_in(ScheduleKind.WEEKDAYS, mask)
    elif action == "tpw" and (times := callbacks.parse_times(arg)) is not None:
        chosen = schedule_in(ScheduleKind.TIMES_PER_WEEK, times=times)
    if chosen is None:
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    await habits.update_habit(user, habit.id, HabitUpdate(schedule=chosen))
    await answer(update, _plain(texts.schedule_saved(habit.name, chosen.to_schedule())))
    await edit(message, *await card_view(user, habit.id, context))
    return END


async def _confirmed(update: Update, habit: Habit, arg: str | None, question: str, yes: str,
                     use_case: Callable[[User, int], Awaitable[object]], done: str, user: User) -> int:
    """Archive and delete ask first; "No" goes back to the card."""
    message = update.effective_message
    await answer(update)
    if arg != "yes":
        action = "arch" if yes == texts.YES_ARCHIVE else "del"
        await edit(message, question,
                   keyboards.confirm(yes, callbacks.habit(habit.id, action, "yes"), callbacks.habit(habit.id)))
        return END
    await use_case(user, habit.id)
    await edit(message, done)
    return END


def _plain(html_text: str) -> str:
    """Callback answers are plain text (no parse mode) and at most 200 characters."""
    for tag in ("<b>", "</b>", "<i>", "</i>", "<code>", "</code>"):
        html_text = html_text.replace(tag, "")
    return html_text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")[:200]


async def _prompt_habit(update: Update, context: Context) -> tuple[User, Habit] | None:
    """The habit a prompt is about; None (and a reply) if it is gone meanwhile."""
    prompt = user_data(context).get(states.PROMPT) or {}
    user = await chat_user(update)
    try:
        return user, await habits.get_habit(user, int(prompt["habit_id"]), include_archived=False)
    except (KeyError, TypeError, ValueError, NotFound):
        user_data(context).pop(states.PROMPT, None)
        await send(update, texts.HABIT_NOT_FOUND)
        return None


async def _refresh_card(update: Update, context: Context, user: User, habit_id: int) -> None:
    prompt = user_data(context).pop(states.PROMPT, None) or {}
    if prompt.get("message_id") and update.effective_chat:
        await edit_by_id(context, update.effective_chat.id, prompt["message_id"],
                         *await card_view(user, habit_id, context))


async def rename_answer(update: Update, context: Context) -> str | int:
    """The new name; the same checks as in /new (a duplicate is asked again)."""
    found = await _prompt_habit(update, context)
    if found is None:
        return END
    user, habit = found
    name, problem = await validated_name(user, message_text(update), exclude_id=habit.id)
    if problem is not None:
        await send(update, problem)
        return states.ASK_RENAME
    try:
        await habits.update_habit(user, habit.id, HabitUpdate(name=name))
    except (Conflict, ValidationError):
        await send(update, texts.name_taken(name or ""))
        return states.ASK_RENAME
    await send(update, texts.renamed(name or ""))
    await _refresh_card(update, context, user, habit.id)
    return END


async def reminder_answer(update: Update, context: Context) -> str | int:
    """A new reminder time (replaces the old one)."""
    typed = message_text(update)
    at = parse_time(typed)
    if at is None:
        await send(update, texts.time_invalid(typed))
        return states.ASK_REMINDER
    found = await _prompt_habit(update, context)
    if found is None:
        return END
    user, habit = found
    await habits.update_habit(user, habit.id, HabitUpdate(reminder_times=[at]))
    await send(update, texts.reminder_saved(habit.name, at))
    await _refresh_card(update, context, user, habit.id)
    return END


async def pause_answer(update: Update, context: Context) -> str | int:
    """The last paused day, typed as a date; from today up to a year."""
    until = parse_date(message_text(update))
    if until is None:
        await send(update, texts.PAUSE_DATE_INVALID)
        return states.ASK_PAUSE
    found = await _prompt_habit(update, context)
    if found is None:
        return END
    user, habit = found
    today = local_today(user.timezone)
    try:
        await habits.pause_habit(user, habit.id, today, until)
    except ValidationFailed:
        await send(update, texts.PAUSE_DATE_INVALID)
        return states.ASK_PAUSE
    await send(update, texts.paused(habit.name, until))
    await _refresh_card(update, context, user, habit.id)
    return END
