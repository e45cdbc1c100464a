"""Health, metrics, the OpenAPI document (written from the route table) and the docs page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import aiohttp
import jsonschema_rs
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from tortoise import Tortoise

from api.app import init_app
from api.typedefs import ROUTES
from smarthabit.config import Settings
from tests.api.conftest import configured
from tests.e2e.stack import free_port


async def test_health_up(client: TestClient) -> None:
    response = await client.get("/health")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "database": "up", "broker": "in_process"}


async def _health(settings: Settings) -> tuple[int, dict[str, Any]]:
    async with TestClient(TestServer(init_app(settings, manage_database=False))) as client:
        response = await client.get("/health")
        return response.status, await response.json()


async def test_health_with_redis(settings: Settings, redis_url: str) -> None:
    status, body = await _health(configured(settings, redis_url=redis_url))
    assert (status, body["broker"]) == (200, "up")


async def test_health_redis_down_is_503(settings: Settings) -> None:
    status, body = await _health(configured(settings, redis_url="redis://127.0.0.1:1/0"))
    assert status == 503
    assert body == {"status": "unavailable", "database": "up", "broker": "down"}


async def test_health_database_down_is_503(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_database(name: str) -> None:
        raise ConnectionError("database is gone")

    monkeypatch.setattr(Tortoise, "get_connection", no_database)
    status, body = await _health(settings)
    assert status == 503 and body["database"] == "down"


async def test_metrics_are_served_on_their_own_port_only(settings: Settings, db: str) -> None:
    port = free_port()
    app = init_app(configured(settings, metrics_port=port), manage_database=False)
    async with TestClient(TestServer(app)) as client, aiohttp.ClientSession() as http:
        await client.get("/health")
        assert (await client.get("/metrics")).status == 404  # not on the public port
        async with http.get(f"http://{settings.host}:{port}/metrics") as response:
            assert response.status == 200 and response.content_type == "text/plain"
            assert 'smarthabit_http_requests_total{method="GET",route="/health",status="200"}' in await response.text()


async def test_docs_page_and_its_assets_are_served_here(client: TestClient) -> None:
    response = await client.get("/docs")
    assert response.status == 200 and response.content_type == "text/html"
    page = await response.text()
    assert "openapi.json" in page and "http" not in page.split("<body>")[1]  # nothing from another host
    script = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status == 200 and len(await script.read()) > 100_000


async def test_landing_page_links_docs_and_health(client: TestClient) -> None:
    response = await client.get("/")
    assert response.status == 200 and response.content_type == "text/html"
    page = await response.text()
    assert 'href="docs"' in page and 'href="health"' in page and 'href="app/"' not in page  # no web app here


@pytest.fixture
async def document(client: TestClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status == 200
    return await response.json()


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


async def test_openapi_covers_every_route(app: web.Application, document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    served = {(route.method, route.resource.canonical) for route in app.router.routes()
              if route.method != "HEAD" and not isinstance(route.resource, web.StaticResource)}  # files, not operations
    documented = {(method.upper(), path) for path, method, _ in _operations(document)}
    assert documented == served
    assert len({operation["operationId"] for *_, operation in _operations(document)}) == len(served)


async def test_openapi_documents_every_error(app: web.Application, document: dict[str, Any]) -> None:
    for route in app[ROUTES]:
        operation = document["paths"][route.path][route.method.lower()]
        responses = operation["responses"]
        assert "500" in responses, route.path
        if route.authenticated:
            assert "401" in responses and operation["security"] == [{"bearerAuth": []}], route.path
        if "body" in route.inputs:
            assert {"400", "413", "422"} <= set(responses), route.path
        if "path" in route.inputs:
            assert {"404", "422"} <= set(responses), route.path
        for status in route.errors:
            schema = responses[str(status)]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorOut"}
    assert "Retry-After" in document["paths"]["/users/login"]["post"]["responses"]["429"]["headers"]
    checkin = document["paths"]["/habits/{habit_id}/checkin"]["post"]["responses"]
    assert {"200", "201"} <= set(checkin)


async def test_openapi_schemas_are_valid_json_schema_and_refs_resolve(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for schema in schemas.values():
        jsonschema_rs.meta.validate(schema)  # a valid JSON Schema (2020-12, as OpenAPI 3.1 uses)
    text = json.dumps(document)
    refs = {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}
    assert refs <= set(schemas)
    assert "HabitCreate" in schemas and "PreferencesUpdate" in schemas  # the domain's own input models


async def test_openapi_query_parameters(document: dict[str, Any]) -> None:
    parameters = {p["name"]: p for p in document["paths"]["/habits/{habit_id}/checkins"]["get"]["parameters"]}
    assert parameters["habit_id"]["in"] == "path" and parameters["habit_id"]["required"] is True
    assert parameters["from"]["schema"] == {"type": "string", "format": "date"}
    assert parameters["limit"]["schema"]["maximum"] == 200
