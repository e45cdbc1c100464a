"""Time zones and local days: the only place that turns instants into a user's calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from smarthabit.errors import ValidationFailed
from smarthabit.i18n import N_


def utcnow() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name; raises ValidationFailed for anything else."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise ValidationFailed(N_("Unknown time zone"), {"timezone": name})
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(N_("Unknown time zone"), {"timezone": name}) from exc


def is_valid_timezone(name: str) -> bool:
    """Whether a user may choose the zone: a canonical IANA name, not one of the `posix/` or
    `right/` copies (`right/` zones count leap seconds, so their days start 27 s off)."""
    return name in _canonical_timezones()


@lru_cache(maxsize=1)
def _canonical_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=1)
def all_timezones() -> tuple[str, ...]:
    return tuple(sorted(_canonical_timezones()))


def local_today(tz_name: str, now: datetime | None = None) -> date:
    """The user's local calendar date at `now` (default: this instant)."""
    return (now or utcnow()).astimezone(zone(tz_name)).date()
