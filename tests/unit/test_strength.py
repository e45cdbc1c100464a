"""Strength score and completion rate (November 2026: Mondays are the 2nd, 9th, 16th, 23rd, 30th)."""

from datetime import date, timedelta
from math import sqrt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smarthabit.schedule import Pause, Schedule, ScheduleKind
from smarthabit.strength import completion_counts, completion_rate, strength

DAILY = Schedule(ScheduleKind.DAILY)
MONDAYS = Schedule(ScheduleKind.WEEKDAYS, frozenset({0}))
MON_WED_FRI = Schedule(ScheduleKind.WEEKDAYS, frozenset({0, 2, 4}))
THREE_A_WEEK = Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=3)
DAILY_STEP = 0.5 ** (1 / 13)


def nov(*days: int) -> list[date]:
    return [date(2026, 11, day) for day in days]


def every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


# Strength


def test_nothing_done_is_zero() -> None:
    assert strength(DAILY, [], date(2026, 11, 25)) == 0
    assert strength(DAILY, [], date(2026, 11, 25), start=date(2026, 11, 1)) == 0


def test_one_done_day_is_one_loop_step() -> None:
    assert strength(DAILY, nov(25), date(2026, 11, 25)) == pytest.approx(1 - DAILY_STEP)


def test_a_missed_day_decays_by_the_multiplier() -> None:
    assert strength(DAILY, nov(24), date(2026, 11, 26)) == pytest.approx((1 - DAILY_STEP) * DAILY_STEP)


def test_today_not_yet_done_leaves_the_score() -> None:
    done = nov(20, 21, 22, 23, 24)
    assert strength(DAILY, done, date(2026, 11, 25)) == strength(DAILY, done, date(2026, 11, 24))


def test_start_before_the_first_done_day_counts_the_misses_in_between() -> None:
    late = strength(DAILY, nov(25), date(2026, 11, 25), start=date(2026, 11, 20))
    assert late == pytest.approx(1 - DAILY_STEP)  # the score was 0 anyway
    early = strength(DAILY, nov(20), date(2026, 11, 25), start=date(2026, 11, 20))
    assert early == pytest.approx((1 - DAILY_STEP) * DAILY_STEP**4)


def test_start_after_today_is_zero() -> None:
    assert strength(DAILY, nov(20), date(2026, 11, 25), start=date(2026, 11, 26)) == 0


def test_days_after_today_are_ignored() -> None:
    assert strength(DAILY, nov(25, 26, 27), date(2026, 11, 25)) == pytest.approx(1 - DAILY_STEP)


def test_daily_habit_done_every_day_for_three_months_is_strong() -> None:
    assert strength(DAILY, every_day(date(2026, 9, 1), date(2026, 11, 30)), date(2026, 11, 30)) > 0.9


def test_three_missed_days_after_a_long_run_only_dent_it() -> None:
    done = every_day(date(2026, 8, 1), date(2026, 11, 21))
    assert strength(DAILY, done, date(2026, 11, 25)) > 0.8


def test_paused_days_leave_the_score_unchanged() -> None:
    pauses = [Pause(date(2026, 11, 21), date(2026, 11, 30))]
    done = nov(15, 16, 17, 18, 19, 20)
    assert strength(DAILY, done, date(2026, 11, 30), pauses) == strength(DAILY, done, date(2026, 11, 20))


def test_unscheduled_days_leave_the_score_unchanged() -> None:
    # Mondays only: Tuesday the 24th .. Sunday the 29th change nothing, done or not.
    monday = strength(MONDAYS, nov(16, 23), date(2026, 11, 23))
    assert strength(MONDAYS, nov(16, 23), date(2026, 11, 29)) == monday
    assert strength(MONDAYS, nov(16, 23, 25), date(2026, 11, 29)) == monday


def test_a_weekdays_habit_decays_per_week_like_loop() -> None:
    # Loop decays 0.5 ** (sqrt(f) / 13) every calendar day; a Mondays habit steps once a week instead.
    f = 1 / 7
    per_week = (0.5 ** (sqrt(f) / 13)) ** 7
    mondays = [date(2026, 9, 7) + timedelta(weeks=week) for week in range(12)]
    assert strength(MONDAYS, mondays, mondays[-1]) == pytest.approx(1 - per_week**12)


def test_a_weekdays_habit_done_on_all_its_days_for_three_months_is_strong() -> None:
    done = [day for day in every_day(date(2026, 9, 1), date(2026, 11, 30)) if day.weekday() in {0, 2, 4}]
    assert strength(MON_WED_FRI, done, date(2026, 11, 30)) > 0.9


def test_times_per_week_scores_the_share_of_two_weeks_target() -> None:
    # One done day today: 1 of the 2 * 3 = 6 wanted in the last 14 days.
    step = 0.5 ** (sqrt(3 / 7) / 13)
    assert strength(THREE_A_WEEK, nov(25), date(2026, 11, 25)) == pytest.approx(1 / 6 * (1 - step))
    # The day after, the same window still holds it: another step at 1/6, today included.
    expected = (1 / 6 * (1 - step)) * step + 1 / 6 * (1 - step)
    assert strength(THREE_A_WEEK, nov(25), date(2026, 11, 26)) == pytest.approx(expected)


