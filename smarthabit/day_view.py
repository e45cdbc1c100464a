"""A past local day as /today shows it, for back-filling: which habits were due and what was logged.

Back-fill follows the check-in window (`wording.BACKFILL_DAYS`) and the one start rule: a day
before a habit's creation may be checked in too (the habit then starts that day).
"""

from __future__ import annotations

from datetime import date

from smarthabit.habits import HabitStatus
from smarthabit.models import CheckIn, Habit, HabitPause, User


async def statuses_on(user: User, day: date) -> list[HabitStatus]:
    """The user's active habits on `day`, each with that day's state (due, done, value)."""
    habits = await Habit.filter(user_id=user.id, archived_at__isnull=True).order_by("position", "id")
    ids = [habit.id for habit in habits]
    if not ids:
        return []
    values = dict(await CheckIn.filter(habit_id__in=ids, day=day).values_list("habit_id", "value"))
    paused = set(await HabitPause.filter(habit_id__in=ids, start__lte=day, end__gte=day)
                 .values_list("habit_id", flat=True))
    return [
        HabitStatus(habit, day, habit.id not in paused and habit.schedule.is_scheduled(day),
                    habit.id in values and habit.counts_as_done(values[habit.id]), values.get(habit.id))
        for habit in habits
    ]
