"""The pure skip model: patterns it must learn, and how it behaves with little data."""

from __future__ import annotations

import random
from datetime import date, timedelta

from smarthabit.prediction import (
    HabitRecord,
    Prior,
    fit_skip_model,
    fit_weights,
    skip_probabilities,
    user_prior,
    usual_minute,
)
from smarthabit.schedule import Pause, Schedule, ScheduleKind

DAILY = Schedule(ScheduleKind.DAILY)
START = date(2026, 1, 5)  # a Monday
TODAY = date(2026, 6, 1)  # a Monday


def history(p_done: callable, start: date = START, end: date = TODAY, seed: int = 3) -> frozenset[date]:  # type: ignore[valid-type]
    rng = random.Random(seed)
    days, day = set(), start
    while day < end:
        if rng.random() < p_done(day):
            days.add(day)
        day += timedelta(days=1)
    return frozenset(days)


def test_learns_a_hard_weekday() -> None:
    done = history(lambda d: 0.2 if d.weekday() == 4 else 0.9)
    model = fit_skip_model(HabitRecord(DAILY, done, START), TODAY)
    friday = TODAY + timedelta(days=4)
    others = [model.probability(TODAY + timedelta(days=i)) for i in range(7) if i != 4]
    assert model.probability(friday) > 0.6
    assert max(others) < 0.3
    explanation = model.explain(friday)
    assert explanation.weekday_effect and explanation.weekday_observations >= 20


def test_recent_lapse_raises_the_risk() -> None:
    steady = history(lambda d: 0.9)
    lapsing = frozenset(d for d in steady if d < TODAY - timedelta(days=10))
    calm = fit_skip_model(HabitRecord(DAILY, steady, START), TODAY).probability(TODAY)
    risky = fit_skip_model(HabitRecord(DAILY, lapsing, START), TODAY)
    assert risky.probability(TODAY) > calm + 0.3
    assert risky.explain(TODAY).slipping


def test_no_history_means_the_users_rate() -> None:
    record = HabitRecord(DAILY, frozenset(), TODAY)
    assert abs(fit_skip_model(record, TODAY, Prior(rate=0.2)).probability(TODAY) - 0.2) < 0.02
    assert abs(fit_skip_model(record, TODAY).probability(TODAY) - 0.35) < 0.02  # the population default


def test_thin_history_is_pulled_toward_the_prior() -> None:
    record = HabitRecord(DAILY, frozenset(), TODAY - timedelta(days=3))  # three days, all skipped
    p = fit_skip_model(record, TODAY, Prior(rate=0.1)).probability(TODAY)
    assert 0.2 < p < 0.9  # worse than the user's usual, but three days do not make it certain


def test_nothing_due_means_no_risk() -> None:
    mwf = Schedule(ScheduleKind.WEEKDAYS, frozenset({0, 2, 4}))
    pause = Pause(TODAY + timedelta(days=7), TODAY + timedelta(days=9))
    record = HabitRecord(mwf, history(lambda d: 0.5), START, (pause,))
    forecast = skip_probabilities(record, [TODAY + timedelta(days=i) for i in range(10)], TODAY)
    assert forecast[TODAY + timedelta(days=1)] == 0.0  # Tuesday: not scheduled
    assert forecast[TODAY + timedelta(days=7)] == 0.0  # paused
    assert forecast[TODAY] > 0.0
    assert skip_probabilities(record, [START - timedelta(days=1)], TODAY)[START - timedelta(days=1)] == 0.0


def test_past_days_are_forecast_from_what_was_known_then() -> None:
    done = history(lambda d: 0.9 if d < date(2026, 4, 1) else 0.1)
    record = HabitRecord(DAILY, done, START)
    then, now = date(2026, 3, 30), TODAY
    forecast = skip_probabilities(record, [then, now], TODAY)
    assert forecast[then] < 0.3 < 0.6 < forecast[now]


def test_times_per_week_habits_start_from_their_own_frequency() -> None:
    three = Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=3)
    p = fit_skip_model(HabitRecord(three, frozenset(), TODAY), TODAY).probability(TODAY)
    assert abs(p - 4 / 7) < 0.02


def test_user_prior_pools_daily_habits() -> None:
    records = [HabitRecord(DAILY, history(lambda d: 0.8, seed=s), START) for s in range(3)]
    assert 0.15 < user_prior(records, TODAY).rate < 0.25


def test_fit_stays_at_the_default_without_data() -> None:
    assert fit_weights([]) == [0.0, 1.0, 1.0, 0.5, 0.0, 0.0, 0.0]


def test_usual_minute_is_a_circular_median() -> None:
    assert usual_minute([7 * 60, 7 * 60 + 10, 7 * 60 + 5, 23 * 60, 7 * 60 + 7]) == 7 * 60 + 5
    assert usual_minute([23 * 60 + 50, 10, 5, 23 * 60 + 55, 0]) in (0, 5)  # around midnight, not noon
    assert usual_minute([480, 490]) is None  # too few to say
