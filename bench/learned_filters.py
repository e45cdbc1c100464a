"""Bayes filters that must learn each habit's parameters, as a forecaster must.

`bench.oracle_filters` is *told* every habit's parameters: where they fix everything (steady, weekday
effects, linear drift, new habits) its forecast is the floor, and for a regime switch it is told the
switch days. A forecaster sees only the check-ins. The filters here are told the pattern's structure
and the generator's priors (and, generously, each habit's mild weekday shifts, sd 0.15, except on
weekday-effect habits, where those are learned too); the rest they learn from the check-ins before
the origin, by exact Bayes on a grid:

- steady: the level, from its prior (uniform on [0, 2.8] plus the user's propensity, N(0, 0.6));
- weekday effects: the level and each weekday's offset (its mild shift, a hard day's drop, a
  favourite day's lift); the offsets are taken as independent given the level (the generator
  couples which days are hard);
- linear slow drift: the level and the slope;
- regime switch: the levels and the switch days. The switch days are a uniform sample of 1-3 days of
  [30, days), so given K switches in all and j so far, day i is a switch with probability
  (K - j) / (slots left): the filter carries (level, K, j);
- new habit: the level, the keenness and how fast it settles (the momentum follows from what was done);
- bursts & lapses, sparse logging: each chain under a grid of its parameters (level, switching
  chances, lapsed or logging rates), mixed by their posterior;
- weekly quota: the quota and the keenness;
- breaks & holidays: the level (the holidays stay told, as there).

Still told, as in `bench.oracle_filters`: the random-walk half of slow drift (its level) and mixed
(every parameter). So the ceiling these give is still generous there. Each returns
(origin - start, horizon) P(no logged check-in), origins start .. days, like the told filters.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from bench.oracle_filters import (
    HOLIDAY_SAMPLES,
    _day,
    _empty,
    _holiday_factors,
    _known_holidays,
    _sig,
    _weekday,
    drift,
)
from bench.prediction_quality import NEW_HABIT_ORIGINS
from bench.synthetic_habits import (
    DILIGENT_Q,
    SPELL_SWITCH,
    Habit,
    Holidays,
    Lapses,
    NewHabit,
    RegimeSwitch,
    SlowDrift,
    SparseLogging,
    WeeklyQuota,
)
from smarthabit.prediction import HORIZONS

LEVELS = np.linspace(-3.0, 5.5, 171)  # logit grid, step 0.05
OFFSETS = np.linspace(-3.6, 1.8, 109)  # a weekday's offset from the level, step 0.05
SLOPES = np.concatenate([-np.linspace(2.5, 1.0, 16), np.linspace(1.0, 2.5, 16)])  # per `days`
NEW_LEVELS = np.linspace(-2.0, 5.0, 71)
KEEN = np.linspace(0.5, 2.5, 21)
SETTLE = np.linspace(7.0, 30.0, 24)
SWITCHED_TO = (-1.5, 3.0)  # `RegimeSwitch`'s new level is uniform on this range
HARD_DAY = {"weekend": 1 / 3 + 1 / 21 + 2 / 21, "weekday": 1 / 21 + 2 / 21}  # P(a day is hard)
FAVOURITE_DAY = 0.3 / 7
OFFSET_DRAWS = 400_000


def level_prior(grid: np.ndarray) -> np.ndarray:
    """The generator's level: uniform on [0, 2.8] plus the user's propensity N(0, 0.6), on `grid`."""
    cdf = np.vectorize(lambda x: 0.5 * (1 + math.erf(x / (0.6 * math.sqrt(2)))))
    density = (cdf(grid) - cdf(grid - 2.8)) / 2.8
    return density / density.sum()


LOG_LEVEL_PRIOR = np.log(level_prior(LEVELS))
LOG_NEW_LEVEL_PRIOR = np.log(level_prior(NEW_LEVELS))


@functools.cache
def _offset_prior(weekend: bool) -> np.ndarray:
    """A weekday's offset from the level: the mild shift N(0, 0.15) plus a hard day's drop U(1, 2.8), a
    favourite day's lift U(0.5, 1.2), both, or neither, as the generator deals them (Monte Carlo, on
    `OFFSETS`)."""
    rng = np.random.default_rng(7)
    hard = rng.random(OFFSET_DRAWS) < HARD_DAY["weekend" if weekend else "weekday"]
    favourite = rng.random(OFFSET_DRAWS) < FAVOURITE_DAY
    drop, lift = rng.uniform(1.0, 2.8, OFFSET_DRAWS), rng.uniform(0.5, 1.2, OFFSET_DRAWS)
    x = rng.normal(0, 0.15, OFFSET_DRAWS) - hard * drop + favourite * lift
    index = np.clip(np.rint((x - OFFSETS[0]) / (OFFSETS[1] - OFFSETS[0])).astype(int), 0, len(OFFSETS) - 1)
    prior = np.bincount(index, minlength=len(OFFSETS)).astype(float)
    return prior / prior.sum()


def _counts(habit: Habit, days: int, by_weekday: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Done and skipped due days before each origin (start .. days); by weekday: (origins, 7)."""
    n = days - habit.start
    shape = (n + 1, 7) if by_weekday else (n + 1,)
    done, skipped = np.zeros(shape), np.zeros(shape)
    for i in range(habit.start, days):
        row = i - habit.start + 1
        done[row], skipped[row] = done[row - 1], skipped[row - 1]
        if habit.due(i):
            at = _weekday(i) if by_weekday else ...
            (done if habit.done[i] else skipped)[row, at] += 1
    return done, skipped


