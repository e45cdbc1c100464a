"""Nudges: skip risk before the usual check-in time, streak risk in the evening, the weekly summary on
Sunday evening -- one per habit per day, a daily cap, never in quiet hours or when turned off."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from taskiq import AsyncBroker

from smarthabit.checkins import check_in
from smarthabit.habits import create_habit
from smarthabit.models import CheckIn, Habit, Nudge, NudgeKind, NudgeStatus, SkipPrediction, User
from smarthabit.nudge_times import spread
from smarthabit.predictions import HOLIDAY_REASON
from smarthabit.schemas import HabitCreate
from smarthabit.streak_cache import refresh_streaks
from tasks.broker import WEEKLY_TASK
from tasks.texts import skip_risk_reason_text
from tests.botapi import BotApiServer
from tests.tasks.conftest import MakeUser, inline_broker, run_task, scan, utc

FRIDAY = date(2026, 6, 12)
# Berlin is UTC+2 in June. Usual check-in 08:00 local -> skip-risk window from 06:45 local = 04:45 UTC.
SKIP_TIME = utc(2026, 6, 12, 4, 45)
EVENING = utc(2026, 6, 12, 18, 0)  # 20:00 in Berlin


def evening(user: User) -> datetime:
    """20:00 in Berlin moved by the person's spread (each person has their own minute of the wave)."""
    return EVENING + timedelta(minutes=spread(user.id))


async def habit_with_history(user: User, name: str, *, skip_fridays: bool, days: int = 84,
                             usual: int | None = 8 * 60) -> Habit:
    """A habit done every day of the last `days` (except Fridays when asked), checked in around `usual`."""
    habit = await create_habit(user, HabitCreate(name=name), now=utc(2026, 6, 12, 4, 0) - timedelta(days=days))
    rows = []
    for back in range(1, days + 1):
        day = FRIDAY - timedelta(days=back)
        if not (skip_fridays and day.weekday() == 4):
            rows.append(CheckIn(habit_id=habit.id, day=day))
    await CheckIn.bulk_create(rows)
    await Habit.filter(id=habit.id).update(usual_checkin_minute=usual)
    habit = await Habit.get(id=habit.id)
    await refresh_streaks(habit, FRIDAY)
    return habit


async def sent_texts(botapi: BotApiServer, user: User) -> list[str]:
    return [m["text"] for m in botapi.sent_to(user.telegram_chat_id)]


async def test_skip_risk_nudge_before_the_usual_checkin_time(broker: AsyncBroker, make_user: MakeUser,
                                                              botapi: BotApiServer) -> None:
    user = await make_user("Europe/Berlin")
    habit = await habit_with_history(user, "Reading", skip_fridays=True)
    await scan(broker, SKIP_TIME - timedelta(minutes=1))
    assert await sent_texts(botapi, user) == []
    await scan(broker, SKIP_TIME)
    assert await sent_texts(botapi, user) == [
        f"You tend to skip Reading on Fridays — even 5 minutes keeps your {habit.current_streak}-day streak."
    ]
    [message] = botapi.sent_to(user.telegram_chat_id)
    assert BotApiServer.buttons(message) == [("✅ Done", f"checkin:{habit.id}:2026-06-12")]
    for minutes in (1, 5, 14):  # still inside the window: nothing more for this habit today
        await scan(broker, SKIP_TIME + timedelta(minutes=minutes))
    assert len(botapi.sent_to(user.telegram_chat_id)) == 1
    [nudge] = await Nudge.filter(user_id=user.id)
    assert nudge.kind is NudgeKind.SKIP_RISK and nudge.key == f"nudge:{habit.id}:2026-06-12"


async def test_no_skip_risk_nudge_for_a_habit_that_is_rarely_skipped(broker: AsyncBroker, make_user: MakeUser,
                                                                    botapi: BotApiServer) -> None:
    user = await make_user("Europe/Berlin")
    await habit_with_history(user, "Reading", skip_fridays=False)
    await scan(broker, SKIP_TIME)
    assert botapi.stats.sent == 0


async def test_streak_risk_in_the_evening_unless_done(broker: AsyncBroker, make_user: MakeUser,
                                                      botapi: BotApiServer) -> None:
    user = await make_user("Europe/Berlin")
    running = await habit_with_history(user, "Running", skip_fridays=False, days=10, usual=None)
    yoga = await habit_with_history(user, "Yoga", skip_fridays=False, days=10, usual=None)
    await check_in(user.id, yoga.id, now=evening(user) - timedelta(hours=1))
    await scan(broker, evening(user) - timedelta(minutes=1))
    assert botapi.stats.sent == 0
    await scan(broker, evening(user))
    assert await sent_texts(botapi, user) == [
        f"🔥 Check in on Running before midnight to keep your {running.current_streak}-day streak."
    ]
    assert running.current_streak == 10


