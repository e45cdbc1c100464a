"""What any forecaster can reach on the quality bench: Bayes filters of the generator's hidden states.

    python -m bench.prediction_ceiling [--seeds 32] [--users 60] [--days 300] [--split held-out]

`bench.prediction_quality`'s floor knows each target day's hidden state; no forecaster does. This
bench scores, beside the skip model, the filters of `bench.oracle_filters`: told every habit's
parameters (and a little more: see there), each filters the hidden state from the check-ins before
the origin exactly as the generator draws it and propagates it to the target day. A forecaster that
sees only the check-ins knows less, so the filters' gap closed is a ceiling for the bench's headline
figure, a generous one (steady, weekday and linear-drift habits get the floor, the true rate). The
filters of `bench.learned_filters` learn the parameters from the check-ins instead (all but mixed
habits and random-walk drift): the tighter ceiling, beside it.

Printed: per pattern, the gap to the floor each closes (model and filter, averaged over horizons,
against the best baseline of each horizon); where the gap is; then the headline figure (gap closed
averaged over horizons, all patterns) for the model, for the model with the filters in its place on
the three hidden-chain patterns (bursts & lapses, sparse logging, weekly quota), for the filters
everywhere, and for the learning filters everywhere.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from datetime import timedelta

import numpy as np

from bench.histories import record_of, with_user_priors
from bench.learned_filters import LEARNED
from bench.oracle_filters import FILTERS
from bench.prediction_quality import SCORED_SEEDS, Table, best_baseline, brier, score_habit, scored_rows
from bench.synthetic_habits import HELD_OUT_SEEDS, PATTERNS, START, TUNING_SEEDS, population
from smarthabit.prediction import HORIZONS, history

CHAINS = ("bursts & lapses", "sparse logging", "weekly quota")


def collect(seeds: Sequence[int], users: int, days: int) -> dict[str, np.ndarray]:
    """The quality bench's table with an `oracle` column: the filter's forecast for the same rows."""
    table, oracle, learned = Table(), [], []
    for seed in seeds:
        for habit, priors in with_user_priors(population(seed, users, days), days):
            before = len(table.model)
            score_habit(habit, priors, days, table)
            if len(table.model) == before:
                continue
            t, h = scored_rows(habit, history(record_of(habit), START + timedelta(days=days)))
            oracle.append(FILTERS[habit.pattern](habit, days)[t, h])
            learned.append(LEARNED[habit.pattern](habit, days)[t, h] if habit.pattern in LEARNED else oracle[-1])
    rows = table.done()
    rows["oracle"] = np.concatenate(oracle)
    rows["learned"] = np.concatenate(learned)
    chains = np.isin(rows["pattern"], [PATTERNS.index(p) for p in CHAINS])
    rows["chains"] = np.where(chains, rows["oracle"], rows["model"])
    return rows


def _closed(rows: dict[str, np.ndarray], key: str, sel: np.ndarray) -> list[float]:
    """Per horizon: the gap `key` closes between the best baseline of that horizon (over all patterns)
    and the floor, on the rows `sel`."""
    y, out = rows["y"], []
    for h in range(HORIZONS):
        name, _ = best_baseline(rows, rows["horizon"] == h)
        part = sel & (rows["horizon"] == h)
        b, f = brier(rows[f"base:{name}"][part], y[part]), brier(rows["floor"][part], y[part])
        out.append((b - brier(rows[key][part], y[part])) / (b - f))
    return out


def report(rows: dict[str, np.ndarray]) -> None:
    y = rows["y"]
    print("Per pattern: gap closed between each horizon's best baseline and the floor, horizons 1 / 7 / average")
    print(f"{'pattern':18} {'skip model':>22} {'filter (ceiling)':>22} {'filter, learning':>22}")
    for index, pattern in enumerate(PATTERNS):
        sel = rows["pattern"] == index
        cells = []
        for key in ("model", "oracle", "learned"):
            g = _closed(rows, key, sel)
            cells.append(f"{g[0] * 100:5.0f}% {g[-1] * 100:5.0f}% {statistics.fmean(g) * 100:6.1f}%")
        print(f"{pattern:18} {cells[0]:>22} {cells[1]:>22} {cells[2]:>22}")
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
    print("\nAll patterns, gap closed by horizon (1..7) and averaged:")
    everything = np.ones(len(y), dtype=bool)
    for key, label in (("model", "skip model"), ("chains", "skip model, filters on the three chain patterns"),
                       ("oracle", "filters everywhere (the ceiling)"),
                       ("learned", "filters that learn the parameters (told: mixed, walk)")):
        g = _closed(rows, key, everything)
        figures = " ".join(f"{x * 100:4.0f}%" for x in g)
        print(f"  {label:50} {figures}   average {statistics.fmean(g) * 100:.1f}%")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.prediction_ceiling", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=SCORED_SEEDS)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--days", type=int, default=300)
    parser.add_argument("--split", choices=("held-out", "tuning"), default="held-out")
    args = parser.parse_args(argv)
    seeds = list((HELD_OUT_SEEDS if args.split == "held-out" else TUNING_SEEDS)[: args.seeds])
    print(f"Bayes filters vs skip model: {args.split} seeds {seeds[0]}..{seeds[-1]}, {args.users} users each, "
          f"{args.days} days\n")
    report(collect(seeds, args.users, args.days))


if __name__ == "__main__":
    main()
