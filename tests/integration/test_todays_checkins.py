"""Today's check-ins batched into one statement: each caller still gets exactly its own result."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

import asyncpg
import pytest
from prometheus_client import REGISTRY
from tortoise.transactions import in_transaction

from smarthabit.checkins import check_in
from smarthabit.errors import NotFound, ValidationFailed
from smarthabit.habits import archive_habit, create_habit, list_habits
from smarthabit.models import CheckIn, Habit, HabitKind, User
from smarthabit.orm import on_postgres
from smarthabit.schemas import HabitCreate, ScheduleIn

TODAY = date(2026, 5, 14)  # a Thursday
NOW = datetime.combine(TODAY, time(10), tzinfo=UTC)  # noon in Berlin, morning in New York


def _batches() -> tuple[float, float]:
    """(statements sent, check-ins in them) so far, from the batch-size histogram."""
    count = REGISTRY.get_sample_value("smarthabit_checkin_batch_size_count") or 0.0
    total = REGISTRY.get_sample_value("smarthabit_checkin_batch_size_sum") or 0.0
    return count, total


async def test_a_burst_of_mixed_check_ins_shares_statements_and_each_gets_its_own_result(
    alice: User, bob: User
) -> None:
    yesterday = NOW - timedelta(days=1)
    carol = await User.create(email="carol@example.com", timezone="America/New_York")
    runs = [await create_habit(user, HabitCreate(name=f"Run {n}"), now=yesterday)
            for user in (alice, bob, carol) for n in range(4)]
    water = await create_habit(alice, HabitCreate(name="Water", kind=HabitKind.MEASURABLE, target=8, unit="glasses"),
                               now=yesterday)
    weekly = await create_habit(bob, HabitCreate(name="Swim", schedule=ScheduleIn(kind="times_per_week",
                                                                                   times_per_week=2)), now=yesterday)
    archived = await create_habit(bob, HabitCreate(name="Old"), now=yesterday)
    await archive_habit(bob, archived.id)
    for user in (alice, bob, carol):
        await list_habits(user, now=NOW)  # the day's first screen: caches valid for today
    twice = runs[0]
    before = _batches()

    calls = {
        **{f"run{h.id}": check_in(h.user_id, h.id, now=NOW) for h in runs},  # type: ignore[attr-defined]
        **{f"again{n}": check_in(alice.id, twice.id, now=NOW) for n in range(3)},
        "bobs habit as alice": check_in(alice.id, runs[4].id, now=NOW),
        "archived": check_in(bob.id, archived.id, now=NOW),
        "water": check_in(alice.id, water.id, value=9, now=NOW),
        "water without value": check_in(alice.id, water.id, now=NOW),
        "swim": check_in(bob.id, weekly.id, now=NOW),
        "back-fill": check_in(carol.id, runs[8].id, day=TODAY - timedelta(days=1), now=NOW),
    }
    results = dict(zip(calls, await asyncio.gather(*calls.values(), return_exceptions=True), strict=True))

    count, total = (after - was for after, was in zip(_batches(), before, strict=True))
    if on_postgres():
        assert total == len(calls) and count < total  # every check-in read its habit; statements shared
    else:  # SQLite: no batched statement; the ORM transaction must give the same results
        assert total == 0
    assert isinstance(results["bobs habit as alice"], NotFound) and isinstance(results["archived"], NotFound)
    assert isinstance(results["water without value"], ValidationFailed)
    for habit in runs:
        result = results[f"run{habit.id}"]
        assert not isinstance(result, BaseException)
        assert result.habit.id == habit.id and result.checkin.habit_id == habit.id
    repeats = [results[f"run{twice.id}"], *(results[f"again{n}"] for n in range(3))]
    assert [r.created for r in repeats if not isinstance(r, BaseException)].count(True) == 1
    assert len({r.checkin.id for r in repeats if not isinstance(r, BaseException)}) == 1
    # Carol's local day in New York is still the 14th at 10:00 UTC; so is Alice's in Berlin.
    days = {r.checkin.day for r in results.values() if not isinstance(r, BaseException)}
    assert days == {TODAY, TODAY - timedelta(days=1)}
    assert await CheckIn.filter(day=TODAY).count() == len(runs) + 2  # the runs, water, swim
    assert await CheckIn.filter(habit_id=runs[8].id).count() == 2  # today and the back-fill
    for habit in runs:
        stored = await Habit.get(id=habit.id)
        expected = 2 if habit.id == runs[8].id else 1  # the back-filled yesterday joins today
        assert (stored.current_streak, stored.longest_streak, stored.streak_day) == (expected, expected, TODAY)
    assert (await Habit.get(id=water.id)).current_streak == 1


async def test_inside_a_callers_transaction_the_check_in_is_part_of_it(alice: User) -> None:
    habit = await create_habit(alice, HabitCreate(name="Read"), now=NOW - timedelta(days=1))
    await list_habits(alice, now=NOW)
    with pytest.raises(RuntimeError, match="undo"):
        async with in_transaction():
            assert (await check_in(alice.id, habit.id, now=NOW)).created
            raise RuntimeError("undo")
    assert not await CheckIn.exists(habit_id=habit.id)
    assert (await Habit.get(id=habit.id)).current_streak == 0


async def test_inside_a_transaction_another_users_habit_is_still_not_found(alice: User, bob: User) -> None:
    habit = await create_habit(bob, HabitCreate(name="Bob's"), now=NOW - timedelta(days=1))
    with pytest.raises(NotFound):
        async with in_transaction():
            await check_in(alice.id, habit.id, now=NOW)


@pytest.mark.postgres_only  # row locks and deadlock detection of a second PostgreSQL session
async def test_a_batch_chosen_as_deadlock_victim_is_sent_again(
    alice: User, db: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Another transaction holds the second habit's row, the batch locks the first and waits; then
    the other asks for the first: PostgreSQL aborts one of the two. The batch (whose session detects
    it first) is sent again once the other has committed, and both check-ins succeed."""
    first, second = [await create_habit(alice, HabitCreate(name=name), now=NOW - timedelta(days=1))
                     for name in ("Read", "Write")]
    await list_habits(alice, now=NOW)
    other = await asyncpg.connect(db)
    try:
        async with other.transaction():
            await other.execute("SET LOCAL deadlock_timeout = '20s'")  # so the batch's session detects it
            await other.execute("UPDATE habits SET description = 'held' WHERE id = $1", second.id)
            both = asyncio.gather(check_in(alice.id, first.id, now=NOW), check_in(alice.id, second.id, now=NOW))
            await _until_waiting_for_a_lock(other)
            await other.execute("UPDATE habits SET description = 'held too' WHERE id = $1", first.id)
        results = await both
    finally:
        await other.close()
    assert [r.created for r in results] == [True, True]
    assert [(await Habit.get(id=h.id)).current_streak for h in (first, second)] == [1, 1]
    assert "deadlock victim" in caplog.text


async def _until_waiting_for_a_lock(conn: asyncpg.Connection) -> None:
    for _ in range(200):
        if await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                               "AND datname = current_database()"):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the batch never waited for a row lock")
