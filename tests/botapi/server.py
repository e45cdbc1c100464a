"""A loopback Telegram Bot API server for offline bot tests and benchmarks.

Telegram cannot be reached from CI, so the unchanged python-telegram-bot library is pointed at
this server with ``base_url``. It answers the Bot API methods SmartHabit uses in the real response
shape (including the errors bots must handle: blocked users, flood limits, "message is not
modified"), records every call, and plays the user side: tests type text and tap inline buttons,
then assert on what the bot sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import itertools
import json
import math
import re
import struct
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

JSONDict = dict[str, Any]
Predicate = Callable[[JSONDict], bool]

DEFAULT_USERNAME = "smarthabit_test_bot"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_POLL_TIMEOUT = 50.0
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
#: Update types Telegram delivers when ``allowed_updates`` was never set (or set to ``[]``).
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "inline_query", "chosen_inline_result", "callback_query",
        "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
        "my_chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    }
)  # fmt: skip
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip
# Parameters whose form-encoded value is the raw string; python-telegram-bot JSON-encodes every
# other non-string value, so those are decoded with json.loads.
_TEXT_PARAMS = frozenset(
    {
        "text", "caption", "parse_mode", "url", "secret_token", "ip_address", "callback_query_id",
        "action", "language_code", "photo", "inline_message_id", "business_connection_id",
        "message_effect_id",
    }
)  # fmt: skip
# Parameters that carry a JSON object or array (a JSON string inside a JSON body is parsed too).
_JSON_PARAMS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "scope",
        "menu_button", "reply_parameters", "link_preview_options",
    }
)  # fmt: skip
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ApiError(Exception):
    """A Bot API error reply; the HTTP status doubles as ``error_code``, as with Telegram."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def as_json(self) -> JSONDict:
        """The error body exactly as Telegram shapes it."""
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class RateLimit:
    """Telegram's flood limits as sliding windows: per bot over all chats, and per chat."""

    global_limit: int = 30
    global_window: float = 1.0
    chat_limit: int = 1
    chat_window: float = 1.0


PAID_BROADCAST_LIMIT = 1000  # messages a second with allow_paid_broadcast


@dataclass
class Fault:
    """An injected failure, for fault tests and benchmarks. Calls of `method` ("*" = every method
    but getUpdates/getMe), to `chats` if given, wait `delay` seconds and then either go through
    (`status` 200: a slow answer) or are answered with `status` (429 carries `retry_after`, 403
    "blocked", 5xx an internal error; nothing is sent). Status 0 closes the connection after the
    whole request was read (the client cannot know the outcome; the message is *not* recorded).
    Ends after `count` calls or at monotonic time `until`, whichever comes first."""

    method: str = "*"
    status: int = 500
    delay: float = 0.0
    count: int | None = None
    until: float | None = None
    chats: frozenset[int] | None = None
    retry_after: int = 1

    def applies(self, method: str, chat_id: object, now: float) -> bool:
        if self.until is not None and now >= self.until:
            return False
        if self.count is not None and self.count <= 0:
            return False
        if self.method == "*":
            if method in ("getUpdates", "getMe", "setMyCommands", "deleteWebhook", "setWebhook"):
                return False
        elif self.method.lower() != method.lower():
            return False
        return self.chats is None or chat_id in self.chats


@dataclass
class Stats:
    """Counters benchmarks read to check throughput, flood limits and duplicate sends."""

    sent: int = 0
    rate_limited: int = 0
    faults: int = 0
    per_chat: Counter[int] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> JSONDict:
        """JSON form for the control API (chat ids become string keys)."""
        return {
            "sent": self.sent,
            "rate_limited": self.rate_limited,
            "faults": self.faults,
            "per_chat": {str(chat): count for chat, count in self.per_chat.items()},
            "calls": dict(self.calls),
        }


@dataclass
class RecordedRequest:
    """One Bot API call as the server saw it; ``status`` is None while a long poll is open."""

    token: str
    method: str
    params: JSONDict
    time: float
    status: int | None = None
    description: str | None = None
    photo_bytes: bytes | None = None


class _Chat:
    """A private chat between the bot and one simulated user."""

    def __init__(self, user_id: int, first_name: str) -> None:
        self.user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        self.messages: dict[int, JSONDict] = {}
        self.outgoing: list[JSONDict] = []
        self.cursor = 0
        self.blocked = False
        self.sends: deque[float] = deque()
        self._message_ids = itertools.count(1)

    def as_chat(self) -> JSONDict:
        return {"id": self.user["id"], "type": "private", "first_name": self.user["first_name"]}

    def new_message(self, sender: JSONDict, **content: Any) -> JSONDict:
        message = {
            "message_id": next(self._message_ids),
            "from": sender,
            "chat": self.as_chat(),
            "date": int(time.time()),
            **{key: value for key, value in content.items() if value is not None},
        }
        self.messages[message["message_id"]] = message
        return message


class _GroupChat(_Chat):
    """A group the bot is a member of; `user` is its last speaker, the chat has its own (negative) id."""

    def __init__(self, chat_id: int, title: str) -> None:
        super().__init__(chat_id, title)
        self.chat_id, self.title = chat_id, title

    def as_chat(self) -> JSONDict:
        return {"id": self.chat_id, "type": "group", "title": self.title}


