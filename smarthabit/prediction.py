"""The skip model: the probability that a habit is skipped on each of the next days, from its history.

Pure functions over plain data (no database), so the nightly task, the lazy read path and the
benchmark run the same code: numpy over at most a year of days, well under 2 ms a habit.

How it works, and why:
- Every past *due* day (scheduled, not paused, on or after the habit's start) is one observation:
  skipped (1) or done (0). Today is never an observation: the day is not over. A forecast made at
  the start of a day (its *origin*) reads only the days before it.
- The habit's current skip rate (its *level*) is a Bayesian mixture of smoothers with different
  memories (the whole history, a 90-day rate shrunk toward the user's rate over their other habits,
  and half-lives of 5 to 40 days), each weighted by how well it forecast this habit's past: a steady
  habit ends up on long memories, one whose life changed on short ones. The user's rate (``Prior``)
  is the empirical-Bayes pooling across a person's habits: a habit a week old starts from how this
  person does habits, not from a population guess.
- The weekday pattern is a mixture too: no weekday effect, weekday rates over the whole history,
  and recency-weighted ones shrunk as far as the weekdays really differ (empirical Bayes).
- What is known today: the run of misses (and how surprising it is at this habit's level), the
  streak, the days since the last check-in, a pause just ended, the recent days against what their
  weekdays expected, and this habit's own response to its week so far (people with a weekly quota
  stop once it is met; others ride a good week).
- A forecast for horizon h (1 = today, 7 = six days ahead) is read from those inputs by two pooled
  models, both fitted by `bench.prediction_quality --fit` on tuning seeds only and recalibrated per
  horizon (Platt) on other tuning seeds. The one served is a small ensemble of gradient-boosted trees
  (LightGBM, `skip_trees`, ``TREES_CALIBRATION``): it learns for which habits each input matters
  (a year of steady days trusts its level, a week-old habit its user, a lapse its run of misses).
  They also read the target weekday's effect over the whole history (``weekday all``): on a fixed
  week it is steadier than the recency-weighted one, and the trees learn where to lean on it. And
  they read how likely each kind of history is (steady, a fixed week, slow drift, a jump, lapses..:
  `history_kinds`), from the shape of the whole history: today's state alone makes a drifting habit
  look like a steady one for weeks. They read whether the target day is a public holiday where the
  person lives (`public_holidays`, from their time zone) and what past holidays meant for this habit
  (``holiday own``): routines break on holidays, some more than others. They boost from the logistic
  model's logit (the smooth part), adding what it misses.
  The other is a logistic function with weights *per horizon* (``WEIGHTS``, ``CALIBRATION``): 15
  multiply-adds a forecast, cheap enough to replay over every origin of the fallback's window each
  night, which the trees are not (1.1 ms a habit, three times the whole nightly model). In both,
  today's state weighs most for today and fades toward the weekday and level rates as the horizon
  grows, because the days in between are unknown; a thin history's distance from its user's rate
  and its weekday pattern are inputs of their own (``thin level``, ``thin weekday``). Before its
  first due day a habit is forecast at its user's rate.
- Never worse than a simple rate: the model's forecasts are replayed over the habit's last
  ``MIXTURE_WINDOW`` days (a bounded nightly cost whatever the history's length), and what is
  served is a Bayesian mixture of the model (prior weight ``MODEL_PRIOR``) and the simple rates
  (the weekday rate, plain and shrunk, the overall rate, the 14- and 30-day rates; prior weights
  ``RATE_PRIORS``, which matter while few forecasts have finished), each weighted
  by its likelihood on the habit's finished forecasts at that horizon. Where the model cannot beat
  the weekday rate for a habit, the weight moves to it (the fallback); in total log loss over the
  window the mixture is never worse than log(1 / prior) behind the best of them. The model's
  share is earned by the logistic model's replay and served by the trees, which beat it on every
  pattern of the bench; the bound is the logistic model's, the trees stand in for it. On a public
  holiday the simple rates are served moved by what past holidays meant for the habit
  (``HOLIDAY_STRENGTH``): a rate that ignores the calendar should not drown out a habit that
  skips every holiday.
- The stack corrects that mixture (`stacked`): a last small LightGBM ensemble reads the mixture's
  parts, the replay's evidence (how far each simple rate is behind the model), the kinds of history
  and two whole-history rates, and adds at most ``STACK_LIMIT`` to the mixture's logit. The mixture
  weighs its candidates by likelihood alone, so a chance run of misses on a steady habit moves it as
  much as a real change would; the stack learned from the tuning seeds' habits which is which. It was
  fitted with the patterns that hold nothing beyond a simple rate weighted up, so that on them what is
  served stays within 0.5% of the best such rate (bench/README.md). The log(1 / prior) bound above is
  the mixture's; the stack's limit keeps the served forecast within one logit of it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain

import numpy as np

from smarthabit import skip_trees
from smarthabit.history_kinds import KINDS, shape_statistics
from smarthabit.public_holidays import public_holidays
from smarthabit.schedule import Pause, Schedule, ScheduleKind

HISTORY_DAYS = 365  # a year: old days weigh little anyway
HORIZONS = 7  # today and the next six days
POPULATION_SKIP_RATE = 0.35  # what a habit with no history at all is assumed to do
MIN_PROBABILITY, MAX_PROBABILITY = 0.01, 0.99
USER_PRIOR_STRENGTH = 10.0  # pseudo-observations pulling the user's rate toward the population's

PRIOR_STRENGTH = 6.0  # pseudo-observations pulling the habit's 90-day rate toward the user's
OVERALL_HALF_LIFE = 90.0  # days
LEVEL_HALF_LIVES = (5.0, 10.0, 20.0, 40.0)
LEVEL_STRENGTH = 1.0
LEVEL_PRIOR_COST = (0.0, 0.5, 1.0, 1.0, 1.0, 1.0)  # nats: short memories must earn their place
MIXTURE_HALF_LIFE = 120.0  # the level and weekday mixtures forget old losses
WEEKDAY_STRENGTH = 4.0
WEEKDAY_HALF_LIFE = 120.0
RECENT_HALF_LIFE = 4.0
RECENT_STRENGTH = 1.0
OWN_HALF_LIFE = 120.0
OWN_STRENGTH = 5.0
WEEK_HALF_LIFE = 90.0
WEEK_STRENGTH = 5.0
WEEK_COUNT_HALF_LIFE = 28.0  # days: the habit's recent done days per week
IDLE_CAP = 60
MODEL_PRIOR = 0.6  # the model's prior weight against the simple rates (which share the rest, as below)
# The simple rates' prior weights (summing to 1 - MODEL_PRIOR), in the order of `simple_rates`: what a habit
# with few finished forecasts is served leans on the rates that forecast thin histories well (the overall and
# recent rates, the shrunk weekday rate) rather than on the plain weekday rate, one or two days a weekday at
# first and dominated by the shrunk one later (chosen on tuning seeds 100-163).
RATE_PRIORS = {"weekday rate": 0.01, "weekday rate shrunk": 0.13, "overall rate": 0.10, "recent rate 14d": 0.10,
               "recent rate 30d": 0.06}
# On a public holiday the simple rates are served moved by the habit's own holiday effect, with this many
# pseudo-days at its level. Tuning seeds 100-131: 3 and 6 alike, 0.03 points worse on the patterns that
# ignore holidays (skipped by chance on some), 0.26 better on holidays. A habit done on 80-100% of days that
# skipped all eight of its holidays is served 0.18-0.64 for the next one instead of 0.06-0.53.
HOLIDAY_STRENGTH = 6.0
HOLIDAY_INPUT_STRENGTH = 2.0  # pseudo-days of the trees' `holiday own` and of the nudge's holiday rate
MIXTURE_WINDOW = 180  # origins: the fallback mixture weighs the forecasts of the last 180 (a bounded cost)

FEATURES = ("bias", "weekday", "level", "recent", "misses", "lapse", "streak", "idle", "thin", "pause",
            "recent own", "week", "week met", "thin level", "thin weekday")
PER_HORIZON = ("weekday", "week met", "thin weekday")  # features whose value depends on the target day
ON_ORIGIN = tuple(name for name in FEATURES if name not in PER_HORIZON)  # the columns of `Features.origin`
# Per horizon (row h - 1), in the order of FEATURES: fitted on tuning seeds 0, 2, .., 8 (Platt on 1, 3, .., 9)
# by `python -m bench.prediction_quality --fit --seeds 5`; never on the held-out seeds the bench reports.
WEIGHTS: tuple[tuple[float, ...], ...] = (
    (-0.1440, 0.8589, 0.8659, -0.0649, 0.0679, 0.1720, -0.0045, -0.1195, -0.0096, 1.1414,
     1.7327, 1.2126, 2.9904, -0.5111, -1.8020),
    (-0.1165, 0.8747, 0.8734, -0.0641, -0.0576, 0.1708, 0.0039, -0.0336, -0.0738, 0.8672,
     1.1044, 0.9220, 3.6742, -0.4967, -1.7375),
    (-0.0964, 0.8800, 0.8723, -0.0728, -0.0490, 0.1588, -0.0009, -0.0513, -0.0510, 0.7523,
     0.6392, 0.6584, 4.6051, -0.5017, -1.6601),
    (-0.0786, 0.8886, 0.8826, -0.0711, -0.1236, 0.1557, 0.0095, -0.0089, -0.0262, 0.5609,
     0.2155, 0.5257, 4.9685, -0.4845, -1.6386),
    (-0.0825, 0.8884, 0.8741, -0.0801, -0.0355, 0.1464, 0.0072, -0.0733, -0.0093, 0.5789,
     -0.3310, 0.3074, 4.3982, -0.4451, -1.5965),
    (-0.0682, 0.8613, 0.8439, -0.1079, 0.0372, 0.1108, -0.0310, -0.0937, 0.0107, 0.5005,
     -0.5513, 0.0310, 2.0344, -0.3872, -1.4869),
    (-0.0638, 0.8369, 0.8307, -0.1235, 0.0870, 0.0981, -0.0418, -0.1294, -0.0043, 0.4884,
     -0.6325, -0.1369, 0.5496, -0.3354, -1.4987),
)
CALIBRATION: tuple[tuple[float, float], ...] = (
    (0.9909, -0.0072),
    (0.9864, -0.0087),
    (0.9870, -0.0088),
    (0.9845, -0.0105),
    (0.9823, -0.0119),
    (0.9827, -0.0118),
    (0.9800, -0.0130),
)
# What the trees read: the logistic model's features, the target weekday's effect over the whole history
# (`weekday_all`), the probability of each kind of history (`history_kinds`), whether the target day is a
# public holiday and the habit's own response to them (`holiday_effect`), and the horizon.
INPUTS = (*(name for name in FEATURES if name != "bias"), "weekday all", *(f"kind {kind}" for kind in KINDS),
          "public holiday", "holiday own", "horizon")
# Per horizon (row h - 1), Platt's (a, b) of the trees' logit: fitted with them by
# `python -m bench.prediction_quality --fit` (trees on tuning seeds 0, 2, .., 78, Platt on 1, 3, .., 79).
TREES_CALIBRATION: tuple[tuple[float, float], ...] = (
    (1.0076, 0.0049),
    (1.0067, 0.0050),
    (1.0018, 0.0036),
    (1.0043, 0.0087),
    (1.0041, 0.0068),
    (0.9993, 0.0042),
    (1.0097, 0.0140),
)

# What the stack reads to correct the served mixture (`stacked`): the logits of the logistic model, the
# trees and the simple rates as served, each less the mixture's; how far each simple rate's replay is
# behind the logistic model's (nats, the mixture's own evidence); the kinds of history; the horizon; the
# days of history the replay had (up to its window); the mixture's logit; two rates the mixture does not
# hold (Laplace's: the whole history, a 30-day half-life), less the mixture's; and the trees' two holiday
# inputs (whether the target day is a public holiday, what past ones meant for the habit).
STACK_INPUTS = ("logistic", "trees", *(f"rate {name}" for name in RATE_PRIORS),
                *(f"replay {name}" for name in RATE_PRIORS), *(f"kind {kind}" for kind in KINDS), "horizon",
                "days seen", "mixture", "laplace overall", "laplace 30d", "public holiday", "holiday own")
STACK_LIMIT = 1.0  # the most the stack moves the mixture's logit: a learned correction, not a new forecast

MIN_USUAL_SAMPLES = 4
USUAL_SAMPLES = 30
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class HabitRecord:
    """What the model needs to know about a habit: its schedule, done days, pauses and start day, and
    the public holidays where its person lives (`smarthabit.public_holidays`; any span of days)."""

    schedule: Schedule
    done: frozenset[date]
    start: date
    pauses: tuple[Pause, ...] = ()
    holidays: frozenset[date] = frozenset()


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
    holiday: bool = False  # the day is a public holiday where the person lives
    holiday_rate: float = 0.0  # smoothed skip rate on past public holidays
    holiday_observations: int = 0

    @property
    def weekday_effect(self) -> bool:
        """The weekday stands out: clearly worse than usual and seen often enough to say so."""
        return self.weekday_observations >= 3 and self.weekday_rate >= self.overall_rate + 0.15

    @property
    def holiday_effect(self) -> bool:
        """The day is a public holiday, and this habit's past holidays were clearly worse than usual."""
        return self.holiday and self.holiday_observations >= 2 and self.holiday_rate >= self.overall_rate + 0.15

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


