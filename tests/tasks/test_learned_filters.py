"""The ceiling bench's learning filters: the vectorised chain mixture is the told chain filter when its
grid holds one point, the true one; with a whole history, learning converges on what the told filter says."""

from __future__ import annotations

import random

import numpy as np

from bench import learned_filters, oracle_filters
from bench.synthetic_habits import Habit, Lapses, WeeklyQuota, _user, simulate

DAYS = 300


def _habit(pattern: str, seed: int) -> Habit:
    rng = random.Random(seed)
    return simulate(pattern, rng, _user(rng, DAYS), 1, DAYS)


def test_the_chain_mixture_of_the_true_point_is_the_told_chain() -> None:
    habit = _habit("bursts & lapses", 5)
    b = habit.behaviour
    assert isinstance(b, Lapses)
    transition = np.array([[[1 - b.leave, b.leave], [b.back, 1 - b.back]]])

    def emit(i: int) -> np.ndarray:
        return np.array([[oracle_filters._sig(b.level + b.weekday_shift[oracle_filters._weekday(i)]), b.lapsed]])

    mixed = learned_filters._chain_mixture(habit, DAYS, emit, transition, np.zeros(1))
    np.testing.assert_allclose(mixed, oracle_filters.lapses(habit, DAYS), atol=1e-9)


def test_learning_converges_on_the_told_forecast() -> None:
    for pattern, seed in (("weekly quota", 3), ("steady", 4), ("regime switch", 6), ("bursts & lapses", 7)):
        habit = _habit(pattern, seed)
        assert pattern != "weekly quota" or isinstance(habit.behaviour, WeeklyQuota)
        learned = learned_filters.LEARNED[pattern](habit, DAYS)[200:290]
        told = oracle_filters.FILTERS[pattern](habit, DAYS)[200:290]
        early = np.abs(learned_filters.LEARNED[pattern](habit, DAYS)[1:10] - oracle_filters.FILTERS[pattern](
            habit, DAYS)[1:10]).mean()
        late = np.abs(learned - told).mean()
        # A wrong propagation or a wrong likelihood leaves a gap of 0.05 or more that no history closes.
        assert late < 0.03, (pattern, late)
        assert late < early or early < 0.03, (pattern, early, late)