class _BotState:
    """Everything Telegram keeps for one bot token: update queue, webhook, chats, commands."""

    def __init__(self, token: str, username: str, first_update_id: int) -> None:
        self.token = token
        self.user: JSONDict = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "SmartHabit Test Bot",
            "username": username,
        }
        self.updates: list[JSONDict] = []
        self.next_update_id = first_update_id
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.webhook: JSONDict | None = None
        self.webhook_error: tuple[int, str] | None = None
        self.webhook_task: asyncio.Task[None] | None = None
        self.chats: dict[int, _Chat] = {}
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.callback_queries: dict[str, JSONDict] = {}
        self.files: dict[str, bytes] = {}
        self.sends: deque[float] = deque()
        self.poll_generation = 0
        self.closed = False
        self.changed = asyncio.Condition()

    def chat(self, chat_id: int, first_name: str | None = None) -> _Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = _Chat(chat_id, first_name or "Test")
        elif first_name is not None:
            chat.user["first_name"] = first_name
        return chat

    def deliverable(self, limit: int) -> list[JSONDict]:
        wanted = (u for u in self.updates if _update_type(u) in self.allowed_updates)
        return list(itertools.islice(wanted, limit))

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a negative offset keeps only the last -offset."""
        if offset < 0:
            del self.updates[:offset]
        elif offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()


def _update_type(update: JSONDict) -> str:
    return next(key for key in update if key != "update_id")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode())


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _decode_param(name: str, value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode()
    if name in _TEXT_PARAMS:
        return value if isinstance(value, str) else str(value)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return json.loads(value)
        if name in _JSON_PARAMS:
            raise _bad(f"can't parse {name} JSON object")
    return value


async def _read_params(request: web.Request) -> tuple[JSONDict, dict[str, bytes]]:
    """Merge query string and body (JSON, urlencoded or multipart) the way Telegram does."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, bytes] = {}
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise _bad("can't parse JSON object") from exc
            if not isinstance(body, dict):
                raise _bad("JSON object expected")
            raw.update(body)
        else:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                else:
                    raw[key] = value
    return {key: _decode_param(key, value) for key, value in raw.items()}, files


def _int_param(params: JSONDict, name: str, default: int | None = None) -> int:
    value = params.get(name, default)
    if value is None or value == "":
        raise _bad(f"{name} is empty")
    if not _is_int(value):
        raise _bad(f"wrong type of the parameter {name}")
    return int(value)


def _text_or_caption(params: JSONDict, name: str, entities_name: str) -> tuple[str | None, list[JSONDict]]:
    """Render ``text``/``caption`` with its parse mode, as Telegram stores it."""
    raw = params.get(name)
    if raw is None:
        return None, []
    explicit = params.get(entities_name)
    if explicit is not None and not isinstance(explicit, list):
        raise _bad(f"can't parse {entities_name} JSON object")
    if explicit:
        return raw, explicit
    mode = (params.get("parse_mode") or "").lower()
    if not mode:
        return raw, []
    if mode == "html":
        return _parse_html(raw)
    if mode in ("markdown", "markdownv2"):
        return _parse_markdown(raw, v2=mode == "markdownv2")
    raise _bad("unsupported parse_mode")


def _entity_error(source: str, index: int, what: str) -> ApiError:
    return _bad(f"can't parse entities: {what} at byte offset {_byte_offset(source, index)}")


_HTML_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*/?>"
)
_HTML_ATTR = re.compile(r"([^\s=>]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")
_HTML_CHAR_REF = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);")
_HTML_SIMPLE = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "code": "code", "pre": "pre",
}  # fmt: skip


def _html_entity(source: str, index: int, name: str, attrs: dict[str, str], stack: list[Any]) -> JSONDict | None:
    """The entity a start tag opens (None for tags that only carry attributes)."""
    if name == "code" and stack and stack[-1][0] == "pre" and stack[-1][2] is not None:
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][2]["language"] = language.removeprefix("language-")
            return None
    if name in _HTML_SIMPLE:
        return {"type": _HTML_SIMPLE[name]}
    if name == "span" and attrs.get("class") == "tg-spoiler":
        return {"type": "spoiler"}
    if name == "a":
        return {"type": "text_link", "url": attrs["href"]} if attrs.get("href") else None
    if name == "blockquote":
        return {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
    if name == "tg-emoji" and attrs.get("emoji-id"):
        return {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
    raise _entity_error(source, index, f'Unsupported start tag "{name}"')


def _parse_html(source: str) -> tuple[str, list[JSONDict]]:
    """Telegram's HTML parse mode: strip tags into entities, refuse malformed markup."""
    out: list[str] = []
    length = 0
    stack: list[tuple[str, int, JSONDict | None]] = []
    entities: list[JSONDict] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "<":
            tag = _HTML_TAG.match(source, index)
            if tag is None:
                raise _entity_error(source, index, "Unsupported start tag")
            name = tag.group(2).lower()
            if tag.group(1):
                if not stack or stack[-1][0] != name:
                    expected = f'expected "</{stack[-1][0]}>", ' if stack else ""
                    raise _entity_error(source, index, f'Unmatched end tag, {expected}found "</{name}>"')
                _, start, entity = stack.pop()
                if entity is not None and length > start:
                    entities.append({**entity, "offset": start, "length": length - start})
            else:
                attrs = {
                    match.group(1).lower(): next((g for g in match.groups()[1:] if g), "")
                    for match in _HTML_ATTR.finditer(tag.group(3))
                }
                entity = _html_entity(source, index, name, attrs, stack)
                stack.append((name, length, entity))
            index = tag.end()
            continue
        ref = _HTML_CHAR_REF.match(source, index) if char == "&" else None
        piece = html.unescape(ref.group(0)) if ref else char
        index = ref.end() if ref else index + 1
        out.append(piece)
        length += _utf16_len(piece)
    if stack:
        raise _bad(f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1][0]}\"")
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(out), entities


_MD_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_MARKERS = {
    "*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler",
}  # fmt: skip
_MD1_MARKERS = {"*": "bold", "_": "italic"}


def _scan_until(source: str, start: int, close: str, escapable: str) -> tuple[int, str]:
    """Read up to ``close`` honouring backslash escapes; -1 when ``close`` never comes."""
    body: list[str] = []
    index = start
    while index < len(source):
        next_char = source[index + 1 : index + 2]
        if source[index] == "\\" and next_char and next_char in escapable:
            body.append(source[index + 1])
            index += 2
        elif source.startswith(close, index):
            return index, "".join(body)
        else:
            body.append(source[index])
            index += 1
    return -1, ""


