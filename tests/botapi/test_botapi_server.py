"""The loopback Bot API server against the real python-telegram-bot.

Only real library objects talk to the server here: when these pass, bot tests built on
BotApiServer run the same library code paths as production does against Telegram.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import os
import signal
import struct
import sys
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientSession, web
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.botapi import BotApiServer, RateLimit

TOKEN = "123456:TEST-token_abc"
USER = 1001
OTHER_USER = 1002
REPO_ROOT = Path(__file__).resolve().parents[2]


def png(width: int = 3, height: int = 2) -> bytes:
    """A valid PNG, so the server's image check sees what a chart renderer produces."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)] for text, data in buttons])


@pytest_asyncio.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(tokens=[TOKEN]) as srv:
        yield srv


@pytest_asyncio.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=server.base_url) as tg_bot:
        yield tg_bot


@pytest.mark.asyncio
async def test_get_me_describes_the_bot(server: BotApiServer, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "smarthabit_test_bot")
    assert server.url.startswith("http://127.0.0.1:")
    assert server.requests[0].method == "getMe"
    assert server.requests[0].status == 200


@pytest.mark.asyncio
async def test_unknown_token_is_rejected(server: BotApiServer) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:not-a-valid-token", base_url=server.base_url):
            pass
    assert (server.requests[-1].status, server.requests[-1].description) == (401, "Unauthorized")


@pytest.mark.asyncio
async def test_send_message_with_inline_keyboard_then_edit(server: BotApiServer, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Pick one", reply_markup=keyboard(("Done", "done:1"), ("Skip", "skip:1")))
    assert sent.chat.id == USER
    assert sent.chat.type == "private"
    assert sent.from_user.id == bot.id
    assert sent.reply_markup.inline_keyboard[1][0].callback_data == "skip:1"
    assert server.buttons(server.last_message(USER)) == [("Done", "done:1"), ("Skip", "skip:1")]

    edited = await bot.edit_message_text("Picked", chat_id=USER, message_id=sent.message_id)
    assert edited.text == "Picked"
    assert edited.edit_date is not None
    assert edited.reply_markup is None  # editing without reply_markup drops the keyboard, as on Telegram

    current = server.sent_to(USER)
    assert [(m["message_id"], m["text"]) for m in current] == [(sent.message_id, "Picked")]
    first = await server.wait_for_message(USER)
    second = await server.wait_for_message(USER)
    assert (first["text"], "edit_date" in first) == ("Pick one", False)
    assert (second["text"], "edit_date" in second) == ("Picked", True)

    second_message = await bot.send_message(USER, "Next")
    assert second_message.message_id == sent.message_id + 1


@pytest.mark.asyncio
async def test_edit_errors_are_bad_requests(server: BotApiServer, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Same", reply_markup=keyboard(("Ok", "ok")))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Same", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard(("Ok", "ok"))
        )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=USER, message_id=sent.message_id, reply_markup=keyboard(("Ok", "ok"))
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    changed = await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard(("New", "new")))
    assert changed.reply_markup.inline_keyboard[0][0].text == "New"


@pytest.mark.asyncio
async def test_invalid_requests_get_telegram_errors(server: BotApiServer, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "hi", reply_markup=keyboard(("Long", "x" * 65)))
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendDragon")
    assert server.requests[-1].status == 404
    assert server.requests[-1].description == "Not Found: method not found"
    assert server.stats.sent == 0


