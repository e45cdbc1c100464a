"""The pure skip model: patterns it must learn, how it behaves with little data, that it never peeks
at the days it forecasts, that it fades with the horizon and falls back where it does worse."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smarthabit import history_kinds, nudge_rule, prediction, skip_trees
from smarthabit.prediction import (
    HORIZONS,
    HabitRecord,
    Prior,
    features,
    fit_skip_model,
    skip_probabilities,
    user_prior,
    usual_minute,
    walk_forward,
)
from smarthabit.prediction import history as day_arrays
from smarthabit.predictions import HOLIDAY_REASON, risk_reason
from smarthabit.schedule import Pause, Schedule, ScheduleKind

DAILY = Schedule(ScheduleKind.DAILY)
START = date(2026, 1, 5)  # a Monday
TODAY = date(2026, 6, 1)  # a Monday


def history(p_done: callable, start: date = START, end: date = TODAY, seed: int = 3) -> frozenset[date]:  # type: ignore[valid-type]
    rng = random.Random(seed)
    days, day = set(), start
    while day < end:
        if rng.random() < p_done(day):
            days.add(day)
        day += timedelta(days=1)
    return frozenset(days)


def test_learns_a_hard_weekday() -> None:
    done = history(lambda d: 0.2 if d.weekday() == 4 else 0.9)
    model = fit_skip_model(HabitRecord(DAILY, done, START), TODAY)
    friday = TODAY + timedelta(days=4)
    others = [model.probability(TODAY + timedelta(days=i)) for i in range(7) if i != 4]
    assert model.probability(friday) > 0.6
    assert max(others) < 0.3
    explanation = model.explain(friday)
    assert explanation.weekday_effect and explanation.weekday_observations >= 20


def test_recent_lapse_raises_the_risk() -> None:
    steady = history(lambda d: 0.9)
    lapsing = frozenset(d for d in steady if d < TODAY - timedelta(days=10))
    calm = fit_skip_model(HabitRecord(DAILY, steady, START), TODAY).probability(TODAY)
    risky = fit_skip_model(HabitRecord(DAILY, lapsing, START), TODAY)
    assert risky.probability(TODAY) > calm + 0.3
    assert risky.explain(TODAY).slipping


def test_no_history_means_the_users_rate() -> None:
    record = HabitRecord(DAILY, frozenset(), TODAY)
    assert abs(fit_skip_model(record, TODAY, Prior(rate=0.2)).probability(TODAY) - 0.2) < 0.02
    assert abs(fit_skip_model(record, TODAY).probability(TODAY) - 0.35) < 0.02  # the population default


def test_thin_history_is_pulled_toward_the_prior() -> None:
    record = HabitRecord(DAILY, frozenset(), TODAY - timedelta(days=3))  # three days, all skipped
    p = fit_skip_model(record, TODAY, Prior(rate=0.1)).probability(TODAY)
    assert 0.2 < p < 0.9  # worse than the user's usual, but three days do not make it certain


def test_nothing_due_means_no_risk() -> None:
    mwf = Schedule(ScheduleKind.WEEKDAYS, frozenset({0, 2, 4}))
    pause = Pause(TODAY + timedelta(days=7), TODAY + timedelta(days=9))
    record = HabitRecord(mwf, history(lambda d: 0.5), START, (pause,))
    forecast = skip_probabilities(record, [TODAY + timedelta(days=i) for i in range(10)], TODAY)
    assert forecast[TODAY + timedelta(days=1)] == 0.0  # Tuesday: not scheduled
    assert forecast[TODAY + timedelta(days=7)] == 0.0  # paused
    assert forecast[TODAY] > 0.0
    assert skip_probabilities(record, [START - timedelta(days=1)], TODAY)[START - timedelta(days=1)] == 0.0


def test_past_days_are_forecast_from_what_was_known_then() -> None:
    done = history(lambda d: 0.9 if d < date(2026, 4, 1) else 0.1)
    record = HabitRecord(DAILY, done, START)
    then, now = date(2026, 3, 30), TODAY
    forecast = skip_probabilities(record, [then, now], TODAY)
    assert forecast[then] < 0.3 < 0.6 < forecast[now]


def test_times_per_week_habits_start_from_their_own_frequency() -> None:
    three = Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=3)
    p = fit_skip_model(HabitRecord(three, frozenset(), TODAY), TODAY).probability(TODAY)
    assert abs(p - 4 / 7) < 0.05  # the population weights pull a little toward the middle


def test_user_prior_pools_daily_habits() -> None:
    records = [HabitRecord(DAILY, history(lambda d: 0.8, seed=s), START) for s in range(3)]
    assert 0.15 < user_prior(records, TODAY).rate < 0.25


def week(today: date) -> list[date]:
    return [today + timedelta(days=h) for h in range(HORIZONS)]


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    rate=st.floats(0.05, 0.95),
    length=st.integers(2, 120),
    cut=st.floats(0.0, 1.0),
    weekdays=st.sampled_from([None, frozenset({0, 2, 4}), frozenset({5, 6})]),
)
def test_forecasts_never_peek_at_the_days_they_forecast(
    seed: int, rate: float, length: int, cut: float, weekdays: frozenset[int] | None
) -> None:
    """A forecast made at the start of day t is the same whatever happens from t on, and equals the
    replay the bench scores at that origin (one code path for the nightly job and the bench)."""
    schedule = DAILY if weekdays is None else Schedule(ScheduleKind.WEEKDAYS, weekdays)
    start = TODAY - timedelta(days=length)
    rng = random.Random(seed)
    done = frozenset(start + timedelta(days=i) for i in range(length) if rng.random() > rate)
    t = max(1, int(cut * length))
    origin = start + timedelta(days=t)
    record = HabitRecord(schedule, done, start, (Pause(start + timedelta(days=3), start + timedelta(days=5)),))
    rewritten = HabitRecord(schedule, frozenset(d for d in done if d < origin) | {origin, origin + timedelta(days=2)},
                            start, record.pauses)
    prior = Prior(rate=0.3)
    served = skip_probabilities(record, week(origin), origin, prior)
    assert served == skip_probabilities(rewritten, week(origin), origin, prior)
    hist = day_arrays(record, TODAY)
    replay = walk_forward(hist, features(hist, prior))
    for h, day in enumerate(week(origin)):
        expected = replay.probability[t, h] if served[day] else 0.0
        assert served[day] == pytest.approx(expected, abs=1e-9)
        assert served[day] == 0.0 or prediction.MIN_PROBABILITY <= served[day] <= prediction.MAX_PROBABILITY


def test_todays_state_fades_with_the_horizon() -> None:
    """A lapse of the last days says most about today; a week ahead the forecast is nearer the usual."""
    steady = history(lambda d: 0.9)
    lapsing = frozenset(d for d in steady if d < TODAY - timedelta(days=6))
    model = fit_skip_model(HabitRecord(DAILY, lapsing, START), TODAY)
    usual = fit_skip_model(HabitRecord(DAILY, steady, START), TODAY)
    for h in range(1, HORIZONS):
        day = TODAY + timedelta(days=h)
        assert usual.probability(day) < model.probability(day) <= model.probability(TODAY)
    assert model.probability(TODAY + timedelta(days=HORIZONS - 1)) < model.probability(TODAY) - 0.05


def test_falls_back_to_the_simple_rates_where_the_model_does_worse(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model that is wrong for this habit (here: made to say 'skipped' always) loses its weight to
    the simple rates as the habit's finished days show it, so what is served stays near them."""
    done = history(lambda d: 0.2 if d.weekday() == 4 else 0.9)
    record = HabitRecord(DAILY, done, START)
    honest = fit_skip_model(record, TODAY)

    def always_skipped(feats: prediction.Features, hist: prediction.History, lo: int = 0,
                       inputs: np.ndarray | None = None) -> np.ndarray:
        return np.full((*feats.origin.shape[:-2], hist.days + 1 - lo, HORIZONS), 5.0)

    monkeypatch.setattr(prediction, "model_logits", always_skipped)  # the replay that earns the model its share
    monkeypatch.setattr(prediction, "tree_logits", always_skipped)  # and the forecast it serves
    broken = fit_skip_model(record, TODAY)
    assert np.all(broken.forecast.model[-1] > 0.98)  # the model alone says "skipped" every day
    assert np.all(broken.forecast.model_weight[-1] < 1e-6)  # the habit's history disowned it
    for day in week(TODAY):
        assert abs(broken.probability(day) - honest.probability(day)) < 0.25
        assert (broken.probability(day) > 0.5) == (day.weekday() == 4)


