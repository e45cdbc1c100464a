"""Skip predictions over the database: read them (computing what is missing) and recompute them.

Who calls what, and why it is enough without a hook on every check-in:
- `GET /habits/{id}/stats` and `GET /nudges` call `skip_forecast`; it serves stored
  `SkipPrediction` rows and lazily computes (and stores) the missing or stale ones. A row is stale
  when something it was computed from changed after it: a check-in, a pause, an edit of the habit,
  or a new local day (a forecast for tomorrow made yesterday did not know today's outcome).
- The workers' nightly task calls `recompute_predictions` for every habit (in the user's local
  night), which also relearns the usual check-in time.
The API and the bot cannot enqueue tasks (the front doors do not import each other), so "after a
check-in" is served by the staleness rule above rather than by a task. One blind spot: undoing a
check-in leaves no trace to compare against, so those forecasts refresh at the next nightly run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from smarthabit.clock import local_today, utcnow, zone
from smarthabit.models import CheckIn, Habit, HabitPause, SkipPrediction, User
from smarthabit.prediction import (
    HISTORY_DAYS,
    HORIZONS,
    Explanation,
    HabitRecord,
    Prior,
    fit_skip_model,
    holidays_near,
    skip_probabilities,
    user_prior,
    usual_minute,
)
from smarthabit.schedule import Pause
from smarthabit.streak_cache import done_days, habit_pauses

WEEKDAY_REASON = "weekday"
SLIPPING_REASON = "slipping"
HOLIDAY_REASON = "holiday"
FORECAST_DAYS = HORIZONS  # the nightly run stores today and the next six days
PRIOR_WINDOW_DAYS = 90
USUAL_MINUTE_CHECKINS = 30


def risk_reason(explanation: Explanation) -> str:
    """Why a day looks risky, in one word stored with the forecast so a nudge can say it without
    refitting the model: a public holiday on which this habit usually slips, the weekday stands out,
    the habit is slipping, or nothing in particular."""
    if explanation.holiday_effect:
        return HOLIDAY_REASON
    if explanation.weekday_effect:
        return WEEKDAY_REASON
    return SLIPPING_REASON if explanation.slipping else ""


async def habit_record(habit: Habit, today: date, timezone: str) -> HabitRecord:
    """The plain-data history the model reads (measurable targets applied to the values), with the
    public holidays where its person lives (`timezone`: theirs)."""
    since = today - timedelta(days=HISTORY_DAYS + PRIOR_WINDOW_DAYS)
    done = frozenset(await done_days(habit, since=since))
    return HabitRecord(habit.schedule, done, habit.start_day, tuple(await habit_pauses(habit)),
                       holidays_near(timezone, today))


async def prior_for(user: User, today: date, *, exclude: int | None = None) -> Prior:
    """The user's overall skip rate over their other active habits: where a thin history is pulled."""
    habits = await Habit.filter(user_id=user.id, archived_at__isnull=True).exclude(id=exclude or 0)
    if not habits:
        return Prior()
    since = today - timedelta(days=PRIOR_WINDOW_DAYS)
    rows = await CheckIn.filter(habit_id__in=[h.id for h in habits], day__gte=since).values_list(
        "habit_id", "day", "value"
    )
    by_id = {h.id: h for h in habits}
    done: dict[int, set[date]] = {h.id: set() for h in habits}
    for habit_id, day, value in rows:
        if by_id[habit_id].counts_as_done(value):
            done[habit_id].add(day)
    pauses: dict[int, list[Pause]] = {h.id: [] for h in habits}
    pause_rows = await HabitPause.filter(habit_id__in=list(by_id)).values_list("habit_id", "start", "end")
    for habit_id, start, end in pause_rows:
        pauses[habit_id].append(Pause(start, end))
    records = [HabitRecord(h.schedule, frozenset(done[h.id]), h.start_day, tuple(pauses[h.id])) for h in habits]
    return user_prior(records, today, PRIOR_WINDOW_DAYS)


