"""Faults during a reminder fan-out, with real processes: is anything lost or sent twice?

    python -m bench.faults [--users 1500] [--scenario NAME[,NAME...]] [--redelivery 15]

The bench starts its own PostgreSQL (initdb + pg_ctl from /usr/lib/postgresql/*/bin, as the
`postgres` user when run as root) and its own Redis (redis-server) on spare ports, and the loopback
Bot API server (tests/botapi) with Telegram's limits (30 messages/s per bot, 1/s per chat; 429
beyond). Per scenario: a fresh database (migrated with `smarthabit migrate`), N users with a daily
reminder due now, `smarthabit worker` x2 and `smarthabit scheduler` (plus `smarthabit bot` where a
scenario needs it), then the minute scan is sent. When 30% of the reminders are out the fault is
injected:

  normal        no fault (the baseline)
  kill          worker 2 is SIGKILLed (and started again, as a supervisor would)
  sigterm       worker 2 is stopped with SIGTERM, as a deploy or a scale-down stops it, and started
                again; what it held is handed back (outage: how long it took to exit)
  redis         Redis restarted, 5 s down, with persistence (AOF)
  redis-lost    Redis restarted, 5 s down, without persistence: the task stream is gone
  pg20, pg120   PostgreSQL stopped for 20 s / 120 s
  tg429         Telegram answers 429 (retry_after 2) to every send for 10 s
  tg5xx         Telegram answers 500 to every send for 10 s
  tgslow        Telegram answers after 5 s for 20 s
  tg403         5% of the users blocked the bot (from the start)
  taps          10 people use the bot (one message every 2 s each) while the fan-out runs

Figures per scenario: expected (users minus chats that blocked the bot), delivered (chats that got
the reminder, counted at the Bot API server), duplicates (messages beyond one per chat), lost,
lag from the planned instant to the send (p50/p99), how long after the service came back the last
backlogged reminder went out ("drained"), 429 answers the server had to give, log lines of all
processes, and whether every process is still alive at the end without an outside restart (the
SIGKILLed worker of `kill` aside) and exits 0 on SIGTERM. Targets: 0 duplicates, 0 lost, drained
within 60 s of the service returning.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

import asyncpg
from redis import exceptions as redis_errors
from redis.asyncio import Redis

from bench.processes import REPO, Proc, start_botapi
from smarthabit.config import Settings
from smarthabit.models import Nudge, NudgeStatus, Reminder
from smarthabit.orm import database
from tasks.broker import CONSUMER_GROUP, SCAN_TASK, build_broker
from tasks.runtime import redis_namespace

TOKEN = "424242:BENCH-faults-token"
LIMIT = 30
FIRST_CHAT = 60_000_001
FIRST_PERSON = 90_000_001
FAULT_AT = 0.3
STALL_SECONDS = 75.0
SCENARIOS = ("normal", "kill", "sigterm", "redis", "redis-lost", "pg20", "pg120", "tg429", "tg5xx", "tgslow", "tg403",
             "taps")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"{name} not found under /usr/lib/postgresql/*/bin")
    return found[-1]


class Postgres:
    """A throwaway PostgreSQL cluster in a temporary directory."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.data = root / "pg"
        self.log = root / "pg.log"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_postgres, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def init(self) -> None:
        self.data.mkdir(mode=0o700)
        if self.as_postgres:
            shutil.chown(self.data, "postgres", "postgres")
            shutil.chown(self.data.parent, "postgres", "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.data}'\n"
                       "fsync = off\nsynchronous_commit = off\nmax_connections = 200\n")

    def start(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "start")

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


