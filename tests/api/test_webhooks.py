"""Outgoing webhooks: the API, signed deliveries from the outbox, retries with backoff, SSRF refusals."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from api.app import init_app
from api.typedefs import PASSWORDS
from smarthabit.clock import utcnow
from smarthabit.config import Settings
from smarthabit.models import User, Webhook, WebhookDelivery, WebhookEvent
from smarthabit.webhooks import record_event
from tasks import webhooks as delivery
from tests.api.conftest import FAST_HASHER, Headers, configured
from tests.webhook_receiver import webhook_receiver


def _verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does, written from the documentation (not from our code)."""
    expected = hmac.new(secret.encode(), headers["X-SmartHabit-Timestamp"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-SmartHabit-Signature"], f"sha256={expected}")


@pytest.fixture
async def dev_client(settings: Settings, db: str):  # type: ignore[no-untyped-def]
    """The API with WEBHOOK_ALLOW_PRIVATE=true, as in development: hooks may point at loopback."""
    app = init_app(configured(settings, webhook_allow_private=True), manage_database=False)
    app[PASSWORDS] = FAST_HASHER
    async with TestClient(TestServer(app)) as client:
        yield client


async def _run(at_seconds: float, *, allow_private: bool = True) -> dict:
    async with delivery.open_session(allow_private=allow_private) as session:
        return await delivery.run(session, allow_private=allow_private, now=utcnow() + timedelta(seconds=at_seconds))


async def test_signed_delivery_retried_with_backoff_after_two_failures(
    dev_client: TestClient, alice: User, alice_headers: Headers
) -> None:
    async with webhook_receiver([500, 503]) as receiver:
        created = await dev_client.post("/webhooks", json={"url": receiver.url, "events": ["checkin.created"]},
                                        headers=alice_headers)
        assert created.status == 201
        hook = await created.json()
        habit = await (await dev_client.post("/habits", json={"name": "Walk"}, headers=alice_headers)).json()
        assert (await dev_client.post(f"/habits/{habit['id']}/checkin", json={"note": "park"},
                                      headers=alice_headers)).status == 201
        assert await WebhookEvent.filter(user_id=alice.id).count() == 2  # habit.created and checkin.created

        assert (await _run(0))["fanned_out"] == 1  # only the subscribed event
        assert len(receiver.received) == 1
        assert (await _run(10))["pending"] == 0  # not due yet: backoff of 30 s
        assert len(receiver.received) == 1
        await _run(31)
        assert len(receiver.received) == 2
        assert (await _run(31 + 61))["delivered"] == 1
        assert len(receiver.received) == 3

    ids = {r.headers["X-SmartHabit-Delivery"] for r in receiver.received}
    assert len(ids) == 1  # one delivery, three attempts
    for request in receiver.received:
        assert request.headers["X-SmartHabit-Event"] == "checkin.created"
        assert _verify(hook["secret"], request.headers, request.body)
    document = json.loads(receiver.received[-1].body)
    assert document["event"] == "checkin.created" and document["data"]["checkin"]["note"] == "park"
    assert document["data"]["checkin"]["habit_id"] == habit["id"]

    log = await (await dev_client.get(f"/webhooks/{hook['id']}/deliveries", headers=alice_headers)).json()
    [row] = log["items"]
    assert (row["status"], row["attempts"], row["response_status"]) == ("delivered", 3, 200)
    assert row["latency_ms"] is not None
    assert [a["response_status"] for a in row["attempt_log"]] == [500, 503, 200]  # every try, oldest first
    assert [a["error"] is None for a in row["attempt_log"]] == [False, False, True]
    assert all(a["latency_ms"] >= 0 for a in row["attempt_log"])
    tries = [datetime.fromisoformat(a["at"]) for a in row["attempt_log"]]
    assert tries == sorted(tries) and tries[1] - tries[0] >= timedelta(seconds=30)  # the backoff shows


async def test_rotated_secret_signs_later_deliveries(
    dev_client: TestClient, alice: User, alice_headers: Headers
) -> None:
    async with webhook_receiver() as receiver:
        hook = await (await dev_client.post("/webhooks", json={"url": receiver.url, "events": ["habit.created"]},
                                            headers=alice_headers)).json()
        rotated = await (await dev_client.post(f"/webhooks/{hook['id']}/rotate-secret", headers=alice_headers)).json()
        assert rotated["secret"] != hook["secret"]
        assert (await dev_client.post("/habits", json={"name": "Read"}, headers=alice_headers)).status == 201
        await _run(0)
    [request] = receiver.received
    assert _verify(rotated["secret"], request.headers, request.body)
    assert not _verify(hook["secret"], request.headers, request.body)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/hook", "http://192.168.0.10/",
    "http://172.16.5.4/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook", "http://[fd00:ec2::254]/", "http://100.64.0.1/", "http://0.0.0.0/",
    "ftp://93.184.215.14/hook", "file:///etc/passwd", "http://user:secret@93.184.215.14/",
])
async def test_private_and_odd_urls_are_refused(client: TestClient, alice_headers: Headers, url: str) -> None:
    response = await client.post("/webhooks", json={"url": url, "events": ["habit.created"]}, headers=alice_headers)
    assert response.status == 422, url
    assert not await Webhook.exists()


