"""Skip predictions over the database: lazy compute on read, stored rows, staleness, usual minute."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from smarthabit.checkins import check_in
from smarthabit.habits import create_habit
from smarthabit.models import CheckIn, Habit, SkipPrediction, User
from smarthabit.prediction import holidays_near
from smarthabit.predictions import learn_usual_minute, recompute_predictions, skip_forecast
from smarthabit.schemas import HabitCreate

NOW = datetime(2026, 6, 12, 8, 0, tzinfo=UTC)  # a Friday
TODAY = date(2026, 6, 12)


async def _habit_with_friday_skips(user: User) -> Habit:
    habit = await create_habit(user, HabitCreate(name="Reading"), now=NOW - timedelta(days=120))
    day = TODAY - timedelta(days=119)
    rows = []
    while day < TODAY:
        if day.weekday() != 4:
            rows.append(CheckIn(habit_id=habit.id, day=day))
        day += timedelta(days=1)
    await CheckIn.bulk_create(rows)
    return habit


async def test_forecast_learns_weekday_pattern_and_stores_rows(db: str) -> None:
    user = await User.create(email="p@example.com", timezone="Europe/Berlin")
    habit = await _habit_with_friday_skips(user)
    days = [TODAY + timedelta(days=i) for i in range(7)]
    forecast = await skip_forecast(user, habit, days, now=NOW)
    assert set(forecast) == set(days)
    assert forecast[TODAY] > 0.6  # Fridays are skipped
    assert all(forecast[d] < 0.2 for d in days if d.weekday() != 4)
    stored = {row.day: row.probability for row in await SkipPrediction.filter(habit_id=habit.id)}
    assert stored == forecast
    # A second read serves the stored rows.
    await SkipPrediction.filter(habit_id=habit.id, day=TODAY).update(probability=0.5)
    assert (await skip_forecast(user, habit, [TODAY], now=NOW))[TODAY] == 0.5


async def test_new_checkin_makes_stored_forecast_stale(db: str) -> None:
    user = await User.create(email="q@example.com", timezone="UTC")
    habit = await _habit_with_friday_skips(user)
    await skip_forecast(user, habit, [TODAY], now=NOW)
    await SkipPrediction.filter(habit_id=habit.id, day=TODAY).update(probability=0.5)
    await check_in(user.id, habit.id, day=TODAY - timedelta(days=7), now=NOW)  # back-fill last Friday
    fresh = await skip_forecast(user, habit, [TODAY], now=NOW)
    assert fresh[TODAY] != 0.5


async def test_thin_history_falls_back_to_users_rate(db: str) -> None:
    user = await User.create(email="r@example.com", timezone="UTC")
    await _habit_with_friday_skips(user)  # the user's other habit: done 6 days of 7
    new = await create_habit(user, HabitCreate(name="Running"), now=NOW)
    forecast = await skip_forecast(user, new, [TODAY, TODAY + timedelta(days=1)], now=NOW)
    assert 0.1 < forecast[TODAY] < 0.3  # near the user's ~15% skip rate, not the population's 35%


async def test_non_due_days_have_zero_risk(db: str) -> None:
    user = await User.create(email="s@example.com", timezone="UTC")
    habit = await create_habit(
        user, HabitCreate(name="Gym", schedule={"kind": "weekdays", "weekdays": [0, 2]}), now=NOW
    )
    forecast = await skip_forecast(user, habit, [date(2026, 6, 13), date(2026, 6, 15)], now=NOW)
    assert forecast[date(2026, 6, 13)] == 0.0  # a Saturday: not scheduled
    assert forecast[date(2026, 6, 15)] > 0.0


async def test_recompute_stores_a_week_and_learns_usual_minute(db: str) -> None:
    user = await User.create(email="t@example.com", timezone="America/New_York")
    habit = await create_habit(user, HabitCreate(name="Stretch", reminder_times=[time(7, 0)]), now=NOW)
    for i, minute in enumerate([7 * 60 + 30, 7 * 60 + 35, 7 * 60 + 28, 22 * 60, 7 * 60 + 31]):
        day = TODAY - timedelta(days=i + 1)
        local = datetime.combine(day, time(minute // 60, minute % 60)).replace(tzinfo=UTC) + timedelta(hours=4)
        checkin = await CheckIn.create(habit_id=habit.id, day=day)
        await CheckIn.filter(id=checkin.id).update(created_at=local)
    await CheckIn.create(habit_id=habit.id, day=TODAY - timedelta(days=9))  # back-filled: ignored
    probabilities = await recompute_predictions(habit, now=NOW)
    assert len(probabilities) == 7
    assert await SkipPrediction.filter(habit_id=habit.id).count() == 7
    await habit.refresh_from_db()
    assert habit.usual_checkin_minute == 7 * 60 + 30
    assert await learn_usual_minute(user, habit) == 7 * 60 + 30


async def test_the_forecast_reads_the_public_holidays_of_the_persons_zone(db: str) -> None:
    """The same habit, its German holidays skipped since spring: in Berlin, Saturday 3 October (Unity
    Day) is riskier than in UTC (no country), the Friday before is not; moving to UTC makes the stored
    forecast stale, and the new one has no holiday in it."""
    now, today = datetime(2026, 9, 30, 6, 0, tzinfo=UTC), date(2026, 9, 30)
    holiday, friday = date(2026, 10, 3), date(2026, 10, 2)
    german = holidays_near("Europe/Berlin", today)
    forecasts, users, habits = {}, {}, {}
    for name in ("Europe/Berlin", "UTC"):
        user = await User.create(email=f"{name.split('/')[-1].lower()}@example.com", timezone=name)
        habit = await create_habit(user, HabitCreate(name="Swim"), now=now - timedelta(days=200))
        rng = random.Random(3)
        days = [today - timedelta(days=back) for back in range(1, 200)]
        await CheckIn.bulk_create([CheckIn(habit_id=habit.id, day=d) for d in days
                                   if rng.random() < 0.9 and d not in german])
        forecasts[name] = await skip_forecast(user, habit, [friday, holiday], now=now)
        users[name], habits[name] = user, habit
    berlin, nowhere = forecasts["Europe/Berlin"], forecasts["UTC"]
    assert berlin[holiday] > nowhere[holiday] + 0.08
    assert berlin[friday] == pytest.approx(nowhere[friday], abs=0.01)
    user = users["Europe/Berlin"]
    user.timezone = "UTC"
    await user.save()
    moved = await skip_forecast(user, habits["Europe/Berlin"], [friday, holiday], now=now + timedelta(minutes=1))
    assert moved == pytest.approx(nowhere, abs=1e-9)
