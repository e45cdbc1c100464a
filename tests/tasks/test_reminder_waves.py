"""A wave of reminders too big to send at its minute starts a minute early (tasks.planning.reminder_horizon);
a lone reminder never does, and an early one never lands in quiet hours."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import time, timedelta

import pytest

from smarthabit.config import Settings
from smarthabit.habits import create_habit
from smarthabit.models import Nudge, NudgeStatus, Reminder
from smarthabit.schemas import HabitCreate
from tasks.delivery import Outcome, deliver, due_deferred
from tasks.jobs import minute_scan
from tasks.planning import EARLY_START, plan_due_reminders, reminder_horizon
from tasks.runtime import Runtime
from tests.botapi import BotApiServer
from tests.tasks.conftest import MakeUser, utc

FIRE = utc(2026, 6, 15, 9, 0)  # 09:00 in UTC, the users' zone
BEFORE = FIRE - EARLY_START
RATE = 0.05  # messages a second: a wave of more than 2 * 0.05 * 60 = 6 reminders starts early


@pytest.fixture
async def slow_runtime(task_settings: Settings) -> AsyncIterator[Runtime]:
    """A worker runtime whose budget lets out 0.05 messages a second (no broker: scans plan rows only)."""
    rt = Runtime(task_settings, manage_database=False, chat_interval=0.0, global_rate=RATE)
    await rt.startup()
    yield rt
    await rt.shutdown()


async def _reminders_at(make_user: MakeUser, count: int, at: time = time(9, 0), **user: object) -> list[int]:
    """The ids of `count` habits, each of its own user (chat id = user id), with a reminder at `at`."""
    habits = []
    for _ in range(count):
        owner = await make_user("UTC", nudges_enabled=False, **user)
        habits.append((await create_habit(owner, HabitCreate(name="Read", reminder_times=[at]),
                                          now=FIRE - timedelta(hours=2))).id)
    return habits


async def _sent(botapi: BotApiServer, habit_id: int) -> list[str]:
    nudge = await Nudge.filter(habit_id=habit_id).first().prefetch_related("user")
    assert nudge is not None
    return [message["text"] for message in botapi.sent_to(nudge.user.telegram_chat_id)]


async def test_a_wave_too_big_for_its_minute_is_planned_a_minute_early(
    slow_runtime: Runtime, make_user: MakeUser
) -> None:
    habits = await _reminders_at(make_user, 7)
    assert await reminder_horizon(BEFORE, RATE) == FIRE
    assert (await minute_scan(slow_runtime, now=BEFORE))["reminders"] == 7
    rows = await Nudge.filter(habit_id__in=habits).values_list("planned_at", "status", "day")
    assert rows == [(FIRE, NudgeStatus.PENDING, FIRE.date())] * 7  # each still planned for its own time
    assert set(await Reminder.filter(habit_id__in=habits).values_list("next_fire_at", flat=True)) == {
        FIRE + timedelta(days=1)}
    assert (await minute_scan(slow_runtime, now=FIRE))["reminders"] == 0  # nothing planned twice
    assert await Nudge.filter(habit_id__in=habits).count() == 7


async def test_a_wave_the_minute_can_hold_waits_for_its_time(slow_runtime: Runtime, make_user: MakeUser) -> None:
    habits = await _reminders_at(make_user, 6)
    assert await reminder_horizon(BEFORE, RATE) == BEFORE
    assert (await minute_scan(slow_runtime, now=BEFORE))["reminders"] == 0
    assert (await minute_scan(slow_runtime, now=FIRE))["reminders"] == 6
    assert await Nudge.filter(habit_id__in=habits).count() == 6


async def test_an_early_reminder_is_sent_early(runtime: Runtime, make_user: MakeUser, botapi: BotApiServer) -> None:
    [habit] = await _reminders_at(make_user, 1)
    [planned] = await plan_due_reminders(BEFORE, until=FIRE)
    assert await deliver(runtime, planned, now=BEFORE + timedelta(seconds=5)) is Outcome.SENT
    assert (await Nudge.get(id=planned)).status is NudgeStatus.SENT
    assert [text.startswith("⏰ Time for Read") for text in await _sent(botapi, habit)] == [True]
    assert (await Reminder.get(habit_id=habit)).next_fire_at == FIRE + timedelta(days=1)


async def test_an_early_reminder_waits_for_quiet_hours_to_end(
    runtime: Runtime, make_user: MakeUser, botapi: BotApiServer
) -> None:
    """Quiet hours end at 09:00, the reminder's time: sent a minute early it would land in them, so it
    is held until they end (even for someone who has reminders in quiet hours dropped: this one is not
    in them)."""
    [habit] = await _reminders_at(make_user, 1, quiet_start=time(22, 0), quiet_end=time(9, 0),
                                  quiet_reminders_later=False)
    [planned] = await plan_due_reminders(BEFORE, until=FIRE)
    assert await deliver(runtime, planned, now=BEFORE + timedelta(seconds=5)) is Outcome.DEFERRED
    assert await _sent(botapi, habit) == []
    assert await due_deferred(FIRE - timedelta(seconds=1)) == []
    assert await due_deferred(FIRE) == [planned]
    assert await deliver(runtime, planned, now=FIRE) is Outcome.SENT
    assert len(await _sent(botapi, habit)) == 1


async def test_an_early_reminder_whose_time_is_in_quiet_hours_is_held_until_they_end(
    runtime: Runtime, make_user: MakeUser, botapi: BotApiServer
) -> None:
    """Quiet hours begin at 09:00 and this person wants such reminders afterwards: planned a minute
    early, it is planned for their end, not sent before they begin."""
    [habit] = await _reminders_at(make_user, 1, quiet_start=time(9, 0), quiet_end=time(10, 0),
                                  quiet_reminders_later=True)
    [planned] = await plan_due_reminders(BEFORE, until=FIRE)
    end = FIRE + timedelta(hours=1)
    assert (await Nudge.get(id=planned)).planned_at == end
    assert await deliver(runtime, planned, now=BEFORE + timedelta(seconds=5)) is Outcome.DEFERRED
    assert await _sent(botapi, habit) == []
    assert await due_deferred(FIRE) == []
    assert await due_deferred(end) == [planned]
    assert await deliver(runtime, planned, now=end) is Outcome.SENT
    assert len(await _sent(botapi, habit)) == 1
