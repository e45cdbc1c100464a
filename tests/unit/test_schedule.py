"""Schedules, pauses and ISO weeks (November 2026: Monday the 2nd, 9th, 16th, 23rd, 30th)."""

from datetime import date

import pytest

from smarthabit.schedule import (
    Pause,
    Schedule,
    ScheduleKind,
    iso_week,
    parse_iso_week,
    paused_ordinals,
    week_start,
    weekday_of,
)

DAILY = ScheduleKind.DAILY
WEEKDAYS = ScheduleKind.WEEKDAYS
TIMES = ScheduleKind.TIMES_PER_WEEK


def test_daily_is_scheduled_every_day_with_frequency_one() -> None:
    schedule = Schedule(DAILY)
    assert all(schedule.is_scheduled(date(2026, 11, day)) for day in range(23, 30))
    assert schedule.frequency == 1


def test_weekdays_schedule_only_its_weekdays() -> None:
    schedule = Schedule(WEEKDAYS, frozenset({0, 2}))  # Monday and Wednesday
    assert schedule.is_scheduled(date(2026, 11, 23))  # Monday
    assert not schedule.is_scheduled(date(2026, 11, 24))  # Tuesday
    assert schedule.is_scheduled(date(2026, 11, 25))  # Wednesday
    assert not schedule.is_scheduled(date(2026, 11, 29))  # Sunday
    assert schedule.frequency == pytest.approx(2 / 7)


def test_times_per_week_makes_every_day_possible() -> None:
    schedule = Schedule(TIMES, times_per_week=3)
    assert all(schedule.is_scheduled(date(2026, 11, day)) for day in range(23, 30))
    assert schedule.frequency == pytest.approx(3 / 7)


def test_values_from_storage_are_coerced() -> None:
    assert Schedule("weekdays", [4, 0]) == Schedule(WEEKDAYS, frozenset({0, 4}))  # type: ignore[arg-type]
    assert Schedule("daily").kind is DAILY  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "weekdays", "times", "message"),
    [
        (WEEKDAYS, frozenset(), 0, "at least one weekday"),
        (WEEKDAYS, frozenset({7}), 0, "0..6"),
        (WEEKDAYS, frozenset({-1, 3}), 0, "0..6"),
        (DAILY, frozenset({1}), 0, "only for a weekdays schedule"),
        (TIMES, frozenset({1}), 3, "only for a weekdays schedule"),
        (TIMES, frozenset(), 0, "1..7"),
        (TIMES, frozenset(), 8, "1..7"),
        (DAILY, frozenset(), 3, "only for a times_per_week schedule"),
        (WEEKDAYS, frozenset({1}), 2, "only for a times_per_week schedule"),
    ],
)
def test_inconsistent_schedules_are_refused(
    kind: ScheduleKind, weekdays: frozenset[int], times: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Schedule(kind, weekdays, times)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="monthly"):
        Schedule("monthly")  # type: ignore[arg-type]


def test_pause_covers_both_ends() -> None:
    pause = Pause(date(2026, 11, 24), date(2026, 11, 26))
    assert not pause.covers(date(2026, 11, 23))
    assert pause.covers(date(2026, 11, 24))
    assert pause.covers(date(2026, 11, 26))
    assert not pause.covers(date(2026, 11, 27))
    assert Pause(date(2026, 11, 24), date(2026, 11, 24)).covers(date(2026, 11, 24))


def test_pause_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="after its end"):
        Pause(date(2026, 11, 26), date(2026, 11, 25))


def test_paused_ordinals_are_clipped_to_the_range() -> None:
    pauses = [Pause(date(2026, 11, 1), date(2026, 11, 24)), Pause(date(2026, 11, 28), date(2099, 1, 1))]
    first, last = date(2026, 11, 23).toordinal(), date(2026, 11, 29).toordinal()
    assert sorted(date.fromordinal(day) for day in paused_ordinals(pauses, first, last)) == [
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 28),
        date(2026, 11, 29),
    ]


def test_weekday_of_matches_date_weekday() -> None:
    for day in (date(1, 1, 1), date(2026, 11, 23), date(2026, 11, 29), date(2027, 1, 1)):
        assert weekday_of(day.toordinal()) == day.weekday()


def test_week_start_is_the_monday() -> None:
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)
    assert week_start(date(2026, 12, 2)) == date(2026, 11, 30)


def test_iso_week_uses_the_iso_year() -> None:
    assert iso_week(date(2026, 11, 23)) == "2026-W48"
    assert iso_week(date(2026, 11, 29)) == "2026-W48"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    assert iso_week(date(2026, 1, 5)) == "2026-W02"


def test_parse_iso_week_returns_the_monday() -> None:
    assert parse_iso_week("2026-W48") == date(2026, 11, 23)
    assert parse_iso_week("2026-W53") == date(2026, 12, 28)
    assert parse_iso_week("2026-W01") == date(2025, 12, 29)
    assert parse_iso_week(iso_week(date(2027, 1, 1))) == week_start(date(2027, 1, 1))


@pytest.mark.parametrize("label", ["2026-48", "2026-W4", "2026W48", "2026-w48", " 2026-W48", "2026-W48-1", ""])
def test_parse_iso_week_refuses_other_shapes(label: str) -> None:
    with pytest.raises(ValueError, match="not an ISO week"):
        parse_iso_week(label)


@pytest.mark.parametrize("label", ["2026-W00", "2026-W54", "2025-W53"])
def test_parse_iso_week_refuses_weeks_the_year_lacks(label: str) -> None:
    with pytest.raises(ValueError, match="has no week"):
        parse_iso_week(label)
