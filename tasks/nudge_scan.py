"""The minute scan's reads and writes: a handful of set-based statements whatever is due.

On PostgreSQL every step is one statement over arrays (`unnest`), so a 09:00 wave of 100k habits
costs the same number of round trips as a quiet minute. The embedded SQLite default (one writer, a
few users) runs the same steps through the ORM. The context of the due habits is read with
id arrays (`= ANY($1)`), which PostgreSQL answers with index lookups, one statement per table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from tortoise import connections

from smarthabit.fields import WallTimeField
from smarthabit.models import (
    CheckIn,
    Habit,
    HabitKind,
    HabitPause,
    Nudge,
    NudgeKind,
    Reminder,
    SkipPrediction,
    TargetDirection,
)
from smarthabit.schedule import ScheduleKind

HABIT_NUDGE_KINDS = (NudgeKind.SKIP_RISK, NudgeKind.STREAK_RISK)

_FIELDS = (  # the same columns, in the same order, as _WOKEN_SQL
    "id", "user_id", "name", "kind", "target", "target_direction", "schedule_kind", "schedule_weekdays",
    "times_per_week", "start_day", "archived_at", "current_streak", "longest_streak", "streak_day",
    "usual_checkin_minute", "user__timezone", "user__reminders_enabled", "user__nudges_enabled", "user__bot_blocked",
    "user__telegram_chat_id", "user__quiet_start", "user__quiet_end", "user__quiet_reminders_later", "user__language",
)
_WOKEN_SQL = """
SELECT h.id, h.user_id, h.name, h.kind, h.target, h.target_direction, h.schedule_kind, h.schedule_weekdays,
       h.times_per_week, h.start_day, h.archived_at, h.current_streak, h.longest_streak, h.streak_day,
       h.usual_checkin_minute, u.timezone, u.reminders_enabled, u.nudges_enabled, u.bot_blocked,
       u.telegram_chat_id, u.quiet_start, u.quiet_end, u.quiet_reminders_later, u.language
FROM habits h JOIN users u ON u.id = h.user_id
WHERE h.next_nudge_at <= $1
ORDER BY h.next_nudge_at, h.id
LIMIT $2
FOR UPDATE OF h SKIP LOCKED
"""
_DUE_REMINDERS_SQL = """
SELECT r.id, r.local_time, r.next_fire_at,
       h.id, h.user_id, h.name, h.kind, h.target, h.target_direction, h.schedule_kind, h.schedule_weekdays,
       h.times_per_week, h.start_day, h.archived_at, h.current_streak, h.longest_streak, h.streak_day,
       h.usual_checkin_minute, u.timezone, u.reminders_enabled, u.nudges_enabled, u.bot_blocked,
       u.telegram_chat_id, u.quiet_start, u.quiet_end, u.quiet_reminders_later, u.language
