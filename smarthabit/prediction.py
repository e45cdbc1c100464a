"""The skip model: the probability that a habit is skipped on each of the next days, from its history.

Pure functions over plain data (no database), so the nightly task, the lazy read path and the
benchmark run the same code (numpy over at most a year of days: well under 2 ms a habit).

How it works, and why:
- Every past *due* day (scheduled, not paused, on or after the habit's start) is one observation:
  skipped (1) or done (0). Today is never an observation: the day is not over.
- What is known at the start of a day (the *origin*) is summarised as smoothed skip rates, each a
  Beta-smoothed, exponentially weighted count: the habit's overall rate (shrunk toward the user's
  rate over their other habits, ``Prior``: empirical Bayes pooling, so a habit a week old starts
  from how this person does habits), the rate on each weekday (shrunk toward the overall rate),
  and two recent rates compared with what the weekday rates expected of those same days (a hard
  weekday just passed is no trend, a run of misses on easy days is); then the current run of misses,
  the streak, the days since the last check-in, and how thin the history is.
- A forecast for horizon h (h = 1 is today, 7 is six days ahead) is a logistic function of those
  with weights *per horizon* (``WEIGHTS``): what is known today (misses, streak, recent surprise)
  weighs most for today and fades toward the weekday and long-run rates as the horizon grows,
  because the days in between are unknown. The weights are population weights (pooled over many
  habits and users), fitted by ``bench.prediction_quality --fit`` on tuning seeds only, then
  recalibrated per horizon (Platt: ``CALIBRATION``) on other tuning seeds the fit never saw.
- Never worse than the plain weekday rate: the model's own forecasts are replayed over the habit's
  history (each made from the days before its origin), and for a horizon where they scored worse
  (Brier) than the habit's Laplace-smoothed weekday rate over at least ``FALLBACK_MIN_FORECASTS``
  finished days, that weekday rate is served instead (`Forecast.fallback` says so).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from smarthabit.schedule import Pause, Schedule, ScheduleKind

HISTORY_DAYS = 365  # a year: old days weigh little anyway
HORIZONS = 7  # today and the next six days
POPULATION_SKIP_RATE = 0.35  # what a habit with no history at all is assumed to do
MIN_PROBABILITY, MAX_PROBABILITY = 0.01, 0.99

PRIOR_STRENGTH = 6.0  # pseudo-observations pulling the habit's rate toward the user's
OVERALL_HALF_LIFE = 90.0  # days
WEEKDAY_HALF_LIFE = 120.0
RECENT_HALF_LIFE = 4.0
RECENT_STRENGTH = 1.0
IDLE_CAP = 60
FALLBACK_MIN_FORECASTS = 28
USER_PRIOR_STRENGTH = 10.0

FEATURES = ("bias", "weekday", "overall", "recent", "s10", "s30", "misses", "lapse", "streak", "idle", "thin", "pause",
            "recent own", "s10 own", "s30 own", "week")
OWN_HALF_LIFE = 120.0
OWN_STRENGTH = 5.0
WEEK_HALF_LIFE = 90.0
WEEK_STRENGTH = 5.0
SURPRISE_HALF_LIFES = {"s10": 10.0, "s30": 30.0}
# Per horizon (row h-1): fitted on tuning seeds by `python -m bench.prediction_quality --fit`.
WEIGHTS: tuple[tuple[float, ...], ...] = tuple(
    (0.0, 1.0, 1.0, 0.5 * 0.8**h, 0.0, 0.3, 0.0, 0.1 * 0.8**h, 0.0, 0.0, 0.0, 0.0, 0, 0, 0, 0) for h in range(HORIZONS)
)
CALIBRATION: tuple[tuple[float, float], ...] = tuple((1.0, 0.0) for _ in range(HORIZONS))  # logit' = a*logit + b

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
    strength: float = PRIOR_STRENGTH


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


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _decayed(x: np.ndarray, half_life: float) -> np.ndarray:
    """out[..., t] = sum over s < t of x[..., s] * 2**(-(t - 1 - s) / half_life): as of origin t."""
    n = x.shape[-1]
    lam = 0.5 ** (1 / half_life)
    k = np.arange(n)
    out = np.zeros((*x.shape[:-1], n + 1))
    out[..., 1:] = np.cumsum(x * lam ** (-k), axis=-1) * lam**k
    return out


def _before(x: np.ndarray) -> np.ndarray:
    """Running totals as of each origin: out[..., t] = sum of x[..., :t]."""
    out = np.zeros((*x.shape[:-1], x.shape[-1] + 1))
    out[..., 1:] = np.cumsum(x, axis=-1)
    return out


@dataclass(frozen=True, slots=True)
class History:
    """A habit's days from `first` to the day before `today`, as arrays (index 0 = `first`)."""

    first: date
    due: np.ndarray  # bool
    done: np.ndarray  # bool: a check-in counted as done (due or not)
    paused: np.ndarray  # bool
    last_done_before: int  # index of the last done day before `first` (negative), or of start - 1

    @property
    def days(self) -> int:
        return len(self.due)

    @property
    def skipped(self) -> np.ndarray:
        return (self.due & ~self.done).astype(float)


