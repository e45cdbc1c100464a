"""When a habit is due: its schedule, its pauses and the ISO weeks that times-per-week habits count in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

ALL_WEEKDAYS = frozenset(range(7))
_ISO_WEEK = re.compile(r"(\d{4})-W(\d{2})")


class ScheduleKind(StrEnum):
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    TIMES_PER_WEEK = "times_per_week"


@dataclass(frozen=True, slots=True)
class Schedule:
    """Every day, on chosen weekdays (0=Monday..6=Sunday), or N times in each ISO week.

    Fields that do not belong to the kind must stay at their defaults, so one schedule has one spelling.
    """

    kind: ScheduleKind
    weekdays: frozenset[int] = frozenset()
    times_per_week: int = 0

    def __post_init__(self) -> None:
        # Coerced so values read back from the database or JSON (str, list) compare equal.
        object.__setattr__(self, "kind", ScheduleKind(self.kind))
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if not self.weekdays <= ALL_WEEKDAYS:
            raise ValueError(f"weekdays must be in 0..6 (0=Monday), got {sorted(self.weekdays)}")
        if self.kind is ScheduleKind.WEEKDAYS and not self.weekdays:
            raise ValueError("a weekdays schedule needs at least one weekday")
        if self.kind is not ScheduleKind.WEEKDAYS and self.weekdays:
            raise ValueError(f"weekdays are only for a weekdays schedule, not {self.kind}")
        if self.kind is ScheduleKind.TIMES_PER_WEEK:
            if not 1 <= self.times_per_week <= 7:
                raise ValueError(f"times_per_week must be 1..7, got {self.times_per_week}")
        elif self.times_per_week:
            raise ValueError(f"times_per_week is only for a times_per_week schedule, not {self.kind}")

    @property
    def scheduled_weekdays(self) -> frozenset[int]:
        """Weekdays on which the habit may be due; every day for daily and times-per-week habits."""
        return self.weekdays if self.kind is ScheduleKind.WEEKDAYS else ALL_WEEKDAYS

    def is_scheduled(self, day: date) -> bool:
        """Whether the habit may be done on `day` (any day of a times-per-week habit)."""
        return day.weekday() in self.scheduled_weekdays

    @property
    def frequency(self) -> float:
        """Fraction of days the habit is expected on: 1 for daily, len(weekdays)/7, N/7."""
        if self.kind is ScheduleKind.TIMES_PER_WEEK:
            return self.times_per_week / 7
        return len(self.scheduled_weekdays) / 7


@dataclass(frozen=True, slots=True)
class Pause:
    """Days off, both ends inclusive: nothing is expected on them."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"pause start {self.start} is after its end {self.end}")

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def paused_ordinals(pauses: Iterable[Pause], first: int, last: int) -> set[int]:
    """Ordinals (`date.toordinal`) of the paused days in [first, last].

    Ordinals keep the per-day loops of streaks and strength cheap; clipping keeps an open-ended pause
    from costing more than the days asked about.
    """
    days: set[int] = set()
    for pause in pauses:
        days.update(range(max(first, pause.start.toordinal()), min(last, pause.end.toordinal()) + 1))
    return days


def weekday_of(ordinal: int) -> int:
    """`date.fromordinal(ordinal).weekday()` without building the date (ordinal 1 is a Monday)."""
    return (ordinal - 1) % 7


def week_start(day: date) -> date:
    """Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def iso_week(day: date) -> str:
    """ISO week label such as "2026-W48" (the ISO year, which may differ from the calendar year)."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def parse_iso_week(label: str) -> date:
    """The Monday of an ISO week label such as "2026-W48"; ValueError for anything else."""
    match = _ISO_WEEK.fullmatch(label)
    if match is None:
        raise ValueError(f"not an ISO week like 2026-W48: {label!r}")
    year, week = int(match[1]), int(match[2])
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{label!r}: year {year} has no week {week}") from None
