"""One error shape for everything: routing errors, bad bodies, limits, domain errors and crashes."""

from __future__ import annotations

import logging

import pytest
from aiohttp.test_utils import TestClient

from smarthabit import habit_list
from smarthabit.config import Settings
from tests.api.conftest import Headers

JSON = {"Content-Type": "application/json"}


def _assert_error_shape(body: dict, code: str) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"]


async def test_unknown_route(client: TestClient) -> None:
    response = await client.get("/no/such/thing")
    assert response.status == 404 and response.content_type == "application/json"
    _assert_error_shape(await response.json(), "not_found")


async def test_method_not_allowed_keeps_allow(client: TestClient, alice_headers: Headers) -> None:
    response = await client.put("/habits", headers=alice_headers)
    assert response.status == 405
    assert set(response.headers["Allow"].split(",")) == {"GET", "POST"}
    _assert_error_shape(await response.json(), "method_not_allowed")


@pytest.mark.parametrize("payload", [b"{", b'{"name": }', b"\xff\xfe", b'{"name": "a\\ud800"}', b"nul\x00"])
async def test_malformed_json_is_400(client: TestClient, alice_headers: Headers, payload: bytes) -> None:
    response = await client.post("/habits", data=payload, headers={**alice_headers,
                                                                   "Content-Type": "application/json"})
    assert response.status == 400
    _assert_error_shape(await response.json(), "malformed_json")


async def test_json_that_is_not_an_object_is_422(client: TestClient, alice_headers: Headers) -> None:
    for payload in (b"[]", b"42", b'"Read"', b"null"):
        response = await client.post("/habits", data=payload, headers={**alice_headers, **JSON})
        assert response.status == 422, payload
        assert isinstance((await response.json())["error"]["details"]["errors"], list)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "application/merge-patch+json"])
async def test_bodies_must_be_json(client: TestClient, alice_headers: Headers, content_type: str | None) -> None:
    headers = {**alice_headers, **({"Content-Type": content_type} if content_type else {})}
    response = await client.post("/habits", data=b'{"name": "Read"}', headers=headers)
    assert response.status == 415
    _assert_error_shape(await response.json(), "unsupported_media_type")
    charset = await client.post("/habits", data=b'{"name": "Read"}',
                                headers={**alice_headers, "Content-Type": "application/json; charset=utf-8"})
    assert charset.status == 201


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
async def test_non_finite_numbers_are_refused(client: TestClient, alice_headers: Headers, literal: bytes) -> None:
    body = b'{"name": "Water", "kind": "measurable", "target": ' + literal + b"}"
    response = await client.post("/habits", data=body, headers={**alice_headers, **JSON})
    assert response.status in (400, 422)
    assert (await response.json())["error"]["code"] in ("malformed_json", "validation_error")


@pytest.mark.parametrize("week", ["0001-W01", "9999-W52", "1999-W52", "2100-W01", "2026-W00", "2021-W53", "2026-W99"])
async def test_weeks_out_of_range_are_422(client: TestClient, alice_headers: Headers, week: str) -> None:
    response = await client.get(f"/insights/weekly?week={week}", headers=alice_headers)
    assert response.status == 422
    _assert_error_shape(await response.json(), "validation_error")
    assert (await client.get("/insights/weekly?week=2026-W53", headers=alice_headers)).status == 200


async def test_details_is_always_an_object(client: TestClient, alice_headers: Headers) -> None:
    """Routing errors, domain errors without details, validation errors: one shape for `details`."""
    responses = [
        await client.get("/no/such/thing"),
        await client.get("/habits/999", headers=alice_headers),
        await client.post("/habits", json={"name": ""}, headers=alice_headers),
        await client.get("/habits"),
    ]
    for response in responses:
        assert isinstance((await response.json())["error"]["details"], dict), response.status


async def test_body_too_large_is_413(client: TestClient, settings: Settings, alice_headers: Headers) -> None:
    big = b'{"name": "' + b"x" * settings.max_request_bytes + b'"}'
    response = await client.post("/habits", data=big, headers=alice_headers)
    assert response.status == 413
    body = await response.json()
    _assert_error_shape(body, "request_entity_too_large")
    assert body["error"]["details"] == {"max_bytes": settings.max_request_bytes}


async def test_bad_time_zone_is_422(client: TestClient, alice_headers: Headers) -> None:
    response = await client.patch("/users/me", json={"timezone": "Europe/Atlantis"}, headers=alice_headers)
    assert response.status == 422
    body = await response.json()
    _assert_error_shape(body, "validation_error")
    assert body["error"]["details"]["errors"][0]["loc"] == ["body", "timezone"]


async def test_crash_is_a_logged_500_without_details(
    client: TestClient, alice_headers: Headers, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(habit_list, "listing", explode)
    with caplog.at_level(logging.ERROR, logger="smarthabit.api"):
        response = await client.get("/habits", headers=alice_headers)
    assert response.status == 500
    text = await response.text()
    assert "hunter2" not in text and "Traceback" not in text and "RuntimeError" not in text
    _assert_error_shape(await response.json(), "internal_error")
    [record] = [r for r in caplog.records if r.name == "smarthabit.api"]
    assert record.exc_info is not None and record.route == "/habits" and record.method == "GET"