def history(record: HabitRecord, today: date) -> History:
    """The due and done days the model reads: at most `HISTORY_DAYS` before `today`."""
    first = max(record.start, today - timedelta(days=HISTORY_DAYS))
    n = max(0, (today - first).days)
    weekday = (first.weekday() + np.arange(n)) % 7
    paused = np.zeros(n, dtype=bool)
    for pause in record.pauses:
        lo, hi = max(0, (pause.start - first).days), min(n, (pause.end - first).days + 1)
        if lo < hi:
            paused[lo:hi] = True
    due = np.isin(weekday, sorted(record.schedule.scheduled_weekdays)) & ~paused
    done = np.zeros(n, dtype=bool)
    index = [(day - first).days for day in record.done if first <= day < today]
    done[index] = True
    earlier = [day for day in record.done if day < first]
    anchor = max(earlier) if earlier else record.start - timedelta(days=1)
    return History(first, due, done, paused, (anchor - first).days)


def _runs(flags: np.ndarray) -> np.ndarray:
    """For each position, how many of the entries up to it are True in a row (ending there)."""
    index = np.arange(len(flags))
    last_false = np.maximum.accumulate(np.where(flags, -1, index))
    return index - last_false


@dataclass(frozen=True, slots=True)
class Features:
    """The model's inputs at every origin 0..days (origin t knows days before t)."""

    origin: np.ndarray  # (days + 1, 8): every feature but the weekday one
    weekday_rates: np.ndarray  # (7, days + 1): smoothed skip rate per weekday
    overall: np.ndarray
    recent: np.ndarray
    streak: np.ndarray
    weekday_seen: np.ndarray  # (7, days + 1): due days seen per weekday
    weekday_skips: np.ndarray  # (7, days + 1): skipped days per weekday