def _normalised(log_weights: np.ndarray, axis: int = -1) -> np.ndarray:
    w = np.exp(log_weights - log_weights.max(axis=axis, keepdims=True))
    return w / w.sum(axis=axis, keepdims=True)


def steady(habit: Habit, days: int) -> np.ndarray:
    done, skipped = _counts(habit, days)
    p = _sig(LEVELS)
    post = _normalised(LOG_LEVEL_PRIOR + done[:, None] * np.log(p) + skipped[:, None] * np.log(1 - p))
    return np.repeat((post @ (1 - p))[:, None], HORIZONS, axis=1) * _due_mask(habit, days)


def _due_mask(habit: Habit, days: int) -> np.ndarray:
    """1 where the target day exists (the told filters leave 0 past the end, as here)."""
    out = _empty(habit, days)
    for i in range(habit.start, days + 1):
        out[i - habit.start, : min(HORIZONS, days - i)] = 1.0
    return out


def weekday(habit: Habit, days: int) -> np.ndarray:
    """The level and each weekday's whole offset (mild shift included: nothing is told); the level's
    posterior pools every weekday."""
    done, skipped = _counts(habit, days, by_weekday=True)
    priors = np.log(np.stack([_offset_prior(w >= 5) for w in range(7)]) + 1e-300)  # (7, offsets)
    p_done = _sig(LEVELS[:, None, None] + OFFSETS[None, None, :])  # (levels, 1, offsets)
    log_p, log_q = np.log(p_done), np.log(1 - p_done)
    skip_on = np.empty((len(done), 7))
    for row in range(len(done)):
        ll = done[row][None, :, None] * log_p + skipped[row][None, :, None] * log_q + priors[None]
        top = ll.max(axis=2, keepdims=True)
        inner = np.exp(ll - top)  # (levels, 7, offsets)
        margin = inner.sum(axis=2)
        level_post = _normalised(LOG_LEVEL_PRIOR + (np.log(margin) + top[..., 0]).sum(axis=1), axis=0)
        skip_given_level = (inner * (1 - p_done)).sum(axis=2) / margin  # (levels, 7)
        skip_on[row] = level_post @ skip_given_level
    return _per_target(habit, days, skip_on)


def _per_target(habit: Habit, days: int, skip_on: np.ndarray) -> np.ndarray:
    """(origins, horizons) from P(skip) per (origin, target weekday)."""
    out = _empty(habit, days)
    for i in range(habit.start, days + 1):
        for h in range(min(HORIZONS, days - i)):
            out[i - habit.start, h] = skip_on[i - habit.start, _weekday(i + h)]
    return out


