"""Webhook mode with two API processes: a conversation whose updates alternate between them.

Telegram posts each update to the webhook URL; behind it a load balancer picks any API process. Here
the balancer is a small round-robin proxy, so the /new form's messages and taps land on process A,
then B, then A...: the form only completes if every process reads the chat's state from the database.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from smarthabit.models import Habit, Reminder
from tests.bot.conftest import Person
from tests.botapi import BotApiServer
from tests.conftest import REDIS_URL
from tests.e2e.stack import Role, base_env, free_port, wait_healthy

TOKEN = "525252:E2E-two-webhooks"
SECRET = "webhook-secret-two-processes"
pytestmark = pytest.mark.postgres_only


@asynccontextmanager
async def round_robin(backends: list[str]) -> AsyncIterator[tuple[str, list[str]]]:
    """A proxy that sends each webhook call to the next backend; yields its URL and the choices."""
    chosen: list[str] = []
    turn = itertools.cycle(backends)

    async def forward(request: web.Request) -> web.Response:
        backend = next(turn)
        chosen.append(backend)
        async with aiohttp.ClientSession() as session, session.post(
            backend + request.path, data=await request.read(), headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""),
            },
        ) as response:
            return web.Response(status=response.status, body=await response.read(),
                                content_type="application/json")

    app = web.Application()
    app.router.add_post("/telegram/webhook", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/telegram/webhook", chosen
    finally:
        await runner.cleanup()


async def test_a_conversation_alternating_between_two_api_processes(db: str, tmp_path: Path) -> None:
    ports = [free_port(), free_port()]
    backends = [f"http://127.0.0.1:{port}" for port in ports]
    async with BotApiServer([TOKEN]) as botapi, round_robin(backends) as (hook, chosen):
        roles = []
        for index, port in enumerate(ports):
            env = base_env(DATABASE_URL=db, REDIS_URL=REDIS_URL, JWT_SECRET="w" * 40, PORT=str(port),
                           HOST="127.0.0.1", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=botapi.url,
                           TELEGRAM_WEBHOOK_SECRET=SECRET, TELEGRAM_WEBHOOK_URL=hook)
            roles.append(await Role(f"api-{index}", ["api"], env, tmp_path).start())
        try:
            for role, backend in zip(roles, backends, strict=True):
                await wait_healthy(backend, role)
            ada = Person(botapi, 6_200_001)
            await ada.say("/start", "time zone")
            await ada.say("/new", "What habit")
            kind = await ada.say("Stretch", "how do you want to track")
            schedule = await ada.tap_and_expect(kind, "new:kind:yes_no", "How often")
            reminder = await ada.tap_and_expect(schedule, "new:sk:daily", "remind")
            summary = await ada.say("7:15", "Save it?")
            await ada.tap_and_expect(summary, "new:save", "Saved")

            habit = await Habit.get(user__telegram_user_id=ada.id, name="Stretch")
            assert [str(t) for t in await Reminder.filter(habit_id=habit.id).values_list(
                "local_time", flat=True)] == ["07:15:00"]
            assert reminder["message_id"] != summary["message_id"]
            assert set(chosen) == set(backends) and all(a != b for a, b in itertools.pairwise(chosen))
            for role in roles:
                assert await role.terminate() == 0, role.output()[-3000:]
        finally:
            for role in roles:
                role.kill()
