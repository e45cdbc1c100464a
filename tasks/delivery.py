"""The one delivery path for reminders, nudges and weekly summaries: claim, send, record.

A planned message is a `Nudge` row whose unique `key` was decided when it was planned, so a
duplicated plan is one row. Delivering it:

1. Load the row; anything but PENDING is someone else's business (sent, skipped, failed, or being
   sent right now by another worker): stop.
2. Re-check that it is still wanted *now* (done in the meantime, quiet hours, turned off, blocked,
   too late); if not, mark it SKIPPED.
3. Book a send slot from the shared rate limiter (bot-wide and per chat) and wait for it.
4. Claim: `UPDATE nudges SET status='sending', attempts=attempts+1 WHERE id=? AND status='pending'
   AND attempts=?`. One worker wins; `attempts` after the claim is its fencing token, so later
   updates only touch the row if nobody re-claimed it in between. If the process got there more
   than `LATE_TOLERANCE` after its slot (a busy event loop, a slow claim), it hands the claim back
   and books a new slot: a late send would land right on top of the next one booked and break the
   per-second limit at Telegram.
5. Send with python-telegram-bot, then mark SENT with `sent_at` and `telegram_message_id`.

At-most-once, by choice: a message must never arrive twice. The claim happens right before the
HTTP request (after the rate-limit wait), so the only window in which the outcome is unknown is the
request itself. Outcomes we *know* did not send -- 429, 403, 400, a refused or timed-out connection
-- release the claim (back to PENDING) or fail the row. An unknown outcome (the connection broke
after the request was written, or the worker died mid-request) leaves the row SENDING; the sweeper
later marks it FAILED ("outcome unknown") instead of sending again. Telegram has no idempotency key,
so nothing can prove such a message was not sent; losing one reminder in that rare case is the
price of never sending one twice.

While SENDING, `sent_at` holds the instant of the claim (what the sweeper measures); once SENT, the
instant Telegram confirmed the message.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import warnings
from datetime import datetime, timedelta
from enum import StrEnum

import httpx
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

from smarthabit.accounts import in_quiet_hours, mark_bot_blocked
from smarthabit.clock import utcnow, zone
from smarthabit.metrics import MESSAGES, REMINDER_LAG
from smarthabit.models import CheckIn, Habit, Nudge, NudgeKind, NudgeStatus, User
from tasks.ratelimit import acquire
from tasks.runtime import Runtime
from tasks.texts import checkin_markup

log = logging.getLogger(__name__)

MAX_SEND_ROUNDS = 6  # 429s and refused connections retried in-process before handing back to the broker
LATE_TOLERANCE = 0.025  # seconds a send may start after its booked slot without re-booking
MAX_REBOOKS = 5
BACKOFF_BASE = 0.5
BACKOFF_MAX = 8.0
MAX_RETRY_AFTER = 60.0
STALE_SENDING = timedelta(minutes=10)
MAX_LATENESS = {
    NudgeKind.REMINDER: timedelta(hours=2),
    NudgeKind.SKIP_RISK: timedelta(hours=2),
    NudgeKind.STREAK_RISK: timedelta(hours=2),
    NudgeKind.WEEKLY_SUMMARY: timedelta(hours=6),
    NudgeKind.ACCOUNT_NOTICE: timedelta(hours=6),
}
# Transport errors raised before the request reached the server: provably not sent.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Outcome(StrEnum):
    SENT = "sent"
    NOT_MINE = "not_mine"  # already sent, skipped, failed, gone, or claimed by another worker
    SKIPPED = "skipped"
    BLOCKED = "blocked"
    FAILED = "failed"


class TransientDeliveryError(Exception):
    """Telegram could not be reached for a while; the row is PENDING again and the task is retried."""


async def _finish_pending(nudge: Nudge, status: NudgeStatus, reason: str) -> bool:
    """PENDING -> SKIPPED/FAILED without sending (only if still PENDING)."""
    done = await Nudge.filter(id=nudge.id, status=NudgeStatus.PENDING).update(status=status, error=reason[:200])
    return bool(done)


async def _claim(nudge: Nudge) -> int | None:
    """PENDING -> SENDING for exactly one caller; returns the fencing token (attempts) or None."""
    for _ in range(3):
        token = nudge.attempts + 1
        won = await Nudge.filter(id=nudge.id, status=NudgeStatus.PENDING, attempts=nudge.attempts).update(
            status=NudgeStatus.SENDING, attempts=token, sent_at=utcnow()
        )
        if won:
            return token
        fresh = await Nudge.filter(id=nudge.id).first()
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


async def still_wanted(nudge: Nudge, user: User, now: datetime) -> str | None:
    """Why the message should no longer go out, or None if it should."""
    if user.bot_blocked:
        return "bot_blocked"
    if user.telegram_chat_id is None:
        return "no_chat"
    if nudge.kind is NudgeKind.ACCOUNT_NOTICE:  # about the account itself: no preference turns it off
        return None
    if nudge.kind is NudgeKind.REMINDER:
        if not user.reminders_enabled:
            return "reminders_off"
    elif not user.nudges_enabled:
        return "nudges_off"
    if now - nudge.planned_at > MAX_LATENESS[nudge.kind]:
        return "too_late"
    if in_quiet_hours(user, now.astimezone(zone(user.timezone)).time()):
        return "quiet_hours"
    if nudge.habit_id is not None:
        habit = await Habit.filter(id=nudge.habit_id).first()
        if habit is None or habit.archived_at is not None:
            return "habit_gone"
        checkin = await CheckIn.filter(habit_id=habit.id, day=nudge.day).first()
        if checkin is not None and habit.counts_as_done(checkin.value):
            return "done"
    return None


def _retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # int today, timedelta in a future release: both are handled
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return min(MAX_RETRY_AFTER, max(0.5, seconds))


def _provably_not_sent(exc: NetworkError) -> bool:
    if "Pool timeout" in str(exc):  # python-telegram-bot: "Request was *not* sent to Telegram"
        return True
    return isinstance(exc.__cause__, _NOT_SENT)


def _backoff(round_: int) -> float:
    return min(BACKOFF_MAX, BACKOFF_BASE * 2**round_) * (0.5 + random.random() / 2)  # noqa: S311 - jitter


def _markup(nudge: Nudge) -> InlineKeyboardMarkup | None:
    return checkin_markup(nudge.habit_id, nudge.day) if nudge.habit_id is not None else None


async def deliver(runtime: Runtime, nudge_id: int, *, now: datetime | None = None) -> Outcome:
    """Deliver one planned message at most once; see the module docstring for the protocol."""
    now = now or utcnow()
    nudge = await Nudge.filter(id=nudge_id).first()
    if nudge is None or nudge.status is not NudgeStatus.PENDING:
        return Outcome.NOT_MINE
    user = await User.get(id=nudge.user_id)
    reason = await still_wanted(nudge, user, now)
    if reason is None and not runtime.can_send:
        reason = "no_bot_token"
    if reason is not None:
        if await _finish_pending(nudge, NudgeStatus.SKIPPED, reason):
            MESSAGES.labels(nudge.kind.value, "skipped").inc()
            log.info("message skipped", extra={"nudge_id": nudge.id, "kind": nudge.kind.value, "reason": reason})
            return Outcome.SKIPPED
        return Outcome.NOT_MINE
    chat_id = user.telegram_chat_id
    assert chat_id is not None  # still_wanted checked it
    bot = await runtime.bot()
    round_ = rebooked = 0
    while round_ < MAX_SEND_ROUNDS:
        slot = await acquire(runtime.limiter, chat_id)
        token = await _claim(nudge)
        if token is None:
            return Outcome.NOT_MINE
        late = time.monotonic() - slot
        if late > LATE_TOLERANCE and rebooked < MAX_REBOOKS:
            # Sending now would squeeze this message against the ones booked after it (the process
            # was busy, or the claim was slow): hand the slot back and book a fresh one.
            await _release(nudge, token, "late for its send slot")
            rebooked += 1
            log.debug("send slot missed, booking again", extra={"nudge_id": nudge.id, "late_ms": round(late * 1000)})
            continue
        round_ += 1
        try:
            message = await bot.send_message(chat_id, nudge.text, reply_markup=_markup(nudge))
        except RetryAfter as exc:
            wait = _retry_after_seconds(exc)
            await _release(nudge, token, "rate_limited")
            await runtime.limiter.penalize(wait)
            MESSAGES.labels(nudge.kind.value, "rate_limited").inc()
            log.warning("rate limited by Telegram", extra={"nudge_id": nudge.id, "retry_after": wait})
            await asyncio.sleep(wait)
            continue
        except Forbidden:
            await mark_bot_blocked(chat_id)
            await _finish_claimed(nudge, token, NudgeStatus.FAILED, "forbidden: the user blocked the bot", sent_at=None)
            MESSAGES.labels(nudge.kind.value, "blocked").inc()
            log.info("user blocked the bot", extra={"nudge_id": nudge.id, "user_id": user.id})
            return Outcome.BLOCKED
        except BadRequest as exc:  # a NetworkError subclass in python-telegram-bot: check it first
            await _finish_claimed(nudge, token, NudgeStatus.FAILED, f"bad request: {exc.message}", sent_at=None)
            MESSAGES.labels(nudge.kind.value, "failed").inc()
            log.warning("message refused", extra={"nudge_id": nudge.id, "error": exc.message})
            return Outcome.FAILED
        except (TimedOut, NetworkError) as exc:
            if _provably_not_sent(exc):
                await _release(nudge, token, f"network: {type(exc.__cause__ or exc).__name__}")
                log.warning("Telegram unreachable, retrying", extra={"nudge_id": nudge.id, "round": round_})
                await asyncio.sleep(_backoff(round_ - 1))
                continue
            await _finish_claimed(
                nudge, token, NudgeStatus.FAILED,
                f"outcome unknown ({type(exc.__cause__ or exc).__name__}); not resent to avoid a duplicate",
            )
            MESSAGES.labels(nudge.kind.value, "failed").inc()
            log.warning("send outcome unknown; not retried", extra={"nudge_id": nudge.id})
            return Outcome.FAILED
        except TelegramError as exc:  # InvalidToken, ChatMigrated, ...: nothing was sent
            await _finish_claimed(nudge, token, NudgeStatus.FAILED, f"{type(exc).__name__}", sent_at=None)
            MESSAGES.labels(nudge.kind.value, "failed").inc()
            log.error("message failed", extra={"nudge_id": nudge.id, "error": type(exc).__name__})
            return Outcome.FAILED
        sent_at = utcnow()
        await _finish_claimed(
            nudge, token, NudgeStatus.SENT, None, sent_at=sent_at, telegram_message_id=message.message_id
        )
        MESSAGES.labels(nudge.kind.value, "sent").inc()
        if nudge.kind is NudgeKind.REMINDER:
            lag = (sent_at - nudge.planned_at).total_seconds()
            if 0 <= lag < 86400:
                REMINDER_LAG.observe(lag)
        log.info("message sent", extra={"nudge_id": nudge.id, "kind": nudge.kind.value})
        return Outcome.SENT
    raise TransientDeliveryError(f"nudge {nudge.id}: Telegram unavailable after {MAX_SEND_ROUNDS} rounds")


async def sweep_stale_sending(*, now: datetime | None = None) -> int:
    """Rows left SENDING by a worker that died mid-request: their outcome is unknown, so they are
    marked FAILED (never re-sent; see the module docstring). Returns how many."""
    cutoff = (now or utcnow()) - STALE_SENDING
    return await Nudge.filter(status=NudgeStatus.SENDING, sent_at__lt=cutoff).update(
        status=NudgeStatus.FAILED, error="outcome unknown: the sender stopped mid-request; not resent"
    )
