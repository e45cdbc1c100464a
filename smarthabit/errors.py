"""Domain errors: each carries a stable code; the front doors map them to HTTP statuses or chat replies."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user can cause; never a bug."""

    code = "invalid"

    def __init__(self, message: str, details: Any = None, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code


class ValidationFailed(DomainError):
    code = "validation_error"


class NotFound(DomainError):
    """Also what another user's resource answers: its existence is never hinted at."""

    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class PermissionDenied(DomainError):
    code = "forbidden"


class StartupError(Exception):
    """An expected reason a process cannot start (port taken, database unreachable, token rejected):
    the command line prints its message as one line and exits non-zero, without a traceback."""
