"""How established a habit is: a Loop-style strength score and the plain completion rate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from math import sqrt

from smarthabit.schedule import Pause, Schedule, ScheduleKind, paused_ordinals, weekday_of

HALF_LIFE_SCALE = 13  # Loop Habit Tracker's constant: a daily habit's score halves in 13 missed days.


def strength(
    schedule: Schedule,
    done: Iterable[date],
    today: date,
    pauses: Sequence[Pause] = (),
    start: date | None = None,
) -> float:
    """Habit strength in [0, 1] as of `today`, starting from 0 on `start` (default: first done day).

    Exponential smoothing as in Loop Habit Tracker, so a few misses after a long run only dent the
    score: each counted day moves it by `score = score * m + value * (1 - m)`. Paused days leave it
    unchanged.

    Daily and weekdays habits count their scheduled days, value 1 if done else 0; today counts only
    once done (the day is not over). Loop decays every calendar day with m = 0.5 ** (sqrt(f) / 13);
    a weekdays habit steps only on its 7f scheduled days a week, so each step uses
    m = 0.5 ** (1 / (13 * sqrt(f))), which gives the same decay per week (for f = 1 both are equal).

    Times-per-week habits follow Loop's ScoreList: every day, today included, steps with
    m = 0.5 ** (sqrt(f) / 13) and value min(1, done days in the last 14 / 2N); the two-week window
    smooths out irregular weeks.
    """
    last = today.toordinal()
    done_days = {ordinal for day in done if (ordinal := day.toordinal()) <= last}
    first = start.toordinal() if start is not None else min(done_days, default=last)
    if first > last:
        return 0.0
    paused = paused_ordinals(pauses, first, last)
    frequency = schedule.frequency
    score = 0.0
    if schedule.kind is ScheduleKind.TIMES_PER_WEEK and frequency < 1:
        multiplier = 0.5 ** (sqrt(frequency) / HALF_LIFE_SCALE)
        window, target = 14, 2 * schedule.times_per_week
        # Done days in the 14 days up to and including `day`; days before `start` count too.
        in_window = sum(1 for day in range(first - window, first) if day in done_days)
        for day in range(first, last + 1):
            in_window += (day in done_days) - (day - window in done_days)
            if day not in paused:
                score = score * multiplier + min(1.0, in_window / target) * (1 - multiplier)
        return score
    multiplier = 0.5 ** (1 / (HALF_LIFE_SCALE * sqrt(frequency)))
    weekdays = schedule.scheduled_weekdays
    for day in range(first, last + 1):
        if day in paused or weekday_of(day) not in weekdays:
            continue
        if day in done_days:
            score = score * multiplier + (1 - multiplier)
        elif day != last:
            score *= multiplier
    return score


def completion_counts(
    schedule: Schedule, done: Iterable[date], start: date, end: date, pauses: Sequence[Pause] = ()
) -> tuple[int, int]:
    """(achieved, expected) in the inclusive window [start, end]; paused days are outside it.

    Daily and weekdays habits: done scheduled days and scheduled days. Times-per-week habits, per ISO
    week: min(done days, required) and required, where a week only partly in the window or partly
    paused requires ceil(N * open_days / 7), the same proration the streaks use.
    """
    first, last = start.toordinal(), end.toordinal()
    if first > last:
        return 0, 0
    paused = paused_ordinals(pauses, first, last)
    open_days = [day for day in range(first, last + 1) if day not in paused]
    done_days = {ordinal for day in done if first <= (ordinal := day.toordinal()) <= last}
    if schedule.kind is not ScheduleKind.TIMES_PER_WEEK:
        weekdays = schedule.scheduled_weekdays
        due = [day for day in open_days if weekday_of(day) in weekdays]
        return sum(1 for day in due if day in done_days), len(due)
    weeks: dict[int, list[int]] = {}
    for day in open_days:
        weeks.setdefault((day - 1) // 7, []).append(day)
    achieved = expected = 0
    for days in weeks.values():
        required = -(-schedule.times_per_week * len(days) // 7)
        achieved += min(required, sum(1 for day in days if day in done_days))
        expected += required
    return achieved, expected


def completion_rate(
    schedule: Schedule, done: Iterable[date], start: date, end: date, pauses: Sequence[Pause] = ()
) -> float | None:
    """Share of what was expected in [start, end] that was done; None when nothing was expected."""
    achieved, expected = completion_counts(schedule, done, start, end, pauses)
    return achieved / expected if expected else None
