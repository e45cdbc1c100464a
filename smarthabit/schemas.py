"""Validated inputs of the habit use cases; the API documents them in OpenAPI and the bot reuses them."""

from __future__ import annotations

import re
import unicodedata
from datetime import time
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from smarthabit.clock import all_timezones, is_valid_timezone
from smarthabit.models import HabitKind, TargetDirection
from smarthabit.schedule import Schedule, ScheduleKind

MAX_HABIT_NAME = 100
MAX_REMINDERS = 5


# Refused in any text: control characters and the ones that reorder the text around them (Trojan
# Source): a name must read as it is stored.
_FORBIDDEN = r"\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# What draws nothing: white space, zero-width and other default-ignorable characters, fillers.
_INVISIBLE = (r"\s\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200d\u2060-\u2064\u206a-\u206f"
              r"\u3164\ufe00-\ufe0f\ufeff\uffa0")
_VISIBLE = re.compile(rf"[^{_FORBIDDEN}{_INVISIBLE}]")
# The same rules for clients, in the OpenAPI document: texts, and names with a visible character.
TEXT_PATTERN = rf"^[^{_FORBIDDEN}]*$"
NAME_PATTERN = rf"^[^{_FORBIDDEN}]*[^{_FORBIDDEN}{_INVISIBLE}][^{_FORBIDDEN}]*$"


def clean_text(value: str) -> str:
    """Trim, NFC-normalize ("école" has one spelling), and refuse control and bidi characters, which
    only ever come from broken or hostile clients."""
    value = unicodedata.normalize("NFC", value.strip())
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("must not contain control characters")
    if any(ch in BIDI_CONTROLS for ch in value):
        raise ValueError("must not contain bidirectional control characters")
    return value


def clean_note(value: str) -> str:
    """Like `clean_text`, but a note may span lines: line breaks and tabs are kept (CRLF → LF)."""
    value = value.replace("\r\n", "\n").strip()
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _habit_name(value: str) -> str:
    value = clean_text(value)
    if not _VISIBLE.search(value):
        raise ValueError("must contain a visible character")
    if len(value) > MAX_HABIT_NAME:
        raise ValueError(f"must be at most {MAX_HABIT_NAME} characters")
    return value


HabitName = Annotated[str, Field(min_length=1, max_length=MAX_HABIT_NAME, pattern=NAME_PATTERN),
                      AfterValidator(_habit_name)]


def _integral(value: object) -> object:
    """JSON has one number type: `3.0` is the integer 3 (JSON Schema agrees); `3.5` stays refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer in JSON: strict (not a string, not a boolean), written with or without a zero fraction.
JsonInt = Annotated[int, BeforeValidator(_integral)]


def _when(kind: str, then: dict[str, object]) -> dict[str, object]:
    return {"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]}, "then": then}


class ScheduleIn(BaseModel):
    """When a habit is due: every day, chosen weekdays (0=Monday) or N times a week."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra={"allOf": [
        _when("weekdays", {"required": ["weekdays"], "properties": {"weekdays": {"minItems": 1}}}),
        _when("times_per_week", {"required": ["times_per_week"],
                                 "properties": {"times_per_week": {"type": "integer"}}}),
    ]})

    kind: ScheduleKind = ScheduleKind.DAILY
    weekdays: list[Annotated[JsonInt, Field(ge=0, le=6)]] = Field(default_factory=list, max_length=7)
    times_per_week: Annotated[JsonInt, Field(ge=1, le=7)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind is ScheduleKind.WEEKDAYS and not self.weekdays:
            raise ValueError("weekdays schedule needs at least one weekday")
        if self.kind is ScheduleKind.TIMES_PER_WEEK and self.times_per_week is None:
            raise ValueError("times_per_week schedule needs times_per_week")
        # One schedule, one spelling: fields of other kinds are dropped.
        self.weekdays = sorted(set(self.weekdays)) if self.kind is ScheduleKind.WEEKDAYS else []
        if self.kind is not ScheduleKind.TIMES_PER_WEEK:
            self.times_per_week = None
        return self

    def to_schedule(self) -> Schedule:
        return Schedule(self.kind, frozenset(self.weekdays), self.times_per_week or 0)

    @classmethod
    def from_schedule(cls, schedule: Schedule) -> ScheduleIn:
        return cls(kind=schedule.kind, weekdays=sorted(schedule.weekdays),
                   times_per_week=schedule.times_per_week or None)


WALL_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"


def _wall_time(value: object) -> time:
    """A local wall-clock minute: "HH:MM" (24 h, no seconds, no offset: it is the user's own zone)."""
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, str) and re.fullmatch(WALL_TIME_PATTERN, value):
        return time(int(value[:2]), int(value[3:]))
    raise ValueError("expected a local time as HH:MM, e.g. 07:30")


