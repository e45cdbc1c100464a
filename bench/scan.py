"""Planning at scale: the per-minute scan and the nightly run over a seeded population.

    python -m bench.scan [--habits 1000000] [--nightly-users 1000] [--runs 3]

What it does, in one run:
1. creates a throw-away database (dropped at the end), migrates it and seeds with COPY: `--habits`
   habits of `--habits / 2` users in 13 time zones (the biggest, Europe/Berlin, holds 22%), learned
   usual check-in minutes (a quarter not learned yet: their skip trigger is the default 09:00),
   streaks (about 40% at least a week), reminders on 30% of the habits (07:00, 08:00 and 09:00 local
   are the popular times), today's forecasts as the nightly run stores them, some check-ins done
   already, and each habit's next nudge instant and each reminder's next firing instant;
2. runs the minute scan (reminders, then nudges, then the housekeeping and backlog reads) as the
   worker does, for an ordinary minute (08:50 in Berlin), the 09:00 peak in Berlin and the five
   minutes after it (a scan plans at most `REMINDERS_PER_SCAN` reminders; the rest of the wave goes
   to the next scans), catching up the minutes in between unmeasured; the 20:00 streak-risk wave in
   Berlin is measured the same way;
3. runs the nightly refresh over `--nightly-users` users with 2 habits each and 120 days of history
   (seeded separately), in the bounded batches the workers run, and reports habits per second;
4. prints statements (every SQL statement the ORM sends, counted from its query log) and wall time
   of each measured minute, with the targets: minute scan <= 1 s and <= 20 statements, peak included;
   nightly >= 2,000 habits/s for one worker (this process).
`--runs` repeats the measured minutes on fresh copies of the same day (the nudges and the stored
instants are reset between runs) and the medians are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall
from typing import Any

import asyncpg

from bench.database import asyncpg_url, bench_database
from smarthabit import skip_trees
from smarthabit.clock import zone
from smarthabit.nudge_times import next_trigger, skip_minute, streak_minute
from smarthabit.reminder_times import next_fire_at
from smarthabit.schedule import ScheduleKind

ZONES = {
    "Europe/Berlin": 0.22, "America/New_York": 0.15, "Asia/Kolkata": 0.12, "America/Los_Angeles": 0.08,
    "Europe/London": 0.08, "Asia/Tokyo": 0.06, "America/Sao_Paulo": 0.06, "Asia/Shanghai": 0.05,
    "America/Chicago": 0.05, "Australia/Sydney": 0.04, "Europe/Moscow": 0.04, "Africa/Lagos": 0.03,
    "Asia/Kathmandu": 0.02,
}
BIG_ZONE = "Europe/Berlin"
DAY = date(2026, 12, 2)  # a Wednesday in winter
PEAK = datetime(2026, 12, 2, 9, 0, tzinfo=zone(BIG_ZONE)).astimezone(UTC)
ORDINARY = PEAK - timedelta(minutes=10)
EVENING = datetime(2026, 12, 2, 20, 0, tzinfo=zone(BIG_ZONE)).astimezone(UTC)
REMINDER_TIMES = [(wall(7), 0.2), (wall(8), 0.2), (wall(9), 0.15)]
TARGET_SECONDS, TARGET_STATEMENTS, TARGET_NIGHTLY = 1.0, 20, 2000.0
NIGHTLY_HISTORY_DAYS = 120




# --- seeding ---------------------------------------------------------------------------------------

def _usual(rng: random.Random) -> int | None:
    """A learned usual check-in minute: mornings and evenings, a quarter not learned yet."""
    roll = rng.random()
    if roll < 0.25:
        return None
    centre = 7.5 * 60 if roll < 0.65 else 20 * 60
    return int(min(max(rng.gauss(centre, 90), 0), 1439))


def _schedule(rng: random.Random) -> tuple[ScheduleKind, int, int | None]:
    roll = rng.random()
    if roll < 0.8:
        return ScheduleKind.DAILY, 0, None
    if roll < 0.92:
        return ScheduleKind.WEEKDAYS, 0b0011111, None
    return ScheduleKind.TIMES_PER_WEEK, 0, 3


@dataclass
class Population:
    users: list[tuple[Any, ...]] = field(default_factory=list)
    habits: list[tuple[Any, ...]] = field(default_factory=list)
    reminders: list[tuple[Any, ...]] = field(default_factory=list)
    forecasts: list[tuple[Any, ...]] = field(default_factory=list)
    checkins: list[tuple[Any, ...]] = field(default_factory=list)


class _Instants:
    """Next trigger and firing instants, computed once per distinct (zone, minutes)."""

    def __init__(self, after: datetime) -> None:
        self.after = after
        self._nudge: dict[tuple[Any, ...], datetime | None] = {}
        self._reminder: dict[tuple[Any, ...], datetime] = {}

    def nudge(self, tz: str, user_id: int, kind: ScheduleKind, usual: int | None, streak: int) -> datetime | None:
        key = (tz, skip_minute(kind, usual, user_id), streak_minute(kind, streak, user_id))
        if key not in self._nudge:
            self._nudge[key] = next_trigger(key[1:], tz, self.after)
        return self._nudge[key]

    def reminder(self, tz: str, at: wall) -> datetime:
        if (tz, at) not in self._reminder:
            self._reminder[(tz, at)] = next_fire_at(at, tz, self.after)
        return self._reminder[(tz, at)]


def _reminder_time(rng: random.Random) -> wall:
    roll = rng.random()
    for at, share in REMINDER_TIMES:
        if roll < share:
            return at
        roll -= share
    return wall(rng.randint(6, 22), rng.choice((0, 30)))


def population(habit_count: int, after: datetime, seed: int = 14) -> Population:
    """Users (2 habits each) spread over the zones, with everything the scan reads."""
    rng = random.Random(seed)
    pop, instants, now = Population(), _Instants(after), datetime.now(UTC)
    zones, weights = list(ZONES), list(ZONES.values())
    for user_id in range(1, habit_count // 2 + 1):
        tz = rng.choices(zones, weights)[0]
        quiet = (wall(22), wall(7)) if rng.random() < 0.1 else (None, None)
        pop.users.append((user_id, tz, user_id, user_id, rng.random() < 0.95, *quiet, "", True, False, now, now))
        for position in range(2):
            habit_id = user_id * 2 - 1 + position
            kind, weekdays, times = _schedule(rng)
            usual = _usual(rng)
            streak = int(rng.expovariate(1 / 8))
            pop.habits.append((habit_id, user_id, f"Habit {position}", kind.value, weekdays, times,
                               DAY - timedelta(days=200), position, streak, streak, DAY, usual,
                               instants.nudge(tz, user_id, kind, usual, streak), "", "yes_no", now, now))
            for day in (DAY, DAY + timedelta(days=1)):  # east of Berlin, the evening is tomorrow already
                pop.forecasts.append((habit_id, day, min(rng.betavariate(2, 4) * 1.4, 0.97), "", now))
            if rng.random() < 0.3:
                at = _reminder_time(rng)
                pop.reminders.append((habit_id, at, instants.reminder(tz, at), now))
            if rng.random() < 0.1:
                pop.checkins.append((habit_id, DAY, "api", now))
    return pop


async def seed(conn: asyncpg.Connection, pop: Population) -> None:
    await conn.copy_records_to_table("users", records=pop.users, columns=[
        "id", "timezone", "telegram_user_id", "telegram_chat_id", "nudges_enabled", "quiet_start", "quiet_end",
        "display_name", "reminders_enabled", "bot_blocked", "created_at", "updated_at"])
    await conn.copy_records_to_table("habits", records=pop.habits, columns=[
        "id", "user_id", "name", "schedule_kind", "schedule_weekdays", "times_per_week", "start_day",
        "position", "current_streak", "longest_streak", "streak_day", "usual_checkin_minute", "next_nudge_at",
        "description", "kind", "created_at", "updated_at"])
    await conn.copy_records_to_table("reminders", records=pop.reminders, columns=[
        "habit_id", "local_time", "next_fire_at", "created_at"])
    await conn.copy_records_to_table("skip_predictions", records=pop.forecasts, columns=[
        "habit_id", "day", "probability", "reason", "computed_at"])
    await conn.copy_records_to_table("checkins", records=pop.checkins, columns=[
        "habit_id", "day", "source", "created_at"])
    for table in ("users", "habits"):
        await conn.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
    await conn.execute("ANALYZE")


# --- measuring ---------------------------------------------------------------------------------------

class _StatementCounter(logging.Handler):
    """Counts the statements the ORM sends (each is logged at DEBUG before it runs)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@contextmanager
