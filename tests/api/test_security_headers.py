"""Security headers on every answer, CORS for the configured origins only."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from api.app import init_app
from smarthabit.config import Settings
from tests.api.conftest import PASSWORD, Headers, MakeUser, configured


async def test_token_answers_are_not_stored(client: TestClient, make_user: MakeUser) -> None:
    await make_user("alice@example.com")
    response = await client.post("/users/login", json={"email": "alice@example.com", "password": PASSWORD})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_server_header_names_no_versions(client: TestClient) -> None:
    for path in ("/health", "/no-such-page"):
        server = (await client.get(path)).headers["Server"]
        assert server == "SmartHabit" and "aiohttp" not in server and "Python" not in server


async def test_html_pages_have_a_strict_csp(client: TestClient) -> None:
    for path in ("/docs", "/"):
        csp = (await client.get(path)).headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp  # inline blocks only by their hash
    assert "script-src 'self' 'sha256-" in (await client.get("/docs")).headers["Content-Security-Policy"]


async def test_cors_allows_only_the_configured_origins(settings: Settings, db: str, alice_headers: Headers) -> None:
    app = init_app(configured(settings, cors_origins="https://app.example.com"), manage_database=False)
    async with TestClient(TestServer(app)) as client:
        preflight = await client.options("/habits", headers={
            "Origin": "https://app.example.com", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type"})
        assert preflight.status == 200
        assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        assert "AUTHORIZATION" in preflight.headers["Access-Control-Allow-Headers"].upper()
        listed = await client.get("/habits", headers={"Origin": "https://app.example.com", **alice_headers})
        assert listed.status == 200 and listed.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        assert "X-REQUEST-ID" in listed.headers["Access-Control-Expose-Headers"].upper()
        other = await client.get("/habits", headers={"Origin": "https://evil.example", **alice_headers})
        assert "Access-Control-Allow-Origin" not in other.headers


async def test_no_cors_by_default(client: TestClient, alice_headers: Headers) -> None:
    response = await client.get("/habits", headers={"Origin": "https://app.example.com", **alice_headers})
    assert response.status == 200 and "Access-Control-Allow-Origin" not in response.headers


async def test_pages_get_the_default_csp_unless_they_bring_their_own(settings: Settings, db: str) -> None:
    app = init_app(settings, manage_database=False)

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<p>hi</p>", content_type="text/html")

    async def own(request: web.Request) -> web.Response:
        return web.Response(text="<p>hi</p>", content_type="text/html",
                            headers={"Content-Security-Policy": "default-src 'self' https://telegram.org"})

    app.router.add_get("/page", page)
    app.router.add_get("/own", own)
    async with TestClient(TestServer(app)) as client:
        default = (await client.get("/page")).headers["Content-Security-Policy"]
        assert "default-src 'self'" in default and "script-src 'self'" in default and "'unsafe-inline'" not in default
        assert (await client.get("/own")).headers["Content-Security-Policy"] == "default-src 'self' https://telegram.org"
        assert "Content-Security-Policy" not in (await client.get("/health")).headers  # JSON needs none
