"""Notes read and edited from a habit's year calendar: the picture's button opens the month's
notes and a picker of its checked-in days; a day shows its note, which is edited or removed there."""

from __future__ import annotations

from datetime import timedelta

from bot.app import BotApplication
from smarthabit import i18n
from smarthabit.clock import local_today
from smarthabit.models import CheckIn, Habit
from tests.bot.conftest import Person, create_habit, eventually, sign_up, text_of
from tests.botapi import BotApiServer


async def test_a_note_is_read_and_edited_from_the_calendar(bot: BotApplication, botapi: BotApiServer,
                                                           ada: Person) -> None:
    user = await sign_up(ada)
    await create_habit(ada, "Read")
    habit = await Habit.get(user_id=user.id)
    today = local_today(user.timezone)
    listing = await ada.say("/today", "0 of 1 done")
    await ada.tap(listing, "⬜ Read")
    listing = await ada.expect("1 of 1 done")
    await ada.say("Chapter 3\nthe storm", "Note saved", reply_to=listing)  # as the list invites

    card = await ada.say("/stats Read", "Completion")
    assert "📝" in text_of(card) and "Chapter 3\nthe storm" in text_of(card)  # the card shows the latest notes
    picture = await ada.expect("the last 12 months")
    assert BotApiServer.buttons(picture) == [("📝 Notes by day", f"hab:{habit.id}:notes")]
    month = await ada.tap_and_expect(picture, f"hab:{habit.id}:notes", "Notes of")
    assert month["message_id"] != picture["message_id"]  # a photo's caption is not this text: a new message
    with i18n.using("en"):
        assert i18n.month_year(today) in text_of(month)
    assert "Chapter 3\nthe storm" in text_of(month)
    day_data = f"hab:{habit.id}:nday:{today:%Y%m%d}"
    assert (f"{today.day} 📝", day_data) in BotApiServer.buttons(month)

    day = await ada.tap_and_expect(month, day_data, "📝 Chapter 3")
    assert day["message_id"] == month["message_id"]  # the picker turns into the day, in place
    question = await ada.tap_and_expect(day, f"hab:{habit.id}:nedit:{today:%Y%m%d}", "Send the note for")
    assert question["message_id"] != day["message_id"]
    await ada.say("Chapter 4\nthe calm after", "Note saved")
    refreshed = await ada.expect("📝 Chapter 4")  # the day view, edited in place
    assert refreshed["message_id"] == day["message_id"]
    assert (await CheckIn.get(habit_id=habit.id, day=today)).note == "Chapter 4\nthe calm after"

    await ada.tap(refreshed, f"hab:{habit.id}:ndel:{today:%Y%m%d}")
    cleared = await ada.expect("No note yet")
    assert BotApiServer.buttons(cleared)[0][0] == "✏️ Add a note"
    await eventually(lambda: _note_is(habit.id, today, None))
    assert "Note removed." in ada.callback_answers()
    back = await ada.tap_and_expect(cleared, f"hab:{habit.id}:notes:{today:%Y%m}", "Notes of")
    assert (str(today.day), day_data) in BotApiServer.buttons(back)  # no 📝 any more


async def test_the_months_go_back_a_year_and_a_note_too_long_is_asked_again(bot: BotApplication, ada: Person,
                                                                            botapi: BotApiServer) -> None:
    user = await sign_up(ada)
    await create_habit(ada, "Read")
    habit = await Habit.get(user_id=user.id)
    today = local_today(user.timezone)
    await CheckIn.create(habit=habit, day=today, note=None)
    card = await ada.say("/habits", "Your habits")
    card = await ada.tap_and_expect(card, f"hab:{habit.id}", "Completion")
    month = await ada.tap_and_expect(card, "📝 Notes by day", "Notes of")  # the card reaches it too
    earlier = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    older = await ada.tap_and_expect(month, f"hab:{habit.id}:notes:{earlier:%Y%m}", "No check-ins this month")
    assert any(data.endswith(f"notes:{today:%Y%m}") for _, data in BotApiServer.buttons(older))
    await ada.tap(older, f"hab:{habit.id}:notes:{today.year - 2}01", forged=True)  # beyond the calendar
    await eventually(lambda: _answered(ada, "no longer valid"))

    month = await ada.tap_and_expect(older, f"hab:{habit.id}:notes:{today:%Y%m}", "Notes of")
    day = await ada.tap_and_expect(month, f"hab:{habit.id}:nday:{today:%Y%m%d}", "No note yet")
    await ada.tap_and_expect(day, f"hab:{habit.id}:nedit:{today:%Y%m%d}", "Send the note for")
    await ada.say("x" * 501, "at most 500 characters")
    await ada.say("short and sweet", "Note saved")
    assert (await CheckIn.get(habit_id=habit.id, day=today)).note == "short and sweet"


async def _note_is(habit_id: int, day: object, note: str | None) -> bool:
    return (await CheckIn.get(habit_id=habit_id, day=day)).note == note


async def _answered(person: Person, text: str) -> bool:
    return any(text in (answer or "") for answer in person.callback_answers())
