"""Every word the bot says, in one module (HTML parse mode: user content is always escaped here).

Keeping the texts together makes the tone consistent and a later translation a one-module job;
handlers never build user-facing strings themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from html import escape

from smarthabit.insights import WEEKDAY_NAMES
from smarthabit.models import Habit, HabitKind, TargetDirection, User
from smarthabit.schedule import Schedule, ScheduleKind

WEEKDAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# The command menu registered with setMyCommands, in the order people meet them.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("today", "What is due today: tap to check in"),
    ("new", "Create a habit"),
    ("habits", "Your habits: streaks, strength, edit"),
    ("stats", "This week in words and a chart"),
    ("settings", "Time zone, reminders, quiet hours, data"),
    ("export", "All your data as a file"),
    ("web", "Sign in to the web app in a browser"),
    ("help", "What I can do"),
    ("cancel", "Leave the current question"),
)


def _e(value: object) -> str:
    return escape(str(value), quote=False)


def day_label(day: date) -> str:
    return f"{WEEKDAY_SHORT[day.weekday()]} {day.day} {day.strftime('%b')}"


def clock(value: time) -> str:
    return value.strftime("%H:%M")


def number(value: float) -> str:
    return f"{value:g}"


def period(count: int, unit: str) -> str:
    """`3 days`, `1 week`: the streak unit of the habit, singular when it is one."""
    return f"{count} {unit[:-1] if count == 1 and unit.endswith('s') else unit}"


def schedule_label(schedule: Schedule) -> str:
    if schedule.kind is ScheduleKind.WEEKDAYS:
        if schedule.weekdays == frozenset(range(5)):
            return "on weekdays (Mon–Fri)"
        return "on " + ", ".join(WEEKDAY_SHORT[d] for d in sorted(schedule.weekdays))
    if schedule.kind is ScheduleKind.TIMES_PER_WEEK:
        times = schedule.times_per_week
        return "once a week" if times == 1 else f"{times} times a week"
    return "every day"


def target_label(target: float | None, unit: str | None, direction: TargetDirection | str | None) -> str:
    amount = f"{number(target or 0)} {unit}".strip() if unit else number(target or 0)
    prefix = "at most" if direction == TargetDirection.AT_MOST else "at least"
    return f"{prefix} {amount} a day"


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{round(rate * 100)}%"


# -- start, time zone, linking -----------------------------------------------------------------

def greeting_new(first_name: str) -> str:
    return (
        f"Hi {_e(first_name)}! I'm <b>SmartHabit</b>: I help you build habits with one tap a day, "
        "streaks and a weekly look back.\n\n" + TZ_ASK
    )


def greeting_back(first_name: str) -> str:
    return f"Welcome back, {_e(first_name)}! /today shows what is due, /help lists everything I can do."


TZ_ASK = (
    "First, where are you? Send your <b>city</b> or time zone (for example <code>Berlin</code> or "
    "<code>America/New_York</code>), so your days start at your own midnight."
)
TZ_KEEP_UTC = "Keep UTC"
TZ_NEXT_STEP = "Next: create your first habit with /new."
LOCATION_UNSUPPORTED = "I can't read a shared location yet: please type the name of your city."


def tz_suggest(query: str) -> str:
    return f"I'm not sure which time zone “{_e(query)}” is. Did you mean one of these? Or type another city."


def tz_unknown(query: str) -> str:
    return (
        f"I don't know a time zone for “{_e(query)}”. Try a big city near you (like <code>Paris</code>) "
        "or a time zone name such as <code>Europe/Paris</code>."
    )


def tz_set(zone_name: str, local_now: time) -> str:
    return f"Time zone set to <b>{_e(zone_name)}</b> (it is {clock(local_now)} there now)."


def link_ok(email: str | None) -> str:
    who = f" <b>{_e(email)}</b>" if email else ""
    return f"Linked! This chat now belongs to your SmartHabit account{who}: same habits here and in the app."


LINK_INVALID = (
    "That link code is wrong or has expired. Create a new one in the app (a code lasts a few minutes) "
    "and send <code>/start CODE</code> again."
)
LINK_CONFLICT = "This Telegram account is already linked to another SmartHabit account, so I can't link it again."


def link_status(user: User) -> str:
    if user.email:
        return f"🔗 Account: linked to <b>{_e(user.email)}</b>"
    return "🔗 Account: Telegram only. To use the app too, create a link code there and send <code>/start CODE</code>."


HELP = (
    "<b>What I can do</b>\n"
    "/today: what is due today; tap a habit to check it in, tap again to undo\n"
    "/new: create a habit (yes/no or an amount, any schedule, a reminder)\n"
    "/habits: streaks, strength and this week; edit, pause, archive or delete\n"
    "/stats: this week in words and a chart; <code>/stats NAME</code> for one habit\n"
    "/settings: time zone, reminders, nudges, quiet hours, delete my data\n"
    "/link: whether this chat is linked to an app account\n"
    "/export: all your data as a file; send me Loop Habit Tracker's CSV export (zip) to import it\n"
    "/web: a one-time link to open SmartHabit in a browser\n"
    "/cancel: leave the current question\n\n"
    "Reply to a check-in confirmation (✅) with text to add a note to it."
)
CANCELLED = "Cancelled. Nothing was saved."
NOTHING_TO_CANCEL = "Nothing to cancel. /help lists what I can do."
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
ERROR_GENERIC = "Sorry, something went wrong on my side. Please try again in a moment."


def domain_error(message: str) -> str:
    """A domain error's own message (they are written for people), escaped."""
    return _e(message)