def test_past_the_horizon_the_same_weekday_is_served() -> None:
    model = fit_skip_model(HabitRecord(DAILY, history(lambda d: 0.2 if d.weekday() == 4 else 0.9), START), TODAY)
    assert model.probability(TODAY + timedelta(days=11)) == model.probability(TODAY + timedelta(days=4))


def test_nudge_threshold_follows_from_the_stated_costs() -> None:
    costs = nudge_rule.UNNEEDED_NUDGE_COST, nudge_rule.MISSED_SKIP_COST
    threshold = nudge_rule.SKIP_RISK_THRESHOLD
    assert threshold == pytest.approx(costs[0] / sum(costs))
    assert nudge_rule.nudge_threshold(1.0, 1.0) == 0.5
    assert nudge_rule.nudge_threshold(1.0, 3.0) == 0.25  # a missed skip three times as bad: nudge earlier
    assert abs(nudge_rule.expected_saving(nudge_rule.SKIP_RISK_THRESHOLD)) < 1e-12
    with pytest.raises(ValueError):
        nudge_rule.nudge_threshold(0.0, 1.0)


@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_nudge_rule_is_the_sign_of_the_expected_saving(p: float, q: float) -> None:
    assert nudge_rule.should_nudge(p) == (nudge_rule.expected_saving(p) >= -1e-12) or abs(
        p - nudge_rule.SKIP_RISK_THRESHOLD) < 1e-9
    if p <= q:
        assert nudge_rule.should_nudge(p) <= nudge_rule.should_nudge(q)


