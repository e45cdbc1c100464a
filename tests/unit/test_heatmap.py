"""The heatmap's day states, by the rules in smarthabit.heatmap's docstring."""

from __future__ import annotations

from datetime import date, timedelta

from smarthabit.heatmap import DayState, day_states, weekly_strength
from smarthabit.schedule import Pause, Schedule, ScheduleKind

MONDAY = date(2026, 11, 2)
DAILY = Schedule(ScheduleKind.DAILY)


def states(schedule: Schedule, values: dict[date, float | None], *, target: float | None = None,
           pauses: tuple[Pause, ...] = (), start: date = MONDAY, today: date = MONDAY + timedelta(days=13),
           first: date = MONDAY - timedelta(days=2), last: date = MONDAY + timedelta(days=15)) -> dict[date, DayState]:
    def done(value: float | None) -> bool:
        return target is None or (value is not None and value >= target)

    return {d.day: d.state for d in day_states(schedule, values, done, pauses, start, first, last, today)}


def test_every_state_of_a_daily_habit() -> None:
    def day(n: int) -> date:
        return MONDAY + timedelta(days=n)

    got = states(DAILY, {day(1): None, day(2): None, day(13): None, MONDAY - timedelta(days=1): None},
                 pauses=(Pause(day(5), day(6)),), today=day(13))
    assert got[MONDAY - timedelta(days=2)] is DayState.BEFORE_START
    assert got[MONDAY - timedelta(days=1)] is DayState.DONE  # back-filled before the start: still shown
    assert got[MONDAY] is DayState.MISSED
    assert got[day(1)] is got[day(2)] is DayState.DONE
    assert got[day(5)] is got[day(6)] is DayState.PAUSED
    assert got[day(13)] is DayState.DONE
    assert got[day(14)] is got[day(15)] is DayState.FUTURE


def test_today_is_open_until_done_and_unscheduled_days_are_not_due() -> None:
    weekdays = Schedule(ScheduleKind.WEEKDAYS, frozenset({0, 2}))
    today = MONDAY + timedelta(days=7)
    got = states(weekdays, {}, today=today)
    assert got[today] is DayState.OPEN
    assert got[MONDAY] is DayState.MISSED and got[MONDAY + timedelta(days=2)] is DayState.MISSED
    assert got[MONDAY + timedelta(days=1)] is DayState.NOT_DUE


def test_a_measurable_check_in_short_of_its_target_is_partial() -> None:
    got = states(DAILY, {MONDAY: 5.0, MONDAY + timedelta(days=1): 8.0}, target=8.0)
    assert got[MONDAY] is DayState.PARTIAL and got[MONDAY + timedelta(days=1)] is DayState.DONE


def test_times_per_week_misses_only_weeks_that_fell_short() -> None:
    twice = Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=2)
    week2 = MONDAY + timedelta(days=7)
    today = MONDAY + timedelta(days=16)  # week 3 still open
    got = states(twice, {MONDAY: None, MONDAY + timedelta(days=3): None, week2: None}, today=today)
    assert got[MONDAY + timedelta(days=1)] is DayState.NOT_DUE  # quota met that week
    assert got[week2 + timedelta(days=1)] is DayState.MISSED  # one of two
    assert got[today - timedelta(days=1)] is DayState.NOT_DUE  # this week can still make it


def test_strength_is_sampled_each_past_sunday_and_today() -> None:
    done = {MONDAY + timedelta(days=n) for n in range(10)}
    today = MONDAY + timedelta(days=16)
    points = weekly_strength(DAILY, done, (), MONDAY, MONDAY, today + timedelta(days=5), today)
    assert [day for day, _ in points] == [MONDAY + timedelta(days=6), MONDAY + timedelta(days=13), today]
    assert points[0][1] < points[1][1] and points[2][1] < points[1][1]  # up while done, down after
