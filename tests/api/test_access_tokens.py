"""Personal access tokens: shown once, stored hashed, scoped, revocable, with last use recorded."""

from __future__ import annotations

import hashlib

from aiohttp.test_utils import TestClient

from smarthabit.models import PersonalAccessToken, User
from tests.api.conftest import Headers


async def _token(client: TestClient, headers: Headers, scope: str) -> dict:
    response = await client.post("/users/me/tokens", json={"name": f"{scope} script", "scope": scope},
                                 headers=headers)
    assert response.status == 201
    return await response.json()


async def test_tokens_are_shown_once_and_stored_hashed(client: TestClient, alice: User, alice_headers: Headers) -> None:
    created = await _token(client, alice_headers, "write")
    assert created["token"].startswith("shp_") and len(created["token"]) == 44
    row = await PersonalAccessToken.get(id=created["id"])
    assert row.token_hash == hashlib.sha256(created["token"].encode()).hexdigest()
    listed = await (await client.get("/users/me/tokens", headers=alice_headers)).json()
    assert listed["items"][0]["last_used_at"] is None and "token" not in listed["items"][0]

    me = await client.get("/users/me", headers={"Authorization": f"Bearer {created['token']}"})
    assert me.status == 200 and (await me.json())["email"] == "alice@example.com"
    listed = await (await client.get("/users/me/tokens", headers=alice_headers)).json()
    assert listed["items"][0]["last_used_at"] is not None


async def test_read_tokens_cannot_write_and_revoked_tokens_are_refused(
    client: TestClient, alice: User, alice_headers: Headers
) -> None:
    read = {"Authorization": f"Bearer {(await _token(client, alice_headers, 'read'))['token']}"}
    write_token = await _token(client, alice_headers, "write")
    write = {"Authorization": f"Bearer {write_token['token']}"}
    assert (await client.get("/habits", headers=read)).status == 200
    refused = await client.post("/habits", json={"name": "Read"}, headers=read)
    assert refused.status == 403 and (await refused.json())["error"]["code"] == "insufficient_scope"
    assert (await client.patch("/users/me", json={"display_name": "x"}, headers=read)).status == 403
    created = await client.post("/habits", json={"name": "Write"}, headers=write)
    assert created.status == 201
    habit_id = (await created.json())["id"]
    assert (await client.post(f"/habits/{habit_id}/checkin", json={}, headers=read)).status == 403
    assert (await client.post(f"/habits/{habit_id}/checkin", json={}, headers=write)).status == 201

    assert (await client.delete(f"/users/me/tokens/{write_token['id']}", headers=alice_headers)).status == 204
    revoked = await client.get("/habits", headers=write)
    assert revoked.status == 401 and (await revoked.json())["error"]["code"] == "invalid_token"
    assert (await client.get("/habits", headers={"Authorization": "Bearer shp_" + "x" * 40})).status == 401


async def test_another_users_token_cannot_be_revoked(
    client: TestClient, alice_headers: Headers, bob_headers: Headers
) -> None:
    token = await _token(client, alice_headers, "read")
    assert (await client.delete(f"/users/me/tokens/{token['id']}", headers=bob_headers)).status == 404
    assert (await client.get("/habits", headers={"Authorization": f"Bearer {token['token']}"})).status == 200
