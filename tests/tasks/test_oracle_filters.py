"""The ceiling bench's holiday filter draws the holidays still to come from the generator's own prior,
conditioned on what the filter is told: checked against users the generator itself draws."""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np
import pytest

from bench.oracle_filters import _holiday_factors
from bench.synthetic_habits import HOLIDAY_ENTERED, RESTART_DAYS, START, Holidays, _user

DAYS = 300


def _generator_factors(origin: int, began_before: int, targets: np.ndarray, users: int) -> np.ndarray:
    """Mean `Holidays.factor` on the targets over generator users with `began_before` holidays begun
    (and over) before the origin and none of the later ones entered as a pause."""
    rng = random.Random(11)
    kept = []
    for _ in range(users):
        user = _user(rng, DAYS)
        paused_later = any(a >= origin and rng.random() < HOLIDAY_ENTERED for a, _ in user.holidays)
        begun = [z for a, z in user.holidays if a < origin]
        if len(begun) != began_before or any(z >= origin - RESTART_DAYS for z in begun) or paused_later:
            continue  # like the known ones below: over before the origin, their restart too
        habit = Holidays(rng, user, 0.0)
        kept.append([habit.factor(int(t), START + timedelta(days=int(t))) for t in targets])
    return np.mean(kept, axis=0)


@pytest.mark.parametrize(("origin", "known"), [(20, []), (150, [(60, 70)]), (150, [(40, 44), (100, 110)])])
def test_holidays_ahead_follow_the_generator(origin: int, known: list[tuple[int, int]]) -> None:
    targets = np.arange(origin, origin + 140, 5)
    drawn = _holiday_factors(known, origin, DAYS, targets, np.random.default_rng(3), 40_000).mean(axis=0)
    expected = _generator_factors(origin, len(known), targets, 60_000)
    # a wrong count of holidays ahead, or holidays drawn before the origin, moves the mean by 0.011 or more
    assert abs(drawn.mean() - expected.mean()) < 0.005, (drawn, expected)
    assert np.abs(drawn - expected).max() < 0.012, (drawn, expected)
    assert 1 - drawn.mean() > 0.04  # holidays ahead do lower the factor: the comparison is not of two constants
