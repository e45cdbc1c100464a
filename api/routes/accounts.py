"""Accounts: registration, login, token refresh and logout, the account itself, Telegram linking."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from api import auth
from api.auth import Session, check_credentials, close_session, create_account, open_session, rotate_session
from api.client_address import client_address
from api.errors import ApiError
from api.ratelimit import LOGIN_PER_ACCOUNT_ADDRESS, LOGIN_PER_ADDRESS, REGISTER_PER_ACCOUNT, REGISTER_PER_ADDRESS
from api.routing import ERROR_MEANINGS, RouteTable
from api.schemas import (
    AuthOut,
    LinkCodeOut,
    LoginIn,
    PasswordChangeIn,
    RefreshIn,
    RegisterIn,
    TelegramAuthIn,
    TokensOut,
    UserOut,
    WebLoginIn,
)
from api.telegram_login import verify_init_data
from api.tokens import unauthorized
from api.typedefs import LIMITER, PASSWORDS, SETTINGS
from smarthabit.accounts import (
    PreferencesUpdate,
    create_link_code,
    delete_account,
    telegram_user,
    update_preferences,
)
from smarthabit.errors import NotFound
from smarthabit.models import User
from smarthabit.web_login import redeem_web_login

routes = RouteTable("accounts")
RATE_LIMITED = {429: ERROR_MEANINGS[429]}


def _tokens(request: web.Request, session: Session) -> TokensOut:
    return TokensOut(
        access_token=session.access.token, refresh_token=session.refresh.token,
        expires_in=request.app[SETTINGS].access_token_ttl_seconds, refresh_expires_at=session.refresh.expires_at,
    )


@routes.post("/users/register", status=201, errors={
    409: "An account with this email exists", 422: "Invalid input, or a common, easily guessed password",
    **RATE_LIMITED})
async def register(request: web.Request, body: RegisterIn) -> AuthOut:
    """Create an account with email and password, and sign in.

    Rate-limited per email and per client address."""
    await request.app[LIMITER].enforce((REGISTER_PER_ADDRESS, client_address(request)),
                                       (REGISTER_PER_ACCOUNT, body.email))
    user = await create_account(request.app[PASSWORDS], body.email, body.password, timezone=body.timezone,
                                display_name=body.display_name)
    session = await open_session(request.app[SETTINGS], user.id)
    return AuthOut(user=UserOut.of(user), tokens=_tokens(request, session))


@routes.post("/users/login", errors={401: "Wrong email or password", **RATE_LIMITED})
async def login(request: web.Request, body: LoginIn) -> TokensOut:
    """Exchange email and password for an access token (15 minutes) and a refresh token.

    Throttled per (email, client address) and per client address with growing delays (429 with
    `Retry-After`); a successful login clears its (email, address) counter."""
    address = client_address(request)
    checks = ((LOGIN_PER_ADDRESS, address), (LOGIN_PER_ACCOUNT_ADDRESS, f"{body.email}\n{address}"))
    await request.app[LIMITER].enforce_backoff(*checks)
    user = await check_credentials(request.app[PASSWORDS], body.email, body.password)
    await request.app[LIMITER].forgive(*checks, clear=LOGIN_PER_ACCOUNT_ADDRESS)
    return _tokens(request, await open_session(request.app[SETTINGS], user.id))


@routes.post("/users/me/password", errors={403: "The current password is not right",
                                           422: "Invalid input, or a common, easily guessed new password",
                                           **RATE_LIMITED})
async def change_password(request: web.Request, user: User, body: PasswordChangeIn) -> TokensOut:
    """Change the password (the current one is required) and end every session of the account.

    Every refresh token is revoked and access tokens issued before are refused; the answer is a new
    pair of tokens for this client. Wrong current passwords are throttled like logins."""
    address = client_address(request)
    checks = ((LOGIN_PER_ADDRESS, address), (LOGIN_PER_ACCOUNT_ADDRESS, f"{user.email}\n{address}"))
    await request.app[LIMITER].enforce_backoff(*checks)
    await auth.change_password(request.app[PASSWORDS], user, body.current_password, body.new_password)
    await request.app[LIMITER].forgive(*checks, clear=LOGIN_PER_ACCOUNT_ADDRESS)
    await auth.end_all_sessions(user)
    return _tokens(request, await open_session(request.app[SETTINGS], user.id))


@routes.post("/auth/logout-all")
async def logout_all(user: User) -> None:
    """End every session of the account, this one included: all refresh tokens are revoked and access
    tokens issued so far are refused (today's check-in, which reads no account, lets them lapse
    within their 15 minutes)."""
    await auth.end_all_sessions(user)


@routes.post("/auth/telegram", errors={401: "initData forged, older than 24 hours or without a user",
                                        404: "Telegram sign-in is not configured (no bot token)"})
async def telegram_sign_in(request: web.Request, body: TelegramAuthIn) -> TokensOut:
    """Sign in from the Telegram Mini App: its signed `initData` for the same token pair as a login.

    The Telegram user maps to their chat's account, created on first contact as `/start` would."""
    token = request.app[SETTINGS].bot_token
    if token is None:
        raise ApiError(404, "telegram_not_configured", "Telegram sign-in is not configured")
    person = verify_init_data(body.init_data, token)
    # A Mini App opened from the bot's private chat: that chat's id is the user's id.
    user, _ = await telegram_user(person.user_id, person.user_id, person.first_name)
    return _tokens(request, await open_session(request.app[SETTINGS], user.id))