async def _last_change(habit: Habit) -> datetime:
    """The latest instant something the forecast depends on was written."""
    instants = [habit.updated_at]
    for model in (CheckIn, HabitPause):
        latest = await model.filter(habit_id=habit.id).order_by("-created_at").first().values_list(
            "created_at", flat=True
        )
        if latest is not None:
            instants.append(latest)
    return max(instants)


async def _store(habit: Habit, probabilities: dict[date, float]) -> None:
    if not probabilities:
        return
    rows = [SkipPrediction(habit_id=habit.id, day=day, probability=p) for day, p in probabilities.items()]
    await SkipPrediction.bulk_create(
        rows, on_conflict=("habit_id", "day"), update_fields=("probability", "computed_at")
    )


async def skip_forecast(
    user: User, habit: Habit, days: Sequence[date], *, now: datetime | None = None
) -> dict[date, float]:
    """P(skip) of `habit` for each local day in `days` (0.0 where nothing is due).

    Stored predictions are served when fresh; missing or stale ones are computed now and stored.
    Past days are forecast as of their own start (what the model would have said that morning).
    """
    if not days:
        return {}
    wanted = sorted(set(days))
    today = local_today(user.timezone, now)
    stored = {
        row.day: row
        for row in await SkipPrediction.filter(habit_id=habit.id, day__in=wanted)
    }
    tz = zone(user.timezone)
    # the person's zone decides the public holidays the forecast reads: a new zone makes it stale too
    changed = max(await _last_change(habit), user.updated_at) if stored else None
    result: dict[date, float] = {}
    missing: list[date] = []
    for day in wanted:
        row = stored.get(day)
        fresh = (
            row is not None
            and changed is not None
            and row.computed_at >= changed
            and row.computed_at.astimezone(tz).date() >= min(day, today)
        )
        if fresh:
            result[day] = row.probability  # type: ignore[union-attr]
        else:
            missing.append(day)
    if missing:
        record = await habit_record(habit, today, user.timezone)
        prior = await prior_for(user, today, exclude=habit.id)
        computed = skip_probabilities(record, missing, today, prior)
        await _store(habit, computed)
        result.update(computed)
    return result


async def explain_today(user: User, habit: Habit, *, now: datetime | None = None) -> Explanation:
    """Today's forecast with the rates behind it, for a personalised nudge."""
    today = local_today(user.timezone, now)
    record = await habit_record(habit, today, user.timezone)
    model = fit_skip_model(record, today, await prior_for(user, today, exclude=habit.id))
    return model.explain(today)


async def learn_usual_minute(user: User, habit: Habit) -> int | None:
    """Relearn the habit's usual local check-in minute from its recent same-day check-ins.

    Back-filled check-ins (logged on a later day) say nothing about the time of day and are left out.
    """
    tz = zone(user.timezone)
    rows = await CheckIn.filter(habit_id=habit.id).order_by("-day").limit(USUAL_MINUTE_CHECKINS).values_list(
        "day", "created_at"
    )
    minutes = []
    for day, created_at in reversed(rows):
        local = created_at.astimezone(tz)
        if local.date() == day:
            minutes.append(local.hour * 60 + local.minute)
    minute = usual_minute(minutes)
    if minute != habit.usual_checkin_minute:
        habit.usual_checkin_minute = minute
        # A queryset update: it does not bump updated_at, which marks forecasts stale.
        await Habit.filter(id=habit.id).update(usual_checkin_minute=minute)
    return minute


async def recompute_predictions(
    habit: Habit, *, user: User | None = None, now: datetime | None = None, days: int = FORECAST_DAYS
) -> dict[date, float]:
    """Recompute and store the forecasts for the user's today and the next days; relearn the usual
    check-in time. Called nightly by the workers; safe to call any time (an upsert)."""
    user = user or await User.get(id=habit.user_id)
    today = local_today(user.timezone, now or utcnow())
    record = await habit_record(habit, today, user.timezone)
    prior = await prior_for(user, today, exclude=habit.id)
    probabilities = skip_probabilities(record, [today + timedelta(days=i) for i in range(days)], today, prior)
    await _store(habit, probabilities)
    await learn_usual_minute(user, habit)
    return probabilities
