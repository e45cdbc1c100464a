"""A person's public holidays come from the country of the time zone they chose."""

from __future__ import annotations

from datetime import date

from smarthabit.public_holidays import country_of, public_holidays


def test_a_zone_gives_its_countrys_national_holidays_in_the_span() -> None:
    assert country_of("Europe/Berlin") == "DE"
    assert (country_of("US/Eastern"), country_of("Asia/Calcutta"), country_of("Europe/Kiev")) == ("US", "IN", "UA")
    berlin = public_holidays("Europe/Berlin", date(2025, 9, 1), date(2026, 1, 1))
    assert date(2025, 10, 3) in berlin and date(2025, 12, 25) in berlin and date(2026, 1, 1) in berlin
    assert date(2025, 11, 1) not in berlin  # All Saints' is regional: the zone does not say the region
    assert all(date(2025, 9, 1) <= day <= date(2026, 1, 1) for day in berlin)
    assert date(2025, 7, 4) in public_holidays("America/New_York", date(2025, 7, 1), date(2025, 7, 31))
    assert date(2025, 10, 3) not in public_holidays("America/New_York", date(2025, 10, 1), date(2025, 10, 31))


def test_no_country_no_holidays() -> None:
    assert country_of("UTC") is None and country_of("Not/AZone") is None
    assert public_holidays("UTC", date(2025, 1, 1), date(2025, 12, 31)) == frozenset()
    assert public_holidays("Europe/Berlin", date(2025, 12, 31), date(2025, 12, 1)) == frozenset()