def test_times_per_week_done_n_times_every_week_for_three_months_is_strong() -> None:
    done = [day for day in every_day(date(2026, 9, 1), date(2026, 11, 30)) if day.weekday() in {1, 3, 5}]
    assert strength(THREE_A_WEEK, done, date(2026, 11, 30)) > 0.9


def test_seven_times_a_week_scores_like_daily() -> None:
    seven = Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=7)
    done = nov(10, 11, 13, 14, 15, 20)
    assert strength(seven, done, date(2026, 11, 25)) == strength(DAILY, done, date(2026, 11, 25))


# Strength properties

TODAY = date(2026, 11, 25)
schedules = st.one_of(
    st.just(DAILY),
    st.frozensets(st.integers(0, 6), min_size=1).map(lambda days: Schedule(ScheduleKind.WEEKDAYS, days)),
    st.integers(1, 7).map(lambda times: Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=times)),
)
days = st.integers(-90, 2).map(lambda offset: TODAY + timedelta(days=offset))
done_sets = st.frozensets(days, max_size=90)
pause_lists = st.lists(
    st.tuples(days, st.integers(0, 10)).map(lambda p: Pause(p[0], p[0] + timedelta(days=p[1]))), max_size=3
)
starts = st.none() | days


@settings(max_examples=100, deadline=None)
@given(schedules, done_sets, pause_lists, starts)
def test_strength_stays_between_zero_and_one(
    schedule: Schedule, done: frozenset[date], pauses: list[Pause], start: date | None
) -> None:
    assert 0 <= strength(schedule, done, TODAY, pauses, start) <= 1


@settings(max_examples=100, deadline=None)
@given(schedules, done_sets, days, pause_lists, starts)
def test_another_done_day_never_lowers_strength(
    schedule: Schedule, done: frozenset[date], extra: date, pauses: list[Pause], start: date | None
) -> None:
    before = strength(schedule, done, TODAY, pauses, start)
    assert strength(schedule, done | {extra}, TODAY, pauses, start) >= before - 1e-12


@settings(max_examples=100, deadline=None)
@given(schedules, days, done_sets)
def test_a_done_scheduled_day_never_leaves_strength_at_zero(
    schedule: Schedule, day: date, more: frozenset[date]
) -> None:
    if day > TODAY or not schedule.is_scheduled(day):
        return
    assert strength(schedule, more | {day}, TODAY) > 0


# Completion rate


def test_daily_rate_is_done_over_days() -> None:
    assert completion_rate(DAILY, nov(23, 24, 25, 27, 29), date(2026, 11, 23), date(2026, 11, 29)) == 5 / 7


def test_only_the_window_counts() -> None:
    done = nov(20, 23, 30)
    assert completion_counts(DAILY, done, date(2026, 11, 23), date(2026, 11, 29)) == (1, 7)


def test_weekdays_rate_counts_only_scheduled_days() -> None:
    # Mon 23, Wed 25 done, Fri 27 missed; Tuesday the 24th is extra and does not count.
    done = nov(23, 24, 25)
    assert completion_counts(MON_WED_FRI, done, date(2026, 11, 23), date(2026, 11, 29)) == (2, 3)


def test_paused_days_are_outside_the_window() -> None:
    pauses = [Pause(date(2026, 11, 26), date(2026, 12, 5))]
    done = nov(23, 24, 25, 27)
    assert completion_counts(DAILY, done, date(2026, 11, 23), date(2026, 11, 29), pauses) == (3, 3)


def test_nothing_scheduled_gives_none() -> None:
    assert completion_rate(MONDAYS, nov(24), date(2026, 11, 24), date(2026, 11, 29)) is None
    pauses = [Pause(date(2026, 11, 1), date(2026, 11, 30))]
    assert completion_rate(DAILY, nov(24), date(2026, 11, 23), date(2026, 11, 29), pauses) is None
    assert completion_rate(DAILY, nov(24), date(2026, 11, 29), date(2026, 11, 23)) is None


def test_times_per_week_caps_each_week_at_n() -> None:
    # Week of the 16th: five done (counts 3); week of the 23rd: one done.
    done = nov(16, 17, 18, 19, 20, 23)
    assert completion_counts(THREE_A_WEEK, done, date(2026, 11, 16), date(2026, 11, 29)) == (4, 6)
    assert completion_rate(THREE_A_WEEK, done, date(2026, 11, 16), date(2026, 11, 22)) == 1


def test_times_per_week_prorates_partial_weeks_at_the_edges() -> None:
    # Fri 20 .. Sun 22 is 3 days of one week: ceil(3 * 3 / 7) = 2; Mon 23 .. Tue 24: ceil(6 / 7) = 1.
    done = nov(20, 23, 24)
    assert completion_counts(THREE_A_WEEK, done, date(2026, 11, 20), date(2026, 11, 24)) == (2, 3)


def test_times_per_week_prorates_paused_days() -> None:
    # Four open days in the week of the 23rd: ceil(3 * 4 / 7) = 2; the done day on a pause does not count.
    pauses = [Pause(date(2026, 11, 23), date(2026, 11, 25))]
    done = nov(24, 26)
    assert completion_counts(THREE_A_WEEK, done, date(2026, 11, 23), date(2026, 11, 29), pauses) == (1, 2)
