"""Concurrent callers' items sent together: one statement for what arrived while the last was in flight.

Under load the database's work per statement and the driver's per query dominate a short statement;
a batch pays them once. Nothing waits on a timer: a lone item goes at once, and a batch holds what
arrived during the previous round trip. One batcher per event loop (a connection pool belongs to one).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Send = Callable[[list[T]], Awaitable[list[R | Exception]]]  # per item its result, or the exception it raises


class Batcher(Generic[T, R]):
    """`await batcher.submit(item)`: the item's result from a `send` shared with whatever else waits."""

    def __init__(self, send: Send[T, R], max_batch: int) -> None:
        self._send = send
        self._max_batch = max_batch
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[T, R]] = weakref.WeakKeyDictionary()

    async def submit(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        queue = self._loops.get(loop)
        if queue is None:
            queue = self._loops[loop] = _Queue(self._send, self._max_batch)
        return await queue.submit(item)


class _Queue(Generic[T, R]):
    """The waiting items of one event loop, and the task that sends them."""

    def __init__(self, send: Send[T, R], max_batch: int) -> None:
        self._send, self._max_batch = send, max_batch
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._sender: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.get_running_loop().create_task(self._send_waiting())
        return await future  # a caller that gives up cancels its own future only

    async def _send_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[: self._max_batch], self._waiting[self._max_batch:]
            try:
                outcomes = await self._send([item for item, _ in batch])
            except Exception as exc:
                outcomes = [exc] * len(batch)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():  # its caller gave up
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
