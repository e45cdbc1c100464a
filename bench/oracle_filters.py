"""The best forecast of a logged check-in that anyone could make on the quality bench's habits.

Each filter is *told* the habit's parameters (its level, weekday shifts, switching rates, drift
slope) and filters what stays hidden from the check-ins before the origin, exactly as
`bench.synthetic_habits` draws it; then it propagates the hidden state to the target day. A
forecaster that sees only check-ins knows less, so in expectation it cannot beat these forecasts:
scored like the model, they bound the gap any forecaster can close.

What each pattern hides, and how it is filtered:
- steady, weekday effects, linear slow drift, new habit: nothing the parameters do not fix, so the
  filter is the floor (for a new habit the floor also knows the future momentum: generous);
- random-walk slow drift: the walk, on a grid (exact up to the grid);
- bursts & lapses, sparse logging: a two-state chain, exactly;
- weekly quota: the week's done count, seen, propagated exactly over the unseen days;
- regime switch: told the switch days too, filters the new level on a grid from a uniform prior;
- breaks & holidays: told every holiday that began before the origin or was entered as a pause; the
  others are drawn from the generator's prior given those (Monte Carlo);
- mixed: a particle filter over the walk, the lapse and logging chains and the momentum, with the
  holidays as above.

Every function returns (origin - start, horizon) P(no logged check-in), origins start .. days.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from bench.synthetic_habits import (
    AWAY,
    DILIGENT_Q,
    HOLIDAY_COUNT,
    HOLIDAY_EARLIEST,
    HOLIDAY_ENTERED,
    HOLIDAY_EXTRA_DAYS,
    HOLIDAY_MARGIN,
    PUBLIC_HOLIDAY,
    PUBLIC_HOLIDAYS,
    RESTART_DAYS,
    RESTART_FROM,
    RESTART_STEP,
    SPELL_SWITCH,
    START,
    Habit,
    Lapses,
    Mixed,
    RegimeSwitch,
    SlowDrift,
    SparseLogging,
    WeeklyQuota,
)
from smarthabit.prediction import HORIZONS

WALK_STEP, WALK_PULL = 0.06, 0.004  # `SlowDrift`'s random walk: innovation sd, pull toward the level
LEVEL_GRID = np.linspace(-1.5, 3.0, 226)  # `RegimeSwitch`'s new level is uniform on [-1.5, 3]
HOLIDAY_SAMPLES = 512
PARTICLES = 2000


def _sig(z: np.ndarray | float) -> np.ndarray:
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def _day(i: int) -> date:
    return START + timedelta(days=i)


def _weekday(i: int) -> int:
    return _day(i).weekday()


def _empty(habit: Habit, days: int) -> np.ndarray:
    return np.zeros((days - habit.start + 1, HORIZONS))


def known(habit: Habit, days: int) -> np.ndarray:
    """Nothing hidden beyond the parameters: the floor itself."""
    out = _empty(habit, days)
    p = np.asarray(habit.p_logged)
    for i in range(habit.start, days + 1):
        for h in range(min(HORIZONS, days - i)):
            out[i - habit.start, h] = 1 - p[i + h]
    return out


def _chain(habit: Habit, emit: Callable[[int, int], float], switch: tuple[float, float], days: int) -> np.ndarray:
    """A two-state chain that starts in state 0 and switches after every day (0 -> 1 with switch[0],
    1 -> 0 with switch[1]); emit(i, s) is P(logged check-in on day i in state s)."""
    transition = np.array([[1 - switch[0], switch[0]], [switch[1], 1 - switch[1]]])
    powers = [np.linalg.matrix_power(transition, h) for h in range(HORIZONS)]
    out = _empty(habit, days)
    belief = np.array([1.0, 0.0])  # P(state of day i | check-ins before i)
    for i in range(habit.start, days + 1):
        for h in range(min(HORIZONS, days - i)):
            ahead = belief @ powers[h]
            out[i - habit.start, h] = 1 - (ahead[0] * emit(i + h, 0) + ahead[1] * emit(i + h, 1))
        if i == days:
            break
        if habit.due(i):
            e = np.array([emit(i, 0), emit(i, 1)])
            belief = belief * (e if habit.done[i] else 1 - e)
            belief = belief / belief.sum()
        belief = belief @ transition
    return out


def lapses(habit: Habit, days: int) -> np.ndarray:
    b = habit.behaviour
    assert isinstance(b, Lapses)

    def emit(i: int, state: int) -> float:
        return float(_sig(b.level + b.weekday_shift[_weekday(i)])) if state == 0 else b.lapsed

    return _chain(habit, emit, (b.leave, b.back), days)


def sparse(habit: Habit, days: int) -> np.ndarray:
    b = habit.behaviour
    assert isinstance(b, SparseLogging)

    def emit(i: int, state: int) -> float:
        weekday = _weekday(i)
        q = (DILIGENT_Q if state == 0 else b.forgetful_q) * (b.weekend_q if weekday >= 5 else 1.0)
        return float(_sig(b.level + b.weekday_shift[weekday])) * q

    return _chain(habit, emit, SPELL_SWITCH, days)


def quota(habit: Habit, days: int) -> np.ndarray:
    """The week's done count is seen in the check-ins (every day due, every done day logged); over
    the days between the origin and the target its distribution is propagated exactly."""
    b = habit.behaviour
    assert isinstance(b, WeeklyQuota)

    def p_done(i: int, count: int) -> float:
        weekday = _weekday(i)
        needed = b.quota if weekday == 0 else b.quota - count
        if needed <= 0:
            return 0.08
        pace = needed / (7 - weekday)
        return min(0.95, b.keen * (pace + (1 - pace) * 0.25) + 0.1 * b.weekday_shift[weekday])

    out = _empty(habit, days)
    count = 0  # done days this week before day i, as the generator counts them
    for i in range(habit.start, days + 1):
        dist = {count: 1.0}
        for h in range(min(HORIZONS, days - i)):
            target = i + h
            out[i - habit.start, h] = 1 - sum(pr * p_done(target, c) for c, pr in dist.items())
            step: dict[int, float] = defaultdict(float)
            for c, pr in dist.items():
                p = p_done(target, c)
                base = 0 if _weekday(target) == 0 else c
                step[base + 1] += pr * p
                step[base] += pr * (1 - p)
            dist = step
        if i < days:
            count = (0 if _weekday(i) == 0 else count) + int(habit.done[i])
    return out


def _walk_transition(grid: np.ndarray, level: float) -> np.ndarray:
    mean = grid * (1 - WALK_PULL) + WALK_PULL * level
    kernel = np.exp(-0.5 * ((grid[None, :] - mean[:, None]) / WALK_STEP) ** 2)
    return kernel / kernel.sum(axis=1, keepdims=True)


def drift(habit: Habit, days: int) -> np.ndarray:
    """A linear drift is known; a random walk is filtered on a grid around the level."""
    b = habit.behaviour
    assert isinstance(b, SlowDrift)
    if b.linear:
        return known(habit, days)
    grid = b.level + np.linspace(-5, 5, 401)
    transition = _walk_transition(grid, b.level)
    belief = np.zeros(len(grid))
    belief[200] = 1.0  # the walk before day 0 is the level
    out = _empty(habit, days)
    for i in range(habit.start, days + 1):
        ahead = belief
        for h in range(min(HORIZONS, days - i)):
            ahead = ahead @ transition
            out[i - habit.start, h] = 1 - ahead @ _sig(grid + b.weekday_shift[_weekday(i + h)])
        if i == days:
            break
        belief = belief @ transition
        if habit.due(i):
            p = _sig(grid + b.weekday_shift[_weekday(i)])
            belief = belief * (p if habit.done[i] else 1 - p)
            belief /= belief.sum()
    return out


def regime(habit: Habit, days: int) -> np.ndarray:
    """Told the switch days (read back from the true probabilities), not the levels they switch to."""
    b = habit.behaviour
    assert isinstance(b, RegimeSwitch)
    p_true = np.asarray(habit.p_logged)
    level = np.array([math.log(p / (1 - p)) - b.weekday_shift[_weekday(i)] for i, p in enumerate(p_true)])
    switches = set(np.nonzero(np.abs(np.diff(level)) > 1e-9)[0] + 1)
    prior = np.full(len(LEVEL_GRID), 1 / len(LEVEL_GRID))
    belief = np.zeros(len(LEVEL_GRID) + 1)  # the grid, and the known first level as the last point
    belief[-1] = 1.0
    points = np.append(LEVEL_GRID, level[0])
    out = _empty(habit, days)
    for i in range(habit.start, days + 1):
        ahead = belief
        for h in range(min(HORIZONS, days - i)):
            if i + h in switches:
                ahead = np.append(prior, 0.0)
            out[i - habit.start, h] = 1 - ahead @ _sig(points + b.weekday_shift[_weekday(i + h)])
        if i == days:
            break
        if i in switches:
            belief = np.append(prior, 0.0)
        if habit.due(i):
            p = _sig(points + b.weekday_shift[_weekday(i)])
            belief = belief * (p if habit.done[i] else 1 - p)
            belief /= belief.sum()
    return out


def _holiday_factors(known_holidays: list[tuple[int, int]], origin: int, days: int, targets: np.ndarray,
                     rng: np.random.Generator, samples: int) -> np.ndarray:
    """(samples, len(targets)) draws of `Holidays.factor` on the target days, given the known holidays
    (`_known_holidays`): the rest are drawn from the generator's prior conditioned on them."""
    lo, hi = HOLIDAY_EARLIEST, days - HOLIDAY_MARGIN  # first days are uniform on lo .. hi - 1
    span, before = hi - lo, min(max(origin - lo, 0), hi - lo)
    m = len(known_holidays)
    counts = np.arange(max(m, HOLIDAY_COUNT[0]), HOLIDAY_COUNT[1] + 1)
    # P(n holidays | the m known, none other began before the origin or was entered as a pause):
    # n!/(n-m)! (P(a holiday begins later and is not paused))^(n-m)
    weight = np.array([math.perm(n, m) * ((span - before) / span * (1 - HOLIDAY_ENTERED)) ** (n - m) for n in counts])
    n = rng.choice(counts, size=samples, p=weight / weight.sum())
    width = HOLIDAY_COUNT[1]
    first = np.full((samples, width), -10_000)
    last = np.full((samples, width), -10_000)
    for k, (a, z) in enumerate(known_holidays):
        first[:, k], last[:, k] = a, z
    if span > before:
        draws = rng.integers(lo + before, hi, size=(samples, width))
        length = rng.integers(HOLIDAY_EXTRA_DAYS[0], HOLIDAY_EXTRA_DAYS[1] + 1, size=(samples, width))
        new = (np.arange(width)[None, :] >= m) & (np.arange(width)[None, :] < n[:, None])
        first = np.where(new, draws, first)
        last = np.where(new, draws + length, last)
    keys = rng.random((samples, width))
    keys[:, :m] = np.sort(keys[:, :m], axis=1)  # the known ones keep their order; the others fall anywhere
    order = np.argsort(np.where(np.arange(width)[None, :] < n[:, None], keys, 2.0), axis=1)
    first, last = np.take_along_axis(first, order, 1), np.take_along_axis(last, order, 1)  # the list's order
    public = np.array([PUBLIC_HOLIDAY if (_day(int(t)).month, _day(int(t)).day) in PUBLIC_HOLIDAYS else 1.0
                       for t in targets])
    factor = np.broadcast_to(public, (samples, len(targets))).copy()
    decided = np.zeros_like(factor, dtype=bool)
    for k in range(width):
        since = targets[None, :] - last[:, k:k + 1]
        away = (first[:, k:k + 1] <= targets[None, :]) & (since <= 0) & ~decided
        restart = (since > 0) & (since <= RESTART_DAYS) & ~decided & ~away
        factor = np.where(away, AWAY, np.where(restart, RESTART_FROM + RESTART_STEP * since, factor))
        decided |= away | restart
    return factor


