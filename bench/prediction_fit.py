"""Fitting the skip model's pooled parts and their per-horizon calibration, on tuning seeds only.

    python -m bench.prediction_quality --fit [--seeds 5]

Half of the tuning seeds (even) fit, over all habits, users and origins (pooling: how much a streak,
a run of misses or a recent surprise is worth for people in general), the logistic model (one
weighted logistic regression per horizon, on `--seeds` pairs) and the trees (one LightGBM ensemble
over all horizons, the horizon an input, on `TREE_SEED_FACTOR` times as many pairs). The other half
(odd seeds), which those fits never saw, fit a Platt recalibration per horizon (logit' = a * logit + b)
of each, and decide when to stop adding trees. The trees boost from the shipped logistic model's logit
(`prediction.WEIGHTS`: paste a refit in before growing trees on it). Before them, other tuning seeds
(`KIND_SEEDS`) fit the classifier of kinds of history whose probabilities the trees read: a multiclass
ensemble told which of the generator's patterns drew each history. The constants are printed to paste
into `smarthabit/prediction.py`; the trees are written to `smarthabit/skip_model.txt`, the classifier
to `smarthabit/skip_kinds.txt`. The stack (`fit_stack`, `--fit-stack`) corrects what the shipped model
serves, so it is fitted apart, once the printed constants are pasted in. Held-out seeds are never touched
here. The fits are deterministic (LightGBM's `deterministic` mode on a fixed thread count).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np

from bench.histories import record_of, with_user_priors
from bench.synthetic_habits import PATTERNS, START, TUNING_SEEDS, Habit, population
from smarthabit import prediction, skip_trees
from smarthabit.history_kinds import KINDS
from smarthabit.prediction import HORIZONS, Features, History, Prior, base_rate, features, history

L2 = 1.0
TREES = dict(objective="binary", learning_rate=0.4, num_leaves=31, min_data_in_leaf=2000, lambda_l2=10.0,
             deterministic=True, force_row_wise=True, num_threads=2, seed=0, verbose=-1)
MAX_TREES = 400  # the early stop below ends it sooner (59 trees, a 218 KB file; served for today only)
EARLY_STOP = 20  # rounds without a better log loss on the calibration seeds
# The trees fit far more numbers than the logistic weights: eight times the tuning seeds (0-79; about
# 4.3 GB and 2 minutes). On tuning seeds 100-131 the gap closed grew with them (learning rate 0.2): 19.8%
# (2x), 20.2% (4x), 20.8% (8x); 16x gave 0.3 points more on seeds 200-231 for twice the memory and time.
# Learning rate 0.4 gives up 0.3 of those points for 77 trees instead of 192: the nightly refresh
# (`bench.scan`) stays above 2,000 habits a second.
TREE_SEED_FACTOR = 8
# The classifier of kinds of history: tuning seeds that neither the trees nor the tuning evaluation
# (seeds 100-131) use, every fifth origin of each habit from its eighth day (about 250,000 rows).
KIND_SEEDS = TUNING_SEEDS[200:240]
KIND_ORIGIN_STEP = 5
# 20 rounds at learning rate 0.5 (200 trees): on seeds 100-131 as good as 80 at 0.2 within 0.02 points a
# pattern, at a quarter of the nightly cost of reading them (bench/README.md).
KIND_TREES = dict(objective="multiclass", num_class=len(KINDS), learning_rate=0.5, num_leaves=31,
                  min_data_in_leaf=200, deterministic=True, force_row_wise=True, num_threads=2, seed=0, verbose=-1)
KIND_ROUNDS = 20
# The stack: tuning seeds that no other fit and no tuning evaluation (seeds 100-131) uses. Its rows are
# weighted by the pattern that drew their habit: the patterns that hold nothing beyond a simple rate
# count more, so the stack learns to leave those habits at it rather than hedge them toward the lapses
# and jumps of other habits (chosen on seeds 100-131; see bench/README.md).
STACK_SEEDS = [*TUNING_SEEDS[132:196], *TUNING_SEEDS[240:304]]
STACK_PATTERN_WEIGHTS = {"steady": 10.0, "weekday effects": 4.0, "slow drift": 6.0, "regime switch": 4.0}
STACK_TREES = dict(objective="binary", learning_rate=0.2, num_leaves=15, min_data_in_leaf=2000,
                   feature_fraction=0.8, bagging_fraction=0.5, bagging_freq=1, deterministic=True,
                   force_row_wise=True, num_threads=2, seed=0, verbose=-1)
STACK_ROUNDS = 75


def _habit(habit: Habit, prior_rates: np.ndarray, days: int) -> tuple[History, Features]:
    record = record_of(habit)
    hist = history(record, START + timedelta(days=days))
    return hist, features(hist, Prior(base_rate(record, Prior())), prior_rates[habit.start:])


def design(hist: History, feats: Features) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The logistic model's rows per horizon (one per origin with a due, finished target) and outcomes."""
    grid = prediction.feature_grid(feats, hist)
    xs, ys = [], []
    for h in range(HORIZONS):
        x = grid[: hist.days - h, h]
        target = np.arange(hist.days - h) + h
        keep = hist.due[target]
        xs.append(x[keep])
        ys.append(hist.skipped[target][keep])
    return xs, ys


