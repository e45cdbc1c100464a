"""Webhook mode as deployed: `smarthabit api` with a webhook secret serves the bot itself."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.bot.conftest import Person
from tests.botapi import BotApiServer
from tests.e2e.stack import Role, base_env, free_port, wait_healthy

TOKEN = "515151:E2E-webhook-token"
SECRET = "webhook-secret-0123456789"


async def test_api_process_registers_the_webhook_and_answers_updates(db: str, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with BotApiServer([TOKEN]) as botapi:
        env = base_env(DATABASE_URL=db, JWT_SECRET="w" * 40, SMARTHABIT_ENV="production", PORT=str(port),
                       HOST="127.0.0.1", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=botapi.url,
                       TELEGRAM_WEBHOOK_SECRET=SECRET, TELEGRAM_WEBHOOK_URL=f"{base}/telegram/webhook")
        api = await Role("api-webhook", ["api"], env, tmp_path).start()
        try:
            await wait_healthy(base, api)
            [registered] = [r for r in botapi.requests if r.method == "setWebhook"]
            assert registered.params["url"] == f"{base}/telegram/webhook"
            assert registered.params["secret_token"] == SECRET

            # The loopback Bot API pushes the update to the webhook with the secret; the bot answers.
            person = Person(botapi, 6_100_001)
            await person.say("/start", "time zone")

            # Without the secret, nothing is processed.
            async with aiohttp.ClientSession() as http:
                update = {"update_id": 99, "message": {"message_id": 1, "date": 0, "text": "/help",
                                                       "chat": {"id": 6_100_002, "type": "private"},
                                                       "from": {"id": 6_100_002, "is_bot": False, "first_name": "X"}}}
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret-0123456789"}):
                    async with http.post(f"{base}/telegram/webhook", json=update, headers=headers) as response:
                        assert response.status == 403
            assert botapi.sent_to(6_100_002) == []
            assert await api.terminate() == 0, api.output()[-3000:]
        finally:
            api.kill()