@functools.lru_cache(maxsize=64)
def _powers(half_life: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    lam = 0.5 ** (1 / half_life)
    k = np.arange(n)
    return lam ** (-k), lam**k


def _decayed(x: np.ndarray, half_life: float) -> np.ndarray:
    """out[..., t] = sum over s < t of x[..., s] * 2**(-(t - 1 - s) / half_life): as of origin t."""
    n = x.shape[-1]
    up, down = _powers(half_life, n)
    out = np.zeros((*x.shape[:-1], n + 1))
    out[..., 1:] = np.cumsum(x * up, axis=-1) * down
    return out


def _before(x: np.ndarray) -> np.ndarray:
    """Running totals as of each origin: out[..., t] = sum of x[..., :t]."""
    out = np.zeros((*x.shape[:-1], x.shape[-1] + 1))
    out[..., 1:] = np.cumsum(x, axis=-1)
    return out


@dataclass(frozen=True, slots=True)
class History:
    """A habit's days from `first` to the day before `today`, as arrays (index 0 = `first`); or many
    habits' at once, one row each (every function of the model works on the last axis)."""

    first: date
    due: np.ndarray  # bool
    done: np.ndarray  # bool: a check-in counted as done (due or not)
    paused: np.ndarray  # bool
    last_done_before: np.ndarray  # index of the last done day before `first` (negative), or of start - 1
    own_first: np.ndarray | int = 0  # in a batch: the index of each habit's own first day (earlier origins
    # do not exist for it: their forecasts are never scored)
    holiday: np.ndarray | None = None  # bool, days + HORIZONS (the forecast days too): a public holiday

    @property
    def days(self) -> int:
        return self.due.shape[-1]

    def rows(self, lo: int, hi: int) -> History:
        """Habits lo..hi of a batch."""
        return History(self.first, self.due[lo:hi], self.done[lo:hi], self.paused[lo:hi],
                       self.last_done_before[lo:hi], np.asarray(self.own_first)[lo:hi],
                       None if self.holiday is None else self.holiday[lo:hi])

    @property
    def skipped(self) -> np.ndarray:
        return (self.due & ~self.done).astype(float)


def holidays_near(timezone: str, today: date) -> frozenset[date]:
    """The public holidays a habit's record needs where its person lives: over the history the model
    reads and the days it forecasts."""
    return public_holidays(timezone, today - timedelta(days=HISTORY_DAYS), today + timedelta(days=HORIZONS - 1))


def _first_day(record: HabitRecord, today: date) -> date:
    return max(record.start, today - timedelta(days=HISTORY_DAYS))


def history(record: HabitRecord, today: date) -> History:
    """The due and done days the model reads: at most `HISTORY_DAYS` before `today`."""
    hist = histories([record], today)
    return History(hist.first, hist.due[0], hist.done[0], hist.paused[0], hist.last_done_before[0], 0,
                   hist.holiday[0])


def histories(records: Sequence[HabitRecord], today: date) -> History:
    """Many habits' days as one batch: a row each, all from the earliest habit's first day (the days
    before a habit's own first day are neither due nor done, so its figures are its own). The days
    of all its habits are placed in a few numpy passes, not several numpy calls per habit."""
    first = min((_first_day(r, today) for r in records), default=today)
    n, origin = max(0, (today - first).days), first.toordinal()
    own_first = np.array([(_first_day(r, today) - first).days for r in records], dtype=int).reshape(-1)
    starts = np.array([r.start.toordinal() - origin for r in records], dtype=int).reshape(-1)
    days = np.arange(n)
    paused = np.zeros((len(records), n), dtype=bool)
    for row, record in enumerate(records):
        for pause in record.pauses:
            lo, hi = max(own_first[row], (pause.start - first).days), min(n, (pause.end - first).days + 1)
            if lo < hi:
                paused[row, lo:hi] = True
    scheduled = np.zeros((len(records), 7), dtype=bool)
    for row, record in enumerate(records):
        scheduled[row, list(record.schedule.scheduled_weekdays)] = True
    due = scheduled[:, (first.weekday() + days) % 7] & (days >= own_first[:, None]) & ~paused
    counts = [len(r.done) for r in records]
    rows = np.repeat(np.arange(len(records)), counts)
    index = np.fromiter(chain.from_iterable(map(date.toordinal, r.done) for r in records), int, sum(counts)) - origin
    own = index >= own_first[rows]
    done = np.zeros((len(records), n), dtype=bool)
    inside = own & (index < n)
    done[rows[inside], index[inside]] = True
    anchors = starts - 1  # the last done day before a habit's own first day, else the day before its start
    latest = np.full(len(records), np.iinfo(int).min)
    np.maximum.at(latest, rows[~own], index[~own])
    anchors = np.where(latest > np.iinfo(int).min, latest, anchors)
    holiday = np.zeros((len(records), n + HORIZONS), dtype=bool)
    columns: dict[frozenset[date], list[int]] = {}  # a batch's habits share a few sets (one per zone and day)
    for row, record in enumerate(records):
        if record.holidays not in columns:
            index = ((day - first).days for day in record.holidays)
            columns[record.holidays] = [i for i in index if 0 <= i < n + HORIZONS]
        holiday[row, columns[record.holidays]] = True
    return History(first, due, done, paused, anchors, own_first, holiday)


@dataclass(frozen=True, slots=True)
class Features:
    """The model's inputs at every origin 0..days (origin t knows days before t)."""

    origin: np.ndarray  # (days + 1, features): every feature but those `PER_HORIZON`
    weekday_rates: np.ndarray  # (7, days + 1): the level with each weekday's effect
    level: np.ndarray  # the current skip rate (the mixture of memories)
    overall: np.ndarray  # the 90-day rate, shrunk toward the user's
    recent: np.ndarray
    streak: np.ndarray
    weekday_seen: np.ndarray  # (7, days + 1): due days seen per weekday
    weekday_skips: np.ndarray  # (7, days + 1): skipped days per weekday
    prior_rate: np.ndarray  # the user's rate at each origin
    week_met: np.ndarray  # the habit's response to its week's count reached, for a target day in this week
    holiday_seen: np.ndarray  # due public holidays seen
    holiday_skips: np.ndarray  # skipped public holidays


def features(hist: History, prior: Prior, prior_rates: np.ndarray | None = None) -> Features:
    """Smoothed rates and states at every origin; `prior_rates` (one per origin) overrides `prior.rate`."""
    due, skipped, n = hist.due.astype(float), hist.skipped, hist.days
    shape = (*due.shape[:-1], n + 1)  # one value per origin (per habit of a batch)
    rate = prior.rate if prior_rates is None else prior_rates
    overall = (_decayed(skipped, OVERALL_HALF_LIFE) + prior.strength * rate) / (
        _decayed(due, OVERALL_HALF_LIFE) + prior.strength)
    weekday_of = (hist.first.weekday() + np.arange(n)) % 7
    by_weekday = weekday_of[None, :] == np.arange(7)[:, None]
    level = _level_mixture(skipped, due, overall)
    by_weekday_skips, by_weekday_seen = skipped[..., None, :] * by_weekday, due[..., None, :] * by_weekday
    weekday_skips, weekday_seen = _before(by_weekday_skips), _before(by_weekday_seen)
    weekday_rates = _weekday_mixture(hist, by_weekday_skips, by_weekday_seen, weekday_skips, weekday_seen, overall,
                                     level)
    expected = weekday_rates[..., weekday_of, np.arange(n)] * due  # what each day's weekday rate said of it
    recent, surprise_recent = _surprise(skipped, due, expected, overall, RECENT_HALF_LIFE)
    columns = {"bias": np.ones(shape), "level": _logit(level), "recent": surprise_recent}
    misses, streak = _state_runs(hist)
    columns["misses"], columns["streak"] = np.log1p(misses), np.log1p(streak)
    columns["lapse"] = np.minimum(10, misses) * -np.log(np.clip(level, 0.02, 1))
    columns["idle"] = np.log1p(_idle(hist))
    columns["thin"] = 1 / (1 + _before(due) / 7)
    # how far a thin history's own days moved its level from the user's rate is trusted apart (the
    # shrinkage of a new habit toward its user is fitted, not fixed); nothing without history
    columns["thin level"] = columns["thin"] * (columns["level"] - _logit(np.broadcast_to(rate, shape)))
    columns["pause"] = _after_pause(hist)
    columns["recent own"] = _own_effect(surprise_recent, skipped - level[..., :-1], due)
    columns["week"], columns["week met"] = _week_pace(hist, overall)
    origin = np.stack([columns[name] for name in ON_ORIGIN], axis=-1)
    on_holiday = np.zeros(n, dtype=bool) if hist.holiday is None else hist.holiday[..., :n]
    return Features(origin, weekday_rates, level, overall, recent, streak,
                    weekday_seen, weekday_skips,
                    np.broadcast_to(rate, shape), columns["week met"],
                    _before(due * on_holiday), _before(skipped * on_holiday))


def _weekday_mixture(hist: History, skips: np.ndarray, seen: np.ndarray, all_skips: np.ndarray,
                     all_seen: np.ndarray, overall: np.ndarray, level: np.ndarray) -> np.ndarray:
    """(7, origins) weekday skip rates around the current level: a Bayesian mixture of "no weekday
    effect", weekday rates over the whole history and recency-weighted ones shrunk as far as the
    weekdays really differ, each weighted by its log loss on this habit's past days. `skips` and
    `seen` are the skipped and due days per weekday (7, days), `all_*` their totals at each origin."""
    per_origin = overall[..., None, :]
    logit_origin = _logit(per_origin)
    devs = [  # the logit offsets of the weekdays; "no weekday effect" is 0
        _logit((all_skips + WEEKDAY_STRENGTH * per_origin) / (all_seen + WEEKDAY_STRENGTH)) - logit_origin,
        _logit(_weekday_rates(_decayed(skips, WEEKDAY_HALF_LIFE), _decayed(seen, WEEKDAY_HALF_LIFE), per_origin))
        - logit_origin,
    ]
    weekday_of = (hist.first.weekday() + np.arange(hist.days)) % 7
    days, due = np.arange(hist.days), hist.due.astype(float)
    base = _logit(level[..., :-1])
    losses = np.stack([
        _decayed(_log_loss(1 / (1 + np.exp(-offset)), hist.skipped, due), MIXTURE_HALF_LIFE)
        for offset in (base, *(base + dev[..., weekday_of, days] for dev in devs))
    ])[..., None, :]
    weights = np.exp(-(losses - losses.min(axis=0)))
    dev = (weights[1] * devs[0] + weights[2] * devs[1]) / weights.sum(axis=0)
    return 1 / (1 + np.exp(-(_logit(level)[..., None, :] + dev)))


def _log_loss(p: np.ndarray, skipped: np.ndarray, due: np.ndarray) -> np.ndarray:
    """Per day: the log loss of forecast `p` (0 where nothing was due)."""
    return -due * np.log(np.maximum(np.where(skipped > 0, p, 1 - p), 1e-3))  # p and 1 - p are <= 1


def _level_mixture(skipped: np.ndarray, due: np.ndarray, overall: np.ndarray) -> np.ndarray:
    """The habit's current skip rate as a Bayesian mixture of smoothers with different memories
    (half-lives `LEVEL_HALF_LIVES` and the long-run rate), each weighted by how well it forecast
    this habit's recent past (log loss, itself forgotten with `MIXTURE_HALF_LIFE`): a steady habit
    ends up on long memories, one that changed its life on short ones."""
    candidates = [(_before(skipped) + overall) / (_before(due) + 1), overall] + [
        (_decayed(skipped, hl) + LEVEL_STRENGTH * overall) / (_decayed(due, hl) + LEVEL_STRENGTH)
        for hl in LEVEL_HALF_LIVES
    ]
    losses = np.stack([_decayed(_log_loss(c[..., :-1], skipped, due), MIXTURE_HALF_LIFE) for c in candidates])
    losses += np.reshape(LEVEL_PRIOR_COST, (-1,) + (1,) * overall.ndim)
    weights = np.exp(-(losses - losses.min(axis=0)))
    return (weights * np.stack(candidates)).sum(axis=0) / weights.sum(axis=0)


def _own_effect(x: np.ndarray, residual: np.ndarray, due: np.ndarray) -> np.ndarray:
    """What `x` has meant for this habit: its coefficient in the habit's own past (skips less the
    overall rate regressed on x, shrunk toward 0 by `OWN_STRENGTH`), times today's x. A recent run
    of misses means more for a habit whose runs persisted (a life change) than for one whose runs
    were noise."""
    before = x[..., :-1] * due
    beta = _decayed(before * residual, OWN_HALF_LIFE) / (_decayed(before * before, OWN_HALF_LIFE) + OWN_STRENGTH)
    return beta * x


def _week_pace(hist: History, overall: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """This habit's own responses to its week so far: to how far ahead of its usual pace the week
    is, and to having done its usual week's worth already.

    x = done days so far this week minus what the overall rate expects by now; the habit's
    coefficient (skips against x, regressed over its past, shrunk to 0) times today's x. Positive for
    people who stop once a weekly quota is met, negative for those whom a good week carries along.
    The second is the same regression on m = how surely the week's done days have reached the
    habit's recent weekly count (a smooth step): the quota is met, the rest of the week is rest.
    """
    n = hist.days
    weekday_of = (hist.first.weekday() + np.arange(n)) % 7
    done = (hist.done & hist.due).astype(float)
    due = hist.due.astype(float)
    week_start = np.arange(n) - weekday_of
    cum_done, cum_due = _before(done), _before(due)
    lo = np.maximum(0, np.concatenate((week_start, [n - (weekday_of[-1] + 1) % 7 if n else 0])))
    t = np.arange(n + 1)
    done_week = cum_done[..., t] - cum_done[..., lo]
    pace = done_week - (1 - overall) * (cum_due[..., t] - cum_due[..., lo])
    own_days = (np.arange(n) >= np.asarray(hist.own_first)[..., None]).astype(float)  # a batch row's days
    weekly = 7 * (_decayed(done, WEEK_COUNT_HALF_LIFE) + 7 * (1 - overall)) / (
        _decayed(own_days, WEEK_COUNT_HALF_LIFE) + 7)
    met = 1 / (1 + np.exp(-3 * (done_week - weekly + 0.5)))
    y = hist.skipped - overall[..., :-1]
    out = []
    for x_now in (pace, met):
        x = x_now[..., :-1] * due
        beta = _decayed(x * y, WEEK_HALF_LIFE) / (_decayed(x * x, WEEK_HALF_LIFE) + WEEK_STRENGTH)
        out.append(beta * x_now)
    return out[0], out[1]


def _weekday_rates(skips: np.ndarray, seen: np.ndarray, overall: np.ndarray) -> np.ndarray:
    """Per-weekday rates shrunk toward the overall rate as far as the habit's weekdays really differ:
    the between-weekday variance, less what sampling alone explains, decides (empirical Bayes)."""
    raw = skips / np.maximum(seen, 1e-9)
    noise = overall * (1 - overall)
    total = seen.sum(axis=-2, keepdims=True) + 1e-9
    spread = (seen * (raw - overall) ** 2).sum(axis=-2, keepdims=True) / total
    sampling = (seen * noise / (seen + 1)).sum(axis=-2, keepdims=True) / total
    between = np.maximum(0.0, spread - sampling)
    weight = between / (between + noise / np.maximum(seen, 1e-9))
    return overall + weight * (raw - overall)


def _after_pause(hist: History) -> np.ndarray:
    """How recently a pause ended (1 the day after, fading over a few days; 0 without a pause)."""
    paused = hist.paused
    if not paused.any():
        return np.zeros((*paused.shape[:-1], hist.days + 1))
    index = np.arange(hist.days)
    last = np.maximum.accumulate(np.where(paused, index, -10_000), axis=-1)
    since = np.concatenate((np.full((*paused.shape[:-1], 1), 10_000), index - last), axis=-1)
    return np.exp(-since / 3.0)


def _surprise(skipped: np.ndarray, due: np.ndarray, expected: np.ndarray, overall: np.ndarray,
              half_life: float) -> tuple[np.ndarray, np.ndarray]:
    """The recent skip rate, and how far (in logits) it is above what the weekday rates expected."""
    seen = _decayed(due, half_life) + RECENT_STRENGTH
    rate = (_decayed(skipped, half_life) + RECENT_STRENGTH * overall) / seen
    wanted = (_decayed(expected, half_life) + RECENT_STRENGTH * overall) / seen
    return rate, _logit(rate) - _logit(wanted)


def _state_runs(hist: History) -> tuple[np.ndarray, np.ndarray]:
    """Misses in a row and done days in a row (over due days) at every origin: the due days since
    the last due day with the other outcome."""
    index, count = np.arange(hist.days), _before(hist.due.astype(float))

    def since_last(flags: np.ndarray) -> np.ndarray:
        last = np.maximum.accumulate(np.where(hist.due & flags, index, -1), axis=-1)
        start = np.concatenate((np.zeros((*last.shape[:-1], 1), dtype=int), last + 1), axis=-1)
        return count - np.take_along_axis(count, start, axis=-1)

    return since_last(hist.done), since_last(~hist.done)


def _idle(hist: History) -> np.ndarray:
    """Calendar days since the last check-in (or the start) at every origin, capped."""
    anchor = np.asarray(hist.last_done_before)[..., None]
    last = np.maximum.accumulate(np.where(hist.done, np.arange(hist.days), anchor), axis=-1)
    last = np.concatenate((anchor, last), axis=-1)
    return np.clip(np.arange(hist.days + 1) - 1 - last, 0, IDLE_CAP)  # >= 0 but before a batch row's own first day


def _target_weekdays(hist: History, horizons: int = HORIZONS, lo: int = 0) -> np.ndarray:
    """(days + 1 - lo, horizons): the weekday of origin t's forecast h (t + h days after `first`), t >= lo."""
    return (hist.first.weekday() + np.arange(lo, hist.days + 1)[:, None] + np.arange(horizons)[None, :]) % 7


def feature_grid(feats: Features, hist: History, lo: int = 0) -> np.ndarray:
    """(..., days + 1 - lo, HORIZONS, len(FEATURES)): every feature for each origin from `lo` and horizon
    (the rows both pooled models are fitted on; the trees read it at serving time too)."""
    per_horizon = _horizon_features(feats, hist, lo)
    origin = feats.origin[..., lo:, :]
    shape = (*origin.shape[:-1], HORIZONS)
    columns = [per_horizon[name] if name in per_horizon
               else np.broadcast_to(origin[..., ON_ORIGIN.index(name), None], shape) for name in FEATURES]
    return np.stack(columns, axis=-1)


def _horizon_features(feats: Features, hist: History, lo: int = 0) -> dict[str, np.ndarray]:
    """(days + 1 - lo, 7) each, origins from `lo`: the features that depend on the target day (its
    weekday; whether it is still in the origin's week, where the week's count so far matters: a new
    week starts afresh)."""
    origin_weekday = (hist.first.weekday() + np.arange(lo, hist.days + 1)) % 7
    same_week = origin_weekday[:, None] + np.arange(HORIZONS)[None, :] < 7
    weekday = _weekday_effects(feats, hist, lo)
    thin = feats.origin[..., lo:, ON_ORIGIN.index("thin"), None]
    return {"weekday": weekday, "week met": feats.week_met[..., lo:, None] * same_week, "thin weekday": thin * weekday}


def _weekday_effects(feats: Features, hist: History, lo: int = 0) -> np.ndarray:
    """(days + 1 - lo, 7): the target day's weekday effect (logits) for each origin from `lo` and horizon."""
    targets = _target_weekdays(hist, lo=lo)
    rates = feats.weekday_rates[..., targets, np.arange(lo, hist.days + 1)[:, None]]
    level = ON_ORIGIN.index("level")
    return _logit(rates) - feats.origin[..., lo:, level:level + 1]


def model_logits(feats: Features, hist: History, lo: int = 0) -> np.ndarray:
    """(days + 1 - lo, 7): the calibrated logit of P(skip) for each origin from `lo` and horizon."""
    weights = np.asarray(WEIGHTS)
    on_origin = [FEATURES.index(name) for name in ON_ORIGIN]
    z = feats.origin[..., lo:, :] @ weights[:, on_origin].T
    for name, values in _horizon_features(feats, hist, lo).items():
        z = z + values * weights[:, FEATURES.index(name)]
    calibration = np.asarray(CALIBRATION)
    return z * calibration[:, 0] + calibration[:, 1]


def tree_inputs(feats: Features, hist: History, lo: int = 0) -> np.ndarray:
    """(..., days + 1 - lo, HORIZONS, len(INPUTS)): what the trees read for each origin from `lo` and horizon."""
    grid = feature_grid(feats, hist, lo)[..., [FEATURES.index(name) for name in INPUTS if name in FEATURES]]
    horizon = np.broadcast_to(np.arange(HORIZONS, dtype=float)[:, None], (*grid.shape[:-1], 1))
    kinds = np.broadcast_to(kind_probabilities(feats, hist, lo)[..., None, :], (*grid.shape[:-1], len(KINDS)))
    holiday = np.broadcast_to(target_holidays(hist, lo)[..., None], (*grid.shape[:-1], 1))
    holiday_own = np.broadcast_to(holiday_effect(hist, feats, lo)[..., None, None], (*grid.shape[:-1], 1))
    return np.concatenate([grid, weekday_all(hist, feats, lo)[..., None], kinds, holiday, holiday_own, horizon],
                          axis=-1)


def holiday_effect(hist: History, feats: Features, lo: int = 0,
                   strength: float = HOLIDAY_INPUT_STRENGTH) -> np.ndarray:
    """(..., days + 1 - lo): what public holidays have meant for this habit so far: the logit of its
    skip rate on them (`strength` pseudo-days at its level) less that of its level."""
    seen, skips, level = feats.holiday_seen[..., lo:], feats.holiday_skips[..., lo:], feats.level[..., lo:]
    return _logit((skips + strength * level) / (seen + strength)) - _logit(level)


def target_holidays(hist: History, lo: int = 0) -> np.ndarray:
    """(..., days + 1 - lo, HORIZONS): 1.0 where origin t's forecast h falls on a public holiday."""
    target = np.arange(lo, hist.days + 1)[:, None] + np.arange(HORIZONS)[None, :]
    if hist.holiday is None:
        return np.zeros((*hist.due.shape[:-1], *target.shape))
    return hist.holiday[..., target].astype(float)


def kind_inputs(feats: Features, hist: History, lo: int = 0) -> np.ndarray:
    """(..., days + 1 - lo, shape statistics + origin features): what the classifier of kinds reads."""
    shape = shape_statistics(hist.due.astype(float), hist.skipped, feats.weekday_skips, feats.weekday_seen, lo,
                             hist.own_first)
    return np.concatenate([shape, feats.origin[..., lo:, :]], axis=-1)


def kind_probabilities(feats: Features, hist: History, lo: int = 0) -> np.ndarray:
    """(..., days + 1 - lo, len(KINDS)): how likely each kind of history is, as of each origin from `lo`."""
    inputs = kind_inputs(feats, hist, lo)
    probabilities = skip_trees.kind_probabilities(inputs.reshape(-1, inputs.shape[-1]))
    return probabilities.reshape(*inputs.shape[:-1], len(KINDS))


def weekday_all(hist: History, feats: Features, lo: int = 0) -> np.ndarray:
    """(..., days + 1 - lo, HORIZONS): the target weekday's effect over the whole history (logits of the
    shrunk weekday rate against the overall rate). The model's own weekday effect is recency-weighted,
    so it can follow a changing week; on a fixed week this long memory is the steadier estimate, and
    the trees learn when to lean on it. (The whole history's *level* is not an input: on the tuning
    seeds it helped steady habits and cost a habit whose level jumped more than it gave.)"""
    rates = _whole_history_rates(hist, feats, lo)
    return _logit(rates["weekday rate shrunk"]) - _logit(rates["overall rate"])


def tree_logits(feats: Features, hist: History, lo: int = 0, inputs: np.ndarray | None = None) -> np.ndarray:
    """(..., days + 1 - lo, 7): the trees' calibrated logit of P(skip) for each origin from `lo` and horizon
    (they boost from the logistic model's logit: what they learned is added to it); `inputs`: their
    `tree_inputs`, where the caller has them."""
    inputs = tree_inputs(feats, hist, lo) if inputs is None else inputs
    z = skip_trees.logits(inputs.reshape(-1, len(INPUTS))).reshape(inputs.shape[:-1]) + model_logits(feats, hist, lo)
    calibration = np.asarray(TREES_CALIBRATION)
    # Before its first due day a habit has nothing of its own: it starts from its user's rate (the
    # pooled prior, which is its level then), not from what the trees learned of anybody's first days.
    unseen = inputs[..., INPUTS.index("thin")] == 1.0
    return np.where(unseen, inputs[..., INPUTS.index("level")], z * calibration[:, 0] + calibration[:, 1])


def _probability(logits: np.ndarray) -> np.ndarray:
    return np.clip(1 / (1 + np.exp(-logits)), MIN_PROBABILITY, MAX_PROBABILITY)


def simple_rates(hist: History, feats: Features, lo: int = 0) -> dict[str, np.ndarray]:
    """(origins from `lo`, horizons) forecasts of the simple rates the model must never do worse than,
    each smoothed with two pseudo-days at the user's rate (so they say nothing new without history).
    The rates that do not depend on the target day have one column (the same for every horizon)."""
    rates = _whole_history_rates(hist, feats, lo)
    due, skipped = hist.due.astype(float), hist.skipped
    prior = 2 * feats.prior_rate[..., lo:]
    for half_life in (14, 30):
        recent = (_decayed(skipped, half_life)[..., lo:] + prior) / (_decayed(due, half_life)[..., lo:] + 2)
        rates[f"recent rate {half_life}d"] = recent[..., None]
    return rates


def _whole_history_rates(hist: History, feats: Features, lo: int = 0) -> dict[str, np.ndarray]:
    """The simple rates over the whole history: the weekday rate, plain and shrunk, and the overall rate."""
    targets = _target_weekdays(hist, lo=lo)
    origins = np.arange(lo, hist.days + 1)[:, None]
    due, skipped = hist.due.astype(float), hist.skipped
    prior = 2 * feats.prior_rate[..., lo:]
    overall = (_before(skipped)[..., lo:] + prior) / (_before(due)[..., lo:] + 2)
    weekday_skips = feats.weekday_skips[..., targets, origins]
    weekday_seen = feats.weekday_seen[..., targets, origins]
    rates = {
        "weekday rate": (weekday_skips + prior[..., None]) / (weekday_seen + 2),
        "weekday rate shrunk": (weekday_skips + WEEKDAY_STRENGTH * overall[..., None])
        / (weekday_seen + WEEKDAY_STRENGTH),
        "overall rate": overall[..., None],
    }
    return rates


@dataclass(frozen=True, slots=True)
class Forecast:
    """P(skip) for each origin (row) and horizon (column), as the model served it then."""

    probability: np.ndarray  # (days + 1, 7): the mixture as the stack corrected it
    model: np.ndarray  # the model's own forecast (the trees'), before the fallback
    model_weight: np.ndarray  # the model's share of the mixture (the rest went to the simple rates)
    mixture: np.ndarray  # the mixture of the model and the simple rates, before the stack
    stack_inputs: np.ndarray  # (days + 1, 7, len(STACK_INPUTS)): what the stack read
    corrected: np.ndarray  # bool: where the stack applies (see `stack_applies`)

    @property
    def fallback(self) -> np.ndarray:
        """Where the simple rates outweigh the model."""
        return self.model_weight < 0.5


def walk_forward(hist: History, feats: Features, stack: bool = True) -> Forecast:
    """Every origin's forecasts: per horizon, a Bayesian mixture of the model (its share earned by the
    logistic model's replay, its forecast the trees') and the simple rates,
    each weighted by its prior (`MODEL_PRIOR` for the model) times its likelihood on the habit's
    forecasts of the last `MIXTURE_WINDOW` origins that had finished by that origin, then corrected by
    the stack (`stacked`). Where the model cannot beat a simple rate for this habit, the weight moves
    to the rate (the fallback); over any window the mixture's total log loss is never more than
    log(1 / prior) worse than the best of them. The window bounds the nightly cost whatever the
    history's length, and lets a habit whose life changed win the model back. `stack` false: the
    mixture served uncorrected (what the stack's fit reads)."""
    candidates, skipped, scored = _candidates(hist, feats)
    losses = np.cumsum(np.stack([_forecast_loss(p, skipped, scored) for p in candidates]), axis=-2)  # through t
    # Horizon h of origin t is finished at origins u > t + h: its loss counts from origin t + h + 1 on
    # (and for the next MIXTURE_WINDOW origins).
    known = np.arange(hist.days + 1)[:, None] - 1 - np.arange(HORIZONS)[None, :]  # the last origin finished by u

    def through(last: np.ndarray) -> np.ndarray:
        return np.where(last >= 0, losses[..., np.maximum(last, 0), np.arange(HORIZONS)], 0.0)

    counted = through(known) - through(known - MIXTURE_WINDOW)
    weights = _mixture_weights(counted)
    inputs = tree_inputs(feats, hist)
    trees = _probability(tree_logits(feats, hist, 0, inputs))  # served where the replay earned the model its share
    rates = _on_holidays(candidates[1:], hist, feats)
    mixture = (weights * np.stack(np.broadcast_arrays(trees, *rates))).sum(axis=0)
    parts = stack_inputs(hist, mixture, candidates[0], trees, rates, counted, inputs)
    corrected = stack_applies(inputs)
    served = stacked(mixture, parts, corrected) if stack else mixture
    return Forecast(served, trees, weights[0], mixture, parts, corrected)


def _on_holidays(rates: list[np.ndarray], hist: History, feats: Features, lo: int = 0) -> list[np.ndarray]:
    """The simple rates (each (..., origins from `lo`, horizons or 1)) as served: on a public holiday,
    moved by what past holidays meant for the habit (they are judged in the replay as they are, so
    the fallback's weights stay their own)."""
    holiday = target_holidays(hist, lo)
    if not holiday.any():
        return rates
    shift = holiday * holiday_effect(hist, feats, lo, HOLIDAY_STRENGTH)[..., None]
    return [_probability(_logit(rate) + shift) for rate in rates]


def served_today(hist: History, feats: Features) -> np.ndarray:
    """(..., HORIZONS): what `walk_forward` serves at the last origin (today), from the loss of the
    window's finished forecasts only, the candidates computed at those origins only (the nightly
    run's cost, bounded by the window however long the history)."""
    n = hist.days
    lo = max(0, n - MIXTURE_WINDOW - HORIZONS + 1)
    # horizon h of origin t counts while t > n - 1 - h - MIXTURE_WINDOW (see walk_forward)
    window = np.arange(lo, n + 1)[:, None] >= n - MIXTURE_WINDOW - np.arange(HORIZONS)[None, :]
    candidates, skipped, scored = _candidates(hist, feats, lo, window)
    totals = _loss_totals(candidates, skipped, scored)
    weights = _mixture_weights(totals)
    inputs = tree_inputs(feats, hist, n)
    trees = _probability(tree_logits(feats, hist, n, inputs))  # served where the replay earned the model its share
    rates = _on_holidays([c[..., -1:, :] for c in candidates[1:]], hist, feats, n)
    mixture = (weights[..., None, :] * np.stack(np.broadcast_arrays(trees, *rates))).sum(axis=0)
    parts = stack_inputs(hist, mixture, candidates[0][..., -1:, :], trees, rates, totals[..., None, :], inputs, n)
    return stacked(mixture, parts, stack_applies(inputs))[..., -1, :]


def stack_inputs(hist: History, mixture: np.ndarray, logistic: np.ndarray, trees: np.ndarray,
                 rates: Sequence[np.ndarray], losses: np.ndarray, tree_in: np.ndarray, lo: int = 0) -> np.ndarray:
    """(..., origins from `lo`, HORIZONS, len(STACK_INPUTS)): what the stack reads, from the mixture's parts
    (each (..., origins, horizons or 1); `losses`: the replay's (candidate, ..., origins, horizons);
    `tree_in`: the trees' inputs)."""
    shape = mixture.shape
    base = _logit(mixture)

    def against_mixture(p: np.ndarray) -> np.ndarray:
        return np.broadcast_to(_logit(p) - base, shape)

    due, skipped = hist.due.astype(float), hist.skipped
    overall = (_before(skipped)[..., lo:] + 1) / (_before(due)[..., lo:] + 2)
    recent = (_decayed(skipped, 30)[..., lo:] + 1) / (_decayed(due, 30)[..., lo:] + 2)
    seen = np.clip(np.arange(lo, hist.days + 1) - np.asarray(hist.own_first)[..., None], 0, MIXTURE_WINDOW)
    columns = [against_mixture(logistic), against_mixture(trees), *(against_mixture(rate) for rate in rates),
               *(np.broadcast_to(loss - losses[0], shape) for loss in losses[1:]),
               *(tree_in[..., INPUTS.index(f"kind {kind}")] for kind in KINDS),
               np.broadcast_to(np.arange(HORIZONS, dtype=float), shape),
               np.broadcast_to(seen[..., None], shape), base,
               against_mixture(overall[..., None]), against_mixture(recent[..., None]),
               tree_in[..., INPUTS.index("public holiday")], tree_in[..., INPUTS.index("holiday own")]]
    return np.stack(columns, axis=-1)


def stack_applies(tree_in: np.ndarray) -> np.ndarray:
    """(..., origins, HORIZONS) bool, from the trees' inputs: where the stack corrects the mixture: from
    the habit's first due day on (before it, the mixture is its user's rate)."""
    return tree_in[..., INPUTS.index("thin")] < 1.0


def stacked(mixture: np.ndarray, inputs: np.ndarray, corrected: np.ndarray) -> np.ndarray:
    """The mixture as served, corrected by the stack: a last small ensemble of trees (`skip_trees`,
    fitted on tuning seeds by `bench.prediction_quality --fit-stack`) that reads the mixture's parts and the
    replay's evidence, and adds at most `STACK_LIMIT` to the mixture's logit. The mixture weighs its
    candidates by their likelihood alone; the stack learns what that misses: a replay's lead is noise
    on a short or steady history and real on a changed one, and the kinds of history tell which.
    Applied where `corrected` (`stack_applies`)."""
    z = skip_trees.stack_logits(inputs.reshape(-1, len(STACK_INPUTS))).reshape(mixture.shape)
    return np.where(corrected, _probability(_logit(mixture) + np.clip(z, -STACK_LIMIT, STACK_LIMIT)), mixture)


def _candidates(hist: History, feats: Features, lo: int = 0,
                counted: np.ndarray | bool = True) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The model's and the simple rates' forecasts (each (..., origin from `lo`, horizon), or one column
    for a rate the same at every horizon), whether each forecast's day was skipped, and which ones
    are scored (1.0: finished by the last origin, due and `counted`; else 0.0)."""
    model = _probability(model_logits(feats, hist, lo))
    rates = simple_rates(hist, feats, lo)
    candidates = [model, *(np.clip(rates[name], MIN_PROBABILITY, MAX_PROBABILITY) for name in RATE_PRIORS)]
    n, origins = hist.days, np.arange(lo, hist.days + 1)[:, None]
    target = origins + np.arange(HORIZONS)[None, :]
    finished = (target < n) & counted
    target = np.minimum(target, max(0, n - 1))
    y = hist.skipped[..., target] > 0 if n else np.zeros_like(model, dtype=bool)
    due = (hist.due[..., target] & finished) if n else np.zeros_like(model, dtype=bool)
    due = (due & (origins >= np.asarray(hist.own_first)[..., None, None])).astype(float)
    return candidates, y, due


def _loss_totals(candidates: list[np.ndarray], skipped: np.ndarray, scored: np.ndarray) -> np.ndarray:
    """(candidate, ..., horizon): `_forecast_loss` summed over the origins, without the losses of
    every origin (a rate with one column: its logarithms weighed by the scored skips and dones)."""
    skips, dones = scored * skipped, scored * ~skipped
    totals = []
    for p in candidates:
        if p.shape[-1] == 1:
            totals.append(-(np.einsum("...th,...t->...h", skips, np.log(p[..., 0]))
                            + np.einsum("...th,...t->...h", dones, np.log(1 - p[..., 0]))))
        else:
            totals.append(-np.einsum("...th,...th->...h", scored, np.log(np.where(skipped, p, 1 - p))))
    return np.stack(totals)


def _forecast_loss(p: np.ndarray, skipped: np.ndarray, due: np.ndarray) -> np.ndarray:
    """`_log_loss` of forecasts p in [MIN_PROBABILITY, MAX_PROBABILITY]; a rate with one column (the
    same at every horizon) takes its logarithms once an origin, not once a horizon."""
    if p.shape[-1] == 1:
        return -due * np.where(skipped, np.log(p), np.log(1 - p))
    return -due * np.log(np.where(skipped, p, 1 - p))


def _mixture_weights(counted: np.ndarray) -> np.ndarray:
    """Posterior weights of the candidates (axis 0) from their prior and the loss counted so far."""
    prior = np.array([MODEL_PRIOR, *RATE_PRIORS.values()])
    log_weights = np.reshape(np.log(prior), (-1,) + (1,) * (counted.ndim - 1)) - counted
    weights = np.exp(log_weights - log_weights.max(axis=0))
    return weights / weights.sum(axis=0)


@dataclass(frozen=True, slots=True)
class HabitForecast:
    """One habit's served forecasts as of the start of `today` and the rates behind them (the last
    origin of the model's walk), whether fitted alone (`SkipModel`) or in a batch (`fit_skip_models`)."""

    record: HabitRecord
    today: date
    served: Sequence[float]  # (HORIZONS,): P(skip) for today and the next days
    weekday_rates: Sequence[float]  # (7,)
    weekday_seen: Sequence[float]  # (7,)
    overall: float
    recent: float
    streak: int
    holiday_seen: int
    holiday_skips: int

    @classmethod
    def of(cls, record: HabitRecord, today: date, served: np.ndarray, feats: Features) -> HabitForecast:
        """A habit's (unbatched) forecasts served today and its features' last origin."""
        return cls(record, today, served.tolist(), feats.weekday_rates[:, -1].tolist(),
                   feats.weekday_seen[:, -1].tolist(), float(feats.overall[-1]), float(feats.recent[-1]),
                   int(feats.streak[-1]), int(feats.holiday_seen[-1]), int(feats.holiday_skips[-1]))

    def probability(self, day: date) -> float:
        """P(skip) on `day` (today or later; past the horizon, the same weekday within it, so a longer
        request is answered rather than refused); 0.0 when nothing is due (nothing can be skipped)."""
        if not is_due(self.record, day):
            return 0.0
        h = (day - self.today).days
        if h < 0:
            raise ValueError(f"{day} is before the model's day {self.today}")
        return float(self.served[h if h < HORIZONS else (day.weekday() - self.today.weekday()) % 7])

    def explain(self, day: date) -> Explanation:
        """The forecast with the rates behind it, for a personalised message."""
        w = day.weekday()
        return Explanation(
            probability=self.probability(day),
            weekday_rate=float(self.weekday_rates[w]),
            overall_rate=self.overall,
            recent_rate=self.recent,
            weekday_observations=int(self.weekday_seen[w]),
            streak=self.streak,
            holiday=day in self.record.holidays,
            holiday_rate=(self.holiday_skips + HOLIDAY_INPUT_STRENGTH * self.overall)
            / (self.holiday_seen + HOLIDAY_INPUT_STRENGTH),
            holiday_observations=self.holiday_seen,
        )


class SkipModel:
    """A habit's forecasts as of the start of `today`; see the module docstring."""

    def __init__(self, record: HabitRecord, today: date, prior: Prior) -> None:
        self.record, self.today, self.prior = record, today, prior
        self.history = history(record, today)
        self.features = features(self.history, Prior(base_rate(record, prior), prior.strength))
        self.served = HabitForecast.of(record, today, served_today(self.history, self.features), self.features)

    @functools.cached_property
    def forecast(self) -> Forecast:
        """Every origin's forecasts, as `walk_forward` replays them (what was served then), on demand:
        today's are `served`, computed without the replay."""
        return walk_forward(self.history, self.features)

    def probability(self, day: date) -> float:
        """P(skip) on `day`; see `HabitForecast.probability`."""
        return self.served.probability(day)

    def explain(self, day: date) -> Explanation:
        """The forecast with the rates behind it, for a personalised message."""
        return self.served.explain(day)


def fit_skip_model(record: HabitRecord, today: date, prior: Prior | None = None) -> SkipModel:
    """The habit's model as of the start of `today` (nothing of today is known)."""
    return SkipModel(record, today, prior or Prior())


BATCH_ROWS = 64  # habits a numpy pass holds (its largest arrays: 6 x 64 x 366 x 7 floats, 8 MB)


def fit_skip_models(records: Sequence[HabitRecord], owners: Sequence[int], today: date) -> list[HabitForecast]:
    """Many habits' forecasts as of the start of `today` in a few numpy passes (the nightly run's call):
    the same figures as `fit_skip_model` with each habit's `user_prior` over its owner's other
    habits in `records`, without a Python loop per habit or day."""
    if not records:
        return []
    hist = histories(records, today)
    rates = np.array([base_rate(r, p) for r, p in zip(records, _pooled_priors(hist, records, owners), strict=True)])
    out: list[HabitForecast] = []
    for lo in range(0, len(records), BATCH_ROWS):
        part = hist.rows(lo, lo + BATCH_ROWS)
        feats = features(part, Prior(), rates[lo:lo + BATCH_ROWS, None])
        last = zip(served_today(part, feats).tolist(), feats.weekday_rates[..., -1].tolist(),
                   feats.weekday_seen[..., -1].tolist(), feats.overall[:, -1].tolist(), feats.recent[:, -1].tolist(),
                   feats.streak[:, -1].astype(int).tolist(), feats.holiday_seen[:, -1].astype(int).tolist(),
                   feats.holiday_skips[:, -1].astype(int).tolist(), strict=True)  # Python numbers: read 7 times a habit
        out.extend(HabitForecast(records[lo + i], today, *values) for i, values in enumerate(last))
    return out


def _pooled_priors(hist: History, records: Sequence[HabitRecord], owners: Sequence[int],
                   window_days: int = 90) -> list[Prior]:
    """`user_prior` of each habit over its owner's other habits of the batch, from the batch's arrays."""
    lo = max(0, hist.days - window_days)
    pooled = np.array([r.schedule.kind is not ScheduleKind.TIMES_PER_WEEK for r in records])
    due = hist.due[:, lo:].sum(axis=1) * pooled
    skipped = hist.skipped[:, lo:].sum(axis=1) * pooled
    owner_index = np.unique(np.asarray(owners), return_inverse=True)[1]
    due_by_owner = np.bincount(owner_index, weights=due)
    skipped_by_owner = np.bincount(owner_index, weights=skipped)
    others_due, others_skipped = due_by_owner[owner_index] - due, skipped_by_owner[owner_index] - skipped
    rate = (others_skipped + USER_PRIOR_STRENGTH * POPULATION_SKIP_RATE) / (others_due + USER_PRIOR_STRENGTH)
    return [Prior(rate=float(r)) for r in rate]


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
    recent = np.asarray(minutes[-USUAL_SAMPLES:], dtype=int) % MINUTES_PER_DAY
    if len(recent) < MIN_USUAL_SAMPLES:
        return None
    candidates = np.unique(recent)  # sorted: ties go to the earliest minute
    distance = np.abs(candidates[:, None] - recent[None, :])
    cost = np.minimum(distance, MINUTES_PER_DAY - distance).sum(axis=1)
    return int(candidates[np.argmin(cost)])


def logit(p: float) -> float:
    """log(p / (1 - p)), kept finite."""
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))
