"""Reminders that missed their deadline are not dropped silently: the person's next message says so.

A reminder still queued when its deadline passed (a backlog longer than `MAX_LATENESS`, a long
outage) is marked SKIPPED with the note `too_late` by delivery, counted in /metrics by the minute
scan (`too_late` -> `too_late:counted`), and folded into the next reminder or nudge that reaches the
person ("Earlier reminders I could not send on time: Run, Read."): the habits of the last day whose
reminder was missed and that are still not done that day. Once that message is sent, the missed
rows get `:folded` appended to their note, so each is mentioned once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from smarthabit.models import CheckIn, Habit, Nudge, NudgeKind, NudgeStatus

TOO_LATE = "too_late"  # delivery's note for a message whose deadline passed
COUNTED = f"{TOO_LATE}:counted"
FOLDED = ":folded"
LOOK_BACK = timedelta(hours=24)
MAX_FOLDED = 5  # habit names in one line


@dataclass(frozen=True, slots=True)
class Missed:
    """The missed reminders to mention in a person's next message."""

    nudge_ids: list[int]
    habit_names: list[str]


class AnyMissed:
    """Whether any reminder missed its deadline in the last day, asked once a minute per process:
    the per-message question (`missed_reminders`) is only asked while the answer is yes, so a
    fan-out without misses costs no extra statement per message."""

    def __init__(self, ttl: timedelta = timedelta(minutes=1)) -> None:
        self.ttl = ttl
        self._asked_at: datetime | None = None
        self._answer = True

    async def recently(self, now: datetime) -> bool:
        if self._asked_at is None or not timedelta(0) <= now - self._asked_at < self.ttl:
            self._answer = await Nudge.filter(
                kind=NudgeKind.REMINDER, status=NudgeStatus.SKIPPED, error__in=[TOO_LATE, COUNTED],
                planned_at__gte=now - LOOK_BACK,
            ).exists()
            self._asked_at = now
        return self._answer


async def missed_reminders(user_id: int, now: datetime) -> Missed:
    """This person's reminders of the last day that missed their deadline, not yet mentioned, for
    habits still not done on that day (three statements; none when nothing was missed)."""
    rows = await Nudge.filter(
        user_id=user_id, kind=NudgeKind.REMINDER, status=NudgeStatus.SKIPPED, error__in=[TOO_LATE, COUNTED],
        planned_at__gte=now - LOOK_BACK,
    ).order_by("planned_at").values("id", "habit_id", "day")
    if not rows:
        return Missed([], [])
    done = set(await CheckIn.filter(
        habit_id__in=[r["habit_id"] for r in rows], day__in=list({r["day"] for r in rows})
    ).values_list("habit_id", "day"))
    open_rows = [r for r in rows if (r["habit_id"], r["day"]) not in done]
    names = dict(await Habit.filter(id__in=[r["habit_id"] for r in open_rows], archived_at__isnull=True)
                 .values_list("id", "name"))
    habit_ids = list(dict.fromkeys(r["habit_id"] for r in open_rows if r["habit_id"] in names))
    return Missed([r["id"] for r in rows], [names[h] for h in habit_ids[:MAX_FOLDED]])


async def mark_folded(nudge_ids: list[int]) -> None:
    """The person was told: never mention these again (the note keeps whether they were counted)."""
    for note in (TOO_LATE, COUNTED):
        await Nudge.filter(id__in=nudge_ids, error=note).update(error=note + FOLDED)


async def count_missed() -> int:
    """Relabel the reminders and nudges that missed their deadline since the last call as counted;
    returns how many (the minute scan adds them to /metrics). Folded ones are counted too."""
    fresh = await Nudge.filter(status=NudgeStatus.SKIPPED, error=TOO_LATE).update(error=COUNTED)
    folded = await Nudge.filter(status=NudgeStatus.SKIPPED, error=TOO_LATE + FOLDED).update(error=COUNTED + FOLDED)
    return fresh + folded
