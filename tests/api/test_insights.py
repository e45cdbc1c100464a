"""The weekly insight and the nudges feed over HTTP."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from aiohttp.test_utils import TestClient

from smarthabit.clock import utcnow
from smarthabit.models import Nudge, NudgeKind, NudgeStatus, User
from smarthabit.schedule import iso_week
from tests.api.conftest import Headers


async def test_weekly_insight(client: TestClient, alice_headers: Headers) -> None:
    habit = await (await client.post("/habits", json={"name": "Read"}, headers=alice_headers)).json()
    await client.post(f"/habits/{habit['id']}/checkin", headers=alice_headers)
    response = await client.get("/insights/weekly", headers=alice_headers)
    assert response.status == 200
    insight = await response.json()
    today = date.fromisoformat(habit["today"])
    assert insight["week"] == iso_week(today)
    assert insight["done"] == 1 and insight["scheduled"] == 1 and insight["rate"] == 1.0
    assert insight["habits"][0]["habit_id"] == habit["id"] and insight["habits"][0]["streak_end"] == 1
    assert insight["summary"][0].startswith("You did 1 of 1")
    last_week = iso_week(today - timedelta(days=7))
    earlier = await (await client.get("/insights/weekly", params={"week": last_week}, headers=alice_headers)).json()
    assert earlier["week"] == last_week and earlier["scheduled"] == 0 and earlier["rate"] is None


@pytest.mark.parametrize("week", ["2026-W60", "2025-W53", "2026-48", "2026-W4", "last", ""])
async def test_weekly_insight_rejects_bad_weeks(client: TestClient, alice_headers: Headers, week: str) -> None:
    response = await client.get("/insights/weekly", params={"week": week}, headers=alice_headers)
    assert response.status == 422


async def test_nudges_feed(client: TestClient, alice: User, alice_headers: Headers) -> None:
    read = await (await client.post("/habits", json={"name": "Read"}, headers=alice_headers)).json()
    run = await (await client.post("/habits", json={"name": "Run"}, headers=alice_headers)).json()
    await client.post(f"/habits/{run['id']}/checkin", headers=alice_headers)
    now = utcnow()
    today = date.fromisoformat(read["today"])
    for index, status in enumerate([NudgeStatus.SENT, NudgeStatus.SENT, NudgeStatus.PENDING]):
        await Nudge.create(user_id=alice.id, habit_id=read["id"], kind=NudgeKind.SKIP_RISK, day=today,
                           key=f"skip_risk:{read['id']}:{today}:{index}", planned_at=now, status=status,
                           sent_at=now - timedelta(hours=index) if status is NudgeStatus.SENT else None)
    response = await client.get("/nudges", params={"min_probability": "0.01", "limit": 1}, headers=alice_headers)
    assert response.status == 200
    feed = await response.json()
    assert feed["total_sent"] == 2 and len(feed["sent"]) == 1
    assert feed["sent"][0]["kind"] == "skip_risk"
    first_sent = feed["sent"][0]
    second = await (await client.get("/nudges", params={"offset": 1}, headers=alice_headers)).json()
    assert first_sent["sent_at"] > second["sent"][0]["sent_at"]  # newest first
    risks = {(risk["habit_id"], risk["day"]) for risk in feed["upcoming"]}
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert risks == {(read["id"], read["today"]), (read["id"], tomorrow), (run["id"], tomorrow)}  # Run is done today
    probabilities = [risk["skip_probability"] for risk in feed["upcoming"]]
    assert probabilities == sorted(probabilities, reverse=True)
    calm = await (await client.get("/nudges", params={"min_probability": 1}, headers=alice_headers)).json()
    assert calm["upcoming"] == []
    for bad in ({"min_probability": 0}, {"min_probability": 1.5}, {"limit": 0}):
        assert (await client.get("/nudges", params=bad, headers=alice_headers)).status == 422
