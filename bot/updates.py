"""Concurrent updates: different chats at once, each chat's updates in the order they came.

python-telegram-bot hands every update to an update processor (`concurrent_updates`); ours runs
updates of different chats concurrently and serialises one chat's with a lock per chat, so a
conversation never sees its second message before its first.

Webhook mode may run several API processes, and Telegram sends a chat's next update to whichever
process answers. There each update runs inside a `SharedChatState` session: a lock every process
shares (Redis, when configured), then the chat's conversation states, user_data and chat_data read
from the database in one statement, the update handled, and whatever changed written back before
the lock is released. No process keeps a copy of a chat's state that another process could have
changed in the meantime.

python-telegram-bot has no public way to reload one conversation's state, so the session sets it
in each persistent ConversationHandler's state mapping (`_conversations`) and builds the key with
the handler's own `_get_key`, the two names the library uses for it itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import Any

from redis.asyncio import Redis
from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor, ConversationHandler

from bot.persistence import ChatState, DatabasePersistence

MAX_CONCURRENT_UPDATES = 64
LOCK_SECONDS = 60.0  # a chat's lock expires after this, should its holder die mid-update
LOCK_WAIT_SECONDS = 30.0


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (its user for chat-less updates); None when neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Up to `max_concurrent_updates` updates at once; one chat's run one after the other."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}
        self.shared: SharedChatState | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        async with self._chat_lock(key):
            if self.shared is None:
                await coroutine
            else:
                assert isinstance(update, Update)
                async with self.shared.session(key, update):
                    await coroutine

    @contextlib.asynccontextmanager
    async def _chat_lock(self, key: int) -> AsyncIterator[None]:
        """A FIFO lock per chat, dropped when nobody holds or waits for it."""
        lock, holders = self._chats.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._chats[key] = (lock, holders + 1)
        try:
            async with lock:
                yield
        finally:
            lock, holders = self._chats[key]
            if holders == 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, holders - 1)

    async def initialize(self) -> None:
        """Nothing to open: the shared state uses the application's persistence and Redis client."""

    async def shutdown(self) -> None:
        if self.shared is not None:
            await self.shared.close()


class SharedChatState:
    """A chat's bot state read from the database before each update and written back after it,
    under a lock every process shares; for webhook mode with several API processes."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], persistence: DatabasePersistence,
                 redis_url: str | None, namespace: str) -> None:
        self.application = application
        self.persistence = persistence
        self.redis = Redis.from_url(redis_url) if redis_url else None
        self.namespace = namespace

    def _conversations(self) -> list[ConversationHandler[Any]]:
        return [handler for handlers in self.application.handlers.values() for handler in handlers
                if isinstance(handler, ConversationHandler) and handler.persistent and handler.name]

    @contextlib.asynccontextmanager
    async def session(self, key: int, update: Update) -> AsyncIterator[None]:
        async with self._lock(key):
            handlers = {handler.name: handler for handler in self._conversations()}
            keys = {name: handler._get_key(update) for name, handler in handlers.items()}
            user = update.effective_user.id if update.effective_user else None
            chat = update.effective_chat.id if update.effective_chat else None
            state = await self.persistence.load_chat_state(user, chat, keys)
            for name, handler in handlers.items():
                conversations = handler._conversations
                if name in state.conversations:
                    conversations.update_no_track({keys[name]: state.conversations[name]})
                else:
                    conversations.data.pop(keys[name], None)  # ended elsewhere: not a tracked write
            yield
            after = ChatState(
                {name: handler._conversations.get(keys[name]) for name, handler in handlers.items()},
                self.application.user_data.get(user) if user is not None else None,
                self.application.chat_data.get(chat) if chat is not None else None,
            )
            await self.persistence.store_chat_state(user, chat, keys, after)

    @contextlib.asynccontextmanager
    async def _lock(self, key: int) -> AsyncIterator[None]:
        if self.redis is None:  # one process: the per-chat asyncio lock is enough
            yield
            return
        lock = self.redis.lock(f"{self.namespace}:bot-chat:{key}", timeout=LOCK_SECONDS,
                               blocking_timeout=LOCK_WAIT_SECONDS, sleep=0.005)
        async with lock:
            yield

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
