"""The one delivery path for reminders, nudges and weekly summaries: claim, send, record.

A planned message is a `Nudge` row whose unique `key` was decided when it was planned, so a
duplicated plan is one row. Delivering it:

1. Load the row; anything but PENDING is someone else's business (sent, skipped, failed, or being
   sent right now by another worker): stop.
2. Re-check that it is still wanted *now* (done in the meantime, quiet hours, turned off, blocked,
   too late); if not, mark it SKIPPED (or hold a reminder until the quiet hours end).
3. Book a send slot from the bot's one Telegram budget (`smarthabit.telegram_budget`: bot-wide
   and per chat, with the message kind's priority; at most a fraction of a second ahead).
4. Claim while the slot comes: `UPDATE nudges SET status='sending', attempts=attempts+1 WHERE id=?
   AND status='pending' AND attempts=?`. One worker wins; `attempts` after the claim is its fencing
   token, so later updates only touch the row if nobody re-claimed it in between. Then wait for the
   slot. If the process got there more than `LATE_TOLERANCE` after it (a busy event loop, a claim
   slower than the slot's lead), it hands the claim back and books a new slot: a late send would
   land right on top of the next one booked and break the per-second limit at Telegram.
5. Send with python-telegram-bot, then mark SENT with `sent_at` and `telegram_message_id`.

Which failures are retried, and why (the choice this module is built on). Telegram has no
idempotency key, so a message must never be sent twice, and nothing a user asked for may be lost:

- A *definite* answer that the message did not go out -- 429 (wait `retry_after`, for every
  process: the shared budget is pushed back), any 5xx, a refused or timed-out connect, a pool
  timeout, a failed write of the request -- releases the claim (back to PENDING) and is retried in
  the same task with exponential backoff and jitter until the message's deadline (`planned_at` +
  `MAX_LATENESS` of its kind). Only at the deadline is it marked FAILED ("gave up").
- 403 (the user blocked the bot) and 400 (refused) are final: FAILED, never retried.
- Only a connection cut *after the request was fully written* (read error, read timeout, a
  protocol error on the answer) has an unknown outcome: the row stays SENDING, is counted in
  `smarthabit_telegram_outcome_unknown_total`, and the sweeper later marks it FAILED ("outcome
  unknown") instead of sending again. Short, separate timeouts (`tasks.runtime`) keep that window
  small: connect 3 s, write 5 s, and a read timeout (12 s) above a slow Bot API answer but far
  below the redelivery timeout.
- "Fully written" is observed, not guessed (`tasks.request_written`): the moment the request's last
  byte is handed to the socket, the row's note turns from its claim nonce to `REQUEST_WRITTEN`. A
  row still SENDING under its claim nonce `UNWRITTEN_GRACE` after the claim belongs to a worker that
  died (or stalled) before writing, and no request can start that late: it goes back to PENDING and
  is sent (`_take_over_unwritten`, `release_unwritten`). So a SIGKILLed worker loses nothing and
  duplicates nothing, except for the microseconds between the last byte and the note's UPDATE.
- PostgreSQL errors are not Telegram's business: they propagate to the task, which waits for the
  database and runs the delivery again (the claim protocol makes that safe); once a message went
  out, recording it waits out an outage in place, so a sent message is never left SENDING.

Whether a message is still wanted is a domain rule (`smarthabit.still_wanted`); a reminder in quiet
hours is held (PENDING, `planned_at` moved to their end, `error` = `DEFERRED`) and enqueued again by
the minute scan once they end (`due_deferred`), unless the user chose to drop such reminders.

While SENDING, `sent_at` holds the instant of the claim (what the sweeper measures); once SENT, the
instant Telegram confirmed the message.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import httpx
from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from tortoise.expressions import Q

from smarthabit import still_wanted
from smarthabit.accounts import mark_bot_blocked
from smarthabit.clock import utcnow
from smarthabit.metrics import MESSAGES, OUTCOME_UNKNOWN, REMINDER_LAG
from smarthabit.missed import AnyMissed, mark_folded, missed_reminders
from smarthabit.models import Nudge, NudgeKind, NudgeStatus, User
from smarthabit.outages import backoff, is_database_down
from smarthabit.still_wanted import DEFERRED, MAX_LATENESS
from smarthabit.telegram_budget import Priority, book_slot, retry_after_seconds, until_slot
from tasks.request_written import PENDING_WRITE, WriteWatch
from tasks.runtime import Runtime
from tasks.texts import checkin_markup, missed_reminders_line

log = logging.getLogger(__name__)


LATE_TOLERANCE = 0.025  # seconds a send may start after its booked slot without re-booking
MAX_REBOOKS = 5
RETRY_BASE = 0.5
RETRY_CAP = 30.0
STALE_SENDING = timedelta(minutes=10)
UNWRITTEN_GRACE = timedelta(seconds=30)  # > request_written.WRITE_BY + pool, connect and write timeouts
CLAIM_NOTE = "claim:"  # the note of a claimed row whose request has not been written (yet)
REQUEST_WRITTEN = "request written"
RELEASED_UNWRITTEN = "released: its sender stopped before writing"
MARK_TIMEOUT = 2.0
FOLDS_MISSED = frozenset({NudgeKind.REMINDER, NudgeKind.SKIP_RISK, NudgeKind.STREAK_RISK})
PRIORITY = {
    NudgeKind.REMINDER: Priority.REMINDER,
    NudgeKind.SKIP_RISK: Priority.NUDGE,
    NudgeKind.STREAK_RISK: Priority.NUDGE,
    NudgeKind.WEEKLY_SUMMARY: Priority.SUMMARY,
    NudgeKind.ACCOUNT_NOTICE: Priority.REMINDER,
}
# Transport errors raised before the whole request reached the server: provably not sent.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)


class Outcome(StrEnum):
    SENT = "sent"
    NOT_MINE = "not_mine"  # already sent, skipped, failed, gone, or claimed by another worker
    SKIPPED = "skipped"
    DEFERRED = "deferred"  # held until the user's quiet hours end
    BLOCKED = "blocked"
    FAILED = "failed"
    UNKNOWN = "unknown"  # the connection broke after the request was written


@dataclass(frozen=True, slots=True)
class _Retry:
    """Telegram definitely did not take the message: try again after `wait` seconds."""

    reason: str
    wait: float


async def _finish_pending(nudge: Nudge, status: NudgeStatus, reason: str) -> bool:
    """PENDING -> SKIPPED/FAILED without sending (only if still PENDING)."""
    done = await Nudge.filter(id=nudge.id, status=NudgeStatus.PENDING).update(status=status, error=reason[:200])
    return bool(done)


async def _claim(runtime: Runtime, nudge: Nudge) -> int | None:
    """PENDING -> SENDING for exactly one caller; returns the fencing token (attempts) or None.

    The claim carries a nonce in `error`: if the connection breaks while the UPDATE commits, the
    row is read again once the database is back, and the nonce tells whether the claim was ours."""
    for _ in range(3):
        token, nonce = nudge.attempts + 1, f"{CLAIM_NOTE}{uuid.uuid4().hex}"
        try:
            won = await Nudge.filter(id=nudge.id, status=NudgeStatus.PENDING, attempts=nudge.attempts).update(
                status=NudgeStatus.SENDING, attempts=token, sent_at=utcnow(), error=nonce
            )
        except Exception as exc:
            if not is_database_down(exc):
                raise
            await asyncio.sleep(runtime.database_outage.failed(exc))
            won = 0
        if won:
            return token
        fresh = await runtime.database_outage.call(lambda: Nudge.filter(id=nudge.id).first(), is_database_down)
        if fresh is not None and fresh.status is NudgeStatus.SENDING and fresh.error == nonce:
            return token
        if fresh is None or fresh.status is not NudgeStatus.PENDING:
            return None
        nudge.attempts = fresh.attempts  # released by someone else in between: try again
    return None


async def _release(nudge: Nudge, token: int, reason: str) -> None:
    """SENDING -> PENDING: we know the message did not go out."""
    await Nudge.filter(id=nudge.id, status=NudgeStatus.SENDING, attempts=token).update(
        status=NudgeStatus.PENDING, sent_at=None, error=reason[:200]
    )
    nudge.attempts = token


async def _finish_claimed(nudge: Nudge, token: int, status: NudgeStatus, reason: str | None, **fields: object) -> None:
    await Nudge.filter(id=nudge.id, status=NudgeStatus.SENDING, attempts=token).update(
        status=status, error=reason[:200] if reason else None, **fields
    )


def answered_or_not_sent(exc: NetworkError) -> bool:
    """A NetworkError that is a definite "not delivered": the Bot API answered (a 5xx; PTB raises it
    without a transport cause), or the request never fully reached it (connect, pool, write)."""
    if "Pool timeout" in str(exc):  # python-telegram-bot: "Request was *not* sent to Telegram"
        return True
    return exc.__cause__ is None or isinstance(exc.__cause__, _NOT_SENT)


def _markup(nudge: Nudge, language: str | None) -> InlineKeyboardMarkup | None:
    return checkin_markup(nudge.habit_id, nudge.day, language) if nudge.habit_id is not None else None


async def _settle_unwanted(nudge: Nudge, verdict: still_wanted.Verdict) -> Outcome:
    """Skip a message nobody wants any more, or hold a reminder until the quiet hours end."""
    if verdict.defer_until is not None:
        held = await Nudge.filter(id=nudge.id, status=NudgeStatus.PENDING).update(
            planned_at=verdict.defer_until, error=DEFERRED
        )
        if held:
            MESSAGES.labels(nudge.kind.value, "deferred").inc()
            return Outcome.DEFERRED
        return Outcome.NOT_MINE
    reason = verdict.reason or "unwanted"
    if await _finish_pending(nudge, NudgeStatus.SKIPPED, reason):
        MESSAGES.labels(nudge.kind.value, "skipped").inc()
        log.info("message skipped", extra={"nudge_id": nudge.id, "kind": nudge.kind.value, "reason": reason})
        return Outcome.SKIPPED
    return Outcome.NOT_MINE


async def deliver(runtime: Runtime, nudge_id: int, *, now: datetime | None = None) -> Outcome:
    """Deliver one planned message at most once; see the module docstring for the protocol."""
    now = now or utcnow()
    nudge = await Nudge.filter(id=nudge_id).first()
    if nudge is not None and _unwritten_claim(nudge):
        nudge = await _take_over_unwritten(nudge)
    if nudge is None or nudge.status is not NudgeStatus.PENDING:
        return Outcome.NOT_MINE
    user = await User.get(id=nudge.user_id)
    verdict = await still_wanted.verdict(nudge, user, now)
    if verdict.send_now and not runtime.can_send:
        verdict = still_wanted.Verdict("no_bot_token")
    if not verdict.send_now:
        return await _settle_unwanted(nudge, verdict)
    assert user.telegram_chat_id is not None  # still_wanted checked it
    deadline = time.monotonic() + (nudge.planned_at + MAX_LATENESS[nudge.kind] - now).total_seconds()
    return await _send_until_deadline(runtime, nudge, user, deadline, now)


def _unwritten_claim(nudge: Nudge) -> bool:
    return nudge.status is NudgeStatus.SENDING and (nudge.error or "").startswith(CLAIM_NOTE)


async def _take_over_unwritten(nudge: Nudge) -> Nudge | None:
    """A claim whose request was never written (its worker died before): once no request can start
    under it any more, put the row back to PENDING. The task was redelivered because the worker is
    gone, so waiting out the rest of the grace here is short and rare."""
    assert nudge.sent_at is not None
    left = (nudge.sent_at + UNWRITTEN_GRACE - utcnow()).total_seconds()
    if left > 0:
        await asyncio.sleep(left)
    released = await Nudge.filter(
        id=nudge.id, status=NudgeStatus.SENDING, attempts=nudge.attempts, error=nudge.error
    ).update(status=NudgeStatus.PENDING, sent_at=None, error=RELEASED_UNWRITTEN)
    if released:
        log.warning("claim released: its worker stopped before the request was written",
                    extra={"nudge_id": nudge.id})
    return await Nudge.filter(id=nudge.id).first()


async def _book_and_claim(runtime: Runtime, nudge: Nudge, chat_id: int) -> int | None:
    """Book a send slot, claim the row while the slot comes (a slow claim under load does not make
    the send late), wait for it; re-book if the process still got there late (a late send would land
    on top of the next slot booked and break the per-second limit)."""
    for rebooked in range(MAX_REBOOKS + 1):
        slot = await book_slot(runtime.budget, chat_id, PRIORITY[nudge.kind])
        token = await _claim(runtime, nudge)
        if token is None:
            return None
        await until_slot(slot)
        late = time.monotonic() - slot
        if late <= LATE_TOLERANCE or rebooked == MAX_REBOOKS:
            return token
        await _release(nudge, token, "late for its send slot")
        log.debug("send slot missed, booking again", extra={"nudge_id": nudge.id, "late_ms": round(late * 1000)})
    return None  # pragma: no cover - the loop always returns


async def _send_until_deadline(runtime: Runtime, nudge: Nudge, user: User, deadline: float, now: datetime) -> Outcome:
    """Send; on a definite "not delivered" release the claim and retry until the deadline."""
    chat_id = user.telegram_chat_id
    assert chat_id is not None
    bot = await runtime.bot()
    text, missed = await _with_missed_reminders(nudge, user, now, runtime.any_missed)
    attempt = 0
    while True:
        token = await _book_and_claim(runtime, nudge, chat_id)
        if token is None:
            return Outcome.NOT_MINE
        watch = WriteWatch(on_written=_written_marker(runtime, nudge, token))
        watching = PENDING_WRITE.set(watch)
        try:
            message = await bot.send_message(chat_id, text, reply_markup=_markup(nudge, user.language),
                                             allow_paid_broadcast=runtime.paid_broadcast or None)
        except TelegramError as exc:
            decided = await _after_error(runtime, nudge, token, chat_id, exc, attempt, watch)
        else:
            outcome = await _record_sent(runtime, nudge, token, message)  # first: the send is what must not be lost
            if missed:
                await _guarded(runtime, lambda: mark_folded(missed))
            return outcome
        finally:
            PENDING_WRITE.reset(watching)
        if isinstance(decided, Outcome):
            return decided
        attempt += 1
        if time.monotonic() + decided.wait > deadline:
            reason = f"gave up at the deadline: {decided.reason}"
            await _guarded(runtime, lambda reason=reason: _finish_pending(nudge, NudgeStatus.FAILED, reason))
            MESSAGES.labels(nudge.kind.value, "failed").inc()
            log.warning("message not delivered before its deadline", extra={"nudge_id": nudge.id})
            return Outcome.FAILED
        await asyncio.sleep(decided.wait)


def _written_marker(runtime: Runtime, nudge: Nudge, token: int) -> Callable[[], Awaitable[None]]:
    """What runs the moment the request is written: the row's note says so. Tried at once (the
    shorter the gap, the smaller the one window left); if the database does not answer in time,
    it is written in the background once it does, so a live worker never leaves it out."""

    async def mark() -> None:
        await Nudge.filter(id=nudge.id, status=NudgeStatus.SENDING, attempts=token).update(error=REQUEST_WRITTEN)

    async def on_written() -> None:
        try:
            await asyncio.wait_for(mark(), MARK_TIMEOUT)
        except Exception:
            _BACKGROUND.add(task := asyncio.create_task(_guarded(runtime, mark)))
            task.add_done_callback(_BACKGROUND.discard)

    return on_written


_BACKGROUND: set[asyncio.Task[None]] = set()


async def _with_missed_reminders(
    nudge: Nudge, user: User, now: datetime, any_missed: AnyMissed
) -> tuple[str, list[int]]:
    """The text to send: a reminder or nudge also mentions the person's reminders that missed their
    deadline (`smarthabit.missed`); returns it with the missed rows to mark once it is sent."""
    if nudge.kind not in FOLDS_MISSED or not await any_missed.recently(now):
        return nudge.text, []
    missed = await missed_reminders(user.id, now)
    if not missed.habit_names:
        return nudge.text, missed.nudge_ids
    return f"{nudge.text}\n\n{missed_reminders_line(missed.habit_names, user.language)}", missed.nudge_ids


async def _guarded(runtime: Runtime, write: Callable[[], Awaitable[object]]) -> None:
    """A bookkeeping write that must not be lost: wait out a database outage in place."""
    await runtime.database_outage.call(write, is_database_down)


async def _after_error(
    runtime: Runtime, nudge: Nudge, token: int, chat_id: int, exc: TelegramError, attempt: int,
    watch: WriteWatch,
) -> Outcome | _Retry:
    """Decide what a Telegram error means for this message (see the module docstring)."""
    kind = nudge.kind.value
    if isinstance(exc, RetryAfter):
        wait = retry_after_seconds(exc)
        await _guarded(runtime, lambda: _release(nudge, token, "rate_limited"))
        await runtime.budget.penalize(wait)
        MESSAGES.labels(kind, "rate_limited").inc()
        log.warning("rate limited by Telegram", extra={"nudge_id": nudge.id, "retry_after": wait})
        return _Retry("rate_limited", wait)
    if isinstance(exc, Forbidden):
        await mark_bot_blocked(chat_id)
        await _finish_claimed(nudge, token, NudgeStatus.FAILED, "forbidden: the user blocked the bot", sent_at=None)
        MESSAGES.labels(kind, "blocked").inc()
        log.info("user blocked the bot", extra={"nudge_id": nudge.id, "user_id": nudge.user_id})
        return Outcome.BLOCKED
    if isinstance(exc, BadRequest):  # a NetworkError subclass in python-telegram-bot: check it first
        await _finish_claimed(nudge, token, NudgeStatus.FAILED, f"bad request: {exc.message}", sent_at=None)
        MESSAGES.labels(kind, "failed").inc()
        log.warning("message refused", extra={"nudge_id": nudge.id, "error": exc.message})
        return Outcome.FAILED
    if isinstance(exc, NetworkError) and (answered_or_not_sent(exc) or (watch.traced and not watch.written)):
        reason = f"not delivered: {type(exc.__cause__).__name__ if exc.__cause__ else exc.message}"
        await _guarded(runtime, lambda: _release(nudge, token, reason))
        MESSAGES.labels(kind, "retried").inc()
        if attempt == 0 or attempt % 10 == 0:
            log.warning("Telegram did not take the message, retrying", extra={"nudge_id": nudge.id, "attempt": attempt})
        return _Retry(reason, backoff(attempt, base=RETRY_BASE, cap=RETRY_CAP))
    if isinstance(exc, NetworkError):  # cut after the request was written: it may have arrived
        await _guarded(runtime, lambda: _finish_claimed(
            nudge, token, NudgeStatus.FAILED,
            f"outcome unknown ({type(exc.__cause__ or exc).__name__}); not resent to avoid a duplicate",
        ))
        MESSAGES.labels(kind, "unknown").inc()
        OUTCOME_UNKNOWN.inc()
        log.warning("send outcome unknown; not retried", extra={"nudge_id": nudge.id})
        return Outcome.UNKNOWN
    await _finish_claimed(nudge, token, NudgeStatus.FAILED, type(exc).__name__, sent_at=None)  # InvalidToken, ...
    MESSAGES.labels(kind, "failed").inc()
    log.error("message failed", extra={"nudge_id": nudge.id, "error": type(exc).__name__})
    return Outcome.FAILED


async def _record_sent(runtime: Runtime, nudge: Nudge, token: int, message: Message) -> Outcome:
    sent_at = utcnow()
    await _guarded(runtime, lambda: _finish_claimed(
        nudge, token, NudgeStatus.SENT, None, sent_at=sent_at, telegram_message_id=message.message_id
    ))
    MESSAGES.labels(nudge.kind.value, "sent").inc()
    if nudge.kind is NudgeKind.REMINDER:
        lag = (sent_at - nudge.planned_at).total_seconds()
        if lag < 86400:
            REMINDER_LAG.observe(max(0.0, lag))  # a wave's early head was on time
    log.info("message sent", extra={"nudge_id": nudge.id, "kind": nudge.kind.value})
    return Outcome.SENT


async def sweep_stale_sending(*, now: datetime | None = None) -> int:
    """Rows left SENDING by a worker that died after writing its request: their outcome is unknown,
    so they are marked FAILED (never re-sent; see the module docstring). Returns how many."""
    cutoff = (now or utcnow()) - STALE_SENDING
    written_or_unnoted = Q(error__isnull=True) | ~Q(error__startswith=CLAIM_NOTE)
    return await Nudge.filter(written_or_unnoted, status=NudgeStatus.SENDING, sent_at__lt=cutoff).update(
        status=NudgeStatus.FAILED, error="outcome unknown: the sender stopped mid-request; not resent"
    )


async def release_unwritten(*, now: datetime | None = None) -> list[int]:
    """Claims whose request was never written, older than the grace: their worker is gone (a task
    lost with it is not redelivered when Redis lost it too). Back to PENDING; the ids are for the
    scan to enqueue again."""
    cutoff = (now or utcnow()) - UNWRITTEN_GRACE
    unwritten = Nudge.filter(status=NudgeStatus.SENDING, error__startswith=CLAIM_NOTE, sent_at__lt=cutoff)
    ids = list(await unwritten.values_list("id", flat=True))
    if ids:
        await unwritten.filter(id__in=ids).update(
            status=NudgeStatus.PENDING, sent_at=None, error=RELEASED_UNWRITTEN
        )
        log.warning("claims released: their workers stopped before writing", extra={"count": len(ids)})
    return ids


async def due_deferred(now: datetime) -> list[int]:
    """Reminders held through quiet hours that are due now (enqueued by the minute scan)."""
    return list(await Nudge.filter(
        status=NudgeStatus.PENDING, error=DEFERRED, planned_at__lte=now,
        planned_at__gte=now - MAX_LATENESS[NudgeKind.REMINDER],
    ).order_by("planned_at", "id").values_list("id", flat=True))


async def undelivered(now: datetime, limit: int = 50_000) -> list[int]:
    """Every PENDING row still worth sending, oldest first: enqueued again at once when the task
    stream may have lost them (Redis came back, possibly without its data)."""
    return list(await Nudge.filter(
        status=NudgeStatus.PENDING, planned_at__lte=now, planned_at__gte=now - max(MAX_LATENESS.values()),
    ).order_by("planned_at", "id").limit(limit).values_list("id", flat=True))
