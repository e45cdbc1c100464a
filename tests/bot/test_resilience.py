"""Restart in the middle of /new, blocked users, flood limits, and the three ways the bot runs."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from pydantic import SecretStr
from telegram import Update

from bot.app import BotApplication, build_application
from bot.embedded import polling_ctx, stop, webhook_ctx
from smarthabit.config import Settings
from smarthabit.errors import ValidationFailed
from smarthabit.models import BotState, Habit, User
from smarthabit.telegram_budget import DEFAULT_CHAT_INTERVAL
from tests.bot.conftest import TOKEN, Person, create_habit, eventually, sign_up, start_bot, text_of
from tests.botapi import BotApiServer, Fault, RateLimit


async def test_restart_in_the_middle_of_new(db: str, bot_settings: Settings, botapi: BotApiServer,
                                            ada: Person) -> None:
    first = await start_bot(bot_settings)
    try:
        user = await sign_up(ada)
        await ada.say("/new", "What habit")
        kind = await ada.say("Journal", "how do you want to track")
        schedule = await ada.tap_and_expect(kind, "new:kind:yes_no", "How often")
    finally:
        await stop(first)
    rows = dict(await BotState.all().values_list("kind", "key"))
    assert "conversation" in rows and "user_data" in rows  # the open form is in PostgreSQL now

    second = await start_bot(bot_settings)  # a new process would build exactly this
    try:
        reminder = await ada.tap_and_expect(schedule, "new:sk:daily", "remind")
        summary = await ada.say("06:45", "Save it?")
        assert "Journal" in text_of(summary)
        await ada.tap_and_expect(summary, "new:save", "Saved")
        assert reminder["message_id"] == schedule["message_id"]
    finally:
        await stop(second)
    habit = await Habit.get(user_id=user.id)
    assert habit.name == "Journal"
    assert not await BotState.filter(kind="conversation").exists()  # the finished form is gone


async def test_blocked_user_is_marked_and_left_alone(bot: BotApplication, botapi: BotApiServer,
                                                     ada: Person, bob: Person) -> None:
    await sign_up(ada)
    await sign_up(bob)
    before = len([r for r in botapi.requests if r.method == "sendMessage" and r.params.get("chat_id") == ada.id])

    # Ada writes and blocks the bot before it answers: the reply fails with 403.
    await ada.send("/today")
    await botapi.block(ada.id)
    await eventually(lambda: _blocked(ada))
    await bob.say("/help", "What I can do")  # updates run in order: Ada's are all handled now

    to_ada = [r for r in botapi.requests if r.method == "sendMessage" and r.params.get("chat_id") == ada.id]
    assert [r.status for r in to_ada[before:]] == [403]  # one failed reply, no error message after it

    # When she writes again she is unblocked and answered.
    await botapi.unblock(ada.id)
    await ada.say("/help", "What I can do")
    assert not (await ada.account()).bot_blocked


async def test_blocking_without_a_pending_reply(bot: BotApplication, botapi: BotApiServer, ada: Person) -> None:
    await sign_up(ada)
    await botapi.block(ada.id)  # Telegram tells the bot with a my_chat_member update
    await eventually(lambda: _blocked(ada))
    await botapi.unblock(ada.id)
    await eventually(lambda: _blocked(ada, False))


# python-telegram-bot warns when it builds a RetryAfter (about the attribute's future type).
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_flood_limits_are_respected(db: str, settings: Settings) -> None:
    """The bot books its messages from the bot's one budget: two answers in one chat are a second
    apart, so Telegram never has to refuse them; a 429 anyway is waited out and retried."""
    async with BotApiServer([TOKEN], rate_limit=RateLimit(global_limit=30, chat_limit=1)) as server:
        ada = Person(server, 1001)
        bot_settings = settings.model_copy(update={"telegram_bot_token": SecretStr(TOKEN),
                                                    "telegram_api_url": server.url})
        application = await start_bot(bot_settings, chat_interval=DEFAULT_CHAT_INTERVAL)
        try:
            await ada.say("/start", "time zone")
            server.fail(Fault(method="sendMessage", status=429, count=1))
            await ada.say("/help", "What I can do")  # within the same second: spaced, then a 429, retried
        finally:
            await stop(application)
        assert server.stats.rate_limited == 0 and server.stats.faults == 1
        assert [text_of(m).split()[0] for m in server.sent_to(ada.id)] == ["Hi", "What"]
        sends = [r.time for r in server.requests if r.method == "sendMessage" and r.status == 200]
        assert sends[1] - sends[0] >= 1.0


async def test_a_failure_after_the_confirmation_adds_no_apology(bot: BotApplication, ada: Person,
                                                                 botapi: BotApiServer) -> None:
    """The check-in is confirmed (the toast), then refreshing the /today list fails: no apology, one answer."""
    await sign_up(ada)
    await create_habit(ada, "Stretch")
    listing = await ada.say("/today", "Tap a habit")
    botapi.fail(Fault(method="editMessageText", status=500))
    answers = len(ada.callback_answers())
    await ada.tap(listing, "⬜ Stretch")
    await eventually(lambda: _toasted(ada, "Checked in ✅"))
    await asyncio.sleep(0.5)  # time for any wrong apology to show up
    assert not [m for m in botapi.sent_to(ada.id) if "went wrong" in text_of(m)]
    assert ada.callback_answers()[answers:] == ["Checked in ✅"]  # the stale-button handler stayed out


async def test_at_most_one_apology_per_update(bot: BotApplication, ada: Person, botapi: BotApiServer) -> None:
    await sign_up(ada)
    await create_habit(ada, "Stretch")
    listing = await ada.say("/today", "Tap a habit")
    # Telegram refuses every callback answer: the check-in's toast fails, and so would any other
    # handler's answer the failure might fall through to.
    botapi.fail(Fault(method="answerCallbackQuery", status=500))
    await ada.tap(listing, "⬜ Stretch")
    await ada.expect("went wrong")
    await asyncio.sleep(0.5)
    assert len([m for m in botapi.sent_to(ada.id) if "went wrong" in text_of(m)]) == 1


async def test_embedded_polling_ctx(db: str, bot_settings: Settings, ada: Person) -> None:
    app = web.Application()
    app.cleanup_ctx.append(polling_ctx(bot_settings))
    runner = web.AppRunner(app)
    await runner.setup()  # runs the cleanup_ctx start-up: initialize, start, poll
    try:
        await ada.say("/help", "What I can do")
    finally:
        await runner.cleanup()
    assert any(r.method == "getUpdates" for r in ada.server.requests)


async def test_webhook_mode(db: str, bot_settings: Settings, botapi: BotApiServer, ada: Person) -> None:
    settings = bot_settings.model_copy(update={
        "telegram_webhook_url": "https://bot.example.com/telegram/webhook",
        "telegram_webhook_secret": SecretStr("s3cret-token_for-tests"),
    })
    application = build_application(settings, updater=False)
    assert application.updater is None
    app = web.Application()
    app.cleanup_ctx.append(webhook_ctx(application, settings))
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        hook = [r for r in botapi.requests if r.method == "setWebhook"]
        assert hook[0].params["url"] == "https://bot.example.com/telegram/webhook"
        assert hook[0].params["secret_token"] == "s3cret-token_for-tests"
        # What the API's webhook route does with a verified update:
        update = await botapi.send_text(ada.id, "/help")
        await application.update_queue.put(Update.de_json(update, application.bot))
        await ada.expect("What I can do")
    finally:
        await runner.cleanup()


@pytest.fixture
async def bot_process(db: str, bot_settings: Settings) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {**os.environ, "DATABASE_URL": bot_settings.database_url or "", "TELEGRAM_BOT_TOKEN": TOKEN,
           "TELEGRAM_API_URL": bot_settings.telegram_api_url, "LOG_LEVEL": "INFO"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from launcher.cli import main; main(['bot'])", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_smarthabit_bot_polls_and_stops_cleanly_on_sigterm(bot_process: asyncio.subprocess.Process,
                                                                ada: Person) -> None:
    await ada.send("/start")
    await ada.expect("time zone", timeout=30)  # the process imports, opens the database, polls
    await ada.say("Lisbon", "Europe/Lisbon")
    bot_process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(bot_process.communicate(), 15)
    assert bot_process.returncode == 0, stderr.decode()[-2000:]
    logs = stderr.decode()
    assert TOKEN not in logs and "Lisbon" not in logs  # no token, no user text in the logs
    assert (await ada.account()).timezone == "Europe/Lisbon"


async def _blocked(person: Person, expected: bool = True) -> bool:
    user = await User.filter(telegram_user_id=person.id).first()
    return user is not None and user.bot_blocked is expected


async def test_failures_get_a_friendly_reply_and_a_clean_log(bot: BotApplication, ada: Person,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    await sign_up(ada)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    async def refused(*args: object, **kwargs: object) -> None:
        raise ValidationFailed("Habits can't be listed right now")

    monkeypatch.setattr("bot.handlers.today.habits.list_habits", broken)
    with caplog.at_level(logging.INFO):
        await ada.say("my secret diary entry", "something went wrong on my side")
    failure = [r for r in caplog.records if r.getMessage() == "update failed"]
    assert failure and failure[0].levelno == logging.ERROR
    ours = ("bot", "telegram", "smarthabit")  # httpx is silenced to WARNING by smarthabit.logs in production
    logged = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records
                       if r.levelno <= logging.INFO and r.name.startswith(ours))
    assert "my secret diary entry" not in logged and TOKEN not in logged

    monkeypatch.setattr("bot.handlers.today.habits.list_habits", refused)
    await ada.say("/today", "can't be listed right now")


async def _toasted(person: Person, text: str) -> bool:
    return text in person.callback_answers()
