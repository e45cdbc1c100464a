"""What third-party apps expect: cursor pagination and `updated_since`, ETag / If-None-Match,
Idempotency-Key replay, RateLimit-* headers, and examples in the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient

from smarthabit.clock import local_today, utcnow
from smarthabit.models import CheckIn, Habit, IdempotentResponse, User
from tests.api.conftest import Headers


async def _pages(client: TestClient, path: str, headers: Headers, limit: int) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        query = f"{'&' if '?' in path else '?'}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        body = await (await client.get(path + query, headers=headers)).json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_habits_page_by_cursor_and_filter_by_updated_since(
    client: TestClient, alice: User, alice_headers: Headers
) -> None:
    for name in "ABCDE":
        assert (await client.post("/habits", json={"name": name}, headers=alice_headers)).status == 201
    pages = await _pages(client, "/habits", alice_headers, 2)
    assert [[h["name"] for h in page] for page in pages] == [["A", "B"], ["C", "D"], ["E"]]
    full = await (await client.get("/habits", headers=alice_headers)).json()
    assert len(full["items"]) == 5 and full["next_cursor"] is None

    since = utcnow()
    c = next(h for h in full["items"] if h["name"] == "C")
    await client.patch(f"/habits/{c['id']}", json={"description": "changed"}, headers=alice_headers)
    changed = await (await client.get("/habits", params={"updated_since": since.isoformat()},
                                      headers=alice_headers)).json()
    assert [h["name"] for h in changed["items"]] == ["C"]
    bad = await client.get("/habits?cursor=bm9wZQ", headers=alice_headers)
    assert bad.status == 422 and (await bad.json())["error"]["code"] == "invalid_cursor"


async def test_checkins_page_by_cursor_steadily_while_new_ones_arrive(
    client: TestClient, alice: User, alice_headers: Headers
) -> None:
    habit = await (await client.post("/habits", json={"name": "Walk"}, headers=alice_headers)).json()
    today = local_today(alice.timezone)
    for back in range(1, 7):
        day = (today - timedelta(days=back)).isoformat()
        assert (await client.post(f"/habits/{habit['id']}/checkin", json={"day": day},
                                  headers=alice_headers)).status == 201
    path = f"/habits/{habit['id']}/checkins"
    first = await (await client.get(f"{path}?limit=4", headers=alice_headers)).json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    since = utcnow()
    await client.post(f"/habits/{habit['id']}/checkin", json={}, headers=alice_headers)  # today, newest
    rest = await (await client.get(f"{path}?limit=4&cursor={first['next_cursor']}", headers=alice_headers)).json()
    days = [c["day"] for c in first["items"] + rest["items"]]
    assert days == [(today - timedelta(days=back)).isoformat() for back in range(1, 7)]
    assert rest["next_cursor"] is None
    recent = await (await client.get(path, params={"updated_since": since.isoformat()}, headers=alice_headers)).json()
    assert [c["day"] for c in recent["items"]] == [today.isoformat()]
    assert (await client.get(f"{path}?cursor=WyJ4Il0", headers=alice_headers)).status == 422


async def test_etag_answers_304_until_something_changes(client: TestClient, alice_headers: Headers) -> None:
    await client.post("/habits", json={"name": "Read"}, headers=alice_headers)
    first = await client.get("/habits", headers=alice_headers)
    etag = first.headers["ETag"]
    again = await client.get("/habits", headers={**alice_headers, "If-None-Match": etag})
    assert again.status == 304 and await again.read() == b"" and again.headers["ETag"] == etag
    await client.post("/habits", json={"name": "Write"}, headers=alice_headers)
    changed = await client.get("/habits", headers={**alice_headers, "If-None-Match": etag})
    assert changed.status == 200 and changed.headers["ETag"] != etag


async def test_idempotency_key_replays_the_first_answer(
    client: TestClient, alice: User, alice_headers: Headers, bob: User, bob_headers: Headers
) -> None:
    keyed = {**alice_headers, "Idempotency-Key": "create-read-1"}
    first = await client.post("/habits", json={"name": "Read"}, headers=keyed)
    second = await client.post("/habits", json={"name": "Read"}, headers=keyed)
    assert (first.status, second.status) == (201, 201)
    assert await first.json() == await second.json()
    assert second.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert await Habit.filter(user_id=alice.id).count() == 1

    other = await client.post("/habits", json={"name": "Other"}, headers=keyed)
    assert other.status == 422 and (await other.json())["error"]["code"] == "idempotency_key_reused"
    bobs = await client.post("/habits", json={"name": "Read"},
                             headers={**bob_headers, "Idempotency-Key": "create-read-1"})
    assert bobs.status == 201 and "Idempotent-Replayed" not in bobs.headers  # keys are per account

    habit_id = (await first.json())["id"]
    check = {**alice_headers, "Idempotency-Key": "checkin-1"}
    answers = [await client.post(f"/habits/{habit_id}/checkin", json={"note": "x"}, headers=check) for _ in range(2)]
    assert [a.status for a in answers] == [201, 201]  # without the key, a repeat answers 200
    assert await CheckIn.filter(habit_id=habit_id).count() == 1

    await IdempotentResponse.filter(key="create-read-1", user_id=alice.id).update(
        created_at=utcnow() - timedelta(hours=25))
    expired = await client.post("/habits", json={"name": "Read"}, headers=keyed)
    assert expired.status == 409  # a new request now: the name is taken


async def test_rate_limited_answers_carry_ratelimit_headers(client: TestClient, alice: User) -> None:
    for _ in range(10):
        await client.post("/users/login", json={"email": "alice@example.com", "password": "wrong password"})
    limited = await client.post("/users/login", json={"email": "alice@example.com", "password": "wrong password"})
    assert limited.status == 429
    assert limited.headers["RateLimit-Limit"] == "5" and limited.headers["RateLimit-Remaining"] == "0"
    assert int(limited.headers["RateLimit-Reset"]) == int(limited.headers["Retry-After"]) > 0


async def test_openapi_has_examples_and_the_new_headers(client: TestClient) -> None:
    document = await (await client.get("/openapi.json")).json()
    create = document["paths"]["/habits"]["post"]
    assert create["requestBody"]["content"]["application/json"]["example"]["name"] == "Run"
    assert "Idempotency-Key" in [p["name"] for p in create["parameters"]]
    hook = document["paths"]["/webhooks"]["post"]["requestBody"]["content"]["application/json"]["example"]
    assert hook["events"] == ["checkin.created"]
    assert "304" in document["paths"]["/habits"]["get"]["responses"]
    assert "RateLimit-Limit" in document["paths"]["/users/login"]["post"]["responses"]["429"]["headers"]
