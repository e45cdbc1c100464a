"""Check-in use cases over PostgreSQL: idempotency, races, limits, isolation and the streak cache."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, time, timedelta

import asyncpg
import pytest

from smarthabit import checkins
from smarthabit.checkins import check_in, list_checkins, set_note, undo_check_in
from smarthabit.errors import NotFound, ValidationFailed
from smarthabit.habits import create_habit, list_habits, pause_habit
from smarthabit.models import CheckIn, Habit, HabitKind, User
from smarthabit.schedule import Pause
from smarthabit.schemas import HabitCreate, ScheduleIn
from smarthabit.stats import habit_stats, weekly_insight_for
from smarthabit.streak_cache import done_days
from smarthabit.streaks import compute_streaks


def at(day: date, hour: int = 12) -> datetime:
    """An instant on a Berlin local day (noon Berlin is 11:00 or 10:00 UTC)."""
    return datetime.combine(day, time(hour - 2), tzinfo=UTC)


async def test_repeat_check_in_returns_the_existing_one(alice: User) -> None:
    habit = await create_habit(alice, HabitCreate(name="Run"))
    first = await check_in(alice.id, habit.id, note="felt good")
    again = await check_in(alice.id, habit.id, note="other")
    assert first.created and not again.created
    assert again.checkin.id == first.checkin.id and again.checkin.note == "felt good"
    assert await CheckIn.filter(habit_id=habit.id).count() == 1
    assert (await Habit.get(id=habit.id)).current_streak == 1


async def test_concurrent_check_ins_create_one_row(alice: User) -> None:
    habit = await create_habit(alice, HabitCreate(name="Read"))
    results = await asyncio.gather(*(check_in(alice.id, habit.id) for _ in range(8)))
    assert sum(r.created for r in results) == 1
    assert len({r.checkin.id for r in results}) == 1
    assert await CheckIn.filter(habit_id=habit.id).count() == 1
    assert (await Habit.get(id=habit.id)).current_streak == 1


async def test_day_limits(alice: User) -> None:
    habit = await create_habit(alice, HabitCreate(name="Run"))
    today = date(2026, 6, 10)
    with pytest.raises(ValidationFailed):
        await check_in(alice.id, habit.id, day=today + timedelta(days=1), now=at(today))
    with pytest.raises(ValidationFailed):
        await check_in(alice.id, habit.id, day=today - timedelta(days=8), now=at(today))
    assert (await check_in(alice.id, habit.id, day=today - timedelta(days=7), now=at(today))).created


async def test_another_users_habit_is_not_found(alice: User, bob: User) -> None:
    habit = await create_habit(alice, HabitCreate(name="Run"))
    await check_in(alice.id, habit.id)
    with pytest.raises(NotFound):
        await check_in(bob.id, habit.id)
    with pytest.raises(NotFound):
        await undo_check_in(bob, habit.id)
    with pytest.raises(NotFound):
        await list_checkins(bob, habit.id)
    with pytest.raises(NotFound):
        await set_note(bob, habit.id, date.today(), "mine now")
    assert await list_habits(bob) == []
    assert await CheckIn.filter(habit_id=habit.id).count() == 1


async def test_measurable_habit_needs_value_and_meets_target(alice: User) -> None:
    habit = await create_habit(alice, HabitCreate(name="Water", kind=HabitKind.MEASURABLE, target=8, unit="glasses"))
    with pytest.raises(ValidationFailed):
        await check_in(alice.id, habit.id)
    today = date(2026, 6, 10)
    await check_in(alice.id, habit.id, value=3, day=today - timedelta(days=1), now=at(today))
    await check_in(alice.id, habit.id, value=9, now=at(today))
    assert await done_days(habit) == {today}
    [status] = await list_habits(alice, now=at(today))
    assert status.done_today and status.today_value == 9 and status.habit.current_streak == 1


async def test_undo_and_notes(alice: User) -> None:
    habit = await create_habit(alice, HabitCreate(name="Run"))
    result = await check_in(alice.id, habit.id)
    note = await set_note(alice, habit.id, result.checkin.day, "  5 km  ")
    assert note.note == "5 km"
    with pytest.raises(ValidationFailed):
        await set_note(alice, habit.id, result.checkin.day, "x" * 501)
    refreshed = await undo_check_in(alice, habit.id)
    assert refreshed.current_streak == 0
    with pytest.raises(NotFound):
        await undo_check_in(alice, habit.id)


@pytest.fixture(params=["one statement", "transaction"])
def write_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Today's check-in takes one statement on PostgreSQL; SQLite (and everything else) the ORM
    transaction. Both must keep the cache right, so the cache tests run through each."""
    if request.param == "transaction":
        monkeypatch.setattr(checkins, "on_postgres", lambda: False)
    return str(request.param)


