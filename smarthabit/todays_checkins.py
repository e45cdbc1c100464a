"""Today's check-ins on PostgreSQL, batched: check-ins that arrive while one statement is in flight
share the next one (group commit).

The common check-in (a yes/no habit, today, streak cache valid for today) is one statement: find
the owner's active habit and the owner's local day, insert the row, add one to the cached streak.
Under load the database's work per statement and per commit, and the driver's per query, dominate
it; a batch pays them once. Nothing waits on a timer: a lone check-in goes at once, and a batch
holds what arrived during the previous round trip (`smarthabit.batching`).

Each item keeps the meaning it has alone: its own owner, local day and result; two check-ins of one
habit in a batch are a check-in and its repeat. The statement always returns the habit row, so any
other check-in (back-fill, measurable, weekly quota, stale cache) goes on to the general path in
`smarthabit.checkins` without reading it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.exceptions import OperationalError

from smarthabit.batching import Batcher
from smarthabit.clock import utcnow
from smarthabit.errors import NotFound
from smarthabit.i18n import N_
from smarthabit.metrics import CHECKIN_BATCH
from smarthabit.models import CheckInSource, Habit
from smarthabit.orm import fetch, from_row
from smarthabit.streaks import MILESTONES

log = logging.getLogger("smarthabit.checkins")
MAX_BATCH = 64  # the statement's final joins are nested loops: keep them small
DEADLOCK_RETRIES = 3
INVALID_PARAMETER_VALUE = "22023"  # SQLSTATE of, among others, a time zone PostgreSQL does not know
DEADLOCK_DETECTED = "40P01"  # two batches that check in the same two habits in opposite orders

# `applied`: the item is the common check-in, the one `streak_cache.streaks_after_checkin` handles
# by adding one (today's, on a cache valid for today, not counted per week). The UPDATE re-checks
# `streak_day`, the kind and the schedule on the row it locks: a cache another writer moved meanwhile,
# or a habit that no longer counts today that way, is not advanced, and the caller recomputes it
# (under the lock). Every other writer locks the habit before it reads the rows (streak_cache).
_BATCH = """
WITH request AS (
    SELECT * FROM unnest($1::int[], $2::int[], $3::timestamptz[], $4::date[], $5::float8[], $6::text[], $7::text[],
                         $9::timestamptz[])
        WITH ORDINALITY AS r(habit_id, user_id, at, day, value, note, source, issued_at, n)
), target AS (
    SELECT request.n, request.day AS requested_day, request.value AS requested_value,
           request.note AS requested_note, request.source AS requested_source,
           h.*, u.timezone AS owner_timezone, timezone(u.timezone, request.at)::date AS owner_today
    FROM request
    JOIN habits h ON h.id = request.habit_id AND h.user_id = request.user_id AND h.archived_at IS NULL
    JOIN users u ON u.id = h.user_id  -- a credential issued before the account's sessions ended finds nothing
        AND (u.sessions_revoked_at IS NULL OR request.issued_at IS NULL OR request.issued_at >= u.sessions_revoked_at)
), applicable AS (
    SELECT *, (kind = 'yes_no' AND COALESCE(requested_day, owner_today) = owner_today
               AND streak_day = owner_today AND schedule_kind <> 'times_per_week') AS applied
    FROM target
), todays AS (
    SELECT DISTINCT ON (id) n, id, user_id, owner_today, requested_value, requested_note, requested_source
    FROM applicable WHERE applied ORDER BY id, n
), inserted AS (
    INSERT INTO checkins (habit_id, day, value, note, source, created_at)
    SELECT id, owner_today, requested_value, requested_note, requested_source, $8 FROM todays
    ON CONFLICT (habit_id, day) DO NOTHING
    RETURNING id, habit_id
), advanced AS (
    UPDATE habits h SET current_streak = h.current_streak + 1,
                        longest_streak = GREATEST(h.longest_streak, h.current_streak + 1)
    FROM todays JOIN inserted ON inserted.habit_id = todays.id
    WHERE h.id = todays.id AND h.streak_day = todays.owner_today
      AND h.kind = 'yes_no' AND h.schedule_kind <> 'times_per_week'
    RETURNING h.id, h.current_streak, h.longest_streak
), outbox AS (  -- webhook events in the same statement (`smarthabit.webhooks`), for users with a live hook
    INSERT INTO webhook_events (user_id, event, payload, created_at)
    SELECT todays.user_id, e.event, e.payload, $8
    FROM todays JOIN inserted ON inserted.habit_id = todays.id
    LEFT JOIN advanced ON advanced.id = todays.id
    CROSS JOIN LATERAL (VALUES
        ('checkin.created', jsonb_build_object('checkin', jsonb_build_object(
            'id', inserted.id, 'habit_id', todays.id, 'day', todays.owner_today,
            'value', todays.requested_value, 'note', todays.requested_note))),
        ('streak.milestone', CASE WHEN advanced.current_streak IN (%(milestones)s)
            THEN jsonb_build_object('habit_id', todays.id, 'streak', advanced.current_streak) END)
    ) AS e(event, payload)
    WHERE e.payload IS NOT NULL
      AND EXISTS (SELECT 1 FROM webhooks w WHERE w.user_id = todays.user_id AND w.disabled_at IS NULL)
)
SELECT applicable.*, inserted.id AS checkin_id, advanced.current_streak AS advanced_current,
       advanced.longest_streak AS advanced_longest
