"""Reminder fan-out: N users with a reminder due in the same minute, through the real workers.

    python -m bench.fanout [--users 10000] [--workers 2] [--concurrency 20] [--runs 1]
                           [--scenarios normal,kill] [--redelivery 15]

Everything is real: a fresh PostgreSQL database (migrated), Redis (the task stream, the shared rate
limiter), `smarthabit worker` processes, and the loopback Bot API server in its own process with
Telegram's limits switched on (30 messages/s per bot, 1/s per chat; it answers 429 beyond them).
At the minute boundary the bench sends the per-minute scan exactly as the scheduler does; a worker
plans the reminders and enqueues one delivery task each; the workers deliver them.

Scenarios: "normal", and "kill": worker 1 is SIGKILLed once 30% of the messages are out and
restarted at once; its unacknowledged tasks are redelivered after `--redelivery` seconds.

Figures (medians over `--runs`): delivered rate as a fraction of the 30/s limit (first to last
message), 429 answers, duplicates (messages beyond one per chat), lost (chats that got nothing),
rows left with an unknown outcome, and punctuality: the lag from the planned instant to the send,
p50 and p99, next to the lag an ideal sender at exactly 30/s would have. 10,000 users at 30/s take
about 5.5 minutes per scenario; `--users 1500` runs in about a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen
from zoneinfo import ZoneInfo

import asyncpg
from redis.asyncio import Redis

from bench.processes import REPO, Proc, start_botapi
from smarthabit.config import Settings
from smarthabit.models import Habit, Nudge, NudgeStatus, Reminder, User
from smarthabit.orm import database
from tasks.broker import SCAN_TASK, build_broker
from tasks.runtime import redis_namespace

ADMIN_URL = os.environ.get("BENCH_DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
TOKEN = "424242:BENCH-fanout-token"
LIMIT = 30  # messages per second, the Bot API server's bot-wide limit
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney")
FIRST_CHAT = 50_000_001
KILL_AT = 0.3


@dataclass
class Result:
    users: int
    delivered: int = 0
    chats: int = 0
    duplicates: int = 0
    lost: int = 0
    rate_limited: int = 0
    unknown: int = 0
    rate: float = 0.0
    lag_p50: float = 0.0
    lag_p99: float = 0.0
    first_after: float = 0.0
    wall: float = 0.0
    killed_at: float | None = None
    notes: list[str] = field(default_factory=list)


def _db_url(name: str) -> str:
    return urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{name}"))


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _stats(url: str) -> dict[str, Any]:
    with urlopen(f"{url}/_control/stats", timeout=10) as response:  # noqa: S310 - loopback URL we started
        return json.load(response)["result"]


async def _seed(users: int, fire: datetime) -> None:
    """N users in a few zones, one daily habit each, its reminder due at the instant `fire`."""
    rows = [
        User(telegram_user_id=FIRST_CHAT + i, telegram_chat_id=FIRST_CHAT + i, timezone=ZONES[i % len(ZONES)],
             display_name=f"user {i}", nudges_enabled=False)
        for i in range(users)
    ]
    await User.bulk_create(rows, batch_size=2000)
    people = await User.filter(telegram_user_id__gte=FIRST_CHAT).order_by("id").values_list("id", "timezone")
    habits = [
        Habit(user_id=uid, name="Reading", start_day=fire.astimezone(ZoneInfo(tz)).date() - timedelta(days=1))
        for uid, tz in people
    ]
    await Habit.bulk_create(habits, batch_size=2000)
    zone_of = dict(people)
    reminders = [
        Reminder(habit_id=hid, local_time=fire.astimezone(ZoneInfo(zone_of[uid])).time(), next_fire_at=fire)
        for hid, uid in await Habit.all().order_by("id").values_list("id", "user_id")
    ]
    await Reminder.bulk_create(reminders, batch_size=2000)


async def _wipe(redis: Redis, namespace: str) -> None:
    keys = [key async for key in redis.scan_iter(f"{namespace}:*")]
    if keys:
        await redis.delete(*keys)


async def run_once(args: argparse.Namespace, kill: bool, index: int) -> Result:
    """One scenario on a fresh database, fresh workers and a fresh Bot API server."""
    result = Result(users=args.users)
    name = f"smarthabit_bench_fanout_{os.getpid()}_{index}"
    await _admin(f'DROP DATABASE IF EXISTS "{name}"')
    await _admin(f'CREATE DATABASE "{name}"')
    url = _db_url(name)
    migrate = await asyncio.create_subprocess_exec(  # `smarthabit migrate`, as a deployment does
        sys.executable, "-m", "launcher.cli", "migrate", cwd=REPO, env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    if await migrate.wait() != 0:
        raise RuntimeError("smarthabit migrate failed")
    tmp = Path(tempfile.mkdtemp(prefix="fanout-"))
    server, api_url = start_botapi(tmp, TOKEN, LIMIT)
    settings = Settings(
        database_url=url, redis_url=REDIS_URL, telegram_bot_token=TOKEN, telegram_api_url=api_url,  # type: ignore[arg-type]
        task_redelivery_seconds=args.redelivery, _env_file=None,  # type: ignore[call-arg]
    )
    namespace = redis_namespace(settings)
    redis = Redis.from_url(REDIS_URL)
    await _wipe(redis, namespace)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "TELEGRAM_"))},
        "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api_url,
        "TASK_REDELIVERY_SECONDS": str(args.redelivery), "LOG_LEVEL": "WARNING",
    }

    def worker(i: int, generation: int = 0) -> Proc:
        return Proc.smarthabit(["worker", "--concurrency", str(args.concurrency)], env,
                               tmp / f"worker-{i}-{generation}.log")

    workers: list[Proc] = []
    try:
        async with database(url):
            now = datetime.now(UTC)
            lead = timedelta(seconds=20 + args.users / 2000)  # seeding and worker start-up fit before it
            fire = (now + lead).replace(second=0, microsecond=0) + timedelta(minutes=1)
            await _seed(args.users, fire)
            workers = [worker(i) for i in range(args.workers)]
            client = build_broker(settings, manage_database=False)
            await client.startup()
            await asyncio.sleep(max(0.0, (fire - datetime.now(UTC)).total_seconds()))
            scan = client.find_task(SCAN_TASK)
            assert scan is not None
            await scan.kiq()  # what the scheduler sends at the minute boundary
            started = time.monotonic()
            last_progress, last_done = time.monotonic(), -1
            generation = 0
            while True:
                await asyncio.sleep(0.5)
                done = await Nudge.filter(status__in=[NudgeStatus.SENT, NudgeStatus.FAILED, NudgeStatus.SKIPPED]
                                          ).count()
                open_ = await Nudge.filter(status__in=[NudgeStatus.PENDING, NudgeStatus.SENDING]).count()
                sent = await Nudge.filter(status=NudgeStatus.SENT).count()
                if kill and result.killed_at is None and sent >= KILL_AT * args.users:
                    workers[1 % len(workers)].stop(signal.SIGKILL)
                    result.killed_at = time.monotonic() - started
                    generation += 1
                    workers[1 % len(workers)] = worker(1 % len(workers), generation)
                if done != last_done:
                    last_progress, last_done = time.monotonic(), done
                planned = done + open_
                if planned >= args.users and open_ == 0:
                    break
                if time.monotonic() - last_progress > max(60.0, 3 * args.redelivery):
                    result.notes.append(f"stopped waiting: {open_} rows still open, no progress for a minute")
                    break
            result.wall = time.monotonic() - started
            await client.shutdown()
            rows = await Nudge.filter(status=NudgeStatus.SENT).values_list("planned_at", "sent_at")
            result.unknown = await Nudge.filter(status__in=[NudgeStatus.SENDING, NudgeStatus.FAILED]).count()
        lags = [(sent_at - planned).total_seconds() for planned, sent_at in rows]
        sent_times = sorted(sent_at for _, sent_at in rows)
        stats = _stats(api_url)
        per_chat = {int(chat): count for chat, count in stats["per_chat"].items()}
        result.delivered = stats["sent"]
        result.chats = len(per_chat)
        result.duplicates = sum(count - 1 for count in per_chat.values() if count > 1)
        result.lost = args.users - sum(1 for chat in range(FIRST_CHAT, FIRST_CHAT + args.users) if per_chat.get(chat))
        result.rate_limited = stats["rate_limited"]
        if len(sent_times) > 1:
            span = (sent_times[-1] - sent_times[0]).total_seconds()
            result.rate = (len(sent_times) - 1) / span if span else float("nan")
            result.first_after = (sent_times[0] - fire).total_seconds()
        result.lag_p50, result.lag_p99 = _percentile(lags, 0.5), _percentile(lags, 0.99)
    finally:
        for proc in workers:
            proc.stop()
        server.send_signal(signal.SIGTERM)
        server.wait(10)
        await _wipe(redis, namespace)
        await redis.aclose()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return result


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(args: argparse.Namespace, results: dict[str, list[Result]]) -> None:
    ideal_p50 = args.users * 0.5 / LIMIT
    ideal_p99 = args.users * 0.99 / LIMIT
    titles = {"normal": f"{args.workers} workers", "kill": f"{args.workers} workers, one SIGKILLed at 30% + restarted"}
    names = list(results)

    def row(label: str, fmt: str, pick: Any) -> list[str]:
        return [label, *(fmt.format(_median([pick(r) for r in results[n]])) for n in names)]

    rows = [
        ["", *(titles[n] for n in names)],
        row("messages delivered", "{:.0f}", lambda r: r.delivered),
        row("delivered rate, msg/s (first to last)", "{:.2f}", lambda r: r.rate),
        row("  as a fraction of the 30/s limit", "{:.3f}", lambda r: r.rate / LIMIT),
        row("429 answers", "{:.0f}", lambda r: r.rate_limited),
        row("duplicates", "{:.0f}", lambda r: r.duplicates),
        row("lost (chats with no message)", "{:.0f}", lambda r: r.lost),
        row("rows with unknown outcome / failed", "{:.0f}", lambda r: r.unknown),
        row("first message after the minute, s", "{:.2f}", lambda r: r.first_after),
        row("lag planned -> sent p50, s", "{:.1f}", lambda r: r.lag_p50),
        row("lag planned -> sent p99, s", "{:.1f}", lambda r: r.lag_p99),
        ["  ideal sender at exactly 30/s p50 / p99", *(f"{ideal_p50:.1f} / {ideal_p99:.1f}" for _ in names)],
        row("worker killed after, s", "{:.1f}", lambda r: r.killed_at if r.killed_at is not None else float("nan")),
        row("wall time, s", "{:.1f}", lambda r: r.wall),
    ]
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    print(f"\nFan-out: {args.users} users, one reminder each due in the same minute; loopback Bot API limited to "
          f"{LIMIT} msg/s (1/s per chat); RedisStreamBroker, {args.workers} worker processes x concurrency "
          f"{args.concurrency}; redelivery after {args.redelivery:g} s; medians of {args.runs} run(s)\n")
    for i, r in enumerate(rows):
        cells = enumerate(zip(r, widths, strict=True))
        print("  ".join(cell.ljust(w) if c == 0 else cell.rjust(w) for c, (cell, w) in cells))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    for name in names:
        for run, r in enumerate(results[name], 1):
            print(f"run {run} ({name}): delivered {r.delivered}, duplicates {r.duplicates}, lost {r.lost}, "
                  f"rows with unknown outcome / failed {r.unknown}")
            for note in r.notes:
                print(f"note ({name}): {note}")


async def main_async(args: argparse.Namespace) -> None:
    results: dict[str, list[Result]] = {}
    index = 0
    for scenario in args.scenarios:
        for run in range(args.runs):
            print(f"running {scenario} #{run + 1} with {args.users} users ...", flush=True)
            results.setdefault(scenario, []).append(await run_once(args, scenario == "kill", index))
            index += 1
    report(args, results)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--redelivery", type=float, default=15.0, help="TASK_REDELIVERY_SECONDS for the workers")
    parser.add_argument("--scenarios", type=lambda s: [x for x in s.split(",") if x], default=["normal", "kill"])
    args = parser.parse_args(argv)
    unknown = set(args.scenarios) - {"normal", "kill"}
    if unknown:
        parser.error(f"unknown scenarios: {sorted(unknown)}")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