FROM reminders r JOIN habits h ON h.id = r.habit_id JOIN users u ON u.id = h.user_id
WHERE r.next_fire_at <= $1
ORDER BY r.next_fire_at, r.id
LIMIT $2
FOR UPDATE OF r SKIP LOCKED
"""
_ADVANCE_REMINDERS_SQL = """
UPDATE reminders SET next_fire_at = v.at FROM unnest($1::int[], $2::timestamptz[]) AS v(id, at)
WHERE reminders.id = v.id
"""
_INSERT_SQL = """
WITH inserted AS (
INSERT INTO nudges (user_id, habit_id, kind, day, key, planned_at, status, text, attempts, created_at)
SELECT n.user_id, n.habit_id, n.kind, n.day, n.key, n.planned_at, 'pending', n.text, 0, now()
FROM unnest($1::int[], $2::int[], $3::text[], $4::date[], $5::text[], $6::timestamptz[], $7::text[])
     AS n(user_id, habit_id, kind, day, key, planned_at, text)
ON CONFLICT (key) DO NOTHING
RETURNING id, planned_at
)
SELECT id FROM inserted ORDER BY planned_at, id
"""
_ADVANCE_SQL = """
UPDATE habits SET next_nudge_at = v.at FROM unnest($1::int[], $2::timestamptz[]) AS v(id, at) WHERE habits.id = v.id
"""


_HABIT_KINDS: dict[str, HabitKind] = {**{k.value: k for k in HabitKind}, **{k: k for k in HabitKind}}
_SCHEDULE_KINDS: dict[str, ScheduleKind] = {**{k.value: k for k in ScheduleKind}, **{k: k for k in ScheduleKind}}
_DIRECTIONS: dict[str, TargetDirection] = {**{k.value: k for k in TargetDirection},
                                           **{k: k for k in TargetDirection}}


@dataclass(slots=True)
class Woken:
    """A habit whose nudge trigger is due, with what its owner allows; duck-types the habit fields
    the schedule, done-rule and texts read."""

    id: int
    user_id: int
    name: str
    kind: HabitKind
    target: float | None
    target_direction: TargetDirection | None
    schedule_kind: ScheduleKind
    schedule_weekdays: int
    times_per_week: int | None
    start_day: date
    archived_at: datetime | None
    current_streak: int
    longest_streak: int
    streak_day: date | None
    usual_checkin_minute: int | None
    timezone: str
    reminders_enabled: bool
    nudges_enabled: bool
    bot_blocked: bool
    telegram_chat_id: int | None
    quiet_start: time | None
    quiet_end: time | None
    quiet_reminders_later: bool
    language: str | None  # the owner's, for the nudge's text

    schedule = Habit.schedule
    counts_as_done = Habit.counts_as_done

    def __post_init__(self) -> None:  # the driver's strings as the enums (a dict lookup: thousands a wave)
        self.kind = _HABIT_KINDS[self.kind]
        self.schedule_kind = _SCHEDULE_KINDS[self.schedule_kind]
        if self.target_direction is not None:
            self.target_direction = _DIRECTIONS[self.target_direction]


@dataclass(slots=True)
class Planned:
    """A nudge row to insert (lighter than building ORM objects for a wave of thousands)."""

    user_id: int
    habit_id: int
    kind: NudgeKind
    day: date
    key: str
    planned_at: datetime
    text: str


_SCHEDULED: dict[tuple[ScheduleKind, int, int | None, date], bool] = {}


def scheduled(habit: Woken, day: date) -> bool:
    """`habit.schedule.is_scheduled(day)`, remembered per distinct schedule and day."""
    key = (habit.schedule_kind, habit.schedule_weekdays, habit.times_per_week, day)
    found = _SCHEDULED.get(key)
    if found is None:
        if len(_SCHEDULED) > 10_000:
            _SCHEDULED.clear()
        found = _SCHEDULED[key] = habit.schedule.is_scheduled(day)
    return found


def _postgres() -> bool:
    return connections.get("default").capabilities.dialect == "postgres"


@dataclass(slots=True)
class DueReminder:
    """A reminder whose firing instant has come, with its habit and owner."""

    id: int
    local_time: time
    fire_at: datetime
    habit: Woken


async def due_reminders(now: datetime, limit: int) -> list[DueReminder]:
    """The earliest due reminders (at most `limit`), locked; others' locked ones are skipped."""
    if _postgres():
        _, rows = await connections.get("default").execute_query(_DUE_REMINDERS_SQL, [now, limit])
        return [DueReminder(r[0], r[1], r[2], Woken(*list(r.values())[3:])) for r in rows]
    reminders = await Reminder.filter(next_fire_at__lte=now).order_by("next_fire_at", "id").limit(limit).values_list(
        "id", "local_time", "next_fire_at", *(f"habit__{f}" for f in _FIELDS))
    return [DueReminder(r[0], WallTimeField().to_python_value(r[1]), r[2], Woken(*r[3:]))  # type: ignore[arg-type]
            for r in reminders]


async def reminders_due_between(after: datetime, until: datetime) -> int:
    """How many reminders fire in (after, until]: the size of the coming wave (an index range count)."""
    return await Reminder.filter(next_fire_at__gt=after, next_fire_at__lte=until).count()


async def advance_reminders(next_at: dict[int, datetime]) -> None:
    """Store each reminder's next firing instant, in one statement on PostgreSQL."""
    if _postgres():
        await connections.get("default").execute_query(_ADVANCE_REMINDERS_SQL, [list(next_at), list(next_at.values())])
        return
    for reminder_id, instant in next_at.items():
        await Reminder.filter(id=reminder_id).update(next_fire_at=instant)


async def woken(now: datetime, limit: int) -> list[Woken]:
    """The habits whose trigger instant has come (earliest first, at most `limit`), locked; others'
    locked ones are skipped."""
    if _postgres():
        _, rows = await connections.get("default").execute_query(_WOKEN_SQL, [now, limit])
        return [Woken(*row.values()) for row in rows]
    query = Habit.filter(next_nudge_at__lte=now).order_by("next_nudge_at", "id").limit(limit)
    return [Woken(*row) for row in await query.values_list(*_FIELDS)]