FROM applicable
LEFT JOIN todays ON todays.n = applicable.n
LEFT JOIN inserted ON inserted.habit_id = todays.id
LEFT JOIN advanced ON advanced.id = inserted.habit_id
""".replace("%(milestones)s", ", ".join(map(str, MILESTONES)))
_NOT_HABIT_COLUMNS = ("n", "requested_day", "requested_value", "requested_note", "requested_source",
                      "owner_timezone", "owner_today", "applied", "checkin_id", "advanced_current", "advanced_longest")


@dataclass(frozen=True, slots=True)
class TodaysCheckIn:
    """One caller's check-in, validated (ids in range, value and note clean)."""

    user_id: int
    habit_id: int
    day: date | None
    value: float | None
    note: str | None
    source: CheckInSource
    now: datetime
    credential_issued_at: datetime | None = None  # when given, a session ended since then finds nothing


@dataclass(frozen=True, slots=True)
class Attempt:
    """What the statement did for one check-in, and the habit as it was read."""

    habit: Habit
    timezone: str
    today: date  # the owner's local day, as PostgreSQL's time zone data has it
    applied: bool  # the statement was the whole check-in (else nothing was written for it)
    checkin_id: int | None  # the new row; None when applied but the day was already checked in
    created_at: datetime
    advanced: tuple[int, int] | None  # (current, longest) after the in-place advance


async def submit(item: TodaysCheckIn) -> Attempt | None:
    """Send the check-in with whatever else is waiting. NotFound for anyone else's or an archived
    habit; None when PostgreSQL's time zone data lacks the owner's zone (it may be older than
    Python's): the caller then takes the general path, which reads local days with Python's."""
    if isinstance(connections.get("default"), TransactionalDBClient):  # the caller's transaction holds it
        outcome = (await _send([item]))[0]
        if isinstance(outcome, NotFound):
            raise outcome
        return outcome
    return await _batcher.submit(item)


async def _send(items: list[TodaysCheckIn]) -> list[Attempt | NotFound | None]:
    """One statement for the items: per item its attempt, NotFound, or None (zone unknown here)."""
    created_at = utcnow()
    arguments = (
        [i.habit_id for i in items], [i.user_id for i in items], [i.now for i in items], [i.day for i in items],
        [i.value for i in items], [i.note for i in items], [i.source.value for i in items], created_at,
        [i.credential_issued_at for i in items],
    )
    for attempt in range(1, DEADLOCK_RETRIES + 1):
        try:
            rows = await fetch(_BATCH, *arguments)
            break
        except (OperationalError, asyncpg.PostgresError) as exc:  # Tortoise wraps some of asyncpg's, not all
            sqlstate = getattr(exc, "sqlstate", None) or getattr(exc.__cause__, "sqlstate", None)
            if sqlstate == INVALID_PARAMETER_VALUE:
                log.warning("time zone unknown to PostgreSQL: general path", extra={"error": str(exc)})
                return [None] * len(items)
            if sqlstate != DEADLOCK_DETECTED or attempt == DEADLOCK_RETRIES:
                raise
            log.warning("check-in batch chosen as a deadlock victim: sending it again", extra={"attempt": attempt})
    CHECKIN_BATCH.observe(len(items))
    found = {row["n"]: row for row in rows}
    return [_attempt(found[n], created_at) if n in found
            else NotFound(N_("Habit not found"), {"habit_id": item.habit_id})
            for n, item in enumerate(items, start=1)]


_batcher: Batcher[TodaysCheckIn, Attempt | None] = Batcher(_send, MAX_BATCH)


def _attempt(row: dict[str, Any], created_at: datetime) -> Attempt:
    extra = {key: row.pop(key) for key in _NOT_HABIT_COLUMNS}  # what is left is the habit's row
    advanced = None
    if extra["advanced_current"] is not None:
        advanced = (extra["advanced_current"], extra["advanced_longest"])
    return Attempt(from_row(Habit, row), extra["owner_timezone"], extra["owner_today"], extra["applied"],
                   extra["checkin_id"], created_at, advanced)