def test_usual_minute_is_a_circular_median() -> None:
    assert usual_minute([7 * 60, 7 * 60 + 10, 7 * 60 + 5, 23 * 60, 7 * 60 + 7]) == 7 * 60 + 5
    assert usual_minute([23 * 60 + 50, 10, 5, 23 * 60 + 55, 0]) in (0, 5)  # around midnight, not noon
    assert usual_minute([480, 490]) is None  # too few to say


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-2 * 24 * 60, 3 * 24 * 60), max_size=40))
def test_usual_minute_equals_the_slow_circular_median(minutes: list[int]) -> None:
    recent = [m % (24 * 60) for m in minutes[-prediction.USUAL_SAMPLES:]]

    def cost(c: int) -> int:
        return sum(min(abs(c - m), 24 * 60 - abs(c - m)) for m in recent)

    expected = min(sorted(set(recent)), key=cost) if len(recent) >= prediction.MIN_USUAL_SAMPLES else None
    assert usual_minute(minutes) == expected


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), habits=st.integers(1, 9))
def test_a_batch_of_habits_is_forecast_as_each_alone(seed: int, habits: int) -> None:
    """The nightly run fits its habits as one batch (`fit_skip_models`): every habit gets what its
    own model says with its user's prior over the user's other habits, whatever its neighbours'
    histories (different starts, schedules, pauses, a history longer than the model's year, another
    country's public holidays)."""
    rng = random.Random(seed)
    schedules = [DAILY, Schedule(ScheduleKind.WEEKDAYS, frozenset({0, 2, 4})),
                 Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=3)]
    records, owners = [], []
    for _ in range(habits):
        start = TODAY - timedelta(days=rng.choice([0, 1, 5, 30, 200, 500]))
        rate = rng.uniform(0.1, 0.95)
        done = frozenset(start + timedelta(days=i) for i in range((TODAY - start).days + 2) if rng.random() < rate)
        pauses = ((Pause(TODAY - timedelta(days=12), TODAY - timedelta(days=8)),) if rng.random() < 0.3 else ())
        holidays = prediction.holidays_near(rng.choice(["Europe/Berlin", "America/New_York", "UTC"]), TODAY)
        records.append(HabitRecord(rng.choice(schedules), done, start, pauses, holidays))
        owners.append(rng.randrange(3))
    batch = prediction.fit_skip_models(records, owners, TODAY)
    for index, (record, owner) in enumerate(zip(records, owners, strict=True)):
        others = [r for i, (r, o) in enumerate(zip(records, owners, strict=True)) if o == owner and i != index]
        alone = fit_skip_model(record, TODAY, user_prior(others, TODAY))
        for day in [*week(TODAY), TODAY + timedelta(days=9)]:
            assert batch[index].probability(day) == pytest.approx(alone.probability(day), abs=1e-12)
            assert _same_explanation(batch[index].explain(day), alone.explain(day))