class RedisServer:
    """A redis-server of our own; `persist` keeps an append-only file across restarts."""

    def __init__(self, root: Path, *, persist: bool) -> None:
        self.port = free_port()
        self.dir = root / f"redis-{self.port}"
        self.dir.mkdir()
        self.persist = persist
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                "--save", "", "--appendonly", "yes" if self.persist else "no", "--protected-mode", "no"]
        self.proc = subprocess.Popen(args, stdout=(self.dir / "log").open("ab"), stderr=subprocess.STDOUT)
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.2):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is None:
            return
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "save" if self.persist else "nosave"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        self.proc.wait(10)
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class BotApi:
    """The loopback Bot API server in its own process, driven over its control API."""

    def __init__(self, root: Path) -> None:
        self.proc, self.url = start_botapi(root, TOKEN, LIMIT)

    def call(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = Request(  # noqa: S310 - the loopback server we started
            f"{self.url}/_control/{path}", data=data, headers={"Content-Type": "application/json"}
        )
        with urlopen(request, timeout=10) as response:  # noqa: S310 - the loopback server we started
            return json.load(response)["result"]

    async def acall(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return await asyncio.to_thread(self.call, path, body)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)


@dataclass
class Result:
    scenario: str
    expected: int = 0
    delivered: int = 0
    duplicates: int = 0
    lost: int = 0
    failed_rows: int = 0
    lag_p50: float = float("nan")
    lag_p99: float = float("nan")
    outage: float = 0.0
    drained: float = float("nan")
    rate_limited: int = 0
    log_lines: int = 0
    alive: bool = True
    clean_exit: bool = True
    answers: list[float] = field(default_factory=list)
    unanswered: int = 0
    notes: list[str] = field(default_factory=list)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Stack:
    """One scenario's world: database, Redis, Bot API, processes."""

    def __init__(self, args: argparse.Namespace, root: Path, pg: Postgres, name: str) -> None:
        self.args = args
        self.root = root
        self.pg = pg
        self.db_name = f"faults_{name.replace('-', '_')}"
        self.redis = RedisServer(root, persist=name != "redis-lost")
        self.botapi = BotApi(root)
        self.procs: dict[str, Proc] = {}
        self.restarted: set[str] = set()

    @property
    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "TELEGRAM_"))}
        return {**keep, "DATABASE_URL": self.pg.url(self.db_name), "REDIS_URL": self.redis.url,
                "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": self.botapi.url, "LOG_FORMAT": "json",
                "TASK_REDELIVERY_SECONDS": str(self.args.redelivery),
                "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING")}

    def spawn(self, name: str, *args: str) -> None:
        generation = sum(1 for key in self.procs if key.startswith(name))
        self.procs[name] = Proc.smarthabit(list(args), self.env, self.root / f"{self.db_name}-{name}-{generation}.log")

    async def prepare(self) -> None:
        self.redis.start()
        conn = await asyncpg.connect(self.pg.admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}"')
            await conn.execute(f'CREATE DATABASE "{self.db_name}"')
        finally:
            await conn.close()
        migrate = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "launcher.cli", "migrate", cwd=REPO, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        if await migrate.wait() != 0:
            raise RuntimeError("smarthabit migrate failed")

    def close(self) -> tuple[bool, bool]:
        """Stop every process; (all alive before the stop, all exited 0)."""
        alive = all(proc.alive for proc in self.procs.values())
        codes = {name: proc.stop() for name, proc in self.procs.items()}
        self.botapi.stop()
        self.redis.stop()
        return alive, all(code == 0 for code in codes.values())


async def seed(users: int, fire: datetime) -> None:
    """N users in UTC, one daily habit each, its reminder due at the instant `fire`."""
    from smarthabit.models import Habit, User

    await User.bulk_create([
        User(telegram_user_id=FIRST_CHAT + i, telegram_chat_id=FIRST_CHAT + i, display_name=f"user {i}",
             nudges_enabled=False) for i in range(users)
    ], batch_size=2000)
    ids = await User.filter(telegram_user_id__gte=FIRST_CHAT).order_by("id").values_list("id", flat=True)
    await Habit.bulk_create([Habit(user_id=uid, name="Reading", start_day=fire.date() - timedelta(days=2))
                             for uid in ids], batch_size=2000)
    await Reminder.bulk_create([
        Reminder(habit_id=hid, local_time=fire.time().replace(microsecond=0), next_fire_at=fire)
        for hid in await Habit.all().order_by("id").values_list("id", flat=True)
    ], batch_size=2000)


