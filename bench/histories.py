"""The synthetic habits as the product sees them: the history record the skip model reads, and the
user's pooled skip rate day by day. Shared by the quality bench and the fit, which import each other
nowhere."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import timedelta

import numpy as np

from bench.synthetic_habits import START, Habit
from smarthabit.prediction import HORIZONS, POPULATION_SKIP_RATE, USER_PRIOR_STRENGTH, HabitRecord
from smarthabit.public_holidays import public_holidays

PRIOR_WINDOW = 90
# The synthetic people live in Germany: the generator's public holidays are a German region's, of which
# the product knows the seven national ones (the zone does not tell the region's other three).
TIMEZONE = "Europe/Berlin"


def record_of(habit: Habit) -> HabitRecord:
    done = frozenset(START + timedelta(days=i) for i, d in enumerate(habit.done) if d)
    holidays = public_holidays(TIMEZONE, START, START + timedelta(days=len(habit.done) + HORIZONS))
    return HabitRecord(habit.schedule, done, START + timedelta(days=habit.start), tuple(habit.pauses), holidays)


def _arrays(habit: Habit, days: int) -> tuple[np.ndarray, np.ndarray]:
    due = np.array([habit.due(i) for i in range(days)])
    return due, due & ~np.array(habit.done)


def user_prior_series(habits: list[Habit], days: int) -> dict[int, np.ndarray]:
    """At each absolute day t: the user's pooled skip rate over their *other* habits' last 90 days,
    exactly as `smarthabit.prediction.user_prior` computes it at t."""
    arrays = {id(h): _arrays(h, days) for h in habits}
    out = {}
    for habit in habits:
        due = sum((arrays[id(o)][0].astype(float) for o in habits if o is not habit), np.zeros(days))
        skip = sum((arrays[id(o)][1].astype(float) for o in habits if o is not habit), np.zeros(days))
        cdue, cskip = np.concatenate(([0.0], np.cumsum(due))), np.concatenate(([0.0], np.cumsum(skip)))
        t = np.arange(days + 1)
        lo = np.maximum(0, t - PRIOR_WINDOW)
        out[id(habit)] = (cskip[t] - cskip[lo] + USER_PRIOR_STRENGTH * POPULATION_SKIP_RATE) / (
            cdue[t] - cdue[lo] + USER_PRIOR_STRENGTH)
    return out


def with_user_priors(habits: Iterable[Habit], days: int) -> Iterator[tuple[Habit, np.ndarray]]:
    """Each habit with its `user_prior_series`, user by user (the prior pools a user's other habits)."""
    by_user: dict[int, list[Habit]] = defaultdict(list)
    for habit in habits:
        by_user[habit.user].append(habit)
    for group in by_user.values():
        priors = user_prior_series(group, days)
        for habit in group:
            yield habit, priors[id(habit)]
