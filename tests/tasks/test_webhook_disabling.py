"""A webhook that fails for a day is disabled, and its owner is told in the bot (through the real
broker, the delivery task and the loopback Bot API)."""

from __future__ import annotations

from datetime import timedelta

from smarthabit.clock import utcnow
from smarthabit.config import Settings
from smarthabit.habits import create_habit
from smarthabit.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEvent
from smarthabit.schemas import HabitCreate
from smarthabit.webhooks import create_webhook, get_webhook
from tasks.broker import WEBHOOKS_TASK
from tests.botapi import BotApiServer
from tests.tasks.conftest import MakeUser, inline_broker, make_settings, run_task
from tests.webhook_receiver import webhook_receiver


async def test_a_day_of_failures_disables_the_hook_and_tells_the_owner(
    db: str, botapi: BotApiServer, make_user: MakeUser
) -> None:
    settings: Settings = make_settings(db, botapi, webhook_allow_private=True)
    broker = inline_broker(settings)
    await broker.startup()
    try:
        user = await make_user("Europe/Berlin")
        async with webhook_receiver([500] * 50) as receiver:
            hook = await create_webhook(user, receiver.url, ["habit.created"], allow_private=True)
            await create_habit(user, HabitCreate(name="Stretch"))
            start = utcnow()
            assert (await run_task(broker, WEBHOOKS_TASK, start))["pending"] == 1
            assert (await run_task(broker, WEBHOOKS_TASK, start + timedelta(hours=3)))["pending"] == 1
            assert not (await get_webhook(user, hook.id)).disabled_at
            result = await run_task(broker, WEBHOOKS_TASK, start + timedelta(days=1, minutes=1))
            assert result["failed"] == 1
            assert len(receiver.received) == 3
        disabled = await get_webhook(user, hook.id)
        assert disabled.disabled_at is not None
        assert (await WebhookDelivery.get()).status is WebhookDeliveryStatus.FAILED
        message = await botapi.wait_for_message(user.telegram_chat_id)
        assert "turned off" in message["text"] and receiver.url in message["text"]

        await create_habit(user, HabitCreate(name="Nap"))  # no live hook: nothing more is recorded
        assert await WebhookEvent.filter(user_id=user.id).count() == 1
    finally:
        await broker.shutdown()