Fault = Callable[[Stack], Awaitable[float]]  # injects the fault; returns the outage in seconds


async def _pause_postgres(stack: Stack, seconds: float) -> float:
    await asyncio.to_thread(stack.pg.stop)
    await asyncio.sleep(seconds)
    await asyncio.to_thread(stack.pg.start)
    return seconds


async def _restart_redis(stack: Stack, seconds: float = 5.0) -> float:
    await asyncio.to_thread(stack.redis.stop)
    await asyncio.sleep(seconds)
    await asyncio.to_thread(stack.redis.start)
    return seconds


async def _telegram(stack: Stack, seconds: float, **fault: Any) -> float:
    await stack.botapi.acall("fault", {"method": "sendMessage", "seconds": seconds, **fault})
    await asyncio.sleep(seconds)
    return seconds


def _start_worker_again(stack: Stack) -> None:
    """Worker 2 started again after its fault, as a supervisor would."""
    stack.spawn("worker-2", "worker", "--concurrency", str(stack.args.concurrency))
    stack.restarted.add("worker-2")


async def _kill_worker(stack: Stack) -> float:
    stack.procs["worker-2"].stop(signal.SIGKILL)
    _start_worker_again(stack)
    return 0.0


async def _stop_worker(stack: Stack) -> float:
    started = time.monotonic()
    status = await asyncio.to_thread(stack.procs["worker-2"].stop, signal.SIGTERM)
    stopped = time.monotonic() - started
    if status != 0:
        raise RuntimeError(f"worker-2 exited {status} on SIGTERM")
    _start_worker_again(stack)
    return stopped


async def _nothing(stack: Stack) -> float:
    return 0.0


FAULTS: dict[str, Fault] = {
    "normal": _nothing,
    "kill": _kill_worker,
    "sigterm": _stop_worker,
    "redis": _restart_redis,
    "redis-lost": _restart_redis,
    "pg20": lambda stack: _pause_postgres(stack, 20),
    "pg120": lambda stack: _pause_postgres(stack, 120),
    "tg429": lambda stack: _telegram(stack, 10, status=429, retry_after=2),
    "tg5xx": lambda stack: _telegram(stack, 10, status=500),
    "tgslow": lambda stack: _telegram(stack, 20, status=200, delay=5),
    "tg403": _nothing,
    "taps": _nothing,
}


async def people_tapping(stack: Stack, result: Result, stop: asyncio.Event, people: int = 10) -> None:
    """People writing to the bot during the fan-out: each sends /help every 2 s and waits for the
    answer; the latency of each answer is recorded."""

    async def person(user_id: int) -> None:
        while not stop.is_set():
            before = len(await stack.botapi.acall(f"sent?chat_id={user_id}"))
            started = time.monotonic()
            await stack.botapi.acall("message", {"user_id": user_id, "text": "/help"})
            while len(await stack.botapi.acall(f"sent?chat_id={user_id}")) <= before:
                if time.monotonic() - started > 20:
                    result.unanswered += 1
                    break
                await asyncio.sleep(0.05)
            else:
                result.answers.append(time.monotonic() - started)
            await asyncio.sleep(max(0.0, 2.0 - (time.monotonic() - started)))

    await asyncio.gather(*(person(FIRST_PERSON + i) for i in range(people)))