BUTTON_EXPIRED = "This button is no longer valid."
HABIT_NOT_FOUND = "Habit not found."
USE_BUTTONS = "Please tap one of the buttons above, or /cancel."
NOT_PRIVATE = "I only work in a private chat: open a chat with me directly."

# -- /new ----------------------------------------------------------------------------------------

NEW_ASK_NAME = "What habit do you want to build? Send a short name, for example <i>Read 20 pages</i>.\n/cancel stops."
NAME_EMPTY = "The name can't be empty. Send a short name, for example <i>Drink water</i>."
NAME_INVALID = "That name contains characters I can't store. Please send a plain name."


def name_too_long(length: int, limit: int) -> str:
    return f"That name is too long ({length} characters, at most {limit}). Please send a shorter one."


def name_taken(name: str) -> str:
    return f"You already have a habit called “{_e(name)}”. Please send a different name."


def new_ask_kind(name: str) -> str:
    return f"<b>{_e(name)}</b>: how do you want to track it?"


KIND_YES_NO = "✅ Done / not done"
KIND_MEASURABLE = "📏 An amount"
NEW_ASK_TARGET = (
    "What is the daily target? Send a number and a unit, like <code>8 glasses</code> or <code>30 min</code>, "
    "or a limit like <code>at most 2 coffees</code>."
)
TARGET_INVALID = (
    "I need a positive number (up to 1,000,000), optionally followed by a unit of at most 20 characters, "
    "like <code>8 glasses</code>."
)
ASK_SCHEDULE = "How often?"
SCHEDULE_DAILY = "Every day"
SCHEDULE_WEEKDAYS = "Choose weekdays"
SCHEDULE_TIMES = "N times a week"
ASK_WEEKDAYS = "Tap the days to switch them on or off, then <b>Done</b>."
WEEKDAYS_DONE = "Done"
WEEKDAYS_NEED_ONE = "Pick at least one day."
ASK_TIMES = "How many times a week?"
NEW_ASK_REMINDER = (
    "Shall I remind you? Send a time like <code>07:30</code> (your local time), or tap <b>No reminder</b>."
)
NO_REMINDER = "No reminder"


def time_invalid(text: str) -> str:
    return (
        f"“{_e(text[:40])}” isn't a time I understand. Send hours and minutes, like <code>07:30</code> "
        "or <code>21:05</code>."
    )


def new_summary(draft: dict[str, object], schedule: Schedule) -> str:
    if draft.get("kind") == HabitKind.MEASURABLE:
        track = target_label(draft.get("target"), draft.get("unit"), draft.get("direction"))  # type: ignore[arg-type]
    else:
        track = "done / not done"
    reminder = draft.get("reminder") or "none"
    return (
        "Here is your new habit:\n\n"
        f"<b>{_e(draft.get('name'))}</b>\n"
        f"Track: {_e(track)}\n"
        f"When: {schedule_label(schedule)}\n"
        f"Reminder: {_e(reminder)}\n\n"
        "Save it?"
    )


SAVE = "💾 Save"
CANCEL = "Cancel"


def new_saved(name: str) -> str:
    return f"Saved <b>{_e(name)}</b>. It shows up in /today; /new adds another one."


