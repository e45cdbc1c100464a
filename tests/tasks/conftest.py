"""Fixtures for the workers' tests: the real test database (root conftest), real Redis on the test
db, and the loopback Bot API server. Nothing of taskiq, the ORM or python-telegram-bot is mocked."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis
from taskiq import AsyncBroker

from smarthabit.config import Settings
from smarthabit.models import User
from tasks.broker import SCAN_TASK, build_broker
from tasks.runtime import Runtime, redis_namespace
from tests.botapi import BotApiServer
from tests.parallel import worker_number

BOT_TOKEN = f"{123456 + worker_number()}:TEST-worker-token"  # its own flood budget per xdist worker
_chat_ids = itertools.count(7_000_001)


@pytest.fixture
async def botapi() -> AsyncIterator[BotApiServer]:
    """A fresh loopback Bot API server (no flood limits unless a test sets `rate_limit`)."""
    async with BotApiServer([BOT_TOKEN]) as server:
        yield server


def make_settings(database_url: str, botapi: BotApiServer, redis_url: str | None = None, **extra: object) -> Settings:
    return Settings(
        database_url=database_url, redis_url=redis_url, jwt_secret="test-secret-" + "x" * 40,  # type: ignore[arg-type]
        telegram_bot_token=BOT_TOKEN, telegram_api_url=botapi.url,  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
        **extra,
    )


@pytest.fixture
def task_settings(db: str, botapi: BotApiServer) -> Settings:
    """Settings pointing the workers at the test database and the loopback Bot API (no Redis)."""
    return make_settings(db, botapi)


@pytest.fixture
async def runtime(task_settings: Settings) -> AsyncIterator[Runtime]:
    """A worker runtime without a broker (tests call the task bodies directly), with a per-chat
    spacing of zero so one user's several messages do not slow the tests down."""
    rt = Runtime(task_settings, manage_database=False, chat_interval=0.0, global_rate=1000.0)
    await rt.startup()
    yield rt
    await rt.shutdown()


@pytest.fixture
async def clean_redis(redis_url: str, db: str) -> AsyncIterator[Redis]:
    """A Redis client; this session's keys are removed before and after the test."""
    client = Redis.from_url(redis_url)
    namespace = redis_namespace(Settings(database_url=db, _env_file=None))  # type: ignore[call-arg]
    await delete_keys(client, f"{namespace}:*")
    yield client
    await delete_keys(client, f"{namespace}:*")
    await client.aclose()


async def delete_keys(redis: Redis, *patterns: str) -> None:
    """Delete the keys matching any of `patterns` (SCAN, so other sessions' keys are never touched)."""
    keys = [key for pattern in patterns async for key in redis.scan_iter(pattern)]
    if keys:
        await redis.delete(*keys)


MakeUser = Callable[..., Awaitable[User]]


@pytest.fixture
def make_user(db: str) -> MakeUser:
    """Create a Telegram user (chat id = user id) in a time zone; extra fields as keywords."""

    async def make(timezone: str = "UTC", **fields: object) -> User:
        chat = next(_chat_ids)
        fields.setdefault("telegram_user_id", chat)
        fields.setdefault("telegram_chat_id", chat)
        return await User.create(timezone=timezone, display_name="T", **fields)

    return make


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def inline_broker(settings: Settings) -> AsyncBroker:
    """The real broker factory without Redis: tasks run inside `kiq()`; no per-chat spacing."""
    return build_broker(
        settings, manage_database=False, inline=True, runtime_options={"chat_interval": 0.0, "global_rate": 500.0}
    )


@pytest.fixture
async def broker(task_settings: Settings) -> AsyncIterator[AsyncBroker]:
    broker = inline_broker(task_settings)
    await broker.startup()
    yield broker
    await broker.shutdown()


async def run_task(broker: AsyncBroker, name: str, now: datetime) -> dict[str, int]:
    """Send a cron task for the instant `now` and return its result (raising its error)."""
    task = broker.find_task(name)
    assert task is not None
    sent = await task.kiq(now=now.isoformat())
    result = await sent.wait_result(timeout=30)
    result.raise_for_error()
    return result.return_value


async def scan(broker: AsyncBroker, now: datetime) -> dict[str, int]:
    """The per-minute scan (reminders and nudges) as the scheduler would send it, at `now`."""
    return await run_task(broker, SCAN_TASK, now)
