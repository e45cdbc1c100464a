"""Accounts over REST: email sign-up and login, refresh-token families, and the one auth dependency.

A login starts a *family* of refresh tokens. Each refresh marks the presented token used and issues
the next one in the same family. Presenting a used token again means it was copied (the thief or the
owner is replaying it), so the whole family is revoked and both must log in again. Logout revokes
the family too. Only SHA-256 hashes of refresh tokens are stored.

Ending every session (a password change, `logout-all`) revokes every refresh token of the account and
records the instant: access tokens issued before it are refused wherever the account is read, and by
the check-in, whose hot path reads no account row of its own: its statement compares the token's issue
instant with the account's (`credential_issued_at`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from api.errors import ApiError
from api.passwords import PasswordHasher, weakness
from api.tokens import IssuedToken, decode_token, issue_token, token_hash, unauthorized
from api.typedefs import SETTINGS
from smarthabit.access_tokens import looks_like_access_token, verify_access_token
from smarthabit.clock import utcnow
from smarthabit.config import Settings
from smarthabit.errors import Conflict, PermissionDenied, ValidationFailed
from smarthabit.models import RefreshToken, TokenScope, User

log = logging.getLogger("smarthabit.api.auth")


@dataclass(frozen=True, slots=True)
class Session:
    access: IssuedToken
    refresh: IssuedToken


def _access_claims(request: web.Request) -> Mapping[str, Any]:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("not_authenticated", "Send an access token: `Authorization: Bearer <token>`")
    return decode_token(request.app[SETTINGS], token.strip(), "access")


def authenticated_user_id(request: web.Request) -> int:
    """The account id in the request's bearer access token, verified, or 401 (no database read)."""
    return int(_access_claims(request)["sub"])


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def request_user_id(request: web.Request) -> int:
    """The account id of the request's bearer token: a JWT access token (no database read) or a
    personal access token (`shp_...`, one read; a read-only one gets 403 on any write)."""
    _, _, token = request.headers.get("Authorization", "").partition(" ")
    if not looks_like_access_token(token.strip()):
        return authenticated_user_id(request)
    owner = await verify_access_token(token.strip())
    if owner is None:
        raise unauthorized("invalid_token", "The access token is not valid or was revoked")
    if owner.scope is TokenScope.READ and request.method not in READ_METHODS:
        raise ApiError(403, "insufficient_scope", "This token may only read; use a token with the `write` scope")
    return owner.user_id


async def authenticate(request: web.Request) -> User:
    """The account behind the request's bearer token (a JWT or a personal access token), or 401; also
    for a JWT issued before the account's sessions were ended (personal access tokens are revoked one
    by one)."""
    user = await User.get_or_none(id=await request_user_id(request))
    if user is None:
        raise account_gone()
    refuse_ended_session(request, user.sessions_revoked_at)
    return user


def account_gone() -> ApiError:
    """The 401 for a valid token whose account was deleted."""
    return unauthorized("invalid_token", "The account of this token no longer exists")


def refuse_ended_session(request: web.Request, sessions_revoked_at: datetime | None) -> None:
    """401 if the account's sessions were ended after the request's JWT was issued; for routes that
    read the account's `sessions_revoked_at` in their own statement (`user_id` routes)."""
    if sessions_revoked_at is not None and _jwt_issued(request) < sessions_revoked_at.timestamp():
        raise unauthorized("session_ended", "This session was ended; please log in again")


def credential_issued_at(request: web.Request) -> datetime | None:
    """When the request's JWT was issued (None for a personal access token), for use cases that check
    it against the account's ended sessions in their own read."""
    issued = _jwt_issued(request)
    return None if issued == float("inf") else datetime.fromtimestamp(issued, UTC)


def _jwt_issued(request: web.Request) -> float:
    """When the request's JWT was issued (its verification is cached); +inf for a personal access token."""
    _, _, token = request.headers.get("Authorization", "").partition(" ")
    if looks_like_access_token(token.strip()):
        return float("inf")
    return float(_access_claims(request)["iat"])


