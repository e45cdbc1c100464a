"""Delivery: claimed once, sent at most once, Telegram's errors handled (429, 5xx, 403, refused
connections, a connection cut after the request was written), quiet hours held or dropped."""

from __future__ import annotations

import asyncio
import time as clock
from datetime import time, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis
from taskiq import AsyncBroker

from smarthabit.checkins import check_in
from smarthabit.clock import utcnow
from smarthabit.habits import create_habit
from smarthabit.metrics import OUTCOME_UNKNOWN
from smarthabit.missed import Missed, count_missed, missed_reminders
from smarthabit.models import Nudge, NudgeKind, NudgeStatus, User
from smarthabit.schemas import HabitCreate
from smarthabit.telegram_budget import HORIZON, Priority, RedisBudget
from tasks import delivery, request_written
from tasks.delivery import Outcome, deliver
from tasks.planning import plan_due_reminders
from tasks.runtime import DELIVER_TASK, Runtime
from tests.botapi import BotApiServer, Fault, RateLimit
from tests.tasks.conftest import BOT_TOKEN, MakeUser, make_settings, scan, utc

FIRE = utc(2026, 6, 15, 8, 0)
# python-telegram-bot itself warns when it builds a RetryAfter (the 429 tests).
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def planned_reminder(make_user: MakeUser, **user_fields: Any) -> tuple[User, int]:
    user = await make_user("UTC", nudges_enabled=False, **user_fields)
    await create_habit(user, HabitCreate(name="Reading", reminder_times=[time(8, 0)]), now=FIRE - timedelta(hours=3))
    [nudge_id] = await plan_due_reminders(FIRE)
    return user, nudge_id


async def test_a_repeated_delivery_task_sends_once(runtime: Runtime, make_user: MakeUser,
                                                   botapi: BotApiServer) -> None:
    user, nudge_id = await planned_reminder(make_user)
    assert await deliver(runtime, nudge_id, now=FIRE) is Outcome.SENT
    assert await deliver(runtime, nudge_id, now=FIRE) is Outcome.NOT_MINE
    nudge = await Nudge.get(id=nudge_id)
    assert nudge.status is NudgeStatus.SENT and nudge.attempts >= 1
    assert nudge.telegram_message_id == botapi.sent_to(user.telegram_chat_id)[0]["message_id"]
    assert nudge.sent_at is not None
    assert botapi.stats.sent == 1


async def test_concurrent_deliveries_from_two_workers_send_once(task_settings: Any, make_user: MakeUser,
                                                                botapi: BotApiServer) -> None:
    user, nudge_id = await planned_reminder(make_user)
    workers = [Runtime(task_settings, manage_database=False, chat_interval=0.0, global_rate=1000) for _ in range(2)]
    for worker in workers:
        await worker.startup()
    try:
        outcomes = await asyncio.gather(*(deliver(w, nudge_id, now=FIRE) for w in workers for _ in range(3)))
    finally:
        for worker in workers:
            await worker.shutdown()
    assert sorted(outcomes).count(Outcome.SENT) == 1
    assert botapi.stats.sent == 1
    assert len(botapi.sent_to(user.telegram_chat_id)) == 1


async def test_duplicated_tasks_through_the_broker_send_once(broker: AsyncBroker, make_user: MakeUser,
                                                             botapi: BotApiServer) -> None:
    user = await make_user("UTC", nudges_enabled=False)
    await create_habit(user, HabitCreate(name="Reading", reminder_times=[time(8, 0)]), now=FIRE - timedelta(hours=3))
    await asyncio.gather(scan(broker, FIRE), scan(broker, FIRE))  # a duplicated scan
    [nudge] = await Nudge.filter(user_id=user.id)
    task = broker.find_task(DELIVER_TASK)
    assert task is not None
    for _ in range(3):  # a retried / redelivered delivery task
        await task.kiq(nudge.id, now=FIRE.isoformat())
    assert botapi.stats.sent == 1


async def test_replanning_the_same_reminder_day_is_a_no_op(runtime: Runtime, make_user: MakeUser,
                                                           botapi: BotApiServer) -> None:
    from smarthabit.models import Reminder

    user, nudge_id = await planned_reminder(make_user)
    await deliver(runtime, nudge_id, now=FIRE)
    await Reminder.filter(habit__user_id=user.id).update(next_fire_at=FIRE)  # as if the scan ran again
    assert await plan_due_reminders(FIRE + timedelta(seconds=30)) == []
    assert await Nudge.filter(user_id=user.id).count() == 1


