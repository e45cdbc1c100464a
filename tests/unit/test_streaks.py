"""Streak rules, by example and by property (November 2026: Mondays are the 2nd, 9th, 16th, 23rd, 30th)."""

import math
import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from smarthabit.schedule import Pause, Schedule, ScheduleKind
from smarthabit.streaks import Streaks, compute_streaks

DAILY = Schedule(ScheduleKind.DAILY)
MON_WED_FRI = Schedule(ScheduleKind.WEEKDAYS, frozenset({0, 2, 4}))
THREE_A_WEEK = Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=3)


def nov(*days: int) -> list[date]:
    return [date(2026, 11, day) for day in days]


# Daily and weekdays habits


def test_no_done_days_means_no_streak() -> None:
    assert compute_streaks(DAILY, [], date(2026, 11, 25)) == Streaks(0, 0, "days")
    assert compute_streaks(THREE_A_WEEK, [], date(2026, 11, 25)) == Streaks(0, 0, "weeks")


def test_daily_counts_consecutive_done_days() -> None:
    streaks = compute_streaks(DAILY, nov(20, 21, 22, 23, 24, 25), date(2026, 11, 25))
    assert streaks == Streaks(6, 6, "days")


def test_a_missed_day_breaks_the_daily_streak() -> None:
    # 1..5 done, 6 missed, 7..9 done.
    assert compute_streaks(DAILY, nov(1, 2, 3, 4, 5, 7, 8, 9), date(2026, 11, 9)) == Streaks(3, 5, "days")


def test_today_not_yet_done_does_not_break_the_streak() -> None:
    assert compute_streaks(DAILY, nov(22, 23, 24), date(2026, 11, 25)).current == 3


def test_today_done_adds_one() -> None:
    assert compute_streaks(DAILY, nov(22, 23, 24, 25), date(2026, 11, 25)).current == 4


def test_yesterday_missed_breaks_the_current_streak_but_not_the_longest() -> None:
    assert compute_streaks(DAILY, nov(21, 22, 23), date(2026, 11, 25)) == Streaks(0, 3, "days")


def test_days_after_today_are_ignored() -> None:
    assert compute_streaks(DAILY, nov(24, 25, 26, 27), date(2026, 11, 25)) == Streaks(2, 2, "days")


def test_unscheduled_days_neither_break_nor_add() -> None:
    # Mon 16, Wed 18, Fri 20, Mon 23, Wed 25; the weekend and Tuesdays/Thursdays are off.
    streaks = compute_streaks(MON_WED_FRI, nov(16, 18, 20, 23, 25), date(2026, 11, 26))
    assert streaks == Streaks(5, 5, "days")


def test_a_missed_scheduled_weekday_breaks_the_streak() -> None:
    # Friday the 20th was due and not done.
    assert compute_streaks(MON_WED_FRI, nov(16, 18, 23, 25), date(2026, 11, 25)) == Streaks(2, 2, "days")


def test_a_done_unscheduled_day_counts_extra() -> None:
    # Saturday the 21st is not scheduled but was done: +1, nothing broken.
    streaks = compute_streaks(MON_WED_FRI, nov(16, 18, 20, 21, 23), date(2026, 11, 23))
    assert streaks == Streaks(5, 5, "days")


def test_a_paused_day_does_not_break_the_streak() -> None:
    pauses = [Pause(date(2026, 11, 20), date(2026, 11, 22))]
    streaks = compute_streaks(DAILY, nov(18, 19, 23, 24), date(2026, 11, 24), pauses)
    assert streaks == Streaks(4, 4, "days")


def test_a_done_paused_day_still_counts() -> None:
    pauses = [Pause(date(2026, 11, 20), date(2026, 11, 22))]
    assert compute_streaks(DAILY, nov(19, 21, 23), date(2026, 11, 23), pauses).current == 3


def test_a_pause_running_into_the_future_covers_today_too() -> None:
    pauses = [Pause(date(2026, 11, 24), date(2026, 12, 31))]
    assert compute_streaks(DAILY, nov(21, 22, 23), date(2026, 11, 27), pauses).current == 3


