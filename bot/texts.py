"""Every word the bot says, in one module (HTML parse mode: user content is always escaped here).

Texts are written in English and translated through the gettext catalogs of `smarthabit.i18n`
(the language of the current update). Fixed texts are looked up by attribute (`texts.HELP`): the
module's `__getattr__` translates them at the moment they are used, so handlers never keep a
string of another language. Dates, weekdays and numbers follow the user's locale.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from html import escape

from smarthabit import i18n
from smarthabit.i18n import N_, _, ngettext
from smarthabit.models import Habit, HabitKind, TargetDirection, User
from smarthabit.schedule import Schedule, ScheduleKind
from smarthabit.wording import period

# The command menu registered with setMyCommands (per language), in the order people meet them.
_COMMANDS: tuple[tuple[str, str], ...] = (
    ("today", N_("What is due today: tap to check in")),
    ("new", N_("Create a habit (or just type it in one sentence)")),
    ("habits", N_("Your habits: streaks, strength, edit")),
    ("stats", N_("This week in words and a chart")),
    ("settings", N_("Language, time zone, reminders, quiet hours, data")),
    ("export", N_("All your data as a file")),
    ("web", N_("Sign in to the web app in a browser")),
    ("language", N_("Change the language")),
    ("help", N_("What I can do")),
    ("cancel", N_("Leave the current question")),
)

# Fixed texts, translated when read (see the module docstring).
_FIXED: dict[str, str] = {
    "TZ_ASK": N_(
        "First, where are you? Send your <b>city</b>, country, UTC offset (like <code>UTC+5:30</code>) or "
        "time zone, or share your location, so your days start at your own midnight."
    ),
    "TZ_ASK_SETTINGS": N_(
        "Send your <b>city</b>, country, UTC offset (like <code>UTC+5:30</code>) or time zone, or share your "
        "location."
    ),
    "TZ_KEEP_UTC": N_("Keep UTC"),
    "TZ_NEXT_STEP": N_("Next: create your first habit with /new, or just type it, like <i>read 10 pages daily</i>."),
    "LOCATION_UNKNOWN": N_("I couldn't find a time zone for that location: please type the name of your city."),
    "LINK_INVALID": N_(
        "That link code is wrong or has expired. Create a new one in the app (a code lasts a few minutes) "
        "and send <code>/start CODE</code> again."
    ),
    "LINK_CONFLICT": N_("This Telegram account is already linked to another SmartHabit account, so I can't link "
                        "it again."),
    "HELP": N_(
        "<b>What I can do</b>\n"
        "/today: what is due today; tap a habit to check it in, tap again to undo\n"
        "/new: create a habit; or just type it, like <i>read 10 pages every weekday at 8pm</i>\n"
        "/habits: streaks, strength and this week; edit, pause, archive or delete\n"
        "/stats: this week in words and a chart; <code>/stats NAME</code> for one habit and its year\n"
        "/settings: language, time zone, reminders, nudges, quiet hours, delete my data\n"
        "/language: change the language\n"
        "/link: whether this chat is linked to an app account\n"
        "/export: all your data as a file; send me Loop Habit Tracker's CSV export (zip) to import it\n"
        "/web: a one-time link to open SmartHabit in a browser\n"
        "/cancel: leave the current question\n\n"
        "Reply to a check-in confirmation (✅) with text to add a note to it."
    ),
    "CANCELLED": N_("Cancelled. Nothing was saved."),
    "NOTHING_TO_CANCEL": N_("Nothing to cancel. /help lists what I can do."),
    "UNKNOWN_COMMAND": N_("I don't know that command. /help lists what I can do."),
    "ERROR_GENERIC": N_("Sorry, something went wrong on my side. Please try again in a moment."),
    "BUTTON_EXPIRED": N_("This button is no longer valid."),
    "HABIT_NOT_FOUND": N_("Habit not found."),
    "USE_BUTTONS": N_("Please tap one of the buttons above, or /cancel."),
    "NOT_PRIVATE": N_("I only work in a private chat: open a chat with me directly."),
    "TEXT_ONLY": N_("I read text here: type what you want, or /help."),
    "TEXT_ONLY_NAME": N_("Please type the name of the habit."),
    # /new
    "NEW_ASK_NAME": N_(
        "What habit do you want to build? Send a short name, for example <i>Read 20 pages</i>, or all of it in "
        "one sentence, like <i>drink 8 glasses of water daily at 9:00</i>.\n/cancel stops."
    ),
    "NAME_EMPTY": N_("The name can't be empty. Send a short name, for example <i>Drink water</i>."),
    "NAME_INVALID": N_("That name contains characters I can't store. Please send a plain name."),
    "KIND_YES_NO": N_("✅ Done / not done"),
    "KIND_MEASURABLE": N_("📏 An amount"),
    "NEW_ASK_TARGET": N_(
        "What is the daily target? Send a number and a unit, like <code>8 glasses</code> or <code>30 min</code>, "
        "or a limit like <code>at most 2 coffees</code>."
    ),
    "TARGET_INVALID": N_(
        "I need a positive number (up to 1,000,000), optionally followed by a unit of at most 20 characters, "
        "like <code>8 glasses</code>."
    ),
    "ASK_SCHEDULE": N_("How often?"),
    "SCHEDULE_DAILY": N_("Every day"),
    "SCHEDULE_WEEKDAYS": N_("Choose weekdays"),
    "SCHEDULE_TIMES": N_("N times a week"),
    "ASK_WEEKDAYS": N_("Tap the days to switch them on or off, then <b>Done</b>."),
    "WEEKDAYS_DONE": N_("Done"),
    "WEEKDAYS_NEED_ONE": N_("Pick at least one day."),
    "ASK_TIMES": N_("How many times a week?"),
    "NEW_ASK_REMINDER": N_(
        "Shall I remind you? Send a time like <code>07:30</code> or <code>7:30 pm</code> (your local time), "
        "or tap <b>No reminder</b>."
    ),
    "NO_REMINDER": N_("No reminder"),
    "SAVE": N_("💾 Save"),
    "CHANGE": N_("✏️ Change"),
    "CANCEL": N_("Cancel"),
    "NEW_EXPIRED": N_("That form has expired. Start again with /new."),
    # /today and check-ins
    "TODAY_NOTHING_DUE": N_("Nothing is due today. Enjoy! /habits lists all your habits, /new adds one."),
    "TODAY_NO_HABITS": N_("You have no habits yet. Create your first one with /new."),
    "ANSWER_CHECKED_IN": N_("Checked in ✅"),
    "ANSWER_ALREADY": N_("Already checked in"),
    "ANSWER_UNDONE": N_("Undone"),
    "ANSWER_NOT_CHECKED_IN": N_("There was no check-in to undo"),
    "ANSWER_VALUE_ASKED": N_("I asked for the amount below: send a number."),
    "UNDO": N_("↩️ Undo"),
    "CHECKIN_FUTURE": N_("That day hasn't started for you yet."),
    "VALUE_INVALID": N_("Send a number between 0 and 1,000,000, like <code>6</code> or <code>2.5</code>."),
    "NOTE_SAVED": N_("📝 Note saved."),
    "NOTE_NOT_A_CHECKIN": N_("To add a note, reply to one of my check-in confirmations (the ✅ messages)."),
    "NOTE_CHECKIN_GONE": N_("That check-in was undone, so there is nothing to attach the note to."),
    "NOTE_INVALID": N_("That note contains characters I can't store. Please send plain text."),
    "NOTES_BUTTON": N_("📝 Notes by day"),
    "NOTES_HINT": N_("Tap a day you checked in (📝: it has a note) to read or edit its note."),
    "NOTES_NO_CHECKINS": N_("No check-ins this month, so no notes."),
    "NOTE_NONE": N_("No note yet."),
    "DONE_WORD": N_("✅ done"),
    "NOTE_EDIT": N_("✏️ Edit note"),
    "NOTE_ADD": N_("✏️ Add a note"),
    "NOTE_REMOVE": N_("🗑 Remove note"),
    "NOTE_REMOVED": N_("Note removed."),
    # /habits
    "HABITS_EMPTY": N_("You have no habits yet. Create one with /new."),
    "HABITS_HEADER": N_("<b>Your habits</b>"),
    "HABITS_FOOTER": N_("Tap a habit to edit, pause, archive or delete it."),
    "EDIT_NAME": N_("✏️ Name"),
    "EDIT_SCHEDULE": N_("📅 Schedule"),
    "EDIT_REMINDER": N_("⏰ Reminder"),
    "PAUSE": N_("⏸ Pause"),
    "RESUME": N_("▶️ Resume"),
    "ARCHIVE": N_("🗄 Archive"),
    "DELETE": N_("🗑 Delete"),
    "BACK_TO_LIST": N_("« All habits"),
    "YES_ARCHIVE": N_("Yes, archive"),
    "YES_DELETE": N_("Yes, delete"),
    "NO": N_("No"),
    "PAUSE_WEEK": N_("1 week"),
    "PAUSE_TWO_WEEKS": N_("2 weeks"),
    "PAUSE_MONTH": N_("1 month"),
    "PAUSE_DATE_INVALID": N_("Send a date like <code>2026-12-24</code>: today or later, at most a year away."),
    "KEPT": N_("OK, nothing changed."),
    # /stats
    "STATS_NO_HABITS": N_("No habits yet, so no stats. Create one with /new."),
    # /settings
    "SET_LANGUAGE": N_("🗣 Language"),
    "SET_TIMEZONE": N_("🌍 Time zone"),
    "SET_QUIET": N_("🌙 Quiet hours"),
    "SET_DELETE": N_("🗑 Delete my data"),
    "REMINDERS": N_("🔔 Reminders"),
    "NUDGES": N_("💡 Nudges"),
    "ASK_QUIET": N_(
        "Send your quiet hours like <code>22:00-07:00</code>: no reminders or nudges then. Or tap <b>Off</b>."
    ),
    "QUIET_OFF": N_("Off"),
    "QUIET_INVALID": N_("Send two times like <code>22:00-07:00</code> (start and end differ), or tap <b>Off</b>."),
    "CONFIRM_DELETE_ACCOUNT": N_(
        "Delete your account with <b>all</b> habits, check-ins and settings? This can't be undone."
    ),
    "YES_DELETE_ALL": N_("Yes, delete everything"),
    "NO_KEEP": N_("No, keep it"),
    "ACCOUNT_DELETED": N_("Done: everything is deleted. Send /start if you ever want to begin again."),
    "LANGUAGE_ASK": N_("Which language shall I speak?"),
    # export and import
    "EXPORT_CAPTION": N_("Your SmartHabit data (habits, reminders, check-ins, notes, pauses). The app can import it "
                         "again."),
    "OPEN_APP": N_("📊 Open"),
    "OPEN_APP_MENU": N_("Open"),
    "IMPORT_NOT_ZIP": N_("I can import Loop Habit Tracker's export: in Loop, choose <i>Export as CSV</i> and send "
                         "me that zip."),
}


def __getattr__(name: str) -> object:
    """`texts.HELP` and friends, in the current language."""
    if name in _FIXED:
        return _(_FIXED[name])
    if name == "COMMANDS":
        return commands()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def commands() -> tuple[tuple[str, str], ...]:
    """The command menu in the current language."""
    return tuple((command, _(description)) for command, description in _COMMANDS)


def _e(value: object) -> str:
    return escape(str(value), quote=False)


def weekday_short(day: int) -> str:
    return i18n.weekday_name(day, "abbreviated")


def day_label(day: date) -> str:
    return i18n.short_date(day)


def clock(value: time) -> str:
    return value.strftime("%H:%M")


def number(value: float) -> str:
    return i18n.number(value)


def schedule_label(schedule: Schedule) -> str:
    if schedule.kind is ScheduleKind.WEEKDAYS:
        if schedule.weekdays == frozenset(range(5)):
            return _("on weekdays (Mon–Fri)")
        return _("on {days}").format(days=", ".join(weekday_short(d) for d in sorted(schedule.weekdays)))
    if schedule.kind is ScheduleKind.TIMES_PER_WEEK:
        times = schedule.times_per_week or 1
        return ngettext("once a week", "{count} times a week", times).format(count=times)
    return _("every day")


def amount(value: float, unit: str | None) -> str:
    return f"{number(value)} {unit_for(value, unit)}" if unit else number(value)


def unit_for(value: float, unit: str) -> str:
    """An English plural unit typed by the person, made singular for one ("1 coffee", "1 glass");
    other languages keep the unit as typed (their plurals are not a suffix away)."""
    if i18n.current() != "en" or value != 1 or not unit.endswith("s") or unit.endswith("ss"):
        return unit
    if unit.endswith(("sses", "shes", "ches", "xes")):
        return unit[:-2]
    return unit[:-1]


def target_label(target: float | None, unit: str | None, direction: TargetDirection | str | None) -> str:
    if direction == TargetDirection.AT_MOST:
        return _("at most {amount} a day").format(amount=amount(target or 0, unit))
    return _("at least {amount} a day").format(amount=amount(target or 0, unit))


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{round(rate * 100)}%"


# -- start, time zone, language, linking ----------------------------------------------------------

def greeting_new(first_name: str) -> str:
    return _(
        "Hi {name}! I'm <b>SmartHabit</b>: I help you build habits with one tap a day, "
        "streaks and a weekly look back."
    ).format(name=_e(first_name)) + "\n\n" + _(_FIXED["TZ_ASK"])


def greeting_back(first_name: str) -> str:
    return _("Welcome back, {name}! /today shows what is due, /help lists everything I can do.").format(
        name=_e(first_name))


def tz_suggest(query: str) -> str:
    return _("I'm not sure which time zone “{query}” is. Did you mean one of these? Or type another city.").format(
        query=_e(query))


def tz_unknown(query: str) -> str:
    return _(
        "I don't know a time zone for “{query}”. Try a big city near you (like <code>Paris</code>), "
        "an offset like <code>UTC+5:30</code> or a time zone name such as <code>Europe/Paris</code>."
    ).format(query=_e(query))


def tz_set(zone_name: str, local_now: time) -> str:
    return _("Time zone set to <b>{zone}</b> (it is {time} there now).").format(
        zone=_e(zone_name), time=clock(local_now))


def language_set(name: str) -> str:
    return _("I'll speak {language} from now on.").format(language=_e(name))


def link_ok(email: str | None) -> str:
    if email:
        return _("Linked! This chat now belongs to your SmartHabit account <b>{email}</b>: same habits here and "
                 "in the app.").format(email=_e(email))
    return _("Linked! This chat now belongs to your SmartHabit account: same habits here and in the app.")


def link_status(user: User) -> str:
    if user.email:
        return _("🔗 Account: linked to <b>{email}</b>").format(email=_e(user.email))
    return _("🔗 Account: Telegram only. To use the app too, create a link code there and send "
             "<code>/start CODE</code>.")


def domain_error(message: str) -> str:
    """A domain error's own message (written for people, in their language: `DomainError.localized`), escaped."""
    return _e(message)


