"""Skip-prediction quality on synthetic habits with known patterns, against two baselines.

    python -m bench.prediction_quality [--habits 40] [--days 300] [--seed 7]

Each synthetic habit has a known daily probability of being done, from one of these patterns:
weekday effects (one or two hard weekdays), slow drift (motivation fading or growing over months),
bursts and lapses (a two-state engaged/lapsed chain), all three mixed, a Mon/Wed/Fri habit with a
hard Friday, and a steady habit with no pattern at all (where nothing should beat the plain rate).

Every forecast is made the way production makes it: for day t, only days before t are known.
The skip model is refitted weekly (as the nightly job would, plus it sees each finished day);
the baselines are recomputed daily:
  - overall: the habit's skip rate so far, (skips + 1) / (due days + 2)
  - weekday: its skip rate on that weekday so far, (skips + 1) / (due days + 2)
Scores: Brier score (mean squared error of the probability; lower is better), expected calibration
error over ten probability bins (ECE), and log loss. "oracle" uses the true probabilities: the
floor no forecaster can beat. Warm = days 120..end; cold start = days 7..35 (thin history).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from smarthabit.prediction import HabitRecord, SkipModel, fit_skip_model, is_due
from smarthabit.schedule import Schedule, ScheduleKind

START = date(2025, 1, 6)  # a Monday
WARM_FROM = 120
COLD = (7, 35)
REFIT_EVERY = 7

DoneProbability = Callable[[int, date], float]  # (day index, day) -> P(done)


@dataclass
class Synthetic:
    pattern: str
    schedule: Schedule
    p_done: list[float]  # per day index (0 where not due)
    done: set[date] = field(default_factory=set)


def _weekday_effect(rng: random.Random, days: int) -> list[float]:
    base = rng.uniform(0.75, 0.95)
    hard = set(rng.sample(range(7), rng.choice((1, 2))))
    low = rng.uniform(0.15, 0.45)
    return [low if (START + timedelta(days=i)).weekday() in hard else base for i in range(days)]


def _drift(rng: random.Random, days: int) -> list[float]:
    start, end = rng.uniform(0.8, 0.95), rng.uniform(0.25, 0.5)
    if rng.random() < 0.3:
        start, end = end, start  # a habit that grows on the person
    return [start + (end - start) * i / days for i in range(days)]


def _lapses(rng: random.Random, days: int) -> list[float]:
    engaged, lapsed = rng.uniform(0.8, 0.95), rng.uniform(0.05, 0.25)
    leave, come_back = rng.uniform(0.02, 0.05), rng.uniform(0.08, 0.2)
    state, out = True, []
    for _ in range(days):
        out.append(engaged if state else lapsed)
        state = (rng.random() >= leave) if state else (rng.random() < come_back)
    return out


def _mixed(rng: random.Random, days: int) -> list[float]:
    weekday, drift, lapses = _weekday_effect(rng, days), _drift(rng, days), _lapses(rng, days)
    return [max(0.02, min(0.98, w * d * x / 0.8)) for w, d, x in zip(weekday, drift, lapses, strict=True)]


def _steady(rng: random.Random, days: int) -> list[float]:
    return [rng.uniform(0.55, 0.9)] * days


def _mwf(rng: random.Random, days: int) -> list[float]:
    base, friday = rng.uniform(0.8, 0.95), rng.uniform(0.2, 0.4)
    return [friday if (START + timedelta(days=i)).weekday() == 4 else base for i in range(days)]


PATTERNS: dict[str, tuple[Callable[[random.Random, int], list[float]], Schedule]] = {
    "weekday effect": (_weekday_effect, Schedule(ScheduleKind.DAILY)),
    "slow drift": (_drift, Schedule(ScheduleKind.DAILY)),
    "bursts & lapses": (_lapses, Schedule(ScheduleKind.DAILY)),
    "mixed": (_mixed, Schedule(ScheduleKind.DAILY)),
    "Mon/Wed/Fri": (_mwf, Schedule(ScheduleKind.WEEKDAYS, frozenset({0, 2, 4}))),
    "steady": (_steady, Schedule(ScheduleKind.DAILY)),
}


def generate(pattern: str, rng: random.Random, days: int) -> Synthetic:
    make, schedule = PATTERNS[pattern]
    p_done = make(rng, days)
    habit = Synthetic(pattern, schedule, p_done)
    for i, p in enumerate(p_done):
        day = START + timedelta(days=i)
        if schedule.is_scheduled(day) and rng.random() < p:
            habit.done.add(day)
    return habit


@dataclass
class Scores:
    """Forecasts and outcomes (1 = skipped) of one forecaster."""

    forecasts: list[float] = field(default_factory=list)
    outcomes: list[int] = field(default_factory=list)

    def add(self, forecast: float, outcome: int) -> None:
        self.forecasts.append(forecast)
        self.outcomes.append(outcome)

    def brier(self) -> float:
        return statistics.fmean((f - o) ** 2 for f, o in zip(self.forecasts, self.outcomes, strict=True))

    def log_loss(self) -> float:
        eps = 1e-4
        pairs = zip(self.forecasts, self.outcomes, strict=True)
        return -statistics.fmean(math.log(min(1 - eps, max(eps, f if o else 1 - f))) for f, o in pairs)

    def bins(self, count: int = 10) -> list[tuple[int, float, float]]:
        """(n, mean forecast, observed skip rate) per equal-width probability bin."""
        groups: list[list[tuple[float, int]]] = [[] for _ in range(count)]
        for f, o in zip(self.forecasts, self.outcomes, strict=True):
            groups[min(count - 1, int(f * count))].append((f, o))
        return [(len(g), statistics.fmean(f for f, _ in g), statistics.fmean(o for _, o in g)) if g else (0, 0.0, 0.0)
                for g in groups]

    def ece(self) -> float:
        total = len(self.forecasts)
        return sum(n / total * abs(mean - observed) for n, mean, observed in self.bins() if n)


FORECASTERS = ("skip model", "overall rate", "weekday rate", "oracle")


def evaluate(habit: Synthetic, days: int, windows: dict[str, tuple[int, int]],
             scores: dict[str, dict[str, Scores]], by_pattern: dict[str, dict[str, Scores]]) -> None:
    """Forecast every due day in the windows from the days before it, for every forecaster."""
    record = HabitRecord(habit.schedule, frozenset(habit.done), START)
    first = min(lo for lo, _ in windows.values())
    last = max(hi for _, hi in windows.values())
    model: SkipModel | None = None
    skips = due = 0
    weekday_skips, weekday_due = [0] * 7, [0] * 7
    for i in range(days):
        day = START + timedelta(days=i)
        if first <= i < last:
            if model is None or (i - first) % REFIT_EVERY == 0:
                known = frozenset(d for d in habit.done if d < day)
                model = fit_skip_model(HabitRecord(habit.schedule, known, START), day)
            if is_due(record, day):
                outcome = 0 if day in habit.done else 1
                forecasts = {
                    "skip model": model.probability(day),
                    "overall rate": (skips + 1) / (due + 2),
                    "weekday rate": (weekday_skips[day.weekday()] + 1) / (weekday_due[day.weekday()] + 2),
                    "oracle": 1 - habit.p_done[i],
                }
                for window, (lo, hi) in windows.items():
                    if lo <= i < hi:
                        for name, forecast in forecasts.items():
                            scores[window][name].add(forecast, outcome)
                            if window == "warm":
                                by_pattern[habit.pattern][name].add(forecast, outcome)
            model.observe(day, day in habit.done)
        if is_due(record, day):
            skipped = day not in habit.done
            skips += skipped
            due += 1
            weekday_skips[day.weekday()] += skipped
            weekday_due[day.weekday()] += 1


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    def line(row: Sequence[str]) -> str:
        cells = zip(row, widths, strict=True)
        return "  ".join(cell.ljust(w) if c == 0 else cell.rjust(w) for c, (cell, w) in enumerate(cells))

    lines = [line(row) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.prediction_quality", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--habits", type=int, default=40, help="synthetic habits per pattern (default 40)")
    parser.add_argument("--days", type=int, default=300, help="days of history per habit (default 300)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    windows = {"warm": (WARM_FROM, args.days), "cold start": COLD}
    scores = {w: {name: Scores() for name in FORECASTERS} for w in windows}
    by_pattern = {p: {name: Scores() for name in FORECASTERS} for p in PATTERNS}
    started = time.perf_counter()
    for pattern in PATTERNS:
        for _ in range(args.habits):
            evaluate(generate(pattern, rng, args.days), args.days, windows, scores, by_pattern)
    elapsed = time.perf_counter() - started

    print(f"Skip prediction quality: {args.habits} synthetic habits x {len(PATTERNS)} patterns, {args.days} days, "
          f"seed {args.seed} ({elapsed:.1f} s)\n")
    rows = [["forecaster", "Brier warm", "ECE warm", "log loss warm", "Brier cold", "ECE cold", "forecasts warm"]]
    for name in FORECASTERS:
        warm, cold = scores["warm"][name], scores["cold start"][name]
        rows.append([name, f"{warm.brier():.4f}", f"{warm.ece():.4f}", f"{warm.log_loss():.4f}",
                     f"{cold.brier():.4f}", f"{cold.ece():.4f}", str(len(warm.forecasts))])
    print(_table(rows))
    model = scores["warm"]["skip model"]
    print()
    for baseline in ("overall rate", "weekday rate"):
        for window in windows:
            b, m = scores[window][baseline].brier(), scores[window]["skip model"].brier()
            print(f"skip model vs {baseline:12s} ({window:10s}): Brier {m:.4f} vs {b:.4f} -> "
                  f"{(b - m) / b * 100:+.1f}% better")
    oracle, overall = scores["warm"]["oracle"].brier(), scores["warm"]["overall rate"].brier()
    gap = (overall - model.brier()) / (overall - oracle) * 100
    print(f"skip model closes {gap:.0f}% of the gap between the overall-rate baseline and the oracle (warm)")

    print("\nBrier score by pattern (warm window)")
    rows = [["pattern", *FORECASTERS]]
    for pattern, pattern_scores in by_pattern.items():
        rows.append([pattern, *(f"{pattern_scores[name].brier():.4f}" for name in FORECASTERS)])
    print(_table(rows))

    print("\nReliability of the skip model (warm window): forecasts binned by probability")
    rows = [["bin", "forecasts", "mean forecast", "observed skip rate"]]
    for index, (n, mean, observed) in enumerate(model.bins()):
        if n:
            rows.append([f"{index / 10:.1f}-{(index + 1) / 10:.1f}", str(n), f"{mean:.3f}", f"{observed:.3f}"])
    print(_table(rows))


if __name__ == "__main__":
    main()
