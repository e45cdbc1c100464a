"""Integrations: personal access tokens, outgoing webhooks and the private calendar feed."""

from __future__ import annotations

from aiohttp import web

from api.routing import RouteTable
from api.schemas import (
    AccessTokenIn,
    AccessTokenListOut,
    AccessTokenOut,
    AccessTokenPath,
    AttemptOut,
    CalendarOut,
    CalendarPath,
    DeliveryListOut,
    DeliveryOut,
    NewAccessTokenOut,
    WebhookIn,
    WebhookListOut,
    WebhookOut,
    WebhookPath,
    WebhookSecretOut,
)
from api.typedefs import SETTINGS
from smarthabit import access_tokens, calendar, webhooks
from smarthabit.errors import NotFound
from smarthabit.models import User

routes = RouteTable("integrations")


@routes.post("/users/me/tokens", status=201)
async def create_token(user: User, body: AccessTokenIn) -> NewAccessTokenOut:
    """Make a personal access token for a script or app; its value is shown only in this answer.

    It works as `Authorization: Bearer shp_...` wherever an access token does; a `read` token gets 403
    on any write. Only a hash is stored."""
    issued = await access_tokens.create_access_token(user, body.name, body.scope)
    row = issued.row
    return NewAccessTokenOut(id=row.id, name=row.name, scope=row.scope, token=issued.token, created_at=row.created_at)


@routes.get("/users/me/tokens")
async def list_tokens(user: User) -> AccessTokenListOut:
    """The account's personal access tokens (never their values), with when each was last used."""
    return AccessTokenListOut(items=[AccessTokenOut.of(row) for row in await access_tokens.list_access_tokens(user)])


@routes.delete("/users/me/tokens/{token_id}")
async def revoke_token(user: User, path: AccessTokenPath) -> None:
    """Revoke a token: from now on it is refused (401)."""
    await access_tokens.revoke_access_token(user, path.token_id)


@routes.post("/webhooks", status=201, errors={422: "Invalid input, or a URL that is not public (SSRF guard)"})
async def create_webhook(request: web.Request, user: User, body: WebhookIn) -> WebhookSecretOut:
    """Subscribe a URL to events; the answer holds the signing secret.

    Each event is POSTed as JSON with `X-SmartHabit-Event`, `X-SmartHabit-Delivery` (unique id),
    `X-SmartHabit-Timestamp` and `X-SmartHabit-Signature: sha256=<hex HMAC-SHA256(secret,
    timestamp + "." + raw body)>`. Failed deliveries are retried with exponential backoff for a day;
    a hook failing for a day is disabled and you are told in the bot. URLs that resolve to loopback,
    private, link-local or metadata addresses are refused, also at send time."""
    hook = await webhooks.create_webhook(user, body.url, list(body.events),
                                         allow_private=request.app[SETTINGS].webhook_allow_private)
    return WebhookSecretOut(id=hook.id, secret=hook.secret)


@routes.get("/webhooks")
async def list_webhooks(user: User) -> WebhookListOut:
    """The account's webhooks (without secrets)."""
    return WebhookListOut(items=[WebhookOut.of(hook) for hook in await webhooks.list_webhooks(user)])


@routes.get("/webhooks/{webhook_id}")
async def get_webhook(user: User, path: WebhookPath) -> WebhookOut:
    """One webhook."""
    return WebhookOut.of(await webhooks.get_webhook(user, path.webhook_id))


@routes.delete("/webhooks/{webhook_id}")
async def delete_webhook(user: User, path: WebhookPath) -> None:
    """Remove a webhook and its delivery log."""
    await webhooks.delete_webhook(user, path.webhook_id)


@routes.post("/webhooks/{webhook_id}/rotate-secret")
async def rotate_webhook_secret(user: User, path: WebhookPath) -> WebhookSecretOut:
    """Replace the signing secret; deliveries from now on are signed with the new one."""
    hook = await webhooks.rotate_secret(user, path.webhook_id)
    return WebhookSecretOut(id=hook.id, secret=hook.secret)


@routes.post("/webhooks/{webhook_id}/enable")
async def enable_webhook(user: User, path: WebhookPath) -> WebhookOut:
    """Turn a webhook that was disabled after a day of failures back on."""
    return WebhookOut.of(await webhooks.enable_webhook(user, path.webhook_id))


@routes.get("/webhooks/{webhook_id}/deliveries")
async def list_deliveries(user: User, path: WebhookPath) -> DeliveryListOut:
    """Recent deliveries with their status and every attempt: the receiver's status code and the latency."""
    rows = await webhooks.recent_deliveries(user, path.webhook_id)
    return DeliveryListOut(items=[
        DeliveryOut(delivery_id=str(row.delivery_id), event=row.event.event, status=row.status.value,
                    attempts=row.attempts, response_status=row.response_status, latency_ms=row.latency_ms,
                    error=row.error, created_at=row.created_at, finished_at=row.finished_at,
                    next_attempt_at=row.next_attempt_at if row.finished_at is None else None,
                    attempt_log=[AttemptOut(at=a.at, response_status=a.response_status, latency_ms=a.latency_ms,
                                            error=a.error) for a in row.attempt_log])
        for row in rows
    ])


def _feed_url(request: web.Request, token: str) -> str:
    base = request.app[SETTINGS].public_url or str(request.url.origin())
    return f"{base.rstrip('/')}/calendar/{token}.ics"


@routes.get("/users/me/calendar")
async def get_calendar(request: web.Request, user: User) -> CalendarOut:
    """The private URL of your reminders as an iCalendar feed (subscribe to it in any calendar app)."""
    return CalendarOut(url=_feed_url(request, await calendar.feed_token(user)))


@routes.post("/users/me/calendar/rotate")
async def rotate_calendar(request: web.Request, user: User) -> CalendarOut:
    """Issue a new feed URL; the old one answers 404 from now on."""
    return CalendarOut(url=_feed_url(request, await calendar.rotate_feed_token(user)))


@routes.get("/calendar/{token}.ics", media_type="text/calendar")
async def calendar_feed(path: CalendarPath) -> web.Response:
    """The iCalendar feed behind a private URL (no token needed: the URL is the secret)."""
    user = await calendar.user_for_token(path.token)
    if user is None:
        raise NotFound("No such calendar")
    return web.Response(body=await calendar.build_feed(user), content_type="text/calendar", charset="utf-8",
                        headers={"Cache-Control": "private, max-age=300"})