# -- /new ----------------------------------------------------------------------------------------

def name_too_long(length: int, limit: int) -> str:
    return _("That name is too long ({length} characters, at most {limit}). Please send a shorter one.").format(
        length=length, limit=limit)


def name_taken(name: str) -> str:
    return _("You already have a habit called “{name}”. Please send a different name.").format(name=_e(name))


def new_ask_kind(name: str) -> str:
    return _("<b>{name}</b>: how do you want to track it?").format(name=_e(name))


def time_invalid(text: str) -> str:
    return _(
        "“{text}” isn't a time I understand. Send hours and minutes, like <code>07:30</code>, "
        "<code>21:05</code> or <code>9:05 pm</code>."
    ).format(text=_e(text[:40]))


def keep(value: str) -> str:
    """A button keeping what a sentence gave for this step of the form."""
    return _("↩️ Keep: {value}").format(value=value)


def new_summary(draft: dict[str, object], schedule: Schedule | None) -> str:
    """The proposed habit as a card, for the form and for a habit typed in one sentence."""
    if draft.get("kind") == HabitKind.MEASURABLE:
        track = target_label(draft.get("target"), draft.get("unit"), draft.get("direction"))  # type: ignore[arg-type]
    else:
        track = _("done / not done")
    reminder = draft.get("reminder") or _("none")
    return _(
        "Here is your new habit:\n\n<b>{name}</b>\nTrack: {track}\nWhen: {when}\nReminder: {reminder}\n\n"
        "Save it?"
    ).format(name=_e(draft.get("name")), track=_e(track), reminder=_e(reminder),
             when=schedule_label(schedule) if schedule is not None else _("to choose below"))


