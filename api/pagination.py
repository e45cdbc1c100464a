"""Opaque cursors for keyset pagination: the sort key of the last item of a page, base64url-encoded.

A cursor says "after this item" in the list's own order, so items inserted or deleted meanwhile
neither repeat nor vanish across pages (as they would with offsets)."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

from api.errors import ApiError


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode().rstrip("=")


def _invalid() -> ApiError:
    return ApiError(422, "invalid_cursor", "The cursor is not one this list gave out",
                    [{"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "value_error"}])


def decode_day_cursor(cursor: str) -> date:
    """The day in a cursor of a list ordered by day, or 422."""
    try:
        return date.fromisoformat(decode_cursor(cursor, 1)[0])
    except (TypeError, ValueError):
        raise _invalid() from None


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """The key in a cursor from `encode_cursor`, or 422."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        key = None
    if not isinstance(key, list) or len(key) != size or not all(isinstance(part, int | str) for part in key):
        raise _invalid()
    return key
