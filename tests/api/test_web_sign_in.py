"""Sign-in for the web app: Telegram Mini App initData (POST /auth/telegram) and the one-time
links of the bot's /web (POST /auth/web-login)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from api.app import init_app
from smarthabit.clock import utcnow
from smarthabit.config import Settings
from smarthabit.models import User, WebLoginCode
from smarthabit.web_login import create_web_login
from tests.api.conftest import configured
from tests.web.conftest import sign_init_data, telegram_fields

TOKEN = "777001:WEB-test-token"


@pytest.fixture
async def tg_client(settings: Settings, db: str) -> TestClient:
    app: web.Application = init_app(configured(settings, telegram_bot_token=TOKEN), manage_database=False)
    async with TestClient(TestServer(app)) as client:
        yield client


async def telegram_sign_in(client: TestClient, init_data: str) -> tuple[int, dict]:
    response = await client.post("/auth/telegram", json={"init_data": init_data})
    return response.status, await response.json()


async def test_signed_init_data_signs_in_the_chats_account(tg_client: TestClient) -> None:
    status, tokens = await telegram_sign_in(tg_client, sign_init_data(telegram_fields(5001, "Ada"), TOKEN))
    assert status == 200 and tokens["token_type"] == "bearer"
    user = await User.get(telegram_user_id=5001)
    assert (user.telegram_chat_id, user.display_name) == (5001, "Ada")
    me = await tg_client.get("/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert (await me.json())["id"] == user.id
    # Opening the app again finds the same account, and the refresh token rotates as after a login.
    again, second = await telegram_sign_in(tg_client, sign_init_data(telegram_fields(5001, "Ada"), TOKEN))
    assert again == 200 and await User.filter(telegram_user_id=5001).count() == 1
    rotated = await tg_client.post("/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert rotated.status == 200


@pytest.mark.parametrize("change", ["other_bot", "tampered", "no_hash", "stale", "future", "no_user", "bad_user",
                                    "repeated", "garbage"])
async def test_init_data_that_telegram_did_not_sign_for_us_is_refused(tg_client: TestClient, change: str) -> None:
    fields = telegram_fields(5002)
    init_data = {
        "other_bot": lambda: sign_init_data(fields, "999:other"),
        "tampered": lambda: sign_init_data(fields, TOKEN).replace("5002", "5003"),
        "no_hash": lambda: sign_init_data(fields, TOKEN).rsplit("&hash=", 1)[0],
        "stale": lambda: sign_init_data(telegram_fields(5002, auth_date=int(time.time()) - 24 * 3600 - 5), TOKEN),
        "future": lambda: sign_init_data(telegram_fields(5002, auth_date=int(time.time()) + 3600), TOKEN),
        "no_user": lambda: sign_init_data({"auth_date": str(int(time.time()))}, TOKEN),
        "bad_user": lambda: sign_init_data({**fields, "user": '{"id": "5002"}'}, TOKEN),
        "repeated": lambda: sign_init_data(fields, TOKEN) + "&user=x",
        "garbage": lambda: "%%%not=a&&query",
    }[change]()
    status, body = await telegram_sign_in(tg_client, init_data)
    assert status == 401, body
    assert body["error"]["code"] in ("invalid_init_data", "init_data_expired")
    assert not await User.filter(telegram_user_id=5002).exists()


async def test_telegram_sign_in_needs_a_bot_token(client: TestClient) -> None:
    status, body = await telegram_sign_in(client, sign_init_data(telegram_fields(5004), TOKEN))
    assert status == 404 and body["error"]["code"] == "telegram_not_configured"


async def test_a_login_link_works_once(client: TestClient) -> None:
    user = await User.create(telegram_user_id=6001, telegram_chat_id=6001)
    code, expires_at = await create_web_login(user, timedelta(minutes=10))
    assert timedelta(minutes=9) < expires_at - utcnow() <= timedelta(minutes=10)
    first, second = await asyncio.gather(*(client.post("/auth/web-login", json={"code": code}) for _ in range(2)))
    assert sorted([first.status, second.status]) == [200, 401]  # racing redemptions: exactly one wins
    winner = first if first.status == 200 else second
    tokens = await winner.json()
    me = await client.get("/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert (await me.json())["id"] == user.id
    stored = await WebLoginCode.get(user_id=user.id)
    assert stored.code_hash != code and code not in stored.code_hash  # only a hash is kept


async def test_expired_replaced_and_unknown_links_are_refused(client: TestClient) -> None:
    user = await User.create(telegram_user_id=6002, telegram_chat_id=6002)
    expired, _ = await create_web_login(user, timedelta(minutes=10), now=utcnow() - timedelta(minutes=11))
    old, _ = await create_web_login(user, timedelta(minutes=10))
    current, _ = await create_web_login(user, timedelta(minutes=10))  # a new /web replaces the unused link
    for code in (expired, old, "not-a-code", "x" * 64):
        response = await client.post("/auth/web-login", json={"code": code})
        assert response.status == 401, code
        assert (await response.json())["error"]["code"] == "invalid_login_link"
    assert (await client.post("/auth/web-login", json={"code": current})).status == 200
