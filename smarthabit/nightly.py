"""The nightly refresh of a bounded batch of users: streaks, forecasts, usual minute, next nudge.

Run in each user's local night (see `tasks.planning.run_nightly`) so the day's 09:00 wave reads
stored forecasts instead of fitting models. A batch is read in three statements (users, habits,
their check-ins and pauses over the model's window) and written in two (the habits' cached fields in
one UPDATE, the week's forecasts in one upsert), whatever its size; the models are fitted in memory.

Streaks are computed over the same window. A current streak that reaches the window's start is
recomputed from the whole history (`refresh_streaks`), so the window never shortens a streak; the
longest streak keeps the larger of the stored and the windowed value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from smarthabit.clock import local_today, zone
from smarthabit.models import CheckIn, Habit, HabitPause, SkipPrediction, User
from smarthabit.nudge_times import habit_next_nudge
from smarthabit.prediction import HISTORY_DAYS, HabitRecord, fit_skip_model, user_prior, usual_minute
from smarthabit.predictions import FORECAST_DAYS, PRIOR_WINDOW_DAYS, USUAL_MINUTE_CHECKINS, risk_reason
from smarthabit.schedule import Pause, ScheduleKind
from smarthabit.streak_cache import refresh_streaks
from smarthabit.streaks import compute_streaks

WINDOW_DAYS = HISTORY_DAYS + PRIOR_WINDOW_DAYS


@dataclass(slots=True)
class _History:
    """A habit's check-ins within the window and its pauses."""

    done: set[date] = field(default_factory=set)
    minutes: list[tuple[date, int | None]] = field(default_factory=list)  # (day, local minute if same-day)
    pauses: list[Pause] = field(default_factory=list)


async def _histories(habits: list[Habit], users: dict[int, User], since: date) -> dict[int, _History]:
    by_id = {h.id: h for h in habits}
    result = {h.id: _History() for h in habits}
    rows = await CheckIn.filter(habit_id__in=list(by_id), day__gte=since).values_list(
        "habit_id", "day", "value", "created_at"
    )
    for habit_id, day, value, created_at in rows:
        habit = by_id[habit_id]
        if habit.counts_as_done(value):
            result[habit_id].done.add(day)
        local = created_at.astimezone(zone(users[habit.user_id].timezone))
        same_day = local.date() == day  # a back-filled check-in says nothing about the time of day
        result[habit_id].minutes.append((day, local.hour * 60 + local.minute if same_day else None))
    for habit_id, start, end in await HabitPause.filter(habit_id__in=list(by_id)).values_list(
        "habit_id", "start", "end"
    ):
        result[habit_id].pauses.append(Pause(start, end))
    return result


def _record(habit: Habit, history: _History) -> HabitRecord:
    return HabitRecord(habit.schedule, frozenset(history.done), habit.start_day,
                       tuple(sorted(history.pauses, key=lambda p: p.start)))


async def _streaks(habit: Habit, history: _History, today: date, since: date) -> None:
    streaks = compute_streaks(habit.schedule, history.done, today, history.pauses, created=habit.start_day)
    if streaks.current and today - timedelta(days=_span_days(habit, streaks.current)) <= since:
        await refresh_streaks(habit, today)  # as long as the window: count it over the whole history
        return
    habit.current_streak = streaks.current
    habit.longest_streak = max(habit.longest_streak, streaks.longest)
    habit.streak_day = today


def _span_days(habit: Habit, current: int) -> int:
    """At most how many calendar days a current streak of `current` units covers."""
    if habit.schedule_kind is ScheduleKind.TIMES_PER_WEEK:
        return current * 7 + 7
    per_week = bin(habit.schedule_weekdays).count("1") if habit.schedule_kind is ScheduleKind.WEEKDAYS else 7
    return -(-current * 7 // max(per_week, 1)) + 7


def _forecast(habit: Habit, record: HabitRecord, others: Sequence[HabitRecord], today: date) -> list[SkipPrediction]:
    model = fit_skip_model(record, today, user_prior(others, today, PRIOR_WINDOW_DAYS))
    rows = []
    for offset in range(FORECAST_DAYS):
        day = today + timedelta(days=offset)
        explanation = model.explain(day)
        rows.append(SkipPrediction(habit_id=habit.id, day=day, probability=explanation.probability,
                                   reason=risk_reason(explanation)))
    return rows


async def refresh_users(user_ids: Sequence[int], now: datetime) -> int:
    """Refresh every active habit of these users as of their local today. Returns how many habits."""
    users = {u.id: u for u in await User.filter(id__in=list(user_ids))}
    habits = await Habit.filter(user_id__in=list(users), archived_at__isnull=True).order_by("user_id", "id")
    if not habits:
        return 0
    todays = {uid: local_today(u.timezone, now) for uid, u in users.items()}
    since = min(todays.values()) - timedelta(days=WINDOW_DAYS)
    histories = await _histories(habits, users, since)
    records = {h.id: _record(h, histories[h.id]) for h in habits}
    by_user: dict[int, list[Habit]] = defaultdict(list)
    for habit in habits:
        by_user[habit.user_id].append(habit)
    forecasts: list[SkipPrediction] = []
    for habit in habits:
        today, history = todays[habit.user_id], histories[habit.id]
        await _streaks(habit, history, today, since)
        others = [records[h.id] for h in by_user[habit.user_id] if h.id != habit.id]
        forecasts.extend(_forecast(habit, records[habit.id], others, today))
        recent = sorted(history.minutes, key=lambda row: row[0])[-USUAL_MINUTE_CHECKINS:]
        habit.usual_checkin_minute = usual_minute([minute for _, minute in recent if minute is not None])
        habit.next_nudge_at = habit_next_nudge(habit, users[habit.user_id].timezone, now)
    # bulk_update leaves updated_at alone: it marks forecasts stale, and these fields are derived.
    await Habit.bulk_update(habits, fields=[
        "current_streak", "longest_streak", "streak_day", "usual_checkin_minute", "next_nudge_at"])
    await SkipPrediction.bulk_create(forecasts, on_conflict=("habit_id", "day"),
                                     update_fields=("probability", "reason", "computed_at"))
    return len(habits)
