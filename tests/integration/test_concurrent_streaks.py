"""The streak cache under concurrency: whatever mix of writes runs at once, every habit's cached
streaks equal a full recomputation from its rows (PostgreSQL, many connections at once)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest

from smarthabit.checkins import check_in, edit_check_in, undo_check_in
from smarthabit.errors import DomainError
from smarthabit.habits import create_habit, list_habits, pause_habit, resume_habit, update_habit
from smarthabit.models import Habit, HabitKind, User
from smarthabit.schemas import HabitCreate, HabitUpdate, ScheduleIn
from smarthabit.streak_cache import done_days, habit_pauses
from smarthabit.streaks import compute_streaks

pytestmark = pytest.mark.postgres_only
ROUNDS = 40
OPERATIONS_PER_ROUND = 36
SCHEDULES = (ScheduleIn(), ScheduleIn(kind="weekdays", weekdays=[0, 2, 4]),
             ScheduleIn(kind="times_per_week", times_per_week=3))


def at(day: date) -> datetime:
    """Noon on a Berlin local day."""
    return datetime.combine(day, time(10), tzinfo=UTC)


async def mismatches(habits: list[Habit]) -> list[str]:
    """The habits whose cache differs from recomputing their streaks from every row."""
    wrong = []
    for habit in habits:
        cached = await Habit.get(id=habit.id)
        expected = compute_streaks(cached.schedule, await done_days(cached), cached.streak_day,
                                   await habit_pauses(cached), created=cached.start_day)
        if (cached.current_streak, cached.longest_streak) != (expected.current, expected.longest):
            wrong.append(f"habit {habit.id}: cached {(cached.current_streak, cached.longest_streak)}, "
                         f"recomputed {(expected.current, expected.longest)} on {cached.streak_day}")
    return wrong


async def test_parallel_back_fills_count_every_day(alice: User) -> None:
    """An offline sync: one check-in per day for the last 7 days, all at once (measured before: (1, 1))."""
    today = date(2026, 3, 10)
    habits = [await create_habit(alice, HabitCreate(name=f"Sync {n}"), now=at(today - timedelta(days=9)))
              for n in range(4)]
    await asyncio.gather(*(check_in(alice.id, habit.id, day=today - timedelta(days=back), now=at(today))
                           for habit in habits for back in range(7)))
    for habit in habits:
        fresh = await Habit.get(id=habit.id)
        assert (fresh.current_streak, fresh.longest_streak) == (7, 7)


async def test_concurrent_undos_and_back_fills(alice: User) -> None:
    """Check-ins 0-6 days back plus three concurrent undos of day -3 (measured before: (6, 6))."""
    today = date(2026, 3, 10)
    habit = await create_habit(alice, HabitCreate(name="Read"), now=at(today - timedelta(days=9)))
    for back in range(7):
        if back != 3:
            await check_in(alice.id, habit.id, day=today - timedelta(days=back), now=at(today))
    await check_in(alice.id, habit.id, day=today - timedelta(days=3), now=at(today))
    results = await asyncio.gather(*(undo_check_in(alice, habit.id, today - timedelta(days=3), now=at(today))
                                     for _ in range(3)), return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    fresh = await Habit.get(id=habit.id)
    assert (fresh.current_streak, fresh.longest_streak) == (3, 3)


def _operations(rng: random.Random, user: User, habits: list[Habit], today: date) -> list[Awaitable[object]]:
    """A random mix of every kind of write, for one round on one local day."""
    now = at(today)

    def day() -> date:
        return today - timedelta(days=rng.choice([0, 0, 0, 1, 2, 3, 4, 5, 6, 7]))

    makers: list[Callable[[Habit], Awaitable[object]]] = [
        lambda h: check_in(user.id, h.id, day=day(), value=rng.choice([1.0, 5.0]), now=now),
        lambda h: check_in(user.id, h.id, day=day(), value=rng.choice([1.0, 5.0]), now=now),
        lambda h: check_in(user.id, h.id, value=5.0, now=now),
        lambda h: undo_check_in(user, h.id, day(), now=now),
        lambda h: edit_check_in(user, h.id, day(), value=rng.choice([1.0, 5.0])),
        lambda h: pause_habit(user, h.id, (d := day()), d + timedelta(days=rng.randint(0, 3)), now=now),
        lambda h: resume_habit(user, h.id, now=now),
        lambda h: update_habit(user, h.id, HabitUpdate(schedule=rng.choice(SCHEDULES)), now=now),
        lambda h: list_habits(user, now=now),
    ]
    weights = [6, 6, 6, 3, 2, 1, 1, 1, 2]
    return [rng.choices(makers, weights)[0](rng.choice(habits)) for _ in range(OPERATIONS_PER_ROUND)]


async def test_random_concurrent_writes_keep_every_cache_exact(alice: User) -> None:
    rng = random.Random(20261130)
    start = date(2026, 3, 2)
    habits = [
        await create_habit(alice, HabitCreate(name="Walk"), now=at(start)),
        await create_habit(alice, HabitCreate(name="Gym", schedule=SCHEDULES[1]), now=at(start)),
        await create_habit(alice, HabitCreate(name="Swim", schedule=SCHEDULES[2]), now=at(start)),
        await create_habit(alice, HabitCreate(name="Water", kind=HabitKind.MEASURABLE, target=3), now=at(start)),
    ]
    wrong: list[str] = []
    succeeded = 0
    for round_ in range(ROUNDS):
        today = start + timedelta(days=8 + round_ // 2)
        results = await asyncio.gather(*_operations(rng, alice, habits, today), return_exceptions=True)
        unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, DomainError)]
        assert not unexpected, unexpected
        succeeded += sum(not isinstance(r, BaseException) for r in results)
        wrong += [f"round {round_}: {problem}" for problem in await mismatches(habits)]
    assert succeeded > ROUNDS * OPERATIONS_PER_ROUND // 2  # most writes really happened
    assert wrong == []