def _same_explanation(a: prediction.Explanation, b: prediction.Explanation) -> bool:
    return (a.weekday_observations, a.streak, a.holiday, a.holiday_observations) == (
        b.weekday_observations, b.streak, b.holiday, b.holiday_observations) and all(
        getattr(a, name) == pytest.approx(getattr(b, name), abs=1e-12)
        for name in ("probability", "weekday_rate", "overall_rate", "recent_rate", "holiday_rate"))


def test_the_shipped_trees_read_the_models_inputs() -> None:
    """The trees file and `prediction.INPUTS` change together (a new input needs `--fit` again): the
    ensemble names exactly those inputs in that order, tells a lapse from a steady habit and fades
    with the horizon."""
    trees = skip_trees.booster()
    assert trees.feature_name() == [name.replace(" ", "_") for name in prediction.INPUTS]
    assert 10 <= trees.num_trees() <= 200  # a small file (served for today only, seven forecasts a habit)
    steady = history(lambda d: 0.9)
    lapsed = frozenset(d for d in steady if d < TODAY - timedelta(days=6))
    z = {}
    for name, done in (("steady", steady), ("lapsed", lapsed)):
        hist = day_arrays(HabitRecord(DAILY, done, START), TODAY)
        z[name] = prediction.tree_logits(features(hist, Prior()), hist)[-1]
        assert np.all(np.isfinite(z[name]))
    assert np.all(z["lapsed"] > z["steady"] + 2)  # six days missed after months of nine in ten done
    assert z["lapsed"][0] > z["lapsed"][-1] + 0.3  # and today is riskier than a week out


def test_the_trees_read_each_weekdays_effect_over_the_whole_history() -> None:
    """`weekday all`, for each horizon's target weekday: a Friday hard from January to March still
    stands out in it after ten weeks of ordinary Fridays, more than in the recency-weighted effect."""
    done = history(lambda d: 0.2 if d.weekday() == 4 and d < TODAY - timedelta(weeks=10) else 0.9)
    hist = day_arrays(HabitRecord(DAILY, done, START), TODAY)
    today = prediction.tree_inputs(features(hist, Prior()), hist, hist.days)[-1]  # (horizon, input)
    whole, recent = (today[:, prediction.INPUTS.index(name)] for name in ("weekday all", "weekday"))
    friday = 4  # TODAY is a Monday
    assert whole[friday] > np.delete(whole, friday).max() + 1.5
    assert whole[friday] > recent[friday] + 0.3


YEAR_AGO = TODAY - timedelta(days=350)


def _shape_today(done: frozenset[date]) -> dict[str, float]:
    hist = day_arrays(HabitRecord(DAILY, done, YEAR_AGO), TODAY)
    feats = features(hist, Prior())
    stats = history_kinds.shape_statistics(hist.due.astype(float), hist.skipped, feats.weekday_skips,
                                           feats.weekday_seen)[-1]
    return dict(zip(history_kinds.SHAPE, stats.tolist(), strict=True))


def test_the_history_shape_tells_a_steady_habit_from_a_jump_a_hard_weekday_and_runs_of_misses() -> None:
    """Over a year, against a habit done on 70% of days throughout: 90% until January then 50% spreads its
    months far more; a hard Saturday spreads its weekdays; lapses of five days in every twenty spread its
    weeks and make a skip follow a skip."""
    steady = _shape_today(history(lambda d: 0.7, YEAR_AGO))
    jump = _shape_today(history(lambda d: 0.9 if d < START else 0.5, YEAR_AGO))
    saturday = _shape_today(history(lambda d: 0.1 if d.weekday() == 5 else 0.8, YEAR_AGO))
    lapses = _shape_today(history(lambda d: 0.05 if (d - YEAR_AGO).days % 20 >= 15 else 0.95, YEAR_AGO))
    assert abs(steady["spread 28d"]) < 0.4 and abs(steady["persistence"]) < 0.5
    assert jump["spread 28d"] > steady["spread 28d"] + 1.0
    assert saturday["weekday spread"] > steady["weekday spread"] + 1.5
    assert lapses["persistence"] > steady["persistence"] + 1.5
    assert lapses["spread 7d"] > steady["spread 7d"] + 0.4
    assert steady["days seen"] == pytest.approx(np.log1p((TODAY - YEAR_AGO).days))


