"""`Idempotency-Key` on POSTs: the same key from the same account gets the same answer for 24 hours.

The key is claimed in the database (`idempotent_responses`, unique per account and key) before the
handler runs, so two concurrent requests with one key cannot both act: the second gets 409 while
the first is in flight, and afterwards the stored answer (status and body, with
`Idempotent-Replayed: true`). Reusing a key for a different request (method, path or body) is 422.
Server errors are not stored: the key is released and the request may be retried.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from aiohttp import web
from aiohttp.typedefs import Handler
from tortoise.exceptions import IntegrityError

from api.auth import request_user_id
from api.errors import ApiError
from api.typedefs import SETTINGS
from smarthabit.clock import utcnow
from smarthabit.models import IdempotentResponse

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
MAX_KEY = 200
MAX_STORED_BODY = 256 * 1024
IN_FLIGHT = 0


async def _fingerprint(request: web.Request) -> str:
    body = await request.read() if request.can_read_body and request.content_type == "application/json" else b""
    return hashlib.sha256(f"{request.method} {request.path_qs}\n".encode() + body).hexdigest()


async def _claim(user_id: int, key: str, fingerprint: str) -> IdempotentResponse | None:
    """None when this request claimed the key, else the row that holds it."""
    now = utcnow()
    await IdempotentResponse.filter(user_id=user_id, created_at__lt=now - KEPT_FOR).delete()
    try:
        await IdempotentResponse.create(user_id=user_id, key=key, fingerprint=fingerprint, status=IN_FLIGHT,
                                        body="", created_at=now)
    except IntegrityError:
        return await IdempotentResponse.get_or_none(user_id=user_id, key=key)
    return None


def _replay(row: IdempotentResponse, fingerprint: str) -> web.Response:
    if row.fingerprint != fingerprint:
        raise ApiError(422, "idempotency_key_reused", "This Idempotency-Key was used for a different request")
    if row.status == IN_FLIGHT:
        raise ApiError(409, "idempotency_key_in_use", "A request with this Idempotency-Key is still running")
    return web.Response(status=row.status, text=row.body, content_type="application/json",
                        headers={"Idempotent-Replayed": "true"})


@web.middleware
async def idempotency_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return await handler(request)
    if not key.strip() or len(key) > MAX_KEY:
        raise ApiError(422, "invalid_idempotency_key", f"Idempotency-Key must be 1-{MAX_KEY} characters")
    length, limit = request.content_length, request.app[SETTINGS].max_request_bytes
    if request.can_read_body and (length is None or length > limit):
        return await handler(request)  # uploads (imports) are streamed by their routes, and idempotent anyway
    try:
        user_id = await request_user_id(request)
    except ApiError:
        return await handler(request)  # not signed in: the route answers for itself (401, or no account)
    fingerprint = await _fingerprint(request)
    holder = await _claim(user_id, key, fingerprint)
    if holder is not None:
        return _replay(holder, fingerprint)
    try:
        response = await handler(request)
    except BaseException:
        await IdempotentResponse.filter(user_id=user_id, key=key).delete()
        raise
    body = response.body if isinstance(response, web.Response) else None
    if response.status >= 500 or not isinstance(body, bytes) or len(body) > MAX_STORED_BODY:
        await IdempotentResponse.filter(user_id=user_id, key=key).delete()
        return response
    await IdempotentResponse.filter(user_id=user_id, key=key).update(status=response.status, body=body.decode())
    return response
