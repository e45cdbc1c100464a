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

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise import connections

from smarthabit.clock import local_today, utcnow, zone
from smarthabit.models import CheckIn, Habit, HabitPause, SkipPrediction, User
from smarthabit.nudge_times import habit_next_nudge
from smarthabit.orm import on_postgres
from smarthabit.prediction import HISTORY_DAYS, MINUTES_PER_DAY, HabitRecord, fit_skip_models, usual_minute
from smarthabit.predictions import FORECAST_DAYS, PRIOR_WINDOW_DAYS, USUAL_MINUTE_CHECKINS, risk_reason
from smarthabit.schedule import Pause, ScheduleKind
from smarthabit.streak_cache import refresh_streaks
from smarthabit.streaks import compute_streaks

WINDOW_DAYS = HISTORY_DAYS + PRIOR_WINDOW_DAYS


@dataclass(slots=True)
class _History:
    """A habit's done days within the window, the local minutes of its last check-ins made on their
    own day (oldest first: a back-filled one says nothing about the time of day) and its pauses."""

    done: set[date] = field(default_factory=set)
    minutes: list[int] = field(default_factory=list)
    pauses: list[Pause] = field(default_factory=list)


_CHECKINS_SQL = """
SELECT habit_id, array_agg(day ORDER BY day) AS days, array_agg(value ORDER BY day) AS values,
    (array_agg(day ORDER BY day DESC))[1:$3] AS last_days,
    (array_agg(created_at ORDER BY day DESC))[1:$3] AS last_created
FROM checkins WHERE habit_id = ANY($1::int[]) AND day >= $2 GROUP BY habit_id
"""


async def _checkins(habit_ids: list[int], since: date,
                    zones: dict[int, str]) -> list[tuple[int, list[date], list[Any], list[int | None]]]:
    """Per habit: its check-in days of the window and their values (oldest first), and the local
    minute of day (None for a back-filled one) of the last `USUAL_MINUTE_CHECKINS`, newest first. One
    row per habit on PostgreSQL (a batch holds some 50k check-ins: rows and the ORM's conversions
    would cost more than the model)."""
    if on_postgres():
        db = connections.get("default")
        rows = (await db.execute_query(_CHECKINS_SQL, [habit_ids, since, USUAL_MINUTE_CHECKINS]))[1]
        return [(r[0], r[1], r[2], [_local_minute(day, at, zones[r[0]]) for day, at in zip(r[3], r[4], strict=True)])
                for r in rows]
    by_habit: dict[int, list[tuple[date, Any, datetime]]] = defaultdict(list)
    for habit_id, day, value, created_at in await CheckIn.filter(habit_id__in=habit_ids, day__gte=since).order_by(
        "day").values_list("habit_id", "day", "value", "created_at"):
        by_habit[habit_id].append((day, value, created_at))
    return [(habit_id, [r[0] for r in rows], [r[1] for r in rows],
             [_local_minute(r[0], r[2], zones[habit_id]) for r in reversed(rows[-USUAL_MINUTE_CHECKINS:])])
            for habit_id, rows in by_habit.items()]


_QUARTER = 900  # seconds: every zone's offset changes only on a quarter of an hour of UTC
_EPOCH_DAY = date(1970, 1, 1).toordinal()


def _local_minute(day: date, created_at: datetime, tz: str) -> int | None:
    """The local minute of day of a check-in made on its `day`, None for a back-filled one: the
    zone's offset looked up once a quarter of an hour (a batch's 15k conversions cost more than
    its streaks otherwise)."""
    seconds = int(created_at.timestamp())
    local = seconds // 60 + _offset_minutes(tz, seconds // _QUARTER)
    return local % MINUTES_PER_DAY if local // MINUTES_PER_DAY + _EPOCH_DAY == day.toordinal() else None


@functools.lru_cache(maxsize=65_536)
def _offset_minutes(tz: str, quarter: int) -> int:
    offset = datetime.fromtimestamp(quarter * _QUARTER, UTC).astimezone(zone(tz)).utcoffset()
    return int(offset.total_seconds()) // 60 if offset is not None else 0


async def _histories(habits: list[Habit], since: date, zones: dict[int, str]) -> dict[int, _History]:
    by_id = {h.id: h for h in habits}
    result = {h.id: _History() for h in habits}
    for habit_id, days, values, minutes in await _checkins(list(by_id), since, zones):
        habit, history = by_id[habit_id], result[habit_id]
        if all(habit.counts_as_done(value) for value in set(values)):  # a yes/no habit: every check-in
            history.done = set(days)
        else:
            history.done = {day for day, value in zip(days, values, strict=True) if habit.counts_as_done(value)}
        history.minutes = [m for m in reversed(minutes) if m is not None]
    for habit_id, start, end in await HabitPause.filter(habit_id__in=list(by_id)).values_list(
        "habit_id", "start", "end"
    ):
        result[habit_id].pauses.append(Pause(start, end))
    return result


