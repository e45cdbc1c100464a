"""Reminder instants across time zones and daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from smarthabit.reminder_times import next_fire_at


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_next_fire_is_todays_local_time_when_still_ahead() -> None:
    assert next_fire_at(time(8, 0), "Europe/Berlin", utc(2026, 1, 10, 6, 0)) == utc(2026, 1, 10, 7, 0)


def test_next_fire_moves_to_tomorrow_once_passed() -> None:
    assert next_fire_at(time(8, 0), "Europe/Berlin", utc(2026, 1, 10, 7, 0)) == utc(2026, 1, 11, 7, 0)


def test_local_day_differs_from_utc_day() -> None:
    # 07:00 in Tokyo on Jan 11 is 22:00 UTC on Jan 10.
    assert next_fire_at(time(7, 0), "Asia/Tokyo", utc(2026, 1, 10, 12, 0)) == utc(2026, 1, 10, 22, 0)


def _firings(local: time, tz: str, start: datetime, count: int) -> list[datetime]:
    """The next `count` firings, each computed after the previous one, as the scheduler does."""
    fired, now = [], start
    for _ in range(count):
        now = next_fire_at(local, tz, now)
        fired.append(now)
    return fired


def test_spring_forward_gap_fires_once_after_the_gap() -> None:
    # Berlin skips 02:00-03:00 on 2026-03-29: that day 02:30 fires at 03:30 CEST (01:30 UTC), once.
    fired = _firings(time(2, 30), "Europe/Berlin", utc(2026, 3, 27, 12), 3)
    assert fired == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]


def test_fall_back_repeated_hour_fires_once() -> None:
    # Berlin repeats 02:00-03:00 on 2026-10-25: a 02:30 reminder fires at the first 02:30 only.
    fired = _firings(time(2, 30), "Europe/Berlin", utc(2026, 10, 23, 12), 3)
    assert fired == [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]


def test_one_firing_per_local_day_across_new_york_dst() -> None:
    fired = _firings(time(7, 15), "America/New_York", utc(2026, 3, 1), 30)
    local = [f.astimezone(ZoneInfo("America/New_York")) for f in fired]
    assert [d.date() for d in local] == [date(2026, 3, 1) + timedelta(days=i) for i in range(30)]
    assert {d.time() for d in local} == {time(7, 15)}
