"""Property-based contract test: schemathesis reads /openapi.json from the live test server and runs
every phase (examples, coverage, fuzzing, stateful) with every check against every operation. No
response may be a 5xx, each must match the document (status, content type, headers, body), data the
document calls invalid must be refused and data it calls valid accepted.

Two users: the fuzzer acts as one while the other owns data of their own, which no request of the
run may change or reveal.

schemathesis is synchronous (requests), so it runs in a worker thread while this session's event loop
keeps serving the API and owning the database connections.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import schemathesis
from aiohttp.test_utils import TestClient
from schemathesis.engine import Status, events, from_schema

from smarthabit.config import Settings
from smarthabit.models import CheckIn, Habit
from tests.api.conftest import Headers, MakeUser, bearer

MAX_EXAMPLES = 25
STATEFUL_STEPS = 10
# Rules that JSON Schema cannot state, because they compare a value with today, with another field or
# with what is stored; only these operations may answer 422 to a request the document calls valid:
#   register             a common, easily guessed password (zxcvbn; the description says so)
#   check_in             a day in the future or more than 7 days back; a measurable habit without a value
#   edit_check_in        a null value for a measurable habit
#   pause_habit          an end before the start, or a pause longer than 366 days
#   update_habit         `kind: measurable` for a habit that has no target
#   create_habit, restore_habit   the cap of 100 active habits
#   list_habits, list_checkins   a `cursor` the list did not give out
#   import_export, import_loop   a file whose content is not an export (or names clash beyond repair)
#   create_webhook       a URL whose host does not resolve to a public address (checked with DNS)
STATE_RULES = ("register", "check_in", "edit_check_in", "pause_habit", "update_habit", "create_habit",
               "restore_habit", "list_habits", "list_checkins", "import_export", "import_loop", "create_webhook")
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis' default for valid data


def _config(base_url: str, headers: Headers) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": 20261125,
        "base-url": base_url,
        "headers": headers,
        "generation": {"max-examples": MAX_EXAMPLES},
        "phases": {name: {"enabled": True} for name in ("examples", "coverage", "fuzzing")}
        | {"stateful": {"enabled": True, "max-steps": STATEFUL_STEPS}},
        "operations": [{"include-operation-id": operation,
                        "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}}}
                       for operation in STATE_RULES],
    })


def _fresh_idempotency_key(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    """Generated valid Idempotency-Keys are made unique, as a client makes them, so a stateful run does
    not get a stored answer replayed (whose resource a later step may have deleted); invalid keys stay."""
    key = (headers or {}).get("Idempotency-Key")
    if headers is not None and isinstance(key, str) and key.strip() and len(key) <= 200:  # the documented rule
        headers["Idempotency-Key"] = uuid.uuid4().hex
    return headers


def _not_a_reused_key(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but one: schemathesis sends the same Idempotency-Key (the document's example,
    a run of zeros) with different requests, which the server refuses by design (422
    `idempotency_key_reused`, as the IETF draft says); no schema can describe what was sent before."""
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return True
    return not (response.status_code == 422 and code == "idempotency_key_reused")


def _run(base_url: str, headers: Headers) -> tuple[list[str], dict[str, int]]:
    """Every phase and every check; without `max-time` the fuzzing pass runs once per operation."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", config=_config(base_url, headers))
    # Deleting the account or ending its sessions mid-run would turn the rest into 401s; they have
    # their own tests.
    schema = schema.exclude(operation_id=["delete_me", "logout_all", "change_password"])
    schema.hook("map_headers")(_fresh_idempotency_key)
    schema.hook("filter_failure")(_not_a_reused_key)
    failures: list[str] = []
    counts = {"scenarios": 0, "requests": 0, "failures": 0, "errors": 0}
    for event in from_schema(schema).execute():
        if isinstance(event, events.PhaseFinished):
            counts[f"phase {event.phase.name.value}: {event.status.name.lower()}"] = 1
        if isinstance(event, events.ScenarioFinished):
            counts["scenarios"] += 1
            counts[f"{event.phase.value} scenarios"] = counts.get(f"{event.phase.value} scenarios", 0) + 1
            counts["requests"] += len(event.recorder.interactions)
            if event.status in (Status.FAILURE, Status.ERROR):
                counts["failures" if event.status is Status.FAILURE else "errors"] += 1
                failures += _describe(event)
        elif isinstance(event, events.NonFatalError):
            counts["errors"] += 1
            failures.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            counts["errors"] += 1
            failures.append(f"schemathesis crashed: {event.exception!r}")
    return failures, counts


def _describe(event: Any) -> list[str]:
    found = []
    for checks in event.recorder.checks.values():
        for check in checks:
            if check.status is Status.FAILURE and check.failure_info is not None:
                failure = check.failure_info.failure
                found.append(f"{event.recorder.label} {check.name}: {failure.title}\n{failure.message}\n"
                             f"{check.failure_info.code_sample}")
    return found


async def test_api_conforms_to_its_openapi_document(client: TestClient, settings: Settings,
                                                     make_user: MakeUser) -> None:
    fuzzer, other = await make_user("fuzz@example.com"), await make_user("other@example.com")
    headers = bearer(settings, fuzzer)
    await client.post("/habits", json={"name": "Read"}, headers=headers)
    mine = await (await client.post("/habits", json={"name": "Mine"}, headers=bearer(settings, other))).json()
    await client.post(f"/habits/{mine['id']}/checkin", json={"note": "private"}, headers=bearer(settings, other))
    before = await _snapshot(other.id)
    base_url = str(client.make_url("")).rstrip("/")
    failures, counts = await asyncio.to_thread(_run, base_url, headers)
    print(f"schemathesis: {counts}")
    assert counts["scenarios"] > 50
    assert not failures, "\n\n".join(dict.fromkeys(failures))
    assert await _snapshot(other.id) == before  # the other user's data went untouched


async def _snapshot(user_id: int) -> list[tuple[Any, ...]]:
    habits = await Habit.filter(user_id=user_id).order_by("id").values_list(
        "id", "name", "archived_at", "current_streak", "updated_at")
    checkins = await CheckIn.filter(habit__user_id=user_id).order_by("id").values_list("id", "day", "note", "value")
    return [*habits, *checkins]
