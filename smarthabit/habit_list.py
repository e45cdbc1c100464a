"""The habit list as clients read it (`GET /habits`): plain rows in the API's shape, no model per habit.

The list is the hottest read, asked for as often as check-ins are made. On PostgreSQL it is one
statement: the account (gone, or its sessions ended: the caller refuses the credential), the owner's
local day (PostgreSQL's time zone rules, as today's check-in uses), and the habits with that day's
check-in, pause and reminder times. A profile showed a list request spending more on building a
Tortoise model and a pydantic model per habit than on the database, so rows go straight to the
dicts the API encodes. A habit whose streak cache is not valid for the day (its first read of a day)
is refreshed first; that is the only case that reads more. Lists asked for at the same time share
one statement (`smarthabit.batching`), as today's check-ins do. The bot's lists
(`habits.list_habits`) read the same statement and build models from it. The embedded database
reads the same through the ORM (`list_with_orm`, four statements).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any, TypedDict

import asyncpg
from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.exceptions import OperationalError

from smarthabit.batching import Batcher
from smarthabit.clock import local_today, utcnow
from smarthabit.models import CheckIn, Habit, HabitPause, Reminder, User, counts_as_done
from smarthabit.orm import fetch_records, on_postgres
from smarthabit.schedule import Schedule, ScheduleKind
from smarthabit.streak_cache import refresh_streaks

log = logging.getLogger("smarthabit.habit_list")
Row = Mapping[str, Any] | asyncpg.Record  # PostgreSQL's rows as the driver gives them; the ORM path's as dicts
INVALID_PARAMETER_VALUE = "22023"  # SQLSTATE of a time zone PostgreSQL does not know

# Per request (`n`): one row per habit, or one row with a NULL habit for an account without any; none
# for a gone account.
_SQL = """
WITH owner AS (
    SELECT r.n, r.include_archived, u.id, u.sessions_revoked_at, timezone(u.timezone, $2::timestamptz)::date AS today
    FROM unnest($1::int[], $3::bool[]) WITH ORDINALITY AS r(user_id, include_archived, n)
    JOIN users u ON u.id = r.user_id
)
SELECT o.n, o.sessions_revoked_at, o.today, h.id, h.user_id, h.name, h.description, h.kind, h.target, h.unit,
       h.target_direction, h.schedule_kind, h.schedule_weekdays, h.times_per_week, h.start_day, h.position,
       h.archived_at, h.current_streak, h.longest_streak, h.streak_day, h.usual_checkin_minute, h.next_nudge_at,
       h.created_at, h.updated_at,
       c.id IS NOT NULL AS checked, c.value AS today_value,
       EXISTS (SELECT 1 FROM habit_pauses p WHERE p.habit_id = h.id AND p.start <= o.today AND p."end" >= o.today)
           AS paused,
       ARRAY(SELECT r.local_time FROM reminders r WHERE r.habit_id = h.id ORDER BY r.local_time) AS reminder_times
FROM owner o
LEFT JOIN habits h ON h.user_id = o.id AND (o.include_archived OR h.archived_at IS NULL)
                  AND ($4::int[] IS NULL OR h.id = ANY($4::int[]))
LEFT JOIN checkins c ON c.habit_id = h.id AND c.day = o.today
ORDER BY o.n, h.position, h.id
"""
MAX_BATCH = 32
HABIT_COLUMNS = ("id", "user_id", "name", "description", "kind", "target", "unit", "target_direction",
                 "schedule_kind", "schedule_weekdays", "times_per_week", "start_day", "position", "archived_at",
                 "current_streak", "longest_streak", "streak_day", "usual_checkin_minute", "next_nudge_at",
                 "created_at", "updated_at")  # every column of `habits`, as the statement reads them (tested)
_WEEKDAYS = tuple([d for d in range(7) if mask & (1 << d)] for mask in range(128))


class ScheduleListing(TypedDict):
    kind: str
    weekdays: list[int]
    times_per_week: int | None


class HabitListing(TypedDict):
    """A habit as listed: its fields, its schedule, and its state on the owner's `today`."""

    id: int
    name: str
    description: str
    kind: str
    target: float | None
    unit: str | None
    target_direction: str | None
    schedule: ScheduleListing
    reminder_times: list[time]
    position: int
    start_day: date
    archived_at: datetime | None
    current_streak: int
    longest_streak: int
    today: date
    due_today: bool
    done_today: bool
    today_value: float | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class HabitList:
    """The owner's habits in order; `sessions_revoked_at` for the caller's credential check."""

    sessions_revoked_at: datetime | None
    today: date
    items: list[HabitListing]


