"""Task bodies: plain async functions over a `Runtime`, registered on a broker by `tasks.broker`.

They take `now` so tests (and the taskiq message, as an ISO string) control time; the scheduler
sends them without it and they use the clock.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from smarthabit.clock import utcnow
from smarthabit.metrics import DELIVERY_DRAIN, DELIVERY_QUEUE, MISSED_DEADLINE
from smarthabit.models import IdempotentResponse
from smarthabit.nightly import refresh_batches, refresh_users
from tasks import webhooks
from tasks.delivery import due_deferred, release_unwritten, sweep_stale_sending
from tasks.planning import (
    NIGHTLY_BATCH_USERS,
    delivery_backlog,
    nightly_batches,
    plan_due_reminders,
    plan_nudges,
    plan_weekly_summaries,
    prune_predictions,
    reminder_horizon,
    stale_pending,
)
from tasks.runtime import NIGHTLY_BATCH_TASK, Runtime

log = logging.getLogger(__name__)
IDEMPOTENCY_WINDOW = timedelta(hours=24)  # an Idempotency-Key's answer is replayed this long (see api.idempotency)


async def minute_scan(runtime: Runtime, *, now: datetime | None = None) -> dict[str, int]:
    """The per-minute scan: due reminders first (they are what users asked for, so they go out
    first), then skip-risk and streak-risk nudges, then reminders held through quiet hours that
    just ended, then housekeeping of lost or stuck deliveries."""
    explicit, now = now, now or utcnow()
    can_send = runtime.can_send

    async def enqueue(ids: list[int]) -> None:
        await runtime.enqueue_deliveries(ids, now=explicit)

    until = await reminder_horizon(now, runtime.global_rate)
    reminders = await plan_due_reminders(now, until=until, can_send=can_send, on_batch=enqueue)
    nudges = await plan_nudges(now, cap=runtime.settings.nudge_daily_cap, can_send=can_send)
    await runtime.enqueue_deliveries(nudges, now=explicit)
    requeued = [i for i in await stale_pending(now) if i not in set(reminders) | set(nudges)]
    await runtime.enqueue_deliveries(requeued, now=explicit)
    held = await due_deferred(now)  # reminders held through quiet hours that just ended
    await runtime.enqueue_deliveries(held, now=explicit)
    released = await release_unwritten(now=utcnow())  # claimed by a worker that died before writing
    await runtime.enqueue_deliveries(released, now=explicit)
    stuck = await sweep_stale_sending(now=utcnow())
    await _report_backlog(runtime, now)
    result = {
        "reminders": len(reminders), "nudges": len(nudges), "requeued": len(requeued), "after_quiet_hours": len(held),
        "released": len(released), "stuck": stuck,
    }
    if any(result.values()):
        log.info("scan planned messages", extra=result)
    return result


async def _report_backlog(runtime: Runtime, now: datetime) -> None:
    """Queue depth and expected drain time in /metrics; missed deadlines counted and logged as a count."""
    depth, missed = await delivery_backlog(now)
    DELIVERY_QUEUE.set(depth)
    DELIVERY_DRAIN.set(depth / runtime.global_rate if runtime.global_rate > 0 else 0.0)
    if missed:
        MISSED_DEADLINE.inc(missed)
        log.warning("messages missed their deadline", extra={"missed": missed})


async def weekly_summaries(runtime: Runtime, *, now: datetime | None = None) -> dict[str, int]:
    """Plan and enqueue the weekly summaries of users whose local Sunday evening it is."""
    planned = await plan_weekly_summaries(now or utcnow(), can_send=runtime.can_send)
    await runtime.enqueue_deliveries(planned, now=now)
    return {"summaries": len(planned)}


async def nightly(runtime: Runtime, *, now: datetime | None = None) -> dict[str, int]:
    """Hourly; for the zones where it is the small hours now, hands out one bounded task per batch
    of users (without a broker, runs the batches here, one after another)."""
    explicit, now = now, now or utcnow()
    expired = await IdempotentResponse.filter(created_at__lt=now - IDEMPOTENCY_WINDOW).delete()
    batches = await nightly_batches(now)
    task = runtime.broker.find_task(NIGHTLY_BATCH_TASK) if runtime.broker is not None else None
    habits = 0
    if task is None:
        habits = await refresh_batches(batches, now)
    else:
        for batch in batches:
            await task.kiq(batch, now=explicit.isoformat() if explicit else None)
    await prune_predictions(now)
    return {"batches": len(batches), "habits": habits, "idempotency_keys_expired": expired}


async def nightly_batch(runtime: Runtime, user_ids: list[int], *, now: datetime | None = None) -> dict[str, int]:
    """One bounded batch of the nightly refresh (idempotent: upserts and recomputed caches)."""
    return {"habits": await refresh_users(user_ids[:NIGHTLY_BATCH_USERS], now or utcnow())}


async def deliver_webhooks(runtime: Runtime, *, now: datetime | None = None) -> dict[str, int]:
    """Every minute: fan the webhook outbox out and send the deliveries that are due (see
    `tasks.webhooks`); chat notices about disabled hooks go out through the usual delivery."""
    notices: list[int] = []
    allow_private = runtime.settings.webhook_allow_private
    async with webhooks.open_session(allow_private=allow_private) as session:
        result = await webhooks.run(session, allow_private=allow_private, now=now, notices=notices)
    await runtime.enqueue_deliveries(notices, now=now)
    if any(result.values()):
        log.info("webhooks", extra=result)
    return result
