"""API load benchmark: check-ins and habit listing over HTTP, next to PostgreSQL's raw INSERT rate.

    python -m bench.api_load [--seconds 10] [--runs 3] [--clients 32] [--api-processes 2]
                             [--client-kind auto|wrk|aiohttp]

What it does, in one run:
1. creates a throw-away database (dropped at the end), migrates it, seeds users and habits directly
   (16,000 check-in habits per second of `--seconds`, so a round never runs out of fresh ones);
2. starts the API like production (`smarthabit api`, DATABASE_URL set, access log off, API_PROCESSES
   from `--api-processes`) in a subprocess;
3. per round: pgbench runs the check-in INSERT for `--seconds` with `--clients` connections; then the
   load generator drives `--clients` concurrent check-ins, then habit listings, for `--seconds` each:
   `wrk` when it is on the PATH (C, two threads, a generated Lua script replaying a file of
   "<token> <path>" lines, each at most once), else a second Python process (an aiohttp client, this
   module with `--client`); today's check-in rows are counted in the database against the requests
   answered; then check-in latency of habits with three years of history (1100 check-ins, streak
   cache valid) against habits with none, one request at a time through the aiohttp client,
   interleaved so drift hits both alike;
4. prints each round and the medians, with the targets: check-in throughput >= 25% of the raw
   INSERT rate, p99 < 50 ms at 32 clients, latency with history <= 1.2x without; GET /habits (10
   habits) >= 0.5 of the same round's check-in rate with p99 < 20 ms.

Every check-in is a first check-in of the day for its habit (a fresh (habit, day) row, the common
case); today's rows are deleted between rounds so the same habits serve every round.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import asyncpg

from bench.database import asyncpg_url, bench_database

JWT_SECRET = "bench-only-secret-" + "b" * 40
HABITS_PER_USER = 100
# Requests per second of load phase the seeded items must cover: a fresh (habit, today) for every check-in
# of a round (a quiet machine answered more than 8,000 req/s; 160,000 habits at the default 10 s) and as many listings.
ITEMS_PER_SECOND = 16_000
LIST_USERS = 200
LIST_HABITS = 10  # a typical user's list
HISTORY_HABITS = 300  # habits with three years of history, and as many without
HISTORY_DAYS = 1100
PGBENCH_DAY_SPAN = 36_500  # pgbench rows go to 1900..1999: no clash with the API's days
TARGET_RATIO, TARGET_P99_MS, TARGET_HISTORY_RATIO = 0.25, 50.0, 1.2
TARGET_LIST_RATIO, TARGET_LIST_P99_MS = 0.5, 20.0  # GET /habits against the check-in rate of the same round


# --- the load-generating client (runs in its own process) -------------------------------------------

async def _drive(job: dict[str, Any]) -> dict[str, Any]:
    """Run one phase against the API and report throughput and latency (milliseconds)."""
    tokens = job["tokens"]
    items = job["items"]  # [token index, path] per request, used in order, each at most once
    method = job["method"]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    connector = aiohttp.TCPConnector(limit=job["clients"])
    async with aiohttp.ClientSession(job["base_url"], connector=connector) as session:

        async def call(index: int) -> float:
            token, path = items[index]
            started = time.perf_counter()
            async with session.request(method, path, headers={"Authorization": f"Bearer {tokens[token]}"}) as r:
                await r.read()
            statuses[r.status] = statuses.get(r.status, 0) + 1
            return (time.perf_counter() - started) * 1000

        if job["mode"] == "interleaved":  # one at a time, alternating the two halves of `items`
            half = len(items) // 2
            groups: tuple[list[float], list[float]] = ([], [])
            for index in range(half):
                groups[0].append(await call(index))
                groups[1].append(await call(half + index))
            return {"median_ms": [statistics.median(group) for group in groups], "statuses": statuses}

        next_index = 0
        deadline = time.perf_counter() + job["seconds"]

        async def worker() -> None:
            nonlocal next_index
            while time.perf_counter() < deadline and next_index < len(items):
                index, next_index = next_index, next_index + 1
                latencies.append(await call(index))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(job["clients"])))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies), "elapsed": elapsed, "rps": len(latencies) / elapsed,
        "p50_ms": _percentile(latencies, 50), "p99_ms": _percentile(latencies, 99), "statuses": statuses,
        "exhausted": len(latencies) == len(items),
    }


def _percentile(sorted_values: list[float], percent: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * percent / 100))]


def _client_main() -> None:
    job = json.load(sys.stdin)
    print(json.dumps(asyncio.run(_drive(job))))


async def run_client(job: dict[str, Any]) -> dict[str, Any]:
    """Run a phase in a second process, so the client does not share the API's event loop or CPU slice."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.api_load", "--client",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate(json.dumps(job).encode())
    if process.returncode != 0:
        raise RuntimeError(f"load client failed with exit code {process.returncode}")
    return json.loads(out)


