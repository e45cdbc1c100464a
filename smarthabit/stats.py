"""Read-side use cases: one habit's statistics and the weekly insight, for the API, bot and workers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from smarthabit import wording
from smarthabit.clock import local_today
from smarthabit.habits import get_habit
from smarthabit.insights import HabitHistory, WeeklyInsight, weekly_insight
from smarthabit.models import Habit, User
from smarthabit.schedule import week_start
from smarthabit.streak_cache import done_days, habit_pauses, refresh_streaks
from smarthabit.strength import completion_counts, completion_rate, strength

RATE_WINDOWS = (7, 30, 90)


@dataclass(frozen=True, slots=True)
class HabitStats:
    habit: Habit
    today: date
    current_streak: int
    longest_streak: int
    streak_unit: str
    strength: float
    completion: dict[int, float | None]  # window in days -> rate, None when nothing was due
    best_weekday: int | None
    worst_weekday: int | None
    this_week_done: int
    this_week_target: int
    total_done: int


def streak_unit(habit: Habit) -> str:
    return wording.streak_unit(habit.schedule_kind)


def effective_start(start_day: date, done: frozenset[date]) -> date:
    """One rule for streaks, charts and summaries: a habit starts at its first check-in or its
    creation, whichever is earlier (back-filled days before the creation count everywhere)."""
    return min([start_day, *done]) if done else start_day


async def habit_history(habit: Habit) -> HabitHistory:
    done = frozenset(await done_days(habit))
    return HabitHistory(
        habit.id, habit.name, habit.schedule, done, tuple(await habit_pauses(habit)),
        effective_start(habit.start_day, done),
    )


async def habit_stats(user: User, habit_id: int, *, now: datetime | None = None) -> HabitStats:
    """Everything a stats screen shows about one habit, as of the user's local today."""
    today = local_today(user.timezone, now)
    habit = await get_habit(user, habit_id)
    history = await habit_history(habit)
    start = history.created or habit.start_day
    if habit.streak_day != today:
        await refresh_streaks(habit, today)
    completion = {
        days: completion_rate(history.schedule, history.done, max(today - timedelta(days=days - 1),
                              start), today, history.pauses)
        for days in RATE_WINDOWS
    }
    monday = week_start(today)
    week = weekly_insight([history], monday, today).habits[0]
    _, week_target = completion_counts(
        history.schedule, history.done, max(monday, start), monday + timedelta(days=6), history.pauses
    )
    return HabitStats(
        habit=habit, today=today, current_streak=habit.current_streak,
        longest_streak=habit.longest_streak, streak_unit=streak_unit(habit),
        strength=strength(history.schedule, history.done, today, history.pauses, start=start),
        completion=completion, best_weekday=week.best_weekday, worst_weekday=week.worst_weekday,
        this_week_done=week.done, this_week_target=week_target, total_done=len(history.done),
    )


async def weekly_insight_for(user: User, week_monday: date | None = None, *,
                             now: datetime | None = None) -> WeeklyInsight:
    """The weekly insight over the user's active habits (default: the current week)."""
    today = local_today(user.timezone, now)
    monday = week_monday or week_start(today)
    if monday.weekday() != 0:
        monday = week_start(monday)
    habits = await Habit.filter(user_id=user.id, archived_at__isnull=True).order_by("position", "id")
    histories = [await habit_history(h) for h in habits]
    return weekly_insight(histories, monday, today)
