"""`smarthabit worker` and `smarthabit scheduler`: taskiq's Receiver and SchedulerLoop, run directly.

Each command is one OS process (scale workers by starting more; no fork manager in between, so a
supervisor's signals reach the process that holds the tasks). SIGTERM/SIGINT stop taking new tasks
and give the running ones `SHUTDOWN_GRACE_SECONDS` to finish; whatever is still running after that
is cancelled and abandoned unacknowledged (no retry copy), and handed back, with whatever else the
worker still holds, so another worker takes it within seconds (see `tasks.broker`).

Outages: both roles ride out Redis and PostgreSQL outages of any length (`smarthabit.outages`); a
process exits non-zero only when its configuration is unusable or its background work died of an
unexpected error (so a supervisor's restart-on-failure applies), never 0 while work remained.

Exactly one scheduler: schedulers take a lease in Redis (`<namespace>:scheduler-leader`, renewed every
`LEASE_RENEW_SECONDS`); a second one waits on standby and takes over when the lease expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from redis.asyncio import Redis
from taskiq import AsyncBroker, InMemoryBroker
from taskiq.cli.scheduler.run import SchedulerLoop
from taskiq.receiver import Receiver

from smarthabit.config import Settings
from smarthabit.outages import REDIS_DOWN, Outage, is_redis_down
from tasks.broker import SCAN_TASK, RedeliveringStreamBroker, build_broker, build_scheduler
from tasks.runtime import redis_namespace

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 25.0
LEASE_SECONDS = 30.0
LEASE_RENEW_SECONDS = 10.0
STANDBY_POLL_SECONDS = 2.0
SEND_TIMEOUT_SECONDS = 10.0

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class SchedulerLease:
    """A Redis lease that makes one scheduler the leader; the others wait."""

    def __init__(self, redis: Redis, key: str, *, lease: float = LEASE_SECONDS) -> None:
        self.redis = redis
        self.key = key
        self.lease_ms = int(lease * 1000)
        self.me = uuid.uuid4().hex
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)
        self.outage = Outage("Redis", logger=log)

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait until this process leads (through Redis outages); False if asked to stop first."""
        announced = False
        while not stop.is_set():
            wait = STANDBY_POLL_SECONDS
            try:
                won = await self.redis.set(self.key, self.me, nx=True, px=self.lease_ms)
            except REDIS_DOWN as exc:
                won, wait = False, self.outage.failed(exc)
            else:
                self.outage.recovered()
            if won:
                log.info("scheduler is the leader")
                return True
            if not announced and not self.outage.down:
                log.info("another scheduler leads; standing by")
                announced = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
        return False

    async def hold(self, stop: asyncio.Event) -> None:
        """Renew the lease until `stop`; returns early if it was lost or could not be renewed in
        time (Redis down: another scheduler may lead once it expires, so this one must stop)."""
        renewed = time.monotonic()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), LEASE_RENEW_SECONDS)
            if stop.is_set():
                return
            try:
                kept = await self._renew(keys=[self.key], args=[self.me, self.lease_ms])
            except REDIS_DOWN as exc:
                self.outage.failed(exc)
                if time.monotonic() - renewed < self.lease_ms / 1000 - LEASE_RENEW_SECONDS:
                    continue
                kept = False
            else:
                self.outage.recovered()
                renewed = time.monotonic()
            if not kept:
                log.warning("scheduler lease lost; standing by")
                return

    async def release(self) -> None:
        with contextlib.suppress(*REDIS_DOWN):
            await self._release(keys=[self.key], args=[self.me])