def new_invalid(detail: str) -> str:
    return f"Something in that habit doesn't add up ({_e(detail)}). Let's start again: /new"


NEW_EXPIRED = "That form has expired. Start again with /new."

# -- /today and check-ins ------------------------------------------------------------------------


def today_header(day: date, done: int, due: int) -> str:
    return (
        f"<b>Today, {WEEKDAY_NAMES[day.weekday()]} {day.day} {day.strftime('%B')}</b>\n"
        f"{done} of {due} done. Tap a habit to check it in, tap again to undo."
    )


TODAY_NOTHING_DUE = "Nothing is due today. Enjoy! /habits lists all your habits, /new adds one."
TODAY_NO_HABITS = "You have no habits yet. Create your first one with /new."


def today_button(habit: Habit, done: bool, value: float | None, streak: int, unit: str) -> str:
    if habit.kind is HabitKind.MEASURABLE:
        amount = f" {number(value or 0)}/{number(habit.target or 0)}{' ' + habit.unit if habit.unit else ''}"
    else:
        amount = ""
    if done:
        return f"✅ {habit.name}{amount} · 🔥{streak}"
    if value is not None:  # measured, but short of the target
        return f"◐ {habit.name}{amount}"
    return f"⬜ {habit.name}{amount}"


def reminder_done_button(name: str, streak: int) -> str:
    return f"✅ {name} · 🔥{streak} (tap to undo)"


def reminder_check_button(name: str) -> str:
    return f"⬜ {name}: check in"


def checked_in(name: str, day: date, today: date, streak: int, unit: str, milestone: int | None,
               done: bool, value: float | None, habit_unit: str | None) -> str:
    when = "" if day == today else f" for {day_label(day)}"
    measured = f" ({number(value)}{' ' + _e(habit_unit) if habit_unit else ''})" if value is not None else ""
    if done:
        lines = [f"✅ <b>{_e(name)}</b>: done{when}{measured}. 🔥 Streak: {period(streak, unit)}."]
    else:
        lines = [f"◐ <b>{_e(name)}</b>: logged{when}{measured}, short of the target."]
    if milestone:
        lines.append(milestone_text(milestone, unit))
    lines.append("<i>Reply to this message to add a note.</i>")
    return "\n".join(lines)


def milestone_text(count: int, unit: str) -> str:
    return f"🎉 <b>{period(count, unit)} in a row!</b> That's a milestone: keep going."


def undone(name: str, day: date) -> str:
    return f"↩️ Undone: <b>{_e(name)}</b> on {day_label(day)}."


ANSWER_CHECKED_IN = "Checked in ✅"
ANSWER_ALREADY = "Already checked in"
ANSWER_UNDONE = "Undone"
ANSWER_NOT_CHECKED_IN = "There was no check-in to undo"


def checkin_too_old(days: int) -> str:
    return f"That day is too long ago: check-ins can go back {days} days."


CHECKIN_FUTURE = "That day hasn't started for you yet."


def already_logged(name: str, day: date) -> str:
    return (
        f"<b>{_e(name)}</b> already has a value for {day_label(day)}. To change it, tap it in /today "
        "to undo, then tap again."
    )


def ask_value(habit: Habit, day: date, today: date) -> str:
    when = "today" if day == today else f"on {day_label(day)}"
    target = target_label(habit.target, habit.unit, habit.target_direction)
    return f"How much <b>{_e(habit.name)}</b> {when}? Target: {_e(target)}. Send a number."


VALUE_INVALID = "Send a number between 0 and 1,000,000, like <code>6</code> or <code>2.5</code>."
NOTE_SAVED = "📝 Note saved."
NOTE_NOT_A_CHECKIN = "To add a note, reply to one of my check-in confirmations (the ✅ messages)."
NOTE_CHECKIN_GONE = "That check-in was undone, so there is nothing to attach the note to."


def note_invalid(limit: int) -> str:
    return f"A note can be at most {limit} characters of plain text. Please send a shorter one."


# -- /habits ---------------------------------------------------------------------------------------

HABITS_EMPTY = "You have no habits yet. Create one with /new."
HABITS_HEADER = "<b>Your habits</b>"
HABITS_FOOTER = "Tap a habit to edit, pause, archive or delete it."