def test_the_shipped_classifier_reads_which_kind_of_history_it_is() -> None:
    """The classifier file matches what `prediction.kind_inputs` gives it, and the kinds it names follow the
    history: a habit whose rate halved is more likely a regime switch, and less likely steady, than one
    done at the same rate throughout."""
    kinds = skip_trees.kinds_booster()
    assert kinds.num_model_per_iteration() == len(history_kinds.KINDS)
    assert kinds.num_feature() == len(history_kinds.SHAPE) + len(prediction.ON_ORIGIN)
    probabilities = {}
    for name, done in (("steady", history(lambda d: 0.7)),
                       ("jump", history(lambda d: 0.9 if d < TODAY - timedelta(days=40) else 0.45))):
        hist = day_arrays(HabitRecord(DAILY, done, START), TODAY)
        p = prediction.kind_probabilities(features(hist, Prior()), hist)[-1]
        assert p.sum() == pytest.approx(1.0)
        probabilities[name] = dict(zip(history_kinds.KINDS, p.tolist(), strict=True))
    steady, jump = probabilities["steady"], probabilities["jump"]
    assert jump["regime switch"] > 2 * steady["regime switch"]
    assert steady["steady"] > 2 * jump["steady"]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), age=st.sampled_from([0, 1, 9, 60, 200, 500]))
def test_what_is_served_today_is_the_replays_last_origin(seed: int, age: int) -> None:
    """Production serves `served_today` (the fallback's window only, the trees for today only); the
    bench scores `walk_forward`'s replay of every origin: today they are the same forecast."""
    rng = random.Random(seed)
    start = TODAY - timedelta(days=age)
    rate = rng.uniform(0.1, 0.95)
    done = frozenset(start + timedelta(days=i) for i in range(age) if rng.random() < rate)
    schedule = rng.choice([DAILY, Schedule(ScheduleKind.WEEKDAYS, frozenset({0, 2, 4}))])
    hist = day_arrays(HabitRecord(schedule, done, start), TODAY)
    feats = features(hist, Prior(rate=rng.uniform(0.05, 0.6)))
    np.testing.assert_allclose(prediction.served_today(hist, feats), walk_forward(hist, feats).probability[-1],
                               rtol=0, atol=1e-12)


HOLIDAY_TODAY = date(2026, 9, 30)  # a Wednesday: Germany's Unity Day, Saturday 3 October, is forecast
BERLIN = prediction.holidays_near("Europe/Berlin", HOLIDAY_TODAY)


def _holiday_trees(skips_holidays: bool, holidays: frozenset[date]) -> tuple[np.ndarray, np.ndarray]:
    """(P(skip) of the trees for today's seven days, the habit's `holiday own` input)."""
    done = frozenset(d for d in history(lambda d: 0.9, end=HOLIDAY_TODAY) if not (skips_holidays and d in BERLIN))
    hist = day_arrays(HabitRecord(DAILY, done, START, (), holidays), HOLIDAY_TODAY)
    feats = features(hist, Prior())
    own = prediction.tree_inputs(feats, hist, hist.days)[-1, :, prediction.INPUTS.index("holiday own")]
    return 1 / (1 + np.exp(-prediction.tree_logits(feats, hist, hist.days)[-1])), own


def test_the_trees_know_public_holidays_and_what_they_meant_for_the_habit() -> None:
    """A habit done nine days in ten that skipped Germany's five holidays since January: in Berlin its
    trees expect the next one (Saturday) to be skipped far more than the days around it, and more than
    for the same habit with no holidays known, or for a habit that kept its holidays."""
    assert date(2026, 10, 3) in BERLIN
    holiday = 3  # today + 3
    skipper, own = _holiday_trees(True, BERLIN)
    unknown, unknown_own = _holiday_trees(True, frozenset())
    keeper, keeper_own = _holiday_trees(False, BERLIN)
    assert own[0] > 2.0 and unknown_own[0] == 0.0 and keeper_own[0] < own[0] - 2.0
    assert skipper[holiday] > 2 * np.delete(skipper, holiday).max()
    assert skipper[holiday] > 2 * unknown[holiday] and skipper[holiday] > 2 * keeper[holiday]
    assert np.delete(skipper, holiday) == pytest.approx(np.delete(unknown, holiday), abs=0.03)


