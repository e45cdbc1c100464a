"""The skip model's trees: a LightGBM ensemble of gradient-boosted trees over the model's inputs.

Why trees: the pooled logistic model gives every habit the same weight for its streak, its run of
misses and its weekday effect; trees learn where those matter (a long steady history, a habit a
week old, a lapse) from the same inputs, and on the quality bench the served forecast is better
with them on every pattern (bench/README.md). They are served for today only: the fallback's
nightly replay of 180 origins stays with the logistic model (see `prediction`), so the trees cost
the nightly run seven forecasts a habit.

The file `skip_model.txt` is LightGBM's own text format, written by
`python -m bench.prediction_quality --fit` from tuning seeds only. It is loaded once a process, on
first use (importing LightGBM costs a few hundred milliseconds that a process which never forecasts
should not pay). Predictions run on one thread: the nightly batch is measured per habit, and the
API's read path asks for one habit at a time.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import lightgbm

MODEL_FILE = Path(__file__).with_name("skip_model.txt")


@functools.cache
def booster() -> lightgbm.Booster:
    """The shipped ensemble (loaded once a process)."""
    import lightgbm

    return lightgbm.Booster(model_str=MODEL_FILE.read_text(encoding="utf-8"))


def logits(inputs: np.ndarray) -> np.ndarray:
    """(rows,) raw log-odds of a skip for (rows, inputs) in the order of `prediction.INPUTS`."""
    return booster().predict(np.ascontiguousarray(inputs, dtype=np.float64), raw_score=True, num_threads=1)
