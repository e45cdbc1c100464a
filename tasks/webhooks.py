"""Delivery of outgoing webhooks: outbox fan-out, signed POSTs, retries for a day, SSRF guard.

Protocol (each step idempotent, so a retried or repeated job is harmless):
1. Fan-out: outbox events not yet dispatched become one `WebhookDelivery` per live webhook of the
   user that subscribes to the event (unique per webhook and event), and are marked dispatched, in
   one transaction.
2. Send: due PENDING deliveries are claimed (`UPDATE ... SET status='sending' WHERE status='pending'`:
   one worker wins), POSTed, and recorded with status code and latency.
3. A 2xx is DELIVERED. Anything else (status, refused connection, timeout, refused address) goes back
   to PENDING with exponential backoff (`RETRY_BASE` doubling, at most `RETRY_MAX`) until a day has
   passed since the event, then FAILED. A hook whose deliveries have failed for a day is disabled,
   and its owner told in the bot (an ACCOUNT_NOTICE message through the usual delivery path).
   A SENDING row older than `STALE_SENDING` (the worker died mid-request) goes back to PENDING: a
   receiver may see a delivery twice, and dedupes by X-SmartHabit-Delivery.

SSRF: the connection resolves the host through `GuardedResolver`, which refuses any non-public
address unless WEBHOOK_ALLOW_PRIVATE is set, and aiohttp connects to exactly the addresses it
returned, so a DNS answer changed since the hook was created cannot reach inside. Literal IP hosts
are checked before the request. Redirects are not followed (a 3xx is a failure), the whole request
has `SEND_TIMEOUT` and at most `MAX_RESPONSE_BYTES` of the answer are read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from tortoise.transactions import in_transaction

from smarthabit.clock import local_today, utcnow
from smarthabit.errors import ValidationFailed
from smarthabit.models import (
    Nudge,
    NudgeKind,
    User,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEvent,
)
from smarthabit.netguard import check_url_shape, is_public, literal_address, refused
from smarthabit.orm import on_postgres
from smarthabit.webhooks import SIGNATURE_HEADER, signature
from tasks.texts import webhook_disabled_text

log = logging.getLogger(__name__)

RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=2)
GIVE_UP_AFTER = timedelta(days=1)
STALE_SENDING = timedelta(minutes=5)
SEND_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 64 * 1024
FAN_OUT_BATCH = 500
KEEP_EVENTS = timedelta(days=14)  # deliveries end within a day; their log stays this long
SEND_BATCH = 100
CONCURRENCY = 10  # requests in flight at once per worker
PASS_SECONDS = 45.0  # a pass ends before the next minute's begins
USER_AGENT = "SmartHabit-Webhooks/1"


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver, minus every address a webhook must not reach."""

    def __init__(self, *, allow_private: bool) -> None:
        self._inner = DefaultResolver()
        self.allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if self.allow_private:
            return results
        bad = [r["host"] for r in results if (a := literal_address(r["host"])) is None or not is_public(a)]
        if bad:
            raise refused("The webhook's host resolves to a non-public address", {"host": host})
        return results

    async def close(self) -> None:
        await self._inner.close()


def open_session(*, allow_private: bool) -> aiohttp.ClientSession:
    """The HTTP client for webhooks: guarded DNS, no redirects (per request), a short timeout."""
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(allow_private=allow_private), limit=50,
                                     use_dns_cache=False)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT),
                                 headers={"User-Agent": USER_AGENT})


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: 30 s, 1 min, 2 min, ... at most 2 h."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_MAX)