async def test_429_waits_retry_after_and_each_message_goes_once(db: str, make_user: MakeUser) -> None:
    async with BotApiServer([BOT_TOKEN], rate_limit=RateLimit(global_limit=2, chat_limit=1)) as server:
        settings = make_settings(db, server)
        # A limiter far above the server's limit, so the server answers 429 and we must obey it.
        runtime = Runtime(settings, manage_database=False, chat_interval=0.0, global_rate=1000)
        await runtime.startup()
        try:
            users, ids = [], []
            for _ in range(5):
                user = await make_user("UTC", nudges_enabled=False)
                await create_habit(user, HabitCreate(name="Reading", reminder_times=[time(8, 0)]), now=FIRE)
                users.append(user)
            ids = await plan_due_reminders(FIRE + timedelta(days=1))
            started = clock.monotonic()
            outcomes = await asyncio.gather(*(deliver(runtime, i, now=FIRE + timedelta(days=1)) for i in ids))
            elapsed = clock.monotonic() - started
        finally:
            await runtime.shutdown()
        assert outcomes == [Outcome.SENT] * 5
        assert server.stats.rate_limited >= 1
        assert server.stats.sent == 5
        assert all(server.stats.per_chat[u.telegram_chat_id] == 1 for u in users)
        assert elapsed >= 1.0  # retry_after (1 s) was waited out
        assert {n.status for n in await Nudge.filter(id__in=ids)} == {NudgeStatus.SENT}


@pytest.mark.parametrize("paid_rate", [0, 200])
async def test_paid_broadcasts_go_past_the_free_limit_only_when_switched_on(
    paid_rate: int, db: str, make_user: MakeUser
) -> None:
    """TELEGRAM_PAID_BROADCAST_RATE: bulk messages carry allow_paid_broadcast and the one budget
    books at that rate; the server lets them past its 5-a-second limit. Off, the same burst is held
    to the free rate (booked at 4/s here, under the limit) and nothing carries the flag."""
    async with BotApiServer([BOT_TOKEN], rate_limit=RateLimit(global_limit=5, chat_limit=1)) as server:
        settings = make_settings(db, server, telegram_paid_broadcast_rate=paid_rate)
        runtime = Runtime(settings, manage_database=False, chat_interval=0.0, global_rate=paid_rate or 4)
        assert runtime.paid_broadcast is (paid_rate > 0)
        await runtime.startup()
        try:
            for _ in range(6):
                user = await make_user("UTC", nudges_enabled=False)
                await create_habit(user, HabitCreate(name="Reading", reminder_times=[time(8, 0)]), now=FIRE)
            ids = await plan_due_reminders(FIRE + timedelta(days=1))
            outcomes = await asyncio.gather(*(deliver(runtime, i, now=FIRE + timedelta(days=1)) for i in ids))
        finally:
            await runtime.shutdown()
        assert outcomes == [Outcome.SENT] * 6
        assert server.stats.rate_limited == 0
        flags = [call.params.get("allow_paid_broadcast") for call in server.requests if call.method == "sendMessage"]
        assert flags == [True] * 6 if paid_rate else flags == [None] * 6


async def test_403_marks_the_user_blocked_and_stops(broker: AsyncBroker, make_user: MakeUser,
                                                    botapi: BotApiServer) -> None:
    user = await make_user("UTC", nudges_enabled=False)
    await create_habit(user, HabitCreate(name="Reading", reminder_times=[time(8, 0)]), now=FIRE - timedelta(hours=3))
    await botapi.block(user.telegram_chat_id)
    await scan(broker, FIRE)
    await user.refresh_from_db()
    assert user.bot_blocked
    [nudge] = await Nudge.filter(user_id=user.id)
    assert nudge.status is NudgeStatus.FAILED and "blocked" in (nudge.error or "")
    assert botapi.stats.sent == 0
    await scan(broker, FIRE + timedelta(days=1))  # blocked users get nothing planned any more
    assert await Nudge.filter(user_id=user.id).count() == 1


async def _attempts_reach(nudge_id: int, count: int) -> None:
    for _ in range(500):
        if (await Nudge.get(id=nudge_id)).attempts >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"fewer than {count} attempts")


