"""Habits over HTTP: create, list, read, update, archive/restore, delete, pause/resume, stats."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from smarthabit.habits import MAX_ACTIVE_HABITS
from smarthabit.models import CheckIn, Habit, Reminder, User
from tests.api.conftest import Headers


async def create(client: TestClient, headers: Headers, **fields: Any) -> dict[str, Any]:
    response = await client.post("/habits", json={"name": "Read", **fields}, headers=headers)
    assert response.status == 201, await response.text()
    return await response.json()


async def test_create_and_read(client: TestClient, alice_headers: Headers) -> None:
    habit = await create(client, alice_headers, name="  Stretch ", description="10 minutes",
                         schedule={"kind": "weekdays", "weekdays": [4, 0, 0]}, reminder_times=["08:15", "07:00"])
    assert habit["name"] == "Stretch"
    assert habit["schedule"] == {"kind": "weekdays", "weekdays": [0, 4], "times_per_week": None}
    assert habit["reminder_times"] == ["07:00:00", "08:15:00"]
    assert habit["current_streak"] == 0 and habit["done_today"] is False and habit["archived_at"] is None
    read = await (await client.get(f"/habits/{habit['id']}", headers=alice_headers)).json()
    assert read == habit


async def test_measurable_habit_needs_a_target(client: TestClient, alice_headers: Headers) -> None:
    response = await client.post("/habits", json={"name": "Water", "kind": "measurable"}, headers=alice_headers)
    assert response.status == 422
    habit = await create(client, alice_headers, name="Water", kind="measurable", target=8, unit="glasses")
    assert habit["target_direction"] == "at_least"


@pytest.mark.parametrize("body", [
    {},
    {"name": ""},
    {"name": "   "},
    {"name": "x" * 101},
    {"name": "tab\there"},
    {"name": "Read", "schedule": {"kind": "weekdays"}},
    {"name": "Read", "schedule": {"kind": "weekdays", "weekdays": [7]}},
    {"name": "Read", "schedule": {"kind": "times_per_week", "times_per_week": 8}},
    {"name": "Read", "reminder_times": ["07:00", "07:00"]},
    {"name": "Read", "reminder_times": ["7 o'clock"]},
    {"name": "Read", "kind": "measurable", "target": -1},
    {"name": "Read", "colour": "blue"},
    [],
    "Read",
])
async def test_create_validates(client: TestClient, alice_headers: Headers, body: Any) -> None:
    response = await client.post("/habits", json=body, headers=alice_headers)
    assert response.status == 422
    error = (await response.json())["error"]
    assert error["code"] == "validation_error" and error["details"]


async def test_names_are_unique_among_active_habits(client: TestClient, alice_headers: Headers,
                                                    bob_headers: Headers) -> None:
    first = await create(client, alice_headers, name="Read")
    response = await client.post("/habits", json={"name": "READ"}, headers=alice_headers)
    assert response.status == 409
    assert (await response.json())["error"]["code"] == "duplicate_name"
    await create(client, bob_headers, name="Read")  # another user may
    assert (await client.post(f"/habits/{first['id']}/archive", headers=alice_headers)).status == 200
    second = await create(client, alice_headers, name="Read")  # the archived one no longer blocks it
    restore = await client.post(f"/habits/{first['id']}/restore", headers=alice_headers)
    assert restore.status == 409
    renamed = await client.patch(f"/habits/{second['id']}", json={"name": "Read more"}, headers=alice_headers)
    assert renamed.status == 200
    restore = await client.post(f"/habits/{first['id']}/restore", headers=alice_headers)
    assert restore.status == 200 and (await restore.json())["archived_at"] is None


async def test_too_many_active_habits(client: TestClient, alice: User, alice_headers: Headers) -> None:
    await Habit.bulk_create([Habit(user_id=alice.id, name=f"h{i}", start_day="2026-01-01")
                             for i in range(MAX_ACTIVE_HABITS)])
    response = await client.post("/habits", json={"name": "One more"}, headers=alice_headers)
    assert response.status == 422
    assert (await response.json())["error"]["code"] == "too_many_habits"


async def test_list_in_order_with_today(client: TestClient, alice_headers: Headers) -> None:
    read = await create(client, alice_headers, name="Read")
    run = await create(client, alice_headers, name="Run")
    await client.post(f"/habits/{run['id']}/checkin", headers=alice_headers)
    await client.patch(f"/habits/{read['id']}", json={"position": 5}, headers=alice_headers)
    items = (await (await client.get("/habits", headers=alice_headers)).json())["items"]
    assert [(h["name"], h["done_today"], h["current_streak"]) for h in items] == [("Run", True, 1), ("Read", False, 0)]


async def test_update(client: TestClient, alice_headers: Headers) -> None:
    habit = await create(client, alice_headers, reminder_times=["07:00"])
    patch = {"description": "before bed", "schedule": {"kind": "times_per_week", "times_per_week": 3},
             "reminder_times": ["21:30"]}
    response = await client.patch(f"/habits/{habit['id']}", json=patch, headers=alice_headers)
    assert response.status == 200
    body = await response.json()
    assert body["description"] == "before bed"
    assert body["schedule"] == {"kind": "times_per_week", "weekdays": [], "times_per_week": 3}
    assert body["reminder_times"] == ["21:30:00"]
    assert await Reminder.filter(habit_id=habit["id"]).count() == 1
    for bad in ({"name": ""}, {"position": -1}, {"kind": "measurable"}, {"unknown": 1}):
        response = await client.patch(f"/habits/{habit['id']}", json=bad, headers=alice_headers)
        assert response.status == 422, bad


async def test_archive_then_delete(client: TestClient, alice_headers: Headers) -> None:
    habit = await create(client, alice_headers)
    await client.post(f"/habits/{habit['id']}/checkin", headers=alice_headers)
    archived = await client.post(f"/habits/{habit['id']}/archive", headers=alice_headers)
    assert archived.status == 200 and (await archived.json())["archived_at"]
    assert (await client.post(f"/habits/{habit['id']}/archive", headers=alice_headers)).status == 200  # no-op
    listed = await (await client.get("/habits", headers=alice_headers)).json()
    assert listed["items"] == []
    everything = await (await client.get("/habits?include_archived=true", headers=alice_headers)).json()
    assert [h["id"] for h in everything["items"]] == [habit["id"]] and everything["items"][0]["archived_at"]
    # an archived habit can be read but not checked in
    assert (await client.get(f"/habits/{habit['id']}", headers=alice_headers)).status == 200
    assert (await client.post(f"/habits/{habit['id']}/checkin", headers=alice_headers)).status == 404
    assert await CheckIn.filter(habit_id=habit["id"]).count() == 1
    assert (await client.delete(f"/habits/{habit['id']}", headers=alice_headers)).status == 204
    assert not await Habit.filter(id=habit["id"]).exists()
    assert await CheckIn.filter(habit_id=habit["id"]).count() == 0
    assert (await client.get(f"/habits/{habit['id']}", headers=alice_headers)).status == 404  # really gone
    assert (await client.delete(f"/habits/{habit['id']}", headers=alice_headers)).status == 404


async def test_pause_and_resume(client: TestClient, alice_headers: Headers) -> None:
    habit = await create(client, alice_headers)
    today = habit["today"]
    response = await client.post(f"/habits/{habit['id']}/pause", json={"start": today, "end": "2099-01-01"},
                                 headers=alice_headers)
    assert response.status == 422  # longer than a year
    response = await client.post(f"/habits/{habit['id']}/pause", json={"start": today, "end": today},
                                 headers=alice_headers)
    assert response.status == 201
    assert await response.json() == {"habit_id": habit["id"], "start": today, "end": today}
    paused = await (await client.get(f"/habits/{habit['id']}", headers=alice_headers)).json()
    assert paused["due_today"] is False
    resumed = await client.post(f"/habits/{habit['id']}/resume", headers=alice_headers)
    assert resumed.status == 200 and (await resumed.json())["due_today"] is True
    backwards = await client.post(f"/habits/{habit['id']}/pause", json={"start": today, "end": "2000-01-01"},
                                  headers=alice_headers)
    assert backwards.status == 422


async def test_stats(client: TestClient, alice_headers: Headers) -> None:
    habit = await create(client, alice_headers)
    await client.post(f"/habits/{habit['id']}/checkin", headers=alice_headers)
    response = await client.get(f"/habits/{habit['id']}/stats", headers=alice_headers)
    assert response.status == 200
    stats = await response.json()
    assert stats["current_streak"] == 1 and stats["total_done"] == 1 and stats["streak_unit"] == "days"
    assert [c["days"] for c in stats["completion"]] == [7, 30, 90]
    assert stats["completion"][0]["rate"] == 1.0
    assert len(stats["skip_forecast"]) == 7
    assert stats["skip_forecast"][0]["day"] == habit["today"]
    assert all(0 <= day["skip_probability"] <= 1 for day in stats["skip_forecast"])
    assert 0 < stats["strength"] <= 1


@pytest.mark.parametrize("habit_id", ["0", "-1", "abc", "2147483648", "1.5"])
async def test_bad_habit_ids(client: TestClient, alice_headers: Headers, habit_id: str) -> None:
    response = await client.get(f"/habits/{habit_id}", headers=alice_headers)
    assert response.status == 422
    assert (await response.json())["error"]["details"]["errors"][0]["loc"] == ["path", "habit_id"]


@pytest.mark.parametrize("name", ["\u200b", " \u200b\u200d ", "a\u202eb", "\u2066x", "ab\u0000", ""])
async def test_names_must_be_visible_and_read_as_stored(client: TestClient, alice_headers: Headers, name: str) -> None:
    response = await client.post("/habits", json={"name": name}, headers=alice_headers)
    assert response.status == 422, name


async def test_names_are_nfc_normalized(client: TestClient, alice_headers: Headers) -> None:
    created = await create(client, alice_headers, name="e\u0301cole")
    assert created["name"] == "\u00e9cole"
    again = await client.post("/habits", json={"name": "\u00c9COLE"}, headers=alice_headers)
    assert again.status == 409
