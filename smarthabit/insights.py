"""The weekly insight: how each habit and the whole week went, and the sentences that tell the user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from smarthabit.i18n import _, ngettext
from smarthabit.schedule import Pause, Schedule, iso_week
from smarthabit.streaks import compute_streaks
from smarthabit.strength import completion_counts

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ATTENTION_MIN_DUE = 2  # a habit due once so far this week is not "needing attention" yet
WEEKDAY_WINDOW_DAYS = 28  # best and worst weekdays look at four weeks: one week has one sample a day

# Per weekday (0=Monday): [done, due] counts.
_Tally = list[list[int]]


@dataclass(frozen=True, slots=True)
class HabitHistory:
    """What the insight needs to know about one habit; `done` are local days counted as done."""

    habit_id: int
    name: str
    schedule: Schedule
    done: frozenset[date]
    pauses: tuple[Pause, ...] = ()
    created: date | None = None


@dataclass(frozen=True, slots=True)
class HabitWeek:
    """One habit's week; rates are shares of what was due, change is rate - previous_rate."""

    habit_id: int
    name: str
    done: int
    scheduled: int
    rate: float | None
    previous_rate: float | None
    change: float | None
    best_weekday: int | None
    worst_weekday: int | None
    streak_start: int
    streak_end: int


@dataclass(frozen=True, slots=True)
class WeeklyInsight:
    """All habits' week; counts are sums over habits, weekdays are over all habits' last four weeks."""

    week: str
    start: date
    end: date
    habits: tuple[HabitWeek, ...]
    done: int
    scheduled: int
    rate: float | None
    previous_rate: float | None
    change: float | None
    best_weekday: int | None
    worst_weekday: int | None


def weekly_insight(histories: Sequence[HabitHistory], week_monday: date, today: date) -> WeeklyInsight:
    """The insight for the ISO week starting on `week_monday`, as known on the local day `today`.

    Days after `today` and before a habit's creation are not due, so the week in progress is judged
    on its days so far (today included) and never counts the future as missed; last week is judged on
    the same weekdays, so Monday meets Monday, not a whole week. Times-per-week habits
    are due ceil(N * open_days / 7) per week, as in `completion_counts`.
    """
    if week_monday.weekday() != 0:
        raise ValueError(f"{week_monday} is not a Monday")
    sunday = week_monday + timedelta(days=6)
    week_ago = timedelta(days=7)
    last_compared = min(sunday, max(today, week_monday))  # a week in progress meets last week's same days
    total = _tally()
    habits = []
    done = scheduled = previous_done = previous_scheduled = 0
    for history in histories:
        achieved, due = _counts(history, week_monday, sunday, today)
        previous_achieved, previous_due = _counts(history, week_monday - week_ago, last_compared - week_ago, today)
        tally = _weekday_tally(history, sunday - timedelta(days=WEEKDAY_WINDOW_DAYS - 1), min(sunday, today))
        for weekday, (day_done, day_due) in enumerate(tally):
            total[weekday][0] += day_done
            total[weekday][1] += day_due
        done, scheduled = done + achieved, scheduled + due
        previous_done, previous_scheduled = previous_done + previous_achieved, previous_scheduled + previous_due
        rate, previous_rate = _rate(achieved, due), _rate(previous_achieved, previous_due)
        habits.append(
            HabitWeek(
                habit_id=history.habit_id,
                name=history.name,
                done=achieved,
                scheduled=due,
                rate=rate,
                previous_rate=previous_rate,
                change=_change(rate, previous_rate),
                best_weekday=_best(tally),
                worst_weekday=_worst(tally),
                streak_start=_streak_before(history, week_monday, today),
                streak_end=_streak_before(history, sunday + timedelta(days=1), today),
            )
        )
    rate, previous_rate = _rate(done, scheduled), _rate(previous_done, previous_scheduled)
    return WeeklyInsight(
        week=iso_week(week_monday),
        start=week_monday,
        end=sunday,
        habits=tuple(habits),
        done=done,
        scheduled=scheduled,
        rate=rate,
        previous_rate=previous_rate,
        change=_change(rate, previous_rate),
        best_weekday=_best(total),
        worst_weekday=_worst(total),
    )