async def fan_out(now: datetime | None = None) -> int:
    """Turn undispatched outbox events into deliveries for the hooks that subscribe to them."""
    now = now or utcnow()
    created = 0
    async with in_transaction():
        query = WebhookEvent.filter(dispatched_at__isnull=True).order_by("id").limit(FAN_OUT_BATCH)
        if on_postgres():  # a second worker's pass takes the next events instead of colliding on these
            query = query.select_for_update(skip_locked=True)
        events = await query
        hooks: dict[int, list[Webhook]] = {}
        for user_id in {event.user_id for event in events}:
            hooks[user_id] = await Webhook.filter(user_id=user_id, disabled_at__isnull=True)
        for event in events:
            wanted = [hook for hook in hooks[event.user_id] if event.event in hook.events]
            existing = set(await WebhookDelivery.filter(event_id=event.id).values_list("webhook_id", flat=True))
            rows = [WebhookDelivery(webhook_id=hook.id, event_id=event.id, delivery_id=uuid.uuid4(),
                                    next_attempt_at=now, created_at=event.created_at)
                    for hook in wanted if hook.id not in existing]
            if rows:
                await WebhookDelivery.bulk_create(rows)
            created += len(rows)
        if events:
            await WebhookEvent.filter(id__in=[event.id for event in events]).update(dispatched_at=now)
    return created


def _body(delivery: WebhookDelivery, event: WebhookEvent) -> bytes:
    document = {"id": str(delivery.delivery_id), "event": event.event,
                "created_at": event.created_at.isoformat(), "data": event.payload}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


async def _claim(delivery_id: int, now: datetime) -> bool:
    """One worker wins; while SENDING, `next_attempt_at` holds the claim's instant (for the sweeper)."""
    return bool(await WebhookDelivery.filter(id=delivery_id, status=WebhookDeliveryStatus.PENDING).update(
        status=WebhookDeliveryStatus.SENDING, next_attempt_at=now))


async def _post(session: aiohttp.ClientSession, hook: Webhook, body: bytes, headers: dict[str, str],
                allow_private: bool) -> tuple[int | None, str | None]:
    """(status, error) of one POST; nothing raised."""
    try:
        host, _ = check_url_shape(hook.url)
        literal = literal_address(host)
        if literal is not None and not allow_private and not is_public(literal):
            raise refused("The webhook's address is not public")
        async with session.post(hook.url, data=body, headers=headers, allow_redirects=False) as response:
            await response.content.read(MAX_RESPONSE_BYTES)  # read a little, never the whole of a huge answer
            return response.status, None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except ValidationFailed as exc:
        return None, exc.message[:200]
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, ValidationFailed) else None
        return None, (cause.message if cause else f"{type(exc).__name__}: {exc}")[:200]


async def send_delivery(session: aiohttp.ClientSession, delivery_id: int, *, allow_private: bool,
                        now: datetime | None = None, notices: list[int] | None = None) -> WebhookDeliveryStatus | None:
    """Claim, sign, POST and record one delivery; None if another worker has it. The ids of chat
    notices planned because a hook got disabled are appended to `notices`."""
    now = now or utcnow()
    if not await _claim(delivery_id, now):
        return None
    delivery = await WebhookDelivery.get(id=delivery_id).select_related("webhook", "event")
    hook, event = delivery.webhook, delivery.event
    body = _body(delivery, event)
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-SmartHabit-Event": event.event,
               "X-SmartHabit-Delivery": str(delivery.delivery_id), "X-SmartHabit-Timestamp": stamp,
               SIGNATURE_HEADER: signature(hook.secret, stamp, body)}
    started = time.perf_counter()
    status, error = await _post(session, hook, body, headers, allow_private)
    latency = round((time.perf_counter() - started) * 1000)
    result = await _record(delivery, hook, status, error, latency, now)
    if error is not None and (notice := await _note_failure(hook, now)) is not None and notices is not None:
        notices.append(notice)
    return result


