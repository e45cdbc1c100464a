"""What the bot and the workers both say or draw: the check-in button, the streak wording and the
limits of a check-in, defined once.

The check-in button's callback data is ``checkin:{habit_id}:{day}`` (the user's local date) with
optional ``:undo`` and ``:list`` suffixes; the workers put the plain form under reminders and the
bot parses every form. The data comes back from the client and may be forged, so the parser accepts
only its exact shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from smarthabit.i18n import _, ngettext
from smarthabit.models import MAX_ID
from smarthabit.schedule import ScheduleKind

BACKFILL_DAYS = 7  # a check-in can be for today or up to this many days back
MAX_VALUE = 1_000_000  # a measured value lies in 0..MAX_VALUE
MAX_NOTE = 500  # characters in a check-in's note

CHECKIN_PATTERN = r"^checkin:"
_CHECKIN = re.compile(r"checkin:([1-9]\d{0,9}):(\d{4}-\d{2}-\d{2})(:undo)?(:list)?")


@dataclass(frozen=True, slots=True)
class CheckinTap:
    habit_id: int
    day: date
    undo: bool
    in_list: bool


def checkin_data(habit_id: int, day: date, *, undo: bool = False, in_list: bool = False) -> str:
    return f"checkin:{habit_id}:{day.isoformat()}{':undo' if undo else ''}{':list' if in_list else ''}"


def parse_checkin_data(data: str | None) -> CheckinTap | None:
    match = _CHECKIN.fullmatch(data or "")
    if match is None or int(match[1]) > MAX_ID:
        return None
    try:
        day = date.fromisoformat(match[2])
    except ValueError:
        return None
    return CheckinTap(int(match[1]), day, bool(match[3]), bool(match[4]))


def checkin_button_label() -> str:
    """The label of the check-in button under a reminder, in the current language."""
    return _("✅ Done")


def streak_unit(schedule_kind: ScheduleKind) -> str:
    """A times-per-week habit's streak counts weeks, every other habit's counts days."""
    return "weeks" if schedule_kind is ScheduleKind.TIMES_PER_WEEK else "days"


def period(count: int, unit: str) -> str:
    """"1 day", "3 days", "5 дней": a count of the streak unit with the right plural form."""
    if unit == "weeks":
        return ngettext("{count} week", "{count} weeks", count).format(count=count)
    return ngettext("{count} day", "{count} days", count).format(count=count)


def streak(count: int, unit: str) -> str:
    """The streak as a phrase: "your 5-day streak" in English, the same in every catalog."""
    if unit == "weeks":
        return ngettext("your {count}-week streak", "your {count}-week streak", count).format(count=count)
    return ngettext("your {count}-day streak", "your {count}-day streak", count).format(count=count)
