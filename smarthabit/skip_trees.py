"""The skip model's trees: a LightGBM ensemble of gradient-boosted trees over the model's inputs.

Why trees: the pooled logistic model gives every habit the same weight for its streak, its run of
misses and its weekday effect; trees learn where those matter (a long steady history, a habit a
week old, a lapse) from the same inputs, and on the quality bench the served forecast is better
with them on every pattern (bench/README.md). They are served for today only: the fallback's
nightly replay of 180 origins stays with the logistic model (see `prediction`), so the trees cost
the nightly run seven forecasts a habit.

The trees boost from the logistic model's logit (its calibrated forecast is their starting point), so
they learn corrections to a smooth function rather than the whole function in steps. Among their inputs
are the probabilities of each kind of history (`history_kinds`), read by a second, multiclass ensemble.

A third ensemble, the stack (`skip_stack.txt`), corrects what is finally served: the mixture of the
model and the simple rates (see `prediction.stacked`).

The files `skip_model.txt`, `skip_kinds.txt` and `skip_stack.txt` are LightGBM's own text format,
written by `python -m bench.prediction_quality --fit` (the stack: `--fit-stack`) from tuning seeds only.
Each is loaded once a process, on first use (importing LightGBM costs a few hundred milliseconds that
a process which never forecasts should not pay; `load` does it at start-up). Predictions run on one
thread: the nightly batch is measured per habit, and the API's read path asks for one habit at a time.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import lightgbm

MODEL_FILE = Path(__file__).with_name("skip_model.txt")
KINDS_FILE = Path(__file__).with_name("skip_kinds.txt")
STACK_FILE = Path(__file__).with_name("skip_stack.txt")


@functools.cache
def booster() -> lightgbm.Booster:
    """The shipped skip ensemble (loaded once a process)."""
    import lightgbm

    return lightgbm.Booster(model_str=MODEL_FILE.read_text(encoding="utf-8"))


@functools.cache
def kinds_booster() -> lightgbm.Booster:
    """The shipped classifier of kinds of history (loaded once a process)."""
    import lightgbm

    return lightgbm.Booster(model_str=KINDS_FILE.read_text(encoding="utf-8"))


@functools.cache
def stack_booster() -> lightgbm.Booster:
    """The shipped stack, the served mixture's correction (loaded once a process)."""
    import lightgbm

    return lightgbm.Booster(model_str=STACK_FILE.read_text(encoding="utf-8"))


def load() -> None:
    """Load the three ensembles now (a process that forecasts does it at start-up, not in its first
    request or night)."""
    booster()
    kinds_booster()
    stack_booster()


def logits(inputs: np.ndarray) -> np.ndarray:
    """(rows,) raw log-odds of a skip, before the logistic model's logit is added, for (rows, inputs) in
    the order of `prediction.INPUTS`."""
    return booster().predict(np.ascontiguousarray(inputs, dtype=np.float64), raw_score=True, num_threads=1)


def kind_probabilities(inputs: np.ndarray) -> np.ndarray:
    """(rows, kinds): P(each of `history_kinds.KINDS`) for (rows, shape statistics + origin features)."""
    return kinds_booster().predict(np.ascontiguousarray(inputs, dtype=np.float64), num_threads=1)


def stack_logits(inputs: np.ndarray) -> np.ndarray:
    """(rows,) the correction added to the served mixture's logit, for (rows, inputs) in the order of
    `prediction.STACK_INPUTS`."""
    return stack_booster().predict(np.ascontiguousarray(inputs, dtype=np.float64), raw_score=True, num_threads=1)
