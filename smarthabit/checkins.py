"""Check-in use cases: idempotent check-in, undo, notes and history."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from smarthabit.clock import local_today, utcnow
from smarthabit.errors import NotFound, ValidationFailed
from smarthabit.habits import get_habit
from smarthabit.metrics import CHECKINS
from smarthabit.models import CheckIn, CheckInSource, Habit, HabitKind, User
from smarthabit.orm import fetch, from_row, on_postgres
from smarthabit.schemas import clean_text
from smarthabit.streak_cache import refresh_streaks, streaks_after_checkin

BACKFILL_DAYS = 7
INVALID_PARAMETER_VALUE = "22023"  # PostgreSQL's SQLSTATE for, among others, an unknown time zone
log = logging.getLogger("smarthabit.checkins")
MILESTONES = (7, 30, 100, 365)
MAX_NOTE = 500


@dataclass(frozen=True, slots=True)
class CheckInResult:
    checkin: CheckIn
    habit: Habit
    created: bool
    milestone: int | None  # the streak length just reached, when it is one worth celebrating


def _validate_day(day: date | None, today: date) -> date:
    day = day or today
    if day > today:
        raise ValidationFailed("Cannot check in for a future day", {"day": str(day), "today": str(today)})
    if day < today - timedelta(days=BACKFILL_DAYS):
        raise ValidationFailed(f"Check-ins can go back at most {BACKFILL_DAYS} days", {"day": str(day)})
    return day


def _validate_note(note: str | None) -> str | None:
    if note is None:
        return None
    try:
        note = clean_text(note)
    except ValueError as exc:
        raise ValidationFailed("Invalid note", {"note": str(exc)}) from exc
    if len(note) > MAX_NOTE:
        raise ValidationFailed(f"A note can be at most {MAX_NOTE} characters", {"field": "note"})
    return note or None


async def check_in(
    user_id: int, habit_id: int, *, day: date | None = None, value: float | None = None,
    note: str | None = None, source: CheckInSource = CheckInSource.API, now: datetime | None = None,
) -> CheckInResult:
    """Record that the habit was done on a local day. A repeat for the same day returns the existing
    check-in unchanged (created=False), also when two requests race: the unique key decides.

    Takes the account's id, not the account. On PostgreSQL the common check-in (a yes/no habit,
    today, streak cache valid for today) is a single statement; any other loads the habit with that
    same statement and takes the general transaction."""
    note = _validate_note(note)
    if value is not None and not (0 <= value <= 1_000_000):
        raise ValidationFailed("Value must be between 0 and 1000000", {"field": "value"})
    now = now or utcnow()
    attempt = await _todays_check_in(user_id, habit_id, day, value, note, source, now) if on_postgres() else None
    if attempt is not None and attempt.applied:
        return await _after_todays_check_in(attempt, value, note, source)
    if attempt is not None:
        habit, tz_name = attempt.habit, attempt.timezone
    else:
        habit, tz_name = await _active_habit_and_zone(user_id, habit_id)
    today = local_today(tz_name, now)
    day = _validate_day(day, today)
    if habit.kind is HabitKind.MEASURABLE and value is None:
        raise ValidationFailed("This habit is measurable: send a value", {"field": "value", "unit": habit.unit})
    before = habit.current_streak if habit.streak_day == today else None
    checkin = await _record_in_transaction(habit, day, today, value, note, source, habit.counts_as_done(value))
    if checkin is None:  # the day was checked in already (or a concurrent request just did it)
        return CheckInResult(await _existing(habit, day), habit, False, None)
    return _created(checkin, habit, before, source)


def _created(checkin: CheckIn, habit: Habit, before: int | None, source: CheckInSource) -> CheckInResult:
    CHECKINS.labels(source=str(source)).inc()
    reached = habit.current_streak if before is not None and habit.current_streak > before else None
    return CheckInResult(checkin, habit, True, reached if reached in MILESTONES else None)


async def _active_habit_and_zone(user_id: int, habit_id: int) -> tuple[Habit, str]:
    """The owner's active habit and the owner's time zone; NotFound for anyone else's habit."""
    habit = await Habit.filter(id=habit_id, user_id=user_id, archived_at__isnull=True).select_related("user").first()
    if habit is None:
        raise NotFound("Habit not found", {"habit_id": habit_id})
    return habit, habit.user.timezone


