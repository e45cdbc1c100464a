"""JSON Web Tokens: short access tokens and long refresh tokens, HS256 only, every claim checked."""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal

import jwt

from api.errors import ApiError
from smarthabit.clock import utcnow
from smarthabit.config import Settings
from smarthabit.models import MAX_ID

ALGORITHM = "HS256"
ISSUER = "smarthabit"
REQUIRED_CLAIMS = ("exp", "iat", "sub", "jti", "typ", "iss")
TokenType = Literal["access", "refresh"]
_SUBJECT = re.compile(r"[1-9][0-9]{0,9}")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    jti: str
    expires_at: datetime


def issue_token(settings: Settings, user_id: int, typ: TokenType, *, now: datetime | None = None) -> IssuedToken:
    """Sign a token for the user; access tokens live `access_token_ttl_seconds`, refresh tokens longer."""
    now = now or utcnow()
    ttl = settings.access_token_ttl_seconds if typ == "access" else settings.refresh_token_ttl_seconds
    expires_at = now + timedelta(seconds=ttl)
    jti = uuid.uuid4().hex
    # `iat` with its fraction of a second (RFC 7519 allows it): "every session before now" is exact.
    claims = {"sub": str(user_id), "typ": typ, "jti": jti, "iat": now.timestamp(), "exp": expires_at, "iss": ISSUER}
    return IssuedToken(jwt.encode(claims, settings.jwt_key, algorithm=ALGORITHM), jti, expires_at)


def decode_token(settings: Settings, token: str, typ: TokenType) -> Mapping[str, Any]:
    """The verified claims, or a 401. The algorithm is pinned, so `alg: none` or RS/HS confusion fails."""
    try:
        claims = _verified_claims(settings.jwt_key, token)
    except jwt.ExpiredSignatureError:
        raise unauthorized("token_expired", "The token has expired") from None
    except jwt.InvalidTokenError:
        raise unauthorized("invalid_token", "The token is not valid") from None
    if claims["exp"] <= time.time():  # checked again: the verification may come from the cache
        raise unauthorized("token_expired", "The token has expired")
    if claims["typ"] != typ or not _SUBJECT.fullmatch(str(claims["sub"])) or int(claims["sub"]) > MAX_ID:
        raise unauthorized("invalid_token", f"This is not a valid {typ} token")
    return claims


@lru_cache(maxsize=4096)
def _verified_claims(key: str, token: str) -> Mapping[str, Any]:
    """Signature and claims checked once per token: a client sends the same access token with every
    request for its 15 minutes, and verifying it is a good part of a cheap request's CPU. Only
    successes are cached (an exception is not), and the caller re-checks the expiry on every use."""
    return MappingProxyType(jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER,
                                       options={"require": list(REQUIRED_CLAIMS)}))


def token_hash(token: str) -> str:
    """How refresh tokens are stored: a leaked table holds nothing that can be replayed."""
    return hashlib.sha256(token.encode()).hexdigest()


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="smarthabit"'}


def unauthorized(code: str, message: str) -> ApiError:
    return ApiError(401, code, message, headers=_CHALLENGE)