def test_days_before_created_are_not_missed() -> None:
    # Back-filled on the 10th, created on the 20th: the gap before creation does not count as missed.
    streaks = compute_streaks(DAILY, nov(10, 20, 21), date(2026, 11, 21), created=date(2026, 11, 20))
    assert streaks == Streaks(3, 3, "days")
    assert compute_streaks(DAILY, nov(10, 20, 21), date(2026, 11, 21)) == Streaks(2, 2, "days")


def test_longest_streak_is_over_the_whole_history() -> None:
    done = [date(2026, 1, 1) + timedelta(days=offset) for offset in range(40)] + nov(24, 25)
    assert compute_streaks(DAILY, done, date(2026, 11, 25)) == Streaks(2, 40, "days")


# Times-per-week habits


def test_weeks_reaching_n_make_a_streak() -> None:
    # Weeks of the 9th, 16th and 23rd each have three done days; today is Sunday the 29th.
    done = nov(9, 11, 13, 16, 17, 18, 23, 28, 29)
    assert compute_streaks(THREE_A_WEEK, done, date(2026, 11, 29)) == Streaks(3, 3, "weeks")


def test_a_past_week_short_of_n_breaks_the_streak() -> None:
    done = nov(2, 3, 4, 9, 10, 16, 17, 18, 23, 24, 25)  # the week of the 9th has two
    assert compute_streaks(THREE_A_WEEK, done, date(2026, 11, 25)) == Streaks(2, 2, "weeks")


def test_the_current_week_short_of_n_does_not_break_it() -> None:
    done = nov(9, 10, 11, 16, 17, 18, 23)  # the current week (23rd..29th) has one so far
    assert compute_streaks(THREE_A_WEEK, done, date(2026, 11, 25)) == Streaks(2, 2, "weeks")


def test_a_week_without_any_done_day_breaks_it() -> None:
    done = nov(2, 3, 4, 16, 17, 18, 23, 24, 25)
    assert compute_streaks(THREE_A_WEEK, done, date(2026, 11, 27)) == Streaks(2, 2, "weeks")


def test_the_current_week_reaching_n_adds_one() -> None:
    done = nov(16, 17, 18, 23, 24, 25)
    assert compute_streaks(THREE_A_WEEK, done, date(2026, 11, 25)) == Streaks(2, 2, "weeks")


def test_a_partly_paused_week_needs_proportionally_fewer_days() -> None:
    # The week of the 16th is paused Monday..Thursday: 3 open days need ceil(3 * 3 / 7) = 2.
    pauses = [Pause(date(2026, 11, 16), date(2026, 11, 19))]
    done = nov(9, 10, 11, 20, 21, 23, 24, 25)
    assert compute_streaks(THREE_A_WEEK, done, date(2026, 11, 25), pauses) == Streaks(3, 3, "weeks")
    # One open day still needs ceil(3 / 7) = 1.
    pauses = [Pause(date(2026, 11, 16), date(2026, 11, 21))]
    assert compute_streaks(THREE_A_WEEK, nov(9, 10, 11, 22), date(2026, 11, 25), pauses).current == 2
    assert compute_streaks(THREE_A_WEEK, nov(9, 10, 11), date(2026, 11, 25), pauses).current == 0


def test_a_fully_paused_week_neither_breaks_nor_adds() -> None:
    pauses = [Pause(date(2026, 11, 16), date(2026, 11, 22))]
    done = nov(9, 10, 11, 23, 24, 25)
    assert compute_streaks(THREE_A_WEEK, done, date(2026, 11, 25), pauses) == Streaks(2, 2, "weeks")


def test_a_done_day_in_a_fully_paused_week_counts_like_a_done_paused_day() -> None:
    pauses = [Pause(date(2026, 11, 16), date(2026, 11, 22))]
    done = nov(9, 10, 11, 18, 23, 24, 25)
    assert compute_streaks(THREE_A_WEEK, done, date(2026, 11, 25), pauses).current == 3


def test_pauses_later_in_the_current_week_lower_what_it_needs() -> None:
    # Thursday..Sunday of the current week paused: 3 open days need 2, and two are done.
    pauses = [Pause(date(2026, 11, 26), date(2026, 11, 29))]
    assert compute_streaks(THREE_A_WEEK, nov(23, 24), date(2026, 11, 24), pauses).current == 1