def counting() -> Iterator[_StatementCounter]:
    counter = _StatementCounter()
    logger = logging.getLogger("tortoise.db_client")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
        logger.propagate = propagate


@dataclass
class Minute:
    label: str
    reminders: int
    nudges: int
    statements: int
    seconds: float


async def minute_scan(now: datetime) -> tuple[int, int]:
    """The worker's minute scan without a broker (nothing is sent): what `tasks.jobs.minute_scan` runs."""
    from smarthabit.telegram_budget import messages_per_second
    from tasks.delivery import sweep_stale_sending
    from tasks.planning import delivery_backlog, plan_due_reminders, plan_nudges, reminder_horizon, stale_pending

    until = await reminder_horizon(now, messages_per_second())
    reminders = await plan_due_reminders(now, until=until)
    nudges = await plan_nudges(now, cap=3)
    await stale_pending(now)
    await sweep_stale_sending(now=now)
    await delivery_backlog(now)
    return len(reminders), len(nudges)


async def measure(label: str, now: datetime) -> Minute:
    with counting() as counter:
        started = time.perf_counter()
        reminders, nudges = await minute_scan(now)
        seconds = time.perf_counter() - started
    return Minute(label, reminders, nudges, counter.count, seconds)


async def catch_up(start: datetime, end: datetime) -> None:
    """Run the unmeasured minutes between two measured ones, as the scheduler would."""
    now = start + timedelta(minutes=1)
    while now < end:
        await minute_scan(now)
        now += timedelta(minutes=1)


