"""Request and response bodies of the API that the domain does not already define.

Habit inputs (HabitCreate, HabitUpdate, ScheduleIn) come from `smarthabit.schemas` and preference
changes (PreferencesUpdate) from `smarthabit.accounts`: the bot validates with the same models.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from api.passwords import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS
from smarthabit.checkins import MAX_NOTE, MAX_VALUE
from smarthabit.heatmap import DayState
from smarthabit.models import (
    MAX_ID,
    CheckIn,
    CheckInSource,
    HabitKind,
    HabitPause,
    Nudge,
    NudgeKind,
    NudgeStatus,
    PersonalAccessToken,
    TargetDirection,
    TokenScope,
    User,
    Webhook,
)
from smarthabit.schemas import TEXT_PATTERN, DisplayName, JsonInt, ScheduleIn, TimezoneName, clean_text

MAX_PAGE = 200
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NOT_IN_EMAIL = r"@\s\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_BLANKS = " \t\r\n"  # around an email they are a copy-and-paste accident: dropped
EMAIL_PATTERN = rf"^[{_BLANKS}]*[^{_NOT_IN_EMAIL}]{{1,64}}@[^{_NOT_IN_EMAIL}.]+(\.[^{_NOT_IN_EMAIL}.]+)+[{_BLANKS}]*$"


class Input(BaseModel):
    """Inputs refuse unknown fields, so a typo is an error instead of a silent no-op."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def _email(value: str) -> str:
    """Emails compare case-insensitively: stored trimmed and lower-cased (the pattern refused the rest)."""
    return value.strip(_BLANKS).lower()


def _iso_date(value: object) -> object:
    """Dates in URLs are YYYY-MM-DD only (pydantic alone would also read `0` as 1970-01-01)."""
    if isinstance(value, str) and not _DATE.fullmatch(value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


Email = Annotated[str, Field(max_length=254, pattern=EMAIL_PATTERN, examples=["ada@example.com"]),
                  AfterValidator(_email)]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_CHARS, max_length=MAX_PASSWORD_CHARS)]
Token = Annotated[str, Field(min_length=1, max_length=4096)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
UrlDate = Annotated[date, BeforeValidator(_iso_date)]
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})")


def _iso_instant(value: object) -> object:
    """Instants in URLs are ISO 8601 with an offset only (pydantic alone would read `0.5` as a Unix time)."""
    if isinstance(value, str) and not _INSTANT.fullmatch(value):
        raise ValueError("expected an instant as YYYY-MM-DDTHH:MM:SS with an offset (or Z)")
    return value


UrlInstant = Annotated[AwareDatetime, BeforeValidator(_iso_instant)]


# --- accounts ---------------------------------------------------------------------------------------

class RegisterIn(Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"email": "ada@example.com", "password": "correct horse battery staple", "timezone": "Europe/Berlin"}]})

    email: Email
    password: Password = Field(description="8 to 1024 characters; all of it counts (no 72-byte truncation); "
                                           "common and easily guessed passwords are refused (422 `weak_password`)")
    timezone: TimezoneName = "UTC"
    display_name: DisplayName = ""


class LoginIn(Input):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_CHARS)]


class PasswordChangeIn(Input):
    current_password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_CHARS)]
    new_password: Password = Field(description="8 to 1024 characters, not a common or easily guessed one")


class RefreshIn(Input):
    refresh_token: Token


class TelegramAuthIn(Input):
    init_data: Annotated[str, Field(min_length=1, max_length=4096)] = Field(
        description="the Mini App's raw `Telegram.WebApp.initData` (or the URL fragment's `tgWebAppData`)")


class WebLoginIn(Input):
    code: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="the code of the sign-in link the bot's /web sent")


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="seconds until the access token expires")
    refresh_expires_at: datetime