async def test_at_most_one_nudge_per_habit_per_day(broker: AsyncBroker, make_user: MakeUser,
                                                   botapi: BotApiServer) -> None:
    user = await make_user("Europe/Berlin")
    habit = await habit_with_history(user, "Running", skip_fridays=False, days=10)
    await SkipPrediction.create(habit_id=habit.id, day=FRIDAY, probability=0.9)  # a risky day
    await scan(broker, SKIP_TIME)  # morning: skip risk
    await scan(broker, evening(user))  # evening: the streak is at risk too, but the habit had its nudge
    assert [n.kind for n in await Nudge.filter(user_id=user.id)] == [NudgeKind.SKIP_RISK]
    assert botapi.stats.sent == 1


async def test_daily_cap_keeps_the_longest_streaks(task_settings: Any, make_user: MakeUser,
                                                   botapi: BotApiServer) -> None:
    user = await make_user("Europe/Berlin")
    habits = [await habit_with_history(user, f"Habit {i}", skip_fridays=False, days=8 + i, usual=None)
              for i in range(4)]
    broker = inline_broker(task_settings.model_copy(update={"nudge_daily_cap": 2}))
    await broker.startup()
    try:
        await scan(broker, evening(user))
        await scan(broker, evening(user) + timedelta(minutes=3))
    finally:
        await broker.shutdown()
    planned = await Nudge.filter(user_id=user.id, status=NudgeStatus.SENT)
    assert sorted(n.habit_id for n in planned) == sorted(h.id for h in habits[2:])
    assert botapi.stats.sent == 2


async def test_quiet_hours_and_nudges_off_mean_no_nudge(broker: AsyncBroker, make_user: MakeUser,
                                                        botapi: BotApiServer) -> None:
    quiet = await make_user("Europe/Berlin", quiet_start=time(19, 0), quiet_end=time(7, 0))
    off = await make_user("Europe/Berlin", nudges_enabled=False)
    for user in (quiet, off):
        await habit_with_history(user, "Running", skip_fridays=False, days=10)
    await scan(broker, EVENING)
    assert botapi.stats.sent == 0
    assert await Nudge.all().count() == 0


async def test_weekly_summary_on_the_users_sunday_evening(broker: AsyncBroker, make_user: MakeUser,
                                                          botapi: BotApiServer) -> None:
    berlin = await make_user("Europe/Berlin")
    tokyo = await make_user("Asia/Tokyo")
    for user in (berlin, tokyo):
        await habit_with_history(user, "Reading", skip_fridays=True, days=14)
    # Saturday 19:00 in Berlin: not yet.
    await run_task(broker, WEEKLY_TASK, utc(2026, 6, 13, 17, 0))
    assert botapi.stats.sent == 0
    # Sunday 19:00 in Tokyo is 10:00 UTC; Berlin is at noon, so only Tokyo's summary goes out.
    await run_task(broker, WEEKLY_TASK, utc(2026, 6, 14, 10, 0))
    assert [len(botapi.sent_to(u.telegram_chat_id)) for u in (berlin, tokyo)] == [0, 1]
    # Sunday 19:00 in Berlin (17:00 UTC), and again ten minutes later: one summary each.
    await run_task(broker, WEEKLY_TASK, utc(2026, 6, 14, 17, 0))
    await run_task(broker, WEEKLY_TASK, utc(2026, 6, 14, 17, 10))
    assert [len(botapi.sent_to(u.telegram_chat_id)) for u in (berlin, tokyo)] == [1, 1]
    text = botapi.sent_to(berlin.telegram_chat_id)[0]["text"]
    assert text.startswith("📊 Your week (2026-W24)\nYou did ")
    [summary] = await Nudge.filter(user_id=berlin.id)
    assert summary.kind is NudgeKind.WEEKLY_SUMMARY and summary.key == f"weekly:{berlin.id}:2026-06-08"


def test_the_holiday_reason_reads_in_the_persons_language() -> None:
    habit = Habit(name="Swim", current_streak=0)
    assert skip_risk_reason_text(habit, HOLIDAY_REASON, date(2026, 10, 3)) == (
        "Swim often slips on public holidays, and today is one — even 5 minutes counts.")
    assert skip_risk_reason_text(habit, HOLIDAY_REASON, date(2026, 10, 3), "de").startswith(
        "Swim bleibt an Feiertagen oft liegen")
