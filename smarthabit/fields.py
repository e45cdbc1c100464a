"""Custom ORM fields."""

from __future__ import annotations

import sqlite3
from datetime import time, timedelta
from typing import Any

from tortoise import fields


def _sqlite_time(value: time) -> str:
    """SQLite has no TIME type and its driver no adapter for `datetime.time` (Tortoise registers the
    ones for date and datetime only): a wall time is stored as ISO text, "HH:MM:SS", which sorts and
    compares as the times do. The adapter lives at the driver, so ORM writes, filters and hand-written
    statements all bind the same text; `WallTimeField.to_python_value` reads it back."""
    return value.replace(tzinfo=None).isoformat()


sqlite3.register_adapter(time, _sqlite_time)


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