async def _schedule(broker: AsyncBroker, stop: asyncio.Event) -> None:
    """Run taskiq's scheduler loop over our label schedules until `stop`."""
    scheduler = build_scheduler(broker)
    for source in scheduler.sources:
        await source.startup()
    # The loop's first cron tick is the next wall-clock minute: scan once now, so a new leader catches
    # up at once (a scan is idempotent: reminders and nudges are claimed under unique keys).
    scan = broker.find_task(SCAN_TASK)
    if scan is not None:
        try:
            await scan.kiq()
        except Exception as exc:  # Redis down: the loop's next minute catches up
            if not is_redis_down(exc):
                raise
    # skip_first_run anchors taskiq's cron bookkeeping on the wall-clock minute: without it the
    # per-minute scan runs at the scheduler's start second every minute (up to 59 s late reminders).
    loop = asyncio.create_task(SchedulerLoop(scheduler).run(skip_first_run=True, send_timeout=SEND_TIMEOUT_SECONDS))
    waiter = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({loop, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (loop, waiter):
            task.cancel()
        await asyncio.gather(loop, waiter, return_exceptions=True)
        for source in scheduler.sources:
            await source.shutdown()


async def _lead_and_schedule(settings: Settings, broker: AsyncBroker, stop: asyncio.Event) -> None:
    """Schedule while holding the lease; back to standby if it is lost."""
    if settings.redis_url is None:  # one process, in-process broker: nobody to compete with
        await _schedule(broker, stop)
        return
    redis = Redis.from_url(settings.redis_url)
    lease = SchedulerLease(redis, f"{redis_namespace(settings)}:scheduler-leader")
    try:
        while await lease.acquire(stop):
            leading = asyncio.Event()
            holder = asyncio.create_task(lease.hold(stop))  # returns on stop or when the lease is lost
            holder.add_done_callback(lambda _, leading=leading: leading.set())
            try:
                await _schedule(broker, leading)
            finally:
                holder.cancel()
                await asyncio.gather(holder, return_exceptions=True)
    finally:
        await lease.release()
        await redis.aclose()


class BackgroundWorkFailed(RuntimeError):
    """A worker or scheduler loop died of an unexpected error: exit non-zero so it is restarted."""


async def serve(
    settings: Settings,
    stop: asyncio.Event,
    *,
    concurrency: int | None = None,
    schedule: bool = False,
    manage_database: bool = True,
) -> None:
    """Run a worker (`concurrency` tasks at once), the scheduler, or both, until `stop` is set."""
    broker = build_broker(settings, manage_database=manage_database)
    in_process = isinstance(broker, InMemoryBroker)
    broker.is_worker_process = concurrency is not None or in_process
    broker.is_scheduler_process = schedule
    await broker.startup()
    jobs: list[asyncio.Task[None]] = []
    failure: BaseException | None = None
    try:
        if concurrency is not None and not in_process:
            receiver = Receiver(
                broker, max_async_tasks=concurrency, run_startup=False, wait_tasks_timeout=SHUTDOWN_GRACE_SECONDS
            )
            jobs.append(asyncio.create_task(receiver.listen(stop)))
        if schedule:
            jobs.append(asyncio.create_task(_lead_and_schedule(settings, broker, stop)))
        waiter = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({*jobs, waiter}, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not waiter and task.exception() is not None:
                failure = task.exception()
                log.error("background work stopped", exc_info=failure)
        stop.set()
        waiter.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        if isinstance(broker, RedeliveringStreamBroker):
            await _abandon_running(broker)
            await broker.hand_back()
    finally:
        await broker.shutdown()
    if failure is not None:
        raise BackgroundWorkFailed(str(failure)) from failure


async def _abandon_running(broker: RedeliveringStreamBroker) -> None:
    """After the grace period: cancel the tasks still running, leaving their messages unacknowledged
    (no retry copies either), so another worker takes them over; the database closes only after."""
    broker.abandon()
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    running = [task for task in leftovers if getattr(task.get_coro(), "__qualname__", "") == "Receiver.callback"]
    if running:
        log.warning("abandoning running tasks for redelivery", extra={"count": len(running)})
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _require_redis(settings: Settings, role: str) -> None:
    if settings.redis_url is None:
        sys.exit(f"smarthabit {role}: REDIS_URL is not set; without Redis, `smarthabit run` runs the "
                 "background tasks inside the API process")


def run_worker(settings: Settings, concurrency: int) -> None:
    """`smarthabit worker`: execute tasks from the Redis stream until SIGTERM."""
    _require_redis(settings, "worker")

    async def main() -> None:
        await serve(settings, _stop_on_signals(), concurrency=max(1, concurrency))

    _run_or_exit(main)


def run_scheduler(settings: Settings) -> None:
    """`smarthabit scheduler`: send the cron tasks (the leader only) until SIGTERM."""
    _require_redis(settings, "scheduler")

    async def main() -> None:
        await serve(settings, _stop_on_signals(), schedule=True, manage_database=False)

    _run_or_exit(main)


def _run_or_exit(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    try:
        asyncio.run(main())
    except BackgroundWorkFailed as exc:
        sys.exit(f"background work stopped: {type(exc.__cause__).__name__}")

