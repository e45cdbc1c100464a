"""Did this update already get an answer? Tracked per update, so the error handler apologises at
most once and never after a confirmation went out.

`begin_update()` runs first for every update (the private-chat guard) and puts a fresh counter in a
context variable; handlers run in the same asyncio context, so every message the bot sends while
handling the update (`note_reply`, called by the rate limiter) and the error handler see it.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class UpdateReplies:
    replies: int = 0
    apologised: bool = False


_CURRENT: ContextVar[UpdateReplies | None] = ContextVar("smarthabit_update_replies", default=None)


def begin_update() -> UpdateReplies:
    state = UpdateReplies()
    _CURRENT.set(state)
    return state


def current() -> UpdateReplies:
    """This update's record (a throwaway one outside an update)."""
    return _CURRENT.get() or UpdateReplies()


def note_reply() -> None:
    state = _CURRENT.get()
    if state is not None:
        state.replies += 1