def linear_drift(habit: Habit, days: int) -> np.ndarray:
    """A linear drift learns its level and slope; a random walk keeps the told filter (generous)."""
    b = habit.behaviour
    assert isinstance(b, SlowDrift)
    if not b.linear:
        return drift(habit, days)
    shift = np.asarray(b.weekday_shift)
    slopes = SLOPES / days
    log_post = LOG_LEVEL_PRIOR[:, None] + np.zeros(len(slopes))[None, :]
    out = _empty(habit, days)
    for i in range(habit.start, days + 1):
        post = _normalised(log_post.ravel()).reshape(log_post.shape)
        for h in range(min(HORIZONS, days - i)):
            z = LEVELS[:, None] + slopes[None, :] * (i + h) + shift[_weekday(i + h)]
            out[i - habit.start, h] = (post * (1 - _sig(z))).sum()
        if i < days and habit.due(i):
            p = _sig(LEVELS[:, None] + slopes[None, :] * i + shift[_weekday(i)])
            log_post = log_post + np.log(p if habit.done[i] else 1 - p)
    return out


def regime(habit: Habit, days: int) -> np.ndarray:
    """State (level, K switches in all, j so far); day i >= 30 is a switch with (K - j) / slots left."""
    b = habit.behaviour
    assert isinstance(b, RegimeSwitch)
    shift = np.asarray(b.weekday_shift)
    pairs = [(k, j) for k in (1, 2, 3) for j in range(k + 1)]
    low, high = SWITCHED_TO
    after = (np.greater_equal(LEVELS, low) & np.less_equal(LEVELS, high)).astype(float)
    after /= after.sum()
    belief = np.zeros((len(pairs), len(LEVELS)))
    for index, (_, j) in enumerate(pairs):
        if j == 0:
            belief[index] = np.exp(LOG_LEVEL_PRIOR) / 3

    def step(state: np.ndarray, i: int) -> np.ndarray:
        """The switch at the start of day i (before it is done), if any."""
        if i < 30:
            return state
        left = days - i  # slots i .. days - 1
        moved = np.zeros_like(state)
        for index, (k, j) in enumerate(pairs):
            chance = (k - j) / left if left > 0 else 0.0
            mass = state[index]
            moved[index] += mass * (1 - chance)
            if chance > 0:
                moved[pairs.index((k, j + 1))] += mass.sum() * chance * after
        return moved

    out = _empty(habit, days)
    for i in range(habit.start, days + 1):
        ahead = belief
        for h in range(min(HORIZONS, days - i)):
            ahead = step(ahead, i + h)
            out[i - habit.start, h] = ahead.sum(axis=0) @ (1 - _sig(LEVELS + shift[_weekday(i + h)]))
        if i == days:
            break
        belief = step(belief, i)
        if habit.due(i):
            p = _sig(LEVELS + shift[_weekday(i)])
            belief = belief * (p if habit.done[i] else 1 - p)[None, :]
        belief /= belief.sum()
    return out


def new_habit(habit: Habit, days: int) -> np.ndarray:
    """The level, keenness and settling time on a grid; the momentum follows from the days done (every
    day of a new habit is due and logged), and over the unseen days between origin and target it
    branches on each day's outcome, weighted per grid point. Only the scored origins (7..21 days
    after the start) are filled."""
    b = habit.behaviour
    assert isinstance(b, NewHabit)
    shift = np.asarray(b.weekday_shift)
    level, keen, settle = np.meshgrid(NEW_LEVELS, KEEN, SETTLE, indexing="ij")
    log_post = LOG_NEW_LEVEL_PRIOR[:, None, None] + np.zeros(level.shape)
    momentum = 0.0
    out = _empty(habit, days)
    for i in range(habit.start, days + 1):
        age = i - habit.start
        if NEW_HABIT_ORIGINS[0] <= age <= NEW_HABIT_ORIGINS[1]:
            paths = [(momentum, _normalised(log_post.ravel()).reshape(log_post.shape))]  # (momentum, weight)
            for h in range(min(HORIZONS, days - i)):
                novelty = keen * np.exp(-(age + h) / settle) + level - 0.5 + shift[_weekday(i + h)]
                branched = []
                skip = 0.0
                for m, weight in paths:
                    p = _sig(novelty + m)
                    skip += float((weight * (1 - p)).sum())
                    branched += [(0.7 * m + 0.25, weight * p), (0.7 * m - 0.3, weight * (1 - p))]
                out[i - habit.start, h] = skip
                paths = branched
        if i == days:
            break
        p = _sig(level - 0.5 + keen * np.exp(-age / settle) + momentum + shift[_weekday(i)])
        log_post = log_post + np.log(p if habit.done[i] else 1 - p)
        momentum = 0.7 * momentum + (0.25 if habit.done[i] else -0.3)
    return out