async def watch(stack: Stack, expected_chats: set[int], started: float, fault: Fault,
                result: Result) -> float | None:
    """Wait for the fan-out, injecting the fault at FAULT_AT; returns the wall instant the service
    came back (None without an outage)."""
    fault_task: asyncio.Task[float] | None = None
    recovered_at: float | None = None
    last_progress, last_count = time.monotonic(), -1
    while True:
        await asyncio.sleep(1.0)
        per_chat = (await stack.botapi.acall("stats"))["per_chat"]
        count = sum(1 for chat in expected_chats if per_chat.get(str(chat)))
        if fault_task is None and count >= FAULT_AT * len(expected_chats):
            fault_task = asyncio.create_task(fault(stack))
        if fault_task is not None and fault_task.done() and recovered_at is None:
            result.outage = fault_task.result()
            recovered_at = time.time()
        if count != last_count:
            last_progress, last_count = time.monotonic(), count
        if count >= len(expected_chats) and fault_task is not None and fault_task.done():
            return recovered_at
        if time.monotonic() - last_progress > STALL_SECONDS and (fault_task is None or fault_task.done()):
            result.notes.append(f"stopped waiting after {time.monotonic() - started:.0f} s: no progress for "
                                f"{STALL_SECONDS:.0f} s")
            return recovered_at


async def ready(stack: Stack, settings: Settings, *, bot: bool, within: float = 240.0) -> None:
    """Wait until both workers read the task stream (and the bot polls), so start-up time on a busy
    machine does not count as delivery lag."""
    redis = Redis.from_url(stack.redis.url)
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            with contextlib.suppress(redis_errors.ResponseError):
                consumers = await redis.xinfo_consumers(f"{redis_namespace(settings)}:tasks", CONSUMER_GROUP)
                calls = (await stack.botapi.acall("stats"))["calls"]
                if len(consumers) >= 2 and (not bot or calls.get("getUpdates", 0) >= 1):
                    return
            await asyncio.sleep(0.2)
        raise RuntimeError("the processes did not start in time")
    finally:
        await redis.aclose()


async def run_scenario(args: argparse.Namespace, root: Path, pg: Postgres, name: str) -> Result:
    result = Result(name)
    stack = Stack(args, root, pg, name)
    try:
        await stack.prepare()
        blocked = {FIRST_CHAT + i for i in range(0, args.users, 20)} if name == "tg403" else set()
        for chat in blocked:
            await stack.botapi.acall("block", {"user_id": chat})
        expected_chats = {FIRST_CHAT + i for i in range(args.users)} - blocked
        settings = Settings(database_url=stack.pg.url(stack.db_name), redis_url=stack.redis.url,  # type: ignore[arg-type]
                            telegram_bot_token=TOKEN, telegram_api_url=stack.botapi.url,
                            _env_file=None)  # type: ignore[call-arg]
        async with database(settings.db_url):
            fire = datetime.now(UTC).replace(microsecond=0)
            await seed(args.users, fire + timedelta(days=1))  # not due until the bench says so
        for i in (1, 2):
            stack.spawn(f"worker-{i}", "worker", "--concurrency", str(args.concurrency))
        stack.spawn("scheduler", "scheduler")
        if name == "taps":
            stack.spawn("bot", "bot")
        await ready(stack, settings, bot=name == "taps")
        async with database(settings.db_url):  # due now: lags are measured from here
            await Reminder.all().update(next_fire_at=datetime.now(UTC))
        client = build_broker(settings, manage_database=False)
        await client.startup()
        scan = client.find_task(SCAN_TASK)
        assert scan is not None
        await scan.kiq()  # what the scheduler sends at the minute boundary
        await client.shutdown()
        started = time.monotonic()
        stop_people = asyncio.Event()
        people = asyncio.create_task(people_tapping(stack, result, stop_people)) if name == "taps" else None
        recovered_at = await watch(stack, expected_chats, started, FAULTS[name], result)
        stop_people.set()
        if people is not None:
            await people
        stats = await stack.botapi.acall("stats")
        per_chat = {int(chat): n for chat, n in stats["per_chat"].items() if int(chat) < FIRST_PERSON}
        result.expected = len(expected_chats)
        result.delivered = sum(1 for chat in expected_chats if per_chat.get(chat))
        result.duplicates = sum(n - 1 for n in per_chat.values() if n > 1)
        result.lost = result.expected - result.delivered
        result.rate_limited = stats["rate_limited"]
        async with database(settings.db_url):
            rows = await Nudge.filter(status=NudgeStatus.SENT).values_list("planned_at", "sent_at")
            result.failed_rows = await Nudge.filter(status=NudgeStatus.FAILED).count() - len(blocked)
        lags = [(sent - planned).total_seconds() for planned, sent in rows]
        result.lag_p50, result.lag_p99 = percentile(lags, 0.5), percentile(lags, 0.99)
        if recovered_at is not None and rows and result.outage > 0:
            result.drained = max(0.0, max(sent for _, sent in rows).timestamp() - recovered_at)
    finally:
        result.log_lines = sum(proc.lines() for proc in stack.procs.values())
        result.alive, result.clean_exit = stack.close()
    return result


