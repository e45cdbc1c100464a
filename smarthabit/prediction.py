"""The skip model: the probability that a habit is skipped on a day, from its own history.

Pure functions over plain data (no database), so the nightly task, the lazy read path and the
benchmark all run the same code.

How it works, and why:
- Every past *due* day (scheduled, not paused, on or after the habit's start) is one observation:
  skipped (1) or done (0). Today is never an observation: the day is not over.
- The history is walked once, oldest first, and before each day a few features are computed from
  what was known *before* it: the weekday's skip rate, the habit's overall rate, an exponentially
  weighted recent rate (trend), the current streak, the run of misses and the days since the last
  check-in. Training on features built the same way they are built for a forecast keeps the model
  honest (no peeking at the day being predicted).
- Rates are Beta-smoothed: the habit's overall rate shrinks toward the user's rate (``Prior``),
  the weekday rate toward the habit's rate. With little data the forecast is the user's rate;
  with more, the habit's own pattern takes over (empirical Bayes).
- A small logistic regression combines the features, fitted per habit by Newton's method with a
  strong L2 penalty *toward a sensible default* (``DEFAULT_WEIGHTS``: "the smoothed weekday rate,
  nudged by the recent trend"), not toward zero. Thin histories therefore stay at the default
  blend, and a long history can learn that, say, streaks matter more for this person.
- Old observations count less (half-life ``SAMPLE_HALF_LIFE_DAYS``), so slow drift is followed.

Forecasts for days after today reuse today's state (streak, misses, trend): the days in between
are unknown, and a forecast is recomputed once they are known.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from smarthabit.schedule import Pause, Schedule, ScheduleKind

HISTORY_DAYS = 365  # a year: stable weekday patterns keep getting sharper; old days weigh less anyway
POPULATION_SKIP_RATE = 0.35  # what a habit with no history at all is assumed to do
MIN_PROBABILITY, MAX_PROBABILITY = 0.03, 0.97  # nobody is that predictable

HABIT_PRIOR_STRENGTH = 8.0  # pseudo-observations pulling the habit's rate toward the user's
WEEKDAY_PRIOR_STRENGTH = 4.0  # pseudo-observations pulling a weekday's rate toward the habit's
WEEKDAY_DECAY = 0.5 ** (1 / 26)  # per occurrence of that weekday: half-life of half a year
OVERALL_DECAY = 0.5 ** (1 / 60)  # per due day
TREND_DECAY = 0.5 ** (1 / 5)  # per due day: the recent rate has a half-life of five due days
SAMPLE_HALF_LIFE_DAYS = 180.0
L2_STRENGTH = 6.0
NEWTON_STEPS = 8

FEATURES = ("bias", "weekday", "overall", "trend", "streak", "misses", "idle")
# The default model: logit(p) = logit(weekday rate) + 0.5 * (logit(recent rate) - logit(overall rate)).
DEFAULT_WEIGHTS = (0.0, 1.0, 1.0, 0.5, 0.0, 0.0, 0.0)

MIN_USUAL_SAMPLES = 4
USUAL_SAMPLES = 30
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class HabitRecord:
    """What the model needs to know about a habit: its schedule, done days, pauses and start day."""

    schedule: Schedule
    done: frozenset[date]
    start: date
    pauses: tuple[Pause, ...] = ()


@dataclass(frozen=True, slots=True)
class Prior:
    """Where a thin history is pulled: the user's own skip rate over their other habits."""

    rate: float = POPULATION_SKIP_RATE
    strength: float = HABIT_PRIOR_STRENGTH


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a day looks risky, in numbers a message can quote."""

    probability: float
    weekday_rate: float  # smoothed skip rate on this weekday
    overall_rate: float  # smoothed skip rate over all days
    recent_rate: float  # exponentially weighted recent skip rate
    weekday_observations: int
    streak: int  # done due days in a row before the forecast day

    @property
    def weekday_effect(self) -> bool:
        """The weekday stands out: clearly worse than usual and seen often enough to say so."""
        return self.weekday_observations >= 3 and self.weekday_rate >= self.overall_rate + 0.15

    @property
    def slipping(self) -> bool:
        """The recent weeks are clearly worse than the habit's usual rate."""
        return self.recent_rate >= self.overall_rate + 0.15


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)


def base_rate(record: HabitRecord, prior: Prior) -> float:
    """The structural prior for a habit: times-per-week habits are expected on N of 7 days."""
    if record.schedule.kind is ScheduleKind.TIMES_PER_WEEK:
        return 1 - record.schedule.times_per_week / 7
    return prior.rate


def is_due(record: HabitRecord, day: date) -> bool:
    """Whether something is expected on `day`: scheduled, not paused, not before the start."""
    if day < record.start or not record.schedule.is_scheduled(day):
        return False
    return not any(pause.covers(day) for pause in record.pauses)


