"""Tortoise models: the one schema shared by the API, the bot and the workers.

Instants are timezone-aware UTC; habit days are the user's local calendar dates.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from smarthabit.fields import WallTimeField
from smarthabit.schedule import Schedule, ScheduleKind

MAX_ID = 2**31 - 1  # ids are PostgreSQL integers: a larger one names nothing
ACTIVE_NAME_INDEX = "uidx_habits_active_name"


class ActiveNameIndex(Index):
    """Unique (owner, name ignoring case) among active habits: a partial index on an expression,
    which Tortoise's own Index cannot spell. The same SQL works on PostgreSQL and SQLite."""

    def get_sql(self, schema_generator: Any, model: type[Model], safe: bool) -> str:
        exists = "IF NOT EXISTS " if safe else ""
        return (f'CREATE UNIQUE INDEX {exists}"{self.name}" ON "{model._meta.db_table}" '
                '("user_id", LOWER("name")) WHERE "archived_at" IS NULL;')


class HabitKind(StrEnum):
    YES_NO = "yes_no"
    MEASURABLE = "measurable"


class TargetDirection(StrEnum):
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class CheckInSource(StrEnum):
    API = "api"
    BOT = "bot"
    REMINDER = "reminder"
    IMPORT = "import"


class NudgeKind(StrEnum):
    REMINDER = "reminder"
    SKIP_RISK = "skip_risk"
    STREAK_RISK = "streak_risk"
    WEEKLY_SUMMARY = "weekly_summary"
    ACCOUNT_NOTICE = "account_notice"  # e.g. "your webhook was disabled": not a nudge, always wanted


class NudgeStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class User(Model):
    """A person; reachable over REST (email + password), Telegram, or both once linked."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, null=True, unique=True)
    password_hash = fields.CharField(max_length=128, null=True)
    telegram_user_id = fields.BigIntField(null=True, unique=True)
    telegram_chat_id = fields.BigIntField(null=True, db_index=True)
    display_name = fields.CharField(max_length=64, default="")
    timezone = fields.CharField(max_length=64, default="UTC", db_index=True)  # per-zone planning
    timezone_confirmed = fields.BooleanField(default=False, description="the person chose or kept the zone")
    language = fields.CharField(max_length=8, null=True, description="bot language; null: Telegram's")
    reminders_enabled = fields.BooleanField(default=True)
    nudges_enabled = fields.BooleanField(default=True)
    quiet_start = WallTimeField(null=True)
    quiet_end = WallTimeField(null=True)
    quiet_reminders_later = fields.BooleanField(
        default=True, description="a reminder due in quiet hours is sent when they end (else dropped)"
    )
    bot_blocked = fields.BooleanField(default=False)
    sessions_revoked_at = fields.DatetimeField(null=True, description="tokens issued before are refused")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    habits: fields.ReverseRelation[Habit]

    class Meta:
        table = "users"


class Habit(Model):
    """A habit with its schedule; streaks are cached here and refreshed on check-in and nightly."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="habits", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    description = fields.CharField(max_length=500, default="")
    kind = fields.CharEnumField(HabitKind, max_length=16, default=HabitKind.YES_NO)
    target = fields.FloatField(null=True)
    unit = fields.CharField(max_length=20, null=True)
    target_direction = fields.CharEnumField(TargetDirection, max_length=16, null=True)
    schedule_kind = fields.CharEnumField(ScheduleKind, max_length=16, default=ScheduleKind.DAILY)
    schedule_weekdays = fields.SmallIntField(default=0, description="bit i set = weekday i (0=Monday)")
    times_per_week = fields.SmallIntField(null=True)
    start_day = fields.DateField(description="local day the habit was created; earlier days are not missed")
    position = fields.IntField(default=0)
    archived_at = fields.DatetimeField(null=True)
    current_streak = fields.IntField(default=0)
    longest_streak = fields.IntField(default=0)
    streak_day = fields.DateField(null=True, description="local day the cached streaks are valid for")
    usual_checkin_minute = fields.SmallIntField(null=True, description="learned local minute of day")
    next_nudge_at = fields.DatetimeField(
        null=True, db_index=True, description="next skip/streak-risk trigger instant (smarthabit.nudge_times)"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    checkins: fields.ReverseRelation[CheckIn]
    pauses: fields.ReverseRelation[HabitPause]
    reminders: fields.ReverseRelation[Reminder]

    class Meta:
        table = "habits"
        indexes = (
            Index(fields=("user_id", "archived_at", "position")),
            ActiveNameIndex(fields=("user_id", "name"), name=ACTIVE_NAME_INDEX),
        )

    @property
    def schedule(self) -> Schedule:
        return _schedule(self.schedule_kind, self.schedule_weekdays, self.times_per_week or 0)

    def counts_as_done(self, value: float | None) -> bool:
        return counts_as_done(self.kind, self.target, self.target_direction, value)


@functools.lru_cache(maxsize=1024)
def _schedule(kind: ScheduleKind, weekday_bits: int, times_per_week: int) -> Schedule:
    """A habit's schedule from its stored fields, built once (a schedule is immutable; the nightly run
    asks for thousands)."""
    return Schedule(kind, frozenset(d for d in range(7) if weekday_bits & (1 << d)), times_per_week)


def counts_as_done(kind: str, target: float | None, direction: str | None, value: float | None) -> bool:
    """A yes/no check-in is done; a measurable one when its value meets the target (from the habit's
    stored fields, so that lists read as rows apply the same rule)."""
    if kind == HabitKind.YES_NO or target is None:
        return True
    if value is None:
        return False
    if direction == TargetDirection.AT_MOST:
        return value <= target
    return value >= target


class CheckIn(Model):
    """One check-in per habit and local day (the unique key makes repeats a no-op)."""

    id = fields.IntField(primary_key=True)
    habit: fields.ForeignKeyRelation[Habit] = fields.ForeignKeyField(
        "models.Habit", related_name="checkins", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    value = fields.FloatField(null=True)
    note = fields.CharField(max_length=500, null=True)
    source = fields.CharEnumField(CheckInSource, max_length=16, default=CheckInSource.API)
    bot_message_id = fields.BigIntField(null=True, db_index=True, description="the bot's confirmation, for reply notes")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "checkins"
        unique_together = (("habit_id", "day"),)


class HabitPause(Model):
    """A date range (inclusive) in which the habit is on hold: it neither breaks nor scores."""

    id = fields.IntField(primary_key=True)
    habit: fields.ForeignKeyRelation[Habit] = fields.ForeignKeyField(
        "models.Habit", related_name="pauses", on_delete=fields.CASCADE
    )
    start = fields.DateField()
    end = fields.DateField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "habit_pauses"
        indexes = (Index(fields=("habit_id", "end")),)


class Reminder(Model):
    """A local reminder time of a habit; `next_fire_at` is the next UTC instant, advanced after firing."""

    id = fields.IntField(primary_key=True)
    habit: fields.ForeignKeyRelation[Habit] = fields.ForeignKeyField(
        "models.Habit", related_name="reminders", on_delete=fields.CASCADE
    )
    local_time = WallTimeField()
    next_fire_at = fields.DatetimeField(db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reminders"
        unique_together = (("habit_id", "local_time"),)


class SkipPrediction(Model):
    """The learned probability that a habit is skipped on a local day."""

    id = fields.IntField(primary_key=True)
    habit: fields.ForeignKeyRelation[Habit] = fields.ForeignKeyField(
        "models.Habit", related_name="predictions", on_delete=fields.CASCADE
    )
    day = fields.DateField(db_index=True)  # old rows are pruned by day
    probability = fields.FloatField()
    reason = fields.CharField(max_length=16, default="", description="why risky: holiday, weekday, slipping or empty")
    computed_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "skip_predictions"
        unique_together = (("habit_id", "day"),)


class Nudge(Model):
    """A message planned for a user; `key` is claimed before sending, so a retry never sends twice."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="nudges", on_delete=fields.CASCADE
    )
    habit: fields.ForeignKeyNullableRelation[Habit] = fields.ForeignKeyField(
        "models.Habit", related_name="nudges", on_delete=fields.CASCADE, null=True
    )
    kind = fields.CharEnumField(NudgeKind, max_length=16)
    day = fields.DateField(description="the user's local day the nudge belongs to")
    key = fields.CharField(max_length=120, unique=True, description="kind:habit-or-user:day[:slot]")
    planned_at = fields.DatetimeField()
    status = fields.CharEnumField(NudgeStatus, max_length=16, default=NudgeStatus.PENDING)
    text = fields.CharField(max_length=1000, default="")
    attempts = fields.SmallIntField(default=0)
    error = fields.CharField(max_length=200, null=True)
    sent_at = fields.DatetimeField(null=True)
    telegram_message_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "nudges"
        indexes = (
            Index(fields=("user_id", "day")), Index(fields=("status", "planned_at")), Index(fields=("habit_id",)),
        )


class RefreshToken(Model):
    """A refresh token, stored as a SHA-256 hash; reuse of a rotated one revokes its whole family."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    family = fields.UUIDField(db_index=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "refresh_tokens"
        indexes = (Index(fields=("user_id",)),)


class TelegramLinkCode(Model):
    """A short-lived one-time code that links a REST account to a Telegram chat (`/start CODE`)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="link_codes", on_delete=fields.CASCADE
    )
    code_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "telegram_link_codes"
        indexes = (Index(fields=("user_id",)),)


class WebLoginCode(Model):
    """A one-time browser sign-in link sent by the bot's /web (hash stored; single use, short-lived)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="web_login_codes", on_delete=fields.CASCADE
    )
    code_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "web_login_codes"
        indexes = (Index(fields=("user_id",)),)


class BotState(Model):
    """python-telegram-bot persistence (conversations, user/chat data) so a restart resumes chats."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=32)
    key = fields.CharField(max_length=200)
    data = fields.JSONField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "bot_state"
        unique_together = (("kind", "key"),)


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"


class PersonalAccessToken(Model):
    """A long-lived API token a user made for a script or an app; only its SHA-256 hash is stored."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="access_tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    scope = fields.CharEnumField(TokenScope, max_length=8)
    token_hash = fields.CharField(max_length=64, unique=True)
    last_used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "personal_access_tokens"
        indexes = (Index(fields=("user_id",)),)


class ImportedHabit(Model):
    """Which habit an imported one became, so importing the same file again adds nothing twice."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="imported_habits", on_delete=fields.CASCADE
    )
    source = fields.CharField(max_length=16, description="`smarthabit` or `loop`")
    external_key = fields.CharField(max_length=200)
    habit: fields.ForeignKeyRelation[Habit] = fields.ForeignKeyField(
        "models.Habit", related_name="import_origins", on_delete=fields.CASCADE
    )

    class Meta:
        table = "imported_habits"
        unique_together = (("user_id", "source", "external_key"),)
        indexes = (Index(fields=("habit_id",)),)


class Webhook(Model):
    """An outgoing webhook: events of the user POSTed to `url`, signed with `secret` (HMAC needs it in clear)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="webhooks", on_delete=fields.CASCADE
    )
    url = fields.CharField(max_length=2000)
    events = fields.JSONField(description="the event names it subscribes to")
    secret = fields.CharField(max_length=64)
    failing_since = fields.DatetimeField(null=True, description="first failure of the current failing run")
    disabled_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhooks"
        indexes = (Index(fields=("user_id",)),)


class WebhookEvent(Model):
    """The outbox: an event written in the same transaction as the change it reports, fanned out
    to the user's webhooks by the workers (so none is lost between the commit and the send)."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="webhook_events", on_delete=fields.CASCADE
    )
    event = fields.CharField(max_length=32)
    payload = fields.JSONField()
    created_at = fields.DatetimeField()
    dispatched_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_events"
        indexes = (Index(fields=("dispatched_at", "id")),)


class WebhookDeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookDelivery(Model):
    """One event for one webhook: retried with backoff until delivered or a day has passed."""

    id = fields.BigIntField(primary_key=True)
    webhook: fields.ForeignKeyRelation[Webhook] = fields.ForeignKeyField(
        "models.Webhook", related_name="deliveries", on_delete=fields.CASCADE
    )
    event: fields.ForeignKeyRelation[WebhookEvent] = fields.ForeignKeyField(
        "models.WebhookEvent", related_name="deliveries", on_delete=fields.CASCADE
    )
    delivery_id = fields.UUIDField(unique=True, description="X-SmartHabit-Delivery")
    status = fields.CharEnumField(WebhookDeliveryStatus, max_length=16, default=WebhookDeliveryStatus.PENDING)
    attempts = fields.SmallIntField(default=0)
    next_attempt_at = fields.DatetimeField()
    response_status = fields.SmallIntField(null=True)
    latency_ms = fields.IntField(null=True)
    error = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_deliveries"
        unique_together = (("webhook_id", "event_id"),)
        indexes = (Index(fields=("status", "next_attempt_at")), Index(fields=("event_id",)))


class WebhookAttempt(Model):
    """One try of a delivery, kept for the deliveries log (a delivery may be tried many times in a day)."""

    id = fields.BigIntField(primary_key=True)
    delivery: fields.ForeignKeyRelation[WebhookDelivery] = fields.ForeignKeyField(
        "models.WebhookDelivery", related_name="attempt_log", on_delete=fields.CASCADE
    )
    at = fields.DatetimeField()
    response_status = fields.SmallIntField(null=True)
    latency_ms = fields.IntField()
    error = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "webhook_attempts"
        indexes = (Index(fields=("delivery_id", "id")),)


class CalendarFeed(Model):
    """The secret part of a user's private calendar URL; rotating it replaces the row."""

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="calendar_feed", on_delete=fields.CASCADE
    )
    token = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "calendar_feeds"


class IdempotentResponse(Model):
    """The answer to a POST sent with an `Idempotency-Key`, replayed for the same key for 24 hours."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="idempotent_responses", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=200)
    fingerprint = fields.CharField(max_length=64, description="SHA-256 of method, path and body")
    status = fields.SmallIntField()
    body = fields.TextField()
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "idempotent_responses"
        unique_together = (("user_id", "key"),)
