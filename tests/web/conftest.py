"""Web app fixtures: `smarthabit api` as a real process on the pass's database (PostgreSQL, or SQLite
when TEST_DATABASE=sqlite), the session's headless Chromium (tests/browser.py), and a fresh browser
context (own sessionStorage) per test that may reach loopback only.

Accounts and habits are made over the REST API, as any client would make them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import aiohttp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route

from tests.conftest import ADMIN_URL, ON_SQLITE, _admin_sql, _with_database
from tests.e2e.stack import Role, base_env, free_port, wait_healthy

BOT_TOKEN = "777001:WEB-test-token"
PASSWORD = "correct horse battery staple"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 860}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DARK_THEME = {"bg_color": "#17212b", "secondary_bg_color": "#0e1621", "text_color": "#f5f5f5",
              "hint_color": "#708499", "link_color": "#6ab3f3", "button_color": "#5288c1",
              "button_text_color": "#ffffff", "section_bg_color": "#1e2c3a", "header_bg_color": "#17212b"}


def sign_init_data(fields: dict[str, str], bot_token: str = BOT_TOKEN) -> str:
    """initData as Telegram signs it (written here from Telegram's documentation, not from our code)."""
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest}, quote_via=quote)


def telegram_fields(user_id: int, first_name: str = "Ada", *, auth_date: int | None = None) -> dict[str, str]:
    user = json.dumps({"id": user_id, "first_name": first_name, "language_code": "en"}, separators=(",", ":"))
    return {"auth_date": str(auth_date or int(time.time())), "query_id": "AAHdF6IQAAAAAN0XohDhrOrc", "user": user}


def launch_fragment(init_data: str, theme: dict[str, str] | None = None) -> str:
    """The URL fragment Telegram opens a Mini App with."""
    params = {"tgWebAppData": init_data, "tgWebAppVersion": "8.0", "tgWebAppPlatform": "tdesktop"}
    if theme is not None:
        params["tgWebAppThemeParams"] = json.dumps(theme)
    return urlencode(params, quote_via=quote)


@dataclass
class Stack:
    """The API process serving /app, and a client to prepare data through the REST API."""

    database: str
    url: str
    http: aiohttp.ClientSession
    role: Role

    async def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.http.request(method, self.url + path, headers=headers, **kwargs) as response:
            body = await response.json() if response.content_type == "application/json" else None
            assert response.status < 300, (response.status, body, self.role.output()[-3000:])
            return body

    async def account(self, email: str, timezone: str = "UTC") -> str:
        """A new email account; returns its access token."""
        auth = await self.call("POST", "/users/register", json={"email": email, "password": PASSWORD,
                                                               "timezone": timezone})
        return str(auth["tokens"]["access_token"])

    async def habit(self, token: str, name: str, **fields: Any) -> dict[str, Any]:
        return dict(await self.call("POST", "/habits", token, json={"name": name, **fields}))


async def _postgres_url() -> str:
    """A fresh database, made empty here; `smarthabit migrate` migrates it as a deployment would (aerich
    in this process would migrate the ORM connection the other tests hold open instead)."""
    name = f"smarthabit_test_{os.getpid()}_web"
    await _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _admin_sql(f'CREATE DATABASE "{name}"')
    return _with_database(ADMIN_URL, name)


@pytest.fixture(scope="session", params=["sqlite" if ON_SQLITE else "postgres"])
async def stack(request: pytest.FixtureRequest) -> AsyncIterator[Stack]:
    """`smarthabit api` on a migrated PostgreSQL database, or in the SQLite pass on the embedded
    default (a SQLite file the server makes its schema in), as `smarthabit run` starts.

    Its directory (log, SQLite file) is its own, not pytest's rotating tmp_path: other pytest
    sessions on the machine must not remove it while the server runs."""
    workdir = Path(tempfile.mkdtemp(prefix=f"smarthabit-web-{request.param}-"))
    db_url = await _postgres_url() if request.param == "postgres" else f"sqlite://{workdir / 'smarthabit.sqlite3'}"
    port = free_port()
    env = base_env(DATABASE_URL=db_url, PORT=str(port), HOST="127.0.0.1", JWT_SECRET="web-test-secret-" + "x" * 40,
                   TELEGRAM_BOT_TOKEN=BOT_TOKEN, LOG_LEVEL="WARNING")
    if request.param == "postgres":
        migrate = await Role("migrate", ["migrate"], env, workdir).start()
        assert await migrate.wait(120) == 0, migrate.output()[-3000:]
    role = await Role("api", ["api"], env, workdir).start()
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_healthy(url, role)
        async with aiohttp.ClientSession() as http:
            yield Stack(request.param, url, http, role)
    finally:
        await role.terminate()
        if request.param == "postgres":
            await _admin_sql(f'DROP DATABASE IF EXISTS "smarthabit_test_{os.getpid()}_web" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A phone-sized context; a request for any other host than loopback fails (no CDN at run time)."""
    ctx = await browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="UTC")
    outside: list[str] = []

    async def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    await ctx.route("**/*", only_loopback)
    yield ctx
    await ctx.close()
    assert outside == [], f"the page reached beyond this machine: {outside}"


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()
