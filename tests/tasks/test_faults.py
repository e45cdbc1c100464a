"""Faults with real processes: `smarthabit worker` and `smarthabit scheduler` reach PostgreSQL and
Redis through a proxy that can take them away (tests/outage_proxy.py), and the loopback Bot API can
be told to fail. Short runs of what `python -m bench.faults` measures at scale: every message goes
out exactly once, the processes stay up (one log line when an outage starts, one when it ends) and
exit 0 on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import time as wall_time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest
from redis.asyncio import Redis

from api.tokens import issue_token
from smarthabit.clock import utcnow
from smarthabit.config import Settings
from smarthabit.habits import create_habit
from smarthabit.models import Nudge, NudgeStatus, Reminder, User
from smarthabit.schemas import HabitCreate
from tasks.broker import SCAN_TASK, build_broker
from tasks.runtime import redis_namespace
from tests.botapi import BotApiServer, Fault
from tests.e2e.stack import free_port
from tests.outage_proxy import OutageProxy
from tests.tasks.conftest import MakeUser
from tests.tasks.test_worker_process import REDELIVERY_SECONDS, Process, pending, role_env, started_roles, until

pytestmark = pytest.mark.postgres_only  # the proxy stands in front of a PostgreSQL server
USERS = 24


def _via(url: str, port: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.netloc.rsplit(':', 1)[0]}:{port}"))


@pytest.fixture
async def proxies(task_settings: Settings, redis_url: str) -> AsyncIterator[tuple[OutageProxy, OutageProxy]]:
    db, redis = urlsplit(task_settings.db_url), urlsplit(redis_url)
    pg = OutageProxy(db.hostname or "127.0.0.1", db.port or 5432)
    rd = OutageProxy(redis.hostname or "127.0.0.1", redis.port or 6379)
    await pg.start()
    await rd.start()
    yield pg, rd
    await pg.stop()
    await rd.stop()


@pytest.fixture
def start(task_settings: Settings, redis_url: str, proxies: tuple[OutageProxy, OutageProxy], tmp_path: Path,
          clean_redis: Redis) -> Iterator[Callable[..., Process]]:
    """`smarthabit <command>` reaching PostgreSQL and Redis through the proxies."""
    pg, rd = proxies
    env = role_env(_via(task_settings.db_url, pg.port), _via(redis_url, rd.port), task_settings.telegram_api_url,
                   LOG_FORMAT="json")
    with started_roles(env, tmp_path) as spawn:
        yield spawn


def _settings(task_settings: Settings, redis_url: str) -> Settings:
    return task_settings.model_copy(update={"redis_url": redis_url, "task_redelivery_seconds": REDELIVERY_SECONDS})


async def _people(make_user: MakeUser, count: int) -> list[User]:
    people = []
    for _ in range(count):
        user = await make_user("UTC", nudges_enabled=False)
        await create_habit(user, HabitCreate(name="Reading", reminder_times=[wall_time(3, 0)]),
                           now=utcnow() - timedelta(days=1))
        people.append(user)
    return people


async def _fan_out(settings: Settings, people: list[User]) -> None:
    """Make the people's reminders due now and send the minute scan, as the scheduler would."""
    await Reminder.filter(habit__user_id__in=[p.id for p in people]).update(next_fire_at=utcnow())
    client = build_broker(settings, manage_database=False)
    await client.startup()
    try:
        scan = client.find_task(SCAN_TASK)
        assert scan is not None
        await scan.kiq()
    finally:
        await client.shutdown()


async def _all_sent(user_ids: list[int]) -> bool:
    return await Nudge.filter(user_id__in=user_ids, status=NudgeStatus.SENT).count() == len(user_ids)


async def _stop(processes: list[Process]) -> list[int]:
    """SIGTERM to all, waited for off the event loop (the proxies in this loop must keep serving)."""
    for process in processes:
        process.popen.send_signal(signal.SIGTERM)
    return [await asyncio.to_thread(process.popen.wait, 40) for process in processes]


def _received(botapi: BotApiServer, people: list[User]) -> int:
    return sum(1 for p in people if botapi.stats.per_chat[p.telegram_chat_id])


