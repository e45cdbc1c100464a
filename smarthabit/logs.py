"""Structured logging: one line an event, never a secret or a user's message text.

JSON (one object a line) for machines, a readable line for a person at a terminal: LOG_FORMAT picks,
and by default a terminal on stderr gets the console format and anything else (a container, a file,
a pipe) gets JSON. Both carry the same fields.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# The id of the request (or task) being handled; every log line written while handling it carries it.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Render a record and its `extra=` fields as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        current = getattr(record, "request_id", None) or getattr(record, "_request_id", None) or request_id.get()
        if current is not None:
            payload["request_id"] = current
        payload.update({k: v for k, v in vars(record).items() if k not in _RESERVED and not k.startswith("_")})
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class ConsoleFormatter(logging.Formatter):
    """`12:00:01 INFO  smarthabit.api: listening host=127.0.0.1 port=8080`, for a person at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        fields = {k: v for k, v in vars(record).items() if k not in _RESERVED and not k.startswith("_")}
        current = getattr(record, "_request_id", None) or request_id.get()
        if current is not None:
            fields.setdefault("request_id", current)
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if fields:
            line += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def wants_console(log_format: str, stream: object = None) -> bool:
    """LOG_FORMAT=console/json decides; `auto` means console exactly when the stream is a terminal."""
    if log_format != "auto":
        return log_format == "console"
    isatty = getattr(stream if stream is not None else sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def _stamp_request_id(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """Records take the current request id when they are created, not when a handler formats them."""

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        if (current := request_id.get()) is not None:
            record._request_id = current  # underscore: never clashes with an `extra=` field
        return record

    make.stamps_request_id = True  # type: ignore[attr-defined]
    return make


# INFO lines that come every minute (the scheduler sending the scan, the worker taking it) or with
# every ORM start: at the default level they would drown everything else, so they count as DEBUG.
ROUTINE_LINES = {
    "taskiq.cli.scheduler.run": ("Sending task",),
    "taskiq.receiver.receiver": ("Executing task",),
    "tortoise": ("Tortoise-ORM",),
}


class _RoutineIsDebug(logging.Filter):
    def __init__(self, prefixes: tuple[str, ...]) -> None:
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not str(record.msg).startswith(self.prefixes):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger().isEnabledFor(logging.DEBUG)


def configure_logging(level: str = "INFO", log_format: str = "auto") -> None:
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "stamps_request_id", False):
        logging.setLogRecordFactory(_stamp_request_id(factory))
    handler = logging.StreamHandler()
    handler.setFormatter(ConsoleFormatter() if wants_console(log_format, handler.stream) else JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name, prefixes in ROUTINE_LINES.items():
        routine = logging.getLogger(name)
        if not any(isinstance(f, _RoutineIsDebug) for f in routine.filters):
            routine.addFilter(_RoutineIsDebug(prefixes))
    # httpx logs every Bot API URL, and those contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # asyncpg's pool logs a traceback each time it fails to reconnect; smarthabit.outages logs the
    # outage itself (one line when it starts, one a minute, one when it ends).
    logging.getLogger("asyncpg.pool").setLevel(logging.ERROR)
