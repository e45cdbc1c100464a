"""Our own JSON export (`smarthabit.export`), read back into an `ImportPlan`.

Habits are keyed by their id in the exporting account, so importing the same document twice (into
the same account or another) matches the habits of the first import. The profile is informational:
an import never changes the account's own preferences.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from smarthabit.errors import ValidationFailed
from smarthabit.export import EXPORT_FORMAT, EXPORT_VERSION
from smarthabit.i18n import N_
from smarthabit.imports import MAX_IMPORT_CHECKINS, MAX_IMPORT_HABITS, ImportPlan, PlannedHabit
from smarthabit.models import HabitKind, TargetDirection
from smarthabit.schemas import HabitName, ReminderTimes, ScheduleIn

SOURCE = "smarthabit"


class _CheckIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    day: date
    value: Annotated[float, Field(ge=0, le=1_000_000)] | None = None
    note: Annotated[str, Field(max_length=500)] | None = None


class _Pause(BaseModel):
    start: date
    end: date


class _Habit(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: Annotated[int, Field(ge=1)]
    name: HabitName
    description: Annotated[str, Field(max_length=500)] = ""
    kind: HabitKind = HabitKind.YES_NO
    target: Annotated[float, Field(gt=0, le=1_000_000)] | None = None
    unit: Annotated[str, Field(max_length=20)] | None = None
    target_direction: TargetDirection | None = None
    schedule: ScheduleIn = Field(default_factory=ScheduleIn)
    start_day: date
    archived_at: datetime | None = None
    reminder_times: ReminderTimes = Field(default_factory=list)
    checkins: list[_CheckIn] = Field(default_factory=list, max_length=MAX_IMPORT_CHECKINS)
    pauses: list[_Pause] = Field(default_factory=list, max_length=10_000)


class ExportDocument(BaseModel):
    model_config = ConfigDict(extra="ignore")

    format: Literal["smarthabit-export"]
    version: Literal[1]
    habits: list[_Habit] = Field(max_length=MAX_IMPORT_HABITS)


def parse_export(raw: bytes) -> ImportPlan:
    """Validate a JSON export; every problem is a ValidationFailed listing where it is."""
    try:
        document = ExportDocument.model_validate_json(raw)
    except ValidationError as exc:
        problems = exc.errors(include_url=False, include_input=False, include_context=False)
        details = [{"loc": list(p["loc"]), "msg": p["msg"]} for p in problems[:20]]
        raise ValidationFailed(N_("Not a {format} document of version {version}"), details, code="invalid_import",
                               params={"format": EXPORT_FORMAT, "version": EXPORT_VERSION}) from None
    if sum(len(h.checkins) for h in document.habits) > MAX_IMPORT_CHECKINS:
        raise ValidationFailed(N_("At most {max} check-ins per import"), code="import_too_large",
                               params={"max": MAX_IMPORT_CHECKINS})
    return ImportPlan(SOURCE, [_planned(habit) for habit in document.habits])


def _planned(habit: _Habit) -> PlannedHabit:
    measurable = habit.kind is HabitKind.MEASURABLE
    if measurable and habit.target is None:
        raise ValidationFailed(N_("A measurable habit needs a target"), {"habit": habit.name}, code="invalid_import")
    return PlannedHabit(
        key=str(habit.id), name=habit.name, kind=habit.kind, schedule=habit.schedule.to_schedule(),
        start_day=habit.start_day, description=habit.description,
        target=habit.target if measurable else None, unit=habit.unit if measurable else None,
        target_direction=(habit.target_direction or TargetDirection.AT_LEAST) if measurable else None,
        archived=habit.archived_at is not None, reminder_times=list(habit.reminder_times),
        checkins={c.day: (c.value, c.note or None) for c in habit.checkins},
        pauses=[(p.start, p.end) for p in habit.pauses if p.start <= p.end],
    )


__all__ = ["SOURCE", "ExportDocument", "parse_export"]
