"""Passwords: common ones refused; a change needs the current one and ends every other session;
`logout-all` ends them all."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.api.conftest import PASSWORD, MakeUser

NEW_PASSWORD = "violet tractor under moonlight"


async def _login(client: TestClient, password: str = PASSWORD) -> dict[str, str]:
    response = await client.post("/users/login", json={"email": "alice@example.com", "password": password})
    assert response.status == 200, await response.text()
    return await response.json()


def _auth(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


@pytest.mark.parametrize("password", ["password", "12345678", "qwertyuiop", "iloveyou1", "alice2026", "aaaaaaaa"])
async def test_common_passwords_are_refused(client: TestClient, password: str) -> None:
    response = await client.post("/users/register", json={"email": "alice@example.com", "password": password})
    assert response.status == 422
    error = (await response.json())["error"]
    assert error["code"] == "weak_password" and error["details"]["field"] == "password"


async def test_changing_the_password_ends_every_other_session(client: TestClient, make_user: MakeUser) -> None:
    await make_user("alice@example.com")
    phone, laptop = await _login(client), await _login(client)
    wrong = await client.post("/users/me/password", json={"current_password": "not it", "new_password": NEW_PASSWORD},
                              headers=_auth(laptop))
    assert wrong.status == 403 and (await wrong.json())["error"]["code"] == "wrong_password"
    weak = await client.post("/users/me/password", json={"current_password": PASSWORD, "new_password": "password1"},
                             headers=_auth(laptop))
    assert weak.status == 422
    changed = await client.post("/users/me/password", json={"current_password": PASSWORD,
                                                             "new_password": NEW_PASSWORD}, headers=_auth(laptop))
    assert changed.status == 200 and changed.headers["Cache-Control"] == "no-store"
    fresh = await changed.json()
    assert (await client.get("/users/me", headers=_auth(fresh))).status == 200  # this client goes on
    for old in (phone, laptop):  # every earlier session is over, access and refresh tokens alike
        assert (await client.get("/users/me", headers=_auth(old))).status == 401
        assert (await client.post("/auth/refresh", json={"refresh_token": old["refresh_token"]})).status == 401
    assert (await client.post("/users/login", json={"email": "alice@example.com", "password": PASSWORD})).status == 401
    await _login(client, NEW_PASSWORD)


async def test_logout_all_ends_every_session(client: TestClient, make_user: MakeUser) -> None:
    await make_user("alice@example.com")
    phone, laptop = await _login(client), await _login(client)
    assert (await client.post("/auth/logout-all", headers=_auth(phone))).status == 204
    for old in (phone, laptop):
        response = await client.get("/habits", headers=_auth(old))
        assert response.status == 401 and (await response.json())["error"]["code"] == "session_ended"
        assert (await client.post("/auth/refresh", json={"refresh_token": old["refresh_token"]})).status == 401
    assert (await client.get("/habits", headers=_auth(await _login(client)))).status == 200  # a new login works
    assert (await client.post("/auth/logout-all")).status == 401


async def test_an_ended_session_cannot_check_in(client: TestClient, make_user: MakeUser) -> None:
    """Today's check-in reads no account row of its own: its statement compares the token's issue
    instant with the account's ended sessions, so an old token writes nothing (401, not a check-in)."""
    await make_user("alice@example.com")
    old = await _login(client)
    created = await client.post("/habits", json={"name": "Stretch"}, headers=_auth(old))
    assert created.status == 201, await created.text()
    habit_id = (await created.json())["id"]
    assert (await client.post("/auth/logout-all", headers=_auth(old))).status == 204
    refused = await client.post(f"/habits/{habit_id}/checkin", json={}, headers=_auth(old))
    assert refused.status == 401 and (await refused.json())["error"]["code"] == "session_ended"
    fresh = _auth(await _login(client))
    assert (await (await client.get(f"/habits/{habit_id}", headers=fresh)).json())["current_streak"] == 0
    assert (await client.post(f"/habits/{habit_id}/checkin", json={}, headers=fresh)).status == 201
    assert (await client.post(f"/habits/{habit_id}/checkin", json={}, headers=fresh)).status == 200