def summary_sentences(insight: WeeklyInsight, weekday_names: Sequence[str] = WEEKDAY_NAMES) -> list[str]:
    """Short lines for the bot and the weekly summary, most important first, in the current language.

    They lean on what went well: no percentage when nothing was done yet (a new account gets an
    invitation, not a "0%"), and a habit "needs attention" only after it was due at least twice.
    """
    if insight.rate is None:
        return [_("Nothing was due this week.")]
    if insight.done == 0:
        return [_("A fresh start: nothing checked in yet this week. One tap in /today gets it going.")]
    lines = [_headline(insight)]
    # Equal best and worst means one weekday of data or all alike: nothing worth saying.
    if insight.best_weekday is not None and insight.best_weekday != insight.worst_weekday:
        lines.append(_("Best day: {weekday}.").format(weekday=weekday_names[insight.best_weekday]))
        lines.append(_("Hardest day: {weekday}.").format(weekday=weekday_names[insight.worst_weekday]))
    rated = [habit for habit in insight.habits if habit.rate is not None]
    if len(rated) > 1:
        top = max(rated, key=lambda habit: habit.rate)
        bottom = min(rated, key=lambda habit: habit.rate)
        if top.rate > bottom.rate:
            lines.append(_("Most consistent: {name} ({rate}).").format(name=top.name, rate=_percent(top.rate)))
            if bottom.scheduled >= ATTENTION_MIN_DUE:
                lines.append(_("Needs attention: {name} ({rate}).").format(
                    name=bottom.name, rate=_percent(bottom.rate)))
    # A streak only shrinks within a week by breaking.
    broken = [habit.name for habit in insight.habits if habit.streak_end < habit.streak_start]
    if broken:
        lines.append(_("Streak broken: {names}.").format(names=", ".join(broken)))
    return lines


def _headline(insight: WeeklyInsight) -> str:
    done, due, rate = insight.done, insight.scheduled, _percent(insight.rate or 0)
    if insight.change is None:
        return _("You did {done} of {due} ({rate}).").format(done=done, due=due, rate=rate)
    points = round(insight.change * 100)
    if points > 0:
        text = ngettext("You did {done} of {due} ({rate}), up {points} point on last week.",
                        "You did {done} of {due} ({rate}), up {points} points on last week.", points)
    elif points < 0:
        text = ngettext("You did {done} of {due} ({rate}), down {points} point on last week.",
                        "You did {done} of {due} ({rate}), down {points} points on last week.", -points)
    else:
        text = _("You did {done} of {due} ({rate}), same as last week.")
    return text.format(done=done, due=due, rate=rate, points=abs(points))


def _counts(history: HabitHistory, monday: date, sunday: date, today: date) -> tuple[int, int]:
    start = monday if history.created is None else max(monday, history.created)
    return completion_counts(history.schedule, history.done, start, min(sunday, today), history.pauses)


def _streak_before(history: HabitHistory, day: date, today: date) -> int:
    """The current streak as the day `day` begins, or as of `today` if that comes first."""
    return compute_streaks(
        history.schedule,
        (done for done in history.done if done < day),
        min(day, today),
        history.pauses,
        history.created,
    ).current


def _tally() -> _Tally:
    return [[0, 0] for _ in range(7)]


def _weekday_tally(history: HabitHistory, first: date, last: date) -> _Tally:
    tally = _tally()
    if history.created is not None:
        first = max(first, history.created)
    day = first
    while day <= last:
        if history.schedule.is_scheduled(day) and not any(pause.covers(day) for pause in history.pauses):
            tally[day.weekday()][0] += day in history.done
            tally[day.weekday()][1] += 1
        day += timedelta(days=1)
    return tally


def _best(tally: _Tally) -> int | None:
    """The weekday with the highest rate; ties go to the earliest weekday."""
    rated = [(-done / due, weekday) for weekday, (done, due) in enumerate(tally) if due]
    return min(rated)[1] if rated else None


def _worst(tally: _Tally) -> int | None:
    """The weekday with the lowest rate; ties go to the earliest weekday."""
    rated = [(done / due, weekday) for weekday, (done, due) in enumerate(tally) if due]
    return min(rated)[1] if rated else None


def _rate(done: int, due: int) -> float | None:
    return done / due if due else None


def _change(rate: float | None, previous: float | None) -> float | None:
    return None if rate is None or previous is None else rate - previous


def _percent(rate: float) -> str:
    return f"{round(rate * 100)}%"