def new_saved(name: str) -> str:
    return _("Saved <b>{name}</b>. It shows up in /today; /new adds another one.").format(name=_e(name))


def new_invalid(detail: str) -> str:
    return _("Something in that habit doesn't add up ({detail}). Let's start again: /new").format(
        detail=_e(detail))


# -- /today and check-ins ------------------------------------------------------------------------

def today_header(day: date, done: int, due: int, back: int = 0) -> str:
    if back:
        head = _("<b>Back-filling {date}</b>").format(date=i18n.long_date(day))
    else:
        head = _("<b>Today, {date}</b>").format(date=i18n.long_date(day))
    return head + "\n" + _(
        "{done} of {due} done. Tap a habit to check it in, tap again to undo. Reply to this list to add a "
        "note to your latest check-in."
    ).format(done=done, due=due)


def today_button(habit: Habit, done: bool, value: float | None, streak_count: int, unit: str) -> str:
    if habit.kind is HabitKind.MEASURABLE:
        shown = f" {number(value or 0)}/{number(habit.target or 0)}{' ' + habit.unit if habit.unit else ''}"
    else:
        shown = ""
    if value is not None and habit.kind is HabitKind.MEASURABLE and habit.target_direction == TargetDirection.AT_MOST:
        return f"{'✅' if done else '❌'} {habit.name}{shown}"
    if done:
        return f"✅ {habit.name}{shown} · 🔥{streak_count}"
    if value is not None:  # measured, but short of the target
        return f"◐ {habit.name}{shown}"
    return f"⬜ {habit.name}{shown}"