async def test_a_public_address_is_accepted(client: TestClient, alice_headers: Headers) -> None:
    response = await client.post("/webhooks", json={"url": "https://93.184.215.14/hook", "events": ["habit.created"]},
                                 headers=alice_headers)
    assert response.status == 201
    assert (await response.json())["secret"].startswith("whsec_")


async def test_send_time_resolution_refuses_a_host_that_now_points_inside(
    client: TestClient, alice: User, alice_headers: Headers
) -> None:
    """As if DNS had answered a public address at creation and loopback later: the send resolves
    again, through the guarded resolver, and nothing reaches the receiver."""
    async with webhook_receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        for url in (f"http://localhost:{port}/hook", receiver.url):  # a name, then a literal address
            await Webhook.create(user_id=alice.id, url=url, events=["habit.created"], secret="s")
        assert (await client.post("/habits", json={"name": "Run"}, headers=alice_headers)).status == 201
        result = await _run(0, allow_private=False)
        assert result["pending"] == 2 and receiver.received == []
    errors = await WebhookDelivery.all().values_list("error", flat=True)
    assert all("public" in error for error in errors), errors


async def test_redirects_are_not_followed(dev_client: TestClient, alice: User, alice_headers: Headers) -> None:
    async with webhook_receiver([302]) as receiver, webhook_receiver() as inside:
        receiver.redirect_to = inside.url
        await dev_client.post("/webhooks", json={"url": receiver.url, "events": ["habit.created"]},
                              headers=alice_headers)
        await dev_client.post("/habits", json={"name": "Run"}, headers=alice_headers)
        assert (await _run(0))["pending"] == 1
        assert inside.received == []
    row = await WebhookDelivery.get()
    assert (row.response_status, row.error) == (302, "HTTP 302")


async def test_another_users_webhook_is_404(dev_client: TestClient, alice_headers: Headers,
                                            bob_headers: Headers) -> None:
    hook = await (await dev_client.post("/webhooks", json={"url": "https://93.184.215.14/h", "events": [
        "habit.created"]}, headers=alice_headers)).json()
    for method, path in (("GET", ""), ("GET", "/deliveries"), ("POST", "/rotate-secret"), ("DELETE", "")):
        response = await dev_client.request(method, f"/webhooks/{hook['id']}{path}", headers=bob_headers)
        assert response.status == 404, (method, path)


async def test_one_pass_sends_more_than_a_batch(dev_client: TestClient, alice: User, alice_headers: Headers) -> None:
    """A busy account's backlog does not wait a minute per hundred deliveries."""
    async with webhook_receiver() as receiver:
        await dev_client.post("/webhooks", json={"url": receiver.url, "events": ["habit.updated"]},
                              headers=alice_headers)
        for number in range(delivery.SEND_BATCH + 30):
            await record_event(alice.id, "habit.updated", {"habit": {"id": number}})
        result = await _run(0)
    assert result["delivered"] == delivery.SEND_BATCH + 30
    assert len({r.headers["X-SmartHabit-Delivery"] for r in receiver.received}) == delivery.SEND_BATCH + 30
