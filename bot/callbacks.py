"""The callback_data grammar of every inline button, built and parsed in one place.

callback_data comes back from the client and may be forged, so each parser accepts only its exact
shape (bounded integers, real dates, known actions) and returns None for anything else. Ownership is
never decided here: the domain answers NotFound for another user's habit.

Check-in buttons are defined once, in `smarthabit.wording` (the workers draw them too); they are
re-exported here so every button of the bot is found in this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from smarthabit import i18n, wording
from smarthabit.clock import is_valid_timezone
from smarthabit.models import MAX_ID
from smarthabit.schedule import ScheduleKind

CHECKIN_PATTERN = wording.CHECKIN_PATTERN
NEW_PATTERN = r"^new:"
HABIT_PATTERN = r"^hab:"
HABITS_LIST = "habs"
TIMEZONE_PATTERN = r"^tz:"
SETTINGS_PATTERN = r"^set:"
LANGUAGE_PATTERN = r"^lang:"
VALUE_PATTERN = r"^val:"
PROPOSAL_CHANGE = r"^hs:change$"  # "Change" opens the step-by-step form (its own conversation)
PROPOSAL_PATTERN = r"^hs:(?!change$)"
DAY_PATTERN = r"^day:"

_ID = r"([1-9]\d{0,9})"
_HABIT = re.compile(rf"hab:{_ID}(?::([a-z]{{1,8}}))?(?::(\w{{1,16}}))?")
_PROPOSAL = re.compile(r"hs:([a-z]{1,8})(?::(\w{1,16}))?")
_NEW = re.compile(r"new:([a-z]{1,8})(?::(\w{1,16}))?")
_SETTINGS = re.compile(r"set:([a-z]{1,10})(?::([a-z]{1,8}))?")
ALL_DAYS_MASK = 0b1111111


@dataclass(frozen=True, slots=True)
class Action:
    """A parsed button: `target` is the habit id for habit buttons, 0 otherwise."""

    target: int
    action: str
    arg: str | None


checkin = wording.checkin_data
parse_checkin = wording.parse_checkin_data


def habit(habit_id: int, action: str | None = None, arg: object = None) -> str:
    data = f"hab:{habit_id}"
    if action:
        data += f":{action}"
        if arg is not None:
            data += f":{arg}"
    return data


def parse_habit(data: str | None) -> Action | None:
    match = _HABIT.fullmatch(data or "")
    if match is None or int(match[1]) > MAX_ID:
        return None
    return Action(int(match[1]), match[2] or "card", match[3])


def new(action: str, arg: object = None) -> str:
    return f"new:{action}" + (f":{arg}" if arg is not None else "")


def parse_new(data: str | None) -> Action | None:
    match = _NEW.fullmatch(data or "")
    return None if match is None else Action(0, match[1], match[2])


def proposal(action: str, arg: object = None) -> str:
    """A button of the card proposed from one sentence (save, change, cancel, schedule steps)."""
    return f"hs:{action}" + (f":{arg}" if arg is not None else "")


def parse_proposal(data: str | None) -> Action | None:
    match = _PROPOSAL.fullmatch(data or "")
    return None if match is None else Action(0, match[1], match[2])


def settings(action: str, arg: str | None = None) -> str:
    return f"set:{action}" + (f":{arg}" if arg is not None else "")


def parse_settings(data: str | None) -> Action | None:
    match = _SETTINGS.fullmatch(data or "")
    return None if match is None else Action(0, match[1], match[2])


_VALUE = re.compile(r"val:(\d{1,7}(?:\.\d{1,2})?)")


def value(amount: float) -> str:
    """A quick-amount button under the "how much?" question (the habit and day are the question's)."""
    return f"val:{round(amount, 2):g}"


def parse_value(data: str | None) -> float | None:
    match = _VALUE.fullmatch(data or "")
    if match is None:
        return None
    amount = float(match[1])
    return amount if amount <= wording.MAX_VALUE else None


def day(back: int) -> str:
    """/today for an earlier day: `back` days before the user's today."""
    return f"day:{back}"


def parse_day(data: str | None) -> int | None:
    match = re.fullmatch(r"day:(\d)", data or "")
    if match is None or int(match[1]) > wording.BACKFILL_DAYS:
        return None
    return int(match[1])


def month_arg(month: date) -> str:
    """A month as a habit button's argument (the notes of that month): YYYYMM."""
    return f"{month.year:04d}{month.month:02d}"


def parse_month_arg(arg: str | None) -> date | None:
    """The first day of a YYYYMM argument, or None when it is not a real month."""
    if arg is None or not re.fullmatch(r"\d{6}", arg) or not 1 <= int(arg[4:]) <= 12 or int(arg[:4]) < 2:
        return None
    return date(int(arg[:4]), int(arg[4:]), 1)


def day_arg(day: date) -> str:
    """A day as a habit button's argument: YYYYMMDD."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def parse_day_arg(arg: str | None) -> date | None:
    """The day of a YYYYMMDD argument, or None when it is not a real date."""
    if arg is None or not re.fullmatch(r"\d{8}", arg):
        return None
    try:
        return date(int(arg[:4]), int(arg[4:6]), int(arg[6:]))
    except ValueError:
        return None


def language(code: str) -> str:
    return f"lang:{code}"


def parse_language(data: str | None) -> str | None:
    """The language of a /language button, only if we speak it (the data may be forged)."""
    if not data or not data.startswith("lang:"):
        return None
    code = data[5:]
    return code if code in i18n.LANGUAGES else None


def timezone(zone_name: str) -> str:
    return f"tz:{zone_name}"


def parse_timezone(data: str | None) -> str | None:
    """The zone of a suggestion button, only if it is a real IANA zone (the data may be forged)."""
    if not data or not data.startswith("tz:"):
        return None
    zone_name = data[3:]
    return zone_name if is_valid_timezone(zone_name) else None


# -- schedule buttons, shared by /new and the habit editor ------------------------------------------


def parse_mask(arg: str | None) -> int | None:
    """A weekday bit mask (bit 0 = Monday) from a button, or None when it is not one."""
    if arg is None or not arg.isdigit() or len(arg) > 3:
        return None
    mask = int(arg)
    return mask if 0 <= mask <= ALL_DAYS_MASK else None


def parse_times(arg: str | None) -> int | None:
    if arg is None or not arg.isdigit() or len(arg) > 1:
        return None
    times = int(arg)
    return times if 1 <= times <= 7 else None


def parse_schedule_kind(arg: str | None) -> ScheduleKind | None:
    try:
        return ScheduleKind(arg) if arg else None
    except ValueError:
        return None


def weekdays_of(mask: int) -> list[int]:
    return [d for d in range(7) if mask & (1 << d)]