async def reset(conn: asyncpg.Connection, pop: Population) -> None:
    """Back to the seeded state before a run: no nudges, the stored instants as seeded."""
    await conn.execute("TRUNCATE nudges")
    await conn.execute("UPDATE habits SET streak_day = $1", DAY)
    await conn.execute("CREATE TEMP TABLE IF NOT EXISTS seeded (id int, at timestamptz)")
    await conn.execute("TRUNCATE seeded")
    await conn.copy_records_to_table("seeded", records=[(h[0], h[12]) for h in pop.habits])
    await conn.execute("UPDATE habits SET next_nudge_at = s.at FROM seeded s WHERE habits.id = s.id")
    await conn.execute("TRUNCATE seeded")
    await conn.copy_records_to_table("seeded", records=[(i + 1, r[2]) for i, r in enumerate(pop.reminders)])
    await conn.execute("UPDATE reminders SET next_fire_at = s.at FROM seeded s WHERE reminders.id = s.id")
    await conn.execute("VACUUM ANALYZE habits")
    await conn.execute("VACUUM ANALYZE reminders")


async def skip_the_day(conn: asyncpg.Connection, pop: Population, after: datetime) -> None:
    """What the day's scans between the morning and the evening (not run here) leave behind: every
    trigger and reminder instant moved to its next one after `after`."""
    instants, zones = _Instants(after), {u[0]: u[1] for u in pop.users}
    nudges = [(h[0], instants.nudge(zones[h[1]], h[1], ScheduleKind(h[3]), h[11], h[8])) for h in pop.habits]
    await conn.execute("TRUNCATE seeded")
    await conn.copy_records_to_table("seeded", records=nudges)
    await conn.execute("UPDATE habits SET next_nudge_at = s.at FROM seeded s WHERE habits.id = s.id")
    await conn.execute("UPDATE reminders SET next_fire_at = next_fire_at + interval '1 day' "
                       "WHERE next_fire_at < $1", after)  # no DST change that day
    await conn.execute("VACUUM ANALYZE habits")


async def one_run(conn: asyncpg.Connection, pop: Population) -> list[Minute]:
    await reset(conn, pop)
    await catch_up(ORDINARY - timedelta(minutes=2), ORDINARY)
    minutes = [await measure("ordinary minute (08:50 Berlin)", ORDINARY)]
    await catch_up(ORDINARY, PEAK)
    minutes.append(await measure("09:00 peak in Berlin", PEAK))
    for extra in (1, 2, 3, 4, 5):  # the rest of the 09:00 reminder wave, planned by the next scans
        minutes.append(await measure(f"09:0{extra} (rest of the wave)", PEAK + timedelta(minutes=extra)))
    await conn.execute(  # the nightly run of the zones past midnight by then (streak caches of their today)
        "UPDATE habits h SET streak_day = (timezone(u.timezone, $1::timestamptz))::date FROM users u "
        "WHERE u.id = h.user_id", EVENING)
    await skip_the_day(conn, pop, EVENING - timedelta(minutes=3))
    await catch_up(EVENING - timedelta(minutes=3), EVENING)
    minutes.append(await measure("20:00 streak wave in Berlin", EVENING))
    return minutes


# --- nightly ------------------------------------------------------------------------------------------

async def seed_history(conn: asyncpg.Connection, users: int, first_id: int, tz: str) -> list[int]:
    """`users` users with 2 habits each and NIGHTLY_HISTORY_DAYS days of history (ids from first_id)."""
    rng, now = random.Random(41), datetime.now(UTC)
    user_rows, habit_rows, checkins = [], [], []
    for n in range(users):
        user_id = first_id + n
        user_rows.append((user_id, tz, "", True, True, False, now, now))
        for position in range(2):
            habit_id = user_id * 2 - 1 + position
            habit_rows.append((habit_id, user_id, f"History {position}", "daily", 0, DAY - timedelta(days=150),
                               position, 0, 0, "", "yes_no", now, now))
            rate = rng.uniform(0.4, 0.95)
            for back in range(1, NIGHTLY_HISTORY_DAYS + 1):
                if rng.random() < rate:
                    day = DAY - timedelta(days=back)
                    at = datetime.combine(day, wall(7, rng.randint(0, 59)), tzinfo=zone(tz)).astimezone(UTC)
                    checkins.append((habit_id, day, "api", at))
    await conn.copy_records_to_table("users", records=user_rows, columns=[
        "id", "timezone", "display_name", "reminders_enabled", "nudges_enabled", "bot_blocked", "created_at",
        "updated_at"])
    await conn.copy_records_to_table("habits", records=habit_rows, columns=[
        "id", "user_id", "name", "schedule_kind", "schedule_weekdays", "start_day", "position", "current_streak",
        "longest_streak", "description", "kind", "created_at", "updated_at"])
    await conn.copy_records_to_table("checkins", records=checkins, columns=["habit_id", "day", "source", "created_at"])
    await conn.execute("ANALYZE")
    return [row[0] for row in user_rows]