def earlier_day_button() -> str:
    return _("◀ Earlier day")


def today_button_label() -> str:
    return _("Today ▶")


def nothing_due_on(day: date) -> str:
    return _("Nothing was due on {date}.").format(date=i18n.long_date(day))


def reminder_done_button(name: str, streak_count: int) -> str:
    return _("✅ {name} · 🔥{count} (tap to undo)").format(name=name, count=streak_count)


def reminder_check_button(name: str) -> str:
    return _("⬜ {name}: check in").format(name=name)


def checked_in(name: str, day: date, today: date, streak_count: int, unit: str, milestone: int | None,
               done: bool, value: float | None, habit_unit: str | None,
               direction: TargetDirection | str | None = None) -> str:
    when = "" if day == today else " " + _("for {date}").format(date=day_label(day))
    measured = f" ({_e(amount(value, habit_unit))})" if value is not None else ""
    if done:
        lines = [_("✅ <b>{name}</b>: done{when}{amount}. 🔥 Streak: {streak}.").format(
            name=_e(name), when=when, amount=measured, streak=period(streak_count, unit))]
    elif direction == TargetDirection.AT_MOST:
        lines = [_("❌ <b>{name}</b>: over the limit{when}{amount}. Tomorrow is a fresh start.").format(
            name=_e(name), when=when, amount=measured)]
    else:
        lines = [_("◐ <b>{name}</b>: logged{when}{amount}, short of the target.").format(
            name=_e(name), when=when, amount=measured)]
    if milestone:
        lines.append(milestone_text(milestone, unit))
    lines.append(_("<i>Reply to this message to add a note.</i>"))
    return "\n".join(lines)


