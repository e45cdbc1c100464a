"""The private calendar feed, parsed with `icalendar` and expanded with `recurring-ical-events`,
against the instants the reminders fire at, across the spring daylight-saving change in Berlin
(2027-03-28, 02:00 -> 03:00: a 02:30 reminder fires at 03:30 local that day)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import recurring_ical_events
from aiohttp.test_utils import TestClient
from icalendar import Calendar

from smarthabit.clock import local_today, zone
from smarthabit.models import User
from smarthabit.reminder_times import local_instant
from tests.api.conftest import Headers

END = date(2027, 4, 10)


def _expected(start: date, weekdays: set[int], local: time, tz_name: str, skip: set[date]) -> list[datetime]:
    """Every local day from `start` to END on the weekdays, at the reminder's wall time, as reminders fire."""
    tz = zone(tz_name)
    days = [start + timedelta(days=i) for i in range((END - start).days)]
    return [local_instant(datetime.combine(day, local, tzinfo=tz)) for day in days
            if day.weekday() in weekdays and day not in skip]


async def _feed(client: TestClient, url: str) -> tuple[int, bytes]:
    response = await client.get(urlsplit(url).path)
    return response.status, await response.read()


async def test_feed_follows_the_reminders_across_a_dst_change(
    client: TestClient, alice: User, alice_headers: Headers
) -> None:
    daily = await (await client.post("/habits", json={"name": "Walk", "reminder_times": ["07:30"]},
                                     headers=alice_headers)).json()
    await client.post("/habits", json={"name": "Early", "reminder_times": ["02:30"],
                                       "schedule": {"kind": "weekdays", "weekdays": [2, 6]}}, headers=alice_headers)
    today = local_today(alice.timezone)
    paused = {today + timedelta(days=d) for d in (10, 11)}
    await client.post(f"/habits/{daily['id']}/pause", json={"start": min(paused).isoformat(),
                                                           "end": max(paused).isoformat()}, headers=alice_headers)
    url = (await (await client.get("/users/me/calendar", headers=alice_headers)).json())["url"]
    assert url.endswith(".ics")
    status, body = await _feed(client, url)
    assert status == 200
    calendar = Calendar.from_ical(body)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    window = (datetime.combine(today, time(0), tzinfo=UTC) - timedelta(days=1), datetime.combine(END, time(0),
                                                                                                tzinfo=UTC))
    occurrences = recurring_ical_events.of(calendar).between(*window)
    by_name: dict[str, list[datetime]] = {}
    for event in occurrences:
        by_name.setdefault(str(event["SUMMARY"]), []).append(event["DTSTART"].dt.astimezone(UTC))
    assert sorted(by_name["Walk"]) == _expected(today, set(range(7)), time(7, 30), alice.timezone, paused)
    early = sorted(by_name["Early"])
    assert early == _expected(today, {2, 6}, time(2, 30), alice.timezone, set())
    gap_day = [when for when in early if when.date() == date(2027, 3, 28)]
    assert gap_day == [datetime(2027, 3, 28, 1, 30, tzinfo=UTC)]  # 03:30 CEST, as the reminder fires
    assert datetime(2027, 3, 31, 0, 30, tzinfo=UTC) in early  # 02:30 CEST after the change


async def test_rotation_retires_the_old_url(client: TestClient, alice_headers: Headers, bob_headers: Headers) -> None:
    old = (await (await client.get("/users/me/calendar", headers=alice_headers)).json())["url"]
    assert (await (await client.get("/users/me/calendar", headers=alice_headers)).json())["url"] == old
    new = (await (await client.post("/users/me/calendar/rotate", headers=alice_headers)).json())["url"]
    assert new != old
    assert (await _feed(client, old))[0] == 404
    assert (await _feed(client, new))[0] == 200
    bobs = (await (await client.get("/users/me/calendar", headers=bob_headers)).json())["url"]
    assert bobs not in (old, new)
    assert (await client.get("/calendar/not-a-token.ics")).status == 404
