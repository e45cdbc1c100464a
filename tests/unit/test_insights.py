"""Weekly insight for ISO week 2026-W48: Monday 23 .. Sunday 29 November 2026."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from smarthabit.insights import HabitHistory, HabitWeek, WeeklyInsight, summary_sentences, weekly_insight
from smarthabit.schedule import Pause, Schedule, ScheduleKind

DAILY = Schedule(ScheduleKind.DAILY)
MON_WED_FRI = Schedule(ScheduleKind.WEEKDAYS, frozenset({0, 2, 4}))
THREE_A_WEEK = Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=3)
W48 = date(2026, 11, 23)
CREATED = date(2026, 11, 1)


def nov(*days: int) -> frozenset[date]:
    return frozenset(date(2026, 11, day) for day in days)


# Read: every day from the 1st except Sunday the 29th. Gym (Mon/Wed/Fri): missed Wed 18 and Fri 27.
READ = HabitHistory(1, "Read", DAILY, nov(*range(1, 29)), created=CREATED)
GYM = HabitHistory(2, "Gym", MON_WED_FRI, nov(2, 4, 6, 9, 11, 13, 16, 20, 23, 25), created=CREATED)


def test_a_finished_week_per_habit() -> None:
    insight = weekly_insight([READ, GYM], W48, today=date(2026, 12, 1))
    read, gym = insight.habits
    assert read == HabitWeek(
        habit_id=1, name="Read", done=6, scheduled=7, rate=6 / 7, previous_rate=1.0,
        change=pytest.approx(6 / 7 - 1), best_weekday=0, worst_weekday=6, streak_start=22, streak_end=0,
    )
    assert gym == HabitWeek(
        habit_id=2, name="Gym", done=2, scheduled=3, rate=2 / 3, previous_rate=2 / 3,
        change=0.0, best_weekday=0, worst_weekday=2, streak_start=1, streak_end=0,
    )


def test_a_finished_week_overall() -> None:
    insight = weekly_insight([READ, GYM], W48, today=date(2026, 12, 1))
    assert (insight.week, insight.start, insight.end) == ("2026-W48", W48, date(2026, 11, 29))
    assert (insight.done, insight.scheduled, insight.rate) == (8, 10, 0.8)
    assert insight.previous_rate == 0.9
    assert insight.change == pytest.approx(-0.1)
    # Over Nov 2..29: Monday 8/8, Wednesday and Friday 7/8, Sunday 3/4.
    assert (insight.best_weekday, insight.worst_weekday) == (0, 6)


def test_summary_of_a_finished_week() -> None:
    insight = weekly_insight([READ, GYM], W48, today=date(2026, 12, 1))
    assert summary_sentences(insight) == [
        "You did 8 of 10 (80%), down 10 points on last week.",
        "Best day: Monday.",
        "Hardest day: Sunday.",
        "Most consistent: Read (86%).",
        "Needs attention: Gym (67%).",
        "Streak broken: Read, Gym.",
    ]


def test_summary_in_another_language() -> None:
    insight = weekly_insight([READ, GYM], W48, today=date(2026, 12, 1))
    names = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
    assert summary_sentences(insight, names)[1:3] == ["Best day: Montag.", "Hardest day: Sonntag."]


def test_the_current_week_counts_only_days_up_to_today() -> None:
    # Wednesday the 25th, nothing done yet today.
    read = replace(READ, done=nov(*range(1, 25)))
    gym = replace(GYM, done=nov(2, 4, 6, 9, 11, 13, 16, 20, 23))
    three = HabitHistory(3, "Swim", THREE_A_WEEK, nov(16, 18, 20, 23), created=CREATED)
    insight = weekly_insight([read, gym, three], W48, today=date(2026, 11, 25))
    by_name = {habit.name: habit for habit in insight.habits}
    assert (by_name["Read"].done, by_name["Read"].scheduled) == (2, 3)
    assert (by_name["Gym"].done, by_name["Gym"].scheduled) == (1, 2)
    # Three days of the week so far need ceil(3 * 3 / 7) = 2.
    assert (by_name["Swim"].done, by_name["Swim"].scheduled) == (1, 2)
    # Today not yet done does not break a streak; the week not over does not break Swim's.
    assert (by_name["Read"].streak_start, by_name["Read"].streak_end) == (22, 24)
    assert (by_name["Swim"].streak_start, by_name["Swim"].streak_end) == (1, 1)
    assert (insight.done, insight.scheduled) == (4, 7)


def test_a_habit_created_mid_week_is_judged_from_its_creation() -> None:
    habit = HabitHistory(4, "Stretch", DAILY, nov(26, 27, 29), created=date(2026, 11, 26))
    insight = weekly_insight([habit], W48, today=date(2026, 11, 30))
    week = insight.habits[0]
    assert (week.done, week.scheduled, week.rate) == (3, 4, 0.75)
    assert (week.previous_rate, week.change) == (None, None)
    assert (week.best_weekday, week.worst_weekday) == (3, 5)  # Thursday 1/1 .. Saturday 0/1
    assert summary_sentences(insight)[0] == "You did 3 of 4 (75%)."


def test_paused_days_are_not_due() -> None:
    habit = replace(READ, pauses=(Pause(date(2026, 11, 27), date(2026, 12, 3)),))
    week = weekly_insight([habit], W48, today=date(2026, 12, 1)).habits[0]
    # Friday 27 .. Sunday 29 are paused: not due, yet the days done on them still lengthen the streak.
    assert (week.done, week.scheduled, week.streak_end) == (4, 4, 28)


def test_a_week_with_nothing_due() -> None:
    future = weekly_insight([READ, GYM], date(2026, 12, 7), today=date(2026, 12, 1))
    assert (future.done, future.scheduled, future.rate, future.change) == (0, 0, None, None)
    assert summary_sentences(future) == ["Nothing was due this week."]
    empty = weekly_insight([], W48, today=date(2026, 12, 1))
    assert empty == WeeklyInsight(
        week="2026-W48", start=W48, end=date(2026, 11, 29), habits=(), done=0, scheduled=0, rate=None,
        previous_rate=None, change=None, best_weekday=None, worst_weekday=None,
    )
    assert summary_sentences(empty) == ["Nothing was due this week."]


def test_the_week_must_start_on_a_monday() -> None:
    with pytest.raises(ValueError, match="not a Monday"):
        weekly_insight([READ], W48 + timedelta(days=1), today=date(2026, 12, 1))


def test_the_last_iso_week_of_the_year() -> None:
    assert weekly_insight([], date(2026, 12, 28), today=date(2027, 1, 5)).week == "2026-W53"


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (0.1, "You did 8 of 10 (80%), up 10 points on last week."),
        (0.01, "You did 8 of 10 (80%), up 1 point on last week."),
        (-0.01, "You did 8 of 10 (80%), down 1 point on last week."),
        (0.001, "You did 8 of 10 (80%), same as last week."),
        (None, "You did 8 of 10 (80%)."),
    ],
)
def test_the_headline_names_the_trend(change: float | None, line: str) -> None:
    insight = WeeklyInsight(
        week="2026-W48", start=W48, end=date(2026, 11, 29), habits=(), done=8, scheduled=10, rate=0.8,
        previous_rate=None if change is None else 0.8 - change, change=change, best_weekday=None,
        worst_weekday=None,
    )
    assert summary_sentences(insight) == [line]


def test_no_weekday_lines_when_every_day_went_alike() -> None:
    habit = HabitHistory(5, "Walk", DAILY, nov(*range(1, 30)), created=CREATED)
    insight = weekly_insight([habit], W48, today=date(2026, 11, 30))
    assert (insight.best_weekday, insight.worst_weekday) == (0, 0)
    assert summary_sentences(insight) == ["You did 7 of 7 (100%), same as last week."]