async def end_all_sessions(user: User) -> None:
    """Revoke every refresh token of the account and refuse the access tokens issued so far (token
    times carry fractions of a second, so a session opened right after still works)."""
    now = utcnow()
    async with in_transaction():
        await RefreshToken.filter(user_id=user.id, revoked_at__isnull=True).update(revoked_at=now)
        user.sessions_revoked_at = now
        await User.filter(id=user.id).update(sessions_revoked_at=now)
    log.info("all sessions ended", extra={"user_id": user.id})


async def change_password(hasher: PasswordHasher, user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one (403 otherwise); a weak new one is refused."""
    if not await hasher.verify(current, user.password_hash):
        raise PermissionDenied("The current password is not right", code="wrong_password")
    refuse_weak(new, user.email or "")
    user.password_hash = await hasher.hash(new)
    await User.filter(id=user.id).update(password_hash=user.password_hash)
    log.info("password changed", extra={"user_id": user.id})


def refuse_weak(password: str, email: str) -> None:
    """ValidationFailed for a common or easily guessed password."""
    reason = weakness(password, email=email)
    if reason is not None:
        raise ValidationFailed(f"Choose a stronger password: {reason}", {"field": "password", "reason": reason},
                               code="weak_password")


async def create_account(
    hasher: PasswordHasher, email: str, password: str, *, timezone: str = "UTC", display_name: str = ""
) -> User:
    """A new email account; the email must be free (Conflict otherwise), the password not a common one."""
    refuse_weak(password, email)
    password_hash = await hasher.hash(password)
    try:
        async with in_transaction():
            user = await User.create(email=email, password_hash=password_hash, timezone=timezone,
                                     display_name=display_name)
    except IntegrityError:
        raise Conflict("An account with this email already exists", code="email_taken") from None
    log.info("account registered", extra={"user_id": user.id})
    return user


async def check_credentials(hasher: PasswordHasher, email: str, password: str) -> User:
    """The account if the password matches, else 401; unknown emails take as long as wrong passwords."""
    user = await User.get_or_none(email=email)
    verified = await hasher.verify(password, user.password_hash if user is not None else None)
    if user is None or not verified:
        log.info("login failed", extra={"user_id": user.id if user is not None else None})
        raise unauthorized("invalid_credentials", "Wrong email or password")
    return user


async def open_session(settings: Settings, user_id: int, family: uuid.UUID | None = None) -> Session:
    """Issue an access token and a refresh token (a new family unless continuing one)."""
    access = issue_token(settings, user_id, "access")
    refresh = issue_token(settings, user_id, "refresh")
    if family is None:  # a new login: a good moment to drop this user's long-expired tokens
        await RefreshToken.filter(user_id=user_id, expires_at__lt=utcnow()).delete()
    await RefreshToken.create(user_id=user_id, family=family or uuid.uuid4(), token_hash=token_hash(refresh.token),
                              expires_at=refresh.expires_at)
    return Session(access, refresh)


async def rotate_session(settings: Settings, refresh_token: str) -> Session:
    """Trade a refresh token for a new pair; a token used before revokes its whole family (401)."""
    claims = decode_token(settings, refresh_token, "refresh")
    now = utcnow()
    async with in_transaction():
        row = await RefreshToken.filter(token_hash=token_hash(refresh_token)).select_for_update().first()
        if row is None or row.user_id != int(claims["sub"]) or row.revoked_at is not None or row.expires_at <= now:
            raise unauthorized("invalid_token", "The refresh token is not valid")
        if row.used_at is None:
            row.used_at = now
            await row.save(update_fields=["used_at"])
            return await open_session(settings, row.user_id, row.family)
        await _revoke_family(row.family, now)
    log.warning("refresh token reused: family revoked", extra={"user_id": row.user_id})
    raise unauthorized("refresh_token_reused", "This refresh token was already used; please log in again")


async def close_session(settings: Settings, refresh_token: str) -> None:
    """Logout: revoke the family of the refresh token (idempotent)."""
    decode_token(settings, refresh_token, "refresh")
    row = await RefreshToken.get_or_none(token_hash=token_hash(refresh_token))
    if row is not None:
        await _revoke_family(row.family, utcnow())


async def _revoke_family(family: uuid.UUID, now: datetime) -> None:
    await RefreshToken.filter(family=family, revoked_at__isnull=True).update(revoked_at=now)
