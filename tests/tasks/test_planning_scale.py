"""Planning proportional to what is due: stored nudge triggers (DST-safe), the batched nightly run
compared with the per-habit rules it replaces, and the nightly's bounded batches."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from smarthabit.clock import zone
from smarthabit.habits import create_habit, pause_habit
from smarthabit.models import CheckIn, Habit, Nudge, NudgeKind, Reminder, SkipPrediction, User
from smarthabit.nightly import WINDOW_DAYS, refresh_batches, refresh_users
from smarthabit.nudge_times import habit_next_nudge, next_trigger
from smarthabit.prediction import holidays_near
from smarthabit.predictions import recompute_predictions
from smarthabit.schedule import ScheduleKind
from smarthabit.schemas import HabitCreate, ScheduleIn
from smarthabit.streak_cache import refresh_streaks
from tasks.planning import delivery_backlog, nightly_batches, plan_due_reminders, plan_nudges
from tests.tasks.conftest import MakeUser, utc

BERLIN = "Europe/Berlin"
SPRING_FORWARD = date(2026, 3, 29)  # 02:00 -> 03:00 in Berlin: 02:30 does not exist
FALL_BACK = date(2026, 10, 25)  # 03:00 -> 02:00 in Berlin: 02:30 happens twice


def _fired_days(minute: int, start: datetime, days: int) -> list[datetime]:
    """Trigger instants as the scan produces them: each one computed strictly after the previous."""
    instants, after = [], start
    while (nxt := next_trigger((minute, None), BERLIN, after)) is not None and nxt < start + timedelta(days=days):
        instants.append(nxt)
        after = nxt
    return instants


def test_a_trigger_in_the_dst_gap_or_overlap_fires_once_a_day() -> None:
    for change in (SPRING_FORWARD, FALL_BACK):
        start = datetime.combine(change - timedelta(days=2), time(0), tzinfo=UTC)
        instants = _fired_days(2 * 60 + 30, start, 5)
        local_days = [i.astimezone(zone(BERLIN)).date() for i in instants]
        assert local_days == sorted(set(local_days)) and len(local_days) == 5, instants
        on_change = next(i.astimezone(zone(BERLIN)) for i in instants if i.astimezone(zone(BERLIN)).date() == change)
        assert on_change.time() == (time(3, 30) if change == SPRING_FORWARD else time(2, 30))


async def _risky_habit(user: User, usual: int, first: date, days: int) -> Habit:
    habit = await create_habit(user, HabitCreate(name="Reading"), now=utc(2026, 1, 1))
    await Habit.filter(id=habit.id).update(usual_checkin_minute=usual, next_nudge_at=None)
    await SkipPrediction.bulk_create([
        SkipPrediction(habit_id=habit.id, day=first + timedelta(days=i), probability=0.9, reason="")
        for i in range(days)
    ])
    habit = await Habit.get(id=habit.id)
    await refresh_streaks(habit, first)
    return habit


async def test_the_scan_plans_one_skip_nudge_a_day_across_both_dst_changes(make_user: MakeUser) -> None:
    """The scan itself follows the stored instants through both changes: one nudge per local day."""
    user = await make_user(BERLIN)
    for change in (SPRING_FORWARD, FALL_BACK):
        first = change - timedelta(days=1)
        habit = await _risky_habit(user, 3 * 60 + 45, first, 3)  # skip trigger at 02:30 local
        now = datetime.combine(first, time(0), tzinfo=UTC) - timedelta(hours=3)
        await Habit.filter(id=habit.id).update(next_nudge_at=now)
        while now < datetime.combine(first + timedelta(days=3), time(0), tzinfo=UTC) - timedelta(hours=2):
            await plan_nudges(now, cap=3)
            now = max((await Habit.get(id=habit.id)).next_nudge_at or now, now) + timedelta(seconds=30)
        nudges = await Nudge.filter(habit_id=habit.id).order_by("day")
        assert [n.day for n in nudges] == [first, change, change + timedelta(days=1)]
        assert all(n.kind is NudgeKind.SKIP_RISK for n in nudges)
        await Habit.filter(id=habit.id).delete()


async def _random_history(user: User, rng: random.Random, today: date) -> list[Habit]:
    schedules = [ScheduleIn(), ScheduleIn(kind=ScheduleKind.WEEKDAYS, weekdays=[0, 2, 4]),
                 ScheduleIn(kind=ScheduleKind.TIMES_PER_WEEK, times_per_week=3)]
    habits = []
    for index, schedule in enumerate(schedules):
        start = datetime.combine(today - timedelta(days=rng.randint(20, 200)), time(6), tzinfo=UTC)
        habit = await create_habit(user, HabitCreate(name=f"H{index}", schedule=schedule), now=start)
        rate = rng.uniform(0.3, 0.95)
        rows = []
        for back in range(1, (today - start.date()).days + 1):
            if rng.random() < rate:
                rows.append(CheckIn(habit_id=habit.id, day=today - timedelta(days=back)))
        await CheckIn.bulk_create(rows)
        for row in await CheckIn.filter(habit_id=habit.id):
            # one in five back-filled the next day; the times-per-week habit (no skip trigger to move
            # out of the day) at 00:20 in Berlin too, the day before in UTC
            early = index == 2 and rng.random() < 0.4
            minute = 20 if early else rng.choice([7 * 60 + rng.randint(0, 40), 21 * 60])
            logged = row.day + timedelta(days=rng.random() < 0.2)
            created = datetime.combine(logged, time(minute // 60, minute % 60), tzinfo=zone(user.timezone))
            await CheckIn.filter(id=row.id).update(created_at=created.astimezone(UTC))
        if index == 0:
            await pause_habit(user, habit.id, today - timedelta(days=15), today - timedelta(days=10), now=start)
        habits.append(await Habit.get(id=habit.id))
    return habits


async def _long_streak(user: User, today: date) -> Habit:
    """A habit done every day for longer than the nightly run's window, at 07:10 local lately: its
    streak is counted over the whole history, its usual minute learned from the window."""
    days = WINDOW_DAYS + 40
    start = datetime.combine(today - timedelta(days=days), time(6), tzinfo=UTC)
    habit = await create_habit(user, HabitCreate(name="Long"), now=start)
    await CheckIn.bulk_create([CheckIn(habit_id=habit.id, day=today - timedelta(days=back)) for back in range(1, days)])
    for back in range(1, 8):
        day = today - timedelta(days=back)
        created = datetime.combine(day, time(7, 10), tzinfo=zone(user.timezone)).astimezone(UTC)
        await CheckIn.filter(habit_id=habit.id, day=day).update(created_at=created)
    return await Habit.get(id=habit.id)


@pytest.mark.parametrize("pipelined", [False, True], ids=["one batch", "pipelined batches"])
async def test_the_batched_nightly_run_equals_the_per_habit_rules(make_user: MakeUser, pipelined: bool) -> None:
    """One batch (`refresh_users`), or a batch per user with the next one read and the last one
    written while one is computed (`refresh_batches`): each habit as the per-habit rules say."""
    rng = random.Random(14)
    now = utc(2026, 9, 30, 2, 0)  # 04:00 in Berlin
    users = [await make_user(BERLIN), await make_user(BERLIN)]
    today = now.astimezone(zone(BERLIN)).date()
    assert date(2026, 10, 3) in holidays_near(BERLIN, today)  # a public holiday in the week forecast
    habits = [h for user in users for h in await _random_history(user, rng, today)]
    habits.append(await _long_streak(users[1], today))
    if pipelined:
        assert await refresh_batches([[u.id] for u in users], now) == len(habits)
    else:
        assert await refresh_users([u.id for u in users], now) == len(habits)
    batched = {h.id: await Habit.get(id=h.id) for h in habits}
    stored = {(p.habit_id, p.day): p.probability for p in await SkipPrediction.all()}
    for habit in habits:
        fresh = await Habit.get(id=habit.id)
        await refresh_streaks(fresh, today)
        expected = await recompute_predictions(fresh, now=now)
        await fresh.refresh_from_db()
        got = batched[habit.id]
        assert (got.current_streak, got.longest_streak, got.streak_day) == (
            fresh.current_streak, fresh.longest_streak, fresh.streak_day)
        assert got.usual_checkin_minute == fresh.usual_checkin_minute
        # the batch's arrays start at its oldest habit's first day: equal up to rounding
        assert {day: stored[(habit.id, day)] for day in expected} == pytest.approx(expected, abs=1e-12)
        assert got.next_nudge_at is not None or got.schedule_kind is ScheduleKind.TIMES_PER_WEEK
        assert got.next_nudge_at == habit_next_nudge(fresh, BERLIN, now)
    long_streak = batched[habits[-1].id]
    assert long_streak.current_streak > WINDOW_DAYS and long_streak.usual_checkin_minute == 7 * 60 + 10


async def test_the_nightly_run_is_cut_into_bounded_batches_of_the_zones_at_night(make_user: MakeUser) -> None:
    night = [await make_user(BERLIN) for _ in range(5)]
    await make_user("America/New_York")  # 22:00 there: not its night
    batches = await nightly_batches(utc(2026, 6, 12, 2, 0), size=2)
    assert batches == [[u.id for u in night[:2]], [u.id for u in night[2:4]], [night[4].id]]


async def test_the_backlog_counts_the_queue_and_each_missed_deadline_once(make_user: MakeUser) -> None:
    user = await make_user()
    now = utc(2026, 6, 12, 9, 0)
    for i, (status, error) in enumerate([("pending", None), ("pending", None), ("skipped", "too_late"),
                                         ("skipped", "quiet_hours"), ("sent", None)]):
        await Nudge.create(user_id=user.id, kind=NudgeKind.REMINDER, day=now.date(), key=f"k{i}",
                           planned_at=now - timedelta(minutes=5), status=status, error=error)
    await Nudge.create(user_id=user.id, kind=NudgeKind.REMINDER, day=now.date(), key="old",
                       planned_at=now - timedelta(days=1))  # pending but past every deadline: not queued
    assert await delivery_backlog(now) == (2, 1)
    assert await delivery_backlog(now) == (2, 0)  # counted once


async def test_a_reminder_wave_beyond_one_scan_is_planned_by_the_next_scans_earliest_first(
    make_user: MakeUser,
) -> None:
    fire = utc(2026, 6, 12, 7, 0)  # 09:00 in Berlin
    reminders = []
    for i in range(5):
        user = await make_user(BERLIN)
        habit = await create_habit(user, HabitCreate(name="Read", reminder_times=[time(9, 0)]), now=fire - timedelta(
            days=1))
        await Reminder.filter(habit_id=habit.id).update(next_fire_at=fire - timedelta(seconds=i))
        reminders.append(await Reminder.get(habit_id=habit.id))
    first = await plan_due_reminders(fire, batch=2, limit=3)
    second = await plan_due_reminders(fire + timedelta(minutes=1), batch=2, limit=3)
    keys = [n.key for n in await Nudge.filter(id__in=first + second).order_by("id")]
    earliest_first = [f"reminder:{r.id}:2026-06-12" for r in reversed(reminders)]
    assert (len(first), len(second)) == (3, 2)
    assert keys == earliest_first
    assert await plan_due_reminders(fire + timedelta(minutes=2)) == []
