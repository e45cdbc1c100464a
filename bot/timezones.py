"""Turning what a person types ("berlin", "New York", "UTC+3") into an IANA time zone.

People know their city, not the tz database, so the answer is matched against the city part of
`clock.all_timezones()` case-insensitively; when that is ambiguous or wrong the bot offers the
closest zones as buttons instead of guessing.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from smarthabit.clock import all_timezones, zone

MAX_SUGGESTIONS = 6
# Legacy spellings kept by tzdata for old software; a modern `Area/City` name is offered first.
_LEGACY_PREFIXES = ("US/", "Canada/", "Brazil/", "Chile/", "Mexico/", "Etc/", "SystemV/")
_SKIPPED = frozenset({"Factory", "localtime", "posixrules"})
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?")
# Big cities without a zone of their own that people often type.
_ALIASES = {
    "san francisco": "America/Los_Angeles", "seattle": "America/Los_Angeles", "washington": "America/New_York",
    "boston": "America/New_York", "miami": "America/New_York", "atlanta": "America/New_York",
    "dallas": "America/Chicago", "houston": "America/Chicago", "beijing": "Asia/Shanghai",
    "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata", "mumbai": "Asia/Kolkata", "bangalore": "Asia/Kolkata",
    "saint petersburg": "Europe/Moscow", "st petersburg": "Europe/Moscow", "munich": "Europe/Berlin",
    "hamburg": "Europe/Berlin", "barcelona": "Europe/Madrid", "milan": "Europe/Rome", "kiev": "Europe/Kyiv",
    "hanoi": "Asia/Bangkok", "osaka": "Asia/Tokyo", "melbourne": "Australia/Melbourne", "utc": "UTC",
    "gmt": "UTC",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ZoneMatch:
    """Either one zone (`zone`) or a few candidates to offer (`suggestions`, possibly empty)."""

    zone: str | None
    suggestions: tuple[str, ...] = ()


def _rank(name: str) -> tuple[int, int, str]:
    return (name.startswith(_LEGACY_PREFIXES) or "/" not in name, -name.count("/"), name)


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted((z for z in all_timezones() if z not in _SKIPPED), key=_rank))


@lru_cache(maxsize=1)
def _by_city() -> dict[str, tuple[str, ...]]:
    cities: dict[str, list[str]] = defaultdict(list)
    for name in _zones():
        cities[name.rsplit("/", 1)[-1].lower()].append(name)
    return {city: tuple(names) for city, names in cities.items()}


@lru_cache(maxsize=512)
def _same_clock(names: tuple[str, ...]) -> bool:
    """Whether the zones show the same time all year (tzdata keeps old names as links)."""
    samples = [datetime(2026, month, 15, 12, tzinfo=UTC) for month in range(1, 13)]
    offsets = {tuple(instant.astimezone(zone(name)).utcoffset() for instant in samples) for name in names}
    return len(offsets) == 1


def resolve(text: str) -> ZoneMatch:
    """Match typed text to a zone: an IANA name, a city, a UTC offset, or suggestions."""
    query = text.strip().split(",")[0].strip()
    if not query or len(query) > 64:
        return ZoneMatch(None)
    lowered = " ".join(_plain_letters(query).lower().split())
    key = lowered.replace(" ", "_")
    exact = {name.lower(): name for name in _zones()}
    if key in exact:
        return ZoneMatch(exact[key])
    if lowered in _ALIASES:
        return ZoneMatch(_ALIASES[lowered])
    offset = _OFFSET.fullmatch(lowered)
    if offset is not None:
        hours = int(offset[2])
        if hours == 0:
            return ZoneMatch("UTC")
        if hours <= 14:  # POSIX-style Etc zones have the sign inverted: UTC+3 is Etc/GMT-3
            return ZoneMatch(f"Etc/GMT{'-' if offset[1] == '+' else '+'}{hours}")
    city = _by_city().get(key)
    if city:
        return ZoneMatch(city[0]) if len(city) == 1 or _same_clock(city) else ZoneMatch(None, city[:MAX_SUGGESTIONS])
    return ZoneMatch(None, suggest(key))


def _plain_letters(text: str) -> str:
    """"São Paulo" → "Sao Paulo", "Zürich" → "Zurich": zone names are spelt without accents."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def suggest(key: str) -> tuple[str, ...]:
    """Closest zones to a misspelt or partial city: prefix matches first, then similar spellings."""
    cities = _by_city()
    found: list[str] = []
    if len(key) >= 3:
        found += [city for city in cities if city.startswith(key)]
        found += [name.rsplit("/", 1)[-1].lower() for name in _zones() if key in name.lower()]
    found += difflib.get_close_matches(key, list(cities), n=MAX_SUGGESTIONS, cutoff=0.7)
    zones: list[str] = []
    for city in found:
        name = cities[city][0]
        if name not in zones:
            zones.append(name)
    return tuple(zones[:MAX_SUGGESTIONS])