def test_the_creation_week_is_prorated() -> None:
    # Created Thursday the 19th: 4 open days need ceil(3 * 4 / 7) = 2.
    done = nov(20, 22, 23, 24, 25)
    streaks = compute_streaks(THREE_A_WEEK, done, date(2026, 11, 25), created=date(2026, 11, 19))
    assert streaks == Streaks(2, 2, "weeks")
    assert compute_streaks(THREE_A_WEEK, done, date(2026, 11, 25)) == Streaks(1, 1, "weeks")


def test_weeks_are_iso_weeks_across_the_year_end() -> None:
    # 2026-W53 is Dec 28 .. Jan 3; 2027-W01 starts Monday Jan 4.
    done = [date(2026, 12, 28), date(2026, 12, 31), date(2027, 1, 3), date(2027, 1, 4), date(2027, 1, 5),
            date(2027, 1, 6)]
    assert compute_streaks(THREE_A_WEEK, done, date(2027, 1, 6)) == Streaks(2, 2, "weeks")


# Properties

TODAY = date(2026, 11, 25)
SPAN = 60  # days of history the properties look at

schedules = st.one_of(
    st.just(DAILY),
    st.frozensets(st.integers(0, 6), min_size=1).map(lambda days: Schedule(ScheduleKind.WEEKDAYS, days)),
    st.integers(1, 7).map(lambda times: Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=times)),
)
day_schedules = schedules.filter(lambda schedule: schedule.kind is not ScheduleKind.TIMES_PER_WEEK)
days = st.integers(-SPAN, 3).map(lambda offset: TODAY + timedelta(days=offset))  # a few after today too
done_sets = st.frozensets(days, max_size=SPAN)
pause_lists = st.lists(
    st.tuples(days, st.integers(0, 10)).map(lambda p: Pause(p[0], p[0] + timedelta(days=p[1]))), max_size=3
)
created_days = st.none() | days
todays = st.integers(-3, 0).map(lambda offset: TODAY + timedelta(days=offset))


def reference_day_streaks(
    schedule: Schedule, done: frozenset[date], today: date, pauses: list[Pause], created: date | None
) -> tuple[int, int]:
    """Day by day, straight from the rules: the slow, obvious version."""
    done = frozenset(day for day in done if day <= today)
    if not done:
        return 0, 0
    run = longest = 0
    day = min(done)
    while day <= today:
        if day in done:
            run += 1
        elif not (
            day == today
            or not schedule.is_scheduled(day)
            or any(pause.covers(day) for pause in pauses)
            or (created is not None and day < created)
        ):
            run = 0
        longest = max(longest, run)
        day += timedelta(days=1)
    return run, longest


def reference_current_by_walking_back(
    schedule: Schedule, done: frozenset[date], today: date, pauses: list[Pause], created: date | None
) -> int:
    """The current streak walked backwards from today until the first missed day."""
    done = frozenset(day for day in done if day <= today)
    current, day = 0, today
    while done and day >= min(done):
        if day in done:
            current += 1
        elif day != today and schedule.is_scheduled(day) and not any(p.covers(day) for p in pauses) and (
            created is None or day >= created
        ):
            break
        day -= timedelta(days=1)
    return current


def reference_week_streaks(
    times: int, done: frozenset[date], today: date, pauses: list[Pause], created: date | None
) -> tuple[int, int]:
    """Week by week, straight from the rules."""
    done = frozenset(day for day in done if day <= today)
    if not done:
        return 0, 0
    run = longest = 0
    monday = min(done) - timedelta(days=min(done).weekday())
    while monday <= today:
        week = [monday + timedelta(days=offset) for offset in range(7)]
        open_days = [
            day for day in week
            if not any(pause.covers(day) for pause in pauses) and (created is None or day >= created)
        ]
        count = sum(1 for day in week if day in done)
        if count and count >= math.ceil(times * len(open_days) / 7):
            run += 1
        elif open_days and today > week[-1]:
            run = 0
        longest = max(longest, run)
        monday += timedelta(days=7)
    return run, longest


