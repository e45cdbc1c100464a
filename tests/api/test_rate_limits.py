"""Login is throttled per (account, address) and per address with growing delays, registration per
account and per address: 429 with Retry-After. Addresses come from trusted proxies only."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from api.app import init_app
from api.ratelimit import (
    LOGIN_PER_ACCOUNT_ADDRESS,
    LOGIN_PER_ADDRESS,
    REGISTER_PER_ACCOUNT,
    REGISTER_PER_ADDRESS,
    RedisRateLimiter,
)
from api.typedefs import LIMITER, PASSWORDS, REDIS
from smarthabit.config import Settings, redis_namespace
from tests.api.conftest import FAST_HASHER, PASSWORD, MakeUser, configured


async def _login(client: TestClient, email: str, password: str = "wrong password") -> ClientResponse:  # noqa: S107
    return await client.post("/users/login", json={"email": email, "password": password})


def _assert_limited(response: ClientResponse, window: int) -> None:
    assert response.status == 429
    assert 1 <= int(response.headers["Retry-After"]) <= window


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": f"203.0.113.250, {address}"}  # the leftmost hop is the client's own claim


async def _login_from(client: TestClient, address: str, email: str, password: str = "wrong password") -> ClientResponse:  # noqa: S107
    return await client.post("/users/login", json={"email": email, "password": password}, headers=_from(address))


@pytest.fixture(params=["memory", "redis"])
async def proxied(request: pytest.FixtureRequest, settings: Settings, db: str) -> AsyncIterator[TestClient]:
    """The app behind a trusted proxy on loopback, with either limiter backend."""
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    app = init_app(configured(settings, redis_url=redis_url, trusted_proxies="127.0.0.1/32"), manage_database=False)
    app[PASSWORDS] = FAST_HASHER
    prefix = f"smarthabit-test:{uuid.uuid4().hex}:"
    if app[REDIS] is not None:
        app[LIMITER] = RedisRateLimiter(app[REDIS], prefix=prefix)
    async with TestClient(TestServer(app)) as client:
        yield client
        if app[REDIS] is not None:
            keys = [key async for key in app[REDIS].scan_iter(match=f"{prefix}*")]
            if keys:
                await app[REDIS].delete(*keys)


async def test_failed_logins_cannot_lock_the_owner_out(proxied: TestClient, make_user: MakeUser) -> None:
    await make_user("alice@example.com")
    for _ in range(LOGIN_PER_ACCOUNT_ADDRESS.free + 5):
        await _login_from(proxied, "198.51.100.7", "alice@example.com")
    response = await _login_from(proxied, "198.51.100.7", "alice@example.com", PASSWORD)
    _assert_limited(response, LOGIN_PER_ACCOUNT_ADDRESS.cap)
    body = await response.json()
    assert body["error"]["code"] == "rate_limited" and body["error"]["details"]["retry_after"] >= 1
    # The owner, from their own address, is not affected by the attacker's failures.
    assert (await _login_from(proxied, "192.0.2.44", "ALICE@example.com", PASSWORD)).status == 200


async def test_delays_grow_and_a_success_resets_them(proxied: TestClient, make_user: MakeUser) -> None:
    await make_user("alice@example.com")
    address = "198.51.100.8"
    for _ in range(LOGIN_PER_ACCOUNT_ADDRESS.free - 1):
        assert (await _login_from(proxied, address, "alice@example.com")).status == 401
    assert (await _login_from(proxied, address, "alice@example.com", PASSWORD)).status == 200  # resets
    for _ in range(LOGIN_PER_ACCOUNT_ADDRESS.free + 1):  # the free ones again, and one more
        assert (await _login_from(proxied, address, "alice@example.com")).status == 401
    first = await _login_from(proxied, address, "alice@example.com")
    _assert_limited(first, 1)  # the first delay: one second
    await asyncio.sleep(1.1)
    assert (await _login_from(proxied, address, "alice@example.com")).status == 401
    second = await _login_from(proxied, address, "alice@example.com")
    assert second.status == 429 and int(second.headers["Retry-After"]) == 2  # then twice as long


def test_backoff_delays_double_up_to_the_cap() -> None:
    delays = [LOGIN_PER_ACCOUNT_ADDRESS.delay(n) for n in range(1, 30)]
    free = LOGIN_PER_ACCOUNT_ADDRESS.free
    assert delays[:free] == [0] * free and delays[free:free + 4] == [1, 2, 4, 8]
    assert max(delays) == LOGIN_PER_ACCOUNT_ADDRESS.cap == delays[-1]


async def test_login_is_limited_per_address(proxied: TestClient) -> None:
    for attempt in range(LOGIN_PER_ADDRESS.free + 1):
        assert (await _login_from(proxied, "198.51.100.9", f"user{attempt}@example.com")).status == 401
    _assert_limited(await _login_from(proxied, "198.51.100.9", "fresh@example.com"), LOGIN_PER_ADDRESS.cap)
    assert (await _login_from(proxied, "198.51.100.10", "fresh@example.com")).status == 401  # others are not


async def test_untrusted_peers_cannot_choose_their_address(client: TestClient, make_user: MakeUser) -> None:
    """Without TRUSTED_PROXIES, X-Forwarded-For is ignored: rotating it does not escape the limit."""
    await make_user("alice@example.com")
    for n in range(LOGIN_PER_ACCOUNT_ADDRESS.free + 1):
        await _login_from(client, f"198.51.100.{n}", "alice@example.com")
    assert (await _login_from(client, "198.51.100.99", "alice@example.com")).status == 429


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
    for _ in range(LOGIN_PER_ACCOUNT_ADDRESS.free + 1):
        assert (await _login(redis_client, "alice@example.com")).status == 401
    _assert_limited(await _login(redis_client, "alice@example.com"), LOGIN_PER_ACCOUNT_ADDRESS.cap)
    redis = redis_client.app[REDIS]
    limiter = redis_client.app[LIMITER]
    assert isinstance(limiter, RedisRateLimiter)
    keys = [key async for key in redis.scan_iter(match=f"{limiter.prefix}*")]
    assert keys and all(b"alice" not in key and b"127.0.0.1" not in key for key in keys)  # subjects are hashed
    assert all([await redis.ttl(key) > 0 for key in keys])  # every counter expires


async def test_redis_counters_live_under_the_deployment_namespace(settings: Settings, db: str, redis_url: str) -> None:
    """Two deployments (or test sessions) on one Redis keep separate limits: the app's counters are
    keyed under `smarthabit:<database name>:ratelimit:`, not under one prefix for every deployment."""
    deployment = configured(settings, redis_url=redis_url)
    app = init_app(deployment, manage_database=False)
    limiter = app[LIMITER]
    assert isinstance(limiter, RedisRateLimiter)
    assert limiter.prefix == f"{redis_namespace(deployment)}:ratelimit:"
    other = init_app(configured(deployment, database_url="postgres://db.example/other"), manage_database=False)
    assert other[LIMITER].prefix != limiter.prefix  # type: ignore[attr-defined]
    for each in (app, other):
        await each[REDIS].aclose()  # type: ignore[union-attr]