def _record(habit: Habit, history: _History) -> HabitRecord:
    return HabitRecord(habit.schedule, frozenset(history.done), habit.start_day,
                       tuple(sorted(history.pauses, key=lambda p: p.start)))


async def _streaks(habit: Habit, record: HabitRecord, history: _History, today: date, since: date) -> None:
    streaks = compute_streaks(record.schedule, history.done, today, history.pauses, created=habit.start_day)
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


_Forecast = tuple[int, date, float, str]  # habit id, day, probability, reason


def _forecasts(habits: list[Habit], records: dict[int, HabitRecord], today: date) -> list[_Forecast]:
    """The week's forecasts of habits sharing a local today, their models fitted as one batch (each
    user's prior pooled over their other habits of the batch, which holds all their active ones)."""
    models = fit_skip_models([records[h.id] for h in habits], [h.user_id for h in habits], today)
    rows = []
    for habit, model in zip(habits, models, strict=True):
        for offset in range(FORECAST_DAYS):
            explanation = model.explain(today + timedelta(days=offset))
            rows.append((habit.id, today + timedelta(days=offset), explanation.probability, risk_reason(explanation)))
    return rows


_HABIT_FIELDS = ("current_streak", "longest_streak", "streak_day", "usual_checkin_minute", "next_nudge_at")
_UPDATE_HABITS_SQL = """
UPDATE habits SET current_streak = v.current_streak, longest_streak = v.longest_streak, streak_day = v.streak_day,
    usual_checkin_minute = v.usual_checkin_minute, next_nudge_at = v.next_nudge_at
FROM unnest($1::int[], $2::int[], $3::int[], $4::date[], $5::int[], $6::timestamptz[])
    AS v(id, current_streak, longest_streak, streak_day, usual_checkin_minute, next_nudge_at)
WHERE habits.id = v.id
"""
_UPSERT_FORECASTS_SQL = """
INSERT INTO skip_predictions (habit_id, day, probability, reason, computed_at)
SELECT v.habit_id, v.day, v.probability, v.reason, $5 FROM unnest($1::int[], $2::date[], $3::float8[], $4::text[])
    AS v(habit_id, day, probability, reason)
ON CONFLICT (habit_id, day) DO UPDATE
SET probability = EXCLUDED.probability, reason = EXCLUDED.reason, computed_at = EXCLUDED.computed_at
"""


async def _store(habits: list[Habit], forecasts: list[_Forecast]) -> None:
    """The habits' derived fields in one UPDATE and the week's forecasts in one upsert. `updated_at`
    is left alone: it marks forecasts stale, and these fields are derived."""
    if not on_postgres():
        await Habit.bulk_update(habits, fields=list(_HABIT_FIELDS))
        await SkipPrediction.bulk_create(
            [SkipPrediction(habit_id=h, day=d, probability=p, reason=r) for h, d, p, r in forecasts],
            on_conflict=("habit_id", "day"), update_fields=("probability", "reason", "computed_at"))
        return
    db = connections.get("default")
    await db.execute_query(_UPDATE_HABITS_SQL, [[h.id for h in habits]] + [
        [getattr(h, name) for h in habits] for name in _HABIT_FIELDS])
    await db.execute_query(_UPSERT_FORECASTS_SQL, [*map(list, zip(*forecasts, strict=True)), utcnow()])


async def refresh_users(user_ids: Sequence[int], now: datetime) -> int:
    """Refresh every active habit of these users as of their local today. Returns how many habits."""
    users = {u.id: u for u in await User.filter(id__in=list(user_ids))}
    habits = await Habit.filter(user_id__in=list(users), archived_at__isnull=True).order_by("user_id", "id")
    if not habits:
        return 0
    todays = {uid: local_today(u.timezone, now) for uid, u in users.items()}
    since = min(todays.values()) - timedelta(days=WINDOW_DAYS)
    histories = await _histories(habits, since, {h.id: users[h.user_id].timezone for h in habits})
    records = {h.id: _record(h, histories[h.id]) for h in habits}
    by_today: dict[date, list[Habit]] = defaultdict(list)
    for habit in habits:
        by_today[todays[habit.user_id]].append(habit)
    forecasts = [row for today, group in by_today.items() for row in _forecasts(group, records, today)]
    for habit in habits:
        today, history, tz = todays[habit.user_id], histories[habit.id], users[habit.user_id].timezone
        await _streaks(habit, records[habit.id], history, today, since)
        habit.usual_checkin_minute = usual_minute(history.minutes)
        habit.next_nudge_at = habit_next_nudge(habit, tz, now)
    await _store(habits, forecasts)
    return len(habits)
