"""python-telegram-bot persistence in the `bot_state` table, so a restart resumes every chat.

Conversations, user_data, chat_data, bot_data and the callback-data cache are stored as JSON rows
keyed by (kind, key) in the same database as everything else (PostgreSQL, or SQLite when embedded),
not in a pickle file beside the code. Everything the handlers keep in user_data is therefore plain
JSON: strings, numbers, lists and dicts with string keys.
"""

from __future__ import annotations

import json
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from tortoise.expressions import Q

from smarthabit.models import BotState

USER_DATA = "user_data"
CHAT_DATA = "chat_data"
BOT_DATA = "bot_data"
CALLBACK_DATA = "callback_data"
CONVERSATION = "conversation"
DEFAULT_UPDATE_INTERVAL = 5.0

JSONDict = dict[str, Any]
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
# The callback-data cache as python-telegram-bot hands it over: (buttons, queries).
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


@dataclass(slots=True)
class ChatState:
    """One chat's state: each persistent conversation's state (by conversation name; absent or None
    when it is not in one), the user's user_data and the chat's chat_data."""

    conversations: dict[str, object]
    user_data: JSONDict | None
    chat_data: JSONDict | None


class DatabasePersistence(BasePersistence[JSONDict, JSONDict, JSONDict]):
    """BasePersistence over `BotState` rows; unchanged data is not written again.

    The Application flushes changed data every `update_interval` seconds and on stop, so a crash
    loses at most that window and a clean restart loses nothing.
    """

    def __init__(self, update_interval: float = DEFAULT_UPDATE_INTERVAL,
                 store_data: PersistenceInput | None = None) -> None:
        super().__init__(store_data=store_data, update_interval=update_interval)
        self._written: dict[tuple[str, str], str] = {}
        self._fresh: dict[tuple[str, str], JSONDict] = {}  # read for the update being handled

    # -- storage ------------------------------------------------------------------------------

    async def _load(self, kind: str) -> dict[str, Any]:
        rows = await BotState.filter(kind=kind).values_list("key", "data")
        for key, data in rows:
            self._written[(kind, key)] = json.dumps(data, sort_keys=True)
        return dict(rows)

    async def _store(self, kind: str, key: str, data: Any) -> None:
        encoded = json.dumps(data, sort_keys=True)
        if self._written.get((kind, key)) == encoded:
            return
        await BotState.update_or_create(kind=kind, key=key, defaults={"data": data})
        self._written[(kind, key)] = encoded

    async def _drop(self, kind: str, key: str) -> None:
        if (kind, key) not in self._written:
            return  # not stored (as far as this process last saw)
        await BotState.filter(kind=kind, key=key).delete()
        self._written.pop((kind, key), None)

    # -- user, chat and bot data ----------------------------------------------------------------

    async def get_user_data(self) -> dict[int, JSONDict]:
        return {int(key): data for key, data in (await self._load(USER_DATA)).items()}

    async def update_user_data(self, user_id: int, data: JSONDict) -> None:
        await self._store(USER_DATA, str(user_id), data)

    async def drop_user_data(self, user_id: int) -> None:
        await self._drop(USER_DATA, str(user_id))

    async def refresh_user_data(self, user_id: int, user_data: JSONDict) -> None:
        """Take the user_data `load_chat_state` just read (webhook mode); else this process is the
        only writer and its copy is current."""
        self._refresh(USER_DATA, str(user_id), user_data)

    async def get_chat_data(self) -> dict[int, JSONDict]:
        return {int(key): data for key, data in (await self._load(CHAT_DATA)).items()}

    async def update_chat_data(self, chat_id: int, data: JSONDict) -> None:
        await self._store(CHAT_DATA, str(chat_id), data)

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._drop(CHAT_DATA, str(chat_id))

    async def refresh_chat_data(self, chat_id: int, chat_data: JSONDict) -> None:
        """As `refresh_user_data`, for chat_data."""
        self._refresh(CHAT_DATA, str(chat_id), chat_data)

    async def get_bot_data(self) -> JSONDict:
        return deepcopy((await self._load(BOT_DATA)).get("bot", {}))

    async def update_bot_data(self, data: JSONDict) -> None:
        await self._store(BOT_DATA, "bot", data)

    async def refresh_bot_data(self, bot_data: JSONDict) -> None:
        """Nothing to do: this process is the only writer of its bot's state."""

    # -- callback data cache (only used with arbitrary_callback_data) ----------------------------

    async def get_callback_data(self) -> CDCData | None:
        stored = (await self._load(CALLBACK_DATA)).get("cache")
        if stored is None:
            return None
        buttons, queries = stored
        return [(uuid, float(at), dict(data)) for uuid, at, data in buttons], dict(queries)

    async def update_callback_data(self, data: CDCData) -> None:
        buttons, queries = data
        await self._store(CALLBACK_DATA, "cache", [[list(entry) for entry in buttons], queries])

    # -- conversations ------------------------------------------------------------------------

    @staticmethod
    def _conversation_key(name: str, key: ConversationKey) -> str:
        return f"{name}:{json.dumps(list(key))}"

    async def get_conversations(self, name: str) -> ConversationDict:
        prefix = f"{name}:"
        conversations: ConversationDict = {}
        for key, data in (await self._load(CONVERSATION)).items():
            if key.startswith(prefix):
                conversations[tuple(json.loads(key[len(prefix):]))] = data["state"]
        return conversations

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        row_key = self._conversation_key(name, key)
        if new_state is None:
            await self._drop(CONVERSATION, row_key)
        else:
            await self._store(CONVERSATION, row_key, {"state": new_state})

    # -- one chat's state, read and written around each update (webhook mode) ----------------------

    def _refresh(self, kind: str, key: str, current: JSONDict) -> None:
        fresh = self._fresh.pop((kind, key), None)
        if fresh is not None:
            current.clear()
            current.update(deepcopy(fresh))

    async def load_chat_state(
        self, user_id: int | None, chat_id: int | None, conversations: dict[str, ConversationKey]
    ) -> ChatState:
        """The chat's conversation states, user_data and chat_data, in one statement."""
        wanted = [(CONVERSATION, self._conversation_key(name, key)) for name, key in conversations.items()]
        if user_id is not None:
            wanted.append((USER_DATA, str(user_id)))
        if chat_id is not None:
            wanted.append((CHAT_DATA, str(chat_id)))
        query = Q()
        for kind, key in wanted:
            query |= Q(kind=kind, key=key)
        rows = {(kind, key): data for kind, key, data in await BotState.filter(query).values_list(
            "kind", "key", "data")}
        for kind, key in wanted:  # what is stored now is what this process last saw
            if (kind, key) in rows:
                self._written[(kind, key)] = json.dumps(rows[(kind, key)], sort_keys=True)
            else:
                self._written.pop((kind, key), None)
            if kind != CONVERSATION:
                self._fresh[(kind, key)] = rows.get((kind, key), {})
        states = {name: rows[(CONVERSATION, self._conversation_key(name, key))]["state"]
                  for name, key in conversations.items() if (CONVERSATION, self._conversation_key(name, key)) in rows}
        return ChatState(states, rows.get((USER_DATA, str(user_id))), rows.get((CHAT_DATA, str(chat_id))))

    async def store_chat_state(
        self, user_id: int | None, chat_id: int | None, conversations: dict[str, ConversationKey], state: ChatState
    ) -> None:
        """Write what the update changed (unchanged rows are not written again)."""
        for name, key in conversations.items():
            await self.update_conversation(name, key, state.conversations.get(name))
        if user_id is not None and state.user_data is not None:
            await self.update_user_data(user_id, state.user_data)
        if chat_id is not None and state.chat_data is not None:
            await self.update_chat_data(chat_id, state.chat_data)
        self._fresh.pop((USER_DATA, str(user_id)), None)
        self._fresh.pop((CHAT_DATA, str(chat_id)), None)

    async def flush(self) -> None:
        """Nothing is buffered: every update above is written when it is made."""