# --- wrk: the load phases from C, so the load generator takes little of the API's CPU ----------------

# Each thread takes lines index, index + threads, ... of the items file (0-based), so no line is sent
# twice across threads; wrk calls request() once before the run to check the request, which skips one line.
# A thread that runs out stops (rather than repeat a line) and says so; done() prints one JSON line.
WRK_SCRIPT = Template("""\
-- written by bench/api_load.py
local items_file = [==[$items_file]==]
local method = "$method"
local thread_count = $threads

local threads = {}
function setup(thread)
   thread:set("index", #threads)
   table.insert(threads, thread)
end

local queue, position = {}, 0
exhausted = false

function init(args)
   local body = nil
   if method ~= "GET" then body = "" end
   local n = 0
   for line in io.lines(items_file) do
      if n % thread_count == index then
         local token, path = line:match("^(%S+) (%S+)$$")
         queue[#queue + 1] = wrk.format(method, path, {["Authorization"] = "Bearer " .. token}, body)
      end
      n = n + 1
   end
end

function request()
   position = position + 1
   local r = queue[position]
   if r == nil then
      exhausted = true
      wrk.thread:stop()
      return wrk.format("GET", "/health")
   end
   return r
end

function done(summary, latency, requests)
   local out = 0
   for _, thread in ipairs(threads) do
      if thread:get("exhausted") then out = out + 1 end
   end
   local e = summary.errors
   io.write(string.format('BENCH_RESULT {"requests": %.0f, "duration_us": %.0f, "p50_us": %.1f, '
      .. '"p99_us": %.1f, "status": %.0f, "connect": %.0f, "read": %.0f, "write": %.0f, "timeout": %.0f, '
      .. '"exhausted_threads": %d}\\n', summary.requests, summary.duration, latency:percentile(50),
      latency:percentile(99), e.status, e.connect, e.read, e.write, e.timeout, out))
end
""")


def wrk_threads(clients: int) -> int:
    """Threads for wrk: one per core, at most one per connection, dividing the connections evenly."""
    threads = max(1, min(clients, os.cpu_count() or 1))
    while clients % threads:
        threads -= 1
    return threads


def write_items(path: Path, tokens: list[str], items: list[list[Any]]) -> Path:
    """The items file wrk's script replays: one `<token> <path>` line per request."""
    path.write_text("".join(f"{tokens[token]} {url}\n" for token, url in items))
    return path