@pytest.mark.asyncio
async def test_method_names_and_encodings_like_telegram(server: BotApiServer) -> None:
    async with ClientSession() as http:
        by_get = await (await http.get(f"{server.base_url}{TOKEN}/GETME")).json()
        as_json = await (
            await http.post(f"{server.base_url}{TOKEN}/sendmessage", json={"chat_id": USER, "text": "json"})
        ).json()
        as_form = await (
            await http.post(f"{server.base_url}{TOKEN}/sendMessage", data={"chat_id": str(USER), "text": "42"})
        ).json()
        no_chat = await http.post(f"{server.base_url}{TOKEN}/sendMessage", json={"text": "hi"})
        no_text = await http.post(f"{server.base_url}{TOKEN}/sendMessage", data={"chat_id": str(USER)})
        await no_chat.read()
        await no_text.read()
    assert by_get["ok"] is True
    assert by_get["result"]["id"] == 123456
    assert as_json["result"]["text"] == "json"
    assert as_form["result"]["text"] == "42"  # text stays a string even when it looks like JSON
    assert no_chat.status == 400
    assert await no_chat.json() == {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"}
    assert (await no_text.json())["description"] == "Bad Request: message text is empty"


@pytest.mark.asyncio
async def test_blocked_user_is_forbidden_and_bot_is_told(server: BotApiServer, bot: Bot) -> None:
    await server.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "Reminder")
    (update,) = await bot.get_updates()
    assert update.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(AssertionError, match="blocked"):
        await server.send_text(USER, "hello")

    await server.unblock(USER)
    await bot.send_message(USER, "Welcome back")
    assert server.stats.per_chat[USER] == 1


@pytest.mark.asyncio
async def test_rate_limits_surface_as_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    limits = RateLimit(global_limit=3, chat_limit=1, chat_window=3.0)
    async with BotApiServer([TOKEN], rate_limit=limits) as server, Bot(TOKEN, base_url=server.base_url) as bot:
        await bot.send_message(USER, "one")
        with pytest.raises(RetryAfter) as per_chat:
            await bot.send_message(USER, "two")
        assert per_chat.value.retry_after == dtm.timedelta(seconds=3)
        await bot.send_message(OTHER_USER, "one")
        await bot.send_message(OTHER_USER + 1, "one")
        with pytest.raises(RetryAfter) as global_limit:
            await bot.send_message(OTHER_USER + 2, "one")
        assert global_limit.value.retry_after == dtm.timedelta(seconds=1)
        assert server.stats.rate_limited == 2
        assert server.stats.sent == 3
        assert server.stats.per_chat[USER] == 1
        assert server.requests[-1].status == 429


@pytest.mark.asyncio
async def test_send_photo_records_the_uploaded_png(server: BotApiServer, bot: Bot) -> None:
    image = png(1600, 900)
    message = await bot.send_photo(USER, photo=image, caption="<b>Week</b> chart", parse_mode=ParseMode.HTML)
    assert (message.photo[-1].width, message.photo[-1].height) == (1280, 720)
    assert message.caption == "Week chart"
    assert message.caption_entities[0].type == "bold"
    assert server.requests[-1].photo_bytes == image
    assert server.photo_bytes(await server.wait_for_message(USER)) == image

    again = await bot.send_photo(USER, photo=message.photo[-1].file_id)
    assert server.photo_bytes(server.last_message(USER)) == image
    assert again.message_id == message.message_id + 1
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER, photo=b"not an image")


@pytest.mark.asyncio
async def test_parse_modes_render_like_telegram(server: BotApiServer, bot: Bot) -> None:
    html_message = await bot.send_message(
        USER, "<b>Streak</b> &amp; 🔥 <a href='https://x.test'>link</a>", parse_mode=ParseMode.HTML
    )
    assert html_message.text == "Streak & 🔥 link"
    assert [(e.type, e.offset, e.length) for e in html_message.entities] == [("bold", 0, 6), ("text_link", 12, 4)]
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, "1 < 2 <b>unclosed", parse_mode=ParseMode.HTML)

    md = await bot.send_message(USER, r"*Done* for today\. `run_1`", parse_mode=ParseMode.MARKDOWN_V2)
    assert md.text == "Done for today. run_1"
    assert [e.type for e in md.entities] == ["bold", "code"]
    with pytest.raises(BadRequest, match=r"(?i)character '\.' is reserved"):
        await bot.send_message(USER, "Done.", parse_mode=ParseMode.MARKDOWN_V2)


