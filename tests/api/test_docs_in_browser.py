"""/docs renders in real headless Chromium with nothing but this server: the assets come from the
installed package, and no request leaves the machine."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient
from playwright.async_api import Page


async def test_docs_render_offline(client: TestClient, page: Page, tmp_path: Path) -> None:
    await page.goto(str(client.make_url("/docs")))
    title = page.locator(".swagger-ui .info .title")
    await title.wait_for(timeout=15_000)
    assert "SmartHabit" in await title.inner_text()
    operations = page.locator(".opblock")
    await operations.first.wait_for()
    assert await operations.count() >= 15  # every documented operation has its block
    assert await page.get_by_text("/users/register", exact=True).count() >= 1
    assert page.outside_requests == []  # type: ignore[attr-defined]
    shot = tmp_path / "docs.png"
    await page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


async def test_landing_page_leads_to_the_docs(client: TestClient, page: Page) -> None:
    await page.goto(str(client.make_url("/")))
    await page.click("text=API reference")
    await page.locator(".swagger-ui .info .title").wait_for(timeout=15_000)
    assert page.url.endswith("/docs")