async def run_wrk(base_url: str, items_file: Path, item_count: int, method: str, clients: int,
                  seconds: int) -> dict[str, Any]:
    """One load phase with wrk; the same figures as the aiohttp client (milliseconds), statuses by class."""
    threads = wrk_threads(clients)
    script = items_file.with_suffix(f".{method.lower()}.lua")
    script.write_text(WRK_SCRIPT.substitute(items_file=items_file, method=method, threads=threads))
    process = await asyncio.create_subprocess_exec(
        "wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--latency", "--timeout", "5s",
        "-s", str(script), base_url + "/",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    match = re.search(r"^BENCH_RESULT (\{.*\})$", out.decode(), re.MULTILINE)
    if process.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed (exit code {process.returncode}):\n{out.decode()}\n{err.decode()}")
    summary = json.loads(match.group(1))
    elapsed = summary["duration_us"] / 1e6
    # wrk counts HTTP statuses >= 400, and socket errors; it cannot tell 200 from 201
    unexpected = {("HTTP status >= 400" if key == "status" else f"{key} errors"): int(summary[key])
                  for key in ("status", "connect", "read", "write", "timeout") if summary[key]}
    return {
        "requests": int(summary["requests"]), "elapsed": elapsed, "rps": summary["requests"] / elapsed,
        "p50_ms": summary["p50_us"] / 1000, "p99_ms": summary["p99_us"] / 1000, "unexpected": unexpected,
        "exhausted": summary["exhausted_threads"] > 0 or summary["requests"] >= item_count,
    }


@dataclass
class LoadGenerator:
    """Runs the two load phases (check-ins, listings) with wrk or with the aiohttp client."""

    kind: str  # "wrk" or "aiohttp"
    base_url: str
    tokens: list[str]
    clients: int
    workdir: Path

    def describe(self) -> str:
        if self.kind == "wrk":
            return f"wrk ({wrk_threads(self.clients)} threads)"
        return "aiohttp client (a second Python process)"

    async def run(self, name: str, method: str, items: list[list[Any]], seconds: int,
                  expected: int) -> dict[str, Any]:
        if self.kind == "wrk":
            items_file = self.workdir / f"{name}.items"
            if not items_file.exists():
                write_items(items_file, self.tokens, items)
            return await run_wrk(self.base_url, items_file, len(items), method, self.clients, seconds)
        result = await run_client({"base_url": self.base_url, "tokens": self.tokens, "clients": self.clients,
                                   "seconds": seconds, "mode": "load", "method": method, "items": items})
        return {**result, "unexpected": _unexpected(result, {expected})}


# --- database: create, seed, reset, drop ---------------------------------------------------------------



@dataclass
class Seed:
    checkin_habits: list[tuple[int, int]]  # (user id, habit id)
    list_users: list[int]
    history_habits: list[tuple[int, int]]
    fresh_habits: list[tuple[int, int]]  # the control group of the history comparison


def checkin_users(seconds: int) -> int:
    """Users whose habits serve the check-in phase: ITEMS_PER_SECOND fresh habits per second of load."""
    return math.ceil(ITEMS_PER_SECOND * seconds / HABITS_PER_USER)


async def seed(conn: asyncpg.Connection, today: date, checkin_user_count: int) -> Seed:
    """Users, habits and three years of check-ins, written directly (COPY), with valid streak caches."""
    now = datetime.now(UTC)
    groups = {"checkin": checkin_user_count, "list": LIST_USERS, "history": HISTORY_HABITS // HABITS_PER_USER,
              "fresh": HISTORY_HABITS // HABITS_PER_USER}
    users: dict[str, list[int]] = {}
    for group, count in groups.items():
        rows = [(f"{group}{i}@bench.example", "", "UTC", True, True, False, now, now) for i in range(count)]
        await conn.copy_records_to_table("users", records=rows, columns=[
            "email", "display_name", "timezone", "reminders_enabled", "nudges_enabled", "bot_blocked",
            "created_at", "updated_at"])
        users[group] = [r["id"] for r in await conn.fetch(
            "SELECT id FROM users WHERE email LIKE $1 ORDER BY id", f"{group}%@bench.example")]
    habit_rows = []
    start = today - timedelta(days=HISTORY_DAYS + 30)
    for group, user_ids in users.items():
        per_user = LIST_HABITS if group == "list" else HABITS_PER_USER
        streak = HISTORY_DAYS if group == "history" else 0
        for user_id in user_ids:
            habit_rows += [(user_id, f"Habit {n}", "", "yes_no", "daily", 0, start, n, streak, streak, today, now, now)
                           for n in range(per_user)]
    await conn.copy_records_to_table("habits", records=habit_rows, columns=[
        "user_id", "name", "description", "kind", "schedule_kind", "schedule_weekdays", "start_day", "position",
        "current_streak", "longest_streak", "streak_day", "created_at", "updated_at"])
    habits = {group: [(r["user_id"], r["id"]) for r in await conn.fetch(
        "SELECT user_id, id FROM habits WHERE user_id = ANY($1::int[]) ORDER BY id", user_ids)]
        for group, user_ids in users.items()}
    history = [(habit_id, today - timedelta(days=d), "api", now)
               for _, habit_id in habits["history"] for d in range(1, HISTORY_DAYS + 1)]
    await conn.copy_records_to_table("checkins", records=history, columns=["habit_id", "day", "source", "created_at"])
    await conn.execute("ANALYZE")
    return Seed(habits["checkin"], users["list"], habits["history"], habits["fresh"])


async def reset_today(conn: asyncpg.Connection, today: date, history: list[int]) -> None:
    """Undo a round: drop today's and pgbench's check-ins, put the streak caches back."""
    await conn.execute("DELETE FROM checkins WHERE day >= $1 OR day < DATE '2000-01-01'", today)
    await conn.execute("UPDATE habits SET current_streak = 0, longest_streak = 0 "
                       "WHERE current_streak > 0 AND NOT id = ANY($1::int[])", history)
    await conn.execute("UPDATE habits SET current_streak = $2, longest_streak = $2 WHERE id = ANY($1::int[])",
                       history, HISTORY_DAYS)
    await conn.execute("VACUUM ANALYZE checkins")
    await conn.execute("VACUUM ANALYZE habits")


async def todays_checkins(conn: asyncpg.Connection, today: date) -> int:
    """Today's check-in rows, once the count is stable (requests cut at the end may still be committing)."""
    count = -1
    for _ in range(20):
        previous, count = count, await conn.fetchval("SELECT count(*) FROM checkins WHERE day >= $1", today)
        if count == previous:
            break
        await asyncio.sleep(0.25)
    return count


# --- pgbench: PostgreSQL's own rate for the same INSERT ----------------------------------------------

PGBENCH_SCRIPT = f"""\
\\set habit random(1, :habits)
\\set day random(0, {PGBENCH_DAY_SPAN})
INSERT INTO checkins (habit_id, day, value, note, source, created_at)
VALUES (:habit, DATE '1900-01-01' + :day::int, NULL, NULL, 'api', now()) ON CONFLICT DO NOTHING;
"""


def pgbench(url: str, clients: int, seconds: int, habits: int) -> float:
    """Transactions per second of pgbench running the check-in INSERT (autocommit, prepared)."""
    parts = urlsplit(url)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT)
    try:
        completed = subprocess.run(
            ["pgbench", "-n", "-M", "prepared", "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1)),
             "-T", str(seconds), "-D", f"habits={habits}", "-f", script.name,
             "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres",
             parts.path.lstrip("/")],
            capture_output=True, text=True, check=False,
        )
    finally:
        Path(script.name).unlink()
    match = re.search(r"tps = ([\d.]+)", completed.stdout)
    if completed.returncode != 0 or match is None:
        raise RuntimeError(f"pgbench failed:\n{completed.stdout}\n{completed.stderr}")
    return float(match.group(1))


# --- the API process -----------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def api_server(url: str, processes: int) -> Any:
    """`smarthabit api` as in production (API_PROCESSES server processes), on a free port; stopped with SIGTERM.

    It runs in a session of its own, so that if it does not stop in time its server processes are killed too."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "JWT_SECRET": JWT_SECRET, "LOG_LEVEL": "WARNING",
           "SMARTHABIT_ENV": "production", "PORT": str(port), "HOST": "127.0.0.1", "API_PROCESSES": str(processes)}
    env.pop("REDIS_URL", None)
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "launcher.cli", "api", env=env,
                                                   start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                with suppress(aiohttp.ClientError):
                    async with session.get(f"{base_url}/health") as response:
                        if response.status == 200:
                            break
                if process.returncode is not None:
                    raise RuntimeError("the API process exited during start-up")
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the API did not become healthy")
        yield base_url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=30)
        except TimeoutError:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


# --- the benchmark ---------------------------------------------------------------------------------------

def _tokens(user_ids: list[int]) -> tuple[list[str], dict[int, int]]:
    from api.tokens import issue_token
    from smarthabit.config import Settings

    settings = Settings(database_url="postgres://unused/x", jwt_secret=JWT_SECRET, _env_file=None)  # type: ignore[arg-type,call-arg]
    index = {user_id: i for i, user_id in enumerate(user_ids)}
    return [issue_token(settings, user_id, "access").token for user_id in user_ids], index


async def bench(seconds: int, runs: int, clients: int, api_processes: int, client_kind: str) -> None:
    today = datetime.now(UTC).date()
    async with bench_database(f"smarthabit_bench_{os.getpid()}") as url:
        conn = await asyncpg.connect(asyncpg_url(url))
        try:
            print(f"seeding {url.rsplit('/', 1)[1]} ...", flush=True)
            data = await seed(conn, today, checkin_users(seconds))
            users = sorted({u for u, _ in data.checkin_habits + data.history_habits + data.fresh_habits}
                           | set(data.list_users))
            tokens, index = _tokens(users)
            history_ids = [h for _, h in data.history_habits]
            checkins = [[index[u], f"/habits/{h}/checkin"] for u, h in data.checkin_habits]
            listings = [[index[u], "/habits"] for u in data.list_users] * math.ceil(
                ITEMS_PER_SECOND * max(seconds, 2) / len(data.list_users))
            history = ([[index[u], f"/habits/{h}/checkin"] for u, h in data.history_habits]
                       + [[index[u], f"/habits/{h}/checkin"] for u, h in data.fresh_habits])
            with tempfile.TemporaryDirectory(prefix="smarthabit-bench-") as workdir:
                async with api_server(url, api_processes) as base_url:
                    load = LoadGenerator(client_kind, base_url, tokens, clients, Path(workdir))
                    print(f"load generator: {load.describe()}; {api_processes} API processes; "
                          f"{len(checkins)} check-in habits", flush=True)
                    await load.run("listings", "GET", listings, 2, 200)  # warm-up
                    rounds = []
                    for number in range(1, runs + 1):
                        raw = await asyncio.to_thread(pgbench, url, clients, seconds, len(data.checkin_habits))
                        await reset_today(conn, today, history_ids)
                        checkin = await load.run("checkins", "POST", checkins, seconds, 201)
                        rows = await todays_checkins(conn, today)
                        listing = await load.run("listings", "GET", listings, seconds, 200)
                        latency = await run_client({"base_url": base_url, "tokens": tokens, "clients": clients,
                                                    "mode": "interleaved", "method": "POST", "items": history})
                        await reset_today(conn, today, history_ids)
                        result = {
                            "pgbench_tps": raw, "checkin_rps": checkin["rps"], "checkin_p50": checkin["p50_ms"],
                            "checkin_p99": checkin["p99_ms"], "list_rps": listing["rps"],
                            "list_p50": listing["p50_ms"], "list_p99": listing["p99_ms"],
                            "history_ms": latency["median_ms"][0], "fresh_ms": latency["median_ms"][1],
                        }
                        for warning in _warnings(checkin, listing, latency, rows, clients):
                            print(f"  warning: {warning}", flush=True)
                        rounds.append(result)
                        _print_round(number, result)
        finally:
            await conn.close()
    _print_summary(rounds, clients, api_processes, load.describe())


def _warnings(checkin: dict[str, Any], listing: dict[str, Any], latency: dict[str, Any], rows: int,
              clients: int) -> list[str]:
    """What makes a round's figures suspect: unexpected answers, too few items, check-ins not in the database."""
    warnings = []
    for phase, result in (("check-in", checkin), ("listing", listing)):
        if result["unexpected"]:
            warnings.append(f"{phase}: unexpected statuses {result['unexpected']}")
        if result["exhausted"]:
            warnings.append(f"{phase}: ran out of items (seed more)")
    if bad := _unexpected(latency, {201}):
        warnings.append(f"history latency: unexpected statuses {bad}")
    # every answered check-in is a new row; requests cut at the end may have completed server-side too
    if not checkin["requests"] <= rows <= checkin["requests"] + clients:
        warnings.append(f"check-in: {rows} rows for today in the database after {checkin['requests']} answered "
                        f"requests (expected {checkin['requests']} to {checkin['requests'] + clients})")
    return warnings


def _unexpected(result: dict[str, Any], expected: set[int]) -> dict[str, int]:
    return {str(status): count for status, count in result["statuses"].items() if int(status) not in expected}


def _print_round(number: int, r: dict[str, float]) -> None:
    print(f"round {number}: pgbench {r['pgbench_tps']:.0f} tps | check-in {r['checkin_rps']:.0f} req/s "
          f"p50 {r['checkin_p50']:.1f} ms p99 {r['checkin_p99']:.1f} ms | list {r['list_rps']:.0f} req/s "
          f"p50 {r['list_p50']:.1f} ms p99 {r['list_p99']:.1f} ms | check-in with history {r['history_ms']:.2f} ms, "
          f"without {r['fresh_ms']:.2f} ms", flush=True)


def _print_summary(rounds: list[dict[str, float]], clients: int, api_processes: int, generator: str) -> None:
    median = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    ratio = statistics.median(r["checkin_rps"] / r["pgbench_tps"] for r in rounds)
    history_ratio = statistics.median(r["history_ms"] / r["fresh_ms"] for r in rounds)
    list_ratio = statistics.median(r["list_rps"] / r["checkin_rps"] for r in rounds)

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"\nmedians of {len(rounds)} rounds, {clients} concurrent clients, {api_processes} API processes, "
          f"load generator {generator}:")
    print(f"  PostgreSQL INSERT (pgbench)  {median['pgbench_tps']:8.0f} tps")
    print(f"  POST /habits/{{id}}/checkin   {median['checkin_rps']:8.0f} req/s   p50 {median['checkin_p50']:6.1f} ms"
          f"   p99 {median['checkin_p99']:6.1f} ms")
    print(f"  GET /habits ({LIST_HABITS} habits)     {median['list_rps']:8.0f} req/s   p50 {median['list_p50']:6.1f} ms"
          f"   p99 {median['list_p99']:6.1f} ms")
    print(f"  check-in / raw INSERT        {ratio:8.2f}      target >= {TARGET_RATIO:.2f}  "
          f"{verdict(ratio >= TARGET_RATIO)}")
    print(f"  check-in p99                 {median['checkin_p99']:8.1f} ms   target < {TARGET_P99_MS:.0f} ms  "
          f"{verdict(median['checkin_p99'] < TARGET_P99_MS)}")
    print(f"  GET /habits / check-in       {list_ratio:8.2f}      target >= {TARGET_LIST_RATIO:.2f}  "
          f"{verdict(list_ratio >= TARGET_LIST_RATIO)}")
    print(f"  GET /habits p99              {median['list_p99']:8.1f} ms   target < {TARGET_LIST_P99_MS:.0f} ms  "
          f"{verdict(median['list_p99'] < TARGET_LIST_P99_MS)}")
    print(f"  latency {HISTORY_DAYS} days history / none {history_ratio:5.2f}      "
          f"target <= {TARGET_HISTORY_RATIO:.1f}   {verdict(history_ratio <= TARGET_HISTORY_RATIO)}"
          f"   ({median['history_ms']:.2f} ms vs {median['fresh_ms']:.2f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each load phase (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="rounds; medians are reported (default 3)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--api-processes", type=int, default=2,
                        help="API server processes on the port, API_PROCESSES (default 2: one per core here)")
    parser.add_argument("--client-kind", choices=("auto", "wrk", "aiohttp"), default="auto",
                        help="load generator for the check-in and listing phases: wrk, the Python aiohttp client, "
                             "or wrk when it is on the PATH (default auto)")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        _client_main()
        return
    if args.seconds < 1 or args.runs < 1 or args.clients < 1 or args.api_processes < 1:
        parser.error("--seconds, --runs, --clients and --api-processes must be at least 1")
    kind = args.client_kind
    if kind == "auto":
        kind = "wrk" if shutil.which("wrk") else "aiohttp"
    elif kind == "wrk" and not shutil.which("wrk"):
        parser.error("--client-kind wrk: wrk is not on the PATH (Debian: apt-get install wrk)")
    asyncio.run(bench(args.seconds, args.runs, args.clients, args.api_processes, kind))


if __name__ == "__main__":
    main()
