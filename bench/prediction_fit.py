"""Fitting the skip model's population weights and per-horizon calibration, on tuning seeds only.

    python -m bench.prediction_quality --fit [--seeds 4]

Half of the tuning seeds (even) fit one weighted logistic regression per horizon over all habits,
users and origins (pooling: the weights say how much a streak, a run of misses or a recent surprise
is worth for people in general); the other half (odd seeds), which the fit never saw, fit a Platt
recalibration per horizon (logit' = a * logit + b). The result is printed as the constants to paste
into `smarthabit/prediction.py`. Held-out seeds are never touched here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import numpy as np

from bench.histories import record_of, user_prior_series
from bench.synthetic_habits import START, TUNING_SEEDS, Habit, population
from smarthabit import prediction
from smarthabit.prediction import HORIZONS, Prior, base_rate, features, history

L2 = 1.0


def design(habit: Habit, prior_rates: np.ndarray, days: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per horizon: the feature matrix (one row per origin with a due, finished target) and outcomes."""
    record = record_of(habit)
    hist = history(record, START + timedelta(days=days))
    feats = features(hist, Prior(base_rate(record, Prior())), prior_rates[habit.start:])
    xs, ys = [], []
    for h in range(HORIZONS):
        x = prediction.design_matrix(feats, hist, h)[: hist.days - h]
        target = np.arange(hist.days - h) + h
        keep = hist.due[target]
        xs.append(x[keep])
        ys.append(hist.skipped[target][keep])
    return xs, ys


def collect(seeds: list[int], users: int, days: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    xs: list[list[np.ndarray]] = [[] for _ in range(HORIZONS)]
    ys: list[list[np.ndarray]] = [[] for _ in range(HORIZONS)]
    for seed in seeds:
        by_user: dict[int, list[Habit]] = defaultdict(list)
        for habit in population(seed, users, days):
            by_user[habit.user].append(habit)
        for group in by_user.values():
            priors = user_prior_series(group, days)
            for habit in group:
                hx, hy = design(habit, priors[id(habit)], days)
                for h in range(HORIZONS):
                    xs[h].append(hx[h])
                    ys[h].append(hy[h])
    return [np.concatenate(x) for x in xs], [np.concatenate(y) for y in ys]


def logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 25,
             fixed: dict[int, float] | None = None) -> np.ndarray:
    """MAP logistic regression by Newton's method (bias unpenalised); `fixed` columns keep their weight."""
    fixed = fixed or {}
    free = [j for j in range(x.shape[1]) if j not in fixed]
    offset = sum((x[:, j] * v for j, v in fixed.items()), np.zeros(len(y)))
    w_free = _newton(x[:, free], y, offset, l2, steps, penalise_first=0 not in free or free[0] != 0)
    w = np.zeros(x.shape[1])
    w[free] = w_free
    for j, v in fixed.items():
        w[j] = v
    return w


def _newton(x: np.ndarray, y: np.ndarray, offset: np.ndarray, l2: float, steps: int,
            penalise_first: bool) -> np.ndarray:
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    if not penalise_first:
        penalty[0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + offset)))
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return w


def fit_and_print(seeds: int, users: int, days: int) -> None:
    chosen = list(TUNING_SEEDS[: 2 * seeds])
    fit_x, fit_y = collect(chosen[0::2], users, days)
    cal_x, cal_y = collect(chosen[1::2], users, days)
    weights, calibration = [], []
    for h in range(HORIZONS):
        w = logistic(fit_x[h], fit_y[h])
        z = cal_x[h] @ w
        a, b = logistic(np.column_stack([np.ones_like(z), z]), cal_y[h], l2=0.0)[::-1]
        weights.append(w)
        calibration.append((a, b))
        print(f"# horizon {h + 1}: {len(fit_y[h])} fit rows, {len(cal_y[h])} calibration rows, "
              f"Platt a={a:.3f} b={b:+.3f}")
    print(f"# features: {prediction.FEATURES}; tuning seeds {chosen[0]}..{chosen[-1]}, {users} users each, {days} days")
    print("WEIGHTS: tuple[tuple[float, ...], ...] = (")
    for w in weights:  # ten numbers a line, within the line length
        values = [f"{v:.4f}" for v in w]
        print("    (" + ",\n     ".join(", ".join(values[i:i + 10]) for i in range(0, len(values), 10)) + "),")
    print(")")
    print("CALIBRATION: tuple[tuple[float, float], ...] = (")
    for a, b in calibration:
        print(f"    ({a:.4f}, {b:.4f}),")
    print(")")