def milestone_text(count: int, unit: str) -> str:
    return _("🎉 <b>{period} in a row!</b> That's a milestone: keep going.").format(period=period(count, unit))


def undone(name: str, day: date) -> str:
    return _("↩️ Undone: <b>{name}</b> on {date}.").format(name=_e(name), date=day_label(day))


def checkin_too_old(days: int) -> str:
    return ngettext("That day is too long ago: check-ins can go back {count} day.",
                    "That day is too long ago: check-ins can go back {count} days.", days).format(count=days)


def already_logged(name: str, day: date) -> str:
    return _(
        "<b>{name}</b> already has a value for {date}. To change it, tap it in /today to undo, then tap again."
    ).format(name=_e(name), date=day_label(day))


def ask_value(habit: Habit, day: date, today: date) -> str:
    target = target_label(habit.target, habit.unit, habit.target_direction)
    if day == today:
        text = _("How much <b>{name}</b> today? Target: {target}. Send a number or tap one.")
    else:
        text = _("How much <b>{name}</b> on {date}? Target: {target}. Send a number or tap one.")
    return text.format(name=_e(habit.name), date=day_label(day), target=_e(target))


def ask_more(habit: Habit, logged: float, day: date, today: date) -> str:
    """A partly done day tapped again: add to it (the undo is a button)."""
    target = target_label(habit.target, habit.unit, habit.target_direction)
    when = _("today") if day == today else day_label(day)
    return _("<b>{name}</b> {when}: {logged} so far (target: {target}). How much more? Send a number or tap one."
             ).format(name=_e(habit.name), when=when, logged=_e(amount(logged, habit.unit)), target=_e(target))


