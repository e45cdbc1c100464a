"""Real processes: `smarthabit worker` and `smarthabit scheduler` over real Redis (the test db) and the
test database, delivering into the loopback Bot API server -- including a worker killed mid-task."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from taskiq import AsyncBroker
from taskiq.message import BrokerMessage

from smarthabit.clock import utcnow
from smarthabit.config import Settings
from smarthabit.habits import create_habit
from smarthabit.models import Nudge, NudgeStatus, Reminder
from smarthabit.schemas import HabitCreate
from smarthabit.telegram_budget import budget_prefix
from tasks.broker import CONSUMER_GROUP, SCAN_TASK, RedeliveringStreamBroker, build_broker
from tasks.planning import plan_due_reminders
from tasks.runtime import DELIVER_TASK, redis_namespace
from tests.botapi import BotApiServer
from tests.tasks.conftest import BOT_TOKEN, MakeUser

REDELIVERY_SECONDS = 2


class Process:
    """A `smarthabit` sub-command in its own OS process, its output in a log file."""

    def __init__(self, command: str, env: dict[str, str], log: Path, *args: str) -> None:
        self.log = log
        self._out = log.open("ab")
        self.popen = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
            [sys.executable, "-m", "launcher.cli", command, *args],
            env=env, cwd=log.parent, stdout=self._out, stderr=subprocess.STDOUT,
        )

    def lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()

    def logged(self, event: str) -> bool:
        return any(f'"event": "{event}"' in line for line in self.lines())

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        try:
            return self.popen.wait(timeout)
        finally:
            self._out.close()


@pytest.fixture
def redis_settings(task_settings: Settings, redis_url: str, clean_redis: Redis) -> Settings:
    return task_settings.model_copy(update={"redis_url": redis_url, "task_redelivery_seconds": REDELIVERY_SECONDS})


def role_env(database_url: str, redis_url: str, telegram_api_url: str, **extra: str) -> dict[str, str]:
    """The environment of a `smarthabit` role in these tests: this machine's, with the test database,
    Redis and loopback Bot API instead of any configured ones."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "TELEGRAM_"))},
        "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_API_URL": telegram_api_url,
        "TASK_REDELIVERY_SECONDS": str(REDELIVERY_SECONDS), "LOG_LEVEL": "INFO", **extra,
    }


@contextmanager
def started_roles(env: dict[str, str], log_dir: Path) -> Iterator[Callable[..., Process]]:
    """`start(command, *args, **extra_env)` starts `smarthabit <command>`; whatever still runs at the
    end is killed."""
    started: list[Process] = []

    def start(command: str, *args: str, **extra_env: str) -> Process:
        process = Process(command, {**env, **extra_env}, log_dir / f"{command}-{len(started)}.log", *args)
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.popen.poll() is None:
                process.popen.kill()
                process.popen.wait(10)


@pytest.fixture
def spawn(redis_settings: Settings, tmp_path: Path) -> Iterator[Callable[..., Process]]:
    """Start `smarthabit <command>` with the test settings in the environment; killed at the end."""
    env = role_env(redis_settings.db_url, redis_settings.redis_url or "", redis_settings.telegram_api_url,
                   JWT_SECRET="test-secret-" + "x" * 40)
    with started_roles(env, tmp_path) as start:
        yield start


@pytest.fixture
async def client(redis_settings: Settings) -> AsyncIterator[AsyncBroker]:
    """This test process as a taskiq client of the workers: it only sends tasks."""
    broker = build_broker(redis_settings, manage_database=False)
    await broker.startup()
    yield broker
    await broker.shutdown()


