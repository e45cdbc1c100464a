"""One-time browser sign-in links: the bot's /web hands out a link, the web app trades it for tokens.

Only a SHA-256 hash of the code is stored. A code works once (the update that marks it used is
conditional, so two racing redemptions cannot both win) and only until it expires.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from smarthabit.clock import utcnow
from smarthabit.errors import NotFound
from smarthabit.i18n import N_
from smarthabit.models import User, WebLoginCode

CODE_BYTES = 24
MAX_CODE_CHARS = 64


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def create_web_login(user: User, ttl: timedelta, now: datetime | None = None) -> tuple[str, datetime]:
    """A new single-use code for `user`; earlier unused ones stop working (one link is live at a time)."""
    now = now or utcnow()
    code = secrets.token_urlsafe(CODE_BYTES)
    await WebLoginCode.filter(user_id=user.id, used_at__isnull=True).delete()
    await WebLoginCode.filter(expires_at__lt=now).delete()  # spent or expired codes of anyone: nothing to keep
    row = await WebLoginCode.create(user_id=user.id, code_hash=_hash(code), expires_at=now + ttl)
    return code, row.expires_at


async def redeem_web_login(code: str, now: datetime | None = None) -> int:
    """The account id the code signs in; NotFound when unknown, used or expired."""
    now = now or utcnow()
    if not code or len(code) > MAX_CODE_CHARS:
        raise NotFound(N_("That sign-in link is not valid"), code="invalid_login_link")
    digest = _hash(code)
    claimed = await WebLoginCode.filter(code_hash=digest, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if not claimed:
        raise NotFound(N_("That sign-in link is not valid, was used already or has expired"), code="invalid_login_link")
    return (await WebLoginCode.get(code_hash=digest)).user_id  # type: ignore[attr-defined, no-any-return]
