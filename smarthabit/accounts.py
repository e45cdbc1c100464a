"""Account use cases shared by the front doors: Telegram sign-up, preferences, linking, deletion."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, time, timedelta
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from smarthabit.clock import utcnow
from smarthabit.errors import Conflict, NotFound
from smarthabit.habits import claim_free_name, reschedule_reminders, taken_names
from smarthabit.i18n import LANGUAGES, N_
from smarthabit.models import Habit, Nudge, TelegramLinkCode, User
from smarthabit.schemas import DisplayName, TimezoneName, WallTime

LINK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed by hand
LINK_CODE_LENGTH = 8


def _null_with(field: str, other: str) -> dict[str, object]:
    null = {"type": "null"}
    return {"if": {"properties": {field: null}, "required": [field]}, "then": {"properties": {other: null}}}


def _spoken(code: str) -> str:
    if code not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    return code


class PreferencesUpdate(BaseModel):
    """Changes to a user's settings; fields left out stay as they are, `null` quiet hours turn them off."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra={
        "dependentRequired": {"quiet_start": ["quiet_end"], "quiet_end": ["quiet_start"]},
        "allOf": [_null_with("quiet_start", "quiet_end"), _null_with("quiet_end", "quiet_start")],
    })

    timezone: TimezoneName | None = None
    display_name: DisplayName | None = None
    reminders_enabled: bool | None = None
    nudges_enabled: bool | None = None
    quiet_start: WallTime | None = None
    quiet_end: WallTime | None = None
    quiet_reminders_later: bool | None = None
    language: Annotated[str, AfterValidator(_spoken), Field(json_schema_extra={"enum": list(LANGUAGES)})] | None = (
        None)

    @model_validator(mode="after")
    def _valid(self) -> Self:
        fields = self.model_fields_set
        if ("quiet_start" in fields) != ("quiet_end" in fields):
            raise ValueError("quiet_start and quiet_end are set together")
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet hours need both a start and an end (or both null)")
        return self


def in_quiet_hours(user: User, local: time) -> bool:
    """Whether a local wall time falls in the user's quiet hours (which may wrap midnight)."""
    start, end = user.quiet_start, user.quiet_end
    if start is None or end is None or start == end:
        return False
    local = local.replace(tzinfo=None)
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    return start <= local < end if start < end else (local >= start or local < end)


async def update_preferences(user: User, data: PreferencesUpdate) -> User:
    changes = data.model_dump(exclude_unset=True)
    tz_changed = "timezone" in changes and changes["timezone"] not in (None, user.timezone)
    for field, value in changes.items():
        if value is not None or field in ("quiet_start", "quiet_end"):
            setattr(user, field, value)
    if changes.get("timezone") is not None:
        user.timezone_confirmed = True  # chosen (or kept) by the person: never asked again
    async with in_transaction():
        await user.save()
        if tz_changed:
            await reschedule_reminders(user)
    return user


async def telegram_user(telegram_user_id: int, chat_id: int, display_name: str = "") -> tuple[User, bool]:
    """The account behind a Telegram user, created on first contact. Returns (user, created)."""
    user = await User.filter(telegram_user_id=telegram_user_id).first()
    if user is not None:
        changed = []
        if user.telegram_chat_id != chat_id:
            user.telegram_chat_id = chat_id
            changed.append("telegram_chat_id")
        if user.bot_blocked:  # they wrote to us again, so they unblocked the bot
            user.bot_blocked = False
            changed.append("bot_blocked")
        if changed:
            await user.save(update_fields=changed)
        return user, False
    try:
        async with in_transaction():
            user = await User.create(
                telegram_user_id=telegram_user_id, telegram_chat_id=chat_id, display_name=display_name[:64]
            )
    except IntegrityError:  # a concurrent first message created it
        return await User.get(telegram_user_id=telegram_user_id), False
    return user, True


async def mark_bot_blocked(telegram_chat_id: int) -> bool:
    """Record that the person blocked the bot (a send answered 403), so nothing more is sent to them.
    Writing to the bot again unblocks them (see `telegram_user`). Returns whether an account matched."""
    return bool(await User.filter(telegram_chat_id=telegram_chat_id, bot_blocked=False).update(bot_blocked=True))


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


async def create_link_code(user: User, ttl: timedelta, now: datetime | None = None) -> tuple[str, datetime]:
    """A one-time code for `/start CODE`; only its hash is stored. Older unused codes are revoked."""
    now = now or utcnow()
    code = "".join(secrets.choice(LINK_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))
    expires_at = now + ttl
    async with in_transaction():
        await TelegramLinkCode.filter(user_id=user.id, used_at__isnull=True).delete()
        await TelegramLinkCode.create(user_id=user.id, code_hash=_hash_code(code), expires_at=expires_at)
    return code, expires_at


async def redeem_link_code(code: str, telegram_user_id: int, chat_id: int, now: datetime | None = None) -> User:
    """Link a Telegram chat to the REST account that issued `code`.

    A Telegram-only account the person already had is merged in: its habits move over (renamed
    on a clash) and the empty account is removed. A chat already linked to another REST account
    is refused."""
    now = now or utcnow()
    if not code or len(code) > 32:
        raise NotFound(N_("That link code is not valid"), code="invalid_link_code")
    async with in_transaction():
        link = await TelegramLinkCode.filter(code_hash=_hash_code(code)).select_for_update().first()
        if link is None or link.used_at is not None or link.expires_at <= now:
            raise NotFound(N_("That link code is not valid or has expired"), code="invalid_link_code")
        target = await User.get(id=link.user_id)
        current = await User.filter(telegram_user_id=telegram_user_id).first()
        if current is not None and current.id != target.id:
            if current.email is not None:
                raise Conflict(N_("This Telegram account is already linked to another account"),
                               code="already_linked")
            await _merge_into(current, target)
        link.used_at = now
        await link.save(update_fields=["used_at"])
        target.telegram_user_id, target.telegram_chat_id, target.bot_blocked = telegram_user_id, chat_id, False
        await target.save(update_fields=["telegram_user_id", "telegram_chat_id", "bot_blocked", "updated_at"])
    return target


async def _merge_into(source: User, target: User) -> None:
    taken = await taken_names(target)
    for habit in await Habit.filter(user_id=source.id):
        await Habit.filter(id=habit.id).update(user_id=target.id, name=claim_free_name(habit.name, taken))
    await Nudge.filter(user_id=source.id).update(user_id=target.id)
    await source.delete()


async def delete_account(user: User) -> None:
    """Remove the user and, by cascade, every row that belongs to them."""
    if not await User.filter(id=user.id).exists():
        raise NotFound(N_("Account not found"))
    await user.delete()


