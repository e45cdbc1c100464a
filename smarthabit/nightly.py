"""The nightly refresh of a bounded batch of users: streaks, forecasts, usual minute, next nudge.

Run in each user's local night (see `tasks.planning.run_nightly`) so the day's 09:00 wave reads
stored forecasts instead of fitting models. A batch is read in four statements (users' zones, habits,
their check-ins and pauses over the model's window) and written in two (the habits' cached fields in
one UPDATE, the week's forecasts in one upsert), whatever its size; the models are fitted in memory,
in a thread, so the event loop goes on meanwhile: `refresh_batches` reads the next batch and writes
the last one while a batch is computed, and a worker's other tasks are not held up.

Streaks are computed over the same window. A current streak that reaches the window's start is
recomputed from the whole history (`refresh_streaks`), so the window never shortens a streak; the
longest streak keeps the larger of the stored and the windowed value.
"""

from __future__ import annotations

import asyncio
import functools
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise import connections

from smarthabit.clock import local_today, utcnow, zone
from smarthabit.models import CheckIn, Habit, HabitPause, SkipPrediction, User
from smarthabit.nudge_times import habit_next_nudge
from smarthabit.orm import on_postgres
from smarthabit.prediction import (
    HISTORY_DAYS,
    MINUTES_PER_DAY,
    HabitRecord,
    fit_skip_models,
    holidays_near,
    usual_minute,
)
from smarthabit.predictions import FORECAST_DAYS, PRIOR_WINDOW_DAYS, USUAL_MINUTE_CHECKINS, risk_reason
from smarthabit.schedule import Pause, ScheduleKind
from smarthabit.streak_cache import refresh_streaks
from smarthabit.streaks import compute_streaks

WINDOW_DAYS = HISTORY_DAYS + PRIOR_WINDOW_DAYS


@dataclass(slots=True)
class _History:
    """A habit's done days within the window, the local minutes of its last check-ins made on their
    own day (oldest first: a back-filled one says nothing about the time of day) and its pauses."""

    done: frozenset[date] = frozenset()
    minutes: list[int] = field(default_factory=list)
    pauses: list[Pause] = field(default_factory=list)


_CHECKINS_SQL = """
SELECT habit_id, array_agg(day ORDER BY day) AS days, array_agg(value ORDER BY day) AS values,
    (array_agg(created_at ORDER BY day))[greatest(count(*) - $3 + 1, 1):] AS last_created
FROM checkins WHERE habit_id = ANY($1::int[]) AND day >= $2 GROUP BY habit_id
"""
_CheckInRow = tuple[int, list[date], list[Any], list[datetime]]


async def _checkins(habit_ids: list[int], since: date) -> list[_CheckInRow]:
    """Per habit: its check-in days of the window and their values, and the creation instants of
    the last `USUAL_MINUTE_CHECKINS` (oldest first). One row per habit on PostgreSQL (a batch holds
    some 50k check-ins: rows and the ORM's conversions would cost more than the model), its arrays
    in one order (a sort per aggregate: 17 -> 14 ms a batch of 500 habits without a second order)."""
    if on_postgres():
        db = connections.get("default")
        return [tuple(r) for r in (await db.execute_query(_CHECKINS_SQL, [habit_ids, since, USUAL_MINUTE_CHECKINS]))[1]]
    by_habit: dict[int, list[tuple[date, Any, datetime]]] = defaultdict(list)
    for habit_id, day, value, created_at in await CheckIn.filter(habit_id__in=habit_ids, day__gte=since).order_by(
        "day").values_list("habit_id", "day", "value", "created_at"):
        by_habit[habit_id].append((day, value, created_at))
    return [(habit_id, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows[-USUAL_MINUTE_CHECKINS:]])
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


def _histories(habits: list[Habit], checkins: list[_CheckInRow], pauses: list[tuple[int, date, date]],
               zones: dict[int, str]) -> dict[int, _History]:
    result = {h.id: _History() for h in habits}
    by_id = {h.id: h for h in habits}
    for habit_id, days, values, last_created in checkins:
        habit, history = by_id[habit_id], result[habit_id]
        if all(habit.counts_as_done(value) for value in set(values)):  # a yes/no habit: every check-in
            history.done = frozenset(days)
        else:
            history.done = frozenset(d for d, value in zip(days, values, strict=True) if habit.counts_as_done(value))
        tz, last_days = zones[habit_id], days[len(days) - len(last_created):]
        minutes = (_local_minute(day, at, tz) for day, at in zip(last_days, last_created, strict=True))
        history.minutes = [m for m in minutes if m is not None]
    for habit_id, start, end in pauses:
        result[habit_id].pauses.append(Pause(start, end))
    return result


def _record(habit: Habit, history: _History, holidays: frozenset[date]) -> HabitRecord:
    return HabitRecord(habit.schedule, history.done, habit.start_day,
                       tuple(sorted(history.pauses, key=lambda p: p.start)), holidays)


def _streaks(habit: Habit, record: HabitRecord, history: _History, today: date, since: date) -> bool:
    """Set the habit's streaks from the window; False (nothing set) when its current streak reaches
    the window's start."""
    streaks = compute_streaks(record.schedule, history.done, today, history.pauses, created=habit.start_day)
    if streaks.current and today - timedelta(days=_span_days(habit, streaks.current)) <= since:
        return False
    habit.current_streak = streaks.current
    habit.longest_streak = max(habit.longest_streak, streaks.longest)
    habit.streak_day = today
    return True


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
    days = [today + timedelta(days=offset) for offset in range(FORECAST_DAYS)]
    rows = []
    for habit, model in zip(habits, models, strict=True):
        for day in days:
            explanation = model.explain(day)
            rows.append((habit.id, day, explanation.probability, risk_reason(explanation)))
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


