"""What a forecaster can reach on the quality bench: the Bayes-optimal filter of the generator's hidden state.

    python -m bench.prediction_ceiling [--seeds 32] [--users 60] [--days 300] [--split held-out]

`bench.prediction_quality`'s floor knows each target day's hidden state; no forecaster does. This
bench computes, for the patterns whose hidden process is a small chain with known parameters, the
best forecast any forecaster could make from the same check-ins: the *oracle filter*, told every
habit's true parameters (its level, weekday shifts, switching rates) and filtering the hidden state
from the days before the origin exactly as the generator draws it, then propagating it to the
target day. It is an upper bound on what a learner can reach (a learner also has to estimate the
parameters). Covered: bursts & lapses (engaged/lapsed chain), sparse logging (diligent/forgetful
logging chain) and weekly quotas (the week's done count, observed, propagated over the unseen days).

Printed: per covered pattern and horizon, the best baseline, the skip model, the oracle filter and
the floor (Brier), and the gap each closes; then the bench's headline figure (gap closed averaged
over horizons, all patterns) with the oracle's forecasts in place of the model's on the covered
patterns: what the model would reach if it filtered those hidden states perfectly.
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta

import numpy as np

from bench.histories import record_of, with_user_priors
from bench.prediction_quality import SCORED_SEEDS, Table, best_baseline, brier, score_habit, scored_rows
from bench.synthetic_habits import (
    HELD_OUT_SEEDS,
    PATTERNS,
    START,
    TUNING_SEEDS,
    Habit,
    Lapses,
    SparseLogging,
    WeeklyQuota,
    population,
)
from smarthabit.prediction import HORIZONS, history

COVERED = ("bursts & lapses", "sparse logging", "weekly quota")


def _sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _chain_forecasts(habit: Habit, emit: Callable[[int, int], float], switch: tuple[float, float],
                     days: int) -> np.ndarray:
    """(origin, horizon) P(no logged check-in) of a two-state chain that starts in state 0 and
    switches after every day (0 -> 1 with switch[0], 1 -> 0 with switch[1]); emit(i, s) is
    P(logged check-in on day i in state s). Origins are day indices from the habit's start."""
    first = habit.start
    n = days - first
    transition = np.array([[1 - switch[0], switch[0]], [switch[1], 1 - switch[1]]])
    powers = [np.linalg.matrix_power(transition, h) for h in range(HORIZONS)]
    out = np.zeros((n + 1, HORIZONS))
    belief = np.array([1.0, 0.0])  # P(state of day i | check-ins before i)
    for i in range(first, days + 1):
        for h in range(HORIZONS):
            target = i + h
            if target < days:
                ahead = belief @ powers[h]
                out[i - first, h] = 1 - (ahead[0] * emit(target, 0) + ahead[1] * emit(target, 1))
        if i == days:
            break
        if habit.due(i):
            e = np.array([emit(i, 0), emit(i, 1)])
            belief = belief * (e if habit.done[i] else 1 - e)
            belief = belief / belief.sum()
        belief = belief @ transition
    return out


def _day(i: int) -> date:
    return START + timedelta(days=i)


def _lapses(habit: Habit, days: int) -> np.ndarray:
    b = habit.behaviour
    assert isinstance(b, Lapses)

    def emit(i: int, state: int) -> float:
        return _sig(b.level + b.weekday_shift[_day(i).weekday()]) if state == 0 else b.lapsed

    return _chain_forecasts(habit, emit, (b.leave, b.back), days)


def _sparse(habit: Habit, days: int) -> np.ndarray:
    b = habit.behaviour
    assert isinstance(b, SparseLogging)

    def emit(i: int, state: int) -> float:
        weekday = _day(i).weekday()
        q = (0.97 if state == 0 else b.forgetful_q) * (b.weekend_q if weekday >= 5 else 1.0)
        return _sig(b.level + b.weekday_shift[weekday]) * q

    return _chain_forecasts(habit, emit, (1 / 35, 1 / 12), days)


def _quota(habit: Habit, days: int) -> np.ndarray:
    """The week's done count is seen in the check-ins (every day due, every done day logged); over
    the days between the origin and the target its distribution is propagated exactly."""
    b = habit.behaviour
    assert isinstance(b, WeeklyQuota)

    def p_done(i: int, count: int) -> float:
        weekday = _day(i).weekday()
        needed = b.quota if weekday == 0 else b.quota - count
        if needed <= 0:
            return 0.08
        pace = needed / (7 - weekday)
        return min(0.95, b.keen * (pace + (1 - pace) * 0.25) + 0.1 * b.weekday_shift[weekday])

    n = days - habit.start
    out = np.zeros((n + 1, HORIZONS))
    count = 0  # done days this week before day i, as the generator counts them
    for i in range(habit.start, days + 1):
        dist = {count: 1.0}
        for h in range(HORIZONS):
            target = i + h
            if target >= days:
                break
            out[i - habit.start, h] = 1 - sum(pr * p_done(target, c) for c, pr in dist.items())
            step: dict[int, float] = defaultdict(float)
            for c, pr in dist.items():
                p = p_done(target, c)
                base = 0 if _day(target).weekday() == 0 else c
                step[base + 1] += pr * p
                step[base] += pr * (1 - p)
            dist = step
        if i < days:
            count = (0 if _day(i).weekday() == 0 else count) + int(habit.done[i])
    return out