@settings(max_examples=150, deadline=None)
@given(day_schedules, done_sets, todays, pause_lists, created_days)
def test_day_streaks_match_the_reference(
    schedule: Schedule, done: frozenset[date], today: date, pauses: list[Pause], created: date | None
) -> None:
    streaks = compute_streaks(schedule, done, today, pauses, created)
    assert (streaks.current, streaks.longest) == reference_day_streaks(schedule, done, today, pauses, created)


@settings(max_examples=150, deadline=None)
@given(done_sets, todays, pause_lists, created_days)
def test_daily_current_streak_matches_walking_back(
    done: frozenset[date], today: date, pauses: list[Pause], created: date | None
) -> None:
    current = compute_streaks(DAILY, done, today, pauses, created).current
    assert current == reference_current_by_walking_back(DAILY, done, today, pauses, created)


@settings(max_examples=150, deadline=None)
@given(schedules, done_sets, todays, pause_lists, created_days)
def test_longest_is_at_least_current_which_is_not_negative(
    schedule: Schedule, done: frozenset[date], today: date, pauses: list[Pause], created: date | None
) -> None:
    streaks = compute_streaks(schedule, done, today, pauses, created)
    assert streaks.longest >= streaks.current >= 0


@settings(max_examples=150, deadline=None)
@given(schedules, done_sets, days, todays, pause_lists, created_days)
def test_a_new_done_day_never_lowers_a_streak(
    schedule: Schedule, done: frozenset[date], extra: date, today: date, pauses: list[Pause],
    created: date | None,
) -> None:
    before = compute_streaks(schedule, done, today, pauses, created)
    after = compute_streaks(schedule, done | {extra}, today, pauses, created)
    assert after.current >= before.current
    assert after.longest >= before.longest


@settings(max_examples=150, deadline=None)
@given(schedules, done_sets, st.lists(days, max_size=10), todays, pause_lists, created_days)
def test_extra_unscheduled_or_paused_days_never_break_a_streak(
    schedule: Schedule, done: frozenset[date], candidates: list[date], today: date, pauses: list[Pause],
    created: date | None,
) -> None:
    extras = {
        day for day in candidates
        if not schedule.is_scheduled(day) or any(pause.covers(day) for pause in pauses)
    }
    before = compute_streaks(schedule, done, today, pauses, created)
    after = compute_streaks(schedule, done | extras, today, pauses, created)
    assert after.current >= before.current
    assert after.longest >= before.longest


@settings(max_examples=150, deadline=None)
@given(schedules, done_sets, days, st.integers(0, 6), todays, pause_lists, created_days)
def test_pausing_a_missed_day_never_lowers_a_streak(
    schedule: Schedule, done: frozenset[date], start: date, length: int, today: date, pauses: list[Pause],
    created: date | None,
) -> None:
    missed = [start + timedelta(days=offset) for offset in range(length + 1)]
    missed = [day for day in missed if day not in done]
    before = compute_streaks(schedule, done, today, pauses, created)
    after = compute_streaks(schedule, done, today, [*pauses, *(Pause(day, day) for day in missed)], created)
    assert after.current >= before.current
    assert after.longest >= before.longest


@settings(max_examples=100, deadline=None)
@given(schedules, st.lists(days, max_size=SPAN), st.randoms(use_true_random=False), todays, pause_lists)
def test_order_and_duplicates_of_done_do_not_matter(
    schedule: Schedule, done: list[date], rng: random.Random, today: date, pauses: list[Pause]
) -> None:
    shuffled = done + rng.sample(done, len(done) // 2)
    rng.shuffle(shuffled)
    assert compute_streaks(schedule, iter(shuffled), today, pauses) == compute_streaks(
        schedule, sorted(set(done)), today, pauses
    )


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 7), done_sets, todays, pause_lists, created_days)
def test_week_streaks_match_the_reference(
    times: int, done: frozenset[date], today: date, pauses: list[Pause], created: date | None
) -> None:
    schedule = Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=times)
    streaks = compute_streaks(schedule, done, today, pauses, created)
    assert (streaks.current, streaks.longest) == reference_week_streaks(times, done, today, pauses, created)
