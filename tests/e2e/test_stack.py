"""End to end: every role as its own OS process against real PostgreSQL, Redis and the loopback Bot API.

migrate, api x2, worker x2, scheduler and bot start as the compose file starts them. A person
registers over REST, links Telegram, creates a habit in the chat, gets its reminder at the local
minute, taps the check-in button and sees the streak over REST. Meanwhile one API process and one
worker get SIGTERM under load: no request and no message is lost or doubled.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from redis.asyncio import Redis

from smarthabit.config import Settings, redis_namespace
from smarthabit.habits import create_habit
from smarthabit.models import CheckIn, CheckInSource, Habit, Nudge, NudgeStatus, User
from smarthabit.schemas import HabitCreate
from smarthabit.telegram_budget import budget_prefix
from tests.bot.conftest import Person, text_of
from tests.botapi import BotApiServer, RateLimit
from tests.e2e.stack import Role, base_env, eventually, free_port, minute_at_least, wait_healthy
from tests.tasks.conftest import delete_keys

TOKEN = "424242:E2E-test-token"
JWT = "e2e-secret-" + "k" * 40
PERSON_ID = 4_240_001
CROWD = 120  # other users whose reminders are due in the same minute
LOAD_HABITS = 30
SETUP_LEAD = 20  # seconds for the chat and the crowd before the reminders' minute (measured: about 6.5 under load)


@pytest.fixture
async def redis_clean(redis_url: str, db: str) -> AsyncIterator[str]:
    """The test Redis database (TEST_REDIS_URL) without this session's keys before and after: its
    deployment namespace and its bot's flood budget (other xdist workers' keys stay)."""
    redis = Redis.from_url(redis_url)
    patterns = (f"{redis_namespace(Settings(database_url=db, _env_file=None))}:*",  # type: ignore[call-arg]
                f"{budget_prefix(TOKEN)}:*")
    await delete_keys(redis, *patterns)
    yield redis_url
    await delete_keys(redis, *patterns)
    await redis.aclose()


async def _request(session: aiohttp.ClientSession, method: str, url: str, **kwargs: object) -> tuple[int, dict]:
    async with session.request(method, url, **kwargs) as response:
        return response.status, await response.json()


async def _load_with_failover(primary: str, secondary: str, token: str, habit_ids: list[int],
                              stop_primary: asyncio.Event) -> list[tuple[int, str]]:
    """Check-ins and listings against `primary`; a request that could not reach it (it stopped
    listening) is retried on `secondary`, as a load balancer does. Returns (status, server) per request."""
    headers = {"Authorization": f"Bearer {token}"}
    jobs = [("POST", f"/habits/{h}/checkin") for h in habit_ids] + [("GET", "/habits")] * 90
    results: list[tuple[int, str]] = []
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def client(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            method, path = queue.get_nowait()
            for base in (primary, secondary):
                try:
                    kwargs = {"json": {}} if method == "POST" else {}
                    async with session.request(method, base + path, headers=headers, **kwargs) as response:
                        await response.read()
                        results.append((response.status, base))
                        break
                except aiohttp.ClientConnectionError:
                    continue  # primary gone: the same (idempotent) request goes to the other replica
            if len(results) == 40:
                stop_primary.set()

    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(client(session) for _ in range(12)))
    return results


@pytest.mark.postgres_only  # the production topology: seven processes writing one database at once
async def test_the_whole_stack(db: str, redis_clean: str, tmp_path: Path) -> None:
    roles: list[Role] = []
    botapi = BotApiServer([TOKEN], rate_limit=RateLimit(global_limit=30, chat_limit=1))
    await botapi.start()
    env = base_env(DATABASE_URL=db, REDIS_URL=redis_clean, JWT_SECRET=JWT, SMARTHABIT_ENV="production",
                   TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=botapi.url, LOG_LEVEL="INFO",
                   HOST="127.0.0.1")
    ports = [free_port(), free_port()]
    apis = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        migrate = await Role("migrate", ["migrate"], env, tmp_path).start()
        assert await migrate.wait(60) == 0, migrate.output()
        api_metrics = free_port()
        for i, port in enumerate(ports):
            extra = {"METRICS_PORT": str(api_metrics)} if i == 1 else {}
            roles.append(await Role(f"api{i + 1}", ["api"], {**env, "PORT": str(port), **extra}, tmp_path).start())
        roles.append(await Role("worker1", ["worker"], env, tmp_path).start())
        roles.append(await Role("worker2", ["worker"], {**env, "METRICS_PORT": str(metrics := free_port())},
                                tmp_path).start())
        roles.append(await Role("scheduler", ["scheduler"], env, tmp_path).start())
        roles.append(await Role("bot", ["bot"], env, tmp_path).start())
        api1, api2, worker1, worker2, scheduler, bot = roles
        for base, role in zip(apis, (api1, api2), strict=True):
            await wait_healthy(base, role)

        async with aiohttp.ClientSession() as http:
            # A person registers over REST (replica 1) and links Telegram (replica 2: same JWT key).
            status, body = await _request(http, "POST", f"{apis[0]}/users/register", json={
                "email": "e2e@example.com", "password": "correct horse battery staple",
                "timezone": "Europe/Berlin"})
            assert status == 201, body
            auth = {"Authorization": f"Bearer {body['tokens']['access_token']}"}
            status, link = await _request(http, "POST", f"{apis[1]}/users/me/telegram-link", headers=auth)
            assert status == 201, link
            person = Person(botapi, PERSON_ID)
            await person.say(f"/start {link['code']}", "Linked!")

            # The habit is created in the chat, with a reminder at the next local minute (SETUP_LEAD ahead).
            target = minute_at_least(datetime.now(UTC), lead=SETUP_LEAD)
            local = target.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M")
            await person.say("/new", "What habit")
            kind = await person.say("Stretch", "how do you want to track")
            schedule = await person.tap_and_expect(kind, "new:kind:yes_no", "How often")
            await person.tap_and_expect(schedule, "new:sk:daily", "remind")
            summary = await person.say(local, "Save it?")
            await person.tap_and_expect(summary, "new:save", "Saved")
            user = await User.get(email="e2e@example.com")
            habit = await Habit.get(user_id=user.id, name="Stretch")

            # A crowd whose reminders fall due in the same minute (seeded through the domain).
            for n in range(CROWD):
                member = await User.create(telegram_user_id=9_100_000 + n, telegram_chat_id=9_100_000 + n)
                await create_habit(member, HabitCreate(name="Walk", reminder_times=[target.strftime("%H:%M")]))
            assert datetime.now(UTC) < target, "the setup took longer than SETUP_LEAD: the reminders are tomorrow's"

            # SIGTERM one API replica under load: in-flight requests finish, the rest fail over.
            status, loader = await _request(http, "POST", f"{apis[1]}/users/register", json={
                "email": "load@example.com", "password": "correct horse battery staple"})
            load_auth = {"Authorization": f"Bearer {loader['tokens']['access_token']}"}
            habit_ids = []
            for n in range(LOAD_HABITS):
                status, created = await _request(http, "POST", f"{apis[1]}/habits", headers=load_auth,
                                                 json={"name": f"Load {n}"})
                assert status == 201, created
                habit_ids.append(created["id"])
            stop_api1 = asyncio.Event()

            async def sigterm_api1() -> int:
                await stop_api1.wait()
                return await api1.terminate()

            results, api1_exit = await asyncio.gather(
                _load_with_failover(apis[0], apis[1], loader["tokens"]["access_token"], habit_ids, stop_api1),
                sigterm_api1(),
            )
            assert api1_exit == 0, api1.output()[-3000:]
            assert len(results) == LOAD_HABITS + 90 and all(s in (200, 201) for s, _ in results), results
            assert {base for _, base in results} == set(apis), "the load should have hit both replicas"
            assert await CheckIn.filter(habit__user__email="load@example.com").count() == LOAD_HABITS

            # The reminder arrives at its local minute; SIGTERM one worker while the crowd's are sent.
            wait = (target - datetime.now(UTC)).total_seconds() + 60
            reminder = await person.expect("Time for Stretch", timeout=wait)
            lag = datetime.now(UTC) - target
            assert lag < timedelta(seconds=30), lag
            async def crowd_sent(at_least: int) -> bool:
                return sum(botapi.stats.per_chat[9_100_000 + n] for n in range(CROWD)) >= at_least

            await eventually(lambda: crowd_sent(10), "the crowd's reminders to start going out")
            assert await worker1.terminate() == 0, worker1.output()[-3000:]

            async def all_marked_sent() -> bool:
                sent = Nudge.filter(user__telegram_user_id__gte=9_100_000, status=NudgeStatus.SENT)
                return await sent.count() == CROWD

            try:
                await eventually(all_marked_sent, "every crowd reminder delivered and marked sent")
            except AssertionError:
                rows = await Nudge.filter(user__telegram_user_id__gte=9_100_000).values_list("status", "error")
                raise AssertionError(
                    f"crowd nudges (status, error): {sorted(map(str, rows))}\n"
                    f"worker1:\n{worker1.output()[-4000:]}\nworker2:\n{worker2.output()[-4000:]}") from None
            assert all(botapi.stats.per_chat[9_100_000 + n] == 1 for n in range(CROWD)), "lost or doubled"
            assert botapi.stats.per_chat[PERSON_ID] >= 1 and await Nudge.filter(user_id=user.id).count() == 1

            # One tap on the reminder checks in; the REST API shows the streak.
            await person.tap(reminder, f"checkin:{habit.id}:{target.astimezone(ZoneInfo('Europe/Berlin')).date()}")
            await person.expect("Streak: 1 day")
            checkin = await CheckIn.get(habit_id=habit.id)
            assert checkin.source == CheckInSource.BOT
            status, listing = await _request(http, "GET", f"{apis[1]}/habits", headers=auth)
            [shown] = [h for h in listing["items"] if h["name"] == "Stretch"]
            assert (shown["current_streak"], shown["done_today"]) == (1, True)

            # Operations: metrics on the API's and on a worker's METRICS_PORT, not on the public port.
            async with http.get(f"{apis[1]}/metrics") as response:
                assert response.status == 404
            async with http.get(f"http://127.0.0.1:{api_metrics}/metrics") as response:
                assert 'smarthabit_http_requests_total{method="GET",route="/habits",status="200"}' in \
                    await response.text()
            async with http.get(f"http://127.0.0.1:{metrics}/metrics") as response:
                assert "smarthabit_messages_total" in await response.text()
            assert text_of(reminder).startswith("⏰")

        # Every remaining role stops cleanly on SIGTERM.
        for role in (api2, worker2, scheduler, bot):
            assert await role.terminate() == 0, f"{role.name}:\n{role.output()[-3000:]}"
        for role in roles:
            assert TOKEN.split(":")[1] not in role.output(), f"{role.name} logged the bot token"
    finally:
        for role in roles:
            role.kill()
        await botapi.stop()
