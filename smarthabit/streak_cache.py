"""Cached streaks on the habit row, so a check-in never recomputes from the whole history.

The cache (`current_streak`, `longest_streak`) is valid for the local day `streak_day`. A check-in for
that same day updates it in O(1); anything else (undo, back-fill, pauses, schedule change, a new day)
recomputes it from the habit's check-ins.

Every write of the cache happens under the habit's row lock (`lock_habit`, SELECT ... FOR UPDATE),
taken before the rows are read, in the transaction that writes them: two writers of one habit then
run one after the other, and the second reads what the first committed (PostgreSQL's READ COMMITTED
takes a new snapshot per statement). Today's batched check-in (`smarthabit.todays_checkins`) is the
one writer that locks last: its UPDATE adds one on the row it locks, re-checking that the cache is
still today's and the habit still counts it that way, so whatever was recomputed before it (without
today's uncommitted row) is advanced correctly. SQLite runs one transaction at a time.
"""

from __future__ import annotations

from datetime import date

from tortoise.transactions import in_transaction

from smarthabit.errors import NotFound
from smarthabit.i18n import N_
from smarthabit.models import CheckIn, Habit, HabitPause
from smarthabit.schedule import Pause, ScheduleKind, week_start
from smarthabit.streaks import Streaks, compute_streaks


async def done_days(habit: Habit, since: date | None = None) -> set[date]:
    """The local days on which the habit counts as done (measurable targets applied)."""
    query = CheckIn.filter(habit_id=habit.id)
    if since is not None:
        query = query.filter(day__gte=since)
    rows = await query.values_list("day", "value")
    return {day for day, value in rows if habit.counts_as_done(value)}


async def habit_pauses(habit: Habit) -> list[Pause]:
    rows = await HabitPause.filter(habit_id=habit.id).order_by("start").values_list("start", "end")
    return [Pause(start, end) for start, end in rows]


async def lock_habit(habit: Habit) -> None:
    """Take the habit's row lock until the end of the caller's transaction and read the row as it is
    now into `habit` (schedule, kind, target and cache may have changed since it was read)."""
    row = await Habit.filter(id=habit.id).select_for_update().first()
    if row is None:  # deleted meanwhile
        raise NotFound(N_("Habit not found"), {"habit_id": habit.id})
    for name in Habit._meta.fields_db_projection:
        setattr(habit, name, getattr(row, name))


async def refresh_streaks(habit: Habit, today: date) -> Streaks:
    """Recompute the habit's streaks from its history, under its lock, and store them as valid for `today`."""
    async with in_transaction():
        await lock_habit(habit)
        return await recompute_locked(habit, today)


async def recompute_locked(habit: Habit, today: date) -> Streaks:
    """The full rule, stored; the caller holds the habit's lock (`lock_habit`)."""
    streaks = compute_streaks(
        habit.schedule, await done_days(habit), today, await habit_pauses(habit), created=habit.start_day
    )
    await _store(habit, streaks.current, streaks.longest, today)
    return streaks


async def streaks_after_checkin(habit: Habit, day: date, today: date, newly_done: bool) -> None:
    """Update the cache after a new check-in; the caller holds the habit's lock (`lock_habit`).

    A done day always adds one to a daily or weekdays streak (scheduled, paused or not), so today's
    check-in on a cache valid for today is one conditional UPDATE. Everything else, and a cache that
    another writer changed in between, takes the full rule."""
    if not newly_done:
        return
    if day != today or habit.streak_day != today:
        await recompute_locked(habit, today)
    elif habit.schedule_kind is ScheduleKind.TIMES_PER_WEEK:
        await _after_weekly_checkin(habit, today)
    else:
        await _advance(habit, today)


async def _after_weekly_checkin(habit: Habit, today: date) -> None:
    """A times-per-week streak grows when this check-in completes the week's quota."""
    monday = week_start(today)
    if habit.start_day > monday or await HabitPause.filter(habit_id=habit.id, end__gte=monday).exists():
        await recompute_locked(habit, today)  # prorated weeks: let the full rule decide
    elif len(await done_days(habit, since=monday)) == habit.times_per_week:
        await _advance(habit, today)


async def _advance(habit: Habit, today: date) -> None:
    current, longest = habit.current_streak + 1, max(habit.longest_streak, habit.current_streak + 1)
    updated = await Habit.filter(id=habit.id, streak_day=today, current_streak=habit.current_streak).update(
        current_streak=current, longest_streak=longest
    )
    if updated:
        habit.current_streak, habit.longest_streak = current, longest
    else:
        await recompute_locked(habit, today)


async def _store(habit: Habit, current: int, longest: int, today: date) -> None:
    habit.current_streak, habit.longest_streak, habit.streak_day = current, longest, today
    await Habit.filter(id=habit.id).update(current_streak=current, longest_streak=longest, streak_day=today)

