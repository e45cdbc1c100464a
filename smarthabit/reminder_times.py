"""The next UTC instant of a local reminder time, safe across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from smarthabit.clock import zone


def local_instant(wall: datetime) -> datetime:
    """Resolve an aware local wall time to UTC. With fold=0 a time in a spring-forward gap uses the
    offset before the gap (02:30 becomes 03:30 local), and a time repeated by a fall-back change
    takes its first occurrence."""
    return wall.replace(fold=0).astimezone(UTC)


def next_fire_at(local_time: time, tz_name: str, after: datetime) -> datetime:
    """The first instant strictly after `after` at which the user's clock shows `local_time`
    (once per local day: a DST change neither skips nor doubles it)."""
    tz = zone(tz_name)
    day = after.astimezone(tz).date() - timedelta(days=1)
    for _ in range(4):
        wall = datetime.combine(day, local_time.replace(tzinfo=None), tzinfo=tz)
        instant = local_instant(wall)
        if instant > after:
            return instant
        day += timedelta(days=1)
    raise AssertionError("unreachable: a local time occurs within three days")
