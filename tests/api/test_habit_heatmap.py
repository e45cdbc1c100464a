"""GET /habits/{id}/heatmap: the year calendar over HTTP."""

from __future__ import annotations

from datetime import date, timedelta

from aiohttp.test_utils import TestClient

from tests.api.conftest import Headers


async def test_heatmap_shows_check_ins_pauses_and_the_open_day(client: TestClient, alice_headers: Headers) -> None:
    habit = await (await client.post("/habits", json={"name": "Read"}, headers=alice_headers)).json()
    today = date.fromisoformat(habit["today"])
    yesterday = (today - timedelta(days=1)).isoformat()
    await client.post(f"/habits/{habit['id']}/checkin", json={"day": yesterday}, headers=alice_headers)
    tomorrow = (today + timedelta(days=1)).isoformat()
    await client.post(f"/habits/{habit['id']}/pause", json={"start": tomorrow, "end": tomorrow}, headers=alice_headers)

    response = await client.get(f"/habits/{habit['id']}/heatmap", headers=alice_headers)
    assert response.status == 200
    body = await response.json()
    days = {d["day"]: d["state"] for d in body["days"]}
    assert body["today"] == habit["today"]
    assert date.fromisoformat(body["days"][0]["day"]).weekday() == 0  # whole weeks, Monday first
    assert date.fromisoformat(body["days"][-1]["day"]).weekday() == 6
    assert 365 <= len(body["days"]) <= 371
    assert days[yesterday] == "done" and days[habit["today"]] == "open"
    assert days.get(tomorrow, "future") == "future"  # the future is not judged, paused or not
    assert days[(today - timedelta(days=30)).isoformat()] == "before_start"
    assert body["strength"][-1]["day"] == habit["today"]


async def test_heatmap_range_is_bounded_and_checked(client: TestClient, alice_headers: Headers) -> None:
    habit = await (await client.post("/habits", json={"name": "Walk"}, headers=alice_headers)).json()
    path = f"/habits/{habit['id']}/heatmap"
    narrow = await (await client.get(path, params={"from": "2026-01-05", "to": "2026-01-11"},
                                     headers=alice_headers)).json()
    assert [d["day"] for d in narrow["days"]][::6] == ["2026-01-05", "2026-01-11"]
    wide = await (await client.get(path, params={"from": "2020-01-01", "to": "2026-01-11"},
                                   headers=alice_headers)).json()
    assert len(wide["days"]) == 400 and wide["days"][-1]["day"] == "2026-01-11"
    backwards = await client.get(path, params={"from": "2026-01-11", "to": "2026-01-05"}, headers=alice_headers)
    assert backwards.status == 200 and (await backwards.json())["days"] == []  # as an empty check-in range
    assert (await client.get(path, params={"from": "0"}, headers=alice_headers)).status == 422
    for edge in ({"from": "2025-11-09", "to": "0001-06-28"}, {"to": "0001-01-01"}, {"to": "9999-12-31"},
                 {"from": "9999-12-25", "to": "9999-12-31"}):  # found by schemathesis: once a 500
        far = await client.get(path, params=edge, headers=alice_headers)
        assert far.status == 200, (edge, await far.text())
        assert all(d["state"] in {"before_start", "future"} for d in (await far.json())["days"])


async def test_another_users_heatmap_is_not_found(client: TestClient, alice_headers: Headers,
                                                    bob_headers: Headers) -> None:
    habit = await (await client.post("/habits", json={"name": "Secret"}, headers=alice_headers)).json()
    response = await client.get(f"/habits/{habit['id']}/heatmap", headers=bob_headers)
    assert response.status == 404
    assert (await client.get(f"/habits/{habit['id']}/heatmap")).status == 401