@dataclass(slots=True)
class _State:
    """Everything known before a day, updated one due day at a time."""

    prior: float
    prior_strength: float
    weekday_skips: list[float] = field(default_factory=lambda: [0.0] * 7)
    weekday_seen: list[float] = field(default_factory=lambda: [0.0] * 7)
    weekday_count: list[int] = field(default_factory=lambda: [0] * 7)
    skips: float = 0.0
    seen: float = 0.0
    recent: float = -1.0  # exponentially weighted skip rate of the last due days
    expected: float = -1.0  # the same average of what the weekday rates expected on those days
    streak: int = 0
    misses: int = 0
    last_done: date | None = None

    def overall(self) -> float:
        return (self.skips + self.prior_strength * self.prior) / (self.seen + self.prior_strength)

    def weekday(self, weekday: int) -> float:
        overall = self.overall()
        return (self.weekday_skips[weekday] + WEEKDAY_PRIOR_STRENGTH * overall) / (
            self.weekday_seen[weekday] + WEEKDAY_PRIOR_STRENGTH
        )

    def trend(self) -> float:
        return self.overall() if self.recent < 0 else self.recent

    def trend_deviation(self) -> float:
        """How much worse (in logits) the recent days went than their weekdays predicted: a hard
        weekday just passed is not a trend, a run of misses on easy days is."""
        if self.recent < 0:
            return 0.0
        return _logit(self.recent) - _logit(self.expected)

    def features(self, day: date, start: date) -> tuple[float, ...]:
        overall = self.overall()
        anchor = self.last_done if self.last_done is not None else start - timedelta(days=1)
        idle = max(0, (day - anchor).days - 1)
        return (
            1.0,
            _logit(self.weekday(day.weekday())) - _logit(overall),
            _logit(overall),
            self.trend_deviation(),
            math.log1p(self.streak),
            math.log1p(self.misses),
            math.log1p(idle),
        )

    def observe(self, day: date, skipped: bool) -> None:
        y = 1.0 if skipped else 0.0
        weekday = day.weekday()
        if self.recent < 0:
            self.recent = self.expected = self.overall()
        self.expected = self.expected * TREND_DECAY + self.weekday(weekday) * (1 - TREND_DECAY)
        self.weekday_skips[weekday] = self.weekday_skips[weekday] * WEEKDAY_DECAY + y
        self.weekday_seen[weekday] = self.weekday_seen[weekday] * WEEKDAY_DECAY + 1
        self.weekday_count[weekday] += 1
        self.skips = self.skips * OVERALL_DECAY + y
        self.seen = self.seen * OVERALL_DECAY + 1
        self.recent = self.recent * TREND_DECAY + y * (1 - TREND_DECAY)
        self.streak = 0 if skipped else self.streak + 1
        self.misses = self.misses + 1 if skipped else 0

    def saw_done(self, day: date) -> None:
        if self.last_done is None or day > self.last_done:
            self.last_done = day


class SkipModel:
    """A habit's fitted skip model and its state as of a day; see the module docstring.

    `probability(day)` forecasts a day from the current state; `observe(day, done)` moves the state
    forward one day without refitting (the benchmark refits weekly and observes in between).
    """

    def __init__(self, record: HabitRecord, prior: Prior, weights: Sequence[float], state: _State) -> None:
        self.record = record
        self.prior = prior
        self.weights = tuple(weights)
        self._state = state

    def probability(self, day: date) -> float:
        """P(skip) on `day`; 0.0 on a day when nothing is due (nothing can be skipped)."""
        if not is_due(self.record, day):
            return 0.0
        z = sum(w * x for w, x in zip(self.weights, self._state.features(day, self.record.start), strict=True))
        return min(MAX_PROBABILITY, max(MIN_PROBABILITY, _sigmoid(z)))

    def explain(self, day: date) -> Explanation:
        """The forecast with the rates behind it, for a personalised message."""
        state = self._state
        return Explanation(
            probability=self.probability(day),
            weekday_rate=state.weekday(day.weekday()),
            overall_rate=state.overall(),
            recent_rate=state.trend(),
            weekday_observations=state.weekday_count[day.weekday()],
            streak=state.streak,
        )

    def observe(self, day: date, done: bool) -> None:
        """Add the outcome of a finished day (days must come in order)."""
        if done:
            self._state.saw_done(day)
        if is_due(self.record, day):
            self._state.observe(day, not done)


_Row = tuple[tuple[float, ...], float, float]  # features, label (1 = skipped), sample weight