async def listing(
    user_id: int, *, include_archived: bool = False, habit_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> HabitList | None:
    """The account's habits as listed (only `habit_ids` when given), or None if the account is gone."""
    rows = await habit_rows(user_id, include_archived=include_archived, habit_ids=habit_ids, now=now)
    if rows is None:
        return await _with_orm(user_id, include_archived, habit_ids, now or utcnow())
    if not rows:
        return None
    today = rows[0]["today"]
    return HabitList(rows[0]["sessions_revoked_at"], today,
                     await _items([row for row in rows if row["id"] is not None], today))


async def habit_rows(
    user_id: int, *, include_archived: bool = False, habit_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[Row] | None:
    """The statement's rows for one account on PostgreSQL (none for a gone account; one without a habit
    for an account without any), shared with concurrent callers; None on the embedded database or when
    PostgreSQL lacks the owner's zone: read through the ORM then (`list_with_orm`)."""
    if not on_postgres():
        return None
    request = _Request(user_id, include_archived)
    if habit_ids is None and now is None and not isinstance(connections.get("default"), TransactionalDBClient):
        return await _batcher.submit(request)
    # one habit, a given instant, or inside the caller's transaction (which holds its connection)
    [rows] = await _send([request], habit_ids, now)
    return rows


@dataclass(frozen=True, slots=True)
class _Request:
    user_id: int
    include_archived: bool


async def _send(
    requests: list[_Request], habit_ids: Collection[int] | None = None, now: datetime | None = None
) -> list[list[Row] | None]:
    """Each request's rows from one statement; None for all when PostgreSQL's time zone data lacks an
    owner's zone (it may be older than Python's): the callers then read through the ORM."""
    try:
        rows = await fetch_records(_SQL, [r.user_id for r in requests], now or utcnow(),
                           [r.include_archived for r in requests], None if habit_ids is None else list(habit_ids))
    except (OperationalError, asyncpg.PostgresError) as exc:
        if (getattr(exc, "sqlstate", None) or getattr(exc.__cause__, "sqlstate", None)) != INVALID_PARAMETER_VALUE:
            raise
        log.warning("time zone unknown to PostgreSQL: listed through the ORM", extra={"error": str(exc)})
        return [None] * len(requests)
    found: list[list[Row]] = [[] for _ in requests]
    for row in rows:
        found[row["n"] - 1].append(row)
    return list(found)


_batcher: Batcher[_Request, list[Row] | None] = Batcher(_send, MAX_BATCH)


async def _with_orm(
    user_id: int, include_archived: bool, habit_ids: Collection[int] | None, now: datetime
) -> HabitList | None:
    user = await User.get_or_none(id=user_id)
    if user is None:
        return None
    today = local_today(user.timezone, now)
    rows = [{**{column: getattr(habit, column) for column in HABIT_COLUMNS}, "checked": checked, "today_value": value,
             "paused": paused, "reminder_times": times}
            for habit, checked, value, paused, times in await list_with_orm(user, today, include_archived, habit_ids)]
    return HabitList(user.sessions_revoked_at, today, await _items(rows, today))


async def _items(rows: list[Row], today: date) -> list[HabitListing]:
    """The rows as listed; a streak cache not valid for `today` (the day's first read) is refreshed first."""
    refreshed = {}
    for row in rows:
        if row["streak_day"] != today:
            streaks = await refresh_streaks(await Habit.get(id=row["id"]), today)
            refreshed[row["id"]] = (streaks.current, streaks.longest)
    return [_listing(row, today, refreshed.get(row["id"])) for row in rows]


def _listing(row: Row, today: date, streaks: tuple[int, int] | None) -> HabitListing:
    current, longest = streaks or (row["current_streak"], row["longest_streak"])
    kind, value = row["kind"], row["today_value"]
    schedule_kind, weekdays, times_per_week = row["schedule_kind"], row["schedule_weekdays"], row["times_per_week"]
    return {
        "id": row["id"], "name": row["name"], "description": row["description"], "kind": kind,
        "target": row["target"], "unit": row["unit"], "target_direction": row["target_direction"],
        "schedule": {"kind": schedule_kind, "weekdays": list(_WEEKDAYS[weekdays]),
                     "times_per_week": times_per_week or None},
        "reminder_times": list(row["reminder_times"]), "position": row["position"], "start_day": row["start_day"],
        "archived_at": row["archived_at"], "current_streak": current, "longest_streak": longest, "today": today,
        "due_today": row["archived_at"] is None and not row["paused"]
        and scheduled_on(schedule_kind, weekdays, times_per_week, today),
        "done_today": row["checked"] and counts_as_done(kind, row["target"], row["target_direction"], value),
        "today_value": value, "created_at": row["created_at"], "updated_at": row["updated_at"],
    }


@lru_cache(maxsize=4096)
def scheduled_on(kind: str, weekdays: int, times: int | None, day: date) -> bool:
    """Whether a schedule given by the habit's stored fields is due on `day`, remembered per distinct
    schedule and day (lists are hot)."""
    return Schedule(ScheduleKind(kind), frozenset(d for d in range(7) if weekdays & (1 << d)),
                    times or 0).is_scheduled(day)


async def list_with_orm(
    user: User, today: date, include_archived: bool, habit_ids: Collection[int] | None
) -> list[tuple[Habit, bool, float | None, bool, list[time]]]:
    """The list on the embedded database: the habits, then their day's check-ins, pauses and reminder
    times, one statement each."""
    query = Habit.filter(user_id=user.id)
    if not include_archived:
        query = query.filter(archived_at__isnull=True)
    if habit_ids is not None:
        query = query.filter(id__in=list(habit_ids))
    habits = await query.order_by("position", "id")
    ids = [h.id for h in habits]
    if not ids:
        return []
    todays = dict(await CheckIn.filter(habit_id__in=ids, day=today).values_list("habit_id", "value"))
    paused = set(await HabitPause.filter(habit_id__in=ids, start__lte=today, end__gte=today).values_list(
        "habit_id", flat=True))
    times: dict[int, list[time]] = {habit_id: [] for habit_id in ids}
    for habit_id, local_time in await Reminder.filter(habit_id__in=ids).order_by("local_time").values_list(
        "habit_id", "local_time"
    ):
        times[habit_id].append(local_time)
    return [(h, h.id in todays, todays.get(h.id), h.id in paused, times[h.id]) for h in habits]