class UserOut(BaseModel):
    id: int
    email: str | None
    display_name: str
    timezone: str
    reminders_enabled: bool
    nudges_enabled: bool
    quiet_start: time | None
    quiet_end: time | None
    quiet_reminders_later: bool = True
    language: str | None = Field(None, description="the language chosen for the bot and the web app; "
                                 "null: Telegram's (or English)")
    telegram_linked: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> Self:
        return cls(
            id=user.id, email=user.email, display_name=user.display_name, timezone=user.timezone,
            reminders_enabled=user.reminders_enabled, nudges_enabled=user.nudges_enabled,
            quiet_start=user.quiet_start, quiet_end=user.quiet_end, quiet_reminders_later=user.quiet_reminders_later,
            language=user.language, telegram_linked=user.telegram_user_id is not None, created_at=user.created_at,
        )


class AuthOut(BaseModel):
    user: UserOut
    tokens: TokensOut


class LinkCodeOut(BaseModel):
    code: str = Field(description="one-time code; send `/start CODE` to the bot before it expires")
    command: str
    expires_at: datetime


# --- habits -----------------------------------------------------------------------------------------

class HabitPath(Input):
    habit_id: Id


class CheckInPath(Input):
    habit_id: Id
    day: UrlDate


class HabitListQuery(Input):
    include_archived: bool = False
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] | None = Field(None, description="page size (default: all)")
    cursor: Annotated[str, Field(max_length=200)] | None = Field(None, description="`next_cursor` of the last page")
    updated_since: UrlInstant | None = Field(None, description="only habits changed at or after this instant (sync)")


class HabitOut(BaseModel):
    id: int
    name: str
    description: str
    kind: HabitKind
    target: float | None
    unit: str | None
    target_direction: TargetDirection | None
    schedule: ScheduleIn
    reminder_times: list[time]
    position: int
    start_day: date
    archived_at: datetime | None
    current_streak: int
    longest_streak: int
    today: date = Field(description="the user's local date these fields refer to")
    due_today: bool
    done_today: bool
    today_value: float | None
    created_at: datetime
    updated_at: datetime


class HabitListOut(BaseModel):
    items: list[HabitOut]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page; null on the last")


class PauseIn(Input):
    start: date
    end: date


class PauseOut(BaseModel):
    habit_id: int
    start: date
    end: date

    @classmethod
    def of(cls, pause: HabitPause) -> Self:
        return cls(habit_id=pause.habit_id, start=pause.start, end=pause.end)  # type: ignore[attr-defined]


# --- check-ins --------------------------------------------------------------------------------------

Note = Annotated[str, Field(max_length=MAX_NOTE, pattern=TEXT_PATTERN)]
Value = Annotated[float, Field(ge=0, le=MAX_VALUE)]


class CheckInIn(Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"value": 5.2, "note": "felt easy"}]})

    day: date | None = Field(None, description="the local day (default: today); at most 7 days back")
    value: Value | None = Field(None, description="for measurable habits")
    note: Note | None = None