# The whole common check-in in one statement (one round trip, one commit): find the owner's active
# habit and the owner's local day; if it is a yes/no habit checked in for that day, on a streak
# cache valid for that day and not counted per week (`advances_in_place`), insert the row and add
# one to the cached streak. The UPDATE re-checks `streak_day` on the locked row, so a cache another
# writer moved meanwhile is left for the caller to recompute. Always returns the habit row, so any
# other check-in goes on from it without a second read.
_TODAYS_CHECK_IN = """
WITH target AS (
    SELECT h.*, u.timezone AS owner_timezone, timezone(u.timezone, $3::timestamptz)::date AS owner_today
    FROM habits h JOIN users u ON u.id = h.user_id
    WHERE h.id = $1 AND h.user_id = $2 AND h.archived_at IS NULL
), todays AS (
    SELECT id, owner_today FROM target
    WHERE kind = 'yes_no' AND COALESCE($4::date, owner_today) = owner_today
      AND streak_day = owner_today AND schedule_kind <> 'times_per_week'
), inserted AS (
    INSERT INTO checkins (habit_id, day, value, note, source, created_at)
    SELECT id, owner_today, $5, $6, $7, $8 FROM todays
    ON CONFLICT (habit_id, day) DO NOTHING
    RETURNING id
), advanced AS (
    UPDATE habits h SET current_streak = h.current_streak + 1,
                        longest_streak = GREATEST(h.longest_streak, h.current_streak + 1)
    FROM todays WHERE h.id = todays.id AND h.streak_day = todays.owner_today AND EXISTS (SELECT FROM inserted)
    RETURNING h.current_streak, h.longest_streak
)
SELECT target.*, EXISTS (SELECT FROM todays) AS applied, inserted.id AS checkin_id,
       advanced.current_streak AS advanced_current, advanced.longest_streak AS advanced_longest
FROM target LEFT JOIN inserted ON TRUE LEFT JOIN advanced ON TRUE
"""
_STATEMENT_ONLY = ("owner_timezone", "owner_today", "applied", "checkin_id", "advanced_current", "advanced_longest")


@dataclass(frozen=True, slots=True)
class _Attempt:
    """What the one-statement check-in did, and the habit as it was read."""

    habit: Habit
    timezone: str
    today: date  # the owner's local day, as PostgreSQL's time zone data has it
    applied: bool  # the statement was the whole check-in (else nothing was written)
    checkin_id: int | None  # the new row; None when applied but the day was already checked in
    created_at: datetime
    advanced: tuple[int, int] | None  # (current, longest) after the in-place advance


async def _todays_check_in(
    user_id: int, habit_id: int, day: date | None, value: float | None, note: str | None, source: CheckInSource,
    now: datetime,
) -> _Attempt | None:
    """None when PostgreSQL's time zone data lacks the owner's zone (it may be older than Python's):
    then the check-in takes the general path, which reads local days with Python's."""
    created_at = utcnow()
    try:
        rows = await fetch(_TODAYS_CHECK_IN, habit_id, user_id, now, day, value, note, source.value, created_at)
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != INVALID_PARAMETER_VALUE:
            raise
        log.warning("time zone unknown to PostgreSQL", extra={"habit_id": habit_id, "error": str(exc)})
        return None
    if not rows:
        raise NotFound("Habit not found", {"habit_id": habit_id})
    row = rows[0]
    extra = {key: row.pop(key) for key in _STATEMENT_ONLY}
    advanced = (extra["advanced_current"], extra["advanced_longest"]) if extra["advanced_current"] is not None else None
    return _Attempt(from_row(Habit, row), extra["owner_timezone"], extra["owner_today"], extra["applied"],
                    extra["checkin_id"], created_at, advanced)


