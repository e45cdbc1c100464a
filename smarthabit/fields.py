"""Custom ORM fields."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from tortoise import fields


class WallTimeField(fields.TimeField):
    """A wall-clock time in the user's own zone (reminder times, quiet hours).

    Tortoise's TimeField is zone-aware when `use_tz` is on (TIMETZ in PostgreSQL); a local wall time
    has no zone of its own, so it is stored as plain TIME and always read back naive.
    """

    SQL_TYPE = "TIME"

    class _db_postgres:
        SQL_TYPE = "TIME"

    def to_python_value(self, value: Any) -> time | timedelta | None:
        if isinstance(value, str):
            value = time.fromisoformat(value)
        if isinstance(value, timedelta):  # some drivers return TIME as a duration since midnight
            seconds = int(value.total_seconds())
            value = time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
        return value.replace(tzinfo=None) if isinstance(value, time) else value

    def to_db_value(self, value: Any, instance: Any) -> time | timedelta | None:
        if isinstance(value, time):
            value = value.replace(tzinfo=None)
        self.validate(value)
        return value