async def until(check: Callable[[], Any], within: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def stream(settings: Settings) -> str:
    return f"{redis_namespace(settings)}:tasks"


async def pending(redis: Redis, settings: Settings) -> int:
    return int((await redis.xpending(stream(settings), CONSUMER_GROUP))["pending"])


async def test_worker_process_runs_the_scan_and_delivers(
    spawn: Callable[..., Process], client: AsyncBroker, clean_redis: Redis, redis_settings: Settings,
    make_user: MakeUser, botapi: BotApiServer,
) -> None:
    user = await make_user("Europe/Berlin", nudges_enabled=False)
    habit = await create_habit(user, HabitCreate(name="Reading", reminder_times=["08:00"]), now=utcnow())
    await Reminder.filter(habit_id=habit.id).update(next_fire_at=utcnow() - timedelta(seconds=5))
    worker = spawn("worker", "--concurrency", "4")
    await until(lambda: worker.logged("Listening started."), what="the worker to listen")
    task = client.find_task(SCAN_TASK)
    assert task is not None
    sent = await task.kiq()
    result = await sent.wait_result(timeout=20)  # through RedisAsyncResultBackend
    assert result.return_value["reminders"] == 1
    message = await botapi.wait_for_message(user.telegram_chat_id, timeout=15)
    assert message["text"].startswith("⏰ Time for Reading")
    await until(lambda: Nudge.filter(habit_id=habit.id, status=NudgeStatus.SENT).exists(), what="SENT")
    assert worker.stop() == 0  # SIGTERM: a clean shutdown
    assert botapi.stats.sent == 1


async def test_killed_worker_task_is_redelivered_and_sent_once(
    spawn: Callable[..., Process], client: AsyncBroker, clean_redis: Redis, redis_settings: Settings,
    make_user: MakeUser, botapi: BotApiServer,
) -> None:
    user = await make_user("UTC", nudges_enabled=False)
    habit = await create_habit(user, HabitCreate(name="Reading", reminder_times=["08:00"]), now=utcnow())
    await Reminder.filter(habit_id=habit.id).update(next_fire_at=utcnow() - timedelta(seconds=5))
    [nudge_id] = await plan_due_reminders(utcnow())
    first = spawn("worker", "--concurrency", "4")
    await until(lambda: first.logged("Listening started."), what="the first worker to listen")
    # Busy Telegram: the shared bot-wide limiter has no free slot for the next 4 seconds, so the
    # delivery task will be in the middle of waiting for it when its worker is killed. (Booked once the
    # worker listens: on a loaded machine its start alone can take longer than that.)
    seconds, micros = await clean_redis.time()
    await clean_redis.set(f"{budget_prefix(BOT_TOKEN)}:global",
                          str(seconds * 1000 + micros / 1000 + 4000), px=60_000)
    deliver = client.find_task(DELIVER_TASK)
    assert deliver is not None
    await deliver.kiq(nudge_id)
    await until(lambda: pending(clean_redis, redis_settings), what="the worker to take the task")
    await asyncio.sleep(0.5)
    first.stop(signal.SIGKILL)
    assert botapi.stats.sent == 0
    assert (await Nudge.get(id=nudge_id)).status is NudgeStatus.PENDING
    assert await pending(clean_redis, redis_settings) == 1  # taken, never acknowledged

    second = spawn("worker", "--concurrency", "4")
    await botapi.wait_for_message(user.telegram_chat_id, timeout=20)
    await until(lambda: Nudge.filter(id=nudge_id, status=NudgeStatus.SENT).exists(), what="SENT")
    await asyncio.sleep(REDELIVERY_SECONDS + 1.0)  # long enough for any second redelivery to show up
    assert botapi.stats.sent == 1
    assert len(botapi.sent_to(user.telegram_chat_id)) == 1
    assert await pending(clean_redis, redis_settings) == 0  # acknowledged by the second worker
    assert second.logged("redelivering an unacknowledged task")
    assert second.stop() == 0


async def test_a_stopping_worker_hands_back_what_it_holds_at_once(
    clean_redis: Redis, redis_settings: Settings,
) -> None:
    """Messages a stopping worker took but will not finish (abandoned after the grace period,
    prefetched and discarded, or read just as shutdown cancelled the read) reach a live worker within
    seconds, not after the redelivery timeout (a minute here), and each reaches it once."""
    def worker() -> RedeliveringStreamBroker:
        return RedeliveringStreamBroker(
            redis_settings.redis_url or "", queue_name=stream(redis_settings), consumer_group_name=CONSUMER_GROUP,
            idle_timeout=60_000, xread_block=200, xread_count=1, claim_every=0.2,
        )

    stopping, live = worker(), worker()
    await stopping.startup()
    await live.startup()
    try:
        for n in range(3):
            await stopping.kick(BrokerMessage(task_id=str(n), task_name="t", message=f"m{n}".encode(), labels={}))
        reader = stopping.listen()
        assert [(await anext(reader)).data for _ in range(3)] == [b"m0", b"m1", b"m2"]  # taken, never run
        await reader.aclose()
        stopping.abandon()
        assert await stopping.hand_back() == 3
        assert await pending(clean_redis, redis_settings) == 3  # nothing copied, nothing dropped

        async def take_over() -> list[bytes]:
            taken: list[bytes] = []
            async for message in live.listen():
                taken.append(message.data)
                await message.ack()
                if len(taken) == 3:
                    return taken
            return taken

        started = time.monotonic()
        assert sorted(await asyncio.wait_for(take_over(), timeout=10)) == [b"m0", b"m1", b"m2"]
        assert time.monotonic() - started < 10
        assert await pending(clean_redis, redis_settings) == 0
        assert await stopping.hand_back() == 0
    finally:
        await stopping.shutdown()
        await live.shutdown()


async def test_scheduler_sends_the_minute_scan_and_only_one_leads(
    spawn: Callable[..., Process], clean_redis: Redis, redis_settings: Settings,
) -> None:
    async def scans() -> int:
        entries = await clean_redis.xrange(stream(redis_settings))
        return sum(1 for _, fields in entries if json.loads(fields[b"data"])["task_name"] == SCAN_TASK)

    async def scans_after(count: int) -> bool:
        return await scans() > count

    leader = spawn("scheduler")
    await until(lambda: leader.logged("scheduler is the leader"), what="the first scheduler to lead")
    await until(scans, within=10, what="a minute scan in the stream")
    standby = spawn("scheduler")
    await until(lambda: standby.logged("another scheduler leads; standing by"), what="the standby")
    before = await scans()
    assert leader.stop() == 0  # releases the lease
    await until(lambda: standby.logged("scheduler is the leader"), what="the standby to take over")
    await until(lambda: scans_after(before), within=10, what="the new leader's scan")
    assert standby.stop() == 0


async def test_a_cancellation_the_redis_client_swallows_still_stops_the_listener(
    client: AsyncBroker, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """redis-py can swallow a cancellation that lands as a blocking read finishes (redis-py #2028):
    the worker's listener then read on for ever and the worker never stopped on SIGTERM. Here the
    read, against the real Redis, swallows the first cancellation as the library does in that race."""
    assert isinstance(client, RedeliveringStreamBroker)
    read, swallowed = client._read, []

    async def swallowing(conn: Redis, last_claim: float) -> tuple[list[Any], float]:
        try:
            return await read(conn, last_claim)
        except asyncio.CancelledError:
            if swallowed:
                raise
            swallowed.append(True)
            return [], last_claim

    monkeypatch.setattr(client, "_read", swallowing)
    listener = asyncio.ensure_future(anext(client.listen()))
    await asyncio.sleep(0.3)  # blocked in XREADGROUP
    await _stops_though_its_cancellation_is_swallowed(listener, swallowed)


async def test_a_cancellation_the_redis_client_swallows_still_stops_the_heartbeat(
    client: AsyncBroker, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same for the heartbeat that keeps running messages claimed: shutdown cancels it and waits."""
    assert isinstance(client, RedeliveringStreamBroker)
    keep, inside, swallowed = client._keep_claimed, asyncio.Event(), []

    async def swallowing() -> None:
        await keep()
        inside.set()
        try:
            await asyncio.sleep(5)  # a reply slow to come, as under load
        except asyncio.CancelledError:
            if swallowed:
                raise
            swallowed.append(True)

    monkeypatch.setattr(client, "_keep_claimed", swallowing)
    monkeypatch.setitem(client._running, "0-1", client.queue_name)  # one message running
    heartbeat = asyncio.ensure_future(client._beat())
    await asyncio.wait_for(inside.wait(), 5)
    await _stops_though_its_cancellation_is_swallowed(heartbeat, swallowed)


async def _stops_though_its_cancellation_is_swallowed(task: asyncio.Future[Any], swallowed: list[bool]) -> None:
    task.cancel()
    await asyncio.wait({task}, timeout=5)
    if not task.done():  # the bug: cancel again (not swallowed) so that the test ends either way
        task.cancel()
        await asyncio.wait({task}, timeout=5)
        pytest.fail("it went on after its cancellation was swallowed")
    assert swallowed and task.cancelled()
