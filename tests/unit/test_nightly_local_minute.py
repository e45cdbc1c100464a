"""The nightly run's local minute of a check-in (its zone's offset looked up once a quarter of an hour)
is what a conversion of each instant gives, across DST changes and zones with odd offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from smarthabit.clock import zone
from smarthabit.nightly import _local_minute

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Africa/Casablanca",
         "America/St_Johns", "Pacific/Chatham", "UTC"]


@settings(max_examples=300, deadline=None)
@given(tz=st.sampled_from(ZONES), seconds=st.integers(0, 2 * 365 * 86_400), back=st.integers(-1, 1))
def test_equals_converting_each_instant(tz: str, seconds: int, back: int) -> None:
    at = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    local = at.astimezone(zone(tz))
    day = local.date() + timedelta(days=back)  # back != 0: logged on another day than its own
    expected = local.hour * 60 + local.minute if back == 0 else None
    assert _local_minute(day, at, tz) == expected


def test_at_the_instants_clocks_change() -> None:
    for tz in ZONES:
        start = datetime(2025, 1, 1, tzinfo=UTC)
        offsets = [(start + timedelta(minutes=15 * q)).astimezone(zone(tz)).utcoffset() for q in range(4 * 24 * 730)]
        changes = [q for q in range(1, len(offsets)) if offsets[q] != offsets[q - 1]]
        assert tz == "UTC" or tz == "Asia/Kathmandu" or changes, tz  # the zones with DST change
        for q in changes:
            for delta in (-1, 0, 1, 59):
                at = start + timedelta(minutes=15 * q, seconds=delta)
                local = at.astimezone(zone(tz))
                assert _local_minute(local.date(), at, tz) == local.hour * 60 + local.minute
