"""Check-in use cases: idempotent check-in, undo, notes and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from smarthabit import todays_checkins
from smarthabit.clock import local_today, utcnow
from smarthabit.errors import NotFound, ValidationFailed
from smarthabit.habits import get_habit
from smarthabit.i18n import N_
from smarthabit.metrics import CHECKINS
from smarthabit.models import MAX_ID, CheckIn, CheckInSource, Habit, HabitKind, User
from smarthabit.orm import from_row, is_deadlock, on_postgres
from smarthabit.schemas import clean_note
from smarthabit.streak_cache import lock_habit, recompute_locked, refresh_streaks, streaks_after_checkin
from smarthabit.streaks import MILESTONES
from smarthabit.webhooks import checkin_payload, deleted_checkin_payload, milestone_payload, record_event
from smarthabit.wording import BACKFILL_DAYS, MAX_NOTE, MAX_VALUE

DEADLOCK_RETRIES = 3


@dataclass(frozen=True, slots=True)
class CheckInResult:
    checkin: CheckIn
    habit: Habit
    created: bool
    milestone: int | None  # the streak length just reached, when it is one worth celebrating


def _validate_day(day: date | None, today: date) -> date:
    day = day or today
    if day > today:
        raise ValidationFailed(N_("Cannot check in for a future day"), {"day": str(day), "today": str(today)})
    if day < today - timedelta(days=BACKFILL_DAYS):
        raise ValidationFailed(N_("Check-ins can go back at most {days} days"), {"day": str(day)},
                               params={"days": BACKFILL_DAYS})
    return day


def _validate_note(note: str | None) -> str | None:
    if note is None:
        return None
    try:
        note = clean_note(note)
    except ValueError as exc:
        raise ValidationFailed(N_("Invalid note"), {"note": str(exc)}) from exc
    if len(note) > MAX_NOTE:
        raise ValidationFailed(N_("A note can be at most {max} characters"), {"field": "note"},
                               params={"max": MAX_NOTE})
    return note or None


def _validate_value(value: float | None) -> float | None:
    if value is not None and not (0 <= value <= MAX_VALUE):  # NaN fails this too
        raise ValidationFailed(N_("Value must be between 0 and {max}"), {"field": "value"}, params={"max": MAX_VALUE})
    return value


async def check_in(
    user_id: int, habit_id: int, *, day: date | None = None, value: float | None = None,
    note: str | None = None, source: CheckInSource = CheckInSource.API, now: datetime | None = None,
    credential_issued_at: datetime | None = None,
) -> CheckInResult:
    """Record that the habit was done on a local day. A repeat for the same day returns the existing
    check-in unchanged (created=False), also when two requests race: the unique key decides.

    Takes the account's id, not the account. On PostgreSQL the common check-in (a yes/no habit,
    today, streak cache valid for today) is a single statement, shared with concurrent ones
    (`smarthabit.todays_checkins`); any other reads the habit with that statement and goes on in
    the general transaction.

    `credential_issued_at` (a caller's access token's issue instant) is checked in the same read: when
    the account's sessions were ended after it, the habit is not found, exactly as for a stranger."""
    note = _validate_note(note)
    value = _validate_value(value)
    if not (0 < habit_id <= MAX_ID and 0 < user_id <= MAX_ID):  # never put an impossible id in a batch
        raise NotFound(N_("Habit not found"), {"habit_id": habit_id})
    now = now or utcnow()
    item = todays_checkins.TodaysCheckIn(user_id, habit_id, day, value, note, source, now, credential_issued_at)
    if on_postgres() and (attempt := await todays_checkins.submit(item)) is not None:
        if attempt.applied:
            return await _after_todays_check_in(attempt, value, note, source)
        habit, tz_name = attempt.habit, attempt.timezone
    else:
        habit, tz_name = await _active_habit_and_zone(user_id, habit_id, credential_issued_at)
    today = local_today(tz_name, now)
    day = _validate_day(day, today)
    if habit.kind is HabitKind.MEASURABLE and value is None:
        raise ValidationFailed(N_("This habit is measurable: send a value"), {"field": "value", "unit": habit.unit})
    recorded = await _record_in_transaction(habit, day, today, value, note, source)
    if recorded is None:  # the day was checked in already (or a concurrent request just did it)
        return CheckInResult(await _existing(habit, day), habit, False, None)
    checkin, before = recorded
    return _created(checkin, habit, before, source)


def _milestone(habit: Habit, before: int | None) -> int | None:
    """The streak length just reached, when the check-in raised it to one worth celebrating."""
    reached = habit.current_streak if before is not None and habit.current_streak > before else None
    return reached if reached in MILESTONES else None


def _created(checkin: CheckIn, habit: Habit, before: int | None, source: CheckInSource) -> CheckInResult:
    CHECKINS.labels(source=str(source)).inc()
    return CheckInResult(checkin, habit, True, _milestone(habit, before))


async def _active_habit_and_zone(
    user_id: int, habit_id: int, credential_issued_at: datetime | None = None
) -> tuple[Habit, str]:
    """The owner's active habit and the owner's time zone; NotFound for anyone else's habit, and for a
    credential issued before the owner's sessions were ended."""
    habit = await Habit.filter(id=habit_id, user_id=user_id, archived_at__isnull=True).select_related("user").first()
    revoked = habit.user.sessions_revoked_at if habit is not None else None
    if habit is None or (credential_issued_at is not None and revoked is not None and credential_issued_at < revoked):
        raise NotFound(N_("Habit not found"), {"habit_id": habit_id})
    return habit, habit.user.timezone