def features(hist: History, prior: Prior, prior_rates: np.ndarray | None = None) -> Features:
    """Smoothed rates and states at every origin; `prior_rates` (one per origin) overrides `prior.rate`."""
    due, skipped, n = hist.due.astype(float), hist.skipped, hist.days
    rate = prior.rate if prior_rates is None else prior_rates
    overall = (_decayed(skipped, OVERALL_HALF_LIFE) + prior.strength * rate) / (
        _decayed(due, OVERALL_HALF_LIFE) + prior.strength)
    weekday_of = (hist.first.weekday() + np.arange(n)) % 7
    by_weekday = weekday_of[None, :] == np.arange(7)[:, None]
    weekday_rates = _weekday_rates(_decayed(skipped * by_weekday, WEEKDAY_HALF_LIFE),
                                   _decayed(due * by_weekday, WEEKDAY_HALF_LIFE), overall)
    expected = weekday_rates[weekday_of, np.arange(n)] * due  # what each day's weekday rate said of it
    recent, surprise_recent = _surprise(skipped, due, expected, overall, RECENT_HALF_LIFE)
    columns = {"bias": np.ones(n + 1), "overall": _logit(overall), "recent": surprise_recent}
    for name, half_life in SURPRISE_HALF_LIFES.items():
        columns[name] = _surprise(skipped, due, expected, overall, half_life)[1]
    residual = skipped - overall[:-1]
    for name in ("recent", "s10", "s30"):
        columns[f"{name} own"] = _own_effect(columns[name], residual, due)
    columns["week"] = _week_pace(hist, overall)
    misses, streak = _state_runs(hist)
    columns["misses"], columns["streak"] = np.log1p(misses), np.log1p(streak)
    columns["lapse"] = np.minimum(10, misses) * -np.log(np.clip(overall, 0.02, 1))
    columns["idle"] = np.log1p(_idle(hist))
    columns["thin"] = 1 / (1 + _before(due) / 7)
    columns["pause"] = _after_pause(hist)
    origin = np.column_stack([columns[name] for name in FEATURES if name != "weekday"])
    return Features(origin, weekday_rates, overall, recent, streak,
                    _before(due * by_weekday), _before(skipped * by_weekday))


def _own_effect(x: np.ndarray, residual: np.ndarray, due: np.ndarray) -> np.ndarray:
    """What `x` has meant for this habit: its coefficient in the habit's own past (skips less the
    overall rate regressed on x, shrunk toward 0 by `OWN_STRENGTH`), times today's x. A recent run
    of misses means more for a habit whose runs persisted (a life change) than for one whose runs
    were noise."""
    before = x[:-1] * due
    beta = _decayed(before * residual, OWN_HALF_LIFE) / (_decayed(before * before, OWN_HALF_LIFE) + OWN_STRENGTH)
    return beta * x


def _week_pace(hist: History, overall: np.ndarray) -> np.ndarray:
    """This habit's own response to how far ahead of its usual pace the current week is.

    x = done days so far this week minus what the overall rate expects by now; the habit's
    coefficient (skips against x, regressed over its past, shrunk to 0) times today's x. Positive for
    people who stop once a weekly quota is met, negative for those whom a good week carries along.
    """
    n = hist.days
    weekday_of = (hist.first.weekday() + np.arange(n)) % 7
    done = (hist.done & hist.due).astype(float)
    due = hist.due.astype(float)
    week_start = np.arange(n) - weekday_of
    cum_done, cum_due = _before(done), _before(due)
    lo = np.maximum(0, np.concatenate((week_start, [n - (weekday_of[-1] + 1) % 7 if n else 0])))
    t = np.arange(n + 1)
    pace = (cum_done[t] - cum_done[lo]) - (1 - overall) * (cum_due[t] - cum_due[lo])
    y = hist.skipped - overall[:-1]
    x = pace[:-1] * due
    beta = _decayed(x * y, WEEK_HALF_LIFE) / (_decayed(x * x, WEEK_HALF_LIFE) + WEEK_STRENGTH)
    return beta * pace


def _weekday_rates(skips: np.ndarray, seen: np.ndarray, overall: np.ndarray) -> np.ndarray:
    """Per-weekday rates shrunk toward the overall rate as far as the habit's weekdays really differ:
    the between-weekday variance, less what sampling alone explains, decides (empirical Bayes)."""
    raw = skips / np.maximum(seen, 1e-9)
    noise = overall * (1 - overall)
    total = seen.sum(axis=0) + 1e-9
    spread = (seen * (raw - overall) ** 2).sum(axis=0) / total
    sampling = (seen * noise / (seen + 1)).sum(axis=0) / total
    between = np.maximum(0.0, spread - sampling)
    weight = between / (between + noise / np.maximum(seen, 1e-9))
    return overall + weight * (raw - overall)


