"""Cross-user isolation: every habit route answers 404 for another user's habit, exactly as for none."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from api.typedefs import ROUTES
from smarthabit.models import CheckIn, Habit
from tests.api.conftest import Headers

# A valid body for every habit route that takes one: the request must reach the use case.
BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/habits/{habit_id}"): {"name": "Mine now"},
    ("POST", "/habits/{habit_id}/pause"): {"start": "{today}", "end": "{today}"},
    ("POST", "/habits/{habit_id}/checkin"): {},
    ("PATCH", "/habits/{habit_id}/checkins/{day}"): {"note": "hi"},
}


async def test_every_habit_route_hides_other_users_habits(
    app: web.Application, client: TestClient, alice_headers: Headers, bob_headers: Headers
) -> None:
    habit = await (await client.post("/habits", json={"name": "Read"}, headers=alice_headers)).json()
    await client.post(f"/habits/{habit['id']}/checkin", json={"note": "mine"}, headers=alice_headers)
    habit_routes = [route for route in app[ROUTES] if "{habit_id}" in route.path]
    assert len(habit_routes) >= 10
    for route in habit_routes:
        answers = []
        for habit_id in (habit["id"], 999_999):  # Alice's habit, and one that does not exist
            url = route.path.format(habit_id=habit_id, day=habit["today"])
            body = None
            if "body" in route.inputs:
                body = {key: value.format(today=habit["today"]) if isinstance(value, str) else value
                        for key, value in BODIES[route.method, route.path].items()}
            response = await client.request(route.method, url, json=body, headers=bob_headers)
            answers.append((response.status, await response.json()))
        assert answers[0][0] == 404, (route.method, route.path, answers[0])
        assert answers[0][1]["error"]["code"] == answers[1][1]["error"]["code"] == "not_found"
    # Nothing of Alice's changed.
    stored = await Habit.get(id=habit["id"])
    assert stored.name == "Read" and stored.archived_at is None
    checkin = await CheckIn.get(habit_id=habit["id"])
    assert checkin.note == "mine"


async def test_lists_show_only_own_data(client: TestClient, alice_headers: Headers, bob_headers: Headers) -> None:
    await client.post("/habits", json={"name": "Read"}, headers=alice_headers)
    assert (await (await client.get("/habits", headers=bob_headers)).json())["items"] == []
    weekly = await (await client.get("/insights/weekly", headers=bob_headers)).json()
    assert weekly["habits"] == []
    assert (await (await client.get("/nudges?min_probability=0.01", headers=bob_headers)).json())["upcoming"] == []
