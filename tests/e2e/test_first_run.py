"""A newcomer's first run: `smarthabit run` on the embedded default, and the failures met on the way.

Each case starts the real command in a fresh folder (no .env, no DATABASE_URL unless given) and reads
what a person would read: the exit status and the one line on stderr, or the log lines and /health.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from tests.bot.conftest import TOKEN, Person
from tests.botapi import BotApiServer
from tests.e2e.stack import Role, base_env, eventually, free_port, minute_at_least, wait_healthy

PERSON_ID = 4_250_001


async def cli(tmp_path: Path, *args: str, timeout: float = 30, **env: str) -> tuple[int, str, str]:  # noqa: ASYNC109
    """Run `smarthabit ARGS` to its end in tmp_path; (status, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "launcher.cli", *args, env=base_env(**env), cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def one_line(stderr: str) -> str:
    """The whole of stderr for an expected failure: exactly one line, and no traceback."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.sqlite_pass
async def test_first_run_on_the_embedded_default_delivers_a_reminder(tmp_path: Path) -> None:
    """README command 2 as a newcomer runs it (no settings but a bot token): SQLite in the working
    folder, the in-process broker, the bot polling; a habit with a reminder made in the chat is
    reminded at its minute, all in one process."""
    botapi = BotApiServer([TOKEN])
    await botapi.start()
    port = free_port()
    run = await Role("run", ["run", "--port", str(port)],
                     base_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=botapi.url), tmp_path).start()
    try:
        await wait_healthy(f"http://127.0.0.1:{port}", run)
        assert (tmp_path / "smarthabit.sqlite3").exists() and (tmp_path / ".smarthabit-dev-jwt-key").exists()
        person = Person(botapi, PERSON_ID)
        await person.say("/start", "time zone")
        await person.say("UTC", "Time zone set")
        target = minute_at_least(datetime.now(UTC), lead=10)  # time to create the habit in the chat first
        await person.say("/new", "What habit")
        kind = await person.say("Stretch", "how do you want to track")
        schedule = await person.tap_and_expect(kind, "new:kind:yes_no", "How often")
        await person.tap_and_expect(schedule, "new:sk:daily", "remind")
        summary = await person.say(target.strftime("%H:%M"), "Save it?")
        await person.tap_and_expect(summary, "new:save", "Saved")
        wait = (target - datetime.now(UTC)).total_seconds() + 30
        reminder = await person.expect("Time for Stretch", timeout=wait)
        assert datetime.fromtimestamp(reminder["date"], UTC) >= target
        assert "Traceback" not in run.output()
    finally:
        assert await run.terminate() == 0, run.output()[-3000:]
        await botapi.stop()


async def test_port_in_use_names_the_flag_and_the_setting(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        status, _, err = await cli(tmp_path, "run", "--port", port)
        assert status == 1
        assert f"port {port} on 127.0.0.1 is already in use" in one_line(err) and "--port or PORT" in err
        status, _, err = await cli(tmp_path, "worker", METRICS_PORT=port, REDIS_URL="redis://127.0.0.1:1/0")
        assert status == 1 and "METRICS_PORT" in one_line(err) and "already in use" in err
        status, _, err = await cli(tmp_path, "api", "--port", str(free_port()), METRICS_PORT=port)
        assert status == 1 and "METRICS_PORT" in one_line(err) and "already in use" in err


async def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    status, out, err = await cli(tmp_path, "migrate", DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")
    assert status == 1 and out == ""
    assert one_line(err).startswith("smarthabit migrate: cannot reach the database at 127.0.0.1:1/nowhere")


@pytest.mark.postgres_only  # the migrations are PostgreSQL's
async def test_an_unmigrated_database_says_run_migrate(tmp_path: Path, fresh_database_url: str) -> None:
    status, _, err = await cli(tmp_path, "api", "--port", str(free_port()), DATABASE_URL=fresh_database_url)
    assert status == 1 and "is not migrated" in one_line(err) and "run `smarthabit migrate`" in err
    status, out, _ = await cli(tmp_path, "migrate", DATABASE_URL=fresh_database_url)
    assert status == 0 and out.startswith("applied: 0_")


async def test_bot_without_telegram_exits_with_the_reason(tmp_path: Path) -> None:
    async with BotApiServer(["999:the-only-token-it-knows"]) as botapi:
        status, _, err = await cli(tmp_path, "bot", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=botapi.url)
        assert status == 1 and "Telegram rejected TELEGRAM_BOT_TOKEN" in one_line(err) and TOKEN not in err
    status, _, err = await cli(tmp_path, "bot", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL="http://127.0.0.1:1")
    assert status == 1 and "cannot reach the Telegram Bot API at http://127.0.0.1:1" in one_line(err)


async def test_run_serves_while_telegram_is_unreachable_and_retries_the_bot(tmp_path: Path) -> None:
    """The API answers at once; the bot is tried again with a growing delay, one log line a try."""
    port = free_port()
    run = await Role("run", ["run", "--port", str(port)],
                     base_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL="http://127.0.0.1:1"), tmp_path).start()
    try:
        await wait_healthy(f"http://127.0.0.1:{port}", run)
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/health") as response:
            assert response.status == 200

        async def retried() -> bool:
            return "attempt 2, next in 4 s" in run.output()

        await eventually(retried, "a second attempt", timeout=15)
        attempts = [line for line in run.output().splitlines() if "bot not started" in line]
        assert len(attempts) == 2 and "cannot reach the Telegram Bot API" in attempts[0]
        assert "Traceback" not in run.output()
    finally:
        assert await run.terminate() == 0, run.output()[-3000:]
