"""Export (JSON and CSV) and the round trip of our own JSON export through `POST /import`."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

from aiohttp.test_utils import TestClient

from smarthabit.clock import local_today
from smarthabit.models import CheckIn, Habit, HabitPause, Reminder, User
from tests.api.conftest import Headers


async def _fill(client: TestClient, headers: Headers, user: User) -> None:
    """Habits of every kind with reminders, check-ins with values and notes, a pause, an archived one."""
    today = local_today(user.timezone)
    walk = await (await client.post("/habits", json={"name": "Walk", "reminder_times": ["07:30", "19:00"]},
                                    headers=headers)).json()
    water = await (await client.post("/habits", json={
        "name": "Water", "kind": "measurable", "target": 2.0, "unit": "l",
        "schedule": {"kind": "weekdays", "weekdays": [0, 2, 4]}}, headers=headers)).json()
    gym = await (await client.post("/habits", json={
        "name": "Gym", "schedule": {"kind": "times_per_week", "times_per_week": 3}}, headers=headers)).json()
    for back in range(4):
        day = (today - timedelta(days=back)).isoformat()
        assert (await client.post(f"/habits/{walk['id']}/checkin", json={"day": day, "note": f"walk {back}"},
                                  headers=headers)).status == 201
    assert (await client.post(f"/habits/{water['id']}/checkin", json={"value": 2.5}, headers=headers)).status == 201
    pause = {"start": (today + timedelta(days=2)).isoformat(), "end": (today + timedelta(days=4)).isoformat()}
    assert (await client.post(f"/habits/{gym['id']}/pause", json=pause, headers=headers)).status == 201
    old = await (await client.post("/habits", json={"name": "Old"}, headers=headers)).json()
    assert (await client.post(f"/habits/{old['id']}/archive", headers=headers)).status == 200


def _comparable(document: dict) -> list[dict]:
    """The habits of an export without what legitimately differs between accounts."""
    keep = ("name", "description", "kind", "target", "unit", "target_direction", "schedule", "start_day",
            "reminder_times", "pauses")
    return sorted(({**{k: h[k] for k in keep}, "archived": h["archived_at"] is not None,
                    "checkins": [{k: c[k] for k in ("day", "value", "note")} for c in h["checkins"]]}
                   for h in document["habits"]), key=lambda h: h["name"])


async def test_json_export_round_trips_and_a_second_import_duplicates_nothing(
    client: TestClient, alice: User, alice_headers: Headers, bob: User, bob_headers: Headers
) -> None:
    await _fill(client, alice_headers, alice)
    response = await client.get("/export?format=json", headers=alice_headers)
    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    raw = await response.read()
    document = json.loads(raw)
    assert (document["format"], document["version"]) == ("smarthabit-export", 1)
    assert document["profile"]["timezone"] == "Europe/Berlin"
    assert len(document["habits"]) == 4

    imported = await client.post("/import", data=raw, headers={**bob_headers, "Content-Type": "application/json"})
    assert imported.status == 200, await imported.text()
    summary = await imported.json()
    assert (summary["habits_created"], summary["checkins_created"], summary["pauses_created"]) == (4, 5, 1)
    bobs = json.loads(await (await client.get("/export", headers=bob_headers)).read())
    assert _comparable(bobs) == _comparable(document)

    counts = (await Habit.filter(user_id=bob.id).count(), await CheckIn.filter(habit__user_id=bob.id).count(),
              await HabitPause.filter(habit__user_id=bob.id).count(),
              await Reminder.filter(habit__user_id=bob.id).count())
    again = await client.post("/import", data=raw, headers=bob_headers)
    assert again.status == 200
    assert (await again.json())["habits_matched"] == 4
    assert counts == (await Habit.filter(user_id=bob.id).count(), await CheckIn.filter(habit__user_id=bob.id).count(),
                      await HabitPause.filter(habit__user_id=bob.id).count(),
                      await Reminder.filter(habit__user_id=bob.id).count())


async def test_import_into_the_same_account_renames_clashing_habits(
    client: TestClient, alice: User, alice_headers: Headers
) -> None:
    await _fill(client, alice_headers, alice)
    raw = await (await client.get("/export", headers=alice_headers)).read()
    summary = await (await client.post("/import", data=raw, headers=alice_headers)).json()
    assert summary["renamed"] == {"Walk": "Walk (2)", "Water": "Water (2)", "Gym": "Gym (2)", "Old": "Old (2)"}


async def test_bad_documents_are_refused_with_nothing_written(
    client: TestClient, alice: User, alice_headers: Headers, bob: User, bob_headers: Headers
) -> None:
    await _fill(client, alice_headers, alice)
    document = json.loads(await (await client.get("/export", headers=alice_headers)).read())
    document["habits"][-1]["checkins"] = [{"day": "2026-02-30"}]  # the last habit is broken: none is written
    for body, code in ((json.dumps(document).encode(), "invalid_import"), (b"{not json", "invalid_import"),
                       (json.dumps({**document, "version": 99}).encode(), "invalid_import")):
        response = await client.post("/import", data=body, headers=bob_headers)
        assert response.status == 422
        assert (await response.json())["error"]["code"] == code
    assert not await Habit.filter(user_id=bob.id).exists()


async def test_csv_export_is_a_zip_of_csv_files(client: TestClient, alice: User, alice_headers: Headers) -> None:
    await _fill(client, alice_headers, alice)
    response = await client.get("/export?format=csv", headers=alice_headers)
    assert response.status == 200 and response.content_type == "application/zip"
    with zipfile.ZipFile(io.BytesIO(await response.read())) as archive:
        assert sorted(archive.namelist()) == ["checkins.csv", "habits.csv", "pauses.csv", "profile.csv",
                                              "reminders.csv"]
        checkins = list(csv.DictReader(io.StringIO(archive.read("checkins.csv").decode())))
        reminders = list(csv.DictReader(io.StringIO(archive.read("reminders.csv").decode())))
    assert len(checkins) == 5 and {c["note"] for c in checkins if c["habit"] == "Walk"} == {
        "walk 0", "walk 1", "walk 2", "walk 3"}
    assert [r["local_time"] for r in reminders] == ["07:30", "19:00"]
    assert (await client.get("/export?format=xml", headers=alice_headers)).status == 422


async def test_an_import_beyond_the_active_habit_limit_writes_nothing(
    client: TestClient, alice: User, alice_headers: Headers
) -> None:
    habits = [{"id": i, "name": f"Habit {i}", "start_day": "2026-01-01"} for i in range(1, 102)]
    document = {"format": "smarthabit-export", "version": 1, "habits": habits}
    response = await client.post("/import", json=document, headers=alice_headers)
    assert response.status == 422 and (await response.json())["error"]["code"] == "too_many_habits"
    assert not await Habit.filter(user_id=alice.id).exists()
