"""Habit and account use cases over PostgreSQL: names, reminders, linking, preferences, deletion."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from smarthabit.accounts import (
    PreferencesUpdate,
    create_link_code,
    delete_account,
    in_quiet_hours,
    redeem_link_code,
    telegram_user,
    update_preferences,
)
from smarthabit.checkins import check_in
from smarthabit.errors import Conflict, NotFound
from smarthabit.habits import archive_habit, create_habit, get_habit, list_habits, restore_habit, update_habit
from smarthabit.models import CheckIn, Habit, Reminder, User
from smarthabit.schemas import HabitCreate, HabitUpdate


async def test_names_are_unique_among_active_habits(alice: User, bob: User) -> None:
    habit = await create_habit(alice, HabitCreate(name="Run"))
    with pytest.raises(Conflict):
        await create_habit(alice, HabitCreate(name=" run "))
    await create_habit(bob, HabitCreate(name="Run"))  # another user may use the same name
    await archive_habit(alice, habit.id)
    await create_habit(alice, HabitCreate(name="Run"))
    with pytest.raises(Conflict):
        await restore_habit(alice, habit.id)
    assert [s.habit.name for s in await list_habits(alice)] == ["Run"]


async def test_reminders_follow_habit_and_time_zone(alice: User) -> None:
    now = datetime(2026, 1, 10, 6, 0, tzinfo=UTC)
    habit = await create_habit(alice, HabitCreate(name="Run", reminder_times=["08:00", "20:30"]), now=now)
    fires = sorted(await Reminder.filter(habit_id=habit.id).values_list("next_fire_at", flat=True))
    assert fires == [datetime(2026, 1, 10, 7, 0, tzinfo=UTC), datetime(2026, 1, 10, 19, 30, tzinfo=UTC)]
    await update_habit(alice, habit.id, HabitUpdate(reminder_times=["08:00"]), now=now)
    assert await Reminder.filter(habit_id=habit.id).count() == 1
    await update_preferences(alice, PreferencesUpdate(timezone="Asia/Tokyo"))
    reminder = await Reminder.get(habit_id=habit.id)
    local = reminder.next_fire_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert local.time() == time(8, 0)


async def test_preferences_validate_and_quiet_hours_wrap_midnight(alice: User) -> None:
    with pytest.raises(ValueError):
        PreferencesUpdate(timezone="Mars/Olympus")
    with pytest.raises(ValueError):
        PreferencesUpdate(quiet_start=time(22, 0))
    user = await update_preferences(alice, PreferencesUpdate(quiet_start=time(22, 0), quiet_end=time(7, 0)))
    assert in_quiet_hours(user, time(23, 30)) and in_quiet_hours(user, time(6, 59))
    assert not in_quiet_hours(user, time(7, 0)) and not in_quiet_hours(user, time(21, 59))
    user = await update_preferences(user, PreferencesUpdate(quiet_start=None, quiet_end=None))
    assert not in_quiet_hours(await User.get(id=user.id), time(23, 30))


async def test_telegram_user_is_created_once_and_unblocked_on_contact(db: str) -> None:
    user, created = await telegram_user(1001, 1001, "Ann")
    again, created_again = await telegram_user(1001, 1001, "Ann")
    assert created and not created_again and again.id == user.id
    await User.filter(id=user.id).update(bot_blocked=True)
    unblocked, _ = await telegram_user(1001, 1001)
    assert not unblocked.bot_blocked


async def test_link_code_links_once_and_merges_a_telegram_only_account(alice: User) -> None:
    tg_user, _ = await telegram_user(555, 555, "Alice")
    await create_habit(tg_user, HabitCreate(name="Run"))
    await create_habit(alice, HabitCreate(name="Run"))
    code, _ = await create_link_code(alice, timedelta(minutes=10))
    with pytest.raises(NotFound):
        await redeem_link_code("WRONGCODE", 555, 555)
    linked = await redeem_link_code(code.lower(), 555, 555)
    assert linked.id == alice.id and linked.telegram_user_id == 555
    assert not await User.exists(id=tg_user.id)
    assert sorted(await Habit.filter(user_id=alice.id).values_list("name", flat=True)) == ["Run", "Run (2)"]
    with pytest.raises(NotFound):  # one-time
        await redeem_link_code(code, 555, 555)


async def test_expired_code_and_chat_linked_elsewhere_are_refused(alice: User, bob: User) -> None:
    code, expires = await create_link_code(alice, timedelta(minutes=10))
    with pytest.raises(NotFound):
        await redeem_link_code(code, 777, 777, now=expires + timedelta(seconds=1))
    await User.filter(id=bob.id).update(telegram_user_id=777)
    with pytest.raises(Conflict):
        await redeem_link_code(code, 777, 777)
    assert (await User.get(id=alice.id)).telegram_user_id is None


async def test_delete_account_removes_everything(alice: User, bob: User) -> None:
    habit = await create_habit(alice, HabitCreate(name="Run", reminder_times=["07:00"]))
    await check_in(alice.id, habit.id)
    other = await create_habit(bob, HabitCreate(name="Run"))
    await delete_account(alice)
    assert not await User.exists(id=alice.id)
    assert not await Habit.exists(id=habit.id) and not await CheckIn.exists(habit_id=habit.id)
    assert not await Reminder.exists(habit_id=habit.id)
    assert (await get_habit(bob, other.id)).name == "Run"