def _after_pause(hist: History) -> np.ndarray:
    """How recently a pause ended (1 the day after, fading over a few days; 0 without a pause)."""
    paused = hist.paused
    if not paused.any():
        return np.zeros(hist.days + 1)
    index = np.arange(hist.days)
    last = np.maximum.accumulate(np.where(paused, index, -10_000))
    since = np.concatenate(([10_000], index - last))
    return np.exp(-since / 3.0)


def _surprise(skipped: np.ndarray, due: np.ndarray, expected: np.ndarray, overall: np.ndarray,
              half_life: float) -> tuple[np.ndarray, np.ndarray]:
    """The recent skip rate, and how far (in logits) it is above what the weekday rates expected."""
    seen = _decayed(due, half_life) + RECENT_STRENGTH
    rate = (_decayed(skipped, half_life) + RECENT_STRENGTH * overall) / seen
    wanted = (_decayed(expected, half_life) + RECENT_STRENGTH * overall) / seen
    return rate, _logit(rate) - _logit(wanted)


def _state_runs(hist: History) -> tuple[np.ndarray, np.ndarray]:
    """Misses in a row and done days in a row (over due days) at every origin."""
    outcomes = hist.skipped[hist.due] > 0
    count = _before(hist.due.astype(int)).astype(int)
    misses, streak = np.zeros(hist.days + 1), np.zeros(hist.days + 1)
    if len(outcomes):
        known = count > 0
        misses[known] = _runs(outcomes)[count[known] - 1]
        streak[known] = _runs(~outcomes)[count[known] - 1]
    return misses, streak


def _idle(hist: History) -> np.ndarray:
    """Calendar days since the last check-in (or the start) at every origin, capped."""
    last = np.maximum.accumulate(np.where(hist.done, np.arange(hist.days), hist.last_done_before))
    last = np.concatenate(([hist.last_done_before], last)) if hist.days else np.array([hist.last_done_before])
    return np.minimum(IDLE_CAP, np.arange(hist.days + 1) - 1 - last)


def _target_weekdays(hist: History, horizons: int = HORIZONS) -> np.ndarray:
    """(days + 1, horizons): the weekday of origin t's forecast h (t + h days after `first`)."""
    return (hist.first.weekday() + np.arange(hist.days + 1)[:, None] + np.arange(horizons)[None, :]) % 7


def design_matrix(feats: Features, hist: History, h: int) -> np.ndarray:
    """(days + 1, len(FEATURES)): the inputs of horizon index `h` (0 = today) at every origin."""
    targets = _target_weekdays(hist)[:, h]
    weekday = _logit(feats.weekday_rates[targets, np.arange(hist.days + 1)]) - feats.origin[:, 1]
    return np.insert(feats.origin, 1, weekday, axis=1)


def model_logits(feats: Features, hist: History) -> np.ndarray:
    """(days + 1, 7): the calibrated logit of P(skip) for each origin and horizon."""
    z = np.column_stack([design_matrix(feats, hist, h) @ np.asarray(WEIGHTS[h]) for h in range(HORIZONS)])
    calibration = np.asarray(CALIBRATION)
    return z * calibration[:, 0] + calibration[:, 1]


@dataclass(frozen=True, slots=True)
class Forecast:
    """P(skip) for each origin (row) and horizon (column), as the model served it then."""

    probability: np.ndarray  # (days + 1, 7)
    model: np.ndarray  # the model's own forecast, before the fallback
    weekday_rate: np.ndarray  # the Laplace weekday rate it falls back to
    fallback: np.ndarray  # bool: where the weekday rate was served


