"""Skip-prediction quality at every horizon the product shows, on held-out seeds, against the best baseline.

    python -m bench.prediction_quality [--seeds 32] [--users 60] [--days 300] [--split held-out]
    python -m bench.prediction_quality --fit      # refit the logistic weights, the trees, their calibrations
    python -m bench.prediction_quality --fit-stack  # refit only the stack, over the shipped trees

Synthetic users and habits come from `bench.synthetic_habits` (a behavioural simulation with the true
daily probabilities; ten patterns). Every forecast is made as production makes it: at the start of
day t (the origin), from the days before t only, for the days t .. t+6 (horizons 1..7). The skip
model's forecasts for every origin come from `smarthabit.prediction.walk_forward`, the very function
the nightly job runs for the last origin (spot checks below compare it with `skip_probabilities`).

Baselines, all recomputed at every origin from the same days, with the strongest named per cell:
overall rate and per-weekday rate (Laplace), recency-weighted overall rates (half-lives 14, 30, 60
days), a recency-weighted weekday rate (half-life 8 weeks), and the weekday rate shrunk toward the
overall rate (plain and recency-weighted). "floor" is the true probability given the simulation's
hidden state at the start of the target day: no forecaster reaches it at horizons > 1.

Scored: established habits at origins from day 56 on, new habits at origins 7..21 days after their
start; only due target days. Brier, log loss, ECE (10 bins) and reliability bins.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from bench.histories import record_of, with_user_priors
from bench.synthetic_habits import HELD_OUT_SEEDS, PATTERNS, START, TUNING_SEEDS, Habit, population
from smarthabit import nudge_rule
from smarthabit.prediction import (
    HORIZONS,
    History,
    Prior,
    base_rate,
    features,
    fit_skip_models,
    history,
    skip_probabilities,
    walk_forward,
)

SCORED_SEEDS = 32  # populations scored: with 8, a pattern's row moved by up to a point between seed sets
FIT_SEEDS = 5  # tuning seed pairs the weights (even seeds) and the calibration (odd seeds) are fitted on (trees: 2x)
WARM_FROM = 56
NEW_HABIT_ORIGINS = (7, 21)
BASELINES = ("overall", "weekday", "recent 14d", "recent 30d", "recent 60d", "weekday 8w", "weekday shrunk",
             "weekday shrunk 90d")


def _decayed(x: np.ndarray, half_life: float) -> np.ndarray:
    n = x.shape[-1]
    lam = 0.5 ** (1 / half_life)
    out = np.zeros((*x.shape[:-1], n + 1))
    out[..., 1:] = np.cumsum(x * lam ** -np.arange(n), axis=-1) * lam ** np.arange(n)
    return out


def baselines(due: np.ndarray, skip: np.ndarray, weekday0: int) -> dict[str, np.ndarray]:
    """(origins, horizons) forecasts of every baseline, from the days before each origin."""
    n = len(due)
    due, skip = due.astype(float), skip.astype(float)
    weekday_of = (weekday0 + np.arange(n)) % 7
    mask = weekday_of[None, :] == np.arange(7)[:, None]
    targets = (weekday0 + np.arange(n + 1)[:, None] + np.arange(HORIZONS)[None, :]) % 7
    origins = np.arange(n + 1)[:, None]

    def per_origin(rate: np.ndarray) -> np.ndarray:
        return np.repeat(rate[:, None], HORIZONS, axis=1)

    def per_target(rates: np.ndarray) -> np.ndarray:
        return rates[targets, origins]

    out = {}
    s, c = _decayed(skip, 1e9), _decayed(due, 1e9)
    overall = (s + 1) / (c + 2)
    out["overall"] = per_origin(overall)
    ws, wc = _decayed(skip * mask, 1e9), _decayed(due * mask, 1e9)
    out["weekday"] = per_target((ws + 1) / (wc + 2))
    for hl in (14, 30, 60):
        out[f"recent {hl}d"] = per_origin((_decayed(skip, hl) + 1) / (_decayed(due, hl) + 2))
    out["weekday 8w"] = per_target((_decayed(skip * mask, 56) + 1) / (_decayed(due * mask, 56) + 2))
    out["weekday shrunk"] = per_target((ws + 4 * overall) / (wc + 4))
    recent = (_decayed(skip, 30) + 1) / (_decayed(due, 30) + 2)
    out["weekday shrunk 90d"] = per_target((_decayed(skip * mask, 90) + 4 * recent) / (_decayed(due * mask, 90) + 4))
    return out


@dataclass
class Table:
    """Scored forecasts, one row per (habit, origin, horizon) with a due target day."""

    pattern: list[np.ndarray] = field(default_factory=list)
    seed: list[np.ndarray] = field(default_factory=list)
    horizon: list[np.ndarray] = field(default_factory=list)
    y: list[np.ndarray] = field(default_factory=list)
    floor: list[np.ndarray] = field(default_factory=list)
    model: list[np.ndarray] = field(default_factory=list)
    fallback: list[np.ndarray] = field(default_factory=list)
    base: dict[str, list[np.ndarray]] = field(default_factory=lambda: defaultdict(list))

    def done(self) -> dict[str, np.ndarray]:
        names = ("pattern", "seed", "horizon", "y", "floor", "model", "fallback")
        out = {k: np.concatenate(getattr(self, k)) for k in names}
        out.update({f"base:{k}": np.concatenate(v) for k, v in self.base.items()})
        return out


def scored_rows(habit: Habit, hist: History) -> tuple[np.ndarray, np.ndarray]:
    """The (origin, horizon) pairs scored for a habit (day indices from its start): due target days,
    origins from `WARM_FROM` on (new habits: `NEW_HABIT_ORIGINS` days after their start)."""
    lo, hi = (NEW_HABIT_ORIGINS if habit.pattern == "new habit" else (WARM_FROM, hist.days - HORIZONS + 1))
    origins = np.arange(lo, min(hi, hist.days - HORIZONS + 1) + 1)
    target = origins[:, None] + np.arange(HORIZONS)[None, :]
    keep = hist.due[np.minimum(target, hist.days - 1)] & (target < hist.days)
    rows = np.nonzero(keep)
    return origins[rows[0]], rows[1]


def score_habit(habit: Habit, prior_rates: np.ndarray, days: int, table: Table, seed: int = 0) -> None:
    record = record_of(habit)
    end = START + timedelta(days=days)
    hist = history(record, end)
    priors = prior_rates[habit.start:]
    feats = features(hist, Prior(base_rate(record, Prior())), None if habit.schedule.kind == "times_per_week"
                     else priors)
    forecast = walk_forward(hist, feats)
    bases = baselines(hist.due, hist.due & ~hist.done, hist.first.weekday())
    t, h = scored_rows(habit, hist)
    if not len(t):
        return
    day = t + h
    table.pattern.append(np.full(len(t), PATTERNS.index(habit.pattern)))
    table.seed.append(np.full(len(t), seed))
    table.horizon.append(h)
    table.y.append((~hist.done[day]).astype(float))
    table.floor.append(1 - np.asarray(habit.p_logged)[habit.start + day])
    table.model.append(forecast.probability[t, h])
    table.fallback.append(1 - forecast.model_weight[t, h])
    for name in BASELINES:
        table.base[name].append(bases[name][t, h])


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bins(p: np.ndarray, y: np.ndarray, count: int = 10) -> list[tuple[int, float, float]]:
    index = np.minimum(count - 1, (p * count).astype(int))
    out = []
    for b in range(count):
        sel = index == b
        if sel.any():
            out.append((int(sel.sum()), float(p[sel].mean()), float(y[sel].mean())))
        else:
            out.append((0, 0.0, 0.0))
    return out


def ece(p: np.ndarray, y: np.ndarray) -> float:
    return sum(n / len(p) * abs(m - o) for n, m, o in bins(p, y) if n)


def best_baseline(rows: dict[str, np.ndarray], sel: np.ndarray) -> tuple[str, float]:
    scores = {name: brier(rows[f"base:{name}"][sel], rows["y"][sel]) for name in BASELINES}
    name = min(scores, key=scores.__getitem__)
    return name, scores[name]


def seed_interval(rows: dict[str, np.ndarray], sel: np.ndarray, baseline: str,
                  draws: int = 2000) -> tuple[float, float]:
    """95% interval of the model's Brier relative to `baseline` on rows `sel`, resampling whole seeds
    (populations) with replacement: how far the row's figure could move on other populations."""
    seeds, index = np.unique(rows["seed"][sel], return_inverse=True)
    if len(seeds) < 2:
        return float("nan"), float("nan")
    y = rows["y"][sel]
    model = np.bincount(index, (rows["model"][sel] - y) ** 2, len(seeds))
    base = np.bincount(index, (rows[f"base:{baseline}"][sel] - y) ** 2, len(seeds))
    picks = np.random.default_rng(0).integers(0, len(seeds), (draws, len(seeds)))
    ratios = model[picks].sum(axis=1) / base[picks].sum(axis=1) - 1
    lo, hi = np.percentile(ratios, [2.5, 97.5])
    return float(lo), float(hi)


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]

    def line(row: Sequence[str]) -> str:
        cells = enumerate(zip(row, widths, strict=True))
        return "  ".join(cell.ljust(w) if c == 0 else cell.rjust(w) for c, (cell, w) in cells)

    lines = [line(row) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report_horizons(rows: dict[str, np.ndarray]) -> None:
    y, model, floor = rows["y"], rows["model"], rows["floor"]
    out = [["horizon", "forecasts", "model", "best baseline", "(which)", "floor", "vs best", "gap closed",
            "log loss model/base", "ECE model/base", "fallback"]]
    gaps = []
    for h in range(HORIZONS):
        sel = rows["horizon"] == h
        name, b = best_baseline(rows, sel)
        m, f = brier(model[sel], y[sel]), brier(floor[sel], y[sel])
        gaps.append((b - m) / (b - f))
        base = rows[f"base:{name}"][sel]
        out.append([f"{h + 1}", str(int(sel.sum())), f"{m:.4f}", f"{b:.4f}", name, f"{f:.4f}",
                    f"{(m - b) / b * 100:+.2f}%", f"{gaps[-1] * 100:.0f}%",
                    f"{log_loss(model[sel], y[sel]):.4f}/{log_loss(base, y[sel]):.4f}",
                    f"{ece(model[sel], y[sel]):.3f}/{ece(base, y[sel]):.3f}",
                    f"{(rows['fallback'][sel] > 0.5).mean() * 100:.1f}%"])
    print("Brier by horizon (1 = today), model vs the best baseline at that horizon")
    print(_table(out))
    print(f"\ngap closed between the best baseline and the floor, averaged over horizons: "
          f"{statistics.fmean(gaps) * 100:.1f}% (target >= 40%)")
    print(f"model ECE, all horizons: {ece(model, y):.4f} (target <= 0.02)")
    print(f"fallback: the simple rates outweigh the model in {(rows['fallback'] > 0.5).mean() * 100:.1f}% of "
          f"forecasts; their mean weight {rows['fallback'].mean() * 100:.1f}%")


def report_patterns(rows: dict[str, np.ndarray]) -> None:
    y, model, floor = rows["y"], rows["model"], rows["floor"]
    out = [["pattern", "forecasts", "model", "best baseline", "(which)", "floor", "vs best", "95% over seeds",
            "gap closed", "ECE", "fallback", "worst h vs its best"]]
    for index, pattern in enumerate(PATTERNS):
        sel = rows["pattern"] == index
        if not sel.any():
            continue
        name, b = best_baseline(rows, sel)
        m, f = brier(model[sel], y[sel]), brier(floor[sel], y[sel])
        worst = max(
            (brier(model[sel & (rows["horizon"] == h)], y[sel & (rows["horizon"] == h)]) - hb) / hb
            for h in range(HORIZONS) for hb in [best_baseline(rows, sel & (rows["horizon"] == h))[1]]
        )
        lo, hi = seed_interval(rows, sel, name)
        out.append([pattern, str(int(sel.sum())), f"{m:.4f}", f"{b:.4f}", name, f"{f:.4f}",
                    f"{(m - b) / b * 100:+.2f}%", f"{lo * 100:+.2f}..{hi * 100:+.2f}%",
                    f"{(b - m) / (b - f) * 100:.0f}%", f"{ece(model[sel], y[sel]):.3f}",
                    f"{(rows['fallback'][sel] > 0.5).mean() * 100:.1f}%", f"{worst * 100:+.1f}%"])
    print("\nBrier by pattern (all horizons), model vs the best baseline on that pattern")
    print(_table(out))


def report_reliability(rows: dict[str, np.ndarray]) -> None:
    out = [["bin", "forecasts", "mean forecast", "observed skip rate", "h=1 mean/observed", "h=7 mean/observed"]]
    y, model, h = rows["y"], rows["model"], rows["horizon"]
    b1, b7 = bins(model[h == 0], y[h == 0]), bins(model[h == 6], y[h == 6])
    for index, (n, mean, observed) in enumerate(bins(model, y)):
        if n:
            out.append([f"{index / 10:.1f}-{(index + 1) / 10:.1f}", str(n), f"{mean:.3f}", f"{observed:.3f}",
                        f"{b1[index][1]:.3f}/{b1[index][2]:.3f}", f"{b7[index][1]:.3f}/{b7[index][2]:.3f}"])
    print("\nReliability of the skip model (held-out forecasts binned by probability)")
    print(_table(out))


def report_nudges(rows: dict[str, np.ndarray]) -> None:
    """The nudge rule on each forecaster: nudge the day when P(skip) >= the rule's threshold."""
    threshold = nudge_rule.SKIP_RISK_THRESHOLD
    y = rows["y"]
    out = [["decided from", "nudges / 100 due days", "nudges / 100 skips", "precede a skip", "skips nudged",
            "cost / 100 due days"]]

    def line(label: str, p: np.ndarray, yy: np.ndarray) -> None:
        sent = np.array([nudge_rule.should_nudge(float(x)) for x in p], dtype=bool)
        cost = (sent & (yy == 0)).sum() * nudge_rule.UNNEEDED_NUDGE_COST + (~sent & (yy == 1)).sum() * \
            nudge_rule.MISSED_SKIP_COST
        out.append([label, f"{sent.mean() * 100:.1f}", f"{sent.sum() / max(1, yy.sum()) * 100:.1f}",
                    f"{yy[sent].mean() * 100:.1f}%" if sent.any() else "-", f"{sent[yy == 1].mean() * 100:.1f}%",
                    f"{cost / len(yy) * 100:.1f}"])

    for h in (0, 1, 2):
        sel = rows["horizon"] == h
        line(f"skip model, horizon {h + 1}", rows["model"][sel], y[sel])
    sel = rows["horizon"] == 0
    name, _ = best_baseline(rows, sel)
    line(f"best baseline ({name}), horizon 1", rows[f"base:{name}"][sel], y[sel])
    line("floor (true probability)", rows["floor"][sel], y[sel])
    line("never nudge", np.zeros(int(sel.sum())), y[sel])
    print(f"\nNudges by the rule (threshold {threshold:.2f} = unneeded nudge cost {nudge_rule.UNNEEDED_NUDGE_COST:g} / "
          f"(that + missed skip cost {nudge_rule.MISSED_SKIP_COST:g})); the product decides on the day (horizon 1)")
    print(_table(out))


def spot_check(habits: list[Habit], priors: dict[int, np.ndarray], days: int,
               rng: random.Random) -> tuple[float, float]:
    """Max |difference| over random (habit, origin) pairs between `skip_probabilities` called as the
    nightly job calls it that day and (1) the walk-forward replay with the same prior throughout
    (must be ~0: the bench scores production's forecasts, nothing peeks ahead), (2) the replay the
    bench scores, where the user's prior is the one of each origin rather than of the last one."""
    exact = approximate = 0.0
    for habit in rng.sample(habits, min(25, len(habits))):
        record = record_of(habit)
        hist = history(record, START + timedelta(days=days))
        if hist.days < 2:
            continue
        prior_rates = priors[id(habit)][habit.start:]
        t = rng.randrange(1, hist.days)
        base = Prior(base_rate(record, Prior()))
        same = walk_forward(hist, features(hist, base, np.full(hist.days + 1, prior_rates[t])))
        scored = walk_forward(hist, features(hist, base, prior_rates))
        today = hist.first + timedelta(days=t)
        wanted = [today + timedelta(days=h) for h in range(HORIZONS)]
        served = skip_probabilities(record, wanted, today, Prior(rate=float(prior_rates[t])))
        for h, day in enumerate(wanted):
            if served[day] > 0:
                exact = max(exact, abs(served[day] - same.probability[t, h]))
                approximate = max(approximate, abs(served[day] - scored.probability[t, h]))
    return exact, approximate


def nightly_cost(habits: list[Habit], priors: dict[int, np.ndarray], days: int) -> tuple[list[float], list[float]]:
    """Milliseconds per habit for 7 days of forecasts from a full history: the nightly run's batch
    call (`fit_skip_models` over whole users, 5 runs of the first ~200 habits) and one habit alone
    (`skip_probabilities`, as the API's lazy path calls it; 200 habits)."""
    today = START + timedelta(days=days)
    batch = habits[:200]
    records, owners = [record_of(h) for h in batch], [h.user for h in batch]
    batched = []
    for _ in range(5):
        started = time.perf_counter()
        fit_skip_models(records, owners, today)
        batched.append((time.perf_counter() - started) * 1000 / len(batch))
    alone = []
    for habit in batch:
        record, prior = record_of(habit), Prior(rate=float(priors[id(habit)][-1]))
        wanted = [today + timedelta(days=h) for h in range(HORIZONS)]
        started = time.perf_counter()
        skip_probabilities(record, wanted, today, prior)
        alone.append((time.perf_counter() - started) * 1000)
    return batched, alone


def collect(seeds: Sequence[int], users: int, days: int) -> tuple[dict[str, np.ndarray], list[Habit], dict]:
    table = Table()
    habits_all: list[Habit] = []
    priors_all: dict[int, np.ndarray] = {}
    for seed in seeds:
        habits = population(seed, users, days)
        for habit, priors in with_user_priors(habits, days):
            priors_all[id(habit)] = priors
            score_habit(habit, priors, days, table, seed)
        habits_all.extend(habits)
    return table.done(), habits_all, priors_all


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.prediction_quality", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=None,
                        help=f"generator seeds (populations): {SCORED_SEEDS} to score, {FIT_SEEDS} pairs to --fit "
                        "(defaults)")
    parser.add_argument("--users", type=int, default=60, help="users per seed, 1-3 habits each (default 60)")
    parser.add_argument("--days", type=int, default=300, help="days simulated (default 300)")
    parser.add_argument("--split", choices=("held-out", "tuning"), default="held-out",
                        help="held-out seeds for reporting (default); tuning seeds while developing")
    parser.add_argument("--fit", action="store_true",
                        help="fit the classifier of kinds (smarthabit/skip_kinds.txt), grow the trees "
                        "(smarthabit/skip_model.txt) and fit CALIBRATION on tuning seeds")
    parser.add_argument("--fit-stack", action="store_true",
                        help="fit only the stack (smarthabit/skip_stack.txt) on its tuning seeds, over the "
                        "shipped model, classifier and trees")
    args = parser.parse_args(argv)
    if args.fit_stack:
        from bench.prediction_fit import STACK_SEEDS, fit_stack

        fit_stack(list(STACK_SEEDS), args.users, args.days)
        return
    if args.fit:
        from bench.prediction_fit import fit_and_print

        fit_and_print(args.seeds or FIT_SEEDS, args.users, args.days)
        return
    seeds = list((HELD_OUT_SEEDS if args.split == "held-out" else TUNING_SEEDS)[: args.seeds or SCORED_SEEDS])
    started = time.perf_counter()
    rows, habits, priors = collect(seeds, args.users, args.days)
    elapsed = time.perf_counter() - started
    print(f"Skip prediction quality: {args.split} seeds {seeds[0]}..{seeds[-1]}, {len(habits)} habits of "
          f"{args.users * len(seeds)} users, {args.days} days, {len(rows['y'])} scored forecasts ({elapsed:.1f} s)\n")
    report_horizons(rows)
    report_patterns(rows)
    report_reliability(rows)
    report_nudges(rows)
    batched, alone = nightly_cost(habits, priors, args.days)
    print(f"\nnightly cost (7 days of forecasts, {args.days}-day history): {statistics.median(batched):.2f} ms/habit "
          f"in the nightly run's batch (fit_skip_models, median of {len(batched)} runs; target <= 2 ms); one habit "
          f"alone (skip_probabilities): median {statistics.median(alone):.2f} ms, "
          f"p90 {np.percentile(alone, 90):.2f} ms")
    exact, approximate = spot_check(habits, priors, args.days, random.Random(0))
    print(f"spot check at random origins, skip_probabilities vs the replay: max |diff| {exact:.1e} with the same "
          f"user prior; {approximate:.3f} with each origin's own prior (what the tables score)")


if __name__ == "__main__":
    main()
