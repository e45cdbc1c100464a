"""Reminders through the real taskiq path (in-process broker running the scan and delivery tasks),
the test database and the loopback Bot API: local times, DST changes, and every reason not to send."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from taskiq import AsyncBroker

from smarthabit.accounts import PreferencesUpdate, update_preferences
from smarthabit.checkins import check_in
from smarthabit.habits import archive_habit, create_habit, pause_habit
from smarthabit.models import Habit, Nudge, NudgeKind, NudgeStatus, Reminder, User
from smarthabit.schemas import HabitCreate
from tests.botapi import BotApiServer
from tests.tasks.conftest import MakeUser, scan, utc


async def sweep(broker: AsyncBroker, start: datetime, end: datetime, step: timedelta) -> None:
    now = start
    while now <= end:
        await scan(broker, now)
        now += step


async def user_with_reminders(
    make_user: MakeUser, tz: str, times: list[time], now: datetime, **kw: Any
) -> tuple[User, Habit]:
    user = await make_user(tz, nudges_enabled=False, **kw)
    habit = await create_habit(user, HabitCreate(name="Reading", reminder_times=times), now=now)
    return user, habit


async def fired(habit: Habit) -> list[datetime]:
    rows = await Nudge.filter(habit_id=habit.id, kind=NudgeKind.REMINDER, status=NudgeStatus.SENT).order_by(
        "planned_at"
    )
    return [row.planned_at for row in rows]


async def test_reminders_fire_at_local_time_in_each_zone(broker: AsyncBroker, make_user: MakeUser,
                                                          botapi: BotApiServer) -> None:
    start = utc(2026, 6, 14, 12, 0)
    expected = {  # 08:00 local on 2026-06-15 (summer time where there is one)
        "Europe/Berlin": utc(2026, 6, 15, 6, 0),
        "America/New_York": utc(2026, 6, 15, 12, 0),
        "Asia/Tokyo": utc(2026, 6, 14, 23, 0),
        "Asia/Kolkata": utc(2026, 6, 15, 2, 30),
    }
    users = {tz: await user_with_reminders(make_user, tz, [time(8, 0)], start) for tz in expected}
    for tz, instant in sorted(expected.items(), key=lambda item: item[1]):
        user, habit = users[tz]
        await scan(broker, instant - timedelta(minutes=1))
        assert botapi.sent_to(user.telegram_chat_id) == [], tz
        await scan(broker, instant)
        messages = botapi.sent_to(user.telegram_chat_id)
        assert len(messages) == 1, tz
        assert messages[0]["text"].startswith("⏰ Time for Reading")
        day = instant.astimezone(ZoneInfo(tz)).date()
        assert BotApiServer.buttons(messages[0]) == [("✅ Done", f"checkin:{habit.id}:{day.isoformat()}")]
        reminder = await Reminder.get(habit_id=habit.id)
        assert reminder.next_fire_at == instant + timedelta(days=1)
    assert sum(len(botapi.sent_to(u.telegram_chat_id)) for u, _ in users.values()) == 4


async def test_berlin_spring_forward_neither_skips_nor_doubles(broker: AsyncBroker, make_user: MakeUser,
                                                               botapi: BotApiServer) -> None:
    start = utc(2026, 3, 28, 5, 0)  # Saturday 06:00 CET; clocks go 02:00 -> 03:00 on Sunday the 29th
    user, habit = await user_with_reminders(make_user, "Europe/Berlin", [time(2, 30), time(8, 0)], start)
    await sweep(broker, start, utc(2026, 3, 30, 7, 0), timedelta(minutes=15))
    assert await fired(habit) == [
        utc(2026, 3, 28, 7, 0),  # 08:00 CET
        utc(2026, 3, 29, 1, 30),  # 02:30 does not exist that night: once, at 03:30 CEST
        utc(2026, 3, 29, 6, 0),  # 08:00 CEST
        utc(2026, 3, 30, 0, 30),  # 02:30 CEST
        utc(2026, 3, 30, 6, 0),
    ]
    assert len(botapi.sent_to(user.telegram_chat_id)) == 5


async def test_berlin_fall_back_fires_the_repeated_time_once(broker: AsyncBroker, make_user: MakeUser,
                                                            botapi: BotApiServer) -> None:
    start = utc(2026, 10, 24, 5, 0)  # clocks go 03:00 CEST -> 02:00 CET on Sunday the 25th
    user, habit = await user_with_reminders(make_user, "Europe/Berlin", [time(2, 30)], start)
    await sweep(broker, utc(2026, 10, 24, 22, 0), utc(2026, 10, 26, 3, 0), timedelta(minutes=10))
    assert await fired(habit) == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]
    assert len(botapi.sent_to(user.telegram_chat_id)) == 2


async def test_new_york_spring_forward_moves_the_utc_instant(broker: AsyncBroker, make_user: MakeUser) -> None:
    start = utc(2026, 3, 7, 6, 0)  # clocks go 02:00 EST -> 03:00 EDT on Sunday 2026-03-08
    _, habit = await user_with_reminders(make_user, "America/New_York", [time(8, 0)], start)
    await sweep(broker, start, utc(2026, 3, 9, 13, 0), timedelta(minutes=30))
    assert await fired(habit) == [utc(2026, 3, 7, 13, 0), utc(2026, 3, 8, 12, 0), utc(2026, 3, 9, 12, 0)]


async def test_time_zone_change_takes_effect(broker: AsyncBroker, make_user: MakeUser) -> None:
    start = utc(2026, 6, 14, 12, 0)
    user, habit = await user_with_reminders(make_user, "Europe/Berlin", [time(8, 0)], start)
    await update_preferences(user, PreferencesUpdate(timezone="America/New_York"))
    # update_preferences reschedules from the real clock; the fixed test clock starts again here.
    await Reminder.filter(habit_id=habit.id).update(next_fire_at=utc(2026, 6, 15, 12, 0))
    await sweep(broker, start, utc(2026, 6, 15, 12, 30), timedelta(minutes=30))
    assert await fired(habit) == [utc(2026, 6, 15, 12, 0)]


async def test_done_habit_gets_no_reminder_but_moves_on(broker: AsyncBroker, make_user: MakeUser,
                                                        botapi: BotApiServer) -> None:
    start = utc(2026, 6, 15, 5, 0)
    user, habit = await user_with_reminders(make_user, "Europe/Berlin", [time(8, 0)], start)
    await check_in(user.id, habit.id, now=start)
    await scan(broker, utc(2026, 6, 15, 6, 0))
    assert botapi.sent_to(user.telegram_chat_id) == []
    assert await Nudge.filter(habit_id=habit.id).count() == 0
    assert (await Reminder.get(habit_id=habit.id)).next_fire_at == utc(2026, 6, 16, 6, 0)
    await scan(broker, utc(2026, 6, 16, 6, 0))  # the next day it is due again
    assert len(botapi.sent_to(user.telegram_chat_id)) == 1


async def test_checkin_between_planning_and_sending_skips_the_reminder(
    runtime: Any, make_user: MakeUser, botapi: BotApiServer
) -> None:
    from tasks.delivery import Outcome, deliver
    from tasks.planning import plan_due_reminders

    start = utc(2026, 6, 15, 5, 0)
    user, habit = await user_with_reminders(make_user, "UTC", [time(8, 0)], start)
    [nudge_id] = await plan_due_reminders(utc(2026, 6, 15, 8, 0))
    await check_in(user.id, habit.id, now=utc(2026, 6, 15, 8, 0))
    assert await deliver(runtime, nudge_id, now=utc(2026, 6, 15, 8, 0, 5)) is Outcome.SKIPPED
    assert (await Nudge.get(id=nudge_id)).error == "done"
    assert botapi.sent_to(user.telegram_chat_id) == []


@pytest.mark.parametrize("case", ["paused", "archived", "not_scheduled", "week_complete", "quiet_hours",
                                  "reminders_off", "bot_blocked", "no_chat", "too_late"])
async def test_no_reminder_when_not_wanted(case: str, broker: AsyncBroker, make_user: MakeUser,
                                           botapi: BotApiServer) -> None:
    start = utc(2026, 6, 15, 5, 0)  # a Monday
    fire = utc(2026, 6, 15, 8, 0)
    fields: dict[str, Any] = {
        # quiet hours, and the user chose to drop reminders due in them (the default holds them)
        "quiet_hours": {"quiet_start": time(7, 30), "quiet_end": time(9, 0), "quiet_reminders_later": False},
        "reminders_off": {"reminders_enabled": False},
        "bot_blocked": {"bot_blocked": True},
        "no_chat": {"telegram_chat_id": None},
    }.get(case, {})
    user = await make_user("UTC", nudges_enabled=False, **fields)
    schedule: dict[str, Any] = {"kind": "daily"}
    if case == "not_scheduled":
        schedule = {"kind": "weekdays", "weekdays": [2, 4]}
    if case == "week_complete":
        schedule = {"kind": "times_per_week", "times_per_week": 1}
    habit = await create_habit(
        user, HabitCreate(name="Reading", schedule=schedule, reminder_times=[time(8, 0)]), now=start - timedelta(days=7)
    )
    if case == "paused":
        await pause_habit(user, habit.id, fire.date(), fire.date() + timedelta(days=2), now=start)
    if case == "archived":
        await archive_habit(user, habit.id)
    if case == "week_complete":
        await check_in(user.id, habit.id, now=start)  # Monday: this week's one time is done
        fire = utc(2026, 6, 16, 8, 0)
        await Reminder.filter(habit_id=habit.id).update(next_fire_at=fire)
    when = fire + (timedelta(hours=3) if case == "too_late" else timedelta())
    await scan(broker, when)
    assert botapi.stats.sent == 0
    assert await Nudge.filter(habit_id=habit.id).count() == 0
    assert (await Reminder.get(habit_id=habit.id)).next_fire_at > when  # always moves on


async def test_a_reminder_in_quiet_hours_is_sent_when_they_end(broker: AsyncBroker, make_user: MakeUser,
                                                               botapi: BotApiServer) -> None:
    """22:00-07:00 quiet in Berlin, a reminder at 23:00: held, and sent at 07:00 the next morning."""
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 6, 15, 12, 0, tzinfo=berlin)
    user, habit = await user_with_reminders(make_user, "Europe/Berlin", [time(23, 0)], start,
                                            quiet_start=time(22, 0), quiet_end=time(7, 0))
    await scan(broker, datetime(2026, 6, 15, 23, 0, tzinfo=berlin))
    [held] = await Nudge.filter(habit_id=habit.id)
    assert held.status is NudgeStatus.PENDING
    assert held.planned_at == datetime(2026, 6, 16, 7, 0, tzinfo=berlin)
    assert botapi.stats.sent == 0
    await scan(broker, datetime(2026, 6, 16, 6, 59, tzinfo=berlin))  # still quiet
    assert botapi.stats.sent == 0
    await scan(broker, datetime(2026, 6, 16, 7, 0, tzinfo=berlin))  # the quiet hours end
    assert (await Nudge.get(id=held.id)).status is NudgeStatus.SENT
    assert len(botapi.sent_to(user.telegram_chat_id)) == 1


async def test_a_reminder_held_by_delivery_goes_out_after_the_quiet_hours(
    runtime: Any, broker: AsyncBroker, make_user: MakeUser, botapi: BotApiServer
) -> None:
    """Planned before the quiet hours began but delivered inside them (a backlog): held, not lost."""
    from tasks.delivery import Outcome, deliver
    from tasks.planning import plan_due_reminders

    user, _ = await user_with_reminders(make_user, "UTC", [time(21, 59)], utc(2026, 6, 15, 5, 0),
                                            quiet_start=time(22, 0), quiet_end=time(6, 30))
    [nudge_id] = await plan_due_reminders(utc(2026, 6, 15, 21, 59))
    assert await deliver(runtime, nudge_id, now=utc(2026, 6, 15, 22, 0, 30)) is Outcome.DEFERRED
    assert (await Nudge.get(id=nudge_id)).planned_at == utc(2026, 6, 16, 6, 30)
    await scan(broker, utc(2026, 6, 16, 6, 30))
    assert (await Nudge.get(id=nudge_id)).status is NudgeStatus.SENT
    assert len(botapi.sent_to(user.telegram_chat_id)) == 1
