"""Parts the habit forms share: a checked name and the schedule buttons' steps (/new, the habit
editor and the one-sentence card)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from telegram import InlineKeyboardMarkup

from bot import callbacks, keyboards, texts
from smarthabit import habits
from smarthabit.errors import Conflict
from smarthabit.models import User
from smarthabit.schedule import ScheduleKind
from smarthabit.schemas import MAX_HABIT_NAME, HabitCreate, ScheduleIn

WORKDAYS_MASK = 0b0011111


async def validated_name(user: User, text: str, *, exclude_id: int | None = None) -> tuple[str | None, str | None]:
    """(name, None) when the text is a usable, unused habit name, else (None, the re-ask text)."""
    try:
        name = HabitCreate(name=text).name
    except ValidationError:
        stripped = text.strip()
        if not stripped:
            return None, texts.NAME_EMPTY
        if len(stripped) > MAX_HABIT_NAME:
            return None, texts.name_too_long(len(stripped), MAX_HABIT_NAME)
        return None, texts.NAME_INVALID
    try:
        await habits.check_name_available(user, name, exclude_id=exclude_id)
    except Conflict:
        return None, texts.name_taken(name)
    return name, None


def schedule_in(kind: ScheduleKind, mask: int = 0, times: int | None = None) -> ScheduleIn:
    """A schedule from button values, validated by the domain's model."""
    return ScheduleIn(kind=kind, weekdays=callbacks.weekdays_of(mask), times_per_week=times)


@dataclass(frozen=True, slots=True)
class ScheduleStep:
    """Where a schedule button leads: a chosen schedule, the next screen, or a toast saying why not."""

    chosen: ScheduleIn | None = None
    screen: tuple[str, InlineKeyboardMarkup] | None = None
    problem: str | None = None


def schedule_step(action: callbacks.Action | None, data: keyboards.DataFor) -> ScheduleStep:
    """Every day / weekday toggles / N times a week; the toggles live in the buttons themselves.
    Shared by the /new form and the one-sentence card (`data` builds their callback data)."""
    if action is None:
        return ScheduleStep(problem=texts.BUTTON_EXPIRED)
    mask = callbacks.parse_mask(action.arg)
    if action.action == "sk":
        kind = callbacks.parse_schedule_kind(action.arg)
        if kind is ScheduleKind.DAILY:
            return ScheduleStep(chosen=schedule_in(kind))
        if kind is ScheduleKind.WEEKDAYS:
            return ScheduleStep(screen=(texts.ASK_WEEKDAYS, keyboards.weekdays(data, WORKDAYS_MASK)))
        if kind is ScheduleKind.TIMES_PER_WEEK:
            return ScheduleStep(screen=(texts.ASK_TIMES, keyboards.times_per_week(data)))
    elif action.action == "wd" and mask is not None:
        return ScheduleStep(screen=(texts.ASK_WEEKDAYS, keyboards.weekdays(data, mask)))
    elif action.action == "wdok" and mask is not None:
        return ScheduleStep(chosen=schedule_in(ScheduleKind.WEEKDAYS, mask)) if mask else ScheduleStep(
            problem=texts.WEEKDAYS_NEED_ONE)
    elif action.action == "tpw" and (times := callbacks.parse_times(action.arg)) is not None:
        return ScheduleStep(chosen=schedule_in(ScheduleKind.TIMES_PER_WEEK, times=times))
    return ScheduleStep(problem=texts.BUTTON_EXPIRED)


