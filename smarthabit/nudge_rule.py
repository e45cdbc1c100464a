"""When a skip-risk nudge is worth sending: a decision rule over the calibrated skip forecast.

The stated costs, in the same unit:
- ``UNNEEDED_NUDGE_COST``: a nudge on a day the habit would have been done anyway. It is noise, and
  nudges that are often wrong teach people to ignore or mute them, so it is the dearer mistake.
- ``MISSED_SKIP_COST``: no nudge on a day the habit is then skipped (a skip we could have warned of).

With a *calibrated* P(skip) = p, nudging costs (1 - p) * UNNEEDED_NUDGE_COST in expectation and
staying silent costs p * MISSED_SKIP_COST, so nudge exactly when

    p >= UNNEEDED_NUDGE_COST / (UNNEEDED_NUDGE_COST + MISSED_SKIP_COST)   (= SKIP_RISK_THRESHOLD, 0.6)

and a nudge sent by this rule precedes a real skip at least 60% of the time, *because* the forecast
is calibrated (`bench.prediction_quality` shows the measured share). Without calibration the same
threshold would mean nothing in particular.

Timing: the decision is taken on the day itself, from today's forecast (horizon 1, the sharpest:
later horizons fade toward the weekday rate, and the bench shows their nudges are fewer and less
often right), shortly before the habit's usual check-in time, when it is not yet done (the planner
in `tasks` owns the clock). With several candidates and a daily cap, the riskiest go first: the
expected saving p * MISSED_SKIP_COST - (1 - p) * UNNEEDED_NUDGE_COST grows with p.
"""

from __future__ import annotations

UNNEEDED_NUDGE_COST = 3.0
MISSED_SKIP_COST = 2.0
SKIP_RISK_THRESHOLD = UNNEEDED_NUDGE_COST / (UNNEEDED_NUDGE_COST + MISSED_SKIP_COST)


def nudge_threshold(unneeded_nudge_cost: float = UNNEEDED_NUDGE_COST,
                    missed_skip_cost: float = MISSED_SKIP_COST) -> float:
    """The P(skip) from which a nudge costs less than silence, in expectation."""
    if unneeded_nudge_cost <= 0 or missed_skip_cost <= 0:
        raise ValueError("both costs must be positive")
    return unneeded_nudge_cost / (unneeded_nudge_cost + missed_skip_cost)


def should_nudge(probability: float, threshold: float = SKIP_RISK_THRESHOLD) -> bool:
    """Whether today's calibrated P(skip) is worth a nudge (see the module docstring)."""
    return probability >= threshold


def expected_saving(probability: float) -> float:
    """What a nudge is worth in expectation (positive from the threshold on): orders the candidates."""
    return probability * MISSED_SKIP_COST - (1 - probability) * UNNEEDED_NUDGE_COST
