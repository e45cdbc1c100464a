"""Bot fixtures: the unchanged bot polls a loopback Bot API server over real HTTP, on the test database.

Tests act as people: `Person.send` types, `Person.tap` presses an inline button, `Person.expect`
waits for what the bot sent or edited (no fixed sleeps: it waits on the server's records).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import BotApplication, build_application
from bot.embedded import start, stop
from smarthabit.config import Settings
from smarthabit.models import User
from tests.botapi import BotApiServer

TOKEN = "424242:TEST-smarthabit_bot"
JSONDict = dict[str, Any]
WAIT = 5.0


def text_of(message: JSONDict) -> str:
    return message.get("text") or message.get("caption") or ""


class Person:
    """One Telegram user chatting with the bot through the loopback server."""

    def __init__(self, server: BotApiServer, user_id: int, first_name: str = "Ada") -> None:
        self.server = server
        self.id = user_id
        self.first_name = first_name

    async def send(self, text: str, *, reply_to: JSONDict | int | None = None) -> JSONDict:
        """Type a message (optionally as a reply to one of the bot's messages)."""
        reply_id = reply_to["message_id"] if isinstance(reply_to, dict) else reply_to
        return await self.server.send_text(self.id, text, first_name=self.first_name, reply_to_message_id=reply_id)

    async def expect(self, contains: str | None = None, *, timeout: float = WAIT) -> JSONDict:  # noqa: ASYNC109
        """The next message the bot sent or edited here whose text contains `contains`."""
        return await self.server.wait_for_message(
            self.id, None if contains is None else (lambda m: contains in text_of(m)), timeout
        )

    async def say(self, text: str, contains: str | None = None, **kwargs: Any) -> JSONDict:
        """Send, then wait for the answer."""
        await self.send(text, **kwargs)
        return await self.expect(contains)

    async def tap(self, message: JSONDict, data_or_label: str, *, forged: bool = False) -> None:
        """Press a button given by its callback_data or the start of its label."""
        buttons = BotApiServer.buttons(message)
        data = next((d for label, d in buttons if d == data_or_label), None)
        if data is None and not forged:
            data = next((d for label, d in buttons if label.startswith(data_or_label) or data_or_label in label), None)
        assert data is not None or forged, f"no button {data_or_label!r} in {buttons}"
        await self.server.tap(self.id, message["message_id"], data or data_or_label, forged=forged)

    async def tap_and_expect(self, message: JSONDict, button: str, contains: str | None = None) -> JSONDict:
        await self.tap(message, button)
        return await self.expect(contains)

    def callback_answers(self) -> list[str | None]:
        """Texts of every answerCallbackQuery so far (None for a silent answer)."""
        return [r.params.get("text") for r in self.server.requests if r.method == "answerCallbackQuery"]

    async def account(self) -> User:
        return await User.get(telegram_user_id=self.id)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = WAIT) -> None:  # noqa: ASYNC109
    """Poll a condition on the database (the bot's effects land there asynchronously)."""
    async with asyncio.timeout(timeout):
        while not await check():  # noqa: ASYNC110 - the database has no change notification to wait on
            await asyncio.sleep(0.02)


@pytest.fixture
async def botapi() -> AsyncIterator[BotApiServer]:
    async with BotApiServer([TOKEN]) as server:
        yield server


@pytest.fixture
def bot_settings(settings: Settings, botapi: BotApiServer) -> Settings:
    return settings.model_copy(update={"telegram_bot_token": SecretStr(TOKEN), "telegram_api_url": botapi.url})


async def start_bot(bot_settings: Settings, *, chat_interval: float = 0.0) -> BotApplication:
    """The production factory, polling fast: what `smarthabit run` does, with test timings. A chat's
    answers are not spaced a second apart (as the workers' runtime fixture does for reminders);
    `test_flood_limits_are_respected` runs the real spacing."""
    application = build_application(bot_settings, chat_interval=chat_interval)
    await start(application, polling=True, poll_interval=0.0, poll_timeout=1.0)
    return application


@pytest.fixture
async def bot(db: str, bot_settings: Settings) -> AsyncIterator[BotApplication]:
    application = await start_bot(bot_settings)
    try:
        yield application
    finally:
        await stop(application)


@pytest.fixture
def ada(botapi: BotApiServer) -> Person:
    return Person(botapi, 1001, "Ada")


@pytest.fixture
def bob(botapi: BotApiServer) -> Person:
    return Person(botapi, 1002, "Bob")


async def sign_up(person: Person, zone_name: str = "Europe/Berlin") -> User:
    """/start and answer the time-zone question."""
    await person.say("/start", "time zone")
    await person.say(zone_name.split("/")[-1], "Time zone set")
    return await person.account()


async def create_habit(person: Person, name: str, *, reminder: str | None = None) -> None:
    """A yes/no daily habit through /new."""
    await person.say("/new", "What habit")
    kind = await person.say(name, "how do you want to track")
    schedule = await person.tap_and_expect(kind, "new:kind:yes_no", "How often")
    reminder_question = await person.tap_and_expect(schedule, "new:sk:daily", "remind")
    if reminder is None:
        summary = await person.tap_and_expect(reminder_question, "new:rem:none", "Save it?")
    else:
        summary = await person.say(reminder, "Save it?")
    await person.tap_and_expect(summary, "new:save", "Saved")
