"""Deciding what to send and when: reminders, skip-risk and streak-risk nudges, weekly summaries.

Planning writes `Nudge` rows (PENDING) under unique keys and returns their ids; `tasks.delivery`
sends them. Every decision is taken in the user's local time, from the `now` passed in (tests pass
it; the tasks pass the real clock):

- Reminders: rows with `next_fire_at <= now` (an indexed range scan), locked with SKIP LOCKED so two
  scans never plan the same batch. The key `reminder:{reminder_id}:{local_day}` makes a repeated
  scan a no-op. `next_fire_at` always moves on (DST-safe, `smarthabit.reminder_times`), also when
  the reminder is skipped (done, paused, not scheduled, quiet hours, reminders off, blocked).
- Nudges are found per time zone: the scan computes each zone's local time once and only looks at
  habits whose trigger window contains it. Skip risk fires `SKIP_LEAD_MINUTES` before the habit's
  usual check-in time (or at `DEFAULT_SKIP_MINUTE` until that is learned) when today's P(skip) is at
  least `SKIP_RISK_THRESHOLD`; streak risk fires at `STREAK_RISK_MINUTE` for streaks of at least
  `STREAK_RISK_MIN_DAYS` not done yet. Windows are `NUDGE_WINDOW_MINUTES` wide so a missed scan
  minute does not lose the nudge. Both kinds share the key `nudge:{habit_id}:{local_day}`: at most
  one nudge per habit per day, enforced by the unique index, not by memory.
- The per-user daily cap (`Settings.nudge_daily_cap`) counts planned, sending and sent habit
  nudges of the local day; the user's row is locked while it is checked, so concurrent scans
  cannot both squeeze in "the last one". Reminders (asked for by the user) and the weekly summary
  (one a week) do not count against it.
- Weekly summaries go out on the user's local Sunday evening (`WEEKLY_MINUTE`, window
  `WEEKLY_WINDOW_MINUTES`), key `weekly:{user_id}:{week_monday}`.
No nudge is planned during quiet hours or for users who turned nudges off; delivery checks again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from smarthabit.accounts import in_quiet_hours
from smarthabit.clock import zone
from smarthabit.models import CheckIn, Habit, HabitPause, Nudge, NudgeKind, NudgeStatus, Reminder, SkipPrediction, User
from smarthabit.nudge_rule import SKIP_RISK_THRESHOLD, should_nudge  # the rule and its costs: domain
from smarthabit.predictions import explain_today, recompute_predictions, skip_forecast
from smarthabit.reminder_times import next_fire_at
from smarthabit.schedule import ScheduleKind, week_start
from smarthabit.stats import weekly_insight_for
from smarthabit.streak_cache import refresh_streaks
from tasks.delivery import MAX_LATENESS
from tasks.texts import reminder_text, skip_risk_text, streak_risk_text, weekly_summary_text

log = logging.getLogger(__name__)

REMINDER_BATCH = 500
SKIP_LEAD_MINUTES = 75
DEFAULT_SKIP_MINUTE = 9 * 60
NUDGE_WINDOW_MINUTES = 15
STREAK_RISK_MINUTE = 20 * 60
STREAK_RISK_MIN_DAYS = 7
WEEKLY_MINUTE = 19 * 60
WEEKLY_WINDOW_MINUTES = 120
NIGHTLY_LOCAL_HOUR = 4  # after midnight everywhere, and not an hour DST changes skip or repeat
REQUEUE_PENDING_AFTER = timedelta(minutes=5)
REQUEUE_LIMIT = 1000
PREDICTION_RETENTION_DAYS = 60
HABIT_NUDGE_KINDS = (NudgeKind.SKIP_RISK, NudgeKind.STREAK_RISK)
LIVE_STATUSES = (NudgeStatus.PENDING, NudgeStatus.SENDING, NudgeStatus.SENT)


def nudge_key(habit_id: int, day: date) -> str:
    """One key for every habit nudge kind: at most one nudge per habit per local day."""
    return f"nudge:{habit_id}:{day.isoformat()}"


def reminder_key(reminder_id: int, day: date) -> str:
    return f"reminder:{reminder_id}:{day.isoformat()}"


def weekly_key(user_id: int, monday: date) -> str:
    return f"weekly:{user_id}:{monday.isoformat()}"


@dataclass(slots=True)
class _Days:
    """Done days and pauses of a set of habits around the days being planned."""

    done: dict[int, set[date]]
    pauses: dict[int, list[tuple[date, date]]]

    @classmethod
    async def load(cls, habits: dict[int, Habit], first: date, last: date) -> _Days:
        ids = list(habits)
        done: dict[int, set[date]] = defaultdict(set)
        rows = await CheckIn.filter(habit_id__in=ids, day__gte=week_start(first), day__lte=last).values_list(
            "habit_id", "day", "value"
        )
        for habit_id, day, value in rows:
            if habits[habit_id].counts_as_done(value):
                done[habit_id].add(day)
        pauses: dict[int, list[tuple[date, date]]] = defaultdict(list)
        for habit_id, start, end in await HabitPause.filter(
            habit_id__in=ids, start__lte=last, end__gte=first
        ).values_list("habit_id", "start", "end"):
            pauses[habit_id].append((start, end))
        return cls(done, pauses)

    def due_and_open(self, habit: Habit, day: date) -> bool:
        """Due on `day` and not done yet: active, started, scheduled, not paused, week not complete."""
        if habit.archived_at is not None or day < habit.start_day or not habit.schedule.is_scheduled(day):
            return False
        if any(start <= day <= end for start, end in self.pauses.get(habit.id, ())):
            return False
        done = self.done.get(habit.id, set())
        if day in done:
            return False
        if habit.schedule_kind is ScheduleKind.TIMES_PER_WEEK:
            monday = week_start(day)
            return sum(1 for d in done if monday <= d <= day) < (habit.times_per_week or 0)
        return True


def _reachable(user: User) -> bool:
    return not user.bot_blocked and user.telegram_chat_id is not None


async def plan_due_reminders(
    now: datetime,
    *,
    can_send: bool = True,
    batch: int = REMINDER_BATCH,
    on_batch: Callable[[list[int]], Awaitable[object]] | None = None,
) -> list[int]:
    """Plan every reminder due at `now` and move each one to its next local firing instant.

    `on_batch` gets each committed batch's nudge ids at once, so with many reminders due in the
    same minute the first deliveries start while later batches are still being planned."""
    planned: list[int] = []
    while True:
        ids: list[int] = []
        async with in_transaction():
            reminders = (
                await Reminder.filter(next_fire_at__lte=now)
                .order_by("next_fire_at", "id")
                .limit(batch)
                .select_for_update(skip_locked=True)
            )
            if not reminders:
                break
            habits = {h.id: h for h in await Habit.filter(id__in={r.habit_id for r in reminders})}
            users = {u.id: u for u in await User.filter(id__in={h.user_id for h in habits.values()})}
            local = {
                r.id: r.next_fire_at.astimezone(zone(users[habits[r.habit_id].user_id].timezone)) for r in reminders
            }
            days = {instant.date() for instant in local.values()}
            state = await _Days.load(habits, min(days), max(days))
            nudges = []
            for reminder in reminders:
                habit = habits[reminder.habit_id]
                user = users[habit.user_id]
                fired = local[reminder.id]
                wanted = (
                    can_send
                    and user.reminders_enabled
                    and _reachable(user)
                    and now - reminder.next_fire_at <= MAX_LATENESS[NudgeKind.REMINDER]
                    and not in_quiet_hours(user, fired.time())
                    and state.due_and_open(habit, fired.date())
                )
                if wanted:
                    nudges.append(Nudge(
                        user_id=user.id, habit_id=habit.id, kind=NudgeKind.REMINDER, day=fired.date(),
                        key=reminder_key(reminder.id, fired.date()), planned_at=reminder.next_fire_at,
                        text=reminder_text(habit, fired.date()),
                    ))
                reminder.next_fire_at = next_fire_at(reminder.local_time, user.timezone, now)
            await Reminder.bulk_update(reminders, fields=["next_fire_at"])
            if nudges:
                await Nudge.bulk_create(nudges, ignore_conflicts=True)
                ids = list(await Nudge.filter(
                    key__in=[n.key for n in nudges], status=NudgeStatus.PENDING
                ).order_by("planned_at", "id").values_list("id", flat=True))
        planned.extend(ids)
        if ids and on_batch is not None:
            await on_batch(ids)
    return planned


async def _nudge_zones() -> list[str]:
    return list(await User.filter(nudges_enabled=True, bot_blocked=False, telegram_chat_id__isnull=False)
                .distinct().values_list("timezone", flat=True))


def _minute_of(local: datetime) -> int:
    return local.hour * 60 + local.minute


def _in_window(minute: int, start: int, width: int) -> bool:
    return start <= minute < start + width


async def plan_nudges(
    now: datetime, *, cap: int, can_send: bool = True, threshold: float = SKIP_RISK_THRESHOLD
) -> list[int]:
    """Plan skip-risk and streak-risk nudges for the habits whose local trigger window holds `now`."""
    if not can_send or cap <= 0:
        return []
    planned: list[int] = []
    for tz_name in await _nudge_zones():
        local = now.astimezone(zone(tz_name))
        minute = _minute_of(local)
        # Usual check-in minutes whose skip-risk window [usual - lead, usual - lead + width) holds now.
        window = Q(
            usual_checkin_minute__gt=minute + SKIP_LEAD_MINUTES - NUDGE_WINDOW_MINUTES,
            usual_checkin_minute__lte=minute + SKIP_LEAD_MINUTES,
        )
        if _in_window(minute, DEFAULT_SKIP_MINUTE, NUDGE_WINDOW_MINUTES):
            window |= Q(usual_checkin_minute__isnull=True)
        streak_time = _in_window(minute, STREAK_RISK_MINUTE, NUDGE_WINDOW_MINUTES)
        if streak_time:
            window |= Q(current_streak__gte=STREAK_RISK_MIN_DAYS)
        habits = await Habit.filter(
            window, archived_at__isnull=True, user__timezone=tz_name, user__nudges_enabled=True,
            user__bot_blocked=False, user__telegram_chat_id__isnull=False,
        ).order_by("user_id", "position", "id")
        by_user: dict[int, list[Habit]] = defaultdict(list)
        for habit in habits:
            by_user[habit.user_id].append(habit)
        for user_id, user_habits in by_user.items():
            planned.extend(await _plan_for_user(user_id, user_habits, now, cap, threshold, streak_time))
    return planned


async def _plan_for_user(
    user_id: int, habits: list[Habit], now: datetime, cap: int, threshold: float, streak_time: bool
) -> list[int]:
    async with in_transaction():
        user = await User.filter(id=user_id).select_for_update().first()
        if user is None or not user.nudges_enabled or not _reachable(user):
            return []
        local = now.astimezone(zone(user.timezone))
        today = local.date()
        if in_quiet_hours(user, local.time()):
            return []
        used = await Nudge.filter(
            user_id=user.id, day=today, kind__in=HABIT_NUDGE_KINDS, status__in=LIVE_STATUSES
        ).count()
        if used >= cap:
            return []
        taken = set(await Nudge.filter(key__in=[nudge_key(h.id, today) for h in habits]).values_list(
            "key", flat=True
        ))
        fresh = [h for h in habits if nudge_key(h.id, today) not in taken]
        if not fresh:
            return []
        state = await _Days.load({h.id: h for h in fresh}, today, today)
        candidates: list[tuple[int, float, Habit, NudgeKind, str]] = []
        for habit in fresh:
            if not state.due_and_open(habit, today):
                continue
            if habit.streak_day != today:
                await refresh_streaks(habit, today)
            streak_risk = (
                streak_time and habit.schedule_kind is not ScheduleKind.TIMES_PER_WEEK
                and habit.current_streak >= STREAK_RISK_MIN_DAYS
            )
            if streak_risk:
                candidates.append((0, -habit.current_streak, habit, NudgeKind.STREAK_RISK, streak_risk_text(habit)))
                continue
            if habit.schedule_kind is ScheduleKind.TIMES_PER_WEEK or not _skip_window(habit, local):
                continue
            probability = (await skip_forecast(user, habit, [today], now=now))[today]
            if should_nudge(probability, threshold):
                explanation = await explain_today(user, habit, now=now)
                candidates.append(
                    (1, -probability, habit, NudgeKind.SKIP_RISK, skip_risk_text(habit, explanation, today))
                )
        planned = []
        for _, _, habit, kind, text in sorted(candidates, key=lambda c: (c[0], c[1], c[2].id))[: cap - used]:
            try:
                async with in_transaction():
                    nudge = await Nudge.create(
                        user_id=user.id, habit_id=habit.id, kind=kind, day=today, key=nudge_key(habit.id, today),
                        planned_at=now, text=text,
                    )
            except IntegrityError:  # planned by a concurrent scan in the meantime
                continue
            planned.append(nudge.id)
    return planned


def _skip_window(habit: Habit, local: datetime) -> bool:
    start = (
        DEFAULT_SKIP_MINUTE if habit.usual_checkin_minute is None else habit.usual_checkin_minute - SKIP_LEAD_MINUTES
    )
    return _in_window(_minute_of(local), start, NUDGE_WINDOW_MINUTES)


async def plan_weekly_summaries(now: datetime, *, can_send: bool = True) -> list[int]:
    """Plan the weekly summary for users whose local time is Sunday evening."""
    if not can_send:
        return []
    planned: list[int] = []
    for tz_name in await _nudge_zones():
        local = now.astimezone(zone(tz_name))
        if local.weekday() != 6 or not _in_window(_minute_of(local), WEEKLY_MINUTE, WEEKLY_WINDOW_MINUTES):
            continue
        today = local.date()
        monday = week_start(today)
        users = await User.filter(
            timezone=tz_name, nudges_enabled=True, bot_blocked=False, telegram_chat_id__isnull=False
        )
        taken = set(await Nudge.filter(key__in=[weekly_key(u.id, monday) for u in users]).values_list(
            "key", flat=True
        ))
        for user in users:
            if weekly_key(user.id, monday) in taken or in_quiet_hours(user, local.time()):
                continue
            insight = await weekly_insight_for(user, monday, now=now)
            if insight.scheduled == 0:
                continue  # nothing was due: nothing worth a message
            try:
                nudge = await Nudge.create(
                    user_id=user.id, kind=NudgeKind.WEEKLY_SUMMARY, day=today, key=weekly_key(user.id, monday),
                    planned_at=now, text=weekly_summary_text(insight),
                )
            except IntegrityError:
                continue
            planned.append(nudge.id)
    return planned


async def stale_pending(now: datetime) -> list[int]:
    """PENDING rows planned a while ago and still not delivered: their delivery task was lost (the
    planner died between commit and enqueue). Enqueued again; delivery's claim makes that harmless."""
    oldest = now - max(MAX_LATENESS.values())
    return list(await Nudge.filter(
        status=NudgeStatus.PENDING, planned_at__lt=now - REQUEUE_PENDING_AFTER, planned_at__gte=oldest
    ).order_by("planned_at", "id").limit(REQUEUE_LIMIT).values_list("id", flat=True))


async def run_nightly(now: datetime, *, local_hour: int = NIGHTLY_LOCAL_HOUR) -> int:
    """In every zone where it is `local_hour` at night: refresh streak caches and recompute the skip
    forecasts and usual check-in times of all active habits. Returns how many habits."""
    count = 0
    zones = await User.all().distinct().values_list("timezone", flat=True)
    for tz_name in zones:
        local = now.astimezone(zone(tz_name))
        if local.hour != local_hour:
            continue
        habits = await Habit.filter(user__timezone=tz_name, archived_at__isnull=True).select_related("user")
        for habit in habits:
            await refresh_streaks(habit, local.date())
            await recompute_predictions(habit, user=habit.user, now=now)
            count += 1
    await SkipPrediction.filter(day__lt=(now - timedelta(days=PREDICTION_RETENTION_DAYS)).date()).delete()
    return count
