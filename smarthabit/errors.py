"""Domain errors: each carries a stable code; the front doors map them to HTTP statuses or chat replies.

The message is an English template marked for the catalog (`N_`) with its `params` apart, so the API
answers it in English (`message`, stable for clients) and the bot in the user's language (`localized()`).
"""

from __future__ import annotations

from typing import Any

from smarthabit.i18n import _


class DomainError(Exception):
    """Base of every error a user can cause; never a bug."""

    code = "invalid"

    def __init__(self, message: str, details: Any = None, *, code: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        self.template = message
        self.params = params or {}
        self.message = message.format(**self.params) if self.params else message
        super().__init__(self.message)
        self.details = details
        if code is not None:
            self.code = code

    def localized(self) -> str:
        """The message in the current language (English for a message the catalogs do not hold)."""
        text = _(self.template)
        return text.format(**self.params) if self.params else text


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