async def test_refused_connections_are_retried_until_telegram_is_back(
    task_settings: Any, make_user: MakeUser, botapi: BotApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "RETRY_BASE", 0.02)
    user, nudge_id = await planned_reminder(make_user)
    runtime = Runtime(task_settings, manage_database=False, chat_interval=0.0, global_rate=1000)
    await runtime.startup()
    port = int(botapi.url.rsplit(":", 1)[1])
    try:
        await runtime.bot()  # initialised while the server is up
        await botapi.stop()  # now every connection is refused: provably nothing was sent
        sending = asyncio.create_task(deliver(runtime, nudge_id, now=FIRE))
        await _attempts_reach(nudge_id, 3)
        nudge = await Nudge.get(id=nudge_id)
        assert nudge.status in (NudgeStatus.PENDING, NudgeStatus.SENDING)  # handed back and claimed again
        async with BotApiServer([BOT_TOKEN]) as server:  # Telegram is back, same address
            await server.stop()
            await server.start(port=port)
            assert await sending is Outcome.SENT
            assert len(server.sent_to(user.telegram_chat_id)) == 1
    finally:
        await runtime.shutdown()


@pytest.mark.parametrize("status", [500, 502, 429])
async def test_definite_errors_are_retried_and_sent_once(
    status: int, runtime: Runtime, make_user: MakeUser, botapi: BotApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "RETRY_BASE", 0.02)
    user, nudge_id = await planned_reminder(make_user)
    botapi.fail(Fault(method="sendMessage", status=status, count=3))
    assert await deliver(runtime, nudge_id, now=FIRE) is Outcome.SENT
    assert botapi.stats.faults == 3
    assert len(botapi.sent_to(user.telegram_chat_id)) == 1
    assert (await Nudge.get(id=nudge_id)).status is NudgeStatus.SENT


async def test_a_message_past_its_deadline_is_given_up(
    runtime: Runtime, make_user: MakeUser, botapi: BotApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "RETRY_BASE", 0.2)
    _, nudge_id = await planned_reminder(make_user)
    botapi.fail(Fault(method="sendMessage", status=500))
    late = FIRE + delivery.MAX_LATENESS[NudgeKind.REMINDER] - timedelta(seconds=0.3)
    assert await deliver(runtime, nudge_id, now=late) is Outcome.FAILED
    nudge = await Nudge.get(id=nudge_id)
    assert nudge.status is NudgeStatus.FAILED and "deadline" in (nudge.error or "")
    assert botapi.stats.sent == 0


async def test_a_connection_cut_after_the_request_is_unknown_and_counted(
    runtime: Runtime, make_user: MakeUser, botapi: BotApiServer
) -> None:
    _, nudge_id = await planned_reminder(make_user)
    before = OUTCOME_UNKNOWN._value.get()
    botapi.fail(Fault(method="sendMessage", status=0, count=1))
    assert await deliver(runtime, nudge_id, now=FIRE) is Outcome.UNKNOWN
    assert await deliver(runtime, nudge_id, now=FIRE) is Outcome.NOT_MINE  # never sent again
    nudge = await Nudge.get(id=nudge_id)
    assert nudge.status is NudgeStatus.FAILED and "outcome unknown" in (nudge.error or "")
    assert OUTCOME_UNKNOWN._value.get() == before + 1


async def test_a_send_with_unknown_outcome_is_never_repeated(broker: AsyncBroker, make_user: MakeUser,
                                                             botapi: BotApiServer) -> None:
    _, nudge_id = await planned_reminder(make_user)
    # A worker claimed it, wrote the request and died 11 minutes ago: nobody can tell whether it arrived.
    await Nudge.filter(id=nudge_id).update(status=NudgeStatus.SENDING, attempts=1, error=delivery.REQUEST_WRITTEN,
                                           sent_at=utcnow() - timedelta(minutes=11))
    await scan(broker, FIRE + timedelta(minutes=1))
    nudge = await Nudge.get(id=nudge_id)
    assert nudge.status is NudgeStatus.FAILED and "outcome unknown" in (nudge.error or "")
    assert botapi.stats.sent == 0


def claimed_and_abandoned(seconds_ago: float) -> dict[str, Any]:
    """The row as a worker SIGKILLed between its claim and writing the request leaves it."""
    return {"status": NudgeStatus.SENDING, "attempts": 1, "error": f"{delivery.CLAIM_NOTE}0badc0ffee",
            "sent_at": utcnow() - timedelta(seconds=seconds_ago)}