async def _fetch(sql: str, *args: Any) -> list[tuple[Any, ...]]:
    _, rows = await connections.get("default").execute_query(sql, list(args))
    return [tuple(row.values()) for row in rows]


async def checkins(habit_ids: list[int], first: date, last: date) -> list[tuple[int, date, float | None]]:
    if _postgres():
        return await _fetch("SELECT habit_id, day, value FROM checkins WHERE habit_id = ANY($1::int[]) "
                            "AND day BETWEEN $2 AND $3", habit_ids, first, last)
    return await CheckIn.filter(habit_id__in=habit_ids, day__gte=first, day__lte=last).values_list(
        "habit_id", "day", "value")


async def pauses(habit_ids: list[int], first: date, last: date) -> list[tuple[int, date, date]]:
    if _postgres():
        return await _fetch('SELECT habit_id, start, "end" FROM habit_pauses WHERE habit_id = ANY($1::int[]) '
                            'AND start <= $3 AND "end" >= $2', habit_ids, first, last)
    return await HabitPause.filter(habit_id__in=habit_ids, start__lte=last, end__gte=first).values_list(
        "habit_id", "start", "end")


async def forecasts(habit_ids: list[int], days: Sequence[date]) -> list[tuple[int, date, float, str]]:
    if _postgres():
        return await _fetch("SELECT habit_id, day, probability, reason FROM skip_predictions "
                            "WHERE habit_id = ANY($1::int[]) AND day = ANY($2::date[])", habit_ids, list(days))
    return await SkipPrediction.filter(habit_id__in=habit_ids, day__in=list(days)).values_list(
        "habit_id", "day", "probability", "reason")


async def habit_nudges(user_ids: list[int], days: Sequence[date]) -> list[tuple[int, int, date, str]]:
    """The habit nudges of these users on those days: (user, habit, day, status)."""
    kinds = [k.value for k in HABIT_NUDGE_KINDS]
    if _postgres():
        return await _fetch("SELECT user_id, habit_id, day, status FROM nudges WHERE user_id = ANY($1::int[]) "
                            "AND day = ANY($2::date[]) AND kind = ANY($3::text[])", user_ids, list(days), kinds)
    return await Nudge.filter(user_id__in=user_ids, day__in=list(days), kind__in=HABIT_NUDGE_KINDS).values_list(
        "user_id", "habit_id", "day", "status")


async def lock_users(user_ids: list[int]) -> None:
    """Lock these users' rows (in id order), so concurrent scans cannot both take a user's last slot
    under the daily cap."""
    if _postgres():
        await _fetch("SELECT id FROM users WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE", sorted(user_ids))


async def insert(nudges: list[Planned]) -> list[int]:
    """Insert PENDING nudges; a key planned meanwhile is skipped. Returns the new ids, oldest plan first."""
    if not nudges:
        return []
    if _postgres():
        columns = ([n.user_id for n in nudges], [n.habit_id for n in nudges], [n.kind.value for n in nudges],
                   [n.day for n in nudges], [n.key for n in nudges], [n.planned_at for n in nudges],
                   [n.text for n in nudges])
        _, rows = await connections.get("default").execute_query(_INSERT_SQL, list(columns))
        return [row["id"] for row in rows]
    existing = set(await Nudge.filter(key__in=[n.key for n in nudges]).values_list("key", flat=True))
    fresh = [n for n in nudges if n.key not in existing]
    await Nudge.bulk_create([Nudge(user_id=n.user_id, habit_id=n.habit_id, kind=n.kind, day=n.day, key=n.key,
                                   planned_at=n.planned_at, text=n.text) for n in fresh])
    return list(await Nudge.filter(key__in=[n.key for n in fresh]).values_list("id", flat=True))


async def advance(next_at: dict[int, datetime | None]) -> None:
    """Store each habit's next trigger instant (None: no trigger until the nightly run sets one)."""
    if not next_at:
        return
    if _postgres():
        ids, instants = list(next_at), list(next_at.values())
        await connections.get("default").execute_query(_ADVANCE_SQL, [ids, instants])
        return
    by_instant: dict[datetime | None, list[int]] = {}
    for habit_id, instant in next_at.items():
        by_instant.setdefault(instant, []).append(habit_id)
    for instant, ids in by_instant.items():
        await Habit.filter(id__in=ids).update(next_nudge_at=instant)