async def _survives(
    fault: Callable[[], Awaitable[None]], *, start: Callable[..., Process], settings: Settings,
    make_user: MakeUser, botapi: BotApiServer, service: str,
) -> list[Process]:
    """Fan out to USERS people through two workers and the scheduler, inject `fault` a third of
    the way, and check: everyone got exactly one message, every process is alive, the outage was
    logged once when it started and once when it ended."""
    people = await _people(make_user, USERS)
    botapi.fail(Fault(method="sendMessage", status=200, delay=0.4))  # a fan-out that lasts seconds
    processes = [start("worker", "--concurrency", "3"), start("worker", "--concurrency", "3"), start("scheduler")]
    for process in processes:
        await until(lambda p=process: p.logged("Listening started.") or p.logged("scheduler is the leader"),
                    within=30, what="the processes to start")
    await _fan_out(settings, people)
    await until(lambda: _received(botapi, people) >= USERS // 3, within=30, what="a third delivered")
    await fault()
    await until(lambda: _received(botapi, people) == USERS, within=60, what="every reminder delivered")
    assert all(botapi.stats.per_chat[p.telegram_chat_id] == 1 for p in people)  # no duplicates
    ours = [p.id for p in people]
    await until(lambda: _all_sent(ours), within=15, what="every row SENT (a write may wait for its next retry)")
    assert all(p.popen.poll() is None for p in processes), "a process exited during the outage"
    def lines(text: str) -> int:
        return sum(1 for p in processes[:2] for line in p.lines() if text in line)

    started = lines(f"{service} unreachable; retrying")
    await until(lambda: lines(f"{service} reachable again") == started, within=15, what="the outage's end logged")
    assert 1 <= started <= 6
    assert await _stop(processes) == [0, 0, 0]
    return processes


async def test_a_postgres_outage_is_waited_out_and_nothing_is_lost(
    start: Callable[..., Process], task_settings: Settings, redis_url: str, clean_redis: Redis,
    proxies: tuple[OutageProxy, OutageProxy], make_user: MakeUser, botapi: BotApiServer,
) -> None:
    pg, _ = proxies

    async def postgres_away() -> None:
        await pg.cut()
        await asyncio.sleep(2)
        await pg.restore()

    await _survives(postgres_away, start=start, settings=_settings(task_settings, redis_url),
                    make_user=make_user, botapi=botapi, service="PostgreSQL")


async def test_redis_back_without_its_data_loses_no_message(
    start: Callable[..., Process], task_settings: Settings, redis_url: str, clean_redis: Redis,
    proxies: tuple[OutageProxy, OutageProxy], make_user: MakeUser, botapi: BotApiServer,
) -> None:
    _, rd = proxies
    settings = _settings(task_settings, redis_url)

    async def redis_restarted_empty() -> None:
        await rd.cut()
        keys = [key async for key in clean_redis.scan_iter(f"{redis_namespace(settings)}:*")]
        await clean_redis.delete(*keys)  # what a restart without persistence leaves: nothing
        await asyncio.sleep(2)
        await rd.restore()

    processes = await _survives(redis_restarted_empty, start=start, settings=settings, make_user=make_user,
                                botapi=botapi, service="Redis")
    assert any(p.logged("task stream lost (Redis restarted without its data); enqueueing undelivered messages "
                        "again") for p in processes)


async def test_a_task_longer_than_the_redelivery_timeout_is_not_run_twice(
    start: Callable[..., Process], task_settings: Settings, redis_url: str, clean_redis: Redis,
    make_user: MakeUser, botapi: BotApiServer,
) -> None:
    """The heartbeat keeps a running task's message claimed: the second worker never takes it over."""
    settings = _settings(task_settings, redis_url)
    [person] = await _people(make_user, 1)
    botapi.fail(Fault(method="sendMessage", status=200, delay=3 * REDELIVERY_SECONDS))  # a slow answer
    workers = [start("worker", "--concurrency", "2"), start("worker", "--concurrency", "2")]
    for worker in workers:
        await until(lambda w=worker: w.logged("Listening started."), within=30, what="the workers to start")
    await _fan_out(settings, [person])
    await botapi.wait_for_message(person.telegram_chat_id, timeout=30)
    await until(lambda: _none_pending(clean_redis, settings), within=10, what="every task acknowledged")
    assert not any(w.logged("redelivering an unacknowledged task") for w in workers)
    assert botapi.stats.per_chat[person.telegram_chat_id] == 1
    assert await _stop(workers) == [0, 0]


async def _none_pending(redis: Redis, settings: Settings) -> bool:
    return await pending(redis, settings) == 0


async def test_telegram_errors_are_retried_by_the_workers(
    start: Callable[..., Process], task_settings: Settings, redis_url: str, clean_redis: Redis,
    make_user: MakeUser, botapi: BotApiServer,
) -> None:
    """A 5xx phase, then 429s: every message still goes out once (nothing marked "unknown")."""
    settings = _settings(task_settings, redis_url)
    people = await _people(make_user, 8)
    botapi.fail(Fault(method="sendMessage", status=500, count=6))
    botapi.fail(Fault(method="sendMessage", status=429, count=4))
    worker = start("worker", "--concurrency", "4")
    await until(lambda: worker.logged("Listening started."), within=30, what="the worker to start")
    await _fan_out(settings, people)
    await until(lambda: _received(botapi, people) == len(people), within=30, what="every reminder delivered")
    assert botapi.stats.faults == 10
    assert all(botapi.stats.per_chat[p.telegram_chat_id] == 1 for p in people)
    assert await _stop([worker]) == [0]


async def test_a_stream_deleted_under_a_blocked_read_is_made_again(
    start: Callable[..., Process], task_settings: Settings, redis_url: str, clean_redis: Redis,
    make_user: MakeUser, botapi: BotApiServer,
) -> None:
    """An operator's FLUSHDB or DEL while the workers wait in XREADGROUP: Redis answers "UNBLOCKED
    the stream key no longer exists". The workers make the stream again and go on (they used to stop)."""
    settings = _settings(task_settings, redis_url)
    processes = [start("worker", "--concurrency", "3"), start("worker", "--concurrency", "3"), start("scheduler")]
    for process in processes:
        await until(lambda p=process: p.logged("Listening started.") or p.logged("scheduler is the leader"),
                    within=30, what="the processes to start")
    await asyncio.sleep(1.0)  # the workers are blocked in XREADGROUP now
    keys = [key async for key in clean_redis.scan_iter(f"{redis_namespace(settings)}:*")]
    await clean_redis.delete(*keys)
    people = await _people(make_user, 6)
    await _fan_out(settings, people)
    await until(lambda: _received(botapi, people) == len(people), within=30, what="every reminder delivered")
    assert all(botapi.stats.per_chat[p.telegram_chat_id] == 1 for p in people)
    assert all(p.popen.poll() is None for p in processes), "a process stopped when its stream vanished"
    assert await _stop(processes) == [0, 0, 0]


async def test_the_api_answers_503_through_a_postgres_outage_and_logs_it_once(
    start: Callable[..., Process], proxies: tuple[OutageProxy, OutageProxy], task_settings: Settings,
    make_user: MakeUser,
) -> None:
    """Every request during the outage gets the JSON error shape with 503 and Retry-After (no
    traceback per request); the outage is logged when it starts and when it ends, and the API
    serves again without a restart."""
    pg, _ = proxies
    person = await make_user("UTC")
    port = free_port()
    api = start("api", "--port", str(port), JWT_SECRET=task_settings.jwt_key)
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {issue_token(task_settings, person.id, 'access').token}"}
    async with aiohttp.ClientSession() as http:
        await until(lambda: _answers(http, f"{url}/health"), within=30, what="the API to start")

        async def habits_status() -> int:
            async with http.get(f"{url}/habits", headers=headers) as response:
                return response.status

        assert await habits_status() == 200
        await pg.cut()
        for _ in range(20):
            async with http.get(f"{url}/habits", headers=headers) as response:
                body = await response.json()
                assert response.status == 503, body
                assert body["error"]["code"] == "service_unavailable" and response.headers["Retry-After"] == "5"
        await pg.restore()
        await until(lambda: _is(habits_status(), 200), within=20, what="the API to serve again")
    assert sum("PostgreSQL unreachable; retrying" in line for line in api.lines()) == 1
    assert sum("PostgreSQL reachable again" in line for line in api.lines()) == 1
    assert not any("Traceback" in line or "unhandled error" in line for line in api.lines())
    assert await _stop([api]) == [0]


async def _answers(http: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with http.get(url) as response:
            return response.status < 500
    except aiohttp.ClientConnectionError:
        return False


async def _is(status: Awaitable[int], expected: int) -> bool:
    return await status == expected


async def test_the_bot_rides_out_a_postgres_outage_with_one_apology_per_message(
    start: Callable[..., Process], proxies: tuple[OutageProxy, OutageProxy], make_user: MakeUser,
    botapi: BotApiServer,
) -> None:
    """A person writing while PostgreSQL is away gets "try again in a moment" once per message (no
    traceback per update); once it is back the same command works, and the outage was logged twice
    (start, end)."""
    pg, _ = proxies
    person = await make_user("UTC")
    chat = person.telegram_chat_id
    bot = start("bot")
    await until(lambda: bot.logged("Application started"), within=30, what="the bot to start")
    await botapi.send_text(chat, "/today")
    await botapi.wait_for_message(chat, timeout=15)
    await pg.cut()
    for _ in range(3):
        await botapi.send_text(chat, "/today")
        apology = await botapi.wait_for_message(chat, timeout=15)
        assert "try again in a moment" in apology["text"]
    await pg.restore()
    await until(lambda: _today_answered(botapi, chat), within=30, what="the bot to answer again")
    await until(lambda: bot.logged("PostgreSQL reachable again"), within=5, what="the outage's end logged")
    assert sum("PostgreSQL unreachable; retrying" in line for line in bot.lines()) == 1
    assert sum("PostgreSQL reachable again" in line for line in bot.lines()) == 1
    assert not any("Traceback" in line for line in bot.lines())
    assert await _stop([bot]) == [0]


async def _today_answered(botapi: BotApiServer, chat: int) -> bool:
    await botapi.send_text(chat, "/today")
    try:
        answer = await botapi.wait_for_message(chat, timeout=3)
    except AssertionError:
        return False
    return "try again in a moment" not in answer["text"]
