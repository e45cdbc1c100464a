"""The taskiq broker, its tasks and the scheduler, built from `Settings` by factories.

Design: nothing here reads the environment at import. `build_broker(settings)` makes a broker,
registers the tasks on it as closures over a `Runtime` (settings, bot, rate limiter) and hooks the
runtime's startup/shutdown to the broker's events, so the process that runs tasks opens the
database and Redis in one place. `smarthabit worker`, `smarthabit scheduler` and `smarthabit run`
call the factories with the settings the CLI built once. Only the taskiq CLI needs a module-level
object (`taskiq worker tasks.broker:broker`); for it, `broker` and `scheduler` are module
attributes resolved lazily (PEP 562) from `load_settings()` on first access, the one place that
reads the environment for them.

Broker: with REDIS_URL, a Redis stream with a consumer group (taskiq-redis `RedisStreamBroker`):
a worker acknowledges a message only after the task ran and its result was stored. A message taken
by a worker that dies stays pending and is claimed by another consumer once it has been idle for
`TASK_REDELIVERY_SECONDS` (XAUTOCLAIM). `RedeliveringStreamBroker` adds what keeps that safe and
alive:
- a heartbeat: every few seconds the worker re-claims its own running messages (XCLAIM ... JUSTID,
  only while it still owns them), which resets their idle time, so a task running longer than the
  redelivery timeout is never handed to a second worker; only a dead worker's messages go idle;
- reclaiming also while the stream is quiet, reading one message at a time (nothing sits in one
  worker's buffer while its idle clock runs);
- Redis outages of any length: reads, acknowledgements and heartbeats retry with capped backoff
  (one log line when the outage starts, one a minute, one when it ends); if Redis came back without
  its data (the consumer group is gone), the group is made again and every undelivered message is
  enqueued again at once (`on_stream_lost`) instead of waiting for the 5-minute re-queue;
- shutdown: once `abandon()` is called, acknowledgements are dropped and no retry copies are sent,
  so tasks still running after the grace period are redelivered, never duplicated; `hand_back()`
  then makes whatever this worker still holds claimable at once, so a restart or a scale-down
  delays those tasks by a second or so, not by the redelivery timeout.
Redelivery means at-least-once execution, so every task is idempotent (unique keys in the
database decide, see `tasks.delivery`). Results go to `RedisAsyncResultBackend` (one hour).
Without REDIS_URL: taskiq's `InMemoryBroker`, which runs tasks in this process (embedded mode).

Failures: a task that meets a PostgreSQL outage waits for the database and runs again in place
(holding its message, which the heartbeat keeps claimed), so the backlog drains the moment the
database returns. Other transient failures (Telegram unreachable while the bot initialises, Redis
while enqueueing) go to `BackoffRetryMiddleware`: exponential backoff with jitter, a budget of
minutes. `TASKS` counts every run by task name and outcome.

Scheduler: a `TaskiqScheduler` over a `LabelScheduleSource`; the crons live on the task labels.
Times are UTC crons; the tasks themselves look at each user's local time.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

import redis.exceptions
import telegram.error
from redis.asyncio import Redis
from taskiq import AckableMessage, AsyncBroker, InMemoryBroker, TaskiqEvents, TaskiqScheduler
from taskiq.kicker import AsyncKicker
from taskiq.message import TaskiqMessage
from taskiq.middlewares import SmartRetryMiddleware
from taskiq.schedule_sources import LabelScheduleSource
from taskiq_redis import RedisAsyncResultBackend, RedisStreamBroker

from smarthabit.clock import utcnow
from smarthabit.config import Settings, load_settings
from smarthabit.metrics import TASKS
from smarthabit.outages import REDIS_DOWN, Outage, is_database_down, is_redis_down
from tasks import jobs
from tasks.delivery import deliver, undelivered
from tasks.runtime import DELIVER_TASK, NIGHTLY_BATCH_TASK, Runtime, redis_namespace

log = logging.getLogger(__name__)

CONSUMER_GROUP = "workers"
STREAM_MAXLEN = 1_000_000  # approximate; far above any backlog, so trimming never drops unread tasks
RESULT_TTL_SECONDS = 3600
SCAN_TASK = "smarthabit.minute_scan"
NIGHTLY_TASK = "smarthabit.nightly"
WEEKLY_TASK = "smarthabit.weekly_summaries"
WEBHOOKS_TASK = "smarthabit.webhooks"
SCHEDULES = {
    SCAN_TASK: [{"cron": "* * * * *", "schedule_id": "minute-scan"}],
    NIGHTLY_TASK: [{"cron": "7 * * * *", "schedule_id": "nightly"}],  # hourly: each zone's night
    WEEKLY_TASK: [{"cron": "*/10 * * * *", "schedule_id": "weekly-summaries"}],
    WEBHOOKS_TASK: [{"cron": "* * * * *", "schedule_id": "webhooks"}],
}
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    telegram.error.TimedOut,  # e.g. getMe while the bot initialises
    telegram.error.NetworkError,
    *REDIS_DOWN,
)
RETRY_COUNT = 12  # 1 + 2 + 4 + ... capped at 30 s: about four minutes in all
MAX_RETRY_DELAY = 30.0  # below the redelivery timeout, so a waiting retry is not reclaimed
REQUEUE_LOCK_SECONDS = 60
HAND_BACK_PAGE = 500

# KEYS: stream. ARGV: group, consumer, ids... Re-claims the ids this consumer still owns (resetting
# their idle time); a message already taken over by another consumer is left alone.
_HEARTBEAT = """
local kept = 0
for i = 3, #ARGV do
  local entry = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)[1]
  if entry and entry[2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    kept = kept + 1
  end
end
return kept
"""


class RedeliveringStreamBroker(RedisStreamBroker):
    """`RedisStreamBroker` with heartbeats, quiet-time reclaiming, outage handling and a clean
    abandon at shutdown (see the module docstring)."""

    def __init__(self, url: str, *, claim_every: float = 1.0, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self.claim_every = claim_every
        self.heartbeat_every = max(0.2, self.idle_timeout / 1000 / 4)
        self.outage = Outage("Redis", logger=log)
        self.abandoning = False
        self.on_stream_lost: Callable[[], Awaitable[object]] | None = None
        self._running: dict[str, str] = {}  # message id -> stream, taken and not yet acknowledged
        self._heartbeat: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()

    async def startup(self) -> None:
        """Declare the consumer group, waiting for Redis if it is not up yet."""
        await super(RedisStreamBroker, self).startup()
        await self.outage.call(self._declare_consumer_group, is_redis_down)

    async def shutdown(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
        await super().shutdown()

    def abandon(self) -> None:
        """From now on nothing is acknowledged: running tasks stay pending for redelivery."""
        self.abandoning = True

    async def hand_back(self) -> int:
        """At shutdown, after `abandon()`: make every message this consumer still holds claimable by
        the other workers at once instead of after `idle_timeout`. Held are the abandoned tasks,
        prefetched ones the receiver discarded, and any a read took as shutdown cancelled it (Redis
        had already assigned them). Setting their idle time to the timeout (XCLAIM ... IDLE) moves
        nothing and copies nothing: the next XAUTOCLAIM of a live worker takes them. Returns how many;
        with Redis down they are left to the timeout."""
        handed = 0
        start = "-"
        with contextlib.suppress(*REDIS_DOWN, redis.exceptions.ResponseError):
            async with Redis(connection_pool=self.connection_pool) as conn:
                while held := await conn.xpending_range(
                    self.queue_name, self.consumer_group_name, min=start, max="+", count=HAND_BACK_PAGE,
                    consumername=self.consumer_name,
                ):
                    ids = [entry["message_id"] for entry in held]
                    await conn.xclaim(self.queue_name, self.consumer_group_name, self.consumer_name, 0, ids,
                                      idle=self.idle_timeout, justid=True)
                    handed += len(ids)
                    last = ids[-1].decode() if isinstance(ids[-1], bytes) else str(ids[-1])
                    start = f"({last}"
        if handed:
            log.warning("handing unfinished tasks back for redelivery", extra={"count": handed})
        return handed

    def _ack_generator(self, id: str, queue_name: str) -> Callable[[], Awaitable[None]]:
        async def ack() -> None:
            while not self.abandoning:
                try:
                    async with Redis(connection_pool=self.connection_pool) as conn:
                        await conn.xack(queue_name, self.consumer_group_name, id)
                except REDIS_DOWN as exc:
                    await asyncio.sleep(self.outage.failed(exc))
                    continue
                self._running.pop(id, None)
                return

        return ack

    def _taken(self, message_id: Any, stream: Any, data: bytes) -> AckableMessage:
        key = message_id.decode() if isinstance(message_id, bytes) else str(message_id)
        name = stream.decode() if isinstance(stream, bytes) else str(stream)
        self._running[key] = name
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.create_task(self._beat())
        return AckableMessage(data=data, ack=self._ack_generator(key, name))

    async def _beat(self) -> None:
        """Keep this worker's running messages claimed (idle time near zero) while it lives."""
        while True:
            _stop_if_cancelled()
            await asyncio.sleep(self.heartbeat_every)
            if self._running and not self.abandoning:
                await self._keep_claimed()

    async def _keep_claimed(self) -> None:
        args = [self.consumer_group_name, self.consumer_name, *self._running]
        # Redis down: the listener reports it; NOGROUP after a restart without data: the
        # listener makes a new group. Either way the next beat tries again.
        with contextlib.suppress(*REDIS_DOWN, redis.exceptions.ResponseError):
            async with Redis(connection_pool=self.connection_pool) as conn:
                await conn.register_script(_HEARTBEAT)(keys=[self.queue_name], args=args)

    async def _read(self, conn: Redis, last_claim: float) -> tuple[list[AckableMessage], float]:
        """One XREADGROUP and, every `claim_every` seconds, one XAUTOCLAIM of dead workers' messages."""
        taken: list[AckableMessage] = []
        fetched = await conn.xreadgroup(
            self.consumer_group_name, self.consumer_name, {self.queue_name: ">"},
            block=self.block, count=self.count, noack=False,
        )
        for stream, messages in fetched or []:
            taken.extend(self._taken(message_id, stream, fields[b"data"]) for message_id, fields in messages)
        if time.monotonic() - last_claim < self.claim_every:
            return taken, last_claim
        _, claimed, *_ = await conn.xautoclaim(
            self.queue_name, self.consumer_group_name, self.consumer_name,
            min_idle_time=self.idle_timeout, start_id="0-0", count=self.unacknowledged_batch_size,
        )
        for message_id, fields in claimed:
            if fields:  # else deleted from the stream meanwhile
                log.warning("redelivering an unacknowledged task", extra={"message_id": str(message_id)})
                taken.append(self._taken(message_id, self.queue_name, fields[b"data"]))
        return taken, time.monotonic()

    async def _stream_lost(self, conn: Redis) -> None:
        """Our stream or consumer group is gone (Redis restarted without its data, or the key was
        deleted): make it again, reading the whole new stream, and have one worker enqueue every
        undelivered message again."""
        with contextlib.suppress(redis.exceptions.ResponseError):  # BUSYGROUP: another worker was first
            await conn.xgroup_create(self.queue_name, self.consumer_group_name, id="0", mkstream=True)
        log.warning("task stream lost (Redis restarted without its data); enqueueing undelivered messages again")
        if self.on_stream_lost is not None and await conn.set(
            f"{self.queue_name}:requeue", "1", nx=True, ex=REQUEUE_LOCK_SECONDS
        ):
            task = asyncio.create_task(self.on_stream_lost())
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        """New messages one at a time, and every `claim_every` seconds the ones another consumer
        took but did not acknowledge within `idle_timeout` ms (its worker died)."""
        last_claim = 0.0
        async with Redis(connection_pool=self.connection_pool) as conn:
            while True:
                _stop_if_cancelled()
                try:
                    taken, last_claim = await self._read(conn, last_claim)
                except REDIS_DOWN as exc:
                    await asyncio.sleep(self.outage.failed(exc))
                    continue
                except redis.exceptions.ResponseError as exc:
                    # NOGROUP: Redis came back without its data; UNBLOCKED: the stream was deleted
                    # (FLUSHDB, an operator's DEL) while this read waited. Either way it is gone.
                    if not any(code in str(exc) for code in ("NOGROUP", "UNBLOCKED")):
                        raise
                    await self._stream_lost(conn)
                    continue
                self.outage.recovered()
                for message in taken:
                    yield message


def _stop_if_cancelled() -> None:
    """Honour a cancellation the Redis client swallowed, in a loop that shutdown cancels and waits
    for (the listener, the heartbeat). redis-py can lose one that lands as a read finishes (redis-py
    #2028): the read returns as if it had timed out, and the loop would go on for ever; a worker told
    to stop never did (seen under load: SIGTERM, then nothing for 30 s). The task still counts the
    request (`Task.cancelling`), so it is raised here."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class PatientResultBackend(RedisAsyncResultBackend):  # type: ignore[type-arg]
    """Stores a result, waiting out a Redis outage (the message is acknowledged only after it, so
    nothing is lost; one log line per outage instead of a traceback per task)."""

    outage = Outage("Redis", logger=log)

    async def set_result(self, task_id: str, result: Any) -> None:
        await self.outage.call(lambda: super(PatientResultBackend, self).set_result(task_id, result), is_redis_down)


class BackoffRetryMiddleware(SmartRetryMiddleware):
    """SmartRetryMiddleware whose backoff is really exponential and really waits on brokers without
    delayed delivery; it sends no retry copy of a task abandoned at shutdown.

    The retry message is enqueued at once (so it is durable before the failed one is acknowledged)
    with a `retry_not_before` label; the worker that picks it up waits until then.
    """

    def make_delay(self, message: TaskiqMessage, retries: int) -> float:
        delay = min(self.default_delay * 2 ** max(0, retries - 1), self.max_delay_exponent)
        return delay / 2 + delay / 2 * (time.time_ns() % 1000) / 1000  # jitter

    async def on_error(self, message: TaskiqMessage, result: Any, exception: BaseException) -> None:
        if getattr(self.broker, "abandoning", False):
            return  # left unacknowledged: redelivered, not copied
        await super().on_error(message, result, exception)

    async def on_send(self, kicker: AsyncKicker[Any, Any], message: TaskiqMessage, delay: float) -> None:
        await kicker.with_labels(retry_not_before=time.time() + delay).kiq(*message.args, **message.kwargs)

    async def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        not_before = float(message.labels.get("retry_not_before", 0) or 0)
        wait = min(MAX_RETRY_DELAY, not_before - time.time())
        if wait > 0:
            await asyncio.sleep(wait)
        return message


def _instant(now: str | None) -> datetime | None:
    return datetime.fromisoformat(now) if now else None


def _outcome(result: object) -> str:
    return result.value if isinstance(result, StrEnum) else "ok"


def _register_tasks(broker: AsyncBroker, runtime: Runtime) -> None:
    """Tasks are closures over the runtime: the broker carries them, no module global does."""

    async def run(name: str, body: Callable[[], Awaitable[Any]]) -> Any:
        """Run a task body; a PostgreSQL outage is waited out here and the body run again (safe:
        every task is idempotent), so the message is finished as soon as the database is back."""
        while True:
            try:
                result = await body()
            except Exception as exc:
                if not is_database_down(exc) or getattr(broker, "abandoning", False):
                    TASKS.labels(name, "error").inc()
                    raise
                TASKS.labels(name, "waiting_for_database").inc()
                await asyncio.sleep(runtime.database_outage.failed(exc))
                continue
            runtime.database_outage.recovered()
            TASKS.labels(name, _outcome(result)).inc()
            return result.value if isinstance(result, StrEnum) else result

    async def deliver_task(nudge_id: int, now: str | None = None) -> str:
        return await run(DELIVER_TASK, lambda: deliver(runtime, nudge_id, now=_instant(now)))

    async def minute_scan_task(now: str | None = None) -> dict[str, int]:
        return await run(SCAN_TASK, lambda: jobs.minute_scan(runtime, now=_instant(now)))

    async def nightly_task(now: str | None = None) -> dict[str, int]:
        return await run(NIGHTLY_TASK, lambda: jobs.nightly(runtime, now=_instant(now)))

    async def nightly_batch_task(user_ids: list[int], now: str | None = None) -> dict[str, int]:
        return await run(NIGHTLY_BATCH_TASK, lambda: jobs.nightly_batch(runtime, user_ids, now=_instant(now)))

    async def weekly_task(now: str | None = None) -> dict[str, int]:
        return await run(WEEKLY_TASK, lambda: jobs.weekly_summaries(runtime, now=_instant(now)))

    async def webhooks_task(now: str | None = None) -> dict[str, int]:
        return await run(WEBHOOKS_TASK, lambda: jobs.deliver_webhooks(runtime, now=_instant(now)))

    broker.register_task(deliver_task, task_name=DELIVER_TASK)
    broker.register_task(webhooks_task, task_name=WEBHOOKS_TASK, schedule=SCHEDULES[WEBHOOKS_TASK])
    broker.register_task(minute_scan_task, task_name=SCAN_TASK, schedule=SCHEDULES[SCAN_TASK])
    broker.register_task(nightly_task, task_name=NIGHTLY_TASK, schedule=SCHEDULES[NIGHTLY_TASK])
    broker.register_task(nightly_batch_task, task_name=NIGHTLY_BATCH_TASK)
    broker.register_task(weekly_task, task_name=WEEKLY_TASK, schedule=SCHEDULES[WEEKLY_TASK])


async def requeue_undelivered(runtime: Runtime) -> int:
    """Enqueue every PENDING message again (the stream lost its tasks); the claim makes extra
    copies harmless."""
    ids = await runtime.database_outage.call(lambda: undelivered(utcnow()), is_database_down)
    count = await runtime.enqueue_deliveries(ids)
    log.warning("undelivered messages enqueued again", extra={"count": count})
    return count


def build_broker(
    settings: Settings,
    *,
    manage_database: bool = True,
    inline: bool = False,
    runtime_options: dict[str, Any] | None = None,
) -> AsyncBroker:
    """The broker for these settings, with every task registered and the runtime wired to its
    startup/shutdown events. `manage_database=False` when the host process owns the ORM (`run`,
    tests); `inline=True` makes the in-process broker run a task inside `kiq()` (tests)."""
    broker: AsyncBroker
    stream: RedeliveringStreamBroker | None = None
    if settings.redis_url:
        broker = RedeliveringStreamBroker(
            settings.redis_url,
            queue_name=f"{redis_namespace(settings)}:tasks",
            consumer_group_name=CONSUMER_GROUP,
            idle_timeout=int(settings.task_redelivery_seconds * 1000),
            xread_block=1000,
            xread_count=1,
            unacknowledged_batch_size=10,
            maxlen=STREAM_MAXLEN,
            claim_every=min(5.0, max(0.5, settings.task_redelivery_seconds / 4)),
        ).with_result_backend(PatientResultBackend(settings.redis_url, result_ex_time=RESULT_TTL_SECONDS))
        stream = broker
    else:
        broker = InMemoryBroker(max_async_tasks=50, await_inplace=inline)
    broker.add_middlewares(
        BackoffRetryMiddleware(
            default_retry_count=RETRY_COUNT, default_retry_label=True, default_delay=1.0, use_jitter=True,
            use_delay_exponent=True, max_delay_exponent=MAX_RETRY_DELAY, types_of_exceptions=TRANSIENT_ERRORS,
        )
    )
    runtime = Runtime(settings, broker, manage_database=manage_database, **(runtime_options or {}))
    broker.state.runtime = runtime
    if stream is not None:
        stream.on_stream_lost = functools.partial(requeue_undelivered, runtime)
        # One view of Redis per process: one log line when an outage starts, one when it ends.
        runtime.redis_outage = stream.outage
        if isinstance(stream.result_backend, PatientResultBackend):
            stream.result_backend.outage = stream.outage
    _register_tasks(broker, runtime)
    # Only processes that execute tasks open the runtime (the in-process broker fires both kinds of
    # events); a process that only sends tasks (the scheduler) needs neither database nor bot.
    broker.add_event_handler(TaskiqEvents.WORKER_STARTUP, runtime.startup)
    broker.add_event_handler(TaskiqEvents.WORKER_SHUTDOWN, runtime.shutdown)
    return broker


def runtime_of(broker: AsyncBroker) -> Runtime:
    """The runtime `build_broker` attached to this broker."""
    runtime = broker.state.runtime
    if not isinstance(runtime, Runtime):  # pragma: no cover - only brokers from build_broker are used
        raise TypeError("not a broker built by tasks.broker.build_broker")
    return runtime


class OutageTolerantScheduler(TaskiqScheduler):
    """A cron tick that cannot be sent while Redis is down is dropped with one log line per outage
    (the next minute's scan catches up: planning looks at what is due, not at ticks)."""

    outage = Outage("Redis (scheduler)", logger=log)

    async def on_ready(self, source: Any, task: Any) -> None:
        try:
            await super().on_ready(source, task)
        except Exception as exc:
            if not is_redis_down(exc):
                raise
            self.outage.failed(exc)
            return
        self.outage.recovered()


def build_scheduler(broker: AsyncBroker) -> TaskiqScheduler:
    """The one scheduler: crons from the task labels (run exactly one; `run_scheduler` enforces it)."""
    return OutageTolerantScheduler(broker, sources=[LabelScheduleSource(broker)])


@functools.cache
def _from_environment() -> tuple[AsyncBroker, TaskiqScheduler]:
    broker = build_broker(load_settings())
    return broker, build_scheduler(broker)


def __getattr__(name: str) -> Any:
    """`tasks.broker:broker` / `tasks.broker:scheduler` for the taskiq CLI, built on first access."""
    if name == "broker":
        return _from_environment()[0]
    if name == "scheduler":
        return _from_environment()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
