"""Invariants the database keeps under concurrency: one active habit per name, the active-habit cap."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

import asyncpg
import pytest

from smarthabit.errors import Conflict, ValidationFailed
from smarthabit.habits import MAX_ACTIVE_HABITS, archive_habit, create_habit, restore_habit, update_habit
from smarthabit.models import Habit, User
from smarthabit.schemas import HabitCreate, HabitUpdate

MIGRATIONS = Path(__file__).parents[2] / "migrations" / "models"


async def test_concurrent_creates_of_one_name_leave_one_habit(alice: User) -> None:
    results = await asyncio.gather(*(create_habit(alice, HabitCreate(name="Read" if n % 2 else "READ"))
                                     for n in range(20)), return_exceptions=True)
    assert sum(isinstance(r, Habit) for r in results) == 1
    assert all(isinstance(r, Conflict) and r.code == "duplicate_name" for r in results if not isinstance(r, Habit))
    assert await Habit.filter(user_id=alice.id, archived_at__isnull=True).count() == 1


async def test_names_typed_two_ways_are_one_name(alice: User) -> None:
    await create_habit(alice, HabitCreate(name="\u00e9cole"))  # precomposed
    with pytest.raises(Conflict):
        await create_habit(alice, HabitCreate(name="e\u0301cole"))  # e + combining acute
    assert await Habit.filter(user_id=alice.id, name="\u00e9cole").count() == 1


async def test_concurrent_renames_to_one_name(alice: User) -> None:
    habits = [await create_habit(alice, HabitCreate(name=f"H{n}")) for n in range(6)]
    results = await asyncio.gather(*(update_habit(alice, h.id, HabitUpdate(name="Same")) for h in habits),
                                   return_exceptions=True)
    assert sum(isinstance(r, Habit) for r in results) == 1
    assert await Habit.filter(user_id=alice.id, name="Same").count() == 1


@pytest.mark.postgres_only
async def test_the_cap_holds_under_concurrent_creates_and_restores(alice: User) -> None:
    archived = await create_habit(alice, HabitCreate(name="Old"))
    await archive_habit(alice, archived.id)
    for n in range(MAX_ACTIVE_HABITS - 3):
        await Habit.create(user_id=alice.id, name=f"Habit {n}", start_day="2026-01-01")
    attempts = [create_habit(alice, HabitCreate(name=f"New {n}")) for n in range(10)]
    results = await asyncio.gather(*attempts, restore_habit(alice, archived.id), return_exceptions=True)
    assert await Habit.filter(user_id=alice.id, archived_at__isnull=True).count() == MAX_ACTIVE_HABITS
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 8 and all(isinstance(r, ValidationFailed) and r.code == "too_many_habits" for r in refused)


@pytest.mark.postgres_only
async def test_the_migration_renames_existing_duplicates(db: str) -> None:
    """The clean-up SQL of the migration that added the unique index, on duplicates made before it."""
    path = next(MIGRATIONS.glob("*_integrity.py"))
    spec = importlib.util.spec_from_file_location("integrity_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    upgrade = await module.upgrade(None)
    cleanup = upgrade[upgrade.index("UPDATE"):]
    conn = await asyncpg.connect(db)
    try:
        async with conn.transaction():
            await conn.execute('DROP INDEX "uidx_habits_active_name"')
            user = await conn.fetchval("INSERT INTO users (email, display_name, timezone, reminders_enabled, "
                                       "nudges_enabled, bot_blocked, created_at, updated_at) VALUES "
                                       "('x@example.com', '', 'UTC', true, true, false, now(), now()) RETURNING id")
            for name, archived in (("Run", False), ("run", False), ("RUN", True), ("e\u0301cole", False),
                                   ("\u00e9cole", False)):
                await conn.execute(
                    "INSERT INTO habits (user_id, name, description, kind, schedule_kind, schedule_weekdays, "
                    "start_day, position, current_streak, longest_streak, created_at, updated_at, archived_at) "
                    "VALUES ($1, $2, '', 'yes_no', 'daily', 0, '2026-01-01', 0, 0, 0, now(), now(), "
                    "CASE WHEN $3 THEN now() END)", user, name, archived)
            await conn.execute(cleanup)
            rows = await conn.fetch("SELECT id, name FROM habits WHERE user_id = $1 ORDER BY id", user)
            raise _Rollback(rows)
    except _Rollback as done:
        rows = done.rows
    finally:
        await conn.close()
    ids = [row["id"] for row in rows]
    assert [row["name"] for row in rows] == ["Run", f"run ({ids[1]})", "RUN", "\u00e9cole", f"\u00e9cole ({ids[4]})"]


class _Rollback(Exception):
    def __init__(self, rows: list[asyncpg.Record]) -> None:
        super().__init__("rolled back")
        self.rows = rows