async def test_a_claim_whose_request_was_never_written_is_sent_when_redelivered(
    runtime: Runtime, make_user: MakeUser, botapi: BotApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "UNWRITTEN_GRACE", timedelta(seconds=1.5))
    # A claim slower than LATE_TOLERANCE (25 ms: a loaded machine) would be handed back and made again,
    # one attempt more; this test counts the takeover's one claim, so no slot counts as missed here.
    monkeypatch.setattr(delivery, "LATE_TOLERANCE", 60.0)
    user, nudge_id = await planned_reminder(make_user)
    started = clock.monotonic()  # before the claim's instant is taken: a slow UPDATE cannot shorten the wait seen
    await Nudge.filter(id=nudge_id).update(**claimed_and_abandoned(seconds_ago=0.5))
    assert await deliver(runtime, nudge_id, now=FIRE) is Outcome.SENT  # waits out the rest of the grace
    assert clock.monotonic() - started >= 0.9
    assert len(botapi.sent_to(user.telegram_chat_id)) == 1
    nudge = await Nudge.get(id=nudge_id)
    assert nudge.status is NudgeStatus.SENT and nudge.attempts == 2


async def test_the_minute_scan_releases_unwritten_claims_and_sends_them_once(
    broker: AsyncBroker, make_user: MakeUser, botapi: BotApiServer
) -> None:
    user, nudge_id = await planned_reminder(make_user)
    written_user, written_id = await planned_reminder(make_user)
    await Nudge.filter(id=nudge_id).update(**claimed_and_abandoned(seconds_ago=40))
    await Nudge.filter(id=written_id).update(**{**claimed_and_abandoned(seconds_ago=40),
                                                "error": delivery.REQUEST_WRITTEN})
    await scan(broker, FIRE + timedelta(minutes=1))
    await botapi.wait_for_message(user.telegram_chat_id)
    await scan(broker, FIRE + timedelta(minutes=2))
    assert len(botapi.sent_to(user.telegram_chat_id)) == 1
    assert (await Nudge.get(id=nudge_id)).status is NudgeStatus.SENT
    # The one whose request was written may have arrived: it stays as it is, never sent again.
    assert botapi.sent_to(written_user.telegram_chat_id) == []
    assert (await Nudge.get(id=written_id)).status is NudgeStatus.SENDING


async def test_the_row_says_request_written_before_telegram_answers(
    runtime: Runtime, make_user: MakeUser, botapi: BotApiServer
) -> None:
    user, nudge_id = await planned_reminder(make_user)
    botapi.fail(Fault(method="sendMessage", status=200, delay=1.0, count=1))  # a slow answer
    sending = asyncio.create_task(deliver(runtime, nudge_id, now=FIRE))
    seen: list[str | None] = []
    while not sending.done():
        seen.append((await Nudge.get(id=nudge_id)).error)
        await asyncio.sleep(0.02)
    assert await sending is Outcome.SENT
    assert delivery.REQUEST_WRITTEN in seen  # while the answer was awaited
    assert len(botapi.sent_to(user.telegram_chat_id)) == 1