class CheckInEdit(Input):
    """What to change (at least one field); a field left out stays as it is."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    note: Note | None = Field(None, description="the new note; `null` clears it")
    value: Value | None = Field(None, description="the new value (measurable habits need one)")

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("send `note`, `value` or both")
        return self


class CheckInOut(BaseModel):
    habit_id: int
    day: date
    value: float | None
    note: str | None
    source: CheckInSource
    created_at: datetime

    @classmethod
    def of(cls, checkin: CheckIn) -> Self:
        return cls(habit_id=checkin.habit_id, day=checkin.day, value=checkin.value,  # type: ignore[attr-defined]
                   note=checkin.note, source=checkin.source, created_at=checkin.created_at)


class CheckInResultOut(BaseModel):
    checkin: CheckInOut
    created: bool = Field(description="false when the day was already checked in (nothing changed)")
    current_streak: int
    longest_streak: int
    milestone: int | None = Field(description="the streak length just reached, when worth celebrating")


class CheckInListQuery(Input):
    model_config = ConfigDict(populate_by_name=True)

    start: UrlDate | None = Field(None, alias="from", description="first day, inclusive (after `to`: nothing)")
    end: UrlDate | None = Field(None, alias="to", description="last day, inclusive")
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 50
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    cursor: Annotated[str, Field(max_length=200)] | None = Field(None, description="`next_cursor` of the last page")
    updated_since: UrlInstant | None = Field(None, description="only check-ins recorded at or after this instant")



class CheckInPageOut(BaseModel):
    items: list[CheckInOut] = Field(description="newest first")
    total: int
    limit: int
    offset: int
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page; null on the last")


class HeatmapQuery(Input):
    model_config = ConfigDict(populate_by_name=True)

    start: UrlDate | None = Field(None, alias="from", description="first day (default: 52 weeks before `to`'s week)")
    end: UrlDate | None = Field(None, alias="to", description="last day, inclusive (default: this week's Sunday); "
                                "a range that ends before it starts holds no day")


class HeatmapDayOut(BaseModel):
    day: date
    state: DayState
    value: float | None


class StrengthPointOut(BaseModel):
    day: date
    strength: float


class HeatmapOut(BaseModel):
    habit_id: int
    today: date
    days: list[HeatmapDayOut] = Field(description="every day of the range, oldest first (at most 400)")
    strength: list[StrengthPointOut] = Field(description="habit strength at each past Sunday in range, and today")


# --- insights and nudges ----------------------------------------------------------------------------

FIRST_WEEK_YEAR, LAST_WEEK_YEAR = 2000, 2099


def _iso_week_pattern() -> str:
    """Weeks 01-52 of the years served, and week 53 of exactly those years that have one, so the
    document says precisely which labels exist."""
    years = range(FIRST_WEEK_YEAR, LAST_WEEK_YEAR + 1)
    long_years = [year for year in years if date(year, 12, 28).isocalendar()[1] == 53]
    return rf"^(20\d\d-W(0[1-9]|[1-4]\d|5[0-2])|({'|'.join(map(str, long_years))})-W53)$"


ISO_WEEK_PATTERN = _iso_week_pattern()


class WeeklyQuery(Input):
    week: Annotated[str, Field(pattern=ISO_WEEK_PATTERN, examples=["2026-W48"])] | None = Field(
        None, description=f"ISO week of {FIRST_WEEK_YEAR}-{LAST_WEEK_YEAR}; default: the current week in the "
                          "user's time zone")


class NudgesQuery(Input):
    min_probability: Annotated[float, Field(gt=0, le=1)] = Field(
        0.5, description="the skip probability from which a habit counts as at risk")
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = Field(50, description="sent nudges per page")
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class NudgeOut(BaseModel):
    id: int
    kind: NudgeKind
    habit_id: int | None
    day: date
    status: NudgeStatus
    planned_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, nudge: Nudge) -> Self:
        return cls(id=nudge.id, kind=nudge.kind, habit_id=nudge.habit_id, day=nudge.day,  # type: ignore[attr-defined]
                   status=nudge.status, planned_at=nudge.planned_at, sent_at=nudge.sent_at)


# --- operations -------------------------------------------------------------------------------------

class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["up", "down"]
    broker: Literal["up", "down", "in_process"] = Field(description="Redis when REDIS_URL is set")


class OkOut(BaseModel):
    ok: bool = True


class TelegramUpdateIn(BaseModel):
    """A Telegram Update object (only `update_id` is checked here; the bot library parses the rest)."""

    model_config = ConfigDict(extra="allow")

    update_id: Annotated[JsonInt, Field(ge=0)]


# --- statistics and insights ------------------------------------------------------------------------

class CompletionOut(BaseModel):
    days: int = Field(description="window length, ending today")
    rate: float | None = Field(description="share of what was due that was done; null when nothing was due")


class DayRiskOut(BaseModel):
    day: date
    skip_probability: float


class StatsOut(BaseModel):
    habit_id: int
    today: date
    current_streak: int
    longest_streak: int
    streak_unit: Literal["days", "weeks"]
    strength: float = Field(description="0..1, Loop-style habit strength")
    completion: list[CompletionOut]
    best_weekday: int | None = Field(description="0=Monday; over the last four weeks")
    worst_weekday: int | None = Field(description="0=Monday; over the last four weeks")
    this_week_done: int
    this_week_target: int
    total_done: int
    skip_forecast: list[DayRiskOut] = Field(description="today and the next six days")


class HabitWeekOut(BaseModel):
    habit_id: int
    name: str
    done: int
    scheduled: int
    rate: float | None
    previous_rate: float | None
    change: float | None = Field(description="rate minus the previous week's rate")
    best_weekday: int | None
    worst_weekday: int | None
    streak_start: int
    streak_end: int


class WeeklyInsightOut(BaseModel):
    week: str
    start: date
    end: date
    done: int
    scheduled: int
    rate: float | None
    previous_rate: float | None
    change: float | None
    best_weekday: int | None
    worst_weekday: int | None
    habits: list[HabitWeekOut]
    summary: list[str] = Field(description="the same sentences the bot sends")


class RiskOut(BaseModel):
    habit_id: int
    habit_name: str
    day: date
    skip_probability: float


class NudgesOut(BaseModel):
    upcoming: list[RiskOut] = Field(description="habits likely to be skipped today or tomorrow, riskiest first")
    sent: list[NudgeOut] = Field(description="nudges already sent, newest first")
    total_sent: int
    limit: int
    offset: int


# --- integrations: access tokens, import, webhooks, calendar -----------------------------------------

class AccessTokenIn(Input):
    name: Annotated[str, Field(min_length=1, max_length=100, pattern=TEXT_PATTERN), AfterValidator(clean_text)]
    scope: TokenScope = Field(description="`read`: GET only; `write`: everything")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "my script", "scope": "read"}]})


class AccessTokenOut(BaseModel):
    id: int
    name: str
    scope: TokenScope
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, row: PersonalAccessToken) -> Self:
        return cls(id=row.id, name=row.name, scope=row.scope, created_at=row.created_at,
                   last_used_at=row.last_used_at)


class NewAccessTokenOut(BaseModel):
    id: int
    name: str
    scope: TokenScope
    token: str = Field(description="shown once: use it as `Authorization: Bearer <token>`")
    created_at: datetime


class AccessTokenListOut(BaseModel):
    items: list[AccessTokenOut]


class AccessTokenPath(Input):
    token_id: Annotated[int, Field(ge=1, le=MAX_ID)]


class ExportQuery(Input):
    format: Literal["json", "csv"] = "json"


class ImportSummaryOut(BaseModel):
    habits_created: int
    habits_matched: int = Field(description="habits of an earlier import of the same file, completed")
    checkins_created: int
    pauses_created: int
    renamed: dict[str, str] = Field(description="name in the file -> name given (it clashed)")


class WebhookIn(Input):
    url: Annotated[str, Field(min_length=8, max_length=2000)]
    events: list[Literal["checkin.created", "checkin.deleted", "habit.created", "habit.updated",
                         "habit.archived", "streak.milestone"]] = Field(min_length=1, max_length=6)

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"url": "https://example.com/hooks/smarthabit", "events": ["checkin.created"]}]})


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    enabled: bool
    failing_since: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, hook: Webhook) -> Self:
        return cls(id=hook.id, url=hook.url, events=list(hook.events), enabled=hook.disabled_at is None,
                   failing_since=hook.failing_since, created_at=hook.created_at)


class WebhookSecretOut(BaseModel):
    id: int
    secret: str = Field(description="the HMAC key of X-SmartHabit-Signature; shown on creation and rotation")


class WebhookListOut(BaseModel):
    items: list[WebhookOut]


class WebhookPath(Input):
    webhook_id: Annotated[int, Field(ge=1, le=MAX_ID)]


class AttemptOut(BaseModel):
    at: datetime
    response_status: int | None = Field(description="the receiver's HTTP status; null when no answer came")
    latency_ms: int
    error: str | None


class DeliveryOut(BaseModel):
    delivery_id: str
    event: str
    status: str
    attempts: int
    response_status: int | None
    latency_ms: int | None
    error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    finished_at: datetime | None
    attempt_log: list[AttemptOut] = Field(description="every attempt, oldest first")


class DeliveryListOut(BaseModel):
    items: list[DeliveryOut] = Field(description="newest first, at most 50")


class CalendarOut(BaseModel):
    url: str = Field(description="private iCalendar feed of the reminders; anyone with it can read it")


class CalendarPath(Input):
    token: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
