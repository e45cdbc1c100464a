"""A habit's year at a glance: the state of every day and its strength week by week.

Each local day gets one state, first match wins:

- `future`: after today;
- `done`: a check-in that counts (a measurable one meets its target);
- `partial`: a check-in of a measurable habit that falls short of its target;
- `before_start`: before the habit existed, without a check-in (never "missed");
- `paused`: inside a pause;
- `open`: today, due and not done yet (the day is not over);
- `not_due`: not scheduled that weekday, or a times-per-week day in a week whose quota was met or
  is still open;
- `missed`: a scheduled day that passed undone (times-per-week: an undone day of a past week that
  fell short of its quota).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from smarthabit.clock import local_today
from smarthabit.habits import get_habit
from smarthabit.models import CheckIn, Habit, User
from smarthabit.schedule import Pause, Schedule, ScheduleKind, week_start
from smarthabit.streak_cache import habit_pauses
from smarthabit.strength import strength

MAX_DAYS = 400  # a year and a bit: one heatmap per request


class DayState(StrEnum):
    DONE = "done"
    PARTIAL = "partial"
    MISSED = "missed"
    NOT_DUE = "not_due"
    PAUSED = "paused"
    BEFORE_START = "before_start"
    OPEN = "open"
    FUTURE = "future"


@dataclass(frozen=True, slots=True)
class HeatmapDay:
    day: date
    state: DayState
    value: float | None


@dataclass(frozen=True, slots=True)
class HabitHeatmap:
    habit: Habit
    today: date
    days: list[HeatmapDay]
    strength: list[tuple[date, float]]  # at the end of each week in range (today for the current one)


def day_states(
    schedule: Schedule, values: Mapping[date, float | None], counts_as_done: Callable[[float | None], bool],
    pauses: Sequence[Pause], start_day: date, first: date, last: date, today: date,
) -> list[HeatmapDay]:
    """The state of every day in [first, last] (the rules are in the module docstring)."""
    done = {day for day, value in values.items() if counts_as_done(value)}
    days = []
    day = first
    while day <= last:
        state = _state(schedule, done, values, pauses, start_day, day, today)
        days.append(HeatmapDay(day, state, values.get(day)))
        day += timedelta(days=1)
    return days


def _state(schedule: Schedule, done: set[date], values: Mapping[date, float | None], pauses: Sequence[Pause],
           start_day: date, day: date, today: date) -> DayState:
    if day > today:
        return DayState.FUTURE
    if day in done:  # a check-in back-filled before the habit's creation still shows
        return DayState.DONE
    if day in values:
        return DayState.PARTIAL
    if day < start_day:
        return DayState.BEFORE_START
    if any(pause.covers(day) for pause in pauses):
        return DayState.PAUSED
    if not schedule.is_scheduled(day):
        return DayState.NOT_DUE
    if day == today:
        return DayState.OPEN
    if schedule.kind is ScheduleKind.TIMES_PER_WEEK:
        return DayState.MISSED if _week_fell_short(schedule, done, day, today) else DayState.NOT_DUE
    return DayState.MISSED


def _week_fell_short(schedule: Schedule, done: set[date], day: date, today: date) -> bool:
    monday = week_start(day)
    sunday = monday + timedelta(days=6)
    if sunday >= today:
        return False  # the week is still open
    achieved = sum(1 for offset in range(7) if monday + timedelta(days=offset) in done)
    return achieved < schedule.times_per_week


def weekly_strength(schedule: Schedule, done: set[date], pauses: Sequence[Pause], start_day: date,
                    first: date, last: date, today: date) -> list[tuple[date, float]]:
    """Strength at each Sunday in range that has passed, and today: the curve of "strength over time"."""
    points = []
    sunday = week_start(max(first, start_day)) + timedelta(days=6)
    end = min(last, today)
    while sunday < end:
        points.append((sunday, strength(schedule, done, sunday, pauses, start=start_day)))
        sunday += timedelta(days=7)
    if start_day <= end:
        points.append((end, strength(schedule, done, end, pauses, start=start_day)))
    return points


_EARLIEST = date.min + timedelta(days=2 * MAX_DAYS)
_LATEST = date.max - timedelta(days=31)


def _within_calendar(day: date) -> date:
    """Any date is a valid bound, but the week arithmetic here would step past year 1 or 9999: days that
    far out hold nothing, so the bound moves in until it is safe."""
    return min(max(day, _EARLIEST), _LATEST)


async def habit_heatmap(user: User, habit_id: int, first: date | None = None, last: date | None = None,
                         *, now: datetime | None = None) -> HabitHeatmap:
    """The heatmap of one of the user's habits; default: the 53 weeks up to this week's Sunday."""
    today = local_today(user.timezone, now)
    last = _within_calendar(last or week_start(today) + timedelta(days=6))
    first = _within_calendar(first or week_start(last) - timedelta(weeks=52))
    first = max(first, last - timedelta(days=MAX_DAYS - 1))
    habit = await get_habit(user, habit_id)
    values = dict(await CheckIn.filter(habit_id=habit.id, day__lte=last).values_list("day", "value"))
    pauses = await habit_pauses(habit)
    days = day_states(habit.schedule, {d: v for d, v in values.items() if d >= first}, habit.counts_as_done,
                      pauses, habit.start_day, first, last, today)
    done = {day for day, value in values.items() if habit.counts_as_done(value)}
    curve = weekly_strength(habit.schedule, done, pauses, habit.start_day, first, last, today) if days else []
    return HabitHeatmap(habit, today, days, curve)
