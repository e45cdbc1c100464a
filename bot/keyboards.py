"""Inline keyboards: the buttons of every screen, with callback_data from `bot.callbacks`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, texts
from smarthabit import i18n, wording
from smarthabit.habits import HabitStatus
from smarthabit.models import Habit, HabitKind, User
from smarthabit.schedule import ScheduleKind

# Builds the callback_data of a schedule button: (action, arg) -> data. /new and the habit editor
# share the schedule keyboards and differ only in this prefix.
DataFor = Callable[[str, object], str]


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def today(statuses: Sequence[HabitStatus], streak_unit: Callable[[Habit], str], back: int = 0) -> InlineKeyboardMarkup:
    """One button per due habit (a habit with a check-in that day gets the undo variant), then a row
    to move between today and the days back-fill reaches."""
    rows = []
    for status in statuses:
        habit = status.habit
        checked = status.done_today or status.today_value is not None
        if not status.done_today and status.today_value is not None and habit.target_direction != "at_most":
            checked = False  # partly done: a tap offers to add more (the question has the undo)
        label = texts.today_button(habit, status.done_today, status.today_value, habit.current_streak,
                                   streak_unit(habit))
        rows.append([_button(label, callbacks.checkin(habit.id, status.today, undo=checked, in_list=True))])
    rows.append(day_navigation(back))
    return InlineKeyboardMarkup(rows)


def day_navigation(back: int) -> list[InlineKeyboardButton]:
    """◀ an earlier day (within the back-fill window) and, when not on today, Today ▶."""
    row = []
    if back < wording.BACKFILL_DAYS:
        row.append(_button(texts.earlier_day_button(), callbacks.day(back + 1)))
    if back > 0:
        row.append(_button(texts.today_button_label(), callbacks.day(0)))
    return row


def reminder_done(habit: Habit, day: date) -> InlineKeyboardMarkup:
    """The single button left under a reminder after its tap: shows the streak and undoes."""
    return InlineKeyboardMarkup([[_button(texts.reminder_done_button(habit.name, habit.current_streak),
                                          callbacks.checkin(habit.id, day, undo=True))]])


def reminder_open(habit: Habit, day: date) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.reminder_check_button(habit.name), callbacks.checkin(habit.id, day))]])


def quick_values(habit: Habit, last: float | None, *, undo: str | None = None) -> InlineKeyboardMarkup:
    """Under "how much?": 1, the target (or what is left of it) and the last value, one tap each; when
    adding to a partly done day, also the undo of that day's value (`undo` is its button data)."""
    amounts: list[float] = []
    for amount in (1.0, habit.target, last):
        if amount is not None and 0 < amount <= wording.MAX_VALUE and amount not in amounts:
            amounts.append(amount)
    rows = [[_button(("+" if undo else "") + texts.amount(a, habit.unit), callbacks.value(a)) for a in amounts]]
    if undo is not None:
        rows.append([_button(texts.UNDO, undo)])
    return InlineKeyboardMarkup(rows)


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


def schedule_kinds(data: DataFor, keep: str | None = None) -> InlineKeyboardMarkup:
    """The schedule's kinds; `keep` (a schedule said earlier, as words) adds a button keeping it."""
    rows = [
        [_button(texts.SCHEDULE_DAILY, data("sk", ScheduleKind.DAILY.value))],
        [_button(texts.SCHEDULE_WEEKDAYS, data("sk", ScheduleKind.WEEKDAYS.value))],
        [_button(texts.SCHEDULE_TIMES, data("sk", ScheduleKind.TIMES_PER_WEEK.value))],
    ]
    if keep:
        rows.insert(0, [_button(texts.keep(keep), callbacks.new("keep", "sched"))])
    return InlineKeyboardMarkup(rows)


def weekdays(data: DataFor, mask: int) -> InlineKeyboardMarkup:
    """Toggle buttons: each carries the mask it leads to, so the keyboard itself holds the choice."""
    days = [
        _button(("✅ " if mask & (1 << day) else "") + texts.weekday_short(day), data("wd", mask ^ (1 << day)))
        for day in range(7)
    ]
    return InlineKeyboardMarkup([days[:4], days[4:], [_button(texts.WEEKDAYS_DONE, data("wdok", mask))]])


def times_per_week(data: DataFor) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(str(n), data("tpw", n)) for n in range(1, 8)]])