@dataclass(slots=True)
class _Batch:
    """What a batch reads: its users' zones, their active habits, the window's check-ins and pauses."""

    now: datetime
    zones: dict[int, str]  # user id -> time zone
    todays: dict[int, date]  # user id -> local today
    since: date  # the window's first day
    habits: list[Habit]
    checkins: list[_CheckInRow] = field(default_factory=list)
    pauses: list[tuple[int, date, date]] = field(default_factory=list)


async def _read(user_ids: Sequence[int], now: datetime) -> _Batch:
    zones = dict(await User.filter(id__in=list(user_ids)).values_list("id", "timezone"))
    habits = await Habit.filter(user_id__in=list(zones), archived_at__isnull=True).order_by("user_id", "id")
    todays = {uid: local_today(tz, now) for uid, tz in zones.items()}
    batch = _Batch(now, zones, todays, min(todays.values(), default=now.date()) - timedelta(days=WINDOW_DAYS), habits)
    if habits:
        habit_ids = [h.id for h in habits]
        batch.pauses = list(await HabitPause.filter(habit_id__in=habit_ids).values_list("habit_id", "start", "end"))
        batch.checkins = await _checkins(habit_ids, batch.since)
    return batch


def _compute(batch: _Batch) -> tuple[list[_Forecast], list[Habit]]:
    """Everything but the database: the forecasts, and each habit's streaks, usual minute and next
    nudge set on it. Returns the forecasts and the habits whose current streak reaches the window's
    start (their streaks are counted over the whole history afterwards, in the database)."""
    habits, now, todays, since = batch.habits, batch.now, batch.todays, batch.since
    zones = {h.id: batch.zones[h.user_id] for h in habits}
    histories = _histories(habits, batch.checkins, batch.pauses, zones)
    zone_days = {(zones[h.id], todays[h.user_id]) for h in habits}
    near = {key: holidays_near(*key) for key in zone_days}  # a few zones and days a batch, not one per habit
    records = {h.id: _record(h, histories[h.id], near[zones[h.id], todays[h.user_id]]) for h in habits}
    by_today: dict[date, list[Habit]] = defaultdict(list)
    for habit in habits:
        by_today[todays[habit.user_id]].append(habit)
    forecasts = [row for today, group in by_today.items() for row in _forecasts(group, records, today)]
    long_streaks = []
    for habit in habits:
        history = histories[habit.id]
        if not _streaks(habit, records[habit.id], history, todays[habit.user_id], since):
            long_streaks.append(habit)
        habit.usual_checkin_minute = usual_minute(history.minutes)
        habit.next_nudge_at = habit_next_nudge(habit, zones[habit.id], now)
    return forecasts, long_streaks


@functools.cache
def _computing() -> ThreadPoolExecutor:
    """One thread per process computes the batches, one at a time as on the event loop before (a
    worker running many nightly tasks at once holds one batch's arrays, not one per task)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="nightly")


async def _compute_off_loop(batch: _Batch) -> tuple[list[_Forecast], list[Habit]]:
    """`_compute` in a thread: meanwhile the event loop serves other work (the worker's other tasks,
    the next batch's reads, the last one's writes)."""
    if not batch.habits:
        return [], []
    return await asyncio.get_running_loop().run_in_executor(_computing(), _compute, batch)


async def _finish(batch: _Batch, forecasts: list[_Forecast], long_streaks: list[Habit]) -> int:
    """Count the long streaks over the whole history and store the batch."""
    if not batch.habits:
        return 0
    for habit in long_streaks:  # as long as the window: count it over the whole history
        usual = habit.usual_checkin_minute
        await refresh_streaks(habit, batch.todays[habit.user_id])  # reads the row again into `habit`
        habit.usual_checkin_minute = usual
        habit.next_nudge_at = habit_next_nudge(habit, batch.zones[habit.user_id], batch.now)
    await _store(batch.habits, forecasts)
    return len(batch.habits)


async def refresh_users(user_ids: Sequence[int], now: datetime) -> int:
    """Refresh every active habit of these users as of their local today. Returns how many habits."""
    return await refresh_batches([user_ids], now)


async def refresh_batches(batches: Sequence[Sequence[int]], now: datetime) -> int:
    """Refresh each batch of users in turn, pipelined: while a batch is computed, the next one is
    read and the last one written (so the database's time hides behind the worker's). Returns how
    many habits."""
    total = 0
    reading = asyncio.ensure_future(_read(batches[0], now)) if batches else None
    storing: asyncio.Future[int] | None = None
    try:
        for index in range(len(batches)):
            assert reading is not None
            batch = await reading
            reading = asyncio.ensure_future(_read(batches[index + 1], now)) if index + 1 < len(batches) else None
            computed = await _compute_off_loop(batch)
            if storing is not None:
                total += await storing
            storing = asyncio.ensure_future(_finish(batch, *computed))
        if storing is not None:
            total += await storing
    finally:
        if reading is not None:
            reading.cancel()
        if storing is not None and not storing.done():
            await asyncio.wait([storing])  # a write under way is finished, not cut
    return total