def tree_rows(hist: History, feats: Features) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The trees' rows (every origin and horizon with a due, finished target, once the habit has been
    due: before that it is forecast at its user's rate, see `prediction.tree_logits`) and outcomes. The
    last column of a row is the logistic model's logit, which the trees boost from (LightGBM's
    `init_score`), not an input."""
    inputs = prediction.tree_inputs(feats, hist)[: hist.days]
    base = prediction.model_logits(feats, hist)[: hist.days, :, None]
    target = np.arange(hist.days)[:, None] + np.arange(HORIZONS)[None, :]
    keep = (target < hist.days) & (inputs[..., prediction.INPUTS.index("thin")] < 1.0)
    keep[keep] = hist.due[target[keep]]
    return [np.concatenate([inputs, base], axis=-1)[keep]], [hist.skipped[target[keep]].astype(float)]


def _habits(seed: int, users: int, days: int) -> Iterator[tuple[Habit, History, Features]]:
    """Every habit of a seed's population with its history and features (user by user: the prior)."""
    for habit, priors in with_user_priors(population(seed, users, days), days):
        yield habit, *_habit(habit, priors, days)


Rows = Callable[[History, Features], tuple[list[np.ndarray], list[np.ndarray]]]


def collect(seeds: list[int], users: int, days: int, rows: Rows = design) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """`rows` of every habit of the seeds' populations, concatenated part by part (horizon by horizon)."""
    xs: dict[int, list[np.ndarray]] = defaultdict(list)
    ys: dict[int, list[np.ndarray]] = defaultdict(list)
    for seed in seeds:
        for _, hist, feats in _habits(seed, users, days):
            hx, hy = rows(hist, feats)
            for part, (x, y) in enumerate(zip(hx, hy, strict=True)):
                xs[part].append(x)
                ys[part].append(y)
    return [np.concatenate(xs[k]) for k in sorted(xs)], [np.concatenate(ys[k]) for k in sorted(ys)]


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
    _print_calibration("CALIBRATION", calibration)
    fit_kinds(list(KIND_SEEDS), users, days)
    fit_trees(list(TUNING_SEEDS[: 2 * seeds * TREE_SEED_FACTOR]), users, days)
    print("# paste the constants above into smarthabit/prediction.py, then refit the stack over them: "
          "python -m bench.prediction_quality --fit-stack")


def fit_kinds(chosen: list[int], users: int, days: int, out: Path = skip_trees.KINDS_FILE) -> None:
    """Fit the classifier of kinds of history on the seeds `chosen`: what it reads at every
    `KIND_ORIGIN_STEP`-th origin from each habit's eighth day, labelled with the pattern that drew it."""
    import lightgbm

    if PATTERNS != KINDS:
        raise SystemExit("history_kinds.KINDS must be the generator's PATTERNS, in its order: the classifier's classes")
    xs, ys = [], []
    for seed in chosen:
        for habit, hist, feats in _habits(seed, users, days):
            x = prediction.kind_inputs(feats, hist)[7: hist.days: KIND_ORIGIN_STEP]
            xs.append(x)
            ys.append(np.full(len(x), KINDS.index(habit.pattern)))
    x, y = np.concatenate(xs), np.concatenate(ys)
    kinds = lightgbm.train(KIND_TREES, lightgbm.Dataset(x, y), KIND_ROUNDS)
    kinds.save_model(out)
    skip_trees.kinds_booster.cache_clear()  # trees grown next read the new classifier
    accuracy = (kinds.predict(x).argmax(axis=1) == y).mean()
    print(f"# kinds: {KIND_ROUNDS} rounds written to {out} from {len(y)} rows (seeds {chosen[0]}..{chosen[-1]}), "
          f"accuracy on them {accuracy:.1%}")


