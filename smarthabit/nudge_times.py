"""When a habit's nudges may fire: its local trigger minutes and the next instant, DST-safe.

A habit has at most two trigger minutes a day (local wall clock):
- skip risk: `SKIP_LEAD_MINUTES` before its usual check-in minute, or `DEFAULT_SKIP_MINUTE` while the
  usual minute is not learned (a usual minute earlier than the lead has no skip trigger: the nudge
  would belong to the day before);
- streak risk: `STREAK_RISK_MINUTE`, for a streak of at least `STREAK_RISK_MIN_DAYS`.
Times-per-week habits get neither.

The two fixed minutes are spread over `SPREAD_MINUTES` by a stable offset from the owner's id: a
zone's 09:00 and 20:00 waves become an hour of small minutes that delivery can keep up with (a
nudge tolerates being moved; a reminder, at the time the person chose, is not spread here). A
person's habits share one offset, so the daily cap still keeps their longest streaks. Learned
minutes are spread by nature.

The next trigger instant is stored on the habit (`Habit.next_nudge_at`, indexed) so the per-minute
scan reads only the habits due now, the way reminders store theirs. A trigger fires during
`NUDGE_WINDOW_MINUTES` after its instant, so a missed scan minute does not lose it. Instants come
from `reminder_times.next_fire_at`: once per local day, a daylight-saving change neither skips nor
doubles a trigger.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any

from smarthabit.reminder_times import next_fire_at
from smarthabit.schedule import ScheduleKind

SKIP_LEAD_MINUTES = 75
DEFAULT_SKIP_MINUTE = 9 * 60
STREAK_RISK_MINUTE = 20 * 60
STREAK_RISK_MIN_DAYS = 7
NUDGE_WINDOW_MINUTES = 15
NUDGE_WINDOW = timedelta(minutes=NUDGE_WINDOW_MINUTES)
SPREAD_MINUTES = 60


def spread(user_id: int) -> int:
    """The person's stable offset in [-SPREAD_MINUTES/2, SPREAD_MINUTES/2) minutes (a multiplicative
    hash, so consecutive ids land far apart)."""
    return (user_id * 2654435761) % 2**32 % SPREAD_MINUTES - SPREAD_MINUTES // 2


def skip_minute(schedule_kind: ScheduleKind, usual_minute: int | None, user_id: int = 0) -> int | None:
    """The local minute of the skip-risk trigger, or None when the habit has none."""
    if schedule_kind is ScheduleKind.TIMES_PER_WEEK:
        return None
    if usual_minute is None:
        return DEFAULT_SKIP_MINUTE + spread(user_id)
    start = usual_minute - SKIP_LEAD_MINUTES
    return start if start >= 0 else None


def streak_minute(schedule_kind: ScheduleKind, current_streak: int, user_id: int = 0) -> int | None:
    """The local minute of the streak-risk trigger, or None when the streak is not worth guarding."""
    if schedule_kind is ScheduleKind.TIMES_PER_WEEK or current_streak < STREAK_RISK_MIN_DAYS:
        return None
    return STREAK_RISK_MINUTE + spread(user_id)


@lru_cache(maxsize=4096)
def _wall(minute: int) -> time:
    return time(minute // 60, minute % 60)


def next_trigger(minutes: tuple[int | None, ...], tz_name: str, after: datetime) -> datetime | None:
    """The first trigger instant strictly after `after` (None when there is no trigger)."""
    instants = [next_fire_at(_wall(m), tz_name, after) for m in minutes if m is not None]
    return min(instants, default=None)


def fires(minute: int | None, tz_name: str, now: datetime) -> bool:
    """Whether the trigger at local `minute` is inside its window at `now`."""
    if minute is None:
        return False
    return next_fire_at(_wall(minute), tz_name, now - NUDGE_WINDOW) <= now


def habit_next_nudge(habit: Any, tz_name: str, after: datetime) -> datetime | None:
    """The habit's next trigger instant after `after` (None when archived or without triggers)."""
    if habit.archived_at is not None:
        return None
    minutes = (skip_minute(habit.schedule_kind, habit.usual_checkin_minute, habit.user_id),
               streak_minute(habit.schedule_kind, habit.current_streak, habit.user_id))
    return next_trigger(minutes, tz_name, after)
