"""API fixtures: the real app on the session's test database, served over real HTTP on loopback.

pytest-asyncio runs every test and fixture on one session loop (see pyproject), where the ORM was
opened, so the server is started here with aiohttp's TestServer/TestClient rather than with
pytest-aiohttp's `aiohttp_client` (which brings its own loop handling).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from api.app import init_app
from api.passwords import PasswordHasher
from api.tokens import issue_token
from api.typedefs import PASSWORDS
from smarthabit.config import Settings
from smarthabit.models import User

PASSWORD = "correct horse battery staple"
FAST_HASHER = PasswordHasher(rounds=4)  # bcrypt's minimum cost: the scheme is the same, tests stay fast

Headers = dict[str, str]
MakeUser = Callable[..., Awaitable[User]]


@pytest.fixture
def app(settings: Settings, db: str) -> web.Application:
    """The production app factory with a cheap bcrypt cost; the ORM belongs to the session fixture."""
    app = init_app(settings, manage_database=False)
    app[PASSWORDS] = FAST_HASHER
    return app


@pytest.fixture
async def client(app: web.Application) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
def make_user() -> MakeUser:
    """Create an email account directly in the database (no rate limits, no HTTP)."""

    async def make(email: str, *, password: str = PASSWORD, timezone: str = "UTC") -> User:
        return await User.create(email=email, password_hash=await FAST_HASHER.hash(password), timezone=timezone)

    return make


def configured(settings: Settings, **changes: object) -> Settings:
    """The test settings with some values changed, validated like real configuration."""
    return Settings.model_validate({**settings.model_dump(), **changes})


def bearer(settings: Settings, user: User) -> Headers:
    return {"Authorization": f"Bearer {issue_token(settings, user.id, 'access').token}"}


@pytest.fixture
async def alice(make_user: MakeUser) -> User:
    return await make_user("alice@example.com", timezone="Europe/Berlin")


@pytest.fixture
async def bob(make_user: MakeUser) -> User:
    return await make_user("bob@example.com", timezone="America/New_York")


@pytest.fixture
def alice_headers(settings: Settings, alice: User) -> Headers:
    return bearer(settings, alice)


@pytest.fixture
def bob_headers(settings: Settings, bob: User) -> Headers:
    return bearer(settings, bob)
