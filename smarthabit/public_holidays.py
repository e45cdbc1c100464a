"""The public holidays where a person lives, from the time zone they chose: routines break on them.

The country is the one IANA's `zone.tab` (shipped by `tzdata`) gives for the zone, or for the zone an
old name links to; its national holidays come from the `holidays` library. A zone with no country
(UTC, the default until a person picks one) or a country the library does not cover has none.
Regional holidays stay unknown: the zone does not say which region.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.resources import files

import holidays


@cache
def _countries() -> dict[str, str]:
    """Zone -> country: zone.tab's zones, and the old names that link to them (US/Eastern, Asia/Calcutta)."""
    zones = files("tzdata.zoneinfo")
    out = {}
    for line in (zones / "zone.tab").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            country, _, zone = line.split("\t")[:3]
            out[zone] = country
    for line in (zones / "tzdata.zi").read_text(encoding="utf-8").splitlines():
        if line.startswith("L "):  # "L target alias"
            _, target, alias = line.split()
            if alias not in out and target in out:
                out[alias] = out[target]
    return out


def country_of(timezone: str) -> str | None:
    """The ISO 3166 code of the zone's country, or None (UTC, an unknown zone)."""
    return _countries().get(timezone)


@cache
def _year(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays.country_holidays(country, years=year))
    except NotImplementedError:
        return frozenset()


def public_holidays(timezone: str, first: date, last: date) -> frozenset[date]:
    """The national public holidays from `first` to `last` (inclusive) where `timezone` is."""
    country = country_of(timezone)
    if country is None or last < first:
        return frozenset()
    days = frozenset().union(*(_year(country, year) for year in range(first.year, last.year + 1)))
    return frozenset(day for day in days if first <= day <= last)
