"""Outgoing webhooks: subscriptions, the event outbox, and signing.

An event is written to `webhook_events` in the same transaction as the change it reports (the
outbox), and only when the user has a live webhook, so a user without hooks pays one indexed
lookup. The workers (`tasks.webhooks`) fan events out into deliveries and send them; see there for
retries, disabling and the SSRF guard at send time.

Every delivery is a JSON POST signed so the receiver can check it came from us and is fresh:
`X-SmartHabit-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>`, with the
timestamp (Unix seconds) in `X-SmartHabit-Timestamp`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime
from typing import Any

from tortoise.query_utils import Prefetch

from smarthabit.clock import utcnow
from smarthabit.errors import NotFound, ValidationFailed
from smarthabit.i18n import N_
from smarthabit.models import CheckIn, Habit, User, Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent
from smarthabit.netguard import check_destination

EVENTS = ("checkin.created", "checkin.deleted", "habit.created", "habit.updated", "habit.archived",
          "streak.milestone")
MAX_WEBHOOKS_PER_USER = 10
SIGNATURE_HEADER = "X-SmartHabit-Signature"


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over `timestamp.body`: what X-SmartHabit-Signature carries."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def habit_payload(habit: Habit) -> dict[str, Any]:
    return {"habit": {"id": habit.id, "name": habit.name, "kind": str(habit.kind),
                      "archived": habit.archived_at is not None}}


def checkin_payload(checkin: CheckIn) -> dict[str, Any]:
    return {"checkin": {"id": checkin.id, "habit_id": checkin.habit_id, "day": checkin.day.isoformat(),
                        "value": checkin.value, "note": checkin.note}}


def deleted_checkin_payload(habit_id: int, day: date) -> dict[str, Any]:
    return {"checkin": {"habit_id": habit_id, "day": day.isoformat()}}


def milestone_payload(habit: Habit) -> dict[str, Any]:
    return {"habit_id": habit.id, "streak": habit.current_streak}


async def record_event(user_id: int, event: str, payload: dict[str, Any], *, now: datetime | None = None) -> None:
    """Write the event to the outbox if the user has a live webhook; call it inside the change's
    transaction, so the event and the change commit (or roll back) together."""
    if await Webhook.filter(user_id=user_id, disabled_at__isnull=True).exists():
        await WebhookEvent.create(user_id=user_id, event=event, payload=payload, created_at=now or utcnow())


def _valid_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise ValidationFailed(N_("Unknown or no events"), {"unknown": unknown, "allowed": list(EVENTS)})
    return sorted(set(events))


async def create_webhook(user: User, url: str, events: list[str], *, allow_private: bool) -> Webhook:
    """A new hook (URL checked against SSRF targets now, and again at every send)."""
    events = _valid_events(events)
    await check_destination(url, allow_private=allow_private)
    if await Webhook.filter(user_id=user.id).count() >= MAX_WEBHOOKS_PER_USER:
        raise ValidationFailed(N_("At most {max} webhooks per account"), code="too_many_webhooks",
                               params={"max": MAX_WEBHOOKS_PER_USER})
    return await Webhook.create(user_id=user.id, url=url, events=events, secret=new_secret())


async def get_webhook(user: User, webhook_id: int) -> Webhook:
    hook = await Webhook.filter(id=webhook_id, user_id=user.id).first()
    if hook is None:
        raise NotFound(N_("Webhook not found"), {"webhook_id": webhook_id})
    return hook


async def list_webhooks(user: User) -> list[Webhook]:
    return await Webhook.filter(user_id=user.id).order_by("id")


async def delete_webhook(user: User, webhook_id: int) -> None:
    await (await get_webhook(user, webhook_id)).delete()


async def rotate_secret(user: User, webhook_id: int) -> Webhook:
    """A new signing secret; deliveries from now on are signed with it."""
    hook = await get_webhook(user, webhook_id)
    hook.secret = new_secret()
    await hook.save(update_fields=["secret"])
    return hook


async def enable_webhook(user: User, webhook_id: int) -> Webhook:
    """Turn a hook that was disabled after a day of failures back on."""
    hook = await get_webhook(user, webhook_id)
    hook.disabled_at = hook.failing_since = None
    await hook.save(update_fields=["disabled_at", "failing_since"])
    return hook


async def recent_deliveries(user: User, webhook_id: int, limit: int = 50) -> list[WebhookDelivery]:
    """The hook's newest deliveries, each with its event and every attempt (`attempt_log`, oldest first)."""
    hook = await get_webhook(user, webhook_id)
    return await (WebhookDelivery.filter(webhook_id=hook.id).select_related("event").order_by("-id").limit(limit)
                  .prefetch_related(Prefetch("attempt_log", WebhookAttempt.all().order_by("id"))))
