"""Habit use cases, written once for the API, the bot and the workers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from smarthabit.clock import local_today, utcnow
from smarthabit.errors import Conflict, NotFound, ValidationFailed
from smarthabit.habit_list import HABIT_COLUMNS, habit_rows, list_with_orm, scheduled_on
from smarthabit.i18n import N_
from smarthabit.models import Habit, HabitKind, HabitPause, Reminder, User
from smarthabit.nudge_times import habit_next_nudge
from smarthabit.orm import from_row
from smarthabit.reminder_times import next_fire_at
from smarthabit.schemas import HabitCreate, HabitUpdate
from smarthabit.streak_cache import recompute_locked, refresh_streaks
from smarthabit.webhooks import habit_payload, record_event

MAX_ACTIVE_HABITS = 100
MAX_PAUSE_DAYS = 366


@dataclass(frozen=True, slots=True)
class HabitStatus:
    """A habit as listed: today's state and its streaks as of the user's today."""

    habit: Habit
    today: date
    due_today: bool
    done_today: bool
    today_value: float | None
    reminder_times: list[time] = field(default_factory=list)  # local times, earliest first


def _weekday_mask(weekdays: list[int]) -> int:
    return sum(1 << d for d in set(weekdays))


async def get_habit(
    user: User, habit_id: int, *, include_archived: bool = True, for_update: bool = False
) -> Habit:
    """The user's habit, or NotFound, also for another user's habit (no hint that it exists).

    `for_update`: hold the habit's row lock until the caller's transaction ends (every writer of its
    streak cache does, see `smarthabit.streak_cache`)."""
    query = Habit.filter(id=habit_id, user_id=user.id)
    if not include_archived:
        query = query.filter(archived_at__isnull=True)
    if for_update:
        query = query.select_for_update()
    habit = await query.first()
    if habit is None:
        raise NotFound(N_("Habit not found"), {"habit_id": habit_id})
    return habit


async def check_name_available(user: User, name: str, *, exclude_id: int | None = None) -> None:
    """Raise Conflict when an active habit already has that name (also so a form can re-ask early).

    Compared lower-cased in Python (at most MAX_ACTIVE_HABITS names): SQLite's own case folding knows
    ASCII only, and "École" is "école" on either database."""
    query = Habit.filter(user_id=user.id, archived_at__isnull=True)
    if exclude_id is not None:
        query = query.exclude(id=exclude_id)
    if name.lower() in {taken.lower() for taken in await query.values_list("name", flat=True)}:
        raise Conflict(N_("You already have a habit with that name"), {"name": name}, code="duplicate_name")


async def taken_names(user: User) -> set[str]:
    """The lower-cased names of all the user's habits (archived too), for `claim_free_name`."""
    return {name.lower() for name in await Habit.filter(user_id=user.id).values_list("name", flat=True)}


