"""Deciding what to send and when: reminders, skip-risk and streak-risk nudges, weekly summaries.

Planning writes `Nudge` rows (PENDING) under unique keys and returns their ids; `tasks.delivery`
sends them. Every decision is taken in the user's local time, from the `now` passed in (tests pass
it; the tasks pass the real clock):

The work of a minute is proportional to what is due then, never to the number of habits or zones:

- Reminders: rows with `next_fire_at <= now` (an indexed range scan), locked with SKIP LOCKED so two
  scans never plan the same batch, read with their habits and owners in one statement; a batch of
  up to `REMINDER_BATCH` costs five statements (`tasks.nudge_scan`). The key
  `reminder:{reminder_id}:{local_day}` makes a repeated scan a no-op. `next_fire_at` always moves on
  (DST-safe, `smarthabit.reminder_times`), also when the reminder is skipped (done, paused, not
  scheduled, quiet hours, reminders off, blocked).
- Nudges: each habit stores its next trigger instant (`Habit.next_nudge_at`, indexed; the rules are
  `smarthabit.nudge_times`), so the scan reads exactly the habits whose trigger has come, with their
  owners, in one statement, and their context (today's check-ins, pauses, stored forecasts, the
  day's nudges) in one statement each. Skip risk fires `SKIP_LEAD_MINUTES` before the habit's usual
  check-in time (or around `DEFAULT_SKIP_MINUTE` until that is learned) when today's P(skip) is at
  least `SKIP_RISK_THRESHOLD`, read from the forecast the nightly run stored (computed now only for a
  habit it has not reached); streak risk fires around `STREAK_RISK_MINUTE` for streaks of at least
  `STREAK_RISK_MIN_DAYS` not done yet. A trigger stays valid for `NUDGE_WINDOW_MINUTES` so a missed
  scan minute does not lose the nudge. Both kinds share the key `nudge:{habit_id}:{local_day}`: at
  most one nudge per habit per day, enforced by the unique index, not by memory.
- The per-user daily cap (`Settings.nudge_daily_cap`) counts planned, sending and sent habit
  nudges of the local day; the user's row is locked while it is checked, so concurrent scans
  cannot both squeeze in "the last one". Reminders (asked for by the user) and the weekly summary
  (one a week) do not count against it.
- Weekly summaries go out on the user's local Sunday evening (`WEEKLY_MINUTE`, window
  `WEEKLY_WINDOW_MINUTES`), key `weekly:{user_id}:{week_monday}`.
- The nightly run (04:00 local, per zone) refreshes streaks, forecasts, usual minutes and trigger
  instants in bounded batches of `NIGHTLY_BATCH_USERS` users (`smarthabit.nightly`), one task each.
No nudge is planned during quiet hours or for users who turned nudges off; delivery checks again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from smarthabit import still_wanted
from smarthabit.accounts import in_quiet_hours
from smarthabit.clock import zone
from smarthabit.missed import count_missed
from smarthabit.models import Habit, Nudge, NudgeKind, NudgeStatus, SkipPrediction, User
from smarthabit.nightly import refresh_batches
from smarthabit.nudge_rule import SKIP_RISK_THRESHOLD, expected_saving, should_nudge  # the rule: domain
from smarthabit.nudge_times import (
    fires,
    next_trigger,
    skip_minute,
    streak_minute,
)
from smarthabit.predictions import explain_today, risk_reason, skip_forecast
from smarthabit.reminder_times import next_fire_at
from smarthabit.schedule import ScheduleKind, week_start
from smarthabit.stats import weekly_insight_for
from smarthabit.still_wanted import MAX_LATENESS
from smarthabit.streak_cache import refresh_streaks
from tasks import nudge_scan
from tasks.nudge_scan import Woken
from tasks.texts import reminder_text, skip_risk_reason_text, streak_risk_text, weekly_summary_text

log = logging.getLogger(__name__)

REMINDER_BATCH = 3_000  # five statements a batch; each batch is handed to delivery at once
# At most this many reminders a scan: 1.7 minutes of sending at Telegram's 30 messages/s, so planning
# stays ahead of delivery; a bigger wave (everyone's 09:00) is planned over the next minutes, earliest
# first, without delaying any message.
REMINDERS_PER_SCAN = 3_000
# Habits looked at per scan: a minute of the spread 09:00 wave at a million habits is ~3,000; after an
# outage the backlog is worked off over the next scans, earliest first.
NUDGE_BATCH = 20_000
WEEKLY_MINUTE = 19 * 60
WEEKLY_WINDOW_MINUTES = 120
NIGHTLY_LOCAL_HOUR = 4  # after midnight everywhere, and not an hour DST changes skip or repeat
NIGHTLY_BATCH_USERS = 250  # one nightly task: a few hundred habits, well under a second of work
# A wave of reminders that would take more than twice this long to send starts this early: the
# reminders are centred on their time (the first a minute early, the last a minute less late)
# instead of all going out late. A lone reminder is never early.
EARLY_START = still_wanted.MAX_EARLINESS
REQUEUE_PENDING_AFTER = timedelta(minutes=5)
REQUEUE_LIMIT = 1000
PREDICTION_RETENTION_DAYS = 60
LIVE_STATUSES = (NudgeStatus.PENDING, NudgeStatus.SENDING, NudgeStatus.SENT)


def nudge_key(habit_id: int, day: date) -> str:
    """One key for every habit nudge kind: at most one nudge per habit per local day."""
    return f"nudge:{habit_id}:{day.isoformat()}"


def reminder_key(reminder_id: int, day: date) -> str:
    return f"reminder:{reminder_id}:{day.isoformat()}"


def weekly_key(user_id: int, monday: date) -> str:
    return f"weekly:{user_id}:{monday.isoformat()}"


def _reachable(user: User) -> bool:
    return still_wanted.reachable(user)


async def reminder_horizon(now: datetime, rate: float) -> datetime:
    """Up to which instant this scan plans reminders: `now`, or `now + EARLY_START` when the reminders
    of the coming minute are a wave that at `rate` messages a second would take more than twice
    `EARLY_START` to send (a person tolerates a reminder a little early better than minutes late)."""
    if rate <= 0:
        return now
    wave = await nudge_scan.reminders_due_between(now, now + EARLY_START)
    return now + EARLY_START if wave > 2 * rate * EARLY_START.total_seconds() else now


async def plan_due_reminders(
    now: datetime,
    *,
    until: datetime | None = None,
    can_send: bool = True,
    batch: int = REMINDER_BATCH,
    limit: int = REMINDERS_PER_SCAN,
    on_batch: Callable[[list[int]], Awaitable[object]] | None = None,
) -> list[int]:
    """Plan the reminders due at `now` (earliest first, at most about `limit`) and move each one to
    its next local firing instant. With `until` (`reminder_horizon`), also those firing up to then:
    a big wave's head goes out early, each judged as at its own instant.

    A batch is five statements whatever its size (the due reminders with their habits and owners,
    today's check-ins and pauses, the insert, the move). `on_batch` gets each committed batch's nudge
    ids at once. Reminders left over (a wave beyond `limit`) are still due and the next scans take them
    first; `limit` is above what Telegram lets out in a minute, so no message waits for planning."""
    planned: list[int] = []
    taken = 0
    while taken < limit:
        size = min(batch, limit - taken)
        async with in_transaction():
            due = await nudge_scan.due_reminders(max(now, until or now), size)
            if not due:
                break
            ids = await _plan_reminder_batch(due, now, can_send)
            await nudge_scan.advance_reminders(_next_firings(due, now))
        planned.extend(ids)
        taken += len(due)
        if ids and on_batch is not None:
            await on_batch(ids)
        if len(due) < size:
            break
    return planned


def _next_firings(due: list[nudge_scan.DueReminder], now: datetime) -> dict[int, datetime]:
    """Each reminder's next local firing instant after now, or after its own instant for one planned
    early (computed once per zone, time and instant)."""
    cache: dict[tuple[time, str, datetime], datetime] = {}
    result = {}
    for reminder in due:
        key = (reminder.local_time, reminder.habit.timezone, max(now, reminder.fire_at))
        if key not in cache:
            cache[key] = next_fire_at(reminder.local_time, reminder.habit.timezone, key[2])
        result[reminder.id] = cache[key]
    return result


async def _plan_reminder_batch(due: list[nudge_scan.DueReminder], now: datetime, can_send: bool) -> list[int]:
    """The reminders of a batch that are still wanted, inserted as PENDING nudges."""
    fired = {r.id: r.fire_at.astimezone(zone(r.habit.timezone)) for r in due}
    wanted = [r for r in due if can_send and _reminder_wanted(r, fired[r.id], now)]
    if not wanted:
        return []
    days = sorted({fired[r.id].date() for r in wanted})
    habit_ids = list({r.habit.id for r in wanted})
    values = {(h, d): v for h, d, v in await nudge_scan.checkins(habit_ids, week_start(days[0]), days[-1])}
    by_habit: dict[int, list[tuple[date, float | None]]] = defaultdict(list)
    for (habit_id, day), value in values.items():
        by_habit[habit_id].append((day, value))
    pauses: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for habit_id, start, end in await nudge_scan.pauses(habit_ids, days[0], days[-1]):
        pauses[habit_id].append((start, end))
    nudges = []
    for reminder in wanted:
        habit, day = reminder.habit, fired[reminder.id].date()
        if (habit.id, day) in values and habit.counts_as_done(values[(habit.id, day)]):
            continue
        if any(start <= day <= end for start, end in pauses.get(habit.id, ())):
            continue
        if not _open_this_week(habit, day, by_habit[habit.id]):
            continue
        nudges.append(nudge_scan.Planned(
            user_id=habit.user_id, habit_id=habit.id, kind=NudgeKind.REMINDER, day=day,
            key=reminder_key(reminder.id, day),
            # held until the quiet hours end (smarthabit.still_wanted); delivery marks it DEFERRED
            # (a wave's early head: the quiet hours of its own instant)
            planned_at=still_wanted.quiet_hours_end(habit, max(now, reminder.fire_at))  # type: ignore[arg-type]
            or reminder.fire_at,
            text=reminder_text(habit, day, habit.language),  # type: ignore[arg-type]
        ))
    return await nudge_scan.insert(nudges)


def _reminder_wanted(reminder: nudge_scan.DueReminder, fired: datetime, now: datetime) -> bool:
    """Reminders on, reachable, not too late, not in quiet hours (unless held until they end: the
    user's choice), habit active, started, scheduled."""
    habit = reminder.habit
    return (
        habit.reminders_enabled and _reachable(habit) and habit.archived_at is None  # type: ignore[arg-type]
        and now - reminder.fire_at <= MAX_LATENESS[NudgeKind.REMINDER]
        and (habit.quiet_reminders_later or not in_quiet_hours(habit, fired.time()))  # type: ignore[arg-type]
        and fired.date() >= habit.start_day and nudge_scan.scheduled(habit, fired.date())
    )


def _open_this_week(habit: nudge_scan.Woken, day: date, checkins: list[tuple[date, float | None]]) -> bool:
    """A times-per-week habit is open until the week's quota is met."""
    if habit.schedule_kind is not ScheduleKind.TIMES_PER_WEEK:
        return True
    monday = week_start(day)
    done = sum(1 for d, value in checkins if monday <= d <= day and habit.counts_as_done(value))
    return done < (habit.times_per_week or 0)


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
    """Plan skip-risk and streak-risk nudges for the habits whose trigger instant has come.

    Reads only the habits due now (`next_nudge_at <= now`, indexed) in a few set-based statements,
    decides in memory, inserts the nudges in one statement and moves each habit to its next trigger."""
    if not can_send or cap <= 0:
        return []
    async with in_transaction():
        habits = await nudge_scan.woken(now, NUDGE_BATCH)
        if not habits:
            return []
        scan = _NudgeScan(now, habits)
        wanted = scan.triggered()
        planned: list[int] = []
        if wanted:
            await nudge_scan.lock_users(list({habit.user_id for habit, _ in wanted}))
            context = await _NudgeContext.load([habit for habit, _ in wanted], scan.days)
            picked = await _pick_per_user(scan, wanted, context, cap, threshold)
            planned = await nudge_scan.insert(picked)
        await nudge_scan.advance(scan.next_triggers())
    return planned


class _NudgeScan:
    """One scan's view of the woken habits: each zone's local day, and which trigger fires now."""

    def __init__(self, now: datetime, habits: list[Woken]) -> None:
        self.now = now
        self.habits = habits
        self.local = {tz: now.astimezone(zone(tz)) for tz in {h.timezone for h in habits}}
        self.days = sorted({local.date() for local in self.local.values()})
        self._fires: dict[tuple[int | None, str], bool] = {}

    def today(self, habit: Woken) -> date:
        return self.local[habit.timezone].date()

    def _fires_now(self, minute: int | None, tz_name: str) -> bool:
        key = (minute, tz_name)
        if key not in self._fires:
            self._fires[key] = fires(minute, tz_name, self.now)
        return self._fires[key]

    def trigger(self, habit: Woken) -> NudgeKind | None:
        """The nudge kind whose trigger is in its window now (streak risk first), if the person can
        get one: nudges on, reachable, not in quiet hours, habit active and scheduled today."""
        if not habit.nudges_enabled or not _reachable(habit) or habit.archived_at is not None:
            return None
        if in_quiet_hours(habit, self.local[habit.timezone].time()):  # type: ignore[arg-type]
            return None
        today = self.today(habit)
        if today < habit.start_day or not nudge_scan.scheduled(habit, today):
            return None
        if self._fires_now(streak_minute(habit.schedule_kind, habit.current_streak, habit.user_id), habit.timezone):
            return NudgeKind.STREAK_RISK
        if self._fires_now(skip_minute(habit.schedule_kind, habit.usual_checkin_minute, habit.user_id), habit.timezone):
            return NudgeKind.SKIP_RISK
        return None

    def triggered(self) -> list[tuple[Woken, NudgeKind]]:
        return [(habit, kind) for habit in self.habits if (kind := self.trigger(habit)) is not None]

    def next_triggers(self) -> dict[int, datetime | None]:
        """Each woken habit's next trigger instant after now (computed once per kind of habit)."""
        cache: dict[tuple[int | None, int | None, str], datetime | None] = {}
        result: dict[int, datetime | None] = {}
        for habit in self.habits:
            minutes = (None, None) if habit.archived_at is not None else (
                skip_minute(habit.schedule_kind, habit.usual_checkin_minute, habit.user_id),
                streak_minute(habit.schedule_kind, habit.current_streak, habit.user_id),
            )
            key = (*minutes, habit.timezone)
            if key not in cache:
                cache[key] = next_trigger(minutes, habit.timezone, self.now)
            result[habit.id] = cache[key]
        return result


@dataclass(slots=True)
class _NudgeContext:
    """What the decision needs beyond the habit rows, read for all woken habits at once."""

    values: dict[tuple[int, date], float | None]
    pauses: dict[int, list[tuple[date, date]]]
    forecasts: dict[tuple[int, date], tuple[float, str]]
    used: dict[tuple[int, date], int]
    taken: set[tuple[int, date]]

    @classmethod
    async def load(cls, habits: list[Woken], days: list[date]) -> _NudgeContext:
        ids, users = [h.id for h in habits], list({h.user_id for h in habits})
        values = {(h, day): value for h, day, value in await nudge_scan.checkins(ids, days[0], days[-1])}
        pauses: dict[int, list[tuple[date, date]]] = defaultdict(list)
        for habit_id, start, end in await nudge_scan.pauses(ids, days[0], days[-1]):
            pauses[habit_id].append((start, end))
        forecasts = {(h, d): (p, reason) for h, d, p, reason in await nudge_scan.forecasts(ids, days)}
        used: dict[tuple[int, date], int] = defaultdict(int)
        taken: set[tuple[int, date]] = set()
        for user_id, habit_id, day, status in await nudge_scan.habit_nudges(users, days):
            taken.add((habit_id, day))
            if status in LIVE_STATUSES:
                used[(user_id, day)] += 1
        return cls(values, pauses, forecasts, used, taken)

    def open_today(self, habit: Woken, today: date) -> bool:
        """Not nudged yet today, not paused, not done (a measurable value must meet the target)."""
        if (habit.id, today) in self.taken:
            return False
        if any(start <= today <= end for start, end in self.pauses.get(habit.id, ())):
            return False
        key = (habit.id, today)
        return key not in self.values or not habit.counts_as_done(self.values[key])


async def _pick_per_user(
    scan: _NudgeScan, wanted: list[tuple[Woken, NudgeKind]], context: _NudgeContext, cap: int, threshold: float
) -> list[Nudge]:
    """The nudges to plan: per user, streaks at risk first (longest first), then the riskiest skips,
    up to what is left of the user's daily cap."""
    candidates: dict[int, list[tuple[int, float, int, nudge_scan.Planned]]] = defaultdict(list)
    for habit, kind in wanted:
        today = scan.today(habit)
        if not context.open_today(habit, today):
            continue
        nudge = await _candidate(scan, habit, kind, context, threshold)
        if nudge is not None:
            rank = (-habit.current_streak if kind is NudgeKind.STREAK_RISK
                    else -expected_saving(context.forecasts[(habit.id, today)][0]))  # the riskiest first
            candidates[habit.user_id].append((0 if kind is NudgeKind.STREAK_RISK else 1, rank, habit.id, nudge))
    picked: list[nudge_scan.Planned] = []
    for user_id, options in candidates.items():
        left = cap - context.used[(user_id, options[0][3].day)]
        picked.extend(option[3] for option in sorted(options, key=lambda o: o[:3])[: max(left, 0)])
    return picked


async def _candidate(
    scan: _NudgeScan, habit: Woken, kind: NudgeKind, context: _NudgeContext, threshold: float
) -> nudge_scan.Planned | None:
    """The nudge this habit would get now, or None (streak not at risk, skip risk below threshold)."""
    today = scan.today(habit)
    if habit.streak_day != today:  # the nightly run had not reached it: the slow, exact path
        await _refresh_streak(habit, today)
    if kind is NudgeKind.STREAK_RISK:
        if streak_minute(habit.schedule_kind, habit.current_streak, habit.user_id) is None:
            return None
        text = streak_risk_text(habit, habit.language)  # type: ignore[arg-type]
    else:
        if (habit.id, today) not in context.forecasts:  # not forecast ahead: compute it now
            context.forecasts[(habit.id, today)] = await _forecast_now(habit, scan.now)
        probability, reason = context.forecasts[(habit.id, today)]
        if not should_nudge(probability, threshold):
            return None
        text = skip_risk_reason_text(habit, reason, today, habit.language)  # type: ignore[arg-type]
    return nudge_scan.Planned(user_id=habit.user_id, habit_id=habit.id, kind=kind, day=today,
                              key=nudge_key(habit.id, today), planned_at=scan.now, text=text)


async def _refresh_streak(habit: Woken, today: date) -> None:
    row = await Habit.get(id=habit.id)
    await refresh_streaks(row, today)
    habit.current_streak, habit.longest_streak, habit.streak_day = row.current_streak, row.longest_streak, today


async def _forecast_now(habit: Woken, now: datetime) -> tuple[float, str]:
    """Today's forecast and reason for a habit the nightly run has not forecast (new, or missed)."""
    row, user = await Habit.get(id=habit.id), await User.get(id=habit.user_id)
    today = now.astimezone(zone(user.timezone)).date()
    probability = (await skip_forecast(user, row, [today], now=now))[today]
    return probability, risk_reason(await explain_today(user, row, now=now))


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
                    planned_at=now, text=weekly_summary_text(insight, user.language),
                )
            except IntegrityError:
                continue
            planned.append(nudge.id)
    return planned


async def delivery_backlog(now: datetime) -> tuple[int, int]:
    """The delivery queue's depth (PENDING rows still within their deadline) and how many messages
    missed their deadline since the previous scan (delivery marks them SKIPPED, `too_late`; each is
    counted once: the scan relabels it `too_late:counted`). Two statements."""
    oldest = now - max(MAX_LATENESS.values())
    depth = await Nudge.filter(status=NudgeStatus.PENDING, planned_at__gte=oldest).count()
    return depth, await count_missed()


async def stale_pending(now: datetime) -> list[int]:
    """PENDING rows planned a while ago and still not delivered: their delivery task was lost (the
    planner died between commit and enqueue). Enqueued again; delivery's claim makes that harmless."""
    oldest = now - max(MAX_LATENESS.values())
    return list(await Nudge.filter(
        status=NudgeStatus.PENDING, planned_at__lt=now - REQUEUE_PENDING_AFTER, planned_at__gte=oldest
    ).order_by("planned_at", "id").limit(REQUEUE_LIMIT).values_list("id", flat=True))


async def nightly_batches(now: datetime, *, local_hour: int = NIGHTLY_LOCAL_HOUR,
                          size: int = NIGHTLY_BATCH_USERS) -> list[list[int]]:
    """The users whose local hour is `local_hour` at `now`, in bounded batches (ascending ids)."""
    zones = [tz for tz in await User.all().distinct().values_list("timezone", flat=True)
             if now.astimezone(zone(tz)).hour == local_hour]
    if not zones:
        return []
    ids = list(await User.filter(timezone__in=zones).order_by("id").values_list("id", flat=True))
    return [ids[start:start + size] for start in range(0, len(ids), size)]


async def run_nightly(now: datetime, *, local_hour: int = NIGHTLY_LOCAL_HOUR) -> int:
    """In every zone where it is `local_hour` at night: refresh streak caches, the week's skip
    forecasts, usual check-in times and next nudge instants of all active habits, one bounded batch
    after another, the next one's reads under way meanwhile (the workers run the batches as separate
    tasks). Returns how many habits."""
    count = await refresh_batches(await nightly_batches(now, local_hour=local_hour), now)
    await prune_predictions(now)
    return count


async def prune_predictions(now: datetime) -> None:
    await SkipPrediction.filter(day__lt=(now - timedelta(days=PREDICTION_RETENTION_DAYS)).date()).delete()