def habit_summary(habit: Habit, streak: int, longest: int, unit: str, strength: float, week_done: int,
                  week_target: int, paused_until: date | None, reminders: Sequence[time]) -> str:
    when = schedule_label(habit.schedule)
    if reminders:
        when += ", ⏰ " + ", ".join(clock(t) for t in reminders)
    lines = [
        f"<b>{_e(habit.name)}</b>: {when}",
        f"🔥 {period(streak, unit)} (best {longest}) · 💪 strength {percent(strength)} · "
        f"this week {week_done}/{week_target}",
    ]
    if habit.kind is HabitKind.MEASURABLE:
        lines.insert(1, f"📏 {_e(target_label(habit.target, habit.unit, habit.target_direction))}")
    if paused_until is not None:
        lines.append(f"⏸ paused until {day_label(paused_until)}")
    return "\n".join(lines)


def habit_details(completion: dict[int, float | None], best: int | None, worst: int | None, total: int) -> str:
    rates = " · ".join(f"{days} days {percent(rate)}" for days, rate in sorted(completion.items()))
    lines = [f"Completion: {rates}", f"Done {total} times in all."]
    if best is not None and worst is not None and best != worst:
        lines.append(f"Best day: {WEEKDAY_NAMES[best]} · hardest: {WEEKDAY_NAMES[worst]}")
    return "\n".join(lines)


EDIT_NAME = "✏️ Name"
EDIT_SCHEDULE = "📅 Schedule"
EDIT_REMINDER = "⏰ Reminder"
PAUSE = "⏸ Pause"
RESUME = "▶️ Resume"
ARCHIVE = "🗄 Archive"
DELETE = "🗑 Delete"
BACK_TO_LIST = "« All habits"
YES_ARCHIVE = "Yes, archive"
YES_DELETE = "Yes, delete"
NO = "No"


def ask_rename(name: str) -> str:
    return f"Send the new name for <b>{_e(name)}</b> (or /cancel)."


def renamed(name: str) -> str:
    return f"Renamed to <b>{_e(name)}</b>."


def ask_edit_schedule(name: str) -> str:
    return f"How often should <b>{_e(name)}</b> be due?"


def schedule_saved(name: str, schedule: Schedule) -> str:
    return f"<b>{_e(name)}</b> is now due {schedule_label(schedule)}."


def ask_edit_reminder(name: str, current: Sequence[time]) -> str:
    now = ", ".join(clock(t) for t in current) if current else "none"
    return (
        f"Reminder for <b>{_e(name)}</b> now: {now}. Send a new time like <code>07:30</code>, "
        "or tap <b>No reminder</b>."
    )


def reminder_saved(name: str, at: time | None) -> str:
    if at is None:
        return f"No more reminders for <b>{_e(name)}</b>."
    return f"I'll remind you of <b>{_e(name)}</b> at {clock(at)} (your time)."


def ask_pause(name: str) -> str:
    return (
        f"Pause <b>{_e(name)}</b> until when? Tap a length or send a date like <code>2026-12-24</code>. "
        "Paused days neither break nor count for your streak."
    )


PAUSE_WEEK = "1 week"
PAUSE_TWO_WEEKS = "2 weeks"
PAUSE_MONTH = "1 month"
PAUSE_DATE_INVALID = "Send a date like <code>2026-12-24</code>: today or later, at most a year away."


def paused(name: str, until: date) -> str:
    return f"⏸ <b>{_e(name)}</b> is paused until {day_label(until)} (included)."


def resumed(name: str) -> str:
    return f"▶️ <b>{_e(name)}</b> is due again from today."


def confirm_archive(name: str) -> str:
    return f"Archive <b>{_e(name)}</b>? It leaves /today and /habits; its history is kept."


def archived(name: str) -> str:
    return f"🗄 <b>{_e(name)}</b> is archived."


def confirm_delete(name: str) -> str:
    return f"Delete <b>{_e(name)}</b> and all its check-ins for good? This can't be undone."


def deleted(name: str) -> str:
    return f"🗑 <b>{_e(name)}</b> is deleted."


KEPT = "OK, nothing changed."

# -- /stats ------------------------------------------------------------------------------------------

STATS_NO_HABITS = "No habits yet, so no stats. Create one with /new."


def weekly_stats(week: str, start: date, end: date, sentences: Sequence[str]) -> str:
    return f"<b>Week {_e(week)}</b> ({day_label(start)} – {day_label(end)})\n" + "\n".join(
        _e(s) for s in sentences
    )


