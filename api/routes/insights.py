"""Insights: the weekly review and the nudges (predicted risks ahead, messages already sent)."""

from __future__ import annotations

from api.routing import RouteTable
from api.schemas import HabitWeekOut, NudgeOut, NudgesOut, NudgesQuery, RiskOut, WeeklyInsightOut, WeeklyQuery
from smarthabit import nudge_feed, stats
from smarthabit.insights import summary_sentences
from smarthabit.models import User
from smarthabit.schedule import parse_iso_week

routes = RouteTable("insights")


@routes.get("/insights/weekly")
async def weekly_insight(user: User, query: WeeklyQuery) -> WeeklyInsightOut:
    """How an ISO week went, per habit and overall: done vs scheduled, rate and its change against the
    week before, best and worst weekday, streaks at the start and end of the week."""
    week = parse_iso_week(query.week) if query.week is not None else None
    insight = await stats.weekly_insight_for(user, week)
    return WeeklyInsightOut(
        week=insight.week, start=insight.start, end=insight.end, done=insight.done, scheduled=insight.scheduled,
        rate=insight.rate, previous_rate=insight.previous_rate, change=insight.change,
        best_weekday=insight.best_weekday, worst_weekday=insight.worst_weekday,
        habits=[HabitWeekOut.model_validate(habit, from_attributes=True) for habit in insight.habits],
        summary=summary_sentences(insight),
    )


@routes.get("/nudges")
async def nudges(user: User, query: NudgesQuery) -> NudgesOut:
    """Habits at risk of being skipped today or tomorrow (predicted), and the nudges already sent."""
    risks = await nudge_feed.upcoming_risks(user, min_probability=query.min_probability)
    sent, total = await nudge_feed.sent_nudges(user, limit=query.limit, offset=query.offset)
    return NudgesOut(
        upcoming=[RiskOut(habit_id=risk.habit.id, habit_name=risk.habit.name, day=risk.day,
                          skip_probability=risk.probability) for risk in risks],
        sent=[NudgeOut.of(nudge) for nudge in sent], total_sent=total, limit=query.limit, offset=query.offset,
    )
