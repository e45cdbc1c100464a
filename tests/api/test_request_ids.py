"""Every request gets an id: echoed in X-Request-ID and carried by every log line written for it."""

from __future__ import annotations

import json
import logging

import pytest
from aiohttp.test_utils import TestClient

from smarthabit.logs import JsonFormatter


async def test_request_id_is_echoed_and_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="smarthabit.api.access")
    response = await client.get("/health", headers={"X-Request-ID": "proxy-id-12345"})
    assert response.headers["X-Request-ID"] == "proxy-id-12345"
    [record] = [r for r in caplog.records if r.name == "smarthabit.api.access"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "proxy-id-12345"
    assert (line["event"], line["method"], line["route"], line["status"]) == ("request", "GET", "/health", 200)


async def test_unsafe_or_missing_ids_are_replaced(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="smarthabit.api.access")
    first = await client.get("/health", headers={"X-Request-ID": "bad id\u2028with spaces"})
    second = await client.get("/nope")
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(len(i) == 32 and i.isalnum() for i in ids) and ids[0] != ids[1]
    assert second.status == 404 and (await second.json())["error"]["code"] == "not_found"
    logged = [json.loads(JsonFormatter().format(r))["request_id"] for r in caplog.records
              if r.name == "smarthabit.api.access"]
    assert logged == ids


async def test_no_query_strings_bodies_or_emails_in_info_logs(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await client.post("/users/login", json={"email": "a@example.com", "password": "hunter2-secret-pw"})
    await client.get("/habits?token=leaky-query-value")
    # aiohttp's own access logger is off in production (`access_log=None`); ours is what is shipped.
    text = "\n".join(JsonFormatter().format(r) for r in caplog.records if r.name != "aiohttp.access")
    assert "request" in text
    for secret in ("hunter2-secret-pw", "leaky-query-value", "a@example.com"):
        assert secret not in text
