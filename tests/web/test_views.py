"""Every view at phone and desktop size: axe-core finds no serious or critical violation, the first
view stays under its transfer budget, and the PostgreSQL pass saves the screenshots the README shows."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import Browser, Page, Request, expect

from tests.web.conftest import (
    DARK_THEME,
    DESKTOP,
    PASSWORD,
    PHONE,
    SCREENSHOTS,
    Stack,
    launch_fragment,
    sign_init_data,
    telegram_fields,
)
from tests.web.test_web_app import serious_violations

FIRST_VIEW_BUDGET = 150 * 1024
SIZES = {"phone": PHONE, "desktop": DESKTOP}


async def _history(stack: Stack) -> tuple[str, str, int]:
    """An account with a week of real use: some days done, one partly, a pause, a note. Returns
    (email, token, the id of the habit to show)."""
    address = "ada.lovelace@example.com"  # once per fresh database (the module fixture): stable screenshots
    token = await stack.account(address)
    read = await stack.habit(token, "Read 20 pages")
    water = await stack.habit(token, "Drink water", kind="measurable", target=8, unit="glasses")
    gym = await stack.habit(token, "Gym", schedule={"kind": "times_per_week", "times_per_week": 3})
    await stack.habit(token, "Stretch", schedule={"kind": "weekdays", "weekdays": [0, 2, 4]})
    today = date.fromisoformat(read["today"])
    for back in (1, 2, 3, 5, 6, 7):
        day = (today - timedelta(days=back)).isoformat()
        await stack.call("POST", f"/habits/{read['id']}/checkin", token,
                         json={"day": day, **({"note": "Finished the chapter on habits"} if back == 2 else {})})
        await stack.call("POST", f"/habits/{water['id']}/checkin", token, json={"day": day, "value": 9 - back % 3 * 2})
    for back in (2, 5):
        await stack.call("POST", f"/habits/{gym['id']}/checkin", token,
                         json={"day": (today - timedelta(days=back)).isoformat()})
    await stack.call("POST", f"/habits/{water['id']}/checkin", token, json={"value": 6})
    return address, token, int(read["id"])


@pytest.fixture(scope="module")
async def history(stack: Stack) -> tuple[str, str, int]:
    """One account with history per database, shared by this module's tests (they only read it)."""
    return await _history(stack)


async def _signed_in_page(browser: Browser, stack: Stack, address: str, viewport: dict[str, int]) -> Page:
    """A fresh browser context holding a token pair in sessionStorage, as the login form leaves it."""
    tokens = await stack.call("POST", "/users/login", json={"email": address, "password": PASSWORD})
    pair = json.dumps({"access": tokens["access_token"], "refresh": tokens["refresh_token"]})
    context = await browser.new_context(viewport=viewport, locale="en-GB", timezone_id="UTC", color_scheme="light")
    await context.add_init_script(f"sessionStorage.setItem('smarthabit.tokens', {pair!r})")
    return await context.new_page()


async def _shoot(stack: Stack, page: Page, name: str) -> None:
    """Save a screenshot for the README (PostgreSQL pass only: one set), as a small 128-color PNG."""
    if stack.database != "postgres":
        return
    png = await page.screenshot(full_page=True, animations="disabled")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    image.save(SCREENSHOTS / f"{name}.png", optimize=True)


VIEWS = [("today", "/app/", "^Today"), ("habit", "/app/habit/{habit}", "Read 20 pages"),
         ("week", "/app/week", "^This week"), ("settings", "/app/settings", "^Settings")]


async def test_every_view_is_accessible(stack: Stack, browser: Browser, history: tuple[str, str, int]) -> None:
    """Both sizes on PostgreSQL (and the screenshots); the SQLite pass renders and scans at phone size."""
    address, _, habit = history
    for size in SIZES if stack.database == "postgres" else ["phone"]:
        page = await _signed_in_page(browser, stack, address, SIZES[size])
        try:
            for view, path, heading in VIEWS:
                await page.goto(stack.url + path.format(habit=habit))
                await expect(page.get_by_role("heading", level=1, name=re.compile(heading))).to_be_visible()
                assert await serious_violations(page) == [], (view, size)
                await _shoot(stack, page, f"{view}-{size}")
            await page.get_by_role("button", name="Sign out").click()  # the last view was Settings
            await expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
            assert await serious_violations(page) == [], ("login", size)
            await _shoot(stack, page, f"login-{size}")
        finally:
            await page.context.close()


async def test_mini_app_dark_theme_is_accessible(stack: Stack, browser: Browser,
                                                 history: tuple[str, str, int]) -> None:
    _, _, habit = history
    context = await browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="UTC")
    page = await context.new_page()
    try:
        init_data = sign_init_data(telegram_fields(int(uuid.uuid4().int % 10**9) + 3 * 10**9, "Lin"))
        await page.goto(f"{stack.url}/app/habit/{habit}#{launch_fragment(init_data, DARK_THEME)}")
        # A Telegram account of its own: this habit is someone else's, so it is not found.
        await expect(page.get_by_role("heading", level=1, name="Not found")).to_be_visible()
        await page.get_by_role("link", name="Back to today").click()
        await expect(page.get_by_role("heading", level=1, name=re.compile("^Today"))).to_be_visible()
        tokens = await page.evaluate("JSON.parse(sessionStorage.getItem('smarthabit.tokens'))")
        mine = await stack.habit(tokens["access"], "Meditate")
        await stack.call("POST", f"/habits/{mine['id']}/checkin", tokens["access"], json={"note": "10 minutes"})
        await stack.habit(tokens["access"], "Walk 8000 steps")
        for view, path, heading in [("today", "/app/", "^Today"), ("habit", f"/app/habit/{mine['id']}", "Meditate")]:
            await page.goto(stack.url + path)
            await expect(page.get_by_role("heading", level=1, name=re.compile(heading))).to_be_visible()
            assert await page.evaluate("document.documentElement.dataset.theme") == "dark"
            assert await serious_violations(page) == [], view
            await _shoot(stack, page, f"{view}-telegram-dark")
    finally:
        await page.context.close()


async def test_first_view_fits_the_transfer_budget(stack: Stack, browser: Browser,
                                                   history: tuple[str, str, int]) -> None:
    """Everything the Today view loads with a cold cache (page, modules, styles, API calls), as sent
    on the wire: compressed, headers included."""
    page = await _signed_in_page(browser, stack, history[0], PHONE)
    requests: list[Request] = []
    page.on("requestfinished", lambda request: requests.append(request))
    try:
        await page.goto(stack.url + "/app/")
        await expect(page.locator("li.habit")).to_have_count(4)
        await page.wait_for_load_state("networkidle")
        sizes: list[dict[str, Any]] = [await request.sizes() for request in requests]
        total = sum(s["responseBodySize"] + s["responseHeadersSize"] + s["requestHeadersSize"] + s["requestBodySize"]
                    for s in sizes)
        assert {r.url.removeprefix(stack.url) for r in requests} >= {"/app/", "/app/js/app.js", "/app/style.css",
                                                                    "/habits"}
        assert all(s["responseBodySize"] > 0 for s in sizes)  # nothing came from a cache
        assert total < FIRST_VIEW_BUDGET, total
        print(f"first view: {len(requests)} requests, {total} bytes on the wire")
    finally:
        await page.context.close()
