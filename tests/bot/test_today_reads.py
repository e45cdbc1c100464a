"""/today reads the account and the list, whatever the number of habits (no per-habit queries)."""

from __future__ import annotations

import asyncio

from bot.app import BotApplication
from smarthabit.habits import create_habit
from smarthabit.orm import on_postgres
from smarthabit.schemas import HabitCreate
from tests.bot.conftest import Person, sign_up
from tests.statements import statements


async def test_today_costs_the_same_statements_for_one_habit_as_for_six(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada, "UTC")
    await create_habit(user, HabitCreate(name="Habit 0"))
    seen = []
    for count in (1, 6):
        await ada.say("/today", f"0 of {count} done")  # streak caches valid for today
        await asyncio.sleep(0.2)  # what the last update still wrote
        with statements() as sql:
            await ada.say("/today", f"0 of {count} done")
            await asyncio.sleep(0.2)  # anything the handler still did after its answer would show up
        seen.append(list(sql))
        if count == 1:
            for n in range(1, 6):
                await create_habit(user, HabitCreate(name=f"Habit {n}"))
    assert len(seen[0]) == len(seen[1]), seen
    if on_postgres():  # the account (once per update), then the list
        assert len(seen[1]) == 2 and "habits h" in seen[1][1], seen
