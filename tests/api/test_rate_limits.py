"""Login and registration are rate-limited per account and per client address: 429 with Retry-After."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from api.app import init_app
from api.ratelimit import (
    LOGIN_PER_ACCOUNT,
    LOGIN_PER_ADDRESS,
    REGISTER_PER_ACCOUNT,
    REGISTER_PER_ADDRESS,
    RedisRateLimiter,
)
from api.typedefs import LIMITER, PASSWORDS, REDIS
from smarthabit.config import Settings
from tests.api.conftest import FAST_HASHER, PASSWORD, MakeUser, configured


async def _login(client: TestClient, email: str, password: str = "wrong password") -> ClientResponse:  # noqa: S107
    return await client.post("/users/login", json={"email": email, "password": password})


def _assert_limited(response: ClientResponse, window: int) -> None:
    assert response.status == 429
    assert 1 <= int(response.headers["Retry-After"]) <= window


async def test_login_is_limited_per_account(client: TestClient, make_user: MakeUser) -> None:
    await make_user("alice@example.com")
    for _ in range(LOGIN_PER_ACCOUNT.count):
        assert (await _login(client, "alice@example.com")).status == 401
    response = await _login(client, "ALICE@example.com", PASSWORD)  # even the right password now waits
    _assert_limited(response, LOGIN_PER_ACCOUNT.window)
    body = await response.json()
    assert body["error"]["code"] == "rate_limited" and body["error"]["details"]["retry_after"] >= 1
    assert (await _login(client, "someone-else@example.com")).status == 401  # other accounts are unaffected


async def test_login_is_limited_per_address(client: TestClient) -> None:
    for attempt in range(LOGIN_PER_ADDRESS.count):
        assert (await _login(client, f"user{attempt}@example.com")).status == 401
    _assert_limited(await _login(client, "fresh@example.com"), LOGIN_PER_ADDRESS.window)


async def test_register_is_limited_per_account_and_address(client: TestClient) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD}
    statuses = [(await client.post("/users/register", json=body)).status for _ in range(REGISTER_PER_ACCOUNT.count)]
    assert statuses == [201] + [409] * (REGISTER_PER_ACCOUNT.count - 1)
    _assert_limited(await client.post("/users/register", json=body), REGISTER_PER_ACCOUNT.window)
    for attempt in range(REGISTER_PER_ADDRESS.count - REGISTER_PER_ACCOUNT.count - 1):
        response = await client.post("/users/register", json={**body, "email": f"u{attempt}@example.com"})
        assert response.status == 201
    _assert_limited(await client.post("/users/register", json={**body, "email": "last@example.com"}),
                    REGISTER_PER_ADDRESS.window)


@pytest.fixture
async def redis_client(settings: Settings, db: str, redis_url: str) -> AsyncIterator[TestClient]:
    """The app with REDIS_URL set (TEST_REDIS_URL); its counters under a prefix of this test, deleted afterwards."""
    app = init_app(configured(settings, redis_url=redis_url), manage_database=False)
    app[PASSWORDS] = FAST_HASHER
    redis = app[REDIS]
    assert redis is not None
    prefix = f"smarthabit-test:{uuid.uuid4().hex}:"
    app[LIMITER] = RedisRateLimiter(redis, prefix=prefix)
    async with TestClient(TestServer(app)) as client:
        yield client
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*")]
        if keys:
            await redis.delete(*keys)


async def test_redis_backend_limits_and_expires(redis_client: TestClient) -> None:
    for _ in range(LOGIN_PER_ACCOUNT.count):
        assert (await _login(redis_client, "alice@example.com")).status == 401
    _assert_limited(await _login(redis_client, "alice@example.com"), LOGIN_PER_ACCOUNT.window)
    redis = redis_client.app[REDIS]
    limiter = redis_client.app[LIMITER]
    assert isinstance(limiter, RedisRateLimiter)
    keys = [key async for key in redis.scan_iter(match=f"{limiter.prefix}*")]
    assert keys and all(b"alice" not in key and b"127.0.0.1" not in key for key in keys)  # subjects are hashed
    assert all([await redis.ttl(key) > 0 for key in keys])  # every window expires