async def test_a_claim_too_old_to_write_never_reaches_telegram(
    runtime: Runtime, make_user: MakeUser, botapi: BotApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that stalled past WRITE_BY after its claim must not write: another may have taken
    the claim over as unwritten. The request is refused before it starts; the claim is given back."""
    monkeypatch.setattr(request_written, "WRITE_BY", -1.0)  # every claim is already too old
    monkeypatch.setattr(delivery, "RETRY_BASE", 0.05)
    _, nudge_id = await planned_reminder(make_user)
    late = FIRE + delivery.MAX_LATENESS[NudgeKind.REMINDER] - timedelta(seconds=1.5)
    assert await deliver(runtime, nudge_id, now=late) is Outcome.FAILED
    nudge = await Nudge.get(id=nudge_id)
    assert nudge.status is NudgeStatus.FAILED and "ClaimTooOld" in (nudge.error or "")
    assert botapi.stats.sent == 0 and botapi.stats.calls.get("sendMessage", 0) == 0


async def test_redis_limiter_spaces_sends_across_processes(clean_redis: Redis, redis_url: str, db: str) -> None:
    from smarthabit.config import Settings
    from tasks.runtime import redis_namespace

    prefix = redis_namespace(Settings(database_url=db, _env_file=None)) + ":budget"  # type: ignore[call-arg]
    a = RedisBudget(clean_redis, prefix=prefix, global_rate=20, chat_interval=1.0)
    other = Redis.from_url(redis_url)  # a second connection, as another worker process would have
    b = RedisBudget(other, prefix=prefix, global_rate=20, chat_interval=1.0)
    slots = []
    for i in range(6):
        booking = await (a if i % 2 else b).book(chat_id=100 + i)
        assert booking.booked
        slots.append(clock.monotonic() + booking.wait)  # the booked instant, however late this asked for it
    # One timeline for both "processes": slots 50 ms apart.
    for i, slot in enumerate(slots):
        assert abs(slot - slots[0] - 0.05 * i) < 0.03, slots
    again = await a.book(chat_id=100)
    assert not again.booked and 0.6 < again.wait <= 1.0  # that chat is still cooling down
    await b.penalize(2.0)
    assert (await a.book(chat_id=999, priority=Priority.PERSON)).wait > 1.8  # a 429 pauses everyone
    await other.aclose()


async def test_a_person_goes_before_queued_bulk_messages(clean_redis: Redis) -> None:
    budget = RedisBudget(clean_redis, prefix="test-priority", global_rate=10, chat_interval=0.0)
    reminders = [await budget.book(chat_id=i, priority=Priority.REMINDER) for i in range(30)]
    booked = [b for b in reminders if b.booked]
    ahead = HORIZON[Priority.REMINDER] * 10  # slots of 0.1 s
    assert ahead <= len(booked) <= ahead + 2  # reminders book at most their horizon ahead ...
    assert not reminders[-1].booked  # ... the rest are told to ask again
    nudge = await budget.book(chat_id=500, priority=Priority.NUDGE)
    assert not nudge.booked  # nudges wait while reminders hold the horizon
    person = await budget.book(chat_id=1000, priority=Priority.PERSON)
    assert person.booked and person.wait <= HORIZON[Priority.REMINDER] + 0.3  # right after the slots handed out


async def test_a_rejected_token_never_reaches_an_error_message(task_settings: Any, botapi: BotApiServer) -> None:
    settings = task_settings.model_copy(update={"telegram_bot_token": SecretStr("999:not-the-right-secret")})
    runtime = Runtime(settings, manage_database=False)
    with pytest.raises(RuntimeError) as caught:
        await runtime.bot()
    chain = [caught.value, caught.value.__cause__, caught.value.__context__]
    assert not any("not-the-right-secret" in repr(e) for e in chain if e is not None)


async def test_reminders_that_missed_their_deadline_are_mentioned_once_in_the_next_message(
    runtime: Runtime, make_user: MakeUser, botapi: BotApiServer
) -> None:
    """Nothing is dropped silently: a reminder still queued past its deadline is counted, and the
    person's next reminder names it (unless that habit was done meanwhile); only once."""
    user = await make_user("UTC", nudges_enabled=False)
    made = FIRE - timedelta(hours=3)
    await create_habit(user, HabitCreate(name="Run", reminder_times=[time(8, 0)]), now=made)
    stretch = await create_habit(user, HabitCreate(name="Stretch", reminder_times=[time(8, 0)]), now=made)
    await create_habit(user, HabitCreate(name="Read", reminder_times=[time(10, 30)]), now=made)
    early = await plan_due_reminders(FIRE)
    too_late = FIRE + delivery.MAX_LATENESS[NudgeKind.REMINDER] + timedelta(minutes=1)
    assert [await deliver(runtime, i, now=too_late) for i in early] == [Outcome.SKIPPED] * 2
    await check_in(user.id, stretch.id, day=FIRE.date(), now=too_late)  # done meanwhile: no need to mention it
    read_at = FIRE.replace(hour=10, minute=30)
    [read] = await plan_due_reminders(read_at)
    assert await deliver(runtime, read, now=read_at) is Outcome.SENT
    text = botapi.sent_to(user.telegram_chat_id)[-1]["text"]
    assert "Time for Read" in text and "could not send on time: Run." in text
    assert (await Nudge.get(id=read)).text.count("could not send") == 0  # the stored text stays the planned one
    assert await missed_reminders(user.id, too_late) == Missed(nudge_ids=[], habit_names=[])
    assert await count_missed() == 2  # both still counted once in /metrics, folded or not
    assert await count_missed() == 0