def _known_holidays(habit: Habit, origin: int) -> list[tuple[int, int]]:
    """The user's holidays, in their order, that began before the origin or were entered as pauses."""
    assert habit.behaviour is not None
    paused = {(pause.start - START).days for pause in habit.pauses}
    return [(a, z) for a, z in habit.behaviour.user.holidays if a < origin or a in paused]


def holidays(habit: Habit, days: int) -> np.ndarray:
    """Known level and weekdays; the holidays ahead drawn from the prior given those already begun."""
    b = habit.behaviour
    assert b is not None
    rng = np.random.default_rng(habit.user)
    out = _empty(habit, days)
    for i in range(habit.start, days):
        targets = np.arange(i, min(i + HORIZONS, days))
        base = _sig(b.level + np.array([b.weekday_shift[_weekday(int(t))] for t in targets]))
        factor = _holiday_factors(_known_holidays(habit, i), i, days, targets, rng, HOLIDAY_SAMPLES)
        out[i - habit.start, : len(targets)] = 1 - base * factor.mean(axis=0)
    return out


class _Particles:
    """`Mixed`'s hidden state, one particle a row: the walk, engaged, diligent, momentum."""

    def __init__(self, b: Mixed, count: int, rng: np.random.Generator) -> None:
        self.b, self.rng = b, rng
        self.walk = np.full(count, b.drift.level)
        self.engaged = np.ones(count, dtype=bool)
        self.diligent = np.ones(count, dtype=bool)
        self.momentum = np.zeros(count)

    def copy(self) -> _Particles:
        other = object.__new__(_Particles)
        other.b, other.rng = self.b, self.rng
        other.walk, other.engaged = self.walk.copy(), self.engaged.copy()
        other.diligent, other.momentum = self.diligent.copy(), self.momentum.copy()
        return other

    def take(self, index: np.ndarray) -> None:
        self.walk, self.engaged = self.walk[index], self.engaged[index]
        self.diligent, self.momentum = self.diligent[index], self.momentum[index]

    def chances(self, i: int, factor: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """P(done) and P(logged | done) of day i; advances the walk to day i."""
        b, weekday = self.b, _weekday(i)
        d = b.drift
        if d.linear:
            z = np.full(len(self.walk), d.level + d.slope * i)
        else:
            self.walk = self.walk + self.rng.normal(0, WALK_STEP, len(self.walk)) - WALK_PULL * (self.walk - d.level)
            z = self.walk
        p = np.clip(_sig(z + d.weekday_shift[weekday]), 0.01, 0.99)
        p = _sig(np.log(p / (1 - p)) + self.momentum + b.weekdays.weekday_shift[weekday])
        p = np.where(self.engaged, p, np.minimum(p, b.lapses.lapsed)) * factor
        q = (np.where(self.diligent, DILIGENT_Q, b.logging.forgetful_q)
             * (b.logging.weekend_q if weekday >= 5 else 1.0))
        return p, q

    def after(self, did: np.ndarray) -> None:
        b, n = self.b, len(did)
        stay = self.rng.random(n) >= b.lapses.leave
        back = self.rng.random(n) < b.lapses.back
        self.engaged = np.where(self.engaged, stay, back)
        flip = self.rng.random(n) < np.where(self.diligent, SPELL_SWITCH[0], SPELL_SWITCH[1])
        self.diligent = self.diligent ^ flip
        self.momentum = 0.6 * self.momentum + np.where(did, 0.15, -0.2)


def mixed(habit: Habit, days: int) -> np.ndarray:
    """A particle filter over `Mixed`'s hidden state (resampled when the weights thin out)."""
    b = habit.behaviour
    assert isinstance(b, Mixed)
    rng = np.random.default_rng(habit.user)
    cloud = _Particles(b, PARTICLES, rng)
    weights = np.full(PARTICLES, 1 / PARTICLES)
    out = _empty(habit, days)
    true_factor = b.holidays.factor
    for i in range(habit.start, days + 1):
        targets = np.arange(i, min(i + HORIZONS, days))
        if len(targets):
            ahead = cloud.copy()
            factors = _holiday_factors(_known_holidays(habit, i), i, days, targets, rng, PARTICLES)
            for h, target in enumerate(targets):
                p, q = ahead.chances(int(target), factors[:, h])
                out[i - habit.start, h] = 1 - weights @ (p * q)
                ahead.after(rng.random(PARTICLES) < p)
        if i == days:
            break
        p, q = cloud.chances(i, true_factor(i, _day(i)))
        if habit.due(i):
            if habit.done[i]:
                weights = weights * p * q
                did = np.ones(PARTICLES, dtype=bool)
            else:
                weights = weights * (1 - p * q)
                did = rng.random(PARTICLES) < p * (1 - q) / (1 - p * q)
        else:
            did = rng.random(PARTICLES) < p
        cloud.after(did)
        weights /= weights.sum()
        if 1 / (weights @ weights) < PARTICLES / 2:
            positions = (rng.random() + np.arange(PARTICLES)) / PARTICLES
            cloud.take(np.minimum(np.searchsorted(np.cumsum(weights), positions), PARTICLES - 1))
            weights = np.full(PARTICLES, 1 / PARTICLES)
    return out


FILTERS: dict[str, Callable[[Habit, int], np.ndarray]] = {
    "steady": known,
    "weekday effects": known,
    "slow drift": drift,
    "bursts & lapses": lapses,
    "breaks & holidays": holidays,
    "regime switch": regime,
    "sparse logging": sparse,
    "weekly quota": quota,
    "new habit": known,
    "mixed": mixed,
}