@pytest.mark.parametrize("schedule", [
    ScheduleIn(),
    ScheduleIn(kind="weekdays", weekdays=[0, 2, 4]),
    ScheduleIn(kind="times_per_week", times_per_week=3),
])
async def test_cached_streaks_equal_a_full_recomputation(alice: User, schedule: ScheduleIn, write_path: str) -> None:
    """Day by day over four months, with random check-ins, back-fills, undos and a pause, the O(1)
    cache kept by the use cases must equal computing the streaks from the whole history."""
    rng = random.Random(7)
    start = date(2026, 1, 8)  # a Thursday: the first week is prorated
    habit = await create_habit(alice, HabitCreate(name="Walk", schedule=schedule), now=at(start))
    await pause_habit(alice, habit.id, date(2026, 2, 10), date(2026, 2, 16), now=at(start))
    for offset in range(120):
        today = start + timedelta(days=offset)
        await list_habits(alice, now=at(today))  # the daily refresh, as the first screen of the day does
        if rng.random() < 0.8:
            result = await check_in(alice.id, habit.id, now=at(today))
            if result.milestone:
                assert result.milestone in (7, 30, 100, 365)
        if rng.random() < 0.05:
            await check_in(alice.id, habit.id, day=today - timedelta(days=2), now=at(today))
        if rng.random() < 0.05 and await CheckIn.exists(habit_id=habit.id, day=today):
            await undo_check_in(alice, habit.id, today, now=at(today))
        cached = await Habit.get(id=habit.id)
        expected = compute_streaks(cached.schedule, await done_days(cached), today,
                                   [Pause(date(2026, 2, 10), date(2026, 2, 16))], created=start)
        assert (cached.current_streak, cached.longest_streak) == (expected.current, expected.longest), today


async def test_habit_stats_and_weekly_insight(alice: User) -> None:
    monday = date(2026, 3, 2)
    habit = await create_habit(alice, HabitCreate(name="Run", schedule=ScheduleIn(kind="weekdays", weekdays=[0, 2, 4])),
                               now=at(monday - timedelta(days=14)))
    for day in (monday - timedelta(days=14), monday - timedelta(days=12), monday - timedelta(days=7), monday,
                monday + timedelta(days=2)):
        await check_in(alice.id, habit.id, day=day, now=at(max(day, monday - timedelta(days=7))))
    stats = await habit_stats(alice, habit.id, now=at(monday + timedelta(days=3)))
    assert (stats.current_streak, stats.longest_streak, stats.streak_unit) == (2, 2, "days")  # Fri M-3 missed
    assert (stats.this_week_done, stats.this_week_target) == (2, 3)
    assert stats.completion[7] == pytest.approx(2 / 3) and 0 < stats.strength < 1 and stats.total_done == 5
    insight = await weekly_insight_for(alice, now=at(monday + timedelta(days=3)))
    assert insight.week == "2026-W10" and (insight.done, insight.scheduled) == (2, 2)
    with pytest.raises(NotFound):
        await habit_stats(await User.create(email="eve@example.com"), habit.id)


@pytest.mark.postgres_only  # a second PostgreSQL session holds the habit's row lock
async def test_a_cache_moved_while_the_check_in_waits_is_recomputed_not_advanced(alice: User, db: str) -> None:
    """Today's check-in reads a valid cache, then waits for the habit's row lock while another writer
    moves the cache: on the row it finally locks the cache is no longer today's, so it must not add
    one to it but recompute it from the rows."""
    today = date(2026, 3, 10)
    habit = await create_habit(alice, HabitCreate(name="Stretch"), now=at(today - timedelta(days=5)))
    for back in (3, 2, 1):
        await check_in(alice.id, habit.id, day=today - back * timedelta(days=1), now=at(today - timedelta(days=back)))
    await list_habits(alice, now=at(today))  # today's refresh: the cache says 3, valid for today
    assert (await Habit.get(id=habit.id)).streak_day == today
    other = await asyncpg.connect(db)
    try:
        async with other.transaction():
            await other.execute("UPDATE habits SET current_streak = 99, streak_day = $2 WHERE id = $1",
                                habit.id, today - timedelta(days=1))
            checking_in = asyncio.create_task(check_in(alice.id, habit.id, now=at(today)))
            for _ in range(100):  # until the check-in waits for the row that `other` holds
                if await other.fetchval("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                        "AND datname = current_database()"):
                    break
                await asyncio.sleep(0.02)
            else:
                raise AssertionError("the check-in never waited for the habit's row")
        result = await checking_in
    finally:
        await other.close()
    assert result.created and result.checkin.day == today
    assert (result.habit.current_streak, result.habit.longest_streak) == (4, 4)
    fresh = await Habit.get(id=habit.id)
    assert (fresh.current_streak, fresh.longest_streak, fresh.streak_day) == (4, 4, today)


async def test_a_zone_unknown_to_postgresql_takes_the_general_path(alice: User) -> None:
    """PostgreSQL's time zone data may be older than Python's: the one-statement check-in then gives
    way to the general path, which reads the local day with Python's data (here: knows it neither)."""
    habit = await create_habit(alice, HabitCreate(name="Read"))
    await User.filter(id=alice.id).update(timezone="Atlantis/Capital")  # as if PostgreSQL lacked it
    with pytest.raises(ValidationFailed, match="Unknown time zone"):
        await check_in(alice.id, habit.id)
    assert await CheckIn.filter(habit_id=habit.id).count() == 0
