"""What a user can see of nudges: the skip risks coming up, and the nudges already sent to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from smarthabit.clock import local_today
from smarthabit.models import CheckIn, Habit, Nudge, NudgeStatus, User
from smarthabit.predictions import skip_forecast


@dataclass(frozen=True, slots=True)
class Risk:
    habit: Habit
    day: date
    probability: float


async def upcoming_risks(
    user: User, *, min_probability: float, days: int = 2, now: datetime | None = None
) -> list[Risk]:
    """Active habits whose predicted skip probability reaches `min_probability` on one of the next
    `days` local days (today first), riskiest first. A habit already done today has no risk today."""
    today = local_today(user.timezone, now)
    horizon = [today + timedelta(days=offset) for offset in range(days)]
    habits = await Habit.filter(user_id=user.id, archived_at__isnull=True).order_by("position", "id")
    todays = dict(await CheckIn.filter(habit_id__in=[h.id for h in habits], day=today).values_list(
        "habit_id", "value")) if habits else {}
    risks = []
    for habit in habits:
        done_today = habit.id in todays and habit.counts_as_done(todays[habit.id])
        for day, probability in (await skip_forecast(user, habit, horizon, now=now)).items():
            if probability >= min_probability and not (day == today and done_today):
                risks.append(Risk(habit, day, probability))
    return sorted(risks, key=lambda risk: (-risk.probability, risk.day, risk.habit.id))


async def sent_nudges(user: User, *, limit: int, offset: int) -> tuple[list[Nudge], int]:
    """A page of the nudges sent to the user, newest first, with the total count."""
    query = Nudge.filter(user_id=user.id, status=NudgeStatus.SENT)
    return await query.order_by("-sent_at", "-id").offset(offset).limit(limit), await query.count()
