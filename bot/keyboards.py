"""Inline keyboards: the buttons of every screen, with callback_data from `bot.callbacks`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, texts
from smarthabit.habits import HabitStatus
from smarthabit.models import Habit, HabitKind, User
from smarthabit.schedule import ScheduleKind

# Builds the callback_data of a schedule button: (action, arg) -> data. /new and the habit editor
# share the schedule keyboards and differ only in this prefix.
DataFor = Callable[[str, object], str]


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def today(statuses: Sequence[HabitStatus], streak_unit: Callable[[Habit], str]) -> InlineKeyboardMarkup:
    """One button per due habit; a habit with a check-in today gets the undo variant."""
    rows = []
    for status in statuses:
        habit = status.habit
        checked = status.done_today or status.today_value is not None
        label = texts.today_button(habit, status.done_today, status.today_value, habit.current_streak,
                                   streak_unit(habit))
        rows.append([_button(label, callbacks.checkin(habit.id, status.today, undo=checked, in_list=True))])
    return InlineKeyboardMarkup(rows)


def reminder_done(habit: Habit, day: date) -> InlineKeyboardMarkup:
    """The single button left under a reminder after its tap: shows the streak and undoes."""
    return InlineKeyboardMarkup([[_button(texts.reminder_done_button(habit.name, habit.current_streak),
                                          callbacks.checkin(habit.id, day, undo=True))]])


def reminder_open(habit: Habit, day: date) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.reminder_check_button(habit.name), callbacks.checkin(habit.id, day))]])


def timezone_suggestions(zones: Sequence[str]) -> InlineKeyboardMarkup:
    rows = [[_button(zone.replace("_", " "), callbacks.timezone(zone))] for zone in zones]
    rows.append([_button(texts.TZ_KEEP_UTC, callbacks.timezone("UTC"))])
    return InlineKeyboardMarkup(rows)


def keep_utc() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.TZ_KEEP_UTC, callbacks.timezone("UTC"))]])


def habit_kind() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [_button(texts.KIND_YES_NO, callbacks.new("kind", HabitKind.YES_NO.value))],
        [_button(texts.KIND_MEASURABLE, callbacks.new("kind", HabitKind.MEASURABLE.value))],
    ])


def schedule_kinds(data: DataFor) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [_button(texts.SCHEDULE_DAILY, data("sk", ScheduleKind.DAILY.value))],
        [_button(texts.SCHEDULE_WEEKDAYS, data("sk", ScheduleKind.WEEKDAYS.value))],
        [_button(texts.SCHEDULE_TIMES, data("sk", ScheduleKind.TIMES_PER_WEEK.value))],
    ])


def weekdays(data: DataFor, mask: int) -> InlineKeyboardMarkup:
    """Toggle buttons: each carries the mask it leads to, so the keyboard itself holds the choice."""
    days = [
        _button(("✅ " if mask & (1 << day) else "") + texts.WEEKDAY_SHORT[day], data("wd", mask ^ (1 << day)))
        for day in range(7)
    ]
    return InlineKeyboardMarkup([days[:4], days[4:], [_button(texts.WEEKDAYS_DONE, data("wdok", mask))]])


def times_per_week(data: DataFor) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(str(n), data("tpw", n)) for n in range(1, 8)]])


def no_reminder(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.NO_REMINDER, data)]])


def confirm_new() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.SAVE, callbacks.new("save")),
                                  _button(texts.CANCEL, callbacks.new("cancel"))]])


def habits_list(habits: Sequence[Habit]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(f"⚙️ {habit.name}", callbacks.habit(habit.id))] for habit in habits])


def habit_card(habit: Habit, paused: bool, open_row: Sequence[Sequence[InlineKeyboardButton]] = ()
               ) -> InlineKeyboardMarkup:
    hid = habit.id
    pause = _button(texts.RESUME, callbacks.habit(hid, "resume")) if paused else _button(
        texts.PAUSE, callbacks.habit(hid, "pause"))
    return InlineKeyboardMarkup([
        [_button(texts.EDIT_NAME, callbacks.habit(hid, "name")),
         _button(texts.EDIT_SCHEDULE, callbacks.habit(hid, "sched")),
         _button(texts.EDIT_REMINDER, callbacks.habit(hid, "rem"))],
        [pause, _button(texts.ARCHIVE, callbacks.habit(hid, "arch")),
         _button(texts.DELETE, callbacks.habit(hid, "del"))],
        [_button(texts.BACK_TO_LIST, callbacks.HABITS_LIST)],
        *open_row,
    ])


def pause_lengths(habit_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        _button(texts.PAUSE_WEEK, callbacks.habit(habit_id, "pause", 7)),
        _button(texts.PAUSE_TWO_WEEKS, callbacks.habit(habit_id, "pause", 14)),
        _button(texts.PAUSE_MONTH, callbacks.habit(habit_id, "pause", 30)),
    ]])


def confirm(yes_text: str, yes_data: str, no_data: str, no_text: str = texts.NO) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(yes_text, yes_data), _button(no_text, no_data)]])


def settings(user: User) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [_button(texts.SET_TIMEZONE, callbacks.settings("tz"))],
        [_button(texts.toggle_label(texts.REMINDERS, user.reminders_enabled), callbacks.settings("reminders"))],
        [_button(texts.toggle_label(texts.NUDGES, user.nudges_enabled), callbacks.settings("nudges"))],
        [_button(texts.SET_QUIET, callbacks.settings("quiet"))],
        [_button(texts.quiet_reminders_label(user.quiet_reminders_later), callbacks.settings("quietrem"))],
        [_button(texts.SET_DELETE, callbacks.settings("delete"))],
    ])


def quiet_off() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.QUIET_OFF, callbacks.settings("quiet", "off"))]])