async def _after_todays_check_in(
    attempt: _Attempt, value: float | None, note: str | None, source: CheckInSource
) -> CheckInResult:
    habit, today = attempt.habit, attempt.today
    if attempt.checkin_id is None:
        return CheckInResult(await _existing(habit, today), habit, False, None)
    before = habit.current_streak
    if attempt.advanced is None:  # another writer moved the cache between the read and the lock
        await refresh_streaks(habit, today)
    else:
        habit.current_streak, habit.longest_streak = attempt.advanced
    checkin = from_row(CheckIn, {"id": attempt.checkin_id, "habit_id": habit.id, "day": today, "value": value,
                                 "note": note, "source": source.value, "bot_message_id": None,
                                 "created_at": attempt.created_at})
    return _created(checkin, habit, before, source)


async def _record_in_transaction(
    habit: Habit, day: date, today: date, value: float | None, note: str | None, source: CheckInSource,
    newly_done: bool,
) -> CheckIn | None:
    """Any check-in: the row and the streak update (O(1) or a recomputation) in one transaction."""
    try:  # the unique (habit, day) key turns a repeat or a lost race into an IntegrityError
        async with in_transaction():
            checkin = await CheckIn.create(habit_id=habit.id, day=day, value=value, note=note, source=source)
            await streaks_after_checkin(habit, day, today, newly_done)
    except IntegrityError:
        return None  # the INSERT failed first: the habit is untouched
    return checkin


async def _existing(habit: Habit, day: date) -> CheckIn:
    existing = await CheckIn.filter(habit_id=habit.id, day=day).first()
    if existing is None:  # pragma: no cover - the row that beat us was undone in between
        raise NotFound("No check-in on that day", {"habit_id": habit.id, "day": str(day)})
    return existing


async def undo_check_in(
    user: User, habit_id: int, day: date | None = None, *, now: datetime | None = None
) -> Habit:
    """Remove the check-in of a day (default today); NotFound if there was none."""
    today = local_today(user.timezone, now)
    day = day or today
    habit = await get_habit(user, habit_id)
    deleted = await CheckIn.filter(habit_id=habit.id, day=day).delete()
    if not deleted:
        raise NotFound("No check-in on that day", {"habit_id": habit_id, "day": str(day)})
    await refresh_streaks(habit, today)
    return habit


async def set_note(user: User, habit_id: int, day: date, note: str | None) -> CheckIn:
    """Attach (or clear) the note of an existing check-in."""
    habit = await get_habit(user, habit_id)
    checkin = await CheckIn.filter(habit_id=habit.id, day=day).first()
    if checkin is None:
        raise NotFound("No check-in on that day", {"habit_id": habit_id, "day": str(day)})
    checkin.note = _validate_note(note)
    await checkin.save(update_fields=["note"])
    return checkin


async def remember_bot_message(checkin: CheckIn, message_id: int) -> None:
    """Store the id of the bot's confirmation message, so a reply to it can add a note."""
    checkin.bot_message_id = message_id
    await CheckIn.filter(id=checkin.id).update(bot_message_id=message_id)


async def checkin_for_bot_message(user: User, message_id: int) -> CheckIn | None:
    """The user's check-in that the bot confirmed with that message (message ids are per chat)."""
    return await CheckIn.filter(bot_message_id=message_id, habit__user_id=user.id).order_by("-id").first()


async def list_checkins(
    user: User, habit_id: int, *, start: date | None = None, end: date | None = None,
    limit: int = 100, offset: int = 0,
) -> tuple[list[CheckIn], int]:
    """A page of the habit's check-ins, newest first, with the total count for pagination."""
    habit = await get_habit(user, habit_id)
    query = CheckIn.filter(habit_id=habit.id)
    if start is not None:
        query = query.filter(day__gte=start)
    if end is not None:
        query = query.filter(day__lte=end)
    total = await query.count()
    rows = await query.order_by("-day").offset(offset).limit(limit)
    return rows, total


async def recompute_streaks(user: User, habit_id: int) -> Habit:
    """Force a full recomputation (used by the nightly task and after bulk edits)."""
    habit = await get_habit(user, habit_id)
    await refresh_streaks(habit, local_today(user.timezone))
    return habit
