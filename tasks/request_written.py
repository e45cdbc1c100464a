"""Knowing whether a send request reached the wire, which is what decides "resend" or "never resend".

Telegram has no idempotency key, so a message whose request was fully written may have arrived and
must not be sent again, while one whose request never was can be sent again safely. The delivery
claim (`tasks.delivery`) is written to the database *before* the request; a worker killed in
between used to leave a claimed row whose message never went out and was then never resent.

httpcore reports when a request's body has been written through its `trace` extension; an httpx
request hook attaches a trace callback to every request the workers' bot sends. While a delivery
sends, it sets `PENDING_WRITE` to a `WriteWatch`; the callback runs the watch's `on_written` (the
delivery records "request written" on its row) right after the last byte was handed to the socket,
before the answer is read. A row claimed but not marked written whose worker is gone is provably
unsent and goes back to PENDING; one marked written keeps the at-most-once rule.

A watch also refuses to *start* writing a request once its claim is older than `WRITE_BY` seconds
(a stalled event loop, a long pool wait): the claim may then be taken over by another worker as
unwritten, and this late copy must not reach Telegram.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger(__name__)

WRITE_BY = 10.0  # seconds after the claim; with the pool, connect and write timeouts, well under the grace
BODY_WRITTEN = "send_request_body.complete"


class ClaimTooOld(httpx.RequestError):
    """Raised before a request is written: its claim may have been taken over since."""


@dataclass(slots=True)
class WriteWatch:
    """One send's claim: when it was made, and what to do once the request is on the wire."""

    on_written: Callable[[], Awaitable[None]]
    claimed_at: float = field(default_factory=time.monotonic)
    traced: bool = False  # the request went through `attach_trace`: `written` can be trusted
    written: bool = False


PENDING_WRITE: contextvars.ContextVar[WriteWatch | None] = contextvars.ContextVar("pending_write", default=None)


async def attach_trace(request: httpx.Request) -> None:
    """httpx request hook: watch this request's write if a delivery is waiting for it."""
    watch = PENDING_WRITE.get()
    if watch is None:
        return
    watch.traced = True
    if time.monotonic() - watch.claimed_at > WRITE_BY:
        raise ClaimTooOld(f"the claim is older than {WRITE_BY:.0f} s; not sent", request=request)

    async def trace(event: str, _info: dict[str, Any]) -> None:
        if event.endswith(BODY_WRITTEN) and not watch.written:
            watch.written = True
            try:
                await watch.on_written()
            except Exception:  # the send itself must go on; the worker still knows it was written
                log.warning("could not record that a request was written", exc_info=True)

    request.extensions["trace"] = trace


HTTPX_HOOKS: dict[str, Any] = {"event_hooks": {"request": [attach_trace]}}