def claim_free_name(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)` (again while taken) when it clashes; the result is added to `taken`.
    Used wherever habits arrive in bulk: account merging and imports."""
    while name.lower() in taken:
        name = f"{name[:90]} (2)"
    taken.add(name.lower())
    return name


async def reminder_times(habit: Habit) -> list[time]:
    """The habit's local reminder times, earliest first."""
    return sorted(await Reminder.filter(habit_id=habit.id).values_list("local_time", flat=True))


async def _set_reminders(habit: Habit, user: User, times: list[time], now: datetime) -> None:
    await Reminder.filter(habit_id=habit.id).exclude(local_time__in=times).delete()
    existing = set(await Reminder.filter(habit_id=habit.id).values_list("local_time", flat=True))
    for local_time in times:
        if local_time not in existing:
            await Reminder.create(
                habit_id=habit.id, local_time=local_time,
                next_fire_at=next_fire_at(local_time, user.timezone, now),
            )


async def reschedule_reminders(user: User, now: datetime | None = None) -> None:
    """Recompute every reminder's next instant, e.g. after the user changed time zone."""
    now = now or utcnow()
    reminders = await Reminder.filter(habit__user_id=user.id)
    for reminder in reminders:
        reminder.next_fire_at = next_fire_at(reminder.local_time, user.timezone, now)
        await reminder.save(update_fields=["next_fire_at"])
    for habit in await Habit.filter(user_id=user.id, archived_at__isnull=True):
        await Habit.filter(id=habit.id).update(next_nudge_at=habit_next_nudge(habit, user.timezone, now))


async def _lock_owner(user: User) -> None:
    """Hold the account's row lock until the transaction ends: creates and restores of one account's
    habits run one at a time, so the active-habit cap is exact (the name is the unique index's)."""
    if await User.filter(id=user.id).select_for_update().first() is None:
        raise NotFound(N_("Account not found"))


async def _check_room(user: User) -> int:
    """The number of active habits; ValidationFailed at the cap. The caller holds `_lock_owner`."""
    active = await Habit.filter(user_id=user.id, archived_at__isnull=True).count()
    if active >= MAX_ACTIVE_HABITS:
        raise ValidationFailed(N_("At most {max} active habits"), {"max": MAX_ACTIVE_HABITS}, code="too_many_habits",
                               params={"max": MAX_ACTIVE_HABITS})
    return active


@asynccontextmanager
async def _unique_name(name: str) -> AsyncIterator[None]:
    """Turn the unique index's refusal (a concurrent create or rename won the name) into Conflict."""
    try:
        yield
    except IntegrityError:
        raise Conflict(N_("You already have a habit with that name"), {"name": name}, code="duplicate_name") from None


async def create_habit(user: User, data: HabitCreate, *, now: datetime | None = None) -> Habit:
    """Create a habit (and its reminders) atomically; names are unique among active habits (a
    partial unique index decides), at most MAX_ACTIVE_HABITS are active (under the account's lock)."""
    now = now or utcnow()
    async with _unique_name(data.name), in_transaction():
        await _lock_owner(user)
        await check_name_available(user, data.name)
        active = await _check_room(user)
        today = local_today(user.timezone, now)
        habit = await Habit.create(
            user_id=user.id, name=data.name, description=data.description, kind=data.kind,
            target=data.target, unit=data.unit, target_direction=data.target_direction,
            schedule_kind=data.schedule.kind, schedule_weekdays=_weekday_mask(data.schedule.weekdays),
            times_per_week=data.schedule.times_per_week, start_day=today, position=active,
            streak_day=today,
        )
        habit.next_nudge_at = habit_next_nudge(habit, user.timezone, now)
        await Habit.filter(id=habit.id).update(next_nudge_at=habit.next_nudge_at)
        await _set_reminders(habit, user, data.reminder_times, now)
        await record_event(user.id, "habit.created", habit_payload(habit), now=now)
    return habit


async def update_habit(user: User, habit_id: int, data: HabitUpdate, *, now: datetime | None = None) -> Habit:
    """Apply a partial update; a changed schedule or target recomputes the cached streaks."""
    now = now or utcnow()
    changes = data.model_dump(exclude_unset=True)
    async with _unique_name(data.name or ""), in_transaction():
        habit = await get_habit(user, habit_id, for_update=True)
        if "name" in changes and changes["name"] is not None:
            await check_name_available(user, changes["name"], exclude_id=habit.id)
            habit.name = changes["name"]
        for field in ("description", "unit", "target_direction", "position"):
            if field in changes and changes[field] is not None:
                setattr(habit, field, changes[field])
        if data.kind is not None:
            habit.kind = data.kind
        if data.target is not None:
            habit.target = data.target
        if habit.kind is HabitKind.MEASURABLE and habit.target is None:
            raise ValidationFailed(N_("A measurable habit needs a target"), {"field": "target"})
        if data.schedule is not None:
            habit.schedule_kind = data.schedule.kind
            habit.schedule_weekdays = _weekday_mask(data.schedule.weekdays)
            habit.times_per_week = data.schedule.times_per_week
        await habit.save()
        if data.reminder_times is not None:
            await _set_reminders(habit, user, data.reminder_times, now)
        await recompute_locked(habit, local_today(user.timezone, now))
        await record_event(user.id, "habit.updated", habit_payload(habit), now=now)
    return habit


async def archive_habit(user: User, habit_id: int) -> Habit:
    habit = await get_habit(user, habit_id)
    if habit.archived_at is None:
        async with in_transaction():
            habit.archived_at = utcnow()
            await habit.save(update_fields=["archived_at", "updated_at"])
            await record_event(user.id, "habit.archived", habit_payload(habit))
    return habit


async def restore_habit(user: User, habit_id: int) -> Habit:
    """Make an archived habit active again: its name must be free and the cap not reached."""
    habit = await get_habit(user, habit_id)
    if habit.archived_at is None:
        return habit
    async with _unique_name(habit.name), in_transaction():
        await _lock_owner(user)
        habit = await get_habit(user, habit_id, for_update=True)
        if habit.archived_at is not None:
            await check_name_available(user, habit.name, exclude_id=habit.id)
            await _check_room(user)
            habit.archived_at = None
            await habit.save(update_fields=["archived_at", "updated_at"])
    return habit


async def delete_habit(user: User, habit_id: int) -> None:
    """Remove the habit with its check-ins, pauses, reminders and nudges."""
    habit = await get_habit(user, habit_id)
    await habit.delete()


async def pause_habit(
    user: User, habit_id: int, start: date, end: date, *, now: datetime | None = None
) -> HabitPause:
    """Put a habit on hold for a date range; overlapping pauses are merged into one."""
    await get_habit(user, habit_id, include_archived=False)  # another's habit is 404 whatever the dates
    if end < start:
        raise ValidationFailed(N_("A pause must end on or after its start"), {"start": str(start), "end": str(end)})
    if (end - start).days >= MAX_PAUSE_DAYS:
        raise ValidationFailed(N_("A pause can last at most {days} days"), params={"days": MAX_PAUSE_DAYS})
    async with in_transaction():
        habit = await get_habit(user, habit_id, include_archived=False, for_update=True)
        overlapping = await HabitPause.filter(habit_id=habit.id, start__lte=end, end__gte=start)
        for pause in overlapping:
            start, end = min(start, pause.start), max(end, pause.end)
            await pause.delete()
        pause = await HabitPause.create(habit_id=habit.id, start=start, end=end)
        await recompute_locked(habit, local_today(user.timezone, now))
    return pause


async def resume_habit(user: User, habit_id: int, *, now: datetime | None = None) -> Habit:
    """End any pause that covers today or later, so the habit is due again from today."""
    today = local_today(user.timezone, now)
    async with in_transaction():
        habit = await get_habit(user, habit_id, include_archived=False, for_update=True)
        for pause in await HabitPause.filter(habit_id=habit.id, end__gte=today):
            if pause.start >= today:
                await pause.delete()
            else:
                pause.end = date.fromordinal(today.toordinal() - 1)
                await pause.save(update_fields=["end"])
        await recompute_locked(habit, today)
    return habit


async def list_habits(
    user: User, *, include_archived: bool = False, habit_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[HabitStatus]:
    """The user's habits in order (only `habit_ids` when given) as models, each with today's state and
    its reminder times; stale streak caches are refreshed. The statement of `GET /habits` on PostgreSQL
    (`smarthabit.habit_list`), four on the embedded database."""
    rows = await habit_rows(user.id, include_archived=include_archived, habit_ids=habit_ids, now=now)
    if rows is not None:
        today = rows[0]["today"] if rows else local_today(user.timezone, now)
        entries = [(from_row(Habit, {column: row[column] for column in HABIT_COLUMNS}), row["checked"],
                    row["today_value"], row["paused"], list(row["reminder_times"]))
                   for row in rows if row["id"] is not None]
    else:
        today = local_today(user.timezone, now)
        entries = await list_with_orm(user, today, include_archived, habit_ids)
    statuses = []
    for habit, checked, value, paused, times in entries:
        if habit.streak_day != today:
            await refresh_streaks(habit, today)
        done = checked and habit.counts_as_done(value)
        due = habit.archived_at is None and not paused and scheduled_on(
            habit.schedule_kind, habit.schedule_weekdays, habit.times_per_week, today)
        statuses.append(HabitStatus(habit, today, due, done, value, times))
    return statuses


async def active_pause(habit: Habit, day: date) -> HabitPause | None:
    return await HabitPause.filter(habit_id=habit.id, start__lte=day, end__gte=day).first()

