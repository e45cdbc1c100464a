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
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib.resources import files

from babel import Locale
from timezonefinder import TimezoneFinder

from smarthabit.clock import all_timezones, zone
from smarthabit.i18n import LANGUAGES

MAX_SUGGESTIONS = 6
# Legacy spellings kept by tzdata for old software; a modern `Area/City` name is offered first.
_LEGACY_PREFIXES = ("US/", "Canada/", "Brazil/", "Chile/", "Mexico/", "Etc/", "SystemV/")
_SKIPPED = frozenset({"Factory", "localtime", "posixrules"})
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?:[:.h]?(\d{2}))?")
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


# The zone most people of a many-zone country mean, offered first.
_MAIN_ZONE = {
    "BR": "America/Sao_Paulo", "US": "America/New_York", "RU": "Europe/Moscow", "CA": "America/Toronto",
    "AU": "Australia/Sydney", "MX": "America/Mexico_City", "ES": "Europe/Madrid", "PT": "Europe/Lisbon",
    "AR": "America/Argentina/Buenos_Aires", "ID": "Asia/Jakarta", "KZ": "Asia/Almaty",
}  # fmt: skip
_COUNTRY_ALIASES = {"usa": "US", "us": "US", "america": "US", "uk": "GB", "england": "GB", "сша": "US",
                    "россия": "RU", "rossiya": "RU", "uae": "AE"}


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
        return ZoneMatch(_zone_for_offset(offset[1], int(offset[2]), int(offset[3] or 0)))
    city = _by_city().get(key)
    if city:
        return ZoneMatch(city[0]) if len(city) == 1 or _same_clock(city) else ZoneMatch(None, city[:MAX_SUGGESTIONS])
    country = _countries().get(lowered)
    if country:  # a country: its only zone, or its zones to choose from
        return ZoneMatch(country[0]) if _same_clock(country) else ZoneMatch(None, country[:MAX_SUGGESTIONS])
    return ZoneMatch(None, suggest(key))


def _zone_for_offset(sign: str, hours: int, minutes: int) -> str | None:
    """A zone that keeps this UTC offset: Etc/GMT±N for whole hours (POSIX-style Etc zones have the sign
    inverted: UTC+3 is Etc/GMT-3), else the first country zone on that offset now ("+05:30" → Kolkata)."""
    if minutes >= 60 or hours > 14:
        return None
    if minutes == 0:
        return "UTC" if hours == 0 else f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
    wanted = timedelta(hours=hours, minutes=minutes) * (1 if sign == "+" else -1)
    now = datetime.now(UTC)
    instants = (now, now + timedelta(days=182))  # standard and summer time, whichever is on now
    for instant in instants:
        for zones in _zones_by_country().values():
            for name in zones:
                if instant.astimezone(zone(name)).utcoffset() == wanted:
                    return name
    return None


@lru_cache(maxsize=1)
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    """Country code → its zones, from tzdata's zone.tab (in the file's order: the main zone first)."""
    table: dict[str, list[str]] = defaultdict(list)
    text = (files("tzdata.zoneinfo") / "zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, name = line.split("\t")[:3]
            table[code].append(name)
    for code, main in _MAIN_ZONE.items():
        table[code].sort(key=lambda name, main=main: name != main)
    return {code: tuple(names) for code, names in sorted(table.items())}


@lru_cache(maxsize=1)
def _countries() -> dict[str, tuple[str, ...]]:
    """Country names in every language we speak ("india", "индия", "भारत", "alemania") → zones."""
    by_code = _zones_by_country()
    names: dict[str, tuple[str, ...]] = {}
    for language in LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if code in by_code:
                names.setdefault(" ".join(_plain_letters(name).lower().split()), by_code[code])
    for alias, code in _COUNTRY_ALIASES.items():
        names[alias] = by_code[code]
    return names


def from_location(latitude: float, longitude: float) -> str | None:
    """The zone of a shared location, looked up offline (timezonefinder's bundled boundaries)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    name = _finder().timezone_at(lng=longitude, lat=latitude)
    return name if name in _zones() else None


@lru_cache(maxsize=1)
def _finder() -> TimezoneFinder:
    return TimezoneFinder(in_memory=False)


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
