"""The callback_data grammar of every inline button, built and parsed in one place.

callback_data comes back from the client and may be forged, so each parser accepts only its exact
shape (bounded integers, real dates, known actions) and returns None for anything else. Ownership is
never decided here: the domain answers NotFound for another user's habit.

Check-in buttons: ``checkin:{habit_id}:{day}`` is also what the workers put under reminder messages
(the day is the user's local date). Our own variants add ``:undo`` and/or ``:list`` (the button sits
in a /today list, which is re-rendered after the tap), so one handler serves all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from smarthabit.clock import is_valid_timezone
from smarthabit.models import MAX_ID
from smarthabit.schedule import ScheduleKind

CHECKIN_PATTERN = r"^checkin:"
NEW_PATTERN = r"^new:"
HABIT_PATTERN = r"^hab:"
HABITS_LIST = "habs"
TIMEZONE_PATTERN = r"^tz:"
SETTINGS_PATTERN = r"^set:"

_ID = r"([1-9]\d{0,9})"
_CHECKIN = re.compile(rf"checkin:{_ID}:(\d{{4}}-\d{{2}}-\d{{2}})(:undo)?(:list)?")
_HABIT = re.compile(rf"hab:{_ID}(?::([a-z]{{1,8}}))?(?::(\w{{1,16}}))?")
_NEW = re.compile(r"new:([a-z]{1,8})(?::(\w{1,16}))?")
_SETTINGS = re.compile(r"set:([a-z]{1,10})(?::([a-z]{1,8}))?")
ALL_DAYS_MASK = 0b1111111


@dataclass(frozen=True, slots=True)
class CheckinTap:
    habit_id: int
    day: date
    undo: bool
    in_list: bool


@dataclass(frozen=True, slots=True)
class Action:
    """A parsed button: `target` is the habit id for habit buttons, 0 otherwise."""

    target: int
    action: str
    arg: str | None


def checkin(habit_id: int, day: date, *, undo: bool = False, in_list: bool = False) -> str:
    return f"checkin:{habit_id}:{day.isoformat()}{':undo' if undo else ''}{':list' if in_list else ''}"


def parse_checkin(data: str | None) -> CheckinTap | None:
    match = _CHECKIN.fullmatch(data or "")
    if match is None or int(match[1]) > MAX_ID:
        return None
    try:
        day = date.fromisoformat(match[2])
    except ValueError:
        return None
    return CheckinTap(int(match[1]), day, bool(match[3]), bool(match[4]))


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


def settings(action: str, arg: str | None = None) -> str:
    return f"set:{action}" + (f":{arg}" if arg is not None else "")


def parse_settings(data: str | None) -> Action | None:
    match = _SETTINGS.fullmatch(data or "")
    return None if match is None else Action(0, match[1], match[2])


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