def value_ambiguous(first: float, second: float) -> str:
    return _("Did you mean {first} or {second}? Please send the number again without a thousands separator.").format(
        first=number(first), second=number(second))


def note_invalid(limit: int) -> str:
    return _("A note can be at most {limit} characters. Please send a shorter one.").format(limit=limit)


def note_line(day: date, note: str) -> str:
    return _("📝 {date}: {note}").format(date=day_label(day), note=_e(note))


def notes_month(name: str, month: date, notes: Sequence[tuple[date, str]], any_checkin: bool) -> str:
    """A habit's notes of one month, oldest first, above the day picker."""
    head = _("📝 Notes of <b>{name}</b>, {month}").format(name=_e(name), month=_e(i18n.month_year(month)))
    if not any_checkin:
        return head + "\n\n" + _(_FIXED["NOTES_NO_CHECKINS"])
    lines = [_("{date}: {note}").format(date=day_label(day), note=_e(note)) for day, note in notes]
    return "\n\n".join([head, *(["\n".join(lines)] if lines else []), _(_FIXED["NOTES_HINT"])])


def note_day(name: str, day: date, outcome: str, note: str | None) -> str:
    """One checked-in day: what was logged and its note."""
    return _("<b>{name}</b>, {date}: {outcome}").format(name=_e(name), date=_e(i18n.long_date(day)),
                                                       outcome=_e(outcome)) + "\n\n" + (
        _("📝 {note}").format(note=_e(note)) if note else _(_FIXED["NOTE_NONE"]))


def ask_note(day: date, limit: int) -> str:
    return _("Send the note for {date} (at most {limit} characters; line breaks are fine), or /cancel.").format(
        date=_e(i18n.long_date(day)), limit=limit)


def back_to_month(month: date) -> str:
    return _("« {month}").format(month=i18n.month_year(month))


# -- /habits ---------------------------------------------------------------------------------------

def habit_summary(habit: Habit, streak_count: int, longest: int, unit: str, strength: float, week_done: int,
                  week_target: int, paused_until: date | None, reminders: Sequence[time]) -> str:
    when = schedule_label(habit.schedule)
    if reminders:
        when += ", ⏰ " + ", ".join(clock(t) for t in reminders)
    lines = [
        f"<b>{_e(habit.name)}</b>: {when}",
        _("🔥 {streak} (best {best}) · 💪 strength {strength} · this week {done}/{due}").format(
            streak=period(streak_count, unit), best=longest, strength=percent(strength), done=week_done,
            due=week_target),
    ]
    if habit.kind is HabitKind.MEASURABLE:
        lines.insert(1, f"📏 {_e(target_label(habit.target, habit.unit, habit.target_direction))}")
    if paused_until is not None:
        lines.append(_("⏸ paused until {date}").format(date=day_label(paused_until)))
    return "\n".join(lines)


