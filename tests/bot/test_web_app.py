"""The bot's doors to the web app: /web's one-time sign-in link, the Mini App menu button and the
"Open" buttons, which appear only with PUBLIC_URL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from api.app import init_app
from bot.app import BotApplication
from bot.embedded import stop
from smarthabit.config import Settings
from tests.bot.conftest import Person, create_habit, sign_up, start_bot, text_of
from tests.botapi import BotApiServer

PUBLIC = "https://habits.example.com"


def inline_buttons(message: dict) -> list[dict]:
    return [button for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for button in row]


@pytest.fixture
async def public_bot(db: str, bot_settings: Settings) -> AsyncIterator[BotApplication]:
    application = await start_bot(bot_settings.model_copy(update={"public_url": PUBLIC + "/"}))
    try:
        yield application
    finally:
        await stop(application)


async def test_web_sends_a_link_that_signs_in_once(bot: BotApplication, ada: Person, settings: Settings) -> None:
    await sign_up(ada)
    message = await ada.say("/web", "Open SmartHabit in your browser")
    link = next(e["url"] for e in message["entities"] if e["type"] == "text_link")
    assert link.startswith(f"http://127.0.0.1:{settings.port}/app/#login=")  # no PUBLIC_URL: this machine
    assert "10 minutes" in text_of(message)
    code = link.split("#login=", 1)[1]
    async with TestClient(TestServer(init_app(settings, manage_database=False))) as api:
        first = await api.post("/auth/web-login", json={"code": code})
        assert first.status == 200
        me = await api.get("/users/me", headers={"Authorization": f"Bearer {(await first.json())['access_token']}"})
        assert (await me.json())["id"] == (await ada.account()).id
        assert (await api.post("/auth/web-login", json={"code": code})).status == 401


async def test_without_public_url_there_is_no_menu_button_or_open_button(
        bot: BotApplication, botapi: BotApiServer, ada: Person) -> None:
    await sign_up(ada)
    await create_habit(ada, "Read")
    await ada.send("/stats")
    summary = await ada.expect("W")
    assert not any("web_app" in button for button in inline_buttons(summary))
    assert not [r for r in botapi.requests if r.method == "setChatMenuButton"]


async def test_public_url_opens_the_mini_app_from_menu_stats_and_cards(
        public_bot: BotApplication, botapi: BotApiServer, ada: Person) -> None:
    menu = [r.params for r in botapi.requests if r.method == "setChatMenuButton"]
    assert menu and menu[-1]["menu_button"] == {"type": "web_app", "text": "Open",
                                                "web_app": {"url": f"{PUBLIC}/app/"}}
    await sign_up(ada)
    await create_habit(ada, "Read")
    await ada.send("/stats")
    summary = await ada.expect("W")
    assert {"text": "📊 Open", "web_app": {"url": f"{PUBLIC}/app/week"}} in inline_buttons(summary)
    card = await ada.say("/stats Read", "Read")
    opens = [b["web_app"]["url"] for b in inline_buttons(card) if "web_app" in b]
    assert len(opens) == 1 and re.fullmatch(rf"{PUBLIC}/app/habit/\d+", opens[0])
    link = await ada.say("/web", "Open SmartHabit")
    assert any(e.get("url", "").startswith(f"{PUBLIC}/app/#login=") for e in link["entities"])