async def _record(delivery: WebhookDelivery, hook: Webhook, status: int | None, error: str | None,
                  latency: int, now: datetime) -> WebhookDeliveryStatus:
    delivery.attempts += 1
    delivery.response_status, delivery.latency_ms, delivery.error = status, latency, error
    if error is None:
        delivery.status, delivery.finished_at = WebhookDeliveryStatus.DELIVERED, now
        if hook.failing_since is not None:
            await Webhook.filter(id=hook.id).update(failing_since=None)
    elif now - delivery.created_at >= GIVE_UP_AFTER:
        delivery.status, delivery.finished_at = WebhookDeliveryStatus.FAILED, now
    else:
        delivery.status, delivery.next_attempt_at = WebhookDeliveryStatus.PENDING, now + backoff(delivery.attempts)
    async with in_transaction():
        await delivery.save(update_fields=["attempts", "response_status", "latency_ms", "error", "status",
                                           "finished_at", "next_attempt_at"])
        await WebhookAttempt.create(delivery_id=delivery.id, at=now, response_status=status, latency_ms=latency,
                                    error=error)
    log.info("webhook delivery attempt", extra={"webhook_id": hook.id, "delivery": str(delivery.delivery_id),
                                                "status": status, "outcome": delivery.status.value, "ms": latency})
    return delivery.status


async def _note_failure(hook: Webhook, now: datetime) -> int | None:
    """Start or continue the hook's failing run; a day of it disables the hook and plans a chat
    notice to its owner (its id is returned)."""
    if hook.failing_since is None:
        await Webhook.filter(id=hook.id, failing_since__isnull=True).update(failing_since=now)
        return None
    if hook.disabled_at is not None or now - hook.failing_since < GIVE_UP_AFTER:
        return None
    async with in_transaction():
        if not await Webhook.filter(id=hook.id, disabled_at__isnull=True).update(disabled_at=now):
            return None  # another worker disabled it
        await WebhookDelivery.filter(webhook_id=hook.id, status=WebhookDeliveryStatus.PENDING).update(
            status=WebhookDeliveryStatus.FAILED, finished_at=now, error="webhook disabled")
        user = await User.get(id=hook.user_id)
        notice = await Nudge.create(user_id=user.id, kind=NudgeKind.ACCOUNT_NOTICE, day=local_today(user.timezone, now),
                           key=f"webhook_disabled:{hook.id}:{now.date().isoformat()}", planned_at=now,
                           text=webhook_disabled_text(hook.url, user.language))
    log.warning("webhook disabled after a day of failures", extra={"webhook_id": hook.id})
    return notice.id


async def prune(now: datetime) -> int:
    """Drop events (and by cascade their deliveries) older than `KEEP_EVENTS`."""
    return await WebhookEvent.filter(created_at__lt=now - KEEP_EVENTS).delete()


async def release_stale(now: datetime) -> int:
    return await WebhookDelivery.filter(
        status=WebhookDeliveryStatus.SENDING, next_attempt_at__lt=now - STALE_SENDING
    ).update(status=WebhookDeliveryStatus.PENDING)


async def run(session: aiohttp.ClientSession, *, allow_private: bool, now: datetime | None = None,
              notices: list[int] | None = None) -> dict[str, Any]:
    """One pass (the minute's): fan out new events and send what is due, `CONCURRENCY` at a time, in
    batches until nothing is due or `PASS_SECONDS` have gone. Returns counts by outcome."""
    now = now or utcnow()
    await release_stale(now)
    await prune(now)
    outcomes: dict[str, Any] = {"fanned_out": 0, "delivered": 0, "pending": 0, "failed": 0}
    limit = asyncio.Semaphore(CONCURRENCY)
    sent: set[int] = set()

    async def send(delivery_id: int) -> None:
        async with limit:
            outcome = await send_delivery(session, delivery_id, allow_private=allow_private, now=now, notices=notices)
        if outcome is not None:
            outcomes[outcome.value] += 1

    deadline = time.monotonic() + PASS_SECONDS
    while time.monotonic() < deadline:
        outcomes["fanned_out"] += await fan_out(now)
        due = [delivery_id for delivery_id in await WebhookDelivery.filter(
            status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at", "id").limit(
            SEND_BATCH).values_list("id", flat=True) if delivery_id not in sent]
        if not due:
            break
        sent.update(due)
        await asyncio.gather(*(send(delivery_id) for delivery_id in due))
    return outcomes