def habit_details(completion: dict[int, float | None], best: int | None, worst: int | None, total: int) -> str:
    rates = " · ".join(
        ngettext("{count} day {rate}", "{count} days {rate}", days).format(count=days, rate=percent(rate))
        for days, rate in sorted(completion.items()))
    lines = [_("Completion: {rates}").format(rates=rates),
             ngettext("Done once in all.", "Done {count} times in all.", total).format(count=total)]
    if best is not None and worst is not None and best != worst:
        lines.append(_("Best day: {best} · hardest: {worst}").format(
            best=i18n.weekday_name(best), worst=i18n.weekday_name(worst)))
    return "\n".join(lines)


def more_habits(count: int) -> str:
    return ngettext("… and {count} more.", "… and {count} more.", count).format(count=count)


def ask_rename(name: str) -> str:
    return _("Send the new name for <b>{name}</b> (or /cancel).").format(name=_e(name))


def renamed(name: str) -> str:
    return _("Renamed to <b>{name}</b>.").format(name=_e(name))


def ask_edit_schedule(name: str) -> str:
    return _("How often should <b>{name}</b> be due?").format(name=_e(name))


def schedule_saved(name: str, schedule: Schedule) -> str:
    return _("<b>{name}</b> is now due {when}.").format(name=_e(name), when=schedule_label(schedule))


def ask_edit_reminder(name: str, current: Sequence[time]) -> str:
    now = ", ".join(clock(t) for t in current) if current else _("none")
    return _(
        "Reminder for <b>{name}</b> now: {current}. Send a new time like <code>07:30</code>, "
        "or tap <b>No reminder</b>."
    ).format(name=_e(name), current=now)


def reminder_saved(name: str, at: time | None) -> str:
    if at is None:
        return _("No more reminders for <b>{name}</b>.").format(name=_e(name))
    return _("I'll remind you of <b>{name}</b> at {time} (your time).").format(name=_e(name), time=clock(at))


def ask_pause(name: str) -> str:
    return _(
        "Pause <b>{name}</b> until when? Tap a length or send a date like <code>2026-12-24</code>. "
        "Paused days neither break nor count for your streak."
    ).format(name=_e(name))


def paused(name: str, until: date) -> str:
    return _("⏸ <b>{name}</b> is paused until {date} (included).").format(name=_e(name), date=day_label(until))


def resumed(name: str) -> str:
    return _("▶️ <b>{name}</b> is due again from today.").format(name=_e(name))


def confirm_archive(name: str) -> str:
    return _("Archive <b>{name}</b>? It leaves /today and /habits; its history is kept.").format(name=_e(name))


def archived(name: str) -> str:
    return _("🗄 <b>{name}</b> is archived.").format(name=_e(name))


def confirm_delete(name: str) -> str:
    return _("Delete <b>{name}</b> and all its check-ins for good? This can't be undone.").format(name=_e(name))


def deleted(name: str) -> str:
    return _("🗑 <b>{name}</b> is deleted.").format(name=_e(name))


# -- /stats ------------------------------------------------------------------------------------------

def weekly_stats(week: str, start: date, end: date, sentences: Sequence[str]) -> str:
    head = _("<b>Week {week}</b> ({start} – {end})").format(week=_e(week), start=day_label(start),
                                                           end=day_label(end))
    return head + "\n" + "\n".join(_e(s) for s in sentences)


def weekly_caption(week: str, done: int, due: int, rate: float | None) -> str:
    """The picture's caption carries its key numbers (Telegram's nearest thing to alt text)."""
    return _("Week {week}: {done} of {due} done ({rate}). Bars: share of what was due, per habit.").format(
        week=_e(week), done=done, due=due, rate=percent(rate))


def habit_caption(name: str, done: int, missed: int, streak_text: str) -> str:
    return _("<b>{name}</b>, the last 12 months: {done} done, {missed} missed; now {streak}.").format(
        name=_e(name), done=done, missed=missed, streak=streak_text)