def _md_marker(source: str, index: int, markers: dict[str, str]) -> str | None:
    """The formatting marker at ``index``, preferring two-character ones (``__``, ``||``)."""
    for candidate in (source[index : index + 2], source[index]):
        if candidate in markers:
            return candidate
    return None


def _parse_markdown(source: str, *, v2: bool) -> tuple[str, list[JSONDict]]:
    """Telegram's Markdown and MarkdownV2 parse modes, including V2's reserved characters."""
    markers = _MD2_MARKERS if v2 else _MD1_MARKERS
    out: list[str] = []
    length = 0
    stack: list[tuple[str, int, int]] = []
    entities: list[JSONDict] = []
    quote_start: int | None = None
    index = 0

    def emit(piece: str) -> None:
        nonlocal length
        out.append(piece)
        length += _utf16_len(piece)

    def add(entity: JSONDict, start: int) -> None:
        if length > start:
            entities.append({**entity, "offset": start, "length": length - start})

    while index < len(source):
        char = source[index]
        at_line_start = index == 0 or source[index - 1] == "\n"
        escaped = source[index + 1 : index + 2]
        if char == "\\" and escaped and (0 < ord(escaped) <= 126 if v2 else escaped in "_*`["):
            emit(escaped)
            index += 2
        elif char == "`":
            fence = "```" if source.startswith("```", index) else "`"
            end, body = _scan_until(source, index + len(fence), fence, "`\\" if v2 else "")
            if end < 0:
                raise _entity_error(source, index, "Can't find end of the entity starting")
            entity: JSONDict = {"type": "pre" if fence == "```" else "code"}
            first_line, newline, rest = body.partition("\n")
            if fence == "```" and newline and first_line and " " not in first_line:
                entity["language"] = first_line
                body = rest
            start = length
            emit(body)
            add(entity, start)
            index = end + len(fence)
        elif (marker := _md_marker(source, index, markers)) is not None:
            if any(open_marker == marker for open_marker, _, _ in stack):
                if stack[-1][0] != marker:
                    raise _entity_error(source, stack[-1][2], "Can't find end of the entity")
                _, start, _ = stack.pop()
                add({"type": markers[marker]}, start)
            else:
                stack.append((marker, length, index))
            index += len(marker)
        elif char == "[":
            stack.append(("[", length, index))
            index += 1
        elif char == "]" and stack and stack[-1][0] == "[":
            _, start, opened = stack.pop()
            if not source.startswith("(", index + 1):
                raise _entity_error(source, opened, "Can't find end of a URL")
            end, url = _scan_until(source, index + 2, ")", ")\\" if v2 else "")
            if end < 0:
                raise _entity_error(source, index, "Can't find end of a URL")
            add({"type": "text_link", "url": url}, start)
            index = end + 1
        elif v2 and char == ">" and at_line_start:
            quote_start = length if quote_start is None else quote_start
            index += 1
        elif v2 and char in _MD_RESERVED:
            raise _bad(
                f"can't parse entities: Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        else:
            if char == "\n" and quote_start is not None and source[index + 1 : index + 2] != ">":
                add({"type": "blockquote"}, quote_start)
                quote_start = None
            emit(char)
            index += 1
    if quote_start is not None:
        add({"type": "blockquote"}, quote_start)
    if stack:
        raise _entity_error(source, stack[-1][2], "Can't find end of the entity starting")
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(out), entities


def _check_markup(markup: Any) -> JSONDict | None:
    """Validate reply_markup like Telegram; an empty inline keyboard means no markup."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    for button in itertools.chain.from_iterable(rows):
        if not isinstance(button, dict) or not button.get("text"):
            raise _bad("can't parse inline keyboard button: Text must be non-empty")
        if len(button) == 1:
            raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise _bad("BUTTON_DATA_INVALID")
    return markup if any(rows) else None


def _inline_markup(message: JSONDict) -> JSONDict | None:
    markup = message.get("reply_markup")
    return markup if markup and "inline_keyboard" in markup else None


def _api_view(message: JSONDict) -> JSONDict:
    """The Message as Telegram returns it: only inline keyboards travel with a message."""
    view = copy.deepcopy(message)
    for item in (view, view.get("reply_to_message") or {}):
        if "reply_markup" in item and _inline_markup(item) is None:
            del item["reply_markup"]
    return view


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG; None when Telegram could not process it."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 <= len(data) and data[index] == 0xFF:
            marker = data[index + 1]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return width, height
            index += 2 + struct.unpack(">H", data[index + 2 : index + 4])[0]
    return None


Handler = Callable[[_BotState, JSONDict, dict[str, bytes], RecordedRequest], Awaitable[Any]]


class BotApiServer:
    """Loopback Bot API: ``Bot(token, base_url=server.base_url)`` talks to it like to Telegram.

    Tests act as users with :meth:`send_text`, :meth:`tap`, :meth:`send_location` and
    :meth:`block`, and read what the bot did with :meth:`wait_for_message`, :meth:`sent_to`,
    :attr:`requests` and :attr:`stats`. With several tokens each one is a separate bot; the
    user-side methods take ``token=`` and default to the first.
    """

    def __init__(
        self,
        tokens: Iterable[str],
        *,
        rate_limit: RateLimit | int | None = None,
        username: str = DEFAULT_USERNAME,
        webhook_retries: int = 3,
        webhook_retry_delay: float = 0.1,
    ) -> None:
        self._tokens = list(tokens)
        if not self._tokens:
            raise ValueError("BotApiServer needs at least one token")
        for token in self._tokens:
            if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
                raise ValueError(f"not a bot token (expected '<digits>:<secret>'): {token!r}")
        self.rate_limit = RateLimit(global_limit=rate_limit) if _is_int(rate_limit) else rate_limit
        self.username = username
        self.webhook_retries = webhook_retries
        self.webhook_retry_delay = webhook_retry_delay
        self.requests: list[RecordedRequest] = []
        self.stats = Stats()
        self.faults: list[Fault] = []
        self._bots = {token: _BotState(token, username, 1) for token in self._tokens}
        self._query_ids = itertools.count(4_000_000_000_000_000_000)
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._url: str | None = None
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "getFile": self._get_file,
                "sendChatAction": self._send_chat_action,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setChatMenuButton": self._set_chat_menu_button,
                "getChatMenuButton": self._get_chat_menu_button,
                "close": self._true,
                "logOut": self._true,
            }.items()
        }

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port``; port 0 picks a free one (read it back from :attr:`url`)."""
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download_file)
        control = {
            "message": self._control_message,
            "tap": self._control_tap,
            "location": self._control_location,
            "block": self._control_block,
            "unblock": self._control_unblock,
            "reset": self._control_reset,
            "fault": self._control_fault,
            "clear_faults": self._control_clear_faults,
        }
        for name, handler in control.items():
            app.router.add_post(f"/_control/{name}", handler)
        app.router.add_get("/_control/sent", self._control_sent)
        app.router.add_get("/_control/stats", self._control_stats)
        self._session = ClientSession()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self._url = f"http://{bound_host}:{bound_port}"

    async def stop(self) -> None:
        """Answer open long polls, stop webhook delivery and close the listener."""
        for bot in self._bots.values():
            await self._close_bot(bot)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> BotApiServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` once started."""
        if self._url is None:
            raise RuntimeError("BotApiServer is not started")
        return self._url

    @property
    def base_url(self) -> str:
        """What python-telegram-bot's ``base_url`` wants (it appends the token)."""
        return f"{self.url}/bot"

    async def reset(self) -> None:
        """Forget chats, updates, webhooks, recorded requests and stats; keep the tokens.

        Update ids keep increasing so a bot still polling with an old offset sees new updates.
        """
        for token, bot in list(self._bots.items()):
            await self._close_bot(bot)
            self._bots[token] = _BotState(token, self.username, bot.next_update_id)
        self.requests.clear()
        self.stats = Stats()

    # -- the user side ------------------------------------------------------------------------

    async def send_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Test",
        reply_to_message_id: int | None = None,
        token: str | None = None,
    ) -> JSONDict:
        """Queue a private message from ``user_id``; ``/commands`` get a bot_command entity."""
        bot = self._bot(token)
        chat = self._user_chat(bot, user_id, first_name)
        entities = None
        command = re.match(r"/\S+", text)
        if command:
            length = _utf16_len(command.group(0))
            entities = [{"type": "bot_command", "offset": 0, "length": length}]
        reply_to = None
        if reply_to_message_id is not None:
            target = chat.messages.get(reply_to_message_id)
            if target is None:
                raise AssertionError(f"chat {user_id} has no message {reply_to_message_id}")
            reply_to = _api_view({k: v for k, v in target.items() if k != "reply_to_message"})
        message = chat.new_message(chat.user, text=text, entities=entities, reply_to_message=reply_to)
        return await self._queue(bot, "message", copy.deepcopy(message))

    def set_language(self, user_id: int, language_code: str | None, *, token: str | None = None) -> None:
        """The user's Telegram app language (sent as ``from.language_code`` from now on)."""
        user = self._bot(token).chat(user_id).user
        if language_code is None:
            user.pop("language_code", None)
        else:
            user["language_code"] = language_code

    async def send_group_text(self, group_id: int, user_id: int, text: str, *, token: str | None = None) -> JSONDict:
        """Queue a message that ``user_id`` writes in a group (negative ``group_id``) the bot is in."""
        if group_id >= 0:
            raise AssertionError("group chat ids are negative")
        bot = self._bot(token)
        chat = bot.chats.get(group_id)
        if chat is None:
            chat = bot.chats[group_id] = _GroupChat(group_id, f"Group {-group_id}")
        sender = {"id": user_id, "is_bot": False, "first_name": "Member"}
        message = chat.new_message(sender, text=text)
        return await self._queue(bot, "message", copy.deepcopy(message))

    async def edit_text(self, user_id: int, message_id: int, text: str, *, token: str | None = None) -> JSONDict:
        """The user edits one of their messages: an ``edited_message`` update with the new text."""
        bot = self._bot(token)
        chat = self._user_chat(bot, user_id, None)
        message = chat.messages.get(message_id)
        if message is None or message["from"]["id"] != user_id:
            raise AssertionError(f"chat {user_id} has no message {message_id} from the user")
        message.update(text=text, edit_date=int(time.time()))
        return await self._queue(bot, "edited_message", copy.deepcopy(message))

    async def send_photo(self, user_id: int, *, token: str | None = None) -> JSONDict:
        """Queue a photo message (a tiny one: the bot never downloads it)."""
        bot = self._bot(token)
        chat = self._user_chat(bot, user_id, None)
        photo = [{"file_id": f"photo-{user_id}", "file_unique_id": f"u{user_id}", "width": 90, "height": 90}]
        message = chat.new_message(chat.user, photo=photo)
        return await self._queue(bot, "message", copy.deepcopy(message))

    async def send_location(
        self, user_id: int, latitude: float, longitude: float, *, token: str | None = None
    ) -> JSONDict:
        """Queue a location message, as when the user shares their position."""
        bot = self._bot(token)
        chat = self._user_chat(bot, user_id, None)
        location = {"latitude": latitude, "longitude": longitude}
        message = chat.new_message(chat.user, location=location)
        return await self._queue(bot, "message", copy.deepcopy(message))

    async def send_document(
        self, user_id: int, data: bytes, file_name: str, *, mime_type: str = "application/zip",
        caption: str | None = None, token: str | None = None,
    ) -> JSONDict:
        """Queue a file the user sends (the bot fetches it with getFile and the file URL)."""
        bot = self._bot(token)
        chat = self._user_chat(bot, user_id, None)
        file_id = f"BQACAgIAAxk{len(bot.files):08d}"
        bot.files[file_id] = data
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
                    "mime_type": mime_type, "file_size": len(data)}
        message = chat.new_message(chat.user, document=document, caption=caption)
        return await self._queue(bot, "message", copy.deepcopy(message))

    def document_bytes(self, message: JSONDict, *, token: str | None = None) -> bytes | None:
        """The bytes of a document the bot sent (None when the message has none)."""
        document = message.get("document")
        return self._bot(token).files.get(document["file_id"]) if document else None

    async def tap(
        self, user_id: int, message_id: int, data: str, *, token: str | None = None, forged: bool = False
    ) -> JSONDict:
        """Queue a callback_query for an inline button the bot sent; fail loudly if none.

        ``forged=True`` sends ``data`` although the message has no such button, as a modified
        client can: bots must validate callback_data instead of trusting it.
        """
        bot = self._bot(token)
        chat = self._user_chat(bot, user_id, None)
        message = chat.messages.get(message_id)
        if message is None or message["from"]["id"] != bot.user["id"]:
            raise AssertionError(f"chat {user_id} has no bot message {message_id}")
        view = _api_view(message)
        buttons = self.buttons(view)
        if not forged and data not in [callback for _, callback in buttons]:
            raise AssertionError(
                f"message {message_id} in chat {user_id} has no button with callback_data "
                f"{data!r}; its inline buttons are {buttons}"
            )
        query = {
            "id": str(next(self._query_ids)),
            "from": dict(chat.user),
            "message": view,
            "chat_instance": str(abs(hash((bot.user["id"], user_id)))),
            "data": data,
        }
        bot.callback_queries[query["id"]] = query
        return await self._queue(bot, "callback_query", query)

    async def block(self, user_id: int, *, token: str | None = None) -> None:
        """The user blocks the bot: sends answer 403 and the bot gets a my_chat_member update."""
        await self._set_blocked(user_id, True, token)

    async def unblock(self, user_id: int, *, token: str | None = None) -> None:
        """The user restarts the bot after blocking it."""
        await self._set_blocked(user_id, False, token)

    # -- inspection ---------------------------------------------------------------------------

    def sent_to(self, chat_id: int, *, token: str | None = None) -> list[JSONDict]:
        """The bot's messages in that chat as they are now (after edits, without deleted ones).

        Reply keyboards are kept in ``reply_markup`` here so tests can check them, although
        Telegram returns only inline keyboards to the bot.
        """
        bot = self._bot(token)
        chat = bot.chats.get(chat_id)
        if chat is None:
            return []
        return [
            copy.deepcopy(message)
            for _, message in sorted(chat.messages.items())
            if message["from"]["id"] == bot.user["id"]
        ]

    def last_message(self, chat_id: int, *, token: str | None = None) -> JSONDict | None:
        """The bot's latest message in that chat, or None."""
        messages = self.sent_to(chat_id, token=token)
        return messages[-1] if messages else None

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Predicate | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test-facing signature
        *,
        token: str | None = None,
    ) -> JSONDict:
        """Next message the bot sent or edited in that chat since the test last looked.

        Each chat keeps a cursor over the bot's sends and edits (a snapshot of the message
        right after each call). This returns the first one after the cursor that matches
        ``predicate`` and moves the cursor past it, so a reply that arrived before the test
        started waiting is never missed and never returned twice. Non-matching ones before
        it are consumed. Raises AssertionError after ``timeout`` seconds.
        """
        bot = self._bot(token)
        chat = bot.chat(chat_id)
        found: JSONDict | None = None

        def find() -> bool:
            nonlocal found
            for index in range(chat.cursor, len(chat.outgoing)):
                if predicate is None or predicate(chat.outgoing[index]):
                    chat.cursor = index + 1
                    found = copy.deepcopy(chat.outgoing[index])
                    return True
            return False

        async with bot.changed:
            if not find():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(bot.changed.wait_for(find), timeout)
        if found is None:
            pending = [m.get("text", m.get("caption")) for m in chat.outgoing[chat.cursor :]]
            what = "matching the predicate " if predicate else ""
            raise AssertionError(f"no new bot message {what}in chat {chat_id} within {timeout}s; unconsumed: {pending}")
        return found

    def photo_bytes(self, message: JSONDict, *, token: str | None = None) -> bytes | None:
        """The uploaded image bytes behind a photo message (None when it has no photo)."""
        photo = message.get("photo")
        return self._bot(token).files.get(photo[-1]["file_id"]) if photo else None

    @staticmethod
    def buttons(message: JSONDict) -> list[tuple[str, str | None]]:
        """(text, callback_data) of every keyboard button; reply keyboards give None data."""
        markup = message.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [
            (button, None) if isinstance(button, str) else (button["text"], button.get("callback_data"))
            for row in rows
            for button in row
        ]

    # -- internals ----------------------------------------------------------------------------

    def _bot(self, token: str | None) -> _BotState:
        try:
            return self._bots[token if token is not None else self._tokens[0]]
        except KeyError:
            raise ValueError(f"unknown token {token!r}") from None

    def _user_chat(self, bot: _BotState, user_id: int, first_name: str | None) -> _Chat:
        chat = bot.chat(user_id, first_name)
        if chat.blocked:
            raise AssertionError(f"user {user_id} has blocked the bot; unblock() first")
        return chat

    async def _queue(self, bot: _BotState, kind: str, payload: JSONDict) -> JSONDict:
        update = {"update_id": bot.next_update_id, kind: payload}
        bot.next_update_id += 1
        bot.updates.append(update)
        await bot.notify()
        return copy.deepcopy(update)

    async def _set_blocked(self, user_id: int, blocked: bool, token: str | None) -> None:
        bot = self._bot(token)
        chat = bot.chat(user_id)
        if chat.blocked == blocked:
            return
        chat.blocked = blocked
        member = {"status": "member", "user": bot.user}
        kicked = {"status": "kicked", "user": bot.user, "until_date": 0}
        old, new = (member, kicked) if blocked else (kicked, member)
        update = {
            "chat": chat.as_chat(),
            "from": dict(chat.user),
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        await self._queue(bot, "my_chat_member", update)

    async def _close_bot(self, bot: _BotState) -> None:
        bot.closed = True
        await bot.notify()
        if bot.webhook_task is not None:
            bot.webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await bot.webhook_task
            bot.webhook_task = None

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        known = self._methods.get(method.lower())
        record = RecordedRequest(token, known[0] if known else method, {}, time.time())
        self.requests.append(record)
        try:
            bot = self._bots.get(token)
            if bot is None:
                raise ApiError(401, "Unauthorized")
            if known is None:
                raise ApiError(404, "Not Found: method not found")
            self.stats.calls[record.method] += 1
            params, files = await _read_params(request)
            record.params = params
            if await self._inject_fault(request, record.method, params):
                record.status = 0
                return web.Response(status=500)  # never written: the connection is gone
            result = await known[1](bot, params, files, record)
        except ApiError as error:
            record.status = error.code
            record.description = error.description
            return web.json_response(error.as_json(), status=error.code)
        record.status = 200
        return web.json_response({"ok": True, "result": result})

    def fail(self, fault: Fault) -> None:
        """Inject a fault (see :class:`Fault`); later ones are checked after earlier ones."""
        self.faults.append(fault)

    async def _inject_fault(self, request: web.Request, method: str, params: JSONDict) -> bool:
        """Apply the first matching fault: True when the connection was cut (no answer)."""
        now = time.monotonic()
        fault = next((f for f in self.faults if f.applies(method, params.get("chat_id"), now)), None)
        if fault is None:
            return False
        if fault.count is not None:
            fault.count -= 1
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status == 200:
            return False
        self.stats.faults += 1
        if fault.status == 0:
            if request.transport is not None:
                request.transport.close()
            return True
        if fault.status == 429:
            raise ApiError(429, f"Too Many Requests: retry after {fault.retry_after}",
                           {"retry_after": fault.retry_after})
        if fault.status == 403:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        raise ApiError(fault.status, "Internal Server Error" if fault.status == 500 else "Bad Gateway")

    def _chat_for_send(self, bot: _BotState, params: JSONDict) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if _is_int(chat_id) and chat_id < 0 and isinstance(bot.chats.get(chat_id), _GroupChat):
            return bot.chats[chat_id]
        if not _is_int(chat_id) or chat_id <= 0:
            raise _bad("chat not found")
        chat = bot.chat(chat_id)
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _check_rate(self, bot: _BotState, chat: _Chat, *, paid: bool = False) -> None:
        """Telegram's flood limits; a paid broadcast (allow_paid_broadcast) may go up to 1,000/s."""
        limit = self.rate_limit
        if limit is None:
            return
        now = time.monotonic()
        waits = []
        for window, allowed, span in (
            (bot.sends, PAID_BROADCAST_LIMIT if paid else limit.global_limit, limit.global_window),
            (chat.sends, limit.chat_limit, limit.chat_window),
        ):
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= allowed:
                waits.append(window[0] + span - now)
        if waits:
            self.stats.rate_limited += 1
            retry_after = max(1, math.ceil(max(waits)))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    async def _record_send(self, bot: _BotState, chat: _Chat, message: JSONDict) -> None:
        now = time.monotonic()
        bot.sends.append(now)
        chat.sends.append(now)
        self.stats.sent += 1
        self.stats.per_chat[chat.user["id"]] += 1
        await self._record_outgoing(bot, chat, message)

    async def _record_outgoing(self, bot: _BotState, chat: _Chat, message: JSONDict) -> None:
        chat.outgoing.append(copy.deepcopy(message))
        await bot.notify()

    def _reply_to(self, chat: _Chat, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply", False))
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        else:
            message_id = params.get("reply_to_message_id")
        if message_id is None:
            return None
        target = chat.messages.get(message_id)
        if target is None:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        return {key: value for key, value in target.items() if key != "reply_to_message"}

    def _message_to_edit(self, bot: _BotState, params: JSONDict) -> tuple[_Chat, JSONDict]:
        if "chat_id" not in params and "inline_message_id" in params:
            raise _bad("MESSAGE_ID_INVALID")
        chat = self._chat_for_send(bot, params)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        message = chat.messages.get(message_id) if _is_int(message_id) else None
        if message is None:
            raise _bad("message to edit not found")
        if message["from"]["id"] != bot.user["id"]:
            raise _bad("message can't be edited")
        return chat, message

    def _edit_markup(self, params: JSONDict) -> JSONDict | None:
        markup = _check_markup(params.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise _bad("inline keyboard expected")
        return markup

    async def _apply_edit(self, bot: _BotState, chat: _Chat, message: JSONDict, changes: JSONDict) -> JSONDict:
        current = {key: message.get(key) for key in changes}
        current["reply_markup"] = _inline_markup(message)
        if {key: value or None for key, value in current.items()} == {
            key: value or None for key, value in changes.items()
        }:
            raise _bad(NOT_MODIFIED)
        for key, value in changes.items():
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        message["edit_date"] = int(time.time())
        await self._record_outgoing(bot, chat, message)
        return _api_view(message)

    # -- Bot API methods ----------------------------------------------------------------------

    async def _true(self, *_: Any) -> bool:
        return True

    async def _get_me(self, bot: _BotState, *_: Any) -> JSONDict:
        return {
            **bot.user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> list[JSONDict]:
        """Long polling as Telegram does it; a newer poll ends an older one with 409."""
        if bot.webhook:
            raise _webhook_conflict()
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        timeout = params.get("timeout", 0)
        if not isinstance(timeout, int | float) or isinstance(timeout, bool):
            raise _bad("wrong type of the parameter timeout")
        timeout = min(max(float(timeout), 0.0), MAX_POLL_TIMEOUT)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            bot.allowed_updates = frozenset(allowed) or DEFAULT_UPDATE_TYPES
        bot.confirm(offset)
        bot.poll_generation += 1
        generation = bot.poll_generation

        def ready() -> bool:
            superseded = generation != bot.poll_generation
            return bot.closed or superseded or bool(bot.webhook or bot.deliverable(limit))

        async with bot.changed:
            bot.changed.notify_all()
            if not ready() and timeout:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(bot.changed.wait_for(ready), timeout)
        if generation != bot.poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            )
        if bot.webhook:
            raise _webhook_conflict()
        return [] if bot.closed else copy.deepcopy(bot.deliverable(limit))

    async def _set_webhook(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> bool:
        url = params.get("url")
        if url is None:
            raise _bad("parameter url is required")
        if not url:
            return await self._delete_webhook(bot, params, _files, _record)
        if not str(url).startswith(("http://", "https://")):
            raise _bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(secret):
            raise _bad("bad webhook: secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            bot.updates.clear()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            bot.allowed_updates = frozenset(allowed) or DEFAULT_UPDATE_TYPES
        bot.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": params.get("max_connections", 40),
        }
        bot.webhook_error = None
        if bot.webhook_task is None or bot.webhook_task.done():
            bot.webhook_task = asyncio.create_task(self._deliver_webhook(bot))
        await bot.notify()
        return True

    async def _delete_webhook(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> bool:
        if params.get("drop_pending_updates"):
            bot.updates.clear()
        bot.webhook = None
        if bot.webhook_task is not None:
            bot.webhook_task.cancel()
            bot.webhook_task = None
        await bot.notify()
        return True

    async def _get_webhook_info(self, bot: _BotState, *_: Any) -> JSONDict:
        info: JSONDict = {
            "url": bot.webhook["url"] if bot.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(bot.updates),
        }
        if bot.webhook:
            info["max_connections"] = bot.webhook["max_connections"]
            if bot.allowed_updates != DEFAULT_UPDATE_TYPES:
                info["allowed_updates"] = sorted(bot.allowed_updates)
        if bot.webhook_error:
            info["last_error_date"], info["last_error_message"] = bot.webhook_error
        return info

    async def _deliver_webhook(self, bot: _BotState) -> None:
        """POST queued updates one by one, in order; give up on one after a few retries."""
        while True:
            async with bot.changed:
                await bot.changed.wait_for(lambda: bot.closed or not bot.webhook or bool(bot.deliverable(1)))
            if bot.closed or not bot.webhook:
                return
            update = bot.deliverable(1)[0]
            await self._post_update(bot, bot.webhook, update)
            bot.updates = [u for u in bot.updates if u is not update]

    async def _post_update(self, bot: _BotState, hook: JSONDict, update: JSONDict) -> None:
        assert self._session is not None, "webhook delivery needs a started server"
        headers = {}
        if hook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        for attempt in range(self.webhook_retries + 1):
            try:
                async with self._session.post(
                    hook["url"], json=update, headers=headers, timeout=ClientTimeout(total=10)
                ) as response:
                    if 200 <= response.status < 300:
                        return
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (ClientError, TimeoutError) as exc:
                error = f"Connection failed: {exc!r}"
            bot.webhook_error = (int(time.time()), error)
            if attempt < self.webhook_retries:
                await asyncio.sleep(self.webhook_retry_delay * 2**attempt)

    async def _send_message(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> JSONDict:
        chat = self._chat_for_send(bot, params)
        text, entities = _text_or_caption(params, "text", "entities")
        if not text or not text.strip():
            raise _bad("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        markup = _check_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        self._check_rate(bot, chat, paid=params.get("allow_paid_broadcast") is True)
        message = chat.new_message(
            bot.user,
            text=text,
            entities=entities or None,
            reply_markup=markup,
            reply_to_message=reply_to,
        )
        await self._record_send(bot, chat, message)
        return _api_view(message)

    async def _get_file(self, bot: _BotState, params: JSONDict, *_: Any) -> JSONDict:
        file_id = str(params.get("file_id") or "")
        data = bot.files.get(file_id)
        if data is None:
            raise _bad("wrong file_id or the file is temporarily unavailable")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data),
                "file_path": f"documents/{file_id}"}

    async def _download_file(self, request: web.Request) -> web.Response:
        bot = self._bots.get(request.match_info["token"])
        path = request.match_info["path"]
        data = bot.files.get(path.removeprefix("documents/")) if bot is not None else None
        if data is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type="application/octet-stream")

    async def _send_document(
        self, bot: _BotState, params: JSONDict, files: dict[str, bytes], record: RecordedRequest
    ) -> JSONDict:
        chat = self._chat_for_send(bot, params)
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = document.removeprefix("attach://")
        data = files.get(document) if isinstance(document, str) else None
        data = data if data is not None else files.get("document")
        if not data:
            raise _bad("there is no document in the request")
        caption, caption_entities = _text_or_caption(params, "caption", "caption_entities")
        self._check_rate(bot, chat)
        file_id = f"BQACAgIAAxk{len(bot.files):08d}"
        bot.files[file_id] = data
        message = chat.new_message(
            bot.user, document={"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data)},
            caption=caption or None, caption_entities=caption_entities or None,
        )
        await self._record_send(bot, chat, message)
        return _api_view(message)

    async def _send_photo(
        self, bot: _BotState, params: JSONDict, files: dict[str, bytes], record: RecordedRequest
    ) -> JSONDict:
        chat = self._chat_for_send(bot, params)
        photo = params.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):
            data = files.get(photo.removeprefix("attach://"))
        elif photo is None:
            data = files.get("photo")
        elif photo.startswith(("http://", "https://")):
            raise _bad("failed to get HTTP URL content")
        else:
            data = bot.files.get(photo)
            if data is None:
                raise _bad("wrong file identifier/HTTP URL specified")
        if data is None:
            raise _bad("there is no photo in the request")
        if not data:
            raise _bad("file must be non-empty")
        size = _image_size(data)
        if size is None:
            raise _bad("IMAGE_PROCESS_FAILED")
        caption, caption_entities = _text_or_caption(params, "caption", "caption_entities")
        if caption and len(caption) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
        markup = _check_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        self._check_rate(bot, chat)
        record.photo_bytes = data
        message = chat.new_message(
            bot.user,
            photo=self._photo_sizes(bot, data, size),
            caption=caption or None,
            caption_entities=caption_entities or None,
            reply_markup=markup,
            reply_to_message=reply_to,
        )
        await self._record_send(bot, chat, message)
        return _api_view(message)

    def _photo_sizes(self, bot: _BotState, data: bytes, size: tuple[int, int]) -> list[JSONDict]:
        """Telegram's thumbnails (90, 320, 800 px) plus the full size, capped at 1280 px."""
        width, height = size
        longest = max(width, height, 1)
        sides = [side for side in (90, 320, 800) if side < longest] + [min(longest, 1280)]
        sizes = []
        for side in sides:
            file_id = f"AgACAgIAAxk{len(bot.files):08d}"
            bot.files[file_id] = data
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": f"AQAD{len(bot.files):08d}",
                    "width": max(1, width * side // longest),
                    "height": max(1, height * side // longest),
                    "file_size": len(data),
                }
            )
        return sizes

    async def _edit_message_text(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> JSONDict:
        chat, message = self._message_to_edit(bot, params)
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        text, entities = _text_or_caption(params, "text", "entities")
        if not text or not text.strip():
            raise _bad("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        changes = {"text": text, "entities": entities, "reply_markup": self._edit_markup(params)}
        return await self._apply_edit(bot, chat, message, changes)

    async def _edit_message_reply_markup(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> JSONDict:
        chat, message = self._message_to_edit(bot, params)
        changes = {"reply_markup": self._edit_markup(params)}
        return await self._apply_edit(bot, chat, message, changes)

    async def _delete_message(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> bool:
        chat_id = _int_param(params, "chat_id")
        message_id = _int_param(params, "message_id")
        chat = bot.chats.get(chat_id)
        if chat is None or chat.messages.pop(message_id, None) is None:
            raise _bad("message to delete not found")
        return True

    async def _answer_callback_query(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> bool:
        query_id = params.get("callback_query_id")
        if not query_id:
            raise _bad("callback_query_id is empty")
        if bot.callback_queries.pop(query_id, None) is None:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        return True

    async def _send_chat_action(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> bool:
        self._chat_for_send(bot, params)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    async def _set_my_commands(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("parameter commands is required")
        if len(commands) > 100:
            raise _bad("too many commands specified")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.fullmatch(
                str(command.get("command", "")).removeprefix("/")
            ):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        if commands:
            bot.commands[key] = [
                {"command": c["command"].removeprefix("/"), "description": c["description"]} for c in commands
            ]
        else:
            bot.commands.pop(key, None)
        return True

    async def _get_my_commands(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> list[JSONDict]:
        return copy.deepcopy(bot.commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> bool:
        bot.commands.pop(self._commands_key(params), None)
        return True

    async def _set_chat_menu_button(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "commands",
            "web_app",
            "default",
        ):
            raise _bad("can't parse menu button")
        chat_id = params.get("chat_id")
        if chat_id is not None and not _is_int(chat_id):
            raise _bad("chat not found")
        bot.menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, bot: _BotState, params: JSONDict, _files: Any, _record: Any) -> JSONDict:
        chat_id = params.get("chat_id")
        button = bot.menu_buttons.get(chat_id) or bot.menu_buttons.get(None)
        return copy.deepcopy(button) if button else {"type": "commands"}

    # -- control API (for bots running in other processes) -------------------------------------

    async def _control_body(self, request: web.Request) -> JSONDict:
        try:
            body = await request.json()
        except ValueError as exc:
            raise web.HTTPBadRequest(text="JSON object expected") from exc
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="JSON object expected")
        return body

    async def _control(self, action: Callable[[], Awaitable[Any]]) -> web.Response:
        try:
            result = await action()
        except (AssertionError, ValueError, KeyError, TypeError) as exc:
            error = {"ok": False, "error_code": 400, "description": str(exc)}
            return web.json_response(error, status=400)
        return web.json_response({"ok": True, "result": result})

    async def _control_message(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        return await self._control(
            lambda: self.send_text(
                int(body["user_id"]),
                str(body["text"]),
                first_name=str(body.get("first_name", "Test")),
                reply_to_message_id=body.get("reply_to_message_id"),
                token=body.get("token"),
            )
        )

    async def _control_tap(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        return await self._control(
            lambda: self.tap(
                int(body["user_id"]),
                int(body["message_id"]),
                str(body["data"]),
                token=body.get("token"),
            )
        )

    async def _control_location(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        return await self._control(
            lambda: self.send_location(
                int(body["user_id"]),
                float(body["latitude"]),
                float(body["longitude"]),
                token=body.get("token"),
            )
        )

    async def _control_block(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        return await self._control(lambda: self._set_blocked(int(body["user_id"]), True, body.get("token")))

    async def _control_unblock(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        return await self._control(lambda: self._set_blocked(int(body["user_id"]), False, body.get("token")))

    async def _control_reset(self, request: web.Request) -> web.Response:
        return await self._control(self.reset)

    async def _control_fault(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)

        async def add() -> bool:
            seconds = body.get("seconds")
            chats = body.get("chats")
            self.fail(Fault(
                method=str(body.get("method", "*")), status=int(body.get("status", 500)),
                delay=float(body.get("delay", 0.0)), count=body.get("count"),
                until=time.monotonic() + float(seconds) if seconds is not None else None,
                chats=frozenset(int(c) for c in chats) if chats is not None else None,
                retry_after=int(body.get("retry_after", 1)),
            ))
            return True

        return await self._control(add)

    async def _control_clear_faults(self, request: web.Request) -> web.Response:
        async def clear() -> bool:
            self.faults.clear()
            return True

        return await self._control(clear)

    async def _control_sent(self, request: web.Request) -> web.Response:
        async def sent() -> list[JSONDict]:
            return self.sent_to(int(request.query["chat_id"]), token=request.query.get("token"))

        return await self._control(sent)

    async def _control_stats(self, request: web.Request) -> web.Response:
        async def stats() -> JSONDict:
            return self.stats.as_json()

        return await self._control(stats)


def _webhook_conflict() -> ApiError:
    return ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    )