WallTime = Annotated[time, PlainValidator(_wall_time),
                     WithJsonSchema({"type": "string", "pattern": WALL_TIME_PATTERN, "examples": ["07:30"]},
                                    mode="validation")]


def _timezone(value: str) -> str:
    if not is_valid_timezone(value):
        raise ValueError(f"unknown IANA time zone: {value!r}")
    return value


# Every zone a user may choose, listed in the document (canonical IANA names).
TimezoneName = Annotated[str, Field(max_length=64, examples=["Europe/Berlin"],
                                    json_schema_extra={"enum": list(all_timezones())}), AfterValidator(_timezone)]
DisplayName = Annotated[str, Field(max_length=64, pattern=TEXT_PATTERN), AfterValidator(clean_text)]


def _unique_times(values: list[time]) -> list[time]:
    cleaned = sorted({t.replace(second=0, microsecond=0, tzinfo=None) for t in values})
    if len(cleaned) != len(values):
        raise ValueError("reminder times must be distinct minutes")
    return cleaned


ReminderTimes = Annotated[list[WallTime], Field(max_length=MAX_REMINDERS, json_schema_extra={"uniqueItems": True}),
                          AfterValidator(_unique_times)]


class HabitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra={
        "examples": [{"name": "Run", "kind": "measurable", "target": 5, "unit": "km",
                      "schedule": {"kind": "weekdays", "weekdays": [0, 2, 4]}, "reminder_times": ["07:30"]}],
        "allOf": [_when("measurable", {"required": ["target"], "properties": {"target": {"type": "number"}}})],
    })

    name: HabitName
    description: Annotated[str, Field(max_length=500, pattern=TEXT_PATTERN), AfterValidator(clean_text)] = ""
    kind: HabitKind = HabitKind.YES_NO
    target: Annotated[float, Field(gt=0, le=1_000_000)] | None = None
    unit: Annotated[str, Field(max_length=20, pattern=TEXT_PATTERN), AfterValidator(clean_text)] | None = None
    target_direction: TargetDirection | None = None
    schedule: ScheduleIn = Field(default_factory=ScheduleIn)
    reminder_times: ReminderTimes = Field(default_factory=list)

    @model_validator(mode="after")
    def _measurable_needs_target(self) -> Self:
        if self.kind is HabitKind.MEASURABLE:
            if self.target is None:
                raise ValueError("a measurable habit needs a target")
            self.target_direction = self.target_direction or TargetDirection.AT_LEAST
        else:
            self.target = self.unit = self.target_direction = None
        return self


class HabitUpdate(BaseModel):
    """A partial update: fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: HabitName | None = None
    description: Annotated[str, Field(max_length=500, pattern=TEXT_PATTERN), AfterValidator(clean_text)] | None = None
    kind: HabitKind | None = None
    target: Annotated[float, Field(gt=0, le=1_000_000)] | None = None
    unit: Annotated[str, Field(max_length=20, pattern=TEXT_PATTERN), AfterValidator(clean_text)] | None = None
    target_direction: TargetDirection | None = None
    schedule: ScheduleIn | None = None
    reminder_times: ReminderTimes | None = None
    position: Annotated[JsonInt, Field(ge=0, le=10_000)] | None = None
