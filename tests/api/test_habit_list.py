"""GET /habits reads rows, not models: the same JSON as the documented model, one statement, the same rules."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from api.schemas import HabitListOut, HabitOut
from smarthabit.models import Habit, User
from smarthabit.orm import on_postgres
from tests.api.conftest import Headers
from tests.statements import statements


async def _post(client: TestClient, headers: Headers, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=headers)
    assert response.status in (200, 201), await response.text()
    return await response.json()


async def _every_kind(client: TestClient, headers: Headers) -> dict[str, int]:
    """Habits of every schedule, kind and state today; their ids by name."""
    bodies = [
        {"name": "Read", "reminder_times": ["21:30", "07:00"]},
        {"name": "Water", "kind": "measurable", "target": 8, "unit": "glasses"},
        {"name": "Sugar", "kind": "measurable", "target": 2, "target_direction": "at_most", "unit": "spoons"},
        {"name": "Gym", "schedule": {"kind": "weekdays", "weekdays": [0, 2, 4]}},
        {"name": "Call", "schedule": {"kind": "times_per_week", "times_per_week": 2}},
        {"name": "Rest"},
        {"name": "Old"},
    ]
    ids = {body["name"]: (await _post(client, headers, "/habits", body))["id"] for body in bodies}
    await _post(client, headers, f"/habits/{ids['Read']}/checkin", {})
    await _post(client, headers, f"/habits/{ids['Water']}/checkin", {"value": 3})
    await _post(client, headers, f"/habits/{ids['Sugar']}/checkin", {"value": 1.5})
    return ids


async def test_the_list_is_the_documented_model_byte_for_byte(client: TestClient, alice_headers: Headers) -> None:
    ids = await _every_kind(client, alice_headers)
    await _post(client, alice_headers, f"/habits/{ids['Old']}/archive", {})
    listing = await client.get("/habits", params={"include_archived": "true"}, headers=alice_headers)
    body = await listing.read()
    assert listing.status == 200 and listing.content_type == "application/json" and listing.charset == "utf-8"
    assert body == HabitListOut.model_validate_json(body).model_dump_json(by_alias=True).encode()
    assert [item["name"] for item in (await listing.json())["items"]] == list(ids)
    for habit_id in ids.values():
        one = await (await client.get(f"/habits/{habit_id}", headers=alice_headers)).read()
        assert one == HabitOut.model_validate_json(one).model_dump_json(by_alias=True).encode()


async def test_today_s_state_of_every_kind(client: TestClient, alice_headers: Headers) -> None:
    ids = await _every_kind(client, alice_headers)
    today = (await (await client.get(f"/habits/{ids['Read']}", headers=alice_headers)).json())["today"]
    await _post(client, alice_headers, f"/habits/{ids['Rest']}/pause", {"start": today, "end": today})
    await _post(client, alice_headers, f"/habits/{ids['Old']}/archive", {})
    items = (await (await client.get("/habits", headers=alice_headers)).json())["items"]
    state = {item["name"]: (item["done_today"], item["today_value"], item["current_streak"]) for item in items}
    assert state == {"Read": (True, None, 1), "Water": (False, 3.0, 0), "Sugar": (True, 1.5, 1),
                     "Gym": (False, None, 0), "Call": (False, None, 0), "Rest": (False, None, 0)}
    due = {item["name"]: item["due_today"] for item in items}
    assert due["Rest"] is False and due["Read"] is True
    assert due["Gym"] is (date.fromisoformat(today).weekday() in (0, 2, 4))
    read = next(item for item in items if item["name"] == "Read")
    assert read["reminder_times"] == ["07:00:00", "21:30:00"] and read["schedule"] == {
        "kind": "daily", "weekdays": [], "times_per_week": None}


async def test_a_list_is_one_statement_whatever_its_length(client: TestClient, alice_headers: Headers) -> None:
    """One statement on PostgreSQL (the account, its day and the habits with today's state); on the
    embedded database the ORM's few, as many for seven habits as for one."""
    counts = []
    await _post(client, alice_headers, "/habits", {"name": "Solo"})
    for _ in range(2):
        await (await client.get("/habits", headers=alice_headers)).read()  # caches valid for today
        with statements() as sql:
            assert (await client.get("/habits", headers=alice_headers)).status == 200
        counts.append(len(sql))
        if len(counts) == 1:
            await _every_kind(client, alice_headers)
    assert counts[0] == counts[1], counts
    if on_postgres():
        assert counts == [1, 1], sql


async def test_a_stale_streak_cache_is_recomputed_when_read(client: TestClient, alice_headers: Headers) -> None:
    ids = await _every_kind(client, alice_headers)
    read = await Habit.get(id=ids["Read"])
    await Habit.filter(id=read.id).update(current_streak=99, longest_streak=99,
                                          streak_day=read.streak_day - timedelta(days=3))
    items = (await (await client.get("/habits", headers=alice_headers)).json())["items"]
    assert next((i["current_streak"], i["longest_streak"]) for i in items if i["id"] == read.id) == (1, 1)
    assert (await Habit.get(id=read.id)).streak_day == read.streak_day  # stored, valid for today again


async def test_the_token_of_a_deleted_account_lists_nothing(
    client: TestClient, alice: User, alice_headers: Headers
) -> None:
    await _post(client, alice_headers, "/habits", {"name": "Read"})
    await alice.delete()
    response = await client.get("/habits", headers=alice_headers)
    assert response.status == 401 and (await response.json())["error"]["code"] == "invalid_token"