def no_reminder(data: str, keep: str | None = None) -> InlineKeyboardMarkup:
    """No reminder; `keep` (a time said earlier, HH:MM) adds a button keeping it."""
    row = [_button(texts.NO_REMINDER, data)]
    if keep:
        row.insert(0, _button(texts.keep(keep), callbacks.new("keep", "rem")))
    return InlineKeyboardMarkup([row])


def keep(value: str, data: str) -> InlineKeyboardMarkup:
    """One button keeping what was said earlier for this step."""
    return InlineKeyboardMarkup([[_button(texts.keep(value), data)]])


def confirm_new() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.SAVE, callbacks.new("save")),
                                  _button(texts.CANCEL, callbacks.new("cancel"))]])


def proposal_card() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.SAVE, callbacks.proposal("save")),
                                  _button(texts.CHANGE, callbacks.proposal("change")),
                                  _button(texts.CANCEL, callbacks.proposal("cancel"))]])


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
        [_button(texts.NOTES_BUTTON, callbacks.habit(hid, "notes")),
         _button(texts.BACK_TO_LIST, callbacks.HABITS_LIST)],
        *open_row,
    ])


def notes_entry(habit_id: int) -> InlineKeyboardMarkup:
    """Under the year calendar: the notes by day (this month first)."""
    return InlineKeyboardMarkup([[_button(texts.NOTES_BUTTON, callbacks.habit(habit_id, "notes"))]])


def notes_month(habit_id: int, days: Sequence[tuple[date, bool]], earlier: date | None,
                later: date | None) -> InlineKeyboardMarkup:
    """The day picker of a month: a button per checked-in day (📝 when it has a note), seven a row,
    then the neighbouring months within the calendar's year."""
    buttons = [_button(f"{day.day}{' 📝' if noted else ''}", callbacks.habit(habit_id, "nday", callbacks.day_arg(day)))
               for day, noted in days]
    rows = [buttons[i:i + 7] for i in range(0, len(buttons), 7)]
    months = [_button(f"◀ {i18n.month_year(earlier)}", callbacks.habit(habit_id, "notes", callbacks.month_arg(earlier)))
              ] if earlier else []
    if later:
        months.append(_button(f"{i18n.month_year(later)} ▶",
                              callbacks.habit(habit_id, "notes", callbacks.month_arg(later))))
    return InlineKeyboardMarkup([*rows, *([months] if months else [])])


def note_day(habit_id: int, day: date, has_note: bool) -> InlineKeyboardMarkup:
    """A checked-in day: edit (or add) its note, remove it, back to the month."""
    day_data = callbacks.day_arg(day)
    row = [_button(texts.NOTE_EDIT if has_note else texts.NOTE_ADD, callbacks.habit(habit_id, "nedit", day_data))]
    if has_note:
        row.append(_button(texts.NOTE_REMOVE, callbacks.habit(habit_id, "ndel", day_data)))
    back = _button(texts.back_to_month(day), callbacks.habit(habit_id, "notes", callbacks.month_arg(day)))
    return InlineKeyboardMarkup([row, [back]])


def pause_lengths(habit_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        _button(texts.PAUSE_WEEK, callbacks.habit(habit_id, "pause", 7)),
        _button(texts.PAUSE_TWO_WEEKS, callbacks.habit(habit_id, "pause", 14)),
        _button(texts.PAUSE_MONTH, callbacks.habit(habit_id, "pause", 30)),
    ]])


def confirm(yes_text: str, yes_data: str, no_data: str, no_text: str | None = None) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(yes_text, yes_data), _button(no_text or texts.NO, no_data)]])


def settings(user: User) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [_button(texts.SET_LANGUAGE, callbacks.settings("lang")),
         _button(texts.SET_TIMEZONE, callbacks.settings("tz"))],
        [_button(texts.toggle_label(texts.REMINDERS, user.reminders_enabled), callbacks.settings("reminders"))],
        [_button(texts.toggle_label(texts.NUDGES, user.nudges_enabled), callbacks.settings("nudges"))],
        [_button(texts.SET_QUIET, callbacks.settings("quiet"))],
        [_button(texts.quiet_reminders_label(user.quiet_reminders_later), callbacks.settings("quietrem"))],
        [_button(texts.SET_DELETE, callbacks.settings("delete"))],
    ])


def languages(current: str | None) -> InlineKeyboardMarkup:
    """One button per language, in its own name; the current one is ticked."""
    buttons = [_button(("✅ " if code == current else "") + name, callbacks.language(code))
               for code, name in i18n.LANGUAGES.items()]
    return InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)])


def quiet_off() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.QUIET_OFF, callbacks.settings("quiet", "off"))]])
