"""Is a planned reminder, nudge or summary still wanted? The rules, written once.

Planning asks before it writes a message down; delivery asks again right before sending, because
time passes in between (the habit was done, the user paused it, turned messages off, blocked the
bot, quiet hours began, the message got too old). The answer is a `Verdict`:

- send it now (an account notice, e.g. "your webhook was disabled", only needs a reachable chat);
- drop it, with the reason (`bot_blocked`, `no_chat`, `reminders_off`, `nudges_off`, `too_late`,
  `quiet_hours`, `habit_gone`, `done`, `paused`);
- or, for a reminder that falls in quiet hours, hold it until they end (`defer_until`), unless the
  user chose in /settings to drop such reminders (`User.quiet_reminders_later`). Nudges and
  summaries are not held: a nudge after the quiet hours would be about a moment that has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from smarthabit.accounts import in_quiet_hours
from smarthabit.clock import zone
from smarthabit.models import CheckIn, Habit, HabitPause, Nudge, NudgeKind, User

MAX_LATENESS = {
    NudgeKind.REMINDER: timedelta(hours=2),
    NudgeKind.SKIP_RISK: timedelta(hours=2),
    NudgeKind.STREAK_RISK: timedelta(hours=2),
    NudgeKind.WEEKLY_SUMMARY: timedelta(hours=6),
    NudgeKind.ACCOUNT_NOTICE: timedelta(hours=6),
}
# How early a reminder may go out: the head of a wave too big to send at once goes ahead of its time
# (tasks.planning.reminder_horizon); anything planned later than this is held until its time.
MAX_EARLINESS = timedelta(minutes=1)
QUIET_HOURS = "quiet_hours"
DEFERRED = "deferred: quiet hours"  # the `error` note of a reminder held until quiet hours end


@dataclass(frozen=True, slots=True)
class Verdict:
    reason: str | None = None  # why not to send; None with no defer_until means "send now"
    defer_until: datetime | None = None

    @property
    def send_now(self) -> bool:
        return self.reason is None and self.defer_until is None


SEND = Verdict()


def reachable(user: User) -> bool:
    """The bot can write to this person at all."""
    return not user.bot_blocked and user.telegram_chat_id is not None


def quiet_hours_end(user: User, instant: datetime) -> datetime | None:
    """The instant the quiet hours holding `instant` end, or None if `instant` is outside them."""
    tz = zone(user.timezone)
    local = instant.astimezone(tz)
    if user.quiet_end is None or not in_quiet_hours(user, local.time()):
        return None
    end: time = user.quiet_end.replace(tzinfo=None)
    day = local.date() if local.time().replace(tzinfo=None) < end else local.date() + timedelta(days=1)
    naive = datetime.combine(day, end)
    # A wall time a DST gap skips resolves forward (fold=0 picks the instant after the gap).
    return naive.replace(tzinfo=tz).astimezone(instant.tzinfo)


def person_rule(user: User, kind: NudgeKind) -> str | None:
    """The user's own settings: reachable, and this kind of message switched on (an account notice,
    about the account itself, cannot be switched off)."""
    if user.bot_blocked:
        return "bot_blocked"
    if user.telegram_chat_id is None:
        return "no_chat"
    if kind is NudgeKind.ACCOUNT_NOTICE:
        return None
    if kind is NudgeKind.REMINDER:
        return None if user.reminders_enabled else "reminders_off"
    return None if user.nudges_enabled else "nudges_off"


def time_rule(user: User, kind: NudgeKind, planned_at: datetime, now: datetime) -> Verdict:
    """Lateness and quiet hours at `now` for a message planned for `planned_at`."""
    if now - planned_at > MAX_LATENESS[kind]:
        return Verdict("too_late")
    if planned_at - now > MAX_EARLINESS:  # planned past quiet hours that had not begun at planning
        return Verdict(defer_until=planned_at)
    end = quiet_hours_end(user, now)
    if end is None:
        return SEND
    if kind is NudgeKind.REMINDER and (user.quiet_reminders_later or planned_at >= end):
        return Verdict(defer_until=end)  # also a wave's early head: its own time is after the quiet hours
    return Verdict(QUIET_HOURS)


async def habit_rule(habit_id: int, day: date) -> str | None:
    """The habit still exists, is not paused that day and is not done yet."""
    habit = await Habit.filter(id=habit_id).first()
    if habit is None or habit.archived_at is not None:
        return "habit_gone"
    if await HabitPause.filter(habit_id=habit_id, start__lte=day, end__gte=day).exists():
        return "paused"
    checkin = await CheckIn.filter(habit_id=habit_id, day=day).first()
    if checkin is not None and habit.counts_as_done(checkin.value):
        return "done"
    return None


async def verdict(nudge: Nudge, user: User, now: datetime) -> Verdict:
    """Everything at once, cheapest rules first: send now, drop (why), or hold until when."""
    reason = person_rule(user, nudge.kind)
    if reason is not None:
        return Verdict(reason)
    if nudge.kind is NudgeKind.ACCOUNT_NOTICE:  # not a nudge: no lateness, no quiet hours
        return SEND
    timing = time_rule(user, nudge.kind, nudge.planned_at, now)
    if not timing.send_now:
        return timing
    if nudge.habit_id is not None:
        reason = await habit_rule(nudge.habit_id, nudge.day)
        if reason is not None:
            return Verdict(reason)
    return SEND