def fit_trees(chosen: list[int], users: int, days: int,
              out: Path = skip_trees.MODEL_FILE) -> list[tuple[float, float]]:
    """Grow the trees on the even seeds of `chosen`, stop and calibrate them on the odd ones; the
    calibration (`TREES_CALIBRATION`) is printed and returned."""
    import lightgbm

    (fit_rows,), (fit_y,) = collect(chosen[0::2], users, days, tree_rows)
    (cal_rows,), (cal_y,) = collect(chosen[1::2], users, days, tree_rows)
    # contiguous copies: LightGBM would copy a sliced array itself, at twice the peak memory
    (fit_x, fit_base), (cal_x, cal_base) = ((np.ascontiguousarray(r[:, :-1]), r[:, -1].copy())
                                            for r in (fit_rows, cal_rows))
    del fit_rows, cal_rows
    names = list(prediction.INPUTS)
    trees = lightgbm.train(
        TREES, lightgbm.Dataset(fit_x, fit_y, init_score=fit_base, feature_name=names), MAX_TREES,
        valid_sets=[lightgbm.Dataset(cal_x, cal_y, init_score=cal_base, feature_name=names)],
        callbacks=[lightgbm.early_stopping(EARLY_STOP, verbose=False)])
    trees.save_model(out, num_iteration=trees.best_iteration)
    horizon = cal_x[:, names.index("horizon")]
    z = trees.predict(cal_x, raw_score=True, num_iteration=trees.best_iteration) + cal_base
    calibration = []
    for h in range(HORIZONS):
        rows = horizon == h
        a, b = logistic(np.column_stack([np.ones(rows.sum()), z[rows]]), cal_y[rows], l2=0.0)[::-1]
        calibration.append((a, b))
    print(f"# trees: {trees.best_iteration} written to {out} from {len(fit_y)} rows (seeds {chosen[0]}..{chosen[-1]}), "
          f"stopped and calibrated on {len(cal_y)}; inputs: {prediction.INPUTS}")
    _print_calibration("TREES_CALIBRATION", calibration)
    return calibration


def _print_calibration(name: str, calibration: list[tuple[float, float]]) -> None:
    print(f"{name}: tuple[tuple[float, float], ...] = (")
    for a, b in calibration:
        print(f"    ({a:.4f}, {b:.4f}),")
    print(")")


def fit_stack(chosen: list[int], users: int, days: int, out: Path = skip_trees.STACK_FILE) -> None:
    """Fit the stack (the served mixture's correction) on the seeds `chosen`: every origin and horizon
    with a due, finished target where the stack applies (`prediction.stack_applies`), boosting from the
    mixture's logit, each row weighted by `STACK_PATTERN_WEIGHTS` of the pattern that drew its habit."""
    import lightgbm

    xs, bases, ys, ws = [], [], [], []
    for seed in chosen:
        for habit, hist, feats in _habits(seed, users, days):
            forecast = prediction.walk_forward(hist, feats, stack=False)
            target = np.arange(hist.days + 1)[:, None] + np.arange(HORIZONS)[None, :]
            keep = (target < hist.days) & forecast.corrected
            keep[keep] = hist.due[target[keep]]
            xs.append(forecast.stack_inputs[keep].astype(np.float32))
            bases.append(prediction._logit(forecast.mixture[keep]))
            ys.append(hist.skipped[target[keep]])
            ws.append(np.full(int(keep.sum()), STACK_PATTERN_WEIGHTS.get(habit.pattern, 1.0)))
    x, base, y, w = (np.concatenate(part) for part in (xs, bases, ys, ws))
    names = [name.replace(" ", "_") for name in prediction.STACK_INPUTS]
    stack = lightgbm.train(STACK_TREES, lightgbm.Dataset(x, y, weight=w, init_score=base, feature_name=names),
                           STACK_ROUNDS)
    stack.save_model(out)
    skip_trees.stack_booster.cache_clear()
    z = stack.predict(x, raw_score=True)
    print(f"# stack: {STACK_ROUNDS} trees written to {out} from {len(y)} rows (seeds {chosen[0]}..{chosen[-1]}); "
          f"its correction's logit: median |z| {np.median(np.abs(z)):.3f}, 99th percentile "
          f"{np.percentile(np.abs(z), 99):.3f}, beyond +-{prediction.STACK_LIMIT:g}: "
          f"{np.mean(np.abs(z) > prediction.STACK_LIMIT):.2%}")
