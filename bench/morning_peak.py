"""The morning peak: a reminder fan-out while people tap "Done" on the reminders they got.

    python -m bench.morning_peak [--users 10000] [--tap-share 0.3] [--tap-within 120] [--workers 2]

Everything is real but Telegram: a fresh PostgreSQL database (migrated), Redis (task stream, shared
rate limiter), `smarthabit worker` processes, the bot as its own process (`smarthabit bot`, long
polling), and the loopback Bot API server (its own process, `bench.peak_people`, which also plays the
people) with Telegram's limits switched on (30 messages/s per bot, 1/s per chat; 429 beyond them). A
minute before the reminders' minute and at it the bench sends the per-minute scan as the scheduler
does (a `smarthabit scheduler` sends the following minutes' scans, which plan the rest of the wave);
the workers plan `--users` reminders and deliver them. A wave too big to send within its minute starts
a minute early (`tasks.planning.reminder_horizon`). Each
person who gets a reminder taps its "Done" button with probability `--tap-share`, after a delay
drawn uniformly from 1 s to `--tap-within` s, while the fan-out is still going on.

Figures: tap -> answer (the bot's answerCallbackQuery for that tap reaching the Bot API) p50 and p99;
429 answers of the Bot API (to the bot and the workers together; and how many came within a second
after the Bot API's own process paused, so that it read requests late and stamped them together);
taps that were never answered;
reminder lag planned -> sent p1, p50 and p99 (negative: early) next to an ideal sender at exactly
30/s (message k goes out k/30 s after the minute, none early), and the rate the reminders went out
at. Targets: tap -> answer p99 < 1 s, no 429, lag p99 within 10% of the ideal sender's. 10,000 users
take about seven minutes; `--users 1500` about two.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from bench.fanout import LIMIT, TOKEN, _admin, _db_url, _percentile, _seed, _wipe
from bench.processes import Proc, start_server
from smarthabit.config import Settings, redis_namespace
from smarthabit.migrations import apply_migrations
from smarthabit.models import Nudge, NudgeStatus
from smarthabit.orm import database
from tasks.broker import SCAN_TASK, build_broker
from tasks.planning import EARLY_START

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
TARGET_ANSWER_P99, TARGET_LAG_RATIO = 1.0, 1.10


@dataclass
class Result:
    users: int
    taps: int = 0
    unanswered: int = 0
    answer_p50: float = float("nan")
    answer_p99: float = float("nan")
    rate_limited: int = 0
    rate_limited_after_stall: int = 0  # within a second after the Bot API's own process paused
    sends_after_stall_share: float = 0.0  # of all sends: how common such a second was
    sent: int = 0
    lag_p01: float = float("nan")  # the earliest (negative: before its time)
    lag_p50: float = float("nan")
    lag_p99: float = float("nan")
    ideal_p50: float = float("nan")
    ideal_p99: float = float("nan")
    send_rate: float = float("nan")  # reminders a second from the first send to the last
    wall: float = 0.0


async def run(args: argparse.Namespace) -> Result:
    result = Result(users=args.users)
    name = f"smarthabit_bench_peak_{os.getpid()}"
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _admin(f'CREATE DATABASE "{name}"')
    url = _db_url(name)
    await apply_migrations(url)
    tmp = Path(tempfile.mkdtemp(prefix="morning-peak-"))
    people_out = tmp / "people.json"
    people, botapi_url = start_server(
        ["bench.peak_people", "--token", TOKEN, "--limit", str(LIMIT), "--tap-share", str(args.tap_share),
         "--tap-within", str(args.tap_within), "--out", str(people_out)], tmp / "people.log")
    settings = Settings(database_url=url, redis_url=REDIS_URL, telegram_bot_token=TOKEN,  # type: ignore[arg-type]
                        telegram_api_url=botapi_url, _env_file=None)  # type: ignore[call-arg]
    redis = Redis.from_url(REDIS_URL)
    namespace = redis_namespace(settings)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "TELEGRAM_"))},
           "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "TELEGRAM_BOT_TOKEN": TOKEN,
           "TELEGRAM_API_URL": botapi_url, "LOG_LEVEL": "WARNING"}
    procs: list[Proc] = []
    try:
        await _wipe(redis, namespace)
        async with database(url):
            # Seeded and started a minute before the wave's minute: a wave too big to send within its
            # minute starts that early (tasks.planning.reminder_horizon), as in production.
            fire = (datetime.now(UTC) + EARLY_START + timedelta(seconds=25 + args.users / 2000)).replace(
                second=0, microsecond=0) + timedelta(minutes=1)
            await _seed(args.users, fire)
            procs = [Proc.smarthabit(["worker", "--concurrency", str(args.concurrency)], env, tmp / f"worker-{i}.log")
                     for i in range(args.workers)]
            procs.append(Proc.smarthabit(["bot"], env, tmp / "bot.log"))
            # The scheduler sends the following minutes' scans: a scan plans at most 3,000 reminders
            # (tasks.planning), the rest of the wave goes to the next ones, as in production.
            procs.append(Proc.smarthabit(["scheduler"], env, tmp / "scheduler.log"))
            client = build_broker(settings, manage_database=False)
            await client.startup()
            scan = client.find_task(SCAN_TASK)
            assert scan is not None
            started = time.monotonic()
            for minute in (fire - EARLY_START, fire):  # the scans the scheduler sends (exactly on the minute)
                await asyncio.sleep(max(0.0, (minute - datetime.now(UTC)).total_seconds()))
                await scan.kiq()
            await _wait_for_delivery(args.users)
            people.send_signal(signal.SIGTERM)  # the last taps, their answers, the figures
            await asyncio.to_thread(people.wait, args.tap_within + 30)
            result.wall = time.monotonic() - started
            await client.shutdown()
            rows = await Nudge.filter(status=NudgeStatus.SENT).values_list("planned_at", "sent_at")
        _fill(result, json.loads(await asyncio.to_thread(people_out.read_text)), rows)
    finally:
        for proc in procs:
            proc.stop()
        if people.poll() is None:
            people.kill()
        await _wipe(redis, namespace)
        await redis.aclose()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return result


async def _wait_for_delivery(users: int) -> None:
    last, stalled = -1, time.monotonic()
    while True:
        await asyncio.sleep(1.0)
        done = await Nudge.filter(status__in=[NudgeStatus.SENT, NudgeStatus.FAILED, NudgeStatus.SKIPPED]).count()
        if done >= users:
            return
        if done != last:
            last, stalled = done, time.monotonic()
        elif time.monotonic() - stalled > 90:
            print(f"  stopped waiting: {done} of {users} reminders settled, no progress for 90 s", flush=True)
            return


def _fill(result: Result, people: dict[str, Any], rows: list[tuple[datetime, datetime]]) -> None:
    waits = people["waits"]
    result.taps = people["taps"]
    result.unanswered = people["taps"] - len(waits)
    result.answer_p50, result.answer_p99 = _percentile(waits, 0.5), _percentile(waits, 0.99)
    result.rate_limited = people["rate_limited"]
    result.rate_limited_after_stall = people["rate_limited_after_stall"]
    result.sends_after_stall_share = people["sends_after_stall"] / max(people["sends"], 1)
    lags = [(sent - planned).total_seconds() for planned, sent in rows]
    result.sent = len(lags)
    result.lag_p01, result.lag_p50, result.lag_p99 = (_percentile(lags, q) for q in (0.01, 0.5, 0.99))
    sent = sorted(at for _, at in rows)
    if len(sent) > 1:
        result.send_rate = (len(sent) - 1) / (sent[-1] - sent[0]).total_seconds()
    ideal = [k / LIMIT for k in range(len(lags))]
    result.ideal_p50, result.ideal_p99 = _percentile(ideal, 0.5), _percentile(ideal, 0.99)


def report(args: argparse.Namespace, r: Result) -> None:
    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    ratio = r.lag_p99 / r.ideal_p99 if r.ideal_p99 else float("nan")
    print(f"\nMorning peak: {r.users} reminders due in one minute, {args.workers} workers x {args.concurrency}, "
          f"the bot polling in its own process; {r.taps} taps ({args.tap_share:.0%} of recipients, 1-"
          f"{args.tap_within:.0f} s after their reminder); loopback Bot API at {LIMIT} msg/s, 1/s per chat\n")
    print(f"  tap -> answer p50 / p99        {r.answer_p50 * 1000:7.0f} / {r.answer_p99 * 1000:.0f} ms   "
          f"target p99 < {TARGET_ANSWER_P99 * 1000:.0f} ms  {verdict(r.answer_p99 < TARGET_ANSWER_P99)}")
    print(f"  taps never answered            {r.unanswered:7d}")
    print(f"  429 answers                    {r.rate_limited:7d}   target 0  {verdict(r.rate_limited == 0)}")
    print(f"    of them within 1 s after the Bot API's own process paused >= 35 ms  {r.rate_limited_after_stall}"
          f"   (of all sends: {r.sends_after_stall_share:.0%})")
    print(f"  reminders sent                 {r.sent:7d} of {r.users}")
    print(f"  lag planned -> sent p1 / p50 / p99  {r.lag_p01:.1f} / {r.lag_p50:.1f} / {r.lag_p99:.1f} s  "
          f"(negative: sent early; a wave starts up to {EARLY_START.total_seconds():.0f} s early)")
    print(f"  sending rate                   {r.send_rate:7.2f} /s  ({r.send_rate / LIMIT:.3f} of the ideal {LIMIT}/s)")
    print(f"  ideal 30/s sender p50 / p99    {r.ideal_p50:7.1f} / {r.ideal_p99:.1f} s")
    print(f"  lag p99 / ideal p99            {ratio:7.3f}   target <= {TARGET_LAG_RATIO:.2f}  "
          f"{verdict(ratio <= TARGET_LAG_RATIO)}")
    print(f"  wall time                      {r.wall:7.1f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.morning_peak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--tap-share", type=float, default=0.3)
    parser.add_argument("--tap-within", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args(argv)
    report(args, asyncio.run(run(args)))


if __name__ == "__main__":
    main()