def walk_forward(hist: History, feats: Features) -> Forecast:
    """Every origin's forecasts, the fallback decided from the forecasts that finished before it."""
    model = np.clip(1 / (1 + np.exp(-model_logits(feats, hist))), MIN_PROBABILITY, MAX_PROBABILITY)
    targets = _target_weekdays(hist)
    origins = np.arange(hist.days + 1)[:, None]
    laplace = (feats.weekday_skips[targets, origins] + 1) / (feats.weekday_seen[targets, origins] + 2)
    fallback = np.zeros_like(model, dtype=bool)
    skipped = hist.skipped
    for h in range(HORIZONS):
        scored = hist.days - h  # origins whose day h is finished
        if scored <= 0:
            continue
        due = hist.due[h:]
        y = skipped[h:]
        diff = np.where(due, (model[:scored, h] - y) ** 2 - (laplace[:scored, h] - y) ** 2, 0.0)
        # At origin u, the forecasts of origins t with t + h < u are finished.
        total, count = np.zeros(hist.days + 1), np.zeros(hist.days + 1)
        total[h + 1:], count[h + 1:] = np.cumsum(diff), np.cumsum(due)
        fallback[:, h] = (count >= FALLBACK_MIN_FORECASTS) & (total > 0)
    return Forecast(np.where(fallback, laplace, model), model, laplace, fallback)


class SkipModel:
    """A habit's forecasts as of the start of `today`; see the module docstring."""

    def __init__(self, record: HabitRecord, today: date, prior: Prior) -> None:
        self.record, self.today, self.prior = record, today, prior
        self.history = history(record, today)
        self.features = features(self.history, Prior(base_rate(record, prior), prior.strength))
        self.forecast = walk_forward(self.history, self.features)

    def probability(self, day: date) -> float:
        """P(skip) on `day` (today or later; past the horizon, the last horizon's rates); 0.0 when
        nothing is due (nothing can be skipped)."""
        if not is_due(self.record, day):
            return 0.0
        h = (day - self.today).days
        if h < 0:
            raise ValueError(f"{day} is before the model's day {self.today}")
        if h < HORIZONS:
            return float(self.forecast.probability[-1, h])
        return self._beyond(day)

    def _beyond(self, day: date) -> float:
        """A day past the horizon: the last horizon's weights with that day's weekday."""
        h, w = HORIZONS - 1, day.weekday()
        weights, (a, b) = np.asarray(WEIGHTS[h]), CALIBRATION[h]
        feats, served = self.features, self.forecast
        if served.fallback[-1, h]:
            return float((feats.weekday_skips[w, -1] + 1) / (feats.weekday_seen[w, -1] + 2))
        origin = feats.origin[-1]
        weekday = _logit(feats.weekday_rates[w, -1]) - origin[1]
        z = float(np.delete(weights, 1) @ origin + weights[1] * weekday) * a + b
        return min(MAX_PROBABILITY, max(MIN_PROBABILITY, 1 / (1 + math.exp(-z))))

    def explain(self, day: date) -> Explanation:
        """The forecast with the rates behind it, for a personalised message."""
        feats, w = self.features, day.weekday()
        return Explanation(
            probability=self.probability(day),
            weekday_rate=float(feats.weekday_rates[w, -1]),
            overall_rate=float(feats.overall[-1]),
            recent_rate=float(feats.recent[-1]),
            weekday_observations=int(feats.weekday_seen[w, -1]),
            streak=int(feats.streak[-1]),
        )


def fit_skip_model(record: HabitRecord, today: date, prior: Prior | None = None) -> SkipModel:
    """The habit's model as of the start of `today` (nothing of today is known)."""
    return SkipModel(record, today, prior or Prior())


def skip_probabilities(
    record: HabitRecord, days: Iterable[date], today: date, prior: Prior | None = None
) -> dict[date, float]:
    """P(skip) for each day, as known at the start of `today` (a past day is forecast as of itself)."""
    wanted = sorted(set(days))
    result: dict[date, float] = {}
    if any(day >= today for day in wanted):
        model = fit_skip_model(record, today, prior)
        result.update({day: model.probability(day) for day in wanted if day >= today})
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
        hist = history(record, today)
        lo = max(0, (first - hist.first).days)
        due += int(hist.due[lo:].sum())
        skipped += int(hist.skipped[lo:].sum())
    rate = (skipped + USER_PRIOR_STRENGTH * POPULATION_SKIP_RATE) / (due + USER_PRIOR_STRENGTH)
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


def logit(p: float) -> float:
    """log(p / (1 - p)), kept finite."""
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))
