"""How the web app's files are served: compressed, cacheable, locked down, and views fall back to the page."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from web.app import PREFIX, create_app


@pytest.fixture
async def client() -> AsyncIterator[TestClient]:
    app = web.Application()
    app.add_subapp(PREFIX, create_app())
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_assets_are_gzipped_and_revalidated_by_etag(client: TestClient) -> None:
    plain = await client.get("/app/js/app.js", headers={"Accept-Encoding": "identity"}, auto_decompress=False)
    zipped = await client.get("/app/js/app.js", headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    assert plain.headers["Content-Type"].startswith("text/javascript")
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert len(await zipped.read()) < len(await plain.read()) / 2
    again = await client.get("/app/js/app.js", headers={"If-None-Match": zipped.headers["ETag"]})
    assert again.status == 304 and await again.read() == b""


async def test_views_get_the_page_and_missing_files_do_not(client: TestClient) -> None:
    index = await (await client.get("/app/")).text()
    for view in ("/app/habit/12", "/app/week", "/app/settings"):
        response = await client.get(view)
        assert response.status == 200 and await response.text() == index
    assert (await client.get("/app/js/missing.js")).status == 404
    assert (await client.get("/app/../pyproject.toml")).status == 404


async def test_the_page_runs_only_its_own_scripts(client: TestClient) -> None:
    response = await client.get("/app/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "https://" not in (await response.text()).replace("https://web.telegram.org", "")  # no CDN
