"""The send budget hands a slot out before its instant, so a sender can prepare (claim its row)
while the slot comes instead of after it."""

from __future__ import annotations

import time

import pytest

from smarthabit.telegram_budget import MemoryBudget, Priority, acquire, book_slot, until_slot


async def test_a_slot_is_booked_without_waiting_for_it() -> None:
    budget = MemoryBudget(global_rate=4.0, chat_interval=0.0)  # a slot every 0.25 s
    first = await book_slot(budget, 1, Priority.REMINDER)
    second = await book_slot(budget, 2, Priority.REMINDER)
    handed_out = time.monotonic()
    assert second - first == pytest.approx(0.25, abs=0.01)
    assert second - handed_out > 0.2  # not slept through
    await until_slot(second)
    assert time.monotonic() >= second


async def test_acquire_returns_at_its_slot() -> None:
    budget = MemoryBudget(global_rate=4.0, chat_interval=0.0)
    await acquire(budget, 1, Priority.REMINDER)
    slot = await acquire(budget, 2, Priority.REMINDER)
    assert time.monotonic() >= slot
