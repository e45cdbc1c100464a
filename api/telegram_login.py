"""Telegram Mini App sign-in: check the `initData` string the Telegram client hands the page.

Telegram's documented algorithm (core.telegram.org/bots/webapps, "Validating data received via the
Mini App"): every field but `hash`, as `key=value` lines sorted by key and joined by a newline, is the
data-check-string; its HMAC-SHA256 under the key HMAC-SHA256(key="WebAppData", msg=bot_token), in hex,
must equal `hash`. `auth_date` must be recent, so a leaked string stops working after a day.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from api.tokens import unauthorized

MAX_AGE_SECONDS = 24 * 3600
CLOCK_SKEW_SECONDS = 60
MAX_TELEGRAM_ID = 2**52  # Telegram user ids fit in 52 bits


@dataclass(frozen=True, slots=True)
class TelegramPerson:
    user_id: int
    first_name: str


def data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def signature(fields: dict[str, str], bot_token: str) -> str:
    """The hex `hash` Telegram puts in initData for these fields."""
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, data_check_string(fields).encode(), hashlib.sha256).hexdigest()


def verify_init_data(init_data: str, bot_token: str, *, now: float | None = None) -> TelegramPerson:
    """The Telegram user the string was signed for, or 401 (bad signature, too old, no user)."""
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise unauthorized("invalid_init_data", "initData is not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise unauthorized("invalid_init_data", "initData repeats a field")
    given = fields.get("hash", "")
    if not hmac.compare_digest(given.encode(), signature(fields, bot_token).encode()):
        raise unauthorized("invalid_init_data", "initData is not signed by this bot")
    now = time.time() if now is None else now
    try:
        age = now - int(fields["auth_date"])
    except (KeyError, ValueError):
        raise unauthorized("invalid_init_data", "initData has no auth_date") from None
    if not -CLOCK_SKEW_SECONDS <= age <= MAX_AGE_SECONDS:
        raise unauthorized("init_data_expired", "initData is older than 24 hours; reopen the app")
    return _person(fields.get("user"))


def _person(raw: str | None) -> TelegramPerson:
    """The `user` field: a JSON object with a positive integer `id` (and usually `first_name`)."""
    try:
        user = json.loads(raw) if raw else None
    except ValueError:
        user = None
    user_id = user.get("id") if isinstance(user, dict) else None
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not 0 < user_id < MAX_TELEGRAM_ID:
        raise unauthorized("invalid_init_data", "initData names no Telegram user")
    name = user.get("first_name") if isinstance(user, dict) else None
    return TelegramPerson(user_id, name[:64] if isinstance(name, str) else "")
