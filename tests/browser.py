"""Real headless Chromium for page tests (the docs, the web app): one browser a session, a fresh
context a test. Debian's `chromium` is driven by Playwright through `executable_path` (Playwright's
own browser download cannot work offline); .ci/run installs it when it is missing.

Loaded for every test by the root conftest (`pytest_plugins`); a test asks for `page`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: install it (apt-get install chromium) or set TEST_CHROMIUM")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A page in a fresh context that may reach loopback only: a request for any other host fails
    the page's load as it would on a machine without network (what "offline" means for a page)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})

    async def only_loopback(route):  # type: ignore[no-untyped-def]
        host = route.request.url.split("/")[2].split(":")[0] if "://" in route.request.url else ""
        if host in ("127.0.0.1", "localhost", "[::1]") or route.request.url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            page.outside_requests.append(route.request.url)  # type: ignore[attr-defined]
            await route.abort()

    await context.route("**/*", only_loopback)
    page = await context.new_page()
    page.outside_requests = []  # type: ignore[attr-defined]
    yield page
    await context.close()