def test_a_holiday_the_habit_usually_skips_is_the_reason_a_nudge_gives() -> None:
    """The skipper's five holidays, all skipped, make Saturday's holiday the reason (stored with the
    forecast, quoted by the nudge) and its served risk high; not for the habit that kept its holidays,
    nor on the Friday before."""
    unity_day, friday = date(2026, 10, 3), date(2026, 10, 2)
    models = {}
    for name, skips in (("skipper", True), ("keeper", False)):
        done = frozenset(d for d in history(lambda d: 0.9, end=HOLIDAY_TODAY) if not (skips and d in BERLIN))
        models[name] = fit_skip_model(HabitRecord(DAILY, done, START, (), BERLIN), HOLIDAY_TODAY)
    explanation = models["skipper"].explain(unity_day)
    assert explanation.holiday and explanation.holiday_observations == 5
    assert explanation.holiday_rate > explanation.overall_rate + 0.5
    assert risk_reason(explanation) == HOLIDAY_REASON
    assert not models["skipper"].explain(friday).holiday and risk_reason(models["skipper"].explain(friday)) == ""
    assert not models["keeper"].explain(unity_day).holiday_effect
    # served: the simple rates the fallback mixes in know the habit's holidays too (`HOLIDAY_STRENGTH`)
    skipper, keeper = models["skipper"].probability(unity_day), models["keeper"].probability(unity_day)
    # (the stack, fitted on habits that mostly skip a holiday by chance, keeps some of the habit's level)
    assert skipper > 0.3 and skipper > 3 * keeper and skipper > 3 * models["skipper"].probability(friday)


def test_the_shipped_stack_reads_its_inputs() -> None:
    """The stack's file and `prediction.STACK_INPUTS` change together (a new input needs `--fit-stack`)."""
    stack = skip_trees.stack_booster()
    assert stack.feature_name() == [name.replace(" ", "_") for name in prediction.STACK_INPUTS]
    assert 20 <= stack.num_trees() <= 150  # read seven times a habit a night: small


def test_the_stack_leaves_a_steady_habit_nearer_its_long_run_rate_and_a_lapse_alone() -> None:
    """Thirty habits done four days in five at random: the mixture follows their chance runs, the stack
    pulls what is served back toward the whole history's rate; a real lapse it leaves as it is."""
    mixture_off, served_off = [], []
    for seed in range(30):
        model = fit_skip_model(HabitRecord(DAILY, history(lambda d: 0.8, seed=seed), START), TODAY)
        hist = model.history
        rate = (hist.skipped.sum() + 1) / (hist.due.sum() + 2)
        mixture_off.append(np.abs(model.forecast.mixture[-1] - rate).mean())
        served_off.append(np.abs(model.forecast.probability[-1] - rate).mean())
    assert np.mean(served_off) < 0.9 * np.mean(mixture_off)
    assert sum(s < m for s, m in zip(served_off, mixture_off, strict=True)) >= 20
    lapsed = frozenset(d for d in history(lambda d: 0.9) if d < TODAY - timedelta(days=6))
    forecast = fit_skip_model(HabitRecord(DAILY, lapsed, START), TODAY).forecast
    assert forecast.mixture[-1, 0] > 0.5
    np.testing.assert_allclose(forecast.probability[-1], forecast.mixture[-1], atol=0.03)


@pytest.mark.parametrize("correction", [-3.0, 3.0])
def test_the_stack_moves_the_mixture_by_at_most_its_limit(monkeypatch: pytest.MonkeyPatch, correction: float) -> None:
    """Whatever the stack's trees say, what is served is within `STACK_LIMIT` of the mixture's logit;
    before the habit's first due day it is the mixture (its user's rate) untouched."""
    monkeypatch.setattr(skip_trees, "stack_logits", lambda inputs: np.full(len(inputs), correction))
    start = TODAY - timedelta(days=40)
    record = HabitRecord(Schedule(ScheduleKind.WEEKDAYS, frozenset({5})), history(lambda d: 0.7, start=start),
                         start)
    model = fit_skip_model(record, TODAY)
    forecast = model.forecast
    moved = prediction._logit(forecast.probability) - prediction._logit(forecast.mixture)
    corrected = forecast.corrected
    assert corrected.any() and not corrected.all()  # before the first Saturday: not applied
    clipped = np.isin(forecast.probability, (prediction.MIN_PROBABILITY, prediction.MAX_PROBABILITY))
    assert (corrected & ~clipped).sum() > 100
    np.testing.assert_allclose(moved[corrected & ~clipped], correction / abs(correction) * prediction.STACK_LIMIT)
    np.testing.assert_array_equal(forecast.probability[~corrected], forecast.mixture[~corrected])
    np.testing.assert_allclose(model.served.served, forecast.probability[-1], atol=1e-12)  # served today: the same
