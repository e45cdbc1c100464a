"""The SmartHabit roles as separate OS processes, started exactly as the compose file starts them."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp


def minute_at_least(now: datetime, lead: float) -> datetime:
    """The next wall-clock minute boundary at least `lead` seconds after `now`: a reminder set for it
    fires in the future even after `lead` seconds of setting it up (reminders have whole minutes)."""
    target = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return target + timedelta(minutes=1) if (target - now).total_seconds() < lead else target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Role:
    """One `smarthabit ROLE` process; its output goes to a log file that failures print."""

    def __init__(self, name: str, args: list[str], env: Mapping[str, str], logs: Path) -> None:
        self.name = name
        self.args = args
        self.env = dict(env)
        self.log_path = logs / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> Role:
        log = self.log_path.open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "launcher.cli", *self.args, env=self.env, stdout=log, stderr=log,
            cwd=self.log_path.parent,  # never a developer's .env from the checkout
        )
        log.close()
        return self

    async def wait(self, timeout: float) -> int:  # noqa: ASYNC109 - a bound on a child process
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def terminate(self, timeout: float = 40) -> int:  # noqa: ASYNC109
        """SIGTERM, as `docker stop` sends; returns the exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await self.wait(timeout)

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


async def wait_healthy(base_url: str, role: Role, timeout: float = 30) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with aiohttp.ClientSession() as session:
        while loop.time() < deadline:
            assert role.process is not None and role.process.returncode is None, role.output()[-3000:]
            try:
                async with session.get(f"{base_url}/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{role.name} did not become healthy:\n{role.output()[-3000:]}")


def base_env(**values: str) -> dict[str, str]:
    """The process environment for a role: this one's (PATH, ...) minus anything SmartHabit reads."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMARTHABIT_", "TELEGRAM_", "TEST_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "JWT_SECRET", "HOST", "PORT", "METRICS_PORT", "LOG_LEVEL",
                 "API_PROCESSES", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(name, None)
    env.update(values)
    return env


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 60) -> None:  # noqa: ASYNC109
    """Poll `check` until it holds; fail with `what` after `timeout` seconds."""
    for _ in range(int(timeout / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {what}")
