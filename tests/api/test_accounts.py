"""Accounts over HTTP: registration, login, refresh rotation and reuse detection, logout, the account."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import jwt
import pytest
from aiohttp.test_utils import TestClient

from api.tokens import ALGORITHM, ISSUER, issue_token
from smarthabit.accounts import redeem_link_code
from smarthabit.clock import utcnow
from smarthabit.config import Settings
from smarthabit.models import CheckIn, Habit, RefreshToken, User
from tests.api.conftest import PASSWORD, Headers, MakeUser


async def register(client: TestClient, email: str = "ada@example.com", password: str = PASSWORD, **extra: str):
    return await client.post("/users/register", json={"email": email, "password": password, **extra})


async def login(client: TestClient, email: str, password: str = PASSWORD):
    return await client.post("/users/login", json={"email": email, "password": password})


async def test_register_normalizes_email_and_signs_in(client: TestClient) -> None:
    response = await register(client, "  Ada@Example.COM ", timezone="Europe/Paris", display_name="Ada")
    assert response.status == 201
    body = await response.json()
    assert body["user"]["email"] == "ada@example.com"
    assert body["user"]["timezone"] == "Europe/Paris"
    assert body["tokens"]["token_type"] == "bearer"
    assert body["tokens"]["expires_in"] == 15 * 60
    me = await client.get("/users/me", headers={"Authorization": f"Bearer {body['tokens']['access_token']}"})
    assert (await me.json())["email"] == "ada@example.com"
    user = await User.get(email="ada@example.com")
    assert user.password_hash is not None and PASSWORD not in user.password_hash


async def test_register_refuses_a_taken_email_in_any_case(client: TestClient, make_user: MakeUser) -> None:
    await make_user("ada@example.com")
    response = await register(client, "ADA@example.com")
    assert response.status == 409
    assert (await response.json())["error"]["code"] == "email_taken"


@pytest.mark.parametrize(("field", "value"), [
    ("email", "not-an-email"),
    ("email", "a@b"),
    ("email", "ada@exa\x00mple.com"),
    ("password", "Secr3t!"),
    ("password", "x" * 1025),
    ("timezone", "Mars/Olympus_Mons"),
    ("timezone", "../../etc/passwd"),
    ("timezone", "right/UTC"),  # a leap-second copy: its days start 27 s off
    ("timezone", "posix/Europe/Berlin"),
])
async def test_register_validates_input(client: TestClient, field: str, value: str) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD, field: value}
    response = await client.post("/users/register", json=body)
    assert response.status == 422
    error = (await response.json())["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["errors"][0]["loc"] == ["body", field]
    if field == "password":
        assert value not in str(error)  # a password is never echoed back


async def test_login_and_wrong_credentials(client: TestClient, alice: User) -> None:
    ok = await login(client, "ALICE@example.com")
    assert ok.status == 200
    tokens = await ok.json()
    assert set(tokens) >= {"access_token", "refresh_token", "expires_in", "refresh_expires_at"}
    for email, password in [("alice@example.com", "wrong password"), ("nobody@example.com", PASSWORD)]:
        response = await login(client, email, password)
        assert response.status == 401
        assert (await response.json())["error"]["code"] == "invalid_credentials"


async def test_passwords_longer_than_bcrypts_72_bytes_count_in_full(client: TestClient) -> None:
    """bcrypt alone would ignore everything after byte 72; the SHA-256 pre-hash makes all of it count."""
    prefix = "é" * 40  # 80 bytes in UTF-8: already past bcrypt's limit
    response = await register(client, password=prefix + "-first")
    assert response.status == 201
    assert (await login(client, "ada@example.com", prefix + "-first")).status == 200
    assert (await login(client, "ada@example.com", prefix + "-other")).status == 401
    assert (await login(client, "ada@example.com", prefix)).status == 401
    long_password = ("correct horse battery staple " * 40)[:1024]  # the longest accepted
    assert (await register(client, "long@example.com", long_password)).status == 201
    assert (await login(client, "long@example.com", long_password)).status == 200


async def test_refresh_rotates_and_reuse_revokes_the_family(client: TestClient, alice: User) -> None:
    first = await (await login(client, "alice@example.com")).json()
    rotated = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status == 200
    second = await rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    # The first token is replayed (stolen?): the family dies, including the token issued from it.
    replay = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status == 401
    assert (await replay.json())["error"]["code"] == "refresh_token_reused"
    after = await client.post("/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert after.status == 401
    assert await RefreshToken.filter(user_id=alice.id, revoked_at__isnull=True).count() == 0
    # Another login is another family, unaffected.
    other = await (await login(client, "alice@example.com")).json()
    assert (await client.post("/auth/refresh", json={"refresh_token": other["refresh_token"]})).status == 200


async def test_refresh_tokens_are_stored_hashed(client: TestClient, alice: User) -> None:
    tokens = await (await login(client, "alice@example.com")).json()
    stored = await RefreshToken.filter(user_id=alice.id).values_list("token_hash", flat=True)
    assert len(stored) == 1 and tokens["refresh_token"] not in stored[0] and len(stored[0]) == 64


async def test_refresh_refuses_access_tokens_and_garbage(client: TestClient, settings: Settings, alice: User) -> None:
    access = issue_token(settings, alice.id, "access").token
    unknown = issue_token(settings, alice.id, "refresh").token  # well signed, but never stored
    for token in (access, unknown, "garbage"):
        response = await client.post("/auth/refresh", json={"refresh_token": token})
        assert response.status == 401, token


async def test_logout_revokes_the_family(client: TestClient, alice: User) -> None:
    first = await (await login(client, "alice@example.com")).json()
    second = await (await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    assert (await client.post("/auth/logout", json={"refresh_token": second["refresh_token"]})).status == 204
    assert (await client.post("/auth/refresh", json={"refresh_token": second["refresh_token"]})).status == 401
    assert (await client.post("/auth/logout", json={"refresh_token": second["refresh_token"]})).status == 204
    assert (await client.post("/auth/logout", json={"refresh_token": "garbage"})).status == 401


def _forge(settings: Settings, **claims: object) -> str:
    now = utcnow()
    base = {"sub": "1", "typ": "access", "jti": "x", "iat": now, "exp": now + timedelta(minutes=5), "iss": ISSUER}
    payload = {key: value for key, value in {**base, **claims}.items() if value is not None}
    return jwt.encode(payload, settings.jwt_key, algorithm=ALGORITHM)


@pytest.mark.parametrize("case", ["expired", "refresh_type", "no_jti", "no_typ", "no_iat", "bad_sub", "other_key",
                                  "alg_none", "wrong_issuer", "future_iat"])
async def test_access_tokens_are_fully_checked(client: TestClient, settings: Settings, alice: User, case: str) -> None:
    now = utcnow()
    token = {
        "expired": lambda: _forge(settings, sub=str(alice.id), exp=now - timedelta(seconds=1)),
        "refresh_type": lambda: issue_token(settings, alice.id, "refresh").token,
        "no_jti": lambda: _forge(settings, sub=str(alice.id), jti=None),
        "no_typ": lambda: _forge(settings, sub=str(alice.id), typ=None),
        "no_iat": lambda: _forge(settings, sub=str(alice.id), iat=None),
        "bad_sub": lambda: _forge(settings, sub="1e3"),
        "other_key": lambda: jwt.encode({"sub": str(alice.id), "typ": "access", "jti": "x", "iat": now,
                                         "exp": now + timedelta(minutes=5), "iss": ISSUER},
                                        "another-key-" + "y" * 40, algorithm=ALGORITHM),
        "alg_none": lambda: jwt.encode({"sub": str(alice.id), "typ": "access", "jti": "x", "iat": now,
                                        "exp": now + timedelta(minutes=5), "iss": ISSUER}, None, algorithm="none"),
        "wrong_issuer": lambda: _forge(settings, sub=str(alice.id), iss="someone-else"),
        "future_iat": lambda: _forge(settings, sub=str(alice.id), iat=now + timedelta(hours=1)),
    }[case]()
    response = await client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await response.json())["error"]["code"] in {"invalid_token", "token_expired"}


async def test_a_token_verified_before_still_expires(client: TestClient, settings: Settings, alice: User) -> None:
    """Verified signatures are cached; the expiry is not: the same token is refused once it runs out."""
    headers = {"Authorization": f"Bearer {_forge(settings, sub=str(alice.id), exp=utcnow() + timedelta(seconds=1))}"}
    assert (await client.get("/users/me", headers=headers)).status == 200
    await asyncio.sleep(1.1)
    response = await client.get("/users/me", headers=headers)
    assert response.status == 401 and (await response.json())["error"]["code"] == "token_expired"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "bearer not.a.jwt"])
async def test_missing_or_malformed_authorization(client: TestClient, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = await client.get("/habits", headers=headers)
    assert response.status == 401
    assert (await response.json())["error"]["code"] in {"not_authenticated", "invalid_token"}


async def test_token_of_a_deleted_account_is_refused(client: TestClient, alice: User, alice_headers: Headers) -> None:
    await alice.delete()
    assert (await client.get("/users/me", headers=alice_headers)).status == 401


async def test_me_get_and_patch(client: TestClient, alice: User, alice_headers: Headers) -> None:
    me = await (await client.get("/users/me", headers=alice_headers)).json()
    assert me == {**me, "email": "alice@example.com", "timezone": "Europe/Berlin", "telegram_linked": False}
    patch = {"timezone": "Asia/Tokyo", "display_name": "Alice", "nudges_enabled": False,
             "quiet_start": "22:00", "quiet_end": "07:00"}
    response = await client.patch("/users/me", json=patch, headers=alice_headers)
    assert response.status == 200
    body = await response.json()
    assert body["timezone"] == "Asia/Tokyo" and body["quiet_start"] == "22:00:00" and body["nudges_enabled"] is False
    cleared = await client.patch("/users/me", json={"quiet_start": None, "quiet_end": None}, headers=alice_headers)
    assert (await cleared.json())["quiet_start"] is None
    assert (await User.get(id=alice.id)).timezone == "Asia/Tokyo"


@pytest.mark.parametrize("patch", [
    {"timezone": "Nowhere/Atlantis"},
    {"timezone": ""},
    {"quiet_start": "22:00"},
    {"quiet_start": "25:00", "quiet_end": "07:00"},
    {"display_name": "x" * 65},
    {"display_name": "bell\x07"},
    {"email": "new@example.com"},
])
async def test_me_patch_validates(client: TestClient, alice_headers: Headers, patch: dict[str, object]) -> None:
    response = await client.patch("/users/me", json=patch, headers=alice_headers)
    assert response.status == 422
    assert (await response.json())["error"]["code"] == "validation_error"


async def test_delete_me_removes_everything(client: TestClient, alice: User, alice_headers: Headers,
                                            bob: User, bob_headers: Headers) -> None:
    await (await login(client, "alice@example.com")).json()
    habit = await (await client.post("/habits", json={"name": "Run"}, headers=alice_headers)).json()
    await client.post(f"/habits/{habit['id']}/checkin", headers=alice_headers)
    await client.post("/habits", json={"name": "Run"}, headers=bob_headers)
    assert (await client.delete("/users/me", headers=alice_headers)).status == 204
    assert not await User.filter(id=alice.id).exists()
    assert await Habit.filter(user_id=alice.id).count() == 0
    assert await CheckIn.filter(habit_id=habit["id"]).count() == 0
    assert await RefreshToken.filter(user_id=alice.id).count() == 0
    assert (await client.get("/users/me", headers=alice_headers)).status == 401
    # The check-in finds nothing for the token's id, then answers as every route does for a gone account.
    gone = await client.post(f"/habits/{habit['id']}/checkin", headers=alice_headers)
    assert gone.status == 401 and (await gone.json())["error"]["code"] == "invalid_token"
    assert await Habit.filter(user_id=bob.id).count() == 1


async def test_telegram_link_code_links_the_chat(client: TestClient, alice: User, alice_headers: Headers) -> None:
    response = await client.post("/users/me/telegram-link", headers=alice_headers)
    assert response.status == 201
    body = await response.json()
    assert body["command"] == f"/start {body['code']}"
    await redeem_link_code(body["code"], telegram_user_id=777, chat_id=777)
    assert (await (await client.get("/users/me", headers=alice_headers)).json())["telegram_linked"] is True