@routes.post("/auth/web-login", errors={401: "Unknown, used or expired sign-in link"})
async def web_login(request: web.Request, body: WebLoginIn) -> TokensOut:
    """Sign in with the one-time link the bot's /web command sends (single use, 10 minutes)."""
    try:
        user_id = await redeem_web_login(body.code)
    except NotFound as exc:
        raise unauthorized("invalid_login_link", exc.message) from None
    return _tokens(request, await open_session(request.app[SETTINGS], user_id))


@routes.post("/auth/refresh", errors={401: "Invalid, expired, revoked or reused refresh token"})
async def refresh(request: web.Request, body: RefreshIn) -> TokensOut:
    """Rotate a refresh token: the old one is spent, a new pair is returned.

    Presenting a spent refresh token again revokes every token of that login (it was copied)."""
    return _tokens(request, await rotate_session(request.app[SETTINGS], body.refresh_token))


@routes.post("/auth/logout", errors={401: "Invalid or expired refresh token"})
async def logout(request: web.Request, body: RefreshIn) -> None:
    """Revoke the refresh token and every token rotated from the same login.

    Access tokens already issued stay valid until they expire (at most 15 minutes)."""
    await close_session(request.app[SETTINGS], body.refresh_token)


@routes.get("/users/me")
async def get_me(user: User) -> UserOut:
    """The signed-in account and its preferences."""
    return UserOut.of(user)


@routes.patch("/users/me")
async def update_me(user: User, body: PreferencesUpdate) -> UserOut:
    """Change preferences: IANA time zone, display name, reminders, nudges, quiet hours.

    Fields left out stay as they are; a new time zone moves every reminder to the new local times."""
    return UserOut.of(await update_preferences(user, body))


@routes.delete("/users/me")
async def delete_me(user: User) -> None:
    """Delete the account with all its habits, check-ins, tokens and nudges."""
    await delete_account(user)


@routes.post("/users/me/telegram-link", status=201)
async def telegram_link(request: web.Request, user: User) -> LinkCodeOut:
    """A one-time code to link Telegram: send `/start CODE` to the bot before it expires.

    A new code replaces any unused earlier one."""
    ttl = timedelta(seconds=request.app[SETTINGS].link_code_ttl_seconds)
    code, expires_at = await create_link_code(user, ttl)
    return LinkCodeOut(code=code, command=f"/start {code}", expires_at=expires_at)