def weekly_caption(week: str) -> str:
    return f"This week and last, per habit ({_e(week)})"


def habit_stats_text(summary: str, details: str) -> str:
    return f"{summary}\n{details}"


def habit_caption(name: str) -> str:
    return f"<b>{_e(name)}</b>: the last 12 weeks"


def stats_habit_not_found(query: str, names: Sequence[str]) -> str:
    known = ", ".join(_e(n) for n in names) if names else "none yet"
    return f"I can't find a habit called “{_e(query[:100])}”. Your habits: {known}."


def stats_habit_ambiguous(query: str, names: Sequence[str]) -> str:
    return f"“{_e(query[:100])}” matches several habits: {', '.join(_e(n) for n in names)}. Please be more precise."


# -- /settings ---------------------------------------------------------------------------------------


def settings(user: User) -> str:
    quiet = (
        f"{clock(user.quiet_start)}–{clock(user.quiet_end)}"
        if user.quiet_start is not None and user.quiet_end is not None
        else "off"
    )
    return (
        "<b>Settings</b>\n"
        f"🌍 Time zone: {_e(user.timezone)}\n"
        f"🔔 Reminders: {'on' if user.reminders_enabled else 'off'}\n"
        f"💡 Nudges (tips when a streak is at risk): {'on' if user.nudges_enabled else 'off'}\n"
        f"🌙 Quiet hours: {quiet}\n"
        f"⏰ Reminders due in quiet hours: {quiet_reminders(user.quiet_reminders_later)}\n" + link_status(user)
    )


def quiet_reminders(later: bool) -> str:
    return "sent when they end" if later else "dropped"


def quiet_reminders_label(later: bool) -> str:
    return f"⏰ Reminders in quiet hours: {'drop them' if later else 'send them after'}"


SET_TIMEZONE = "🌍 Time zone"
SET_QUIET = "🌙 Quiet hours"
SET_DELETE = "🗑 Delete my data"


def toggle_label(what: str, enabled: bool) -> str:
    return f"{what}: turn {'off' if enabled else 'on'}"


REMINDERS = "🔔 Reminders"
NUDGES = "💡 Nudges"
ASK_QUIET = (
    "Send your quiet hours like <code>22:00-07:00</code>: no reminders or nudges then. Or tap <b>Off</b>."
)
QUIET_OFF = "Off"
QUIET_INVALID = "Send two times like <code>22:00-07:00</code> (start and end differ), or tap <b>Off</b>."
CONFIRM_DELETE_ACCOUNT = (
    "Delete your account with <b>all</b> habits, check-ins and settings? This can't be undone."
)
YES_DELETE_ALL = "Yes, delete everything"
NO_KEEP = "No, keep it"
ACCOUNT_DELETED = "Done: everything is deleted. Send /start if you ever want to begin again."


# --- export and import ------------------------------------------------------------------------------

EXPORT_CAPTION = "Your SmartHabit data (habits, reminders, check-ins, notes, pauses). The app can import it again."
IMPORT_NOT_ZIP = "I can import Loop Habit Tracker's export: in Loop, choose <i>Export as CSV</i> and send me that zip."


def import_too_large(limit: int) -> str:
    return f"That file is too large to import (the limit is {limit // (1024 * 1024)} MB)."


def loop_imported(created: int, matched: int, checkins: int, pauses: int, renamed: dict[str, str]) -> str:
    lines = [f"📥 Imported from Loop: {period(created, 'new habits')}, {period(checkins, 'check-ins')} and "
             f"{period(pauses, 'pauses')} for skipped days."]
    if matched:
        lines.append(f"{period(matched, 'habits')} from an earlier import got only what was missing.")
    for old, new in renamed.items():
        lines.append(f"<b>{_e(old)}</b> is called <b>{_e(new)}</b> here (the name was taken).")
    return "\n".join(lines)


def import_failed(message: str) -> str:
    return f"I couldn't import that file: {_e(message)} Nothing was changed."


# --- the web app ---------------------------------------------------------------------------------

OPEN_APP = "📊 Open"
OPEN_APP_MENU = "Open"


def web_login(link: str, minutes: int) -> str:
    return (f'🌐 <a href="{escape(link, quote=True)}">Open SmartHabit in your browser</a>\n'
            f"The link signs you in once and works for {minutes} minutes. Don't share it.")