ORACLES = {"bursts & lapses": _lapses, "sparse logging": _sparse, "weekly quota": _quota}


def collect(seeds: Sequence[int], users: int, days: int) -> dict[str, np.ndarray]:
    """The quality bench's table with an `oracle` column: the oracle filter's forecast on covered
    patterns, the skip model's elsewhere."""
    table, oracle = Table(), []
    for seed in seeds:
        for habit, priors in with_user_priors(population(seed, users, days), days):
            before = len(table.model)
            score_habit(habit, priors, days, table)
            if len(table.model) == before:
                continue
            if habit.pattern in ORACLES:
                t, h = scored_rows(habit, history(record_of(habit), START + timedelta(days=days)))
                oracle.append(ORACLES[habit.pattern](habit, days)[t, h])
            else:
                oracle.append(table.model[-1])
    rows = table.done()
    rows["oracle"] = np.concatenate(oracle)
    return rows


def _gap(b: float, x: float, f: float) -> str:
    return f"{(b - x) / (b - f) * 100:.0f}%"


def report(rows: dict[str, np.ndarray]) -> None:
    y = rows["y"]
    print("Covered patterns by horizon: Brier of the best baseline, the skip model, the oracle filter, the floor")
    print(f"{'pattern':16} {'h':>2} {'best baseline':>14} {'model':>7} {'oracle':>7} {'floor':>7} "
          f"{'gap closed: model':>18} {'oracle':>7}")
    for pattern in COVERED:
        for h in range(HORIZONS):
            sel = (rows["pattern"] == PATTERNS.index(pattern)) & (rows["horizon"] == h)
            _, b = best_baseline(rows, sel)
            m, o, f = (brier(rows[k][sel], y[sel]) for k in ("model", "oracle", "floor"))
            print(f"{pattern:16} {h + 1:>2} {b:>14.4f} {m:>7.4f} {o:>7.4f} {f:>7.4f} {_gap(b, m, f):>18} "
                  f"{_gap(b, o, f):>7}")
    print("\nWhere the gap is: each pattern's share of (best baseline - floor) over all patterns, horizons 1 / 7")
    for h in (0, HORIZONS - 1):
        sel = rows["horizon"] == h
        name, b = best_baseline(rows, sel)
        total = (b - brier(rows["floor"][sel], y[sel])) * sel.sum()
        shares = []
        for index, pattern in enumerate(PATTERNS):
            part = sel & (rows["pattern"] == index)
            gap = (brier(rows[f"base:{name}"][part], y[part]) - brier(rows["floor"][part], y[part])) * part.sum()
            shares.append(f"{pattern} {gap / total * 100:.0f}%")
        print(f"  h={h + 1} ({name}): " + ", ".join(shares))
    gaps: dict[str, list[float]] = {"model": [], "oracle": []}
    for h in range(HORIZONS):
        sel = rows["horizon"] == h
        _, b = best_baseline(rows, sel)
        f = brier(rows["floor"][sel], y[sel])
        for key in gaps:
            gaps[key].append((b - brier(rows[key][sel], y[sel])) / (b - f))
    print("\nAll patterns, gap closed by horizon (1..7) and averaged:")
    for key, label in (("model", "skip model"), ("oracle", "skip model, oracle filter on the covered patterns")):
        print(f"  {label:52} " + " ".join(f"{g * 100:4.0f}%" for g in gaps[key])
              + f"   average {statistics.fmean(gaps[key]) * 100:.1f}%")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.prediction_ceiling", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=SCORED_SEEDS)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--days", type=int, default=300)
    parser.add_argument("--split", choices=("held-out", "tuning"), default="held-out")
    args = parser.parse_args(argv)
    seeds = list((HELD_OUT_SEEDS if args.split == "held-out" else TUNING_SEEDS)[: args.seeds])
    print(f"Oracle filter vs skip model: {args.split} seeds {seeds[0]}..{seeds[-1]}, {args.users} users each, "
          f"{args.days} days\n")
    report(collect(seeds, args.users, args.days))


if __name__ == "__main__":
    main()
