"""Check-ins over HTTP: idempotent 201/200, back-fill window, values and notes, undo, history, races."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from smarthabit.config import Settings
from smarthabit.models import CheckIn, User
from tests.api.conftest import Headers, MakeUser, bearer


@pytest.fixture
async def habit(client: TestClient, alice_headers: Headers) -> dict[str, Any]:
    response = await client.post("/habits", json={"name": "Read"}, headers=alice_headers)
    return await response.json()


def _day(habit: dict[str, Any], days_ago: int) -> str:
    return (date.fromisoformat(habit["today"]) - timedelta(days=days_ago)).isoformat()


async def test_check_in_is_idempotent(client: TestClient, alice_headers: Headers, habit: dict[str, Any]) -> None:
    url = f"/habits/{habit['id']}/checkin"
    first = await client.post(url, json={"note": "  chapter 3  "}, headers=alice_headers)
    assert first.status == 201
    created = await first.json()
    assert created["created"] is True and created["current_streak"] == 1
    assert created["checkin"]["day"] == habit["today"] and created["checkin"]["note"] == "chapter 3"
    again = await client.post(url, json={"note": "something else"}, headers=alice_headers)
    assert again.status == 200
    repeated = await again.json()
    assert repeated["created"] is False and repeated["checkin"] == created["checkin"]
    assert await CheckIn.filter(habit_id=habit["id"]).count() == 1


async def test_empty_body_means_today(client: TestClient, alice_headers: Headers, habit: dict[str, Any]) -> None:
    response = await client.post(f"/habits/{habit['id']}/checkin", headers=alice_headers)
    assert response.status == 201
    assert (await response.json())["checkin"]["day"] == habit["today"]


async def test_back_fill_up_to_seven_days(client: TestClient, alice_headers: Headers, habit: dict[str, Any]) -> None:
    url = f"/habits/{habit['id']}/checkin"
    assert (await client.post(url, json={"day": _day(habit, 7)}, headers=alice_headers)).status == 201
    for day in (_day(habit, 8), _day(habit, -1), "2026-02-30", "yesterday"):
        response = await client.post(url, json={"day": day}, headers=alice_headers)
        assert response.status == 422, day
        assert (await response.json())["error"]["code"] == "validation_error"


async def test_day_is_the_users_local_date(client: TestClient, make_user: MakeUser, settings: Settings) -> None:
    """Two users far apart in time zones can have different 'today's; each check-in lands on its own."""
    for name, zone in (("kiri", "Pacific/Kiritimati"), ("pago", "Pacific/Pago_Pago")):
        user = await make_user(f"{name}@example.com", timezone=zone)
        headers = bearer(settings, user)
        habit = await (await client.post("/habits", json={"name": "Read"}, headers=headers)).json()
        checkin = await (await client.post(f"/habits/{habit['id']}/checkin", headers=headers)).json()
        assert checkin["checkin"]["day"] == habit["today"]


async def test_measurable_values(client: TestClient, alice_headers: Headers) -> None:
    response = await client.post("/habits", json={"name": "Water", "kind": "measurable", "target": 8},
                                 headers=alice_headers)
    habit = await response.json()
    url = f"/habits/{habit['id']}/checkin"
    missing = await client.post(url, json={}, headers=alice_headers)
    assert missing.status == 422
    for bad in (-1, 1_000_001, "a lot"):
        assert (await client.post(url, json={"value": bad}, headers=alice_headers)).status == 422, bad
    below = await client.post(url, json={"value": 3}, headers=alice_headers)
    assert below.status == 201 and (await below.json())["current_streak"] == 0  # recorded, target not met
    met = await client.post(url, json={"value": 9, "day": _day(habit, 1)}, headers=alice_headers)
    assert met.status == 201 and (await met.json())["checkin"]["value"] == 9


async def test_notes(client: TestClient, alice_headers: Headers, habit: dict[str, Any]) -> None:
    url = f"/habits/{habit['id']}/checkin"
    assert (await client.post(url, json={"note": "x" * 501}, headers=alice_headers)).status == 422
    assert (await client.post(url, json={"note": "bell\x07"}, headers=alice_headers)).status == 422
    await client.post(url, headers=alice_headers)
    note_url = f"/habits/{habit['id']}/checkins/{habit['today']}"
    response = await client.patch(note_url, json={"note": "great"}, headers=alice_headers)
    assert response.status == 200 and (await response.json())["note"] == "great"
    cleared = await client.patch(note_url, json={"note": None}, headers=alice_headers)
    assert (await cleared.json())["note"] is None
    missing = await client.patch(f"/habits/{habit['id']}/checkins/{_day(habit, 3)}", json={"note": "x"},
                                 headers=alice_headers)
    assert missing.status == 404


async def test_undo(client: TestClient, alice_headers: Headers, habit: dict[str, Any]) -> None:
    await client.post(f"/habits/{habit['id']}/checkin", headers=alice_headers)
    url = f"/habits/{habit['id']}/checkins/{habit['today']}"
    assert (await client.delete(url, headers=alice_headers)).status == 204
    refreshed = await (await client.get(f"/habits/{habit['id']}", headers=alice_headers)).json()
    assert refreshed["current_streak"] == 0 and refreshed["done_today"] is False
    assert (await client.delete(url, headers=alice_headers)).status == 404
    bad = await client.delete(f"/habits/{habit['id']}/checkins/not-a-day", headers=alice_headers)
    assert bad.status == 422


async def test_history_is_paginated(client: TestClient, alice_headers: Headers, habit: dict[str, Any]) -> None:
    for days_ago in range(6):
        await client.post(f"/habits/{habit['id']}/checkin", json={"day": _day(habit, days_ago)},
                          headers=alice_headers)
    url = f"/habits/{habit['id']}/checkins"
    page = await (await client.get(url, params={"limit": 2, "offset": 1}, headers=alice_headers)).json()
    assert page["total"] == 6 and page["limit"] == 2 and page["offset"] == 1
    assert [c["day"] for c in page["items"]] == [_day(habit, 1), _day(habit, 2)]
    window = await (await client.get(url, params={"from": _day(habit, 4), "to": _day(habit, 2)},
                                     headers=alice_headers)).json()
    assert [c["day"] for c in window["items"]] == [_day(habit, 2), _day(habit, 3), _day(habit, 4)]
    for params in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "ten"}, {"from": "2026-13-01"},
                   {"page": 2}):
        response = await client.get(url, params=params, headers=alice_headers)
        assert response.status == 422, params
    empty = await client.get(url, params={"from": _day(habit, 1), "to": _day(habit, 2)}, headers=alice_headers)
    assert (await empty.json())["items"] == []  # `from` after `to`: an empty range


async def test_simultaneous_check_ins_create_one_row(client: TestClient, alice_headers: Headers,
                                                     habit: dict[str, Any]) -> None:
    """Two requests racing for the same habit and day over real HTTP: one 201, one 200, one row."""
    for days_ago in range(3):  # a few rounds, so the race is really run
        url = f"/habits/{habit['id']}/checkin"
        body = {"day": _day(habit, days_ago)}
        responses = await asyncio.gather(*(client.post(url, json=body, headers=alice_headers) for _ in range(2)))
        assert sorted(r.status for r in responses) == [200, 201]
        bodies = [await r.json() for r in responses]
        assert bodies[0]["checkin"] == bodies[1]["checkin"]
        assert await CheckIn.filter(habit_id=habit["id"], day=body["day"]).count() == 1


async def test_check_in_many_concurrent(client: TestClient, alice: User, alice_headers: Headers,
                                        habit: dict[str, Any]) -> None:
    url = f"/habits/{habit['id']}/checkin"
    responses = await asyncio.gather(*(client.post(url, headers=alice_headers) for _ in range(8)))
    assert sorted(r.status for r in responses) == [200] * 7 + [201]
    assert await CheckIn.filter(habit_id=habit["id"]).count() == 1