def _chain_mixture(habit: Habit, days: int, emit: Callable[[int], np.ndarray], transition: np.ndarray,
                   log_prior: np.ndarray) -> np.ndarray:
    """A two-state chain (starting in state 0) under each of a grid of parameter points, mixed by their
    posterior: `emit(i)` is (points, 2) P(logged check-in on day i), `transition` (points, 2, 2)."""
    powers = [np.broadcast_to(np.eye(2), transition.shape)]
    for _ in range(1, HORIZONS):
        powers.append(powers[-1] @ transition)
    belief = np.zeros((len(log_prior), 2))
    belief[:, 0] = 1.0
    log_weight = log_prior.copy()
    out = _empty(habit, days)
    for i in range(habit.start, days + 1):
        weight = _normalised(log_weight)
        for h in range(min(HORIZONS, days - i)):
            ahead = np.einsum("ps,pst->pt", belief, powers[h])
            out[i - habit.start, h] = 1 - weight @ (ahead * emit(i + h)).sum(axis=1)
        if i == days:
            break
        if habit.due(i):
            e = emit(i)
            joint = belief * (e if habit.done[i] else 1 - e)
            evidence = joint.sum(axis=1)
            log_weight = log_weight + np.log(evidence)
            belief = joint / evidence[:, None]
        belief = np.einsum("ps,pst->pt", belief, transition)
    return out


def _grid(*axes: np.ndarray) -> list[np.ndarray]:
    return [a.ravel() for a in np.meshgrid(*axes, indexing="ij")]


CHAIN_LEVELS = np.linspace(-2.5, 5.5, 41)
LOG_CHAIN_LEVEL_PRIOR = np.log(level_prior(CHAIN_LEVELS))


def lapses(habit: Habit, days: int) -> np.ndarray:
    """Learns the level, the leave and come-back chances and the lapsed rate (`Lapses`'s priors)."""
    b = habit.behaviour
    assert isinstance(b, Lapses)
    shift = np.asarray(b.weekday_shift)
    level, leave, back, lapsed = _grid(CHAIN_LEVELS, _mids(0.01, 0.05, 5), _mids(0.06, 0.25, 6), _mids(0.03, 0.3, 8))
    transition = np.stack([np.stack([1 - leave, leave], 1), np.stack([back, 1 - back], 1)], 1)
    log_prior = LOG_CHAIN_LEVEL_PRIOR[np.searchsorted(CHAIN_LEVELS, level)]

    def emit(i: int) -> np.ndarray:
        return np.stack([_sig(level + shift[_weekday(i)]), lapsed], 1)

    return _chain_mixture(habit, days, emit, transition, log_prior)


def sparse(habit: Habit, days: int) -> np.ndarray:
    """Learns the level, the forgetful spells' and the weekends' logging rates (`SparseLogging`'s priors)."""
    b = habit.behaviour
    assert isinstance(b, SparseLogging)
    shift = np.asarray(b.weekday_shift)
    level, forgetful, weekend = _grid(CHAIN_LEVELS, _mids(0.2, 0.6, 8), _mids(0.6, 1.0, 8))
    switch = np.array([[1 - SPELL_SWITCH[0], SPELL_SWITCH[0]], [SPELL_SWITCH[1], 1 - SPELL_SWITCH[1]]])
    transition = np.broadcast_to(switch, (len(level), 2, 2))
    log_prior = LOG_CHAIN_LEVEL_PRIOR[np.searchsorted(CHAIN_LEVELS, level)]

    def emit(i: int) -> np.ndarray:
        weekday = _weekday(i)
        done = _sig(level + shift[weekday])
        at_weekend = weekend if weekday >= 5 else 1.0
        return np.stack([done * DILIGENT_Q * at_weekend, done * forgetful * at_weekend], 1)

    return _chain_mixture(habit, days, emit, transition, log_prior)