def _observations(record: HabitRecord, today: date, prior: Prior) -> tuple[_State, list[_Row]]:
    """Walk the due days before `today`; return the final state and (features, label, weight) rows."""
    state = _State(prior=base_rate(record, prior), prior_strength=prior.strength)
    first = max(record.start, today - timedelta(days=HISTORY_DAYS))
    # Check-ins before the window still tell when the habit was last done.
    earlier = [day for day in record.done if day < first]
    if earlier:
        state.saw_done(max(earlier))
    rows: list[_Row] = []
    day = first
    while day < today:
        done = day in record.done
        if is_due(record, day):
            weight = 0.5 ** ((today - day).days / SAMPLE_HALF_LIFE_DAYS)
            rows.append((state.features(day, record.start), 0.0 if done else 1.0, weight))
            state.observe(day, not done)
        if done:
            state.saw_done(day)
        day += timedelta(days=1)
    return state, rows


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the systems here are 7x7 and well conditioned)."""
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        lead = a[col][col]
        if abs(lead) < 1e-12:
            continue
        for r in range(col + 1, n):
            factor = a[r][col] / lead
            if factor:
                for c in range(col, n + 1):
                    a[r][c] -= factor * a[col][c]
    solution = [0.0] * n
    for r in range(n - 1, -1, -1):
        if abs(a[r][r]) < 1e-12:
            continue
        solution[r] = (a[r][n] - sum(a[r][c] * solution[c] for c in range(r + 1, n))) / a[r][r]
    return solution


def fit_weights(
    rows: Sequence[tuple[Sequence[float], float, float]],
    *,
    center: Sequence[float] = DEFAULT_WEIGHTS,
    l2: float | None = None,
    steps: int = NEWTON_STEPS,
) -> list[float]:
    """Weighted logistic regression, MAP with a Gaussian prior centred on `center` (Newton's method)."""
    l2 = L2_STRENGTH if l2 is None else l2
    w = list(center)
    n = len(w)
    for _ in range(steps):
        gradient = [l2 * (w[j] - center[j]) for j in range(n)]
        hessian = [[l2 if i == j else 0.0 for j in range(n)] for i in range(n)]
        for x, y, weight in rows:
            p = _sigmoid(sum(wj * xj for wj, xj in zip(w, x, strict=True)))
            g = weight * (p - y)
            h = weight * p * (1 - p)
            for i in range(n):
                xi = x[i]
                gradient[i] += g * xi
                hx = h * xi
                row = hessian[i]
                for j in range(i + 1):
                    row[j] += hx * x[j]
        for i in range(n):
            for j in range(i):
                hessian[j][i] = hessian[i][j]
        step = _solve(hessian, gradient)
        w = [wj - sj for wj, sj in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w


def fit_skip_model(record: HabitRecord, today: date, prior: Prior | None = None) -> SkipModel:
    """Fit the habit's model on its due days before `today`; the state is as of the start of today."""
    prior = prior or Prior()
    state, rows = _observations(record, today, prior)
    weights = fit_weights(rows) if rows else list(DEFAULT_WEIGHTS)
    return SkipModel(record, prior, weights, state)


def skip_probabilities(
    record: HabitRecord, days: Iterable[date], today: date, prior: Prior | None = None
) -> dict[date, float]:
    """P(skip) for each day, as known at the start of `today` (a past day is forecast as of itself)."""
    wanted = sorted(set(days))
    result: dict[date, float] = {}
    future = [day for day in wanted if day >= today]
    if future:
        model = fit_skip_model(record, today, prior)
        result.update({day: model.probability(day) for day in future})
    for day in wanted:
        if day < today:
            result[day] = fit_skip_model(record, day, prior).probability(day)
    return result


def user_prior(records: Iterable[HabitRecord], today: date, window_days: int = 90) -> Prior:
    """The user's pooled skip rate over the due days of their daily and weekdays habits (last
    `window_days`), shrunk toward the population rate; times-per-week habits carry their own base."""
    skipped = due = 0
    first = today - timedelta(days=window_days)
    for record in records:
        if record.schedule.kind is ScheduleKind.TIMES_PER_WEEK:
            continue
        day = max(first, record.start)
        while day < today:
            if is_due(record, day):
                due += 1
                skipped += day not in record.done
            day += timedelta(days=1)
    strength = 10.0
    rate = (skipped + strength * POPULATION_SKIP_RATE) / (due + strength)
    return Prior(rate=rate)


def usual_minute(minutes: Sequence[int]) -> int | None:
    """The usual local minute of day of check-ins: a circular median (23:50 and 00:10 are close).

    Uses the last `USUAL_SAMPLES` values; None with fewer than `MIN_USUAL_SAMPLES`. A median, not a
    mean, so one late-night catch-up does not drag a morning habit to noon.
    """
    recent = [m % MINUTES_PER_DAY for m in minutes[-USUAL_SAMPLES:]]
    if len(recent) < MIN_USUAL_SAMPLES:
        return None

    def distance(a: int, b: int) -> int:
        d = abs(a - b)
        return min(d, MINUTES_PER_DAY - d)

    return min(sorted(set(recent)), key=lambda c: sum(distance(c, m) for m in recent))
