"""The issue's journey as a new person lives it: start → time zone → two habits → check in → undo →
note → stats picture → pause → archive, asserting on the chat and on the rows in PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.app import BotApplication
from smarthabit.clock import local_today
from smarthabit.models import CheckIn, CheckInSource, Habit, HabitPause
from tests.bot.conftest import Person, create_habit, sign_up, text_of
from tests.botapi import BotApiServer


def labels(message: dict) -> list[str]:
    return [label for label, _ in BotApiServer.buttons(message)]


async def test_full_journey(bot: BotApplication, botapi: BotApiServer, ada: Person) -> None:
    user = await sign_up(ada, "Europe/Berlin")
    assert user.timezone == "Europe/Berlin"
    today = local_today(user.timezone)

    await create_habit(ada, "Read", reminder="07:30")
    await ada.say("/new", "What habit")
    kind = await ada.say("Water", "how do you want to track")
    await ada.tap_and_expect(kind, "new:kind:measurable", "daily target")
    schedule = await ada.say("8 glasses", "How often")
    reminder = await ada.tap_and_expect(schedule, "new:sk:daily", "remind")
    summary = await ada.tap_and_expect(reminder, "new:rem:none", "Save it?")
    await ada.tap_and_expect(summary, "new:save", "Saved")
    read = await Habit.get(user_id=user.id, name="Read")
    water = await Habit.get(user_id=user.id, name="Water")

    # /today: one button per due habit.
    listing = await ada.say("/today", "0 of 2 done")
    assert labels(listing) == ["⬜ Read", "⬜ Water 0/8 glasses", "◀ Earlier day"]

    # One tap checks in: the toast and the list, updated in place, confirm it (no extra message).
    await ada.tap(listing, "⬜ Read")
    listing = await ada.expect("1 of 2 done")
    assert labels(listing)[0] == "✅ Read · 🔥1"
    checkin = await CheckIn.get(habit_id=read.id)
    assert (checkin.day, checkin.source) == (today, CheckInSource.BOT)
    assert checkin.bot_message_id == listing["message_id"]  # a reply to the list adds the note
    assert "Checked in ✅" in ada.callback_answers()

    # A second tap undoes, in the list.
    await ada.tap(listing, "✅ Read")
    listing = await ada.expect("0 of 2 done")
    assert labels(listing)[0] == "⬜ Read"
    assert not await CheckIn.filter(habit_id=read.id).exists()

    # Check in again and reply to the list with a note.
    await ada.tap(listing, "⬜ Read")
    listing = await ada.expect("1 of 2 done")
    await ada.say("Finished chapter 3 <3", "Note saved", reply_to=listing)
    assert (await CheckIn.get(habit_id=read.id)).note == "Finished chapter 3 <3"

    # A measurable habit asks for the amount (and asks again for a non-number).
    await ada.tap(listing, "⬜ Water")
    await ada.expect("How much Water today")
    await ada.say("lots", "Send a number")
    await ada.say("6", "short of the target")
    listing = await ada.expect("1 of 2 done")
    assert labels(listing)[1] == "◐ Water 6/8 glasses"
    assert (await CheckIn.get(habit_id=water.id)).value == 6

    # /stats: the week in words and a real PNG uploaded with sendPhoto.
    words = await ada.say("/stats", "Week ")
    assert "You did" in text_of(words)
    picture = await ada.expect("share of what was due")
    png = botapi.photo_bytes(picture)
    assert png is not None and png.startswith(b"\x89PNG")
    uploads = [r for r in botapi.requests if r.method == "sendPhoto"]
    assert len(uploads) == 1 and uploads[0].photo_bytes == png and uploads[0].status == 200

    # /habits → Read → pause for a week.
    overview = await ada.say("/habits", "Your habits")
    assert "Read" in text_of(overview) and "strength" in text_of(overview) and "this week 1/" in text_of(overview)
    card = await ada.tap_and_expect(overview, "⚙️ Read", "Completion")
    question = await ada.tap_and_expect(card, "⏸ Pause", "until when")
    paused = await ada.tap_and_expect(question, "1 week", "paused until")
    assert paused["message_id"] == question["message_id"]
    pause = await HabitPause.get(habit_id=read.id)
    assert (pause.start, pause.end) == (today, today + timedelta(days=6))

    # /habits → Water → archive, after a confirmation.
    overview = await ada.say("/habits", "Your habits")
    assert "⏸ paused until" in text_of(overview)
    card = await ada.tap_and_expect(overview, "⚙️ Water", "Completion")
    confirm = await ada.tap_and_expect(card, "🗄 Archive", "Archive")
    await ada.tap_and_expect(confirm, "Yes, archive", "is archived")
    assert (await Habit.get(id=water.id)).archived_at is not None

    # Nothing left for today: Read is paused, Water archived.
    await ada.say("/today", "Nothing is due today")
    assert await CheckIn.filter(habit__user_id=user.id).count() == 2  # Read and Water; nothing else was written