def _mids(lo: float, hi: float, n: int) -> np.ndarray:
    """n points at the middles of n equal parts of [lo, hi] (a uniform prior on a grid)."""
    return lo + (np.arange(n) + 0.5) * (hi - lo) / n


def quota(habit: Habit, days: int) -> np.ndarray:
    """Learns the quota (2-5) and the keenness (U(0.7, 1)); the week's count is seen, as told."""
    b = habit.behaviour
    assert isinstance(b, WeeklyQuota)
    shift = np.asarray(b.weekday_shift)
    target, keen = _grid(np.array([2.0, 3.0, 4.0, 5.0]), _mids(0.7, 1.0, 12))
    counts = np.arange(8)

    def p_done(i: int) -> np.ndarray:
        """(points, counts): P(done on day i) given the week's count before it."""
        weekday = _weekday(i)
        needed = target[:, None] - (counts * (weekday != 0))[None, :]
        pace = needed / (7 - weekday)
        p = np.minimum(0.95, keen[:, None] * (pace + (1 - pace) * 0.25) + 0.1 * shift[weekday])
        return np.where(needed <= 0, 0.08, p)

    log_weight = np.zeros(len(target))
    out = _empty(habit, days)
    count = 0
    for i in range(habit.start, days + 1):
        weight = _normalised(log_weight)
        dist = np.zeros((len(target), len(counts)))
        dist[:, count] = 1.0
        for h in range(min(HORIZONS, days - i)):
            day = i + h
            p = p_done(day)
            out[i - habit.start, h] = 1 - weight @ (dist * p).sum(axis=1)
            done, rest = dist * p, dist * (1 - p)
            if _weekday(day) == 0:  # a new week: the count starts again from this day's outcome
                done = done.sum(axis=1, keepdims=True) * np.eye(8)[1]
                rest = rest.sum(axis=1, keepdims=True) * np.eye(8)[0]
            else:
                done = np.concatenate([np.zeros((len(target), 1)), done[:, :-1]], axis=1)
            dist = done + rest
        if i == days:
            break
        p = p_done(i)[:, count]
        log_weight = log_weight + np.log(p if habit.done[i] else 1 - p)
        count = (0 if _weekday(i) == 0 else count) + int(habit.done[i])
    return out


def holidays(habit: Habit, days: int) -> np.ndarray:
    """Learns the level; the holidays are told as `bench.oracle_filters.holidays` tells them. Every past
    day's factor is then known (a holiday that touched it had begun), so the level's posterior is exact."""
    b = habit.behaviour
    assert isinstance(b, Holidays)
    shift = np.asarray(b.weekday_shift)
    rng = np.random.default_rng(habit.user)
    log_post = LOG_LEVEL_PRIOR
    out = _empty(habit, days)
    for i in range(habit.start, days):
        targets = np.arange(i, min(i + HORIZONS, days))
        factor = _holiday_factors(_known_holidays(habit, i), i, days, targets, rng, HOLIDAY_SAMPLES).mean(axis=0)
        post = _normalised(log_post)
        base = post @ _sig(LEVELS[:, None] + shift[[_weekday(int(t)) for t in targets]][None, :])
        out[i - habit.start, : len(targets)] = 1 - base * factor
        if habit.due(i):
            p = _sig(LEVELS + shift[_weekday(i)]) * b.factor(i, _day(i))
            log_post = log_post + np.log(p if habit.done[i] else 1 - p)
    return out


LEARNED: dict[str, Callable[[Habit, int], np.ndarray]] = {
    "steady": steady,
    "weekday effects": weekday,
    "slow drift": linear_drift,
    "regime switch": regime,
    "new habit": new_habit,
    "bursts & lapses": lapses,
    "sparse logging": sparse,
    "weekly quota": quota,
    "breaks & holidays": holidays,
}
