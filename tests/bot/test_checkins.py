"""Check-in buttons: the workers' reminder format, back-fill limits, forged data, milestones, notes."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import BotApplication
from smarthabit import checkins
from smarthabit.checkins import BACKFILL_DAYS
from smarthabit.clock import local_today
from smarthabit.models import CheckIn, Habit, User
from tests.bot.conftest import Person, create_habit, eventually, sign_up, text_of
from tests.botapi import BotApiServer
from tests.statements import statements


async def send_reminder(bot: BotApplication, person: Person, habit: Habit, day: date) -> dict:
    """What a worker sends: a reminder with one button whose data is exactly checkin:{id}:{day}."""
    button = InlineKeyboardButton("Done ✅", callback_data=f"checkin:{habit.id}:{day.isoformat()}")
    markup = InlineKeyboardMarkup([[button]])
    sent = await bot.bot.send_message(person.id, f"Time for {habit.name}!", reply_markup=markup)
    return await person.server.wait_for_message(person.id, lambda m: m["message_id"] == sent.message_id)


async def test_reminder_button_checks_in_that_day(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada, "Asia/Tokyo")
    await create_habit(ada, "Stretch")
    habit = await Habit.get(user_id=user.id)
    today = local_today(user.timezone)

    reminder = await send_reminder(bot, ada, habit, today)
    await ada.tap(reminder, f"checkin:{habit.id}:{today.isoformat()}")
    edited = await ada.expect("Streak: 1 day")  # the reminder becomes the confirmation, in one edit
    assert edited["message_id"] == reminder["message_id"]
    assert BotApiServer.buttons(edited) == [
        ("✅ Stretch · 🔥1 (tap to undo)", f"checkin:{habit.id}:{today.isoformat()}:undo")
    ]
    assert (await CheckIn.get(habit_id=habit.id)).bot_message_id == reminder["message_id"]  # reply: a note

    # A double tap on the original button (a slow client still shows it) is a no-op, not an undo.
    await ada.tap(reminder, f"checkin:{habit.id}:{today.isoformat()}", forged=True)
    await eventually(lambda: _answered(ada, "Already checked in"))
    assert await CheckIn.filter(habit_id=habit.id).count() == 1

    await ada.tap(edited, "✅ Stretch")
    reopened = await ada.expect("Undone")
    assert BotApiServer.buttons(reopened) == [("⬜ Stretch: check in", f"checkin:{habit.id}:{today.isoformat()}")]
    assert not await CheckIn.filter(habit_id=habit.id).exists()


async def test_back_fill_window(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada, "UTC")
    await create_habit(ada, "Walk")
    habit = await Habit.get(user_id=user.id)
    today = local_today(user.timezone)
    await Habit.filter(id=habit.id).update(start_day=today - timedelta(days=30))

    three_days_ago = today - timedelta(days=3)
    reminder = await send_reminder(bot, ada, habit, three_days_ago)
    await ada.tap(reminder, f"checkin:{habit.id}:{three_days_ago.isoformat()}")
    confirmation = await ada.expect("done for")
    assert f"for {three_days_ago.strftime('%a')} {three_days_ago.day}" in text_of(confirmation)
    assert await CheckIn.filter(habit_id=habit.id, day=three_days_ago).exists()

    for day, answer in ((today - timedelta(days=BACKFILL_DAYS + 1), "too long ago"),
                        (today + timedelta(days=1), "hasn't started")):
        reminder = await send_reminder(bot, ada, habit, day)
        await ada.tap(reminder, f"checkin:{habit.id}:{day.isoformat()}")
        await eventually(lambda answer=answer: _answered(ada, answer))
        assert not await CheckIn.filter(habit_id=habit.id, day=day).exists()


async def test_forged_callbacks_do_nothing(bot: BotApplication, ada: Person, bob: Person) -> None:
    ada_user = await sign_up(ada)
    await create_habit(ada, "Read")
    read = await Habit.get(user_id=ada_user.id)
    bob_user = await sign_up(bob)
    today = local_today(bob_user.timezone)
    listing = await bob.say("/today", "no habits yet")

    forged = [
        f"checkin:{read.id}:{today.isoformat()}",  # Ada's habit
        f"checkin:{read.id}:{today.isoformat()}:undo:list",
        f"hab:{read.id}:del:yes",
        f"hab:{read.id}:arch:yes",
        f"hab:{read.id}:name",
        f"hab:{read.id}:pause:30",
    ]
    for data in forged:
        await bob.tap(listing, data, forged=True)
    await eventually(lambda: _answer_count(bob, "Habit not found.", len(forged)))

    garbage = ["checkin:abc:2026-01-01", f"checkin:{read.id}:2026-02-30", "checkin:99999999999:2026-01-01",
               "tz:Mars/Olympus", "set:nope", "hab:0", "whatever"]
    for data in garbage:
        await bob.tap(listing, data, forged=True)
    await eventually(lambda: _answer_count(bob, "This button is no longer valid.", len(garbage)))

    habit = await Habit.get(id=read.id)
    assert habit.archived_at is None and habit.name == "Read"
    assert not await CheckIn.filter(habit_id=read.id).exists()
    assert (await User.get(id=bob_user.id)).timezone == "Europe/Berlin"
    # Bob was never told anything about Ada's habit, and Ada got nothing.
    assert all("Read" not in text_of(m) for m in bob.server.sent_to(bob.id))
    assert not [m for m in ada.server.sent_to(ada.id) if "Habit not found" in text_of(m)]


async def test_milestone_is_celebrated(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada, "UTC")
    await create_habit(ada, "Meditate")
    habit = await Habit.get(user_id=user.id)
    today = local_today(user.timezone)
    await Habit.filter(id=habit.id).update(start_day=today - timedelta(days=10))
    for back in range(1, 7):
        await checkins.check_in(user.id, habit.id, day=today - timedelta(days=back))
    listing = await ada.say("/today", "0 of 1 done")
    await ada.tap(listing, "⬜ Meditate")
    celebration = await ada.expect("Streak: 7 days")
    assert "🎉" in text_of(celebration) and "7 days in a row" in text_of(celebration)


async def test_reply_notes(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada)
    await create_habit(ada, "Read")
    await create_habit(ada, "Run")
    habit = await Habit.get(user_id=user.id, name="Read")
    listing = await ada.say("/today", "0 of 2 done")
    await ada.tap(listing, "⬜ Read")
    listing = await ada.expect("1 of 2 done")  # the list is the confirmation: no extra message
    await eventually(lambda: _answered(ada, "Checked in"))
    assert not any("Reply to this message" in text_of(m) for m in ada.server.sent_to(ada.id))

    await ada.say("x" * 600, "at most 500 characters", reply_to=listing)
    await ada.say("Great session\nwith a second line", "Note saved", reply_to=listing)  # D3: line breaks
    assert (await CheckIn.get(habit_id=habit.id)).note == "Great session\nwith a second line"
    await ada.say("Even better", "Note saved", reply_to=listing)  # a second reply replaces it
    assert (await CheckIn.get(habit_id=habit.id)).note == "Even better"

    await ada.tap(listing, "✅ Read")  # undo from the list: the list shows it, nothing to attach to
    listing = await ada.expect("0 of 2 done")
    await ada.say("a note?", "reply to one of my check-in confirmations", reply_to=listing)


async def _answered(person: Person, text: str) -> bool:
    return any(text in (answer or "") for answer in person.callback_answers())


async def _answer_count(person: Person, text: str, count: int) -> bool:
    return sum(1 for answer in person.callback_answers() if answer == text) >= count


async def test_measurable_value_from_a_reminder(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada, "UTC")
    await ada.say("/new", "What habit")
    kind = await ada.say("Pages", "how do you want to track")
    await ada.tap_and_expect(kind, "new:kind:measurable", "daily target")
    schedule = await ada.say("20", "How often")
    reminder = await ada.tap_and_expect(schedule, "new:sk:daily", "remind")
    summary = await ada.tap_and_expect(reminder, "new:rem:none", "Save it?")
    await ada.tap_and_expect(summary, "new:save", "Saved")
    habit = await Habit.get(user_id=user.id)
    today = local_today(user.timezone)

    message = await send_reminder(bot, ada, habit, today)
    data = f"checkin:{habit.id}:{today.isoformat()}"
    await ada.tap(message, data)
    await ada.expect("How much Pages today? Target: at least 20 a day")
    await ada.say("-3", "Send a number")
    await ada.say("25", "Pages: done (25)")
    edited = await ada.expect("Time for Pages")
    assert BotApiServer.buttons(edited)[0][1] == data + ":undo"
    assert (await CheckIn.get(habit_id=habit.id)).value == 25

    await ada.tap(message, data, forged=True)  # the old button again: nothing to ask
    await eventually(lambda: _answered(ada, "Already checked in"))
    assert await CheckIn.filter(habit_id=habit.id).count() == 1


@pytest.mark.postgres_only  # today's check-in is one shared statement on PostgreSQL
async def test_a_tap_on_a_reminder_costs_three_round_trips_and_two_bot_api_calls(
    bot: BotApplication, ada: Person
) -> None:
    user = await sign_up(ada, "Europe/Berlin")
    await create_habit(ada, "Stretch")
    habit = await Habit.get(user_id=user.id)
    today = local_today(user.timezone)
    reminder = await send_reminder(bot, ada, habit, today)
    await asyncio.sleep(0.3)  # let the sign-up's own writes settle
    before = len(ada.server.requests)
    with statements() as sql:
        await ada.tap(reminder, f"checkin:{habit.id}:{today.isoformat()}")
        await ada.expect("Streak: 1 day")
        await asyncio.sleep(0.2)  # anything the handler still did after its last call would show up
    calls = [r.method for r in ada.server.requests[before:] if r.method != "getUpdates"]
    assert calls == ["answerCallbackQuery", "editMessageText"]
    assert 1 <= len(sql) <= 3, sql  # the account, the check-in, the reply link


async def test_back_fill_from_the_list(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada, "UTC")
    await create_habit(ada, "Read")
    habit = await Habit.get(user_id=user.id)
    yesterday = local_today("UTC") - timedelta(days=1)
    listing = await ada.say("/today", "0 of 1 done")
    earlier = await ada.tap_and_expect(listing, "day:1", "Back-filling")
    assert earlier["message_id"] == listing["message_id"]  # the same list, moved a day back
    assert [label for label, _ in BotApiServer.buttons(earlier)][-2:] == ["◀ Earlier day", "Today ▶"]
    await ada.tap(earlier, f"checkin:{habit.id}:{yesterday.isoformat()}:list")
    await ada.expect("1 of 1 done")
    assert await CheckIn.filter(habit_id=habit.id, day=yesterday).exists()
    await ada.tap_and_expect(earlier, "day:0", "Today,")
    for back in range(2, 8):
        await ada.tap(earlier, f"day:{back}", forged=True)
    last = await ada.expect("Back-filling")
    assert "day:8" not in [data for _, data in BotApiServer.buttons(last)]  # the window ends there
    await ada.tap(earlier, "day:9", forged=True)
    await eventually(lambda: _answered(ada, "no longer valid"))


async def test_a_partly_done_day_offers_to_add(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada, "UTC")
    card = await ada.say("drink 8 glasses of water daily", "Save")
    await ada.tap(card, "hs:save")
    await ada.expect("Saved")
    habit = await Habit.get(user_id=user.id)
    listing = await ada.say("/today", "0 of 1 done")
    await ada.tap(listing, BotApiServer.buttons(listing)[0][1])
    await ada.say("3", "short of the target")
    listing = await ada.expect("0 of 1 done")
    assert BotApiServer.buttons(listing)[0][0] == "◐ Drink water 3/8 glasses"
    await ada.tap(listing, BotApiServer.buttons(listing)[0][1])  # not an undo: "how much more?"
    more = await ada.expect("3 glasses so far")
    assert [label for label, _ in BotApiServer.buttons(more)] == ["+1 glass", "+8 glasses", "+5 glasses", "↩️ Undo"]
    await ada.tap(more, "val:5")
    await ada.expect("done")
    listing = await ada.expect("1 of 1 done")
    assert (await CheckIn.get(habit_id=habit.id)).value == 8
    assert (await Habit.get(id=habit.id)).current_streak == 1