async def _after_todays_check_in(
    attempt: todays_checkins.Attempt, value: float | None, note: str | None, source: CheckInSource
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
) -> tuple[CheckIn, int | None] | None:
    """Any check-in: under the habit's lock, the row, the streak update (O(1) or a recomputation) and
    the webhook events in one transaction. Returns the row and today's streak before it (None when
    the cache was not today's), or None when the day was checked in already."""
    for attempt in range(1, DEADLOCK_RETRIES + 1):
        try:  # the unique (habit, day) key turns a repeat or a lost race into an IntegrityError
            async with in_transaction():
                await lock_habit(habit)
                before = habit.current_streak if habit.streak_day == today else None
                checkin = await CheckIn.create(habit_id=habit.id, day=day, value=value, note=note, source=source)
                await streaks_after_checkin(habit, day, today, habit.counts_as_done(value))
                await record_event(habit.user_id, "checkin.created", checkin_payload(checkin))
                if _milestone(habit, before) is not None:
                    await record_event(habit.user_id, "streak.milestone", milestone_payload(habit))
            return checkin, before
        except IntegrityError:
            return None  # the INSERT failed: nothing was written
        except Exception as exc:
            # Today's batch inserts first and locks the habit second: when it inserted this very day,
            # PostgreSQL may pick this transaction as the deadlock's victim. Once the batch committed,
            # the repeat finds its row.
            if not is_deadlock(exc) or attempt == DEADLOCK_RETRIES:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


async def _existing(habit: Habit, day: date) -> CheckIn:
    existing = await CheckIn.filter(habit_id=habit.id, day=day).first()
    if existing is None:  # pragma: no cover - the row that beat us was undone in between
        raise NotFound(N_("No check-in on that day"), {"habit_id": habit.id, "day": str(day)})
    return existing


async def undo_check_in(
    user: User, habit_id: int, day: date | None = None, *, now: datetime | None = None
) -> Habit:
    """Remove the check-in of a day (default today); NotFound if there was none."""
    today = local_today(user.timezone, now)
    day = day or today
    async with in_transaction():
        habit = await get_habit(user, habit_id, for_update=True)
        deleted = await CheckIn.filter(habit_id=habit.id, day=day).delete()
        if not deleted:
            raise NotFound(N_("No check-in on that day"), {"habit_id": habit_id, "day": str(day)})
        await recompute_locked(habit, today)
        await record_event(user.id, "checkin.deleted", deleted_checkin_payload(habit.id, day))
    return habit


async def set_note(user: User, habit_id: int, day: date, note: str | None) -> CheckIn:
    """Attach (or clear) the note of an existing check-in."""
    habit = await get_habit(user, habit_id)
    checkin = await CheckIn.filter(habit_id=habit.id, day=day).first()
    if checkin is None:
        raise NotFound(N_("No check-in on that day"), {"habit_id": habit_id, "day": str(day)})
    checkin.note = _validate_note(note)
    await checkin.save(update_fields=["note"])
    return checkin


async def add_to_value(user: User, habit_id: int, day: date, amount: float, *,
                       now: datetime | None = None) -> CheckIn:
    """Add to a measured day's value ("2 more glasses" on a partly done day), under the habit's lock
    like `edit_check_in`; the streaks are recomputed: the day may now meet its target."""
    today = local_today(user.timezone, now)
    day = _validate_day(day, today)
    async with in_transaction():
        habit = await get_habit(user, habit_id, include_archived=False, for_update=True)
        checkin = await CheckIn.filter(habit_id=habit.id, day=day).first()
        if checkin is None or checkin.value is None:
            raise NotFound(N_("No measured check-in on that day"), {"habit_id": habit_id, "day": str(day)})
        total = checkin.value + amount
        if not (amount > 0 and total <= MAX_VALUE):
            raise ValidationFailed(N_("Value must be between 0 and {max}"), {"field": "value"},
                                   params={"max": MAX_VALUE})
        checkin.value = total
        await checkin.save(update_fields=["value"])
        await recompute_locked(habit, today)
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
    limit: int = 100, offset: int = 0, before: date | None = None, since: datetime | None = None,
) -> tuple[list[CheckIn], int]:
    """A page of the habit's check-ins, newest first, with the total count for pagination; `before`
    (exclusive) continues after a page's last day, `since` keeps those recorded since an instant."""
    habit = await get_habit(user, habit_id)
    query = CheckIn.filter(habit_id=habit.id)
    if since is not None:
        query = query.filter(created_at__gte=since)
    if start is not None:
        query = query.filter(day__gte=start)
    if end is not None:
        query = query.filter(day__lte=end)
    total = await query.count()
    if before is not None:
        query = query.filter(day__lt=before)
    rows = await query.order_by("-day").offset(offset).limit(limit)
    return rows, total


async def recompute_streaks(user: User, habit_id: int) -> Habit:
    """Force a full recomputation (used by the nightly task and after bulk edits)."""
    habit = await get_habit(user, habit_id)
    await refresh_streaks(habit, local_today(user.timezone))
    return habit


async def edit_check_in(
    user: User, habit_id: int, day: date, *, value: float | None, now: datetime | None = None
) -> CheckIn:
    """Change the value of an existing check-in (a measurable habit's may then reach or miss its
    target); the streaks are recomputed under the habit's lock."""
    value = _validate_value(value)
    async with in_transaction():
        habit = await get_habit(user, habit_id, for_update=True)
        checkin = await CheckIn.filter(habit_id=habit.id, day=day).first()
        if checkin is None:
            raise NotFound(N_("No check-in on that day"), {"habit_id": habit_id, "day": str(day)})
        if habit.kind is HabitKind.MEASURABLE and value is None:
            raise ValidationFailed(N_("This habit is measurable: send a value"), {"field": "value", "unit": habit.unit})
        checkin.value = value
        await checkin.save(update_fields=["value"])
        await recompute_locked(habit, local_today(user.timezone, now))
    return checkin
