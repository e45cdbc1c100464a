"""`POST /import/loop`: Loop Habit Tracker's CSV export, as Loop writes it, imported over REST.

The zip is built by `tests.imports.loop_export` after Loop's own source (iSoron/uhabits:
`io/HabitsCSVExporter.kt`, `models/HabitList.kt` `writeCSV`, the value constants of `models/Entry.kt`
YES_MANUAL / YES_AUTO / NO / SKIP / UNKNOWN, measurable values in thousandths).
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import AsyncIterator
from datetime import date, timedelta

from aiohttp import FormData
from aiohttp.test_utils import TestClient

from api.typedefs import SETTINGS
from smarthabit.clock import local_today
from smarthabit.imports.archive import MAX_UNCOMPRESSED_BYTES
from smarthabit.models import CheckIn, Habit, HabitPause, User
from tests.api.conftest import Headers
from tests.imports.loop_export import NO, SKIP, YES_MANUAL, LoopHabit, build_loop_zip, habits_csv, sample_habits


def _form(data: bytes, name: str = "Loop Habits CSV 2026-11-30.zip") -> FormData:
    form = FormData()
    form.add_field("file", data, filename=name, content_type="application/zip")
    return form


async def _counts(user: User) -> tuple[int, int, int]:
    return (await Habit.filter(user_id=user.id).count(), await CheckIn.filter(habit__user_id=user.id).count(),
            await HabitPause.filter(habit__user_id=user.id).count())


async def test_loop_export_imports_three_kinds_of_habit_and_twice_adds_nothing(
    client: TestClient, alice: User, alice_headers: Headers
) -> None:
    today = local_today(alice.timezone)
    loop_habits = sample_habits(today)
    data = build_loop_zip(loop_habits, today)

    first = await client.post("/import/loop", data=_form(data), headers=alice_headers)
    assert first.status == 200, await first.text()
    summary = await first.json()
    meditate, gym, run = loop_habits
    yes = {name: sum(1 for v, _ in h.entries.values() if v == YES_MANUAL) for name, h in
           (("meditate", meditate), ("gym", gym))}
    runs = len(run.entries)
    skips = sum(1 for v, _ in meditate.entries.values() if v == SKIP)
    assert summary["habits_created"] == 3
    assert summary["checkins_created"] == yes["meditate"] + yes["gym"] + runs
    assert summary["pauses_created"] == skips

    habits = {h.name: h for h in await Habit.filter(user_id=alice.id)}
    assert set(habits) == {"Meditate", 'Gym, "heavy" day', "Run"}
    assert habits["Meditate"].schedule_kind == "daily"
    assert habits["Meditate"].description == "Did you meditate today?"
    assert (habits['Gym, "heavy" day'].schedule_kind, habits['Gym, "heavy" day'].times_per_week) == (
        "times_per_week", 3)
    assert (habits["Run"].kind, habits["Run"].target, habits["Run"].unit) == ("measurable", 5.0, "km")
    assert habits["Meditate"].start_day == today - timedelta(days=59)
    values = dict(await CheckIn.filter(habit_id=habits["Run"].id).values_list("day", "value"))
    assert values[today] == 5.5 and values[today - timedelta(days=2)] == 6.0 and values[today - timedelta(days=9)] == 0
    notes = dict(await CheckIn.filter(habit__user_id=alice.id, note__isnull=False).values_list("day", "note"))
    assert notes[today] == "calm, focused" and notes[today - timedelta(days=4)] == "windy"
    assert notes[today - timedelta(days=14)] == "legs and back"  # one line, as our notes are
    no_days = [d for d, (v, _) in meditate.entries.items() if v == NO]
    assert not await CheckIn.filter(habit_id=habits["Meditate"].id, day__in=no_days).exists()
    listed = await (await client.get("/habits", headers=alice_headers)).json()
    assert {h["name"]: h["current_streak"] for h in listed["items"]}["Meditate"] >= 1

    before = await _counts(alice)
    second = await client.post("/import/loop", data=_form(data), headers=alice_headers)
    assert second.status == 200
    again = await second.json()
    assert (again["habits_created"], again["habits_matched"], again["checkins_created"], again["pauses_created"]) == (
        0, 3, 0, 0)
    assert await _counts(alice) == before


async def test_clashing_names_are_renamed_like_account_linking(
    client: TestClient, alice: User, alice_headers: Headers
) -> None:
    created = await client.post("/habits", json={"name": "Run"}, headers=alice_headers)
    assert created.status == 201
    today = local_today(alice.timezone)
    data = build_loop_zip([LoopHabit("run", entries={today: (YES_MANUAL, "")})], today)
    response = await client.post("/import/loop", data=_form(data), headers=alice_headers)
    assert response.status == 200
    assert (await response.json())["renamed"] == {"run": "run (2)"}
    assert sorted(await Habit.filter(user_id=alice.id).values_list("name", flat=True)) == ["Run", "run (2)"]


def _zip(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _declare_size(data: bytes, size: int) -> bytes:
    """The zip with every central-directory entry claiming `size` uncompressed bytes."""
    patched = bytearray(data)
    start = 0
    while (at := patched.find(b"PK\x01\x02", start)) >= 0:
        patched[at + 24: at + 28] = struct.pack("<I", size)
        start = at + 4
    return bytes(patched)


async def _refused(client: TestClient, headers: Headers, alice: User, data: bytes, status: int, code: str) -> None:
    response = await client.post("/import/loop", data=_form(data), headers=headers)
    assert response.status == status, await response.text()
    assert (await response.json())["error"]["code"] == code
    assert await _counts(alice) == (0, 0, 0)


async def test_bad_files_are_refused_and_nothing_is_written(
    client: TestClient, alice: User, alice_headers: Headers
) -> None:
    today = date(2026, 6, 1)
    good = build_loop_zip(sample_habits(today, days=10), today)
    await _refused(client, alice_headers, alice, b"PK\x03\x04 not really a zip", 422, "corrupt_archive")
    await _refused(client, alice_headers, alice, good[: len(good) // 2], 422, "corrupt_archive")
    await _refused(client, alice_headers, alice, _zip({"Checkmarks.csv": b"Date,\n"}), 422, "missing_habits_csv")
    await _refused(client, alice_headers, alice, _zip({"Habits.csv": b"Nom,Type\nx,YES_NO\n"}), 422, "wrong_columns")
    # A bomb: a highly compressible file; the ratio is refused before anything is inflated.
    await _refused(client, alice_headers, alice, _zip({"Habits.csv": habits_csv([]).encode(),
                                                       "001 x/Checkmarks.csv": b"0" * (20 * 1024 * 1024)}),
                   422, "suspicious_archive")
    # Many files each inflating 85 times (under the ratio limit) but over the total: refused from the
    # directory alone, before inflating anything.
    many = {f"{i:03d} h/Scores.csv": b"x" * 12_000 for i in range(60)}
    declared = _declare_size(_zip(many, zipfile.ZIP_STORED), 1024 * 1024)
    assert MAX_UNCOMPRESSED_BYTES < 60 * 1024 * 1024
    await _refused(client, alice_headers, alice, declared, 422, "archive_too_large")
    # A header that understates the size: inflating stops at the declared size.
    await _refused(client, alice_headers, alice, _declare_size(_zip({"Habits.csv": b"x" * 12_000}), 100),
                   422, "corrupt_archive")


async def test_a_bad_row_after_good_habits_writes_nothing(
    client: TestClient, alice: User, alice_headers: Headers
) -> None:
    today = date(2026, 6, 1)
    habits = sample_habits(today, days=10)
    data = build_loop_zip(habits, today)
    files = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            files[name] = archive.read(name)
    files["003 Run/Checkmarks.csv"] += b"2026-13-45,12\n"
    await _refused(client, alice_headers, alice, _zip(files), 422, "invalid_loop_export")


async def test_over_size_upload_is_413(client: TestClient, alice: User, alice_headers: Headers) -> None:
    """The limit is IMPORT_MAX_BYTES (default 10 MiB), also for a body that does not announce its length."""
    limit = client.app[SETTINGS].import_max_bytes
    await _refused(client, alice_headers, alice, b"\0" * (limit + 1), 413, "payload_too_large")

    async def chunked() -> AsyncIterator[bytes]:
        for _ in range(limit // (1024 * 1024) + 1):
            yield b"\0" * (1024 * 1024)

    response = await client.post("/import/loop", data=chunked(), headers={**alice_headers,
                                                                          "Content-Type": "application/zip"})
    assert response.status == 413
    assert await _counts(alice) == (0, 0, 0)
