"""A webhook receiver on loopback that records what arrives and answers from a script of statuses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    path: str


@dataclass
class Receiver:
    url: str
    statuses: list[int] = field(default_factory=list)  # answered in order; then 200
    received: list[Received] = field(default_factory=list)
    redirect_to: str | None = None


@asynccontextmanager
async def webhook_receiver(statuses: list[int] | None = None) -> AsyncIterator[Receiver]:
    receiver = Receiver(url="", statuses=list(statuses or []))

    async def handle(request: web.Request) -> web.Response:
        receiver.received.append(Received(dict(request.headers), await request.read(), request.path))
        status = receiver.statuses.pop(0) if receiver.statuses else 200
        if status in (301, 302, 307) and receiver.redirect_to:
            return web.Response(status=status, headers={"Location": receiver.redirect_to})
        return web.Response(status=status, text="ok" * 100_000)  # a long answer: the sender reads only a part

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    receiver.url = f"http://{host}:{port}/hooks/smarthabit"
    try:
        yield receiver
    finally:
        await runner.cleanup()
