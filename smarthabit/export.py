"""Export of a user's whole data: one versioned JSON document, or the same as a zip of CSV files.

The JSON document is what `POST /import` restores (see `smarthabit.imports.ours`); its `version`
changes only when a field changes meaning, and importers refuse versions they do not know.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from typing import Any

from smarthabit.clock import utcnow
from smarthabit.models import CheckIn, Habit, HabitPause, Reminder, User

EXPORT_FORMAT = "smarthabit-export"
EXPORT_VERSION = 1


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def _profile(user: User) -> dict[str, Any]:
    return {
        "email": user.email, "display_name": user.display_name, "timezone": user.timezone,
        "reminders_enabled": user.reminders_enabled, "nudges_enabled": user.nudges_enabled,
        "quiet_start": _iso(user.quiet_start), "quiet_end": _iso(user.quiet_end), "created_at": _iso(user.created_at),
    }


async def export_document(user: User, now: datetime | None = None) -> dict[str, Any]:
    """The user's profile and every habit (archived too) with schedule, reminders, check-ins and pauses."""
    habits = await Habit.filter(user_id=user.id).order_by("position", "id")
    ids = [habit.id for habit in habits]
    checkins: dict[int, list[dict[str, Any]]] = {habit_id: [] for habit_id in ids}
    pauses: dict[int, list[dict[str, Any]]] = {habit_id: [] for habit_id in ids}
    reminders: dict[int, list[str]] = {habit_id: [] for habit_id in ids}
    if ids:
        for row in await CheckIn.filter(habit_id__in=ids).order_by("day"):
            checkins[row.habit_id].append({"day": row.day.isoformat(), "value": row.value, "note": row.note,
                                           "source": str(row.source), "created_at": _iso(row.created_at)})
        for pause in await HabitPause.filter(habit_id__in=ids).order_by("start"):
            pauses[pause.habit_id].append({"start": pause.start.isoformat(), "end": pause.end.isoformat()})
        for habit_id, local_time in await Reminder.filter(habit_id__in=ids).order_by("local_time").values_list(
                "habit_id", "local_time"):
            reminders[habit_id].append(local_time.strftime("%H:%M"))
    return {
        "format": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported_at": _iso(now or utcnow()),
        "profile": _profile(user),
        "habits": [_habit(habit, reminders[habit.id], checkins[habit.id], pauses[habit.id]) for habit in habits],
    }


def _habit(habit: Habit, reminders: list[str], checkins: list[dict[str, Any]],
           pauses: list[dict[str, Any]]) -> dict[str, Any]:
    schedule = habit.schedule
    return {
        "id": habit.id, "name": habit.name, "description": habit.description, "kind": str(habit.kind),
        "target": habit.target, "unit": habit.unit,
        "target_direction": str(habit.target_direction) if habit.target_direction else None,
        "schedule": {"kind": str(schedule.kind), "weekdays": sorted(schedule.weekdays),
                     "times_per_week": schedule.times_per_week or None},
        "start_day": habit.start_day.isoformat(), "position": habit.position,
        "archived_at": _iso(habit.archived_at), "created_at": _iso(habit.created_at),
        "reminder_times": reminders, "checkins": checkins, "pauses": pauses,
    }


def export_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    return out.getvalue().encode()


def export_csv_zip(document: dict[str, Any]) -> bytes:
    """The document as `profile.csv`, `habits.csv`, `checkins.csv`, `pauses.csv` and `reminders.csv`."""
    habits = document["habits"]
    files = {
        "profile.csv": _csv(list(document["profile"]), [list(document["profile"].values())]),
        "habits.csv": _csv(
            ["id", "name", "description", "kind", "target", "unit", "target_direction", "schedule_kind",
             "weekdays", "times_per_week", "start_day", "position", "archived_at", "created_at"],
            [[h["id"], h["name"], h["description"], h["kind"], h["target"], h["unit"], h["target_direction"],
              h["schedule"]["kind"], " ".join(map(str, h["schedule"]["weekdays"])), h["schedule"]["times_per_week"],
              h["start_day"], h["position"], h["archived_at"], h["created_at"]] for h in habits]),
        "checkins.csv": _csv(["habit_id", "habit", "day", "value", "note", "source", "created_at"],
                             [[h["id"], h["name"], c["day"], c["value"], c["note"], c["source"], c["created_at"]]
                              for h in habits for c in h["checkins"]]),
        "pauses.csv": _csv(["habit_id", "habit", "start", "end"],
                           [[h["id"], h["name"], p["start"], p["end"]] for h in habits for p in h["pauses"]]),
        "reminders.csv": _csv(["habit_id", "habit", "local_time"],
                              [[h["id"], h["name"], t] for h in habits for t in h["reminder_times"]]),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