@pytest.mark.asyncio
async def test_replies_reply_keyboards_and_locations(server: BotApiServer, bot: Bot) -> None:
    update = await server.send_text(USER, "Walk the dog", first_name="Ann")
    user_message_id = update["message"]["message_id"]
    reply = await bot.send_message(
        USER,
        "Share where you are",
        reply_to_message_id=user_message_id,
        reply_markup=ReplyKeyboardMarkup([[KeyboardButton("Send location", request_location=True)]]),
    )
    assert reply.reply_to_message.text == "Walk the dog"
    assert reply.chat.first_name == "Ann"
    assert reply.reply_markup is None  # Telegram returns only inline keyboards with a message
    assert server.buttons(server.last_message(USER)) == [("Send location", None)]

    location = await server.send_location(USER, 52.52, 13.40)
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [update["update_id"], location["update_id"]]
    assert updates[1].message.location.latitude == pytest.approx(52.52)
    assert await bot.delete_message(USER, reply.message_id)
    assert server.sent_to(USER) == []
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, reply.message_id)
    assert await bot.send_chat_action(USER, "typing")


@pytest.mark.asyncio
async def test_get_updates_long_polls_and_confirms(server: BotApiServer, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.3) == ()
    assert time.monotonic() - started >= 0.25

    async def user_types_later() -> None:
        await asyncio.sleep(0.1)
        await server.send_text(USER, "/start CODE42")

    started = time.monotonic()
    typing = asyncio.create_task(user_types_later())
    (update,) = await bot.get_updates(timeout=5)
    await typing
    assert time.monotonic() - started < 2
    assert update.message.text == "/start CODE42"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.from_user.id == USER

    assert len(await bot.get_updates()) == 1  # not confirmed yet
    assert await bot.get_updates(offset=update.update_id + 1) == ()
    await server.send_text(USER, "one")
    await server.send_text(USER, "two")
    assert [u.message.text for u in await bot.get_updates(limit=1)] == ["one"]
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["two"]


@pytest.mark.asyncio
async def test_a_newer_poll_ends_the_older_one(server: BotApiServer, bot: Bot) -> None:
    old = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with Bot(TOKEN, base_url=server.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await old


@pytest.mark.asyncio
async def test_wait_for_message_cursor(server: BotApiServer, bot: Bot) -> None:
    for text in ("first", "second", "third"):
        await bot.send_message(USER, text)
    assert (await server.wait_for_message(USER))["text"] == "first"
    assert (await server.wait_for_message(USER, lambda m: m["text"] == "third"))["text"] == "third"
    with pytest.raises(AssertionError, match="no new bot message"):
        await server.wait_for_message(USER, timeout=0.1)

    async def bot_answers_later() -> None:
        await asyncio.sleep(0.1)
        await bot.send_message(USER, "late")

    answering = asyncio.create_task(bot_answers_later())
    assert (await server.wait_for_message(USER, timeout=3))["text"] == "late"
    await answering


async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets and offers a check-in button, like the real /start."""
    code = " ".join(context.args)
    await update.message.reply_text(f"Welcome! code={code}", reply_markup=keyboard(("Check in", "checkin:7")))


async def check_in_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers the tap and edits the message, the usual inline-button flow."""
    query = update.callback_query
    await query.answer("Saved")
    await query.edit_message_text(f"Checked in ({query.data})")


@pytest.mark.asyncio
async def test_application_polling_handles_commands_and_taps(server: BotApiServer) -> None:
    application: Application = ApplicationBuilder().token(TOKEN).base_url(server.base_url).build()
    application.add_handler(CommandHandler("start", start_command))
    application.add_handler(CallbackQueryHandler(check_in_pressed, pattern=r"^checkin:"))
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        await server.send_text(USER, "/start ABC")
        welcome = await server.wait_for_message(USER)
        assert welcome["text"] == "Welcome! code=ABC"
        assert server.buttons(welcome) == [("Check in", "checkin:7")]

        with pytest.raises(AssertionError, match="no button with callback_data 'checkin:8'"):
            await server.tap(USER, welcome["message_id"], "checkin:8")
        await server.tap(USER, welcome["message_id"], "checkin:7")
        edited = await server.wait_for_message(USER)
        assert (edited["message_id"], edited["text"]) == (welcome["message_id"], "Checked in (checkin:7)")
        answers = [r for r in server.requests if r.method == "answerCallbackQuery"]
        assert [(r.status, r.params["text"]) for r in answers] == [(200, "Saved")]
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    assert not any(r.status is None for r in server.requests)  # no poll left hanging


@pytest.mark.asyncio
async def test_webhook_delivers_with_secret_and_retries(server: BotApiServer, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    failures = [500]

    async def receive(request: web.Request) -> web.Response:
        if failures:
            return web.Response(status=failures.pop())
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret-Token_1")
        assert (await bot.get_webhook_info()).url.endswith("/hook")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()

        update = await server.send_text(USER, "/start")
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.02)
        assert received == [("s3cret-Token_1", update)]
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert "500" in info.last_error_message

        assert await bot.delete_webhook()
        await server.send_text(USER, "polling again")
        assert [u.message.text for u in await bot.get_updates()] == ["polling again"]
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_commands_and_menu_button(server: BotApiServer, bot: Bot) -> None:
    assert await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("habits", "Your habits")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "habits"]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "Capital letters are refused")])
    assert await bot.set_chat_menu_button(chat_id=USER, menu_button=MenuButtonCommands())
    assert isinstance(await bot.get_chat_menu_button(chat_id=USER), MenuButtonCommands)
    assert await bot.close()
    assert await bot.log_out()


