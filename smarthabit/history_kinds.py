"""What kind of history a habit has: statistics of its shape, and the probabilities a classifier reads from them.

Why: the skip model's inputs describe a habit's state today (its level, run of misses, streak, weekday
effect). From those alone a steady habit, one drifting slowly and one whose level jumped look alike for
weeks, so the trees hedge between them. The shape of the whole history tells them apart better: how
much more its weekly and monthly skip counts vary than a constant rate would make them, how far its
weekdays differ, whether a skip follows a skip. A classifier fitted on the bench's tuning seeds, which
know what kind of behaviour drew each history, turns those statistics into the probability of each kind
(`KINDS`, the bench's patterns); the trees read the probabilities (`prediction.tree_inputs`).

The statistics are running sums as of each origin (the days before it), one numpy pass over the history.
"""

from __future__ import annotations

import numpy as np

# The classifier's classes, in its order: the kinds of behaviour the quality bench simulates.
KINDS = ("steady", "weekday effects", "slow drift", "bursts & lapses", "breaks & holidays", "regime switch",
         "sparse logging", "weekly quota", "new habit", "mixed")
SHAPE = ("spread 7d", "spread 28d", "weekday spread", "persistence", "days seen")
DISPERSION_WINDOWS = (7, 28)  # days: a week's and a month's skips
PERSISTENCE_STRENGTH = 4.0  # pseudo-observations pulling both conditional rates toward the overall rate


def _before(x: np.ndarray, lo: int = 0) -> np.ndarray:
    """out[..., t - lo] = sum of x[..., :t], for t = lo..len: a sum up to `lo`, a running sum after it."""
    head = x[..., :lo].sum(axis=-1, keepdims=True)
    return np.concatenate([head, head + np.cumsum(x[..., lo:], axis=-1)], axis=-1)


def _windows(total: np.ndarray, window: int, first: np.ndarray | int) -> np.ndarray:
    """From running totals (`_before`), out[..., t] = sum of x[..., t - window:t], 0 until a whole window
    has passed since the habit's `first` day (in a batch, each row's own)."""
    out = np.zeros_like(total)
    out[..., window:] = total[..., window:] - total[..., :-window]
    whole = np.arange(total.shape[-1]) >= np.asarray(first)[..., None] + window
    return np.where(whole, out, 0.0)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def shape_statistics(due: np.ndarray, skipped: np.ndarray, weekday_skips: np.ndarray,
                     weekday_seen: np.ndarray, lo: int = 0, first: np.ndarray | int = 0) -> np.ndarray:
    """(..., days + 1 - lo, len(SHAPE)): as of each origin from `lo`, from the days before it:
    - spread 7d, 28d: log of how much the skips of every 7- (28-) day window varied around the overall
      rate, against what a constant rate gives (about 0 for a steady habit; more for drift, jumps, lapses);
    - weekday spread: log of the weekdays' chi-square against the overall rate, per weekday;
    - persistence: logit P(skip | the day before skipped) - logit P(skip | it was done), both shrunk;
    - days seen: log(1 + due days).
    `due`, `skipped`: (..., days) floats; `weekday_skips`, `weekday_seen`: (..., 7, days + 1) running totals;
    `first`: the index of the habit's first day (in a batch, of each row's: `History.own_first`).
    Running sums are kept from `lo` on only (the nightly run asks for the last origin: plain sums)."""
    seen, skips = _before(due), _before(skipped)
    rate = ((skips + 1) / (seen + 2))[..., lo:]
    var = rate * (1 - rate)
    columns = []
    for window in DISPERSION_WINDOWS:
        s, d = _windows(skips, window, first), _windows(seen, window, first)  # s[t]: the window's skips before origin t
        # sums over the windows ending at origins up to each t (the window of origin t included)
        squares, cross, d_squares, d_total = (_before(a, lo + 1) for a in (s * s, s * d, d * d, d))
        spread = squares - 2 * rate * cross + rate * rate * d_squares  # sum of (s - rate * d)^2
        columns.append(np.log((spread + 2 * var) / (var * d_total + 2 * var)))
    weekday_seen, weekday_skips = weekday_seen[..., lo:], weekday_skips[..., lo:]
    chi = ((weekday_skips - weekday_seen * rate[..., None, :]) ** 2
           / ((weekday_seen + 1) * var[..., None, :])).sum(axis=-2) / 7
    columns.append(np.log(chi + 0.1))
    pair = np.zeros_like(due)
    pair[..., 1:] = due[..., 1:] * due[..., :-1]  # consecutive due days
    after_skip = np.zeros_like(due)
    after_skip[..., 1:] = skipped[..., :-1]
    k, rate_k = PERSISTENCE_STRENGTH, PERSISTENCE_STRENGTH * rate
    on_skip = (_before(pair * after_skip * skipped, lo) + rate_k) / (_before(pair * after_skip, lo) + k)
    on_done = (_before(pair * (1 - after_skip) * skipped, lo) + rate_k) / (_before(pair * (1 - after_skip), lo) + k)
    columns.append(_logit(on_skip) - _logit(on_done))
    columns.append(np.log1p(seen[..., lo:]))
    return np.stack(columns, axis=-1)
