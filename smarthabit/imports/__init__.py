"""Imports: other files become habits, check-ins and pauses of an account, all or nothing.

Every importer (our own JSON export, Loop Habit Tracker's CSV zip) turns its file into an
`ImportPlan` first, validating everything, and `apply_import` writes the plan in one transaction.
Each imported habit remembers its origin (`ImportedHabit`: source and the file's key for it), so
importing the same file again finds the habits it made and adds only what is missing: nothing is
duplicated. A new habit whose name clashes with one of the account is renamed, as account linking
does (`claim_free_name`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from tortoise.transactions import in_transaction

from smarthabit.clock import local_today, utcnow
from smarthabit.errors import ValidationFailed
from smarthabit.habits import MAX_ACTIVE_HABITS, claim_free_name, taken_names
from smarthabit.i18n import N_
from smarthabit.models import CheckIn, CheckInSource, Habit, HabitKind, HabitPause, ImportedHabit, Reminder, User
from smarthabit.reminder_times import next_fire_at
from smarthabit.schedule import Schedule
from smarthabit.streak_cache import refresh_streaks
from smarthabit.webhooks import habit_payload, record_event

DEFAULT_IMPORT_MAX_BYTES = 10 * 1024 * 1024  # IMPORT_MAX_BYTES's default; the bot's limit
MAX_IMPORT_HABITS = 500
MAX_IMPORT_CHECKINS = 200_000


@dataclass(slots=True)
class PlannedHabit:
    """A habit as a file describes it; `key` identifies it within its source across imports."""

    key: str
    name: str
    kind: HabitKind
    schedule: Schedule
    start_day: date
    description: str = ""
    target: float | None = None
    unit: str | None = None
    target_direction: str | None = None
    archived: bool = False
    reminder_times: list[time] = field(default_factory=list)
    checkins: dict[date, tuple[float | None, str | None]] = field(default_factory=dict)
    pauses: list[tuple[date, date]] = field(default_factory=list)


@dataclass(slots=True)
class ImportPlan:
    source: str
    habits: list[PlannedHabit]


@dataclass(slots=True)
class ImportSummary:
    habits_created: int = 0
    habits_matched: int = 0
    checkins_created: int = 0
    pauses_created: int = 0
    renamed: dict[str, str] = field(default_factory=dict)  # name in the file -> name given


async def apply_import(user: User, plan: ImportPlan, *, now: datetime | None = None) -> ImportSummary:
    """Write the plan into the account in one transaction (nothing is written if anything fails)."""
    now = now or utcnow()
    summary = ImportSummary()
    async with in_transaction():
        taken = await taken_names(user)
        for planned in plan.habits:
            habit = await _habit_for(user, plan.source, planned, taken, now, summary)
            summary.checkins_created += await _add_checkins(habit, planned)
            summary.pauses_created += await _add_pauses(habit, planned)
            await refresh_streaks(habit, local_today(user.timezone, now))
        active = await Habit.filter(user_id=user.id, archived_at__isnull=True).count()
        if active > MAX_ACTIVE_HABITS:
            raise ValidationFailed(N_("The import would leave more than {max} active habits"),
                                   {"active_after_import": active}, code="too_many_habits",
                                   params={"max": MAX_ACTIVE_HABITS})
    return summary


async def _habit_for(
    user: User, source: str, planned: PlannedHabit, taken: set[str], now: datetime, summary: ImportSummary
) -> Habit:
    """The habit an earlier import of this source made for the key, else a new one."""
    origin = await ImportedHabit.filter(user_id=user.id, source=source, external_key=planned.key).first()
    if origin is not None:
        summary.habits_matched += 1
        return await Habit.get(id=origin.habit_id)
    name = claim_free_name(planned.name, taken)
    if name != planned.name:
        summary.renamed[planned.name] = name
    schedule = planned.schedule
    habit = await Habit.create(
        user_id=user.id, name=name, description=planned.description, kind=planned.kind, target=planned.target,
        unit=planned.unit, target_direction=planned.target_direction, schedule_kind=schedule.kind,
        schedule_weekdays=sum(1 << d for d in schedule.weekdays), times_per_week=schedule.times_per_week or None,
        start_day=planned.start_day, position=await Habit.filter(user_id=user.id).count(),
        archived_at=now if planned.archived else None,
    )
    for local_time in planned.reminder_times:
        await Reminder.create(habit_id=habit.id, local_time=local_time,
                              next_fire_at=next_fire_at(local_time, user.timezone, now))
    await ImportedHabit.create(user_id=user.id, source=source, external_key=planned.key, habit_id=habit.id)
    summary.habits_created += 1
    if not planned.archived:
        await record_event(user.id, "habit.created", habit_payload(habit), now=now)
    return habit


async def _add_checkins(habit: Habit, planned: PlannedHabit) -> int:
    existing = set(await CheckIn.filter(habit_id=habit.id).values_list("day", flat=True))
    rows = [
        CheckIn(habit_id=habit.id, day=day, value=value, note=note, source=CheckInSource.IMPORT)
        for day, (value, note) in sorted(planned.checkins.items()) if day not in existing
    ]
    if rows:
        await CheckIn.bulk_create(rows, batch_size=1000)
    return len(rows)


async def _add_pauses(habit: Habit, planned: PlannedHabit) -> int:
    existing = set(await HabitPause.filter(habit_id=habit.id).values_list("start", "end"))
    added = 0
    for start, end in planned.pauses:
        if (start, end) not in existing:
            await HabitPause.create(habit_id=habit.id, start=start, end=end)
            existing.add((start, end))
            added += 1
    return added