@pytest.mark.asyncio
async def test_control_api_drives_a_bot_in_another_process(server: BotApiServer, bot: Bot) -> None:
    async with ClientSession(base_url=server.url) as http:
        posted = await (await http.post("/_control/message", json={"user_id": USER, "text": "/start"})).json()
        assert posted["result"]["message"]["text"] == "/start"
        (update,) = await bot.get_updates()
        sent = await bot.send_message(update.effective_chat.id, "Hi", reply_markup=keyboard(("Go", "go")))

        listing = await (await http.get("/_control/sent", params={"chat_id": str(USER)})).json()
        assert [m["text"] for m in listing["result"]] == ["Hi"]
        bad_tap = await http.post("/_control/tap", json={"user_id": USER, "message_id": sent.message_id, "data": "no"})
        assert bad_tap.status == 400
        assert "no button" in (await bad_tap.json())["description"]
        tap = await http.post("/_control/tap", json={"user_id": USER, "message_id": sent.message_id, "data": "go"})
        assert (await tap.json())["result"]["callback_query"]["data"] == "go"

        assert (await http.post("/_control/block", json={"user_id": OTHER_USER})).status == 200
        with pytest.raises(Forbidden):
            await bot.send_message(OTHER_USER, "hi")
        stats = (await (await http.get("/_control/stats")).json())["result"]
        assert (stats["sent"], stats["per_chat"], stats["rate_limited"]) == (1, {str(USER): 1}, 0)

        assert (await http.post("/_control/reset")).status == 200
        assert (await (await http.get("/_control/sent", params={"chat_id": str(USER)})).json())["result"] == []
        assert server.requests == []
        await server.send_text(USER, "after reset")
        (after,) = await bot.get_updates(offset=update.update_id + 1)
        assert after.update_id > update.update_id  # ids keep growing so pollers never skip updates


@pytest.mark.asyncio
async def test_standalone_server_prints_its_url_and_stops_on_sigterm() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.botapi",
        "--port",
        "0",
        "--token",
        TOKEN,
        "--rate-limit",
        "30",
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        assert process.stdout is not None
        url = (await asyncio.wait_for(process.stdout.readline(), 10)).decode().strip()
        assert url.startswith("http://127.0.0.1:")
        async with Bot(TOKEN, base_url=f"{url}/bot") as bot:
            assert (await bot.get_me()).username == "smarthabit_test_bot"
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
