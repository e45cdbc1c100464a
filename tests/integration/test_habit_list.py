"""The habit list read as rows: lists asked for at the same time share one statement, each its own."""

from __future__ import annotations

import asyncio

import pytest

from smarthabit.errors import ValidationFailed
from smarthabit.habit_list import HABIT_COLUMNS, listing
from smarthabit.habits import create_habit
from smarthabit.models import Habit, User
from smarthabit.orm import on_postgres
from smarthabit.schemas import HabitCreate
from tests.statements import statements


async def _users(count: int) -> list[User]:
    users = [await User.create(email=f"list{n}@example.com", timezone="Europe/Berlin") for n in range(count)]
    for n, user in enumerate(users):
        for k in range(n % 3):
            await create_habit(user, HabitCreate(name=f"Habit {n}.{k}"))
    return users


async def test_concurrent_lists_share_a_statement_and_get_their_own(db: str) -> None:
    users = await _users(12)
    gone = await User.create(email="gone@example.com")
    await gone.delete()
    expected = [[f"Habit {n}.{k}" for k in range(n % 3)] for n in range(12)]
    for user in users:
        await listing(user.id)  # streak caches valid for today: nothing but the lists is read below
    with statements() as sql:
        lists = await asyncio.gather(*(listing(user.id) for user in users), listing(gone.id))
    assert lists[-1] is None  # a gone account: the caller refuses its token
    assert [[item["name"] for item in found.items] for found in lists[:-1] if found is not None] == expected
    if on_postgres():
        assert 1 <= len(sql) < len(users) / 2, sql  # a lone first list, then the others together


@pytest.mark.postgres_only
async def test_a_zone_unknown_to_postgresql_lists_through_the_orm(db: str) -> None:
    """PostgreSQL's time zone data may be older than Python's: a batch with such an owner is read
    through the ORM, everyone's list still right (here Python knows the zone neither: that one fails)."""
    users = await _users(3)
    await User.filter(id=users[0].id).update(timezone="Atlantis/Capital")
    # the first goes alone, the other two share a statement that fails for one of them
    outcomes = await asyncio.gather(*(listing(user.id) for user in (users[1], users[0], users[2])),
                                    return_exceptions=True)
    assert isinstance(outcomes[1], ValidationFailed)
    assert [[item["name"] for item in found.items] for found in (outcomes[0], outcomes[2])] == [
        ["Habit 1.0"], ["Habit 2.0", "Habit 2.1"]]


async def test_the_statement_reads_every_column_of_a_habit(db: str) -> None:
    """The bot's lists build models from the rows: a column added to `Habit` must be read too."""
    assert set(HABIT_COLUMNS) == Habit._meta.db_fields