async def nightly_rate(user_ids: list[int], now: datetime) -> tuple[float, int, float]:
    """Habits per second of the nightly refresh over these users, in the workers' bounded batches, its
    statements a batch, and habits per CPU second of this process (the worker's own work, without the
    database's, and without the waits for a core that a shared machine adds to the wall time)."""
    from smarthabit.nightly import refresh_batches
    from tasks.planning import NIGHTLY_BATCH_USERS

    batches = [user_ids[start:start + NIGHTLY_BATCH_USERS] for start in range(0, len(user_ids), NIGHTLY_BATCH_USERS)]
    with counting() as counter:
        started, cpu = time.perf_counter(), time.process_time()
        habits = await refresh_batches(batches, now)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return habits / seconds, counter.count // max(len(batches), 1), habits / cpu


# --- report -------------------------------------------------------------------------------------------

def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(runs: list[list[Minute]], nightly: list[tuple[float, int, float]], habits: int) -> None:
    print(f"\nminute scan at {habits:,} habits (median of {len(runs)} runs):")
    print(f"  {'minute':34} {'reminders':>9} {'nudges':>7} {'statements':>10} {'seconds':>8}")
    for index, first in enumerate(runs[0]):
        rows = [run[index] for run in runs]
        statements = statistics.median(r.statements for r in rows)
        seconds = statistics.median(r.seconds for r in rows)
        ok = statements <= TARGET_STATEMENTS and seconds <= TARGET_SECONDS
        print(f"  {first.label:34} {first.reminders:>9,} {first.nudges:>7,} {statements:>10.0f} {seconds:>8.3f}"
              f"  {_verdict(ok)} (target <= {TARGET_STATEMENTS} statements, <= {TARGET_SECONDS} s)")
    rate, cpu = statistics.median(n[0] for n in nightly), statistics.median(n[2] for n in nightly)
    print(f"nightly refresh: {rate:,.0f} habits/s in one process ({nightly[0][1]} statements a batch; "
          f"{cpu:,.0f} habits per CPU second of the process), {_verdict(rate >= TARGET_NIGHTLY)} "
          f"(target >= {TARGET_NIGHTLY:,.0f})")


async def bench(habit_count: int, runs: int, nightly_users: int) -> None:
    from smarthabit.orm import database

    print(f"seeding {habit_count:,} habits ...", flush=True)
    pop = population(habit_count, ORDINARY - timedelta(minutes=3))
    async with bench_database(f"smarthabit_bench_scan_{os.getpid()}") as url:
        conn = await asyncpg.connect(asyncpg_url(url))
        try:
            started = time.perf_counter()
            await seed(conn, pop)
            print(f"seeded in {time.perf_counter() - started:.1f} s: {len(pop.reminders):,} reminders, "
                  f"{len(pop.forecasts):,} forecasts", flush=True)
            history_users = await seed_history(conn, nightly_users, habit_count // 2 + 1, BIG_ZONE)
            async with database(url):
                results = []
                for _ in range(runs):
                    results.append(await one_run(conn, pop))
                    print("  run: " + ", ".join(f"{m.statements} st / {m.seconds:.3f} s" for m in results[-1]),
                          flush=True)
                night = datetime(2026, 12, 2, 4, 0, tzinfo=zone(BIG_ZONE)).astimezone(UTC)
                # A worker freezes what its start-up loaded (launcher.cli: modules, classes, some 10^5
                # objects); so does the bench before its nightly runs, or each full collection that the
                # nightly run's allocations trigger walks them all (5–20% of its CPU, bench/README.md).
                # It loads the skip model's trees before that too.
                skip_trees.load()
                gc.freeze()
                nightly = [await nightly_rate(history_users, night) for _ in range(runs)]
        finally:
            await conn.close()
    report(results, nightly, habit_count)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--habits", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--nightly-users", type=int, default=1000)
    args = parser.parse_args(argv)
    asyncio.run(bench(args.habits, args.runs, args.nightly_users))


if __name__ == "__main__":
    main()