def report(args: argparse.Namespace, results: list[Result]) -> None:
    def fmt(value: float, digits: int = 1) -> str:
        return "-" if value != value else f"{value:.{digits}f}"  # NaN -> "-"

    header = ["scenario", "expected", "delivered", "dup", "lost", "failed rows", "lag p50 s", "lag p99 s",
              "outage s", "drained s after", "429s", "log lines", "all alive", "exit 0"]
    rows = [header]
    for r in results:
        rows.append([r.scenario, str(r.expected), str(r.delivered), str(r.duplicates), str(r.lost),
                     str(r.failed_rows), fmt(r.lag_p50), fmt(r.lag_p99), fmt(r.outage, 0), fmt(r.drained),
                     str(r.rate_limited), str(r.log_lines), "yes" if r.alive else "NO",
                     "yes" if r.clean_exit else "NO"])
    widths = [max(len(row[c]) for row in rows) for c in range(len(header))]
    print(f"\nFaults during a fan-out: {args.users} reminders due at once; loopback Bot API limited to {LIMIT} "
          f"msg/s (1/s per chat); smarthabit worker x2 (concurrency {args.concurrency}) + scheduler; fault "
          f"injected at {FAULT_AT:.0%} delivered; ideal lag at 30/s: p50 {args.users * 0.5 / LIMIT:.1f} s, "
          f"p99 {args.users * 0.99 / LIMIT:.1f} s\n")
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(w) if c == 0 else cell.rjust(w) for c, (cell, w) in enumerate(zip(row, widths,
                                                                                                    strict=True))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    for r in results:
        if r.answers or r.unanswered:
            print(f"\n{r.scenario}: {len(r.answers)} answers to people, p50 {fmt(percentile(r.answers, 0.5), 2)} s, "
                  f"p99 {fmt(percentile(r.answers, 0.99), 2)} s, unanswered {r.unanswered}")
        for note in r.notes:
            print(f"note ({r.scenario}): {note}")


async def main_async(args: argparse.Namespace) -> None:
    root = Path(tempfile.mkdtemp(prefix="faults-"))
    os.chmod(root, 0o755)  # noqa: S103 - the postgres user must reach its data directory
    pg = Postgres(root)
    await asyncio.to_thread(pg.init)
    await asyncio.to_thread(pg.start)
    results = []
    try:
        for name in args.scenario:
            print(f"running {name} with {args.users} users ...", flush=True)
            try:
                results.append(await run_scenario(args, root, pg, name))
            except Exception as exc:  # one broken scenario does not hide the others' figures
                results.append(Result(name, alive=False, clean_exit=False, notes=[f"scenario failed: {exc!r}"]))
            print(f"  {results[-1]}", flush=True)
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            await asyncio.to_thread(pg.stop)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"logs kept in {root}")
    report(args, results)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--redelivery", type=float, default=15.0, help="TASK_REDELIVERY_SECONDS for the workers")
    parser.add_argument("--scenario", type=lambda s: [x for x in s.split(",") if x], default=list(SCENARIOS),
                        help=f"comma-separated, from: {', '.join(SCENARIOS)} (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory with every log")
    args = parser.parse_args(argv)
    unknown = set(args.scenario) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {sorted(unknown)}")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