def habit_stats_text(summary: str, details: str) -> str:
    return f"{summary}\n{details}"


def stats_habit_not_found(query: str, names: Sequence[str]) -> str:
    known = ", ".join(_e(n) for n in names) if names else _("none yet")
    return _("I can't find a habit called “{query}”. Your habits: {names}.").format(query=_e(query[:100]),
                                                                                    names=known)


def stats_habit_ambiguous(query: str, names: Sequence[str]) -> str:
    return _("“{query}” matches several habits: {names}. Please be more precise.").format(
        query=_e(query[:100]), names=", ".join(_e(n) for n in names))


# -- /settings ---------------------------------------------------------------------------------------

def on_off(enabled: bool) -> str:
    return _("on") if enabled else _("off")


def settings(user: User) -> str:
    quiet = (
        f"{clock(user.quiet_start)}–{clock(user.quiet_end)}"
        if user.quiet_start is not None and user.quiet_end is not None
        else _("off")
    )
    return _(
        "<b>Settings</b>\n🗣 Language: {language}\n🌍 Time zone: {zone}\n🔔 Reminders: {reminders}\n"
        "💡 Nudges (tips when a streak is at risk): {nudges}\n🌙 Quiet hours: {quiet}\n"
    ).format(language=i18n.LANGUAGES[i18n.current()], zone=_e(user.timezone), reminders=on_off(user.reminders_enabled),
             nudges=on_off(user.nudges_enabled), quiet=quiet) + _("⏰ Reminders due in quiet hours: {choice}").format(
        choice=quiet_reminders(user.quiet_reminders_later)) + "\n" + link_status(user)


def quiet_reminders(later: bool) -> str:
    return _("sent when they end") if later else _("dropped")


def quiet_reminders_label(later: bool) -> str:
    return _("⏰ Reminders in quiet hours: drop them") if later else _("⏰ Reminders in quiet hours: send them after")


def toggle_label(what: str, enabled: bool) -> str:
    if enabled:
        return _("{setting}: turn off").format(setting=what)
    return _("{setting}: turn on").format(setting=what)


# -- one-message habits --------------------------------------------------------------------------

def proposed_header() -> str:
    return _("I understood this habit: Save it, or Change what I got wrong.")



# -- export and import ---------------------------------------------------------------------------

def import_too_large(limit: int) -> str:
    return _("That file is too large to import (the limit is {size} MB).").format(size=limit // (1024 * 1024))


def loop_imported(created: int, matched: int, checkins: int, pauses: int, renamed: dict[str, str]) -> str:
    lines = [_("📥 Imported from Loop: {habits}, {checkins} and {pauses} for skipped days.").format(
        habits=ngettext("{count} new habit", "{count} new habits", created).format(count=created),
        checkins=ngettext("{count} check-in", "{count} check-ins", checkins).format(count=checkins),
        pauses=ngettext("{count} pause", "{count} pauses", pauses).format(count=pauses))]
    if matched:
        lines.append(ngettext("{count} habit from an earlier import got only what was missing.",
                              "{count} habits from an earlier import got only what was missing.",
                              matched).format(count=matched))
    for old, new in renamed.items():
        lines.append(_("<b>{old}</b> is called <b>{new}</b> here (the name was taken).").format(
            old=_e(old), new=_e(new)))
    return "\n".join(lines)


def import_failed(message: str) -> str:
    return _("I couldn't import that file: {reason} Nothing was changed.").format(reason=_e(message))


# -- the web app ----------------------------------------------------------------------------------

def web_login(link: str, minutes: int) -> str:
    return ngettext(
        '🌐 <a href="{link}">Open SmartHabit in your browser</a>\nThe link signs you in once and works for '
        "{minutes} minute. Don't share it.",
        '🌐 <a href="{link}">Open SmartHabit in your browser</a>\nThe link signs you in once and works for '
        "{minutes} minutes. Don't share it.", minutes).format(link=escape(link, quote=True), minutes=minutes)
