"""Personal access tokens: long-lived bearer tokens a user makes for scripts and third-party apps.

A token is `shp_` followed by 40 random base62 characters: the prefix lets secret scanners spot a
leaked one, and only its SHA-256 hash is stored, so the value is shown once, at creation. A `read`
token may only read; a deleted (revoked) token matches nothing. `last_used_at` is written at most
once a minute per token, so a busy script does not turn every read into a write.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from smarthabit.clock import utcnow
from smarthabit.errors import NotFound, ValidationFailed
from smarthabit.i18n import N_
from smarthabit.models import PersonalAccessToken, TokenScope, User

PREFIX = "shp_"
_ALPHABET = string.ascii_letters + string.digits
_RANDOM_CHARS = 40
MAX_TOKENS_PER_USER = 50
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedAccessToken:
    row: PersonalAccessToken
    token: str  # the only time the value exists outside the caller's hands


@dataclass(frozen=True, slots=True)
class TokenOwner:
    user_id: int
    scope: TokenScope


def looks_like_access_token(value: str) -> bool:
    return value.startswith(PREFIX)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_access_token(user: User, name: str, scope: TokenScope) -> IssuedAccessToken:
    """A new token for `user`; its value is returned once and stored only as a hash."""
    if await PersonalAccessToken.filter(user_id=user.id).count() >= MAX_TOKENS_PER_USER:
        raise ValidationFailed(N_("At most {max} tokens per account"), code="too_many_tokens",
                               params={"max": MAX_TOKENS_PER_USER})
    token = PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_CHARS))
    row = await PersonalAccessToken.create(user_id=user.id, name=name, scope=scope, token_hash=_hash(token))
    return IssuedAccessToken(row, token)


async def list_access_tokens(user: User) -> list[PersonalAccessToken]:
    return await PersonalAccessToken.filter(user_id=user.id).order_by("id")


async def revoke_access_token(user: User, token_id: int) -> None:
    """Delete the token: from now on it authenticates nothing (another user's id is NotFound)."""
    if not await PersonalAccessToken.filter(id=token_id, user_id=user.id).delete():
        raise NotFound(N_("Token not found"), {"token_id": token_id})


async def verify_access_token(token: str, now: datetime | None = None) -> TokenOwner | None:
    """The owner and scope of a live token, or None; records when it was last used."""
    if not looks_like_access_token(token) or len(token) != len(PREFIX) + _RANDOM_CHARS:
        return None
    row = await PersonalAccessToken.get_or_none(token_hash=_hash(token))
    if row is None:
        return None
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        await PersonalAccessToken.filter(id=row.id).update(last_used_at=now)
    return TokenOwner(row.user_id, row.scope)
