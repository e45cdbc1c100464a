"""`smarthabit run`: the scheduler loop and the in-process broker inside the aiohttp app."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web
from aiohttp.test_utils import TestServer

from smarthabit.clock import utcnow
from smarthabit.config import Settings
from smarthabit.habits import create_habit
from smarthabit.models import Reminder
from smarthabit.schemas import HabitCreate
from tasks.embedded import tasks_ctx
from tests.botapi import BotApiServer
from tests.tasks.conftest import MakeUser


async def test_app_runs_the_scheduler_and_delivers_in_process(task_settings: Settings, make_user: MakeUser,
                                                              botapi: BotApiServer) -> None:
    user = await make_user("Asia/Tokyo", nudges_enabled=False)
    habit = await create_habit(user, HabitCreate(name="Reading", reminder_times=["08:00"]), now=utcnow())
    await Reminder.filter(habit_id=habit.id).update(next_fire_at=utcnow() - timedelta(seconds=3))
    app = web.Application()
    app.cleanup_ctx.append(tasks_ctx(task_settings))  # no REDIS_URL: the in-process broker
    server = TestServer(app)
    await server.start_server()
    try:
        # The scheduler sends this minute's scan as it starts; the scan plans and delivers.
        message = await botapi.wait_for_message(user.telegram_chat_id, timeout=10)
    finally:
        await server.close()
    assert message["text"].startswith("⏰ Time for Reading")
    assert (await Reminder.get(habit_id=habit.id)).next_fire_at > utcnow()
