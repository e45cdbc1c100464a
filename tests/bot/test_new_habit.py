"""/new: every step, the bad answers that must be asked again, /cancel, and two people at once."""

from __future__ import annotations

from datetime import time

from bot.app import BotApplication
from smarthabit.models import Habit, HabitKind, Reminder, TargetDirection
from smarthabit.schedule import ScheduleKind
from tests.bot.conftest import Person, create_habit, eventually, sign_up, text_of
from tests.botapi import BotApiServer


async def test_bad_answers_are_asked_again_and_nothing_is_saved_early(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada)
    await create_habit(ada, "Read")
    await ada.say("/new", "What habit")

    await ada.say("   ", "can't be empty")
    too_long = await ada.say("x" * 200, "too long")
    assert "200 characters" in text_of(too_long)
    await ada.say("bad\u0007name", "characters I can't store")
    await ada.say("READ", "already have a habit called")
    kind = await ada.say("Drink water", "how do you want to track")
    await ada.say("what?", "tap one of the buttons")

    target_question = await ada.tap_and_expect(kind, "new:kind:measurable", "daily target")
    assert target_question["message_id"] == kind["message_id"]  # the form edits its message in place
    await ada.say("lots", "positive number")
    await ada.say("0 glasses", "positive number")
    await ada.say("8 " + "g" * 30, "positive number")  # unit longer than 20
    schedule = await ada.say("8 glasses", "How often")

    weekdays = await ada.tap_and_expect(schedule, "new:sk:weekdays", "switch them on or off")
    workdays = ("Mon", "Tue", "Wed", "Thu", "Fri")
    assert [label for label, _ in BotApiServer.buttons(weekdays)][:5] == [f"✅ {day}" for day in workdays]
    for day in workdays:  # switch all off, then Done is refused
        weekdays = await ada.tap_and_expect(weekdays, f"✅ {day}")
    await ada.tap(weekdays, "Done")
    await _wait_answer(ada, "Pick at least one day.")
    weekdays = await ada.tap_and_expect(weekdays, "Sat")
    weekdays = await ada.tap_and_expect(weekdays, "Sun")
    reminder = await ada.tap_and_expect(weekdays, "Done", "remind")

    await ada.say("25:99", "isn't a time")
    await ada.say("soon", "isn't a time")
    summary = await ada.say("7:05", "Save it?")
    assert "8 glasses" in text_of(summary) and "Sat, Sun" in text_of(summary) and "07:05" in text_of(summary)
    assert reminder["message_id"] != summary["message_id"]
    assert await Habit.filter(user_id=user.id).count() == 1  # only "Read" so far: nothing half-saved

    await ada.tap_and_expect(summary, "new:save", "Saved")
    water = await Habit.get(user_id=user.id, name="Drink water")
    assert water.kind is HabitKind.MEASURABLE and water.target == 8 and water.unit == "glasses"
    assert water.target_direction is TargetDirection.AT_LEAST
    assert water.schedule_kind is ScheduleKind.WEEKDAYS and water.schedule.weekdays == frozenset({5, 6})
    assert await Reminder.filter(habit_id=water.id).values_list("local_time", flat=True) == [time(7, 5)]

    # After Save the text is no answer any more.
    await ada.say("hello", "Today")


async def test_cancel_and_other_commands_leave_the_form(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada)
    await ada.say("/new", "What habit")
    kind = await ada.say("Meditate", "how do you want to track")
    schedule = await ada.tap_and_expect(kind, "new:kind:yes_no", "How often")
    await ada.say("/cancel", "Cancelled")
    await ada.say("/cancel", "Nothing to cancel")
    assert not await Habit.filter(user_id=user.id).exists()
    await ada.tap(schedule, "new:sk:daily")  # an old form's button does nothing
    await _wait_answer(ada, "This button is no longer valid.")

    await ada.say("/new", "What habit")
    await ada.say("/help", "What I can do")  # another command leaves the form and runs
    await ada.say("Meditate", "no habits yet")  # so this is plain text again (/today)
    summary = await _form_until_summary(ada, "Meditate", times=3)
    await ada.tap_and_expect(summary, "new:cancel", "Cancelled")
    assert not await Habit.filter(user_id=user.id).exists()


async def test_at_most_target_and_times_per_week(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada)
    await ada.say("/new", "What habit")
    kind = await ada.say("Coffee", "how do you want to track")
    await ada.tap_and_expect(kind, "new:kind:measurable", "daily target")
    schedule = await ada.say("at most 2 cups", "How often")
    times = await ada.tap_and_expect(schedule, "new:sk:times_per_week", "How many times")
    reminder = await ada.tap_and_expect(times, "new:tpw:3", "remind")
    summary = await ada.tap_and_expect(reminder, "new:rem:none", "Save it?")
    assert "at most 2 cups a day" in text_of(summary) and "3 times a week" in text_of(summary)
    await ada.tap_and_expect(summary, "new:save", "Saved")
    coffee = await Habit.get(user_id=user.id)
    assert coffee.target_direction is TargetDirection.AT_MOST and coffee.times_per_week == 3


async def test_two_people_at_once_no_cross_talk(bot: BotApplication, ada: Person, bob: Person) -> None:
    ada_user, bob_user = await sign_up(ada), await sign_up(bob, "America/New_York")
    await ada.send("/new")
    await bob.send("/new")
    await ada.expect("What habit")
    await bob.expect("What habit")
    await ada.send("Read")
    await bob.send("Read")  # the same name is fine for another person
    ada_kind = await ada.expect("Read")
    bob_kind = await bob.expect("Read")
    await bob.tap(bob_kind, "new:kind:measurable")
    await ada.tap(ada_kind, "new:kind:yes_no")
    await bob.expect("daily target")
    ada_schedule = await ada.expect("How often")
    await ada.send("20 pages")  # Ada is at the schedule step: text is not her target
    await ada.expect("tap one of the buttons")
    bob_schedule = await bob.say("20 pages", "How often")
    ada_reminder = await ada.tap_and_expect(ada_schedule, "new:sk:daily", "remind")
    bob_reminder = await bob.tap_and_expect(bob_schedule, "new:sk:daily", "remind")
    bob_summary = await bob.say("21:00", "Save it?")
    ada_summary = await ada.tap_and_expect(ada_reminder, "new:rem:none", "Save it?")
    assert bob_reminder["message_id"] != bob_summary["message_id"]
    await ada.tap_and_expect(ada_summary, "new:save", "Saved")
    await bob.tap_and_expect(bob_summary, "new:save", "Saved")

    ada_read = await Habit.get(user_id=ada_user.id)
    bob_read = await Habit.get(user_id=bob_user.id)
    assert (ada_read.kind, bob_read.kind) == (HabitKind.YES_NO, HabitKind.MEASURABLE)
    assert bob_read.target == 20 and bob_read.unit == "pages"
    assert not await Reminder.filter(habit_id=ada_read.id).exists()
    assert await Reminder.filter(habit_id=bob_read.id).values_list("local_time", flat=True) == [time(21, 0)]
    assert all(m["chat"]["id"] == ada.id for m in ada.server.sent_to(ada.id))


async def _form_until_summary(person: Person, name: str, *, times: int) -> dict:
    await person.say("/new", "What habit")
    kind = await person.say(name, "how do you want to track")
    schedule = await person.tap_and_expect(kind, "new:kind:yes_no", "How often")
    how_many = await person.tap_and_expect(schedule, "new:sk:times_per_week", "How many times")
    reminder = await person.tap_and_expect(how_many, f"new:tpw:{times}", "remind")
    return await person.tap_and_expect(reminder, "new:rem:none", "Save it?")


async def _wait_answer(person: Person, text: str) -> None:
    """Wait until the bot answered a tap with that toast (answerCallbackQuery)."""

    async def answered() -> bool:
        return text in person.callback_answers()

    await eventually(answered)


async def test_an_old_question_is_forgotten(bot: BotApplication, ada: Person) -> None:
    """A form left open for hours: the next "hi" is a greeting, not the habit's name."""
    user = await sign_up(ada)
    await ada.say("/new", "What habit")
    bot.user_data[ada.id]["draft"]["since"] = 0  # asked long ago
    await ada.say("hi", "no habits yet")
    await ada.say("Read", "no habits yet")  # the form is closed
    assert not await Habit.filter(user_id=user.id).exists()


async def test_names_with_markup_characters_are_shown_as_typed(bot: BotApplication, ada: Person) -> None:
    await sign_up(ada)
    await create_habit(ada, "Tea & <biscuits>")
    listing = await ada.say("/today", "0 of 1 done")
    assert BotApiServer.buttons(listing)[0][0] == "⬜ Tea & <biscuits>"
    await ada.tap(listing, "⬜ Tea")
    checked = await ada.expect("1 of 1 done")
    assert BotApiServer.buttons(checked)[0][0] == "✅ Tea & <biscuits> · 🔥1"
    overview = await ada.say("/habits", "Your habits")
    assert "Tea & <biscuits>: every day" in text_of(overview)
    await ada.say("/stats", "Week ")
    await ada.expect("share of what was due")


async def test_a_sentence_becomes_a_card_and_change_goes_step_by_step(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada)
    await ada.say("/new", "What habit")
    card = await ada.say("gym 3 times a week at 7pm", "I understood this habit")
    assert "3 times a week" in text_of(card) and "19:00" in text_of(card)
    kind = await ada.tap_and_expect(card, "hs:change", "how do you want to track")
    assert kind["message_id"] == card["message_id"]
    schedule = await ada.tap_and_expect(kind, "new:kind:yes_no", "How often")
    reminder = await ada.tap_and_expect(schedule, "new:sk:daily", "remind")
    summary = await ada.tap_and_expect(reminder, "new:rem:none", "Save it?")
    await ada.tap_and_expect(summary, "new:save", "Saved")
    habit = await Habit.get(user_id=user.id)
    assert (habit.name, habit.schedule_kind.value) == ("Gym", "daily")


async def test_change_starts_from_everything_the_sentence_gave(bot: BotApplication, ada: Person) -> None:
    """Change on "read 10 pages every weekday at 8pm": each step offers what the sentence said, the
    reminder time included, and keeping them all saves the sentence's habit."""
    user = await sign_up(ada)
    card = await ada.say("read 10 pages every weekday at 8pm", "I understood this habit")
    kind = await ada.tap_and_expect(card, "hs:change", "how do you want to track")
    target = await ada.tap_and_expect(kind, "new:kind:measurable", "target")
    assert BotApiServer.buttons(target) == [("↩️ Keep: at least 10 pages a day", "new:keep:target")]
    schedule = await ada.tap_and_expect(target, "new:keep:target", "How often")
    assert BotApiServer.buttons(schedule)[0] == ("↩️ Keep: on weekdays (Mon–Fri)", "new:keep:sched")
    reminder = await ada.tap_and_expect(schedule, "new:keep:sched", "remind")
    assert ("↩️ Keep: 20:00", "new:keep:rem") in BotApiServer.buttons(reminder)
    summary = await ada.tap_and_expect(reminder, "new:keep:rem", "Save it?")
    assert "Reminder: 20:00" in text_of(summary)
    await ada.tap_and_expect(summary, "new:save", "Saved")
    habit = await Habit.get(user_id=user.id).prefetch_related("reminders")
    assert (habit.name, habit.kind.value, habit.target, habit.unit) == ("Read", "measurable", 10, "pages")
    assert (habit.schedule_kind.value, habit.schedule_weekdays) == ("weekdays", 0b0011111)
    assert [r.local_time.strftime("%H:%M") for r in habit.reminders] == ["20:00"]


async def test_change_to_yes_no_drops_the_amount_and_keeps_the_time(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada)
    card = await ada.say("drink 8 glasses of water daily at 9am", "I understood this habit")
    kind = await ada.tap_and_expect(card, "hs:change", "how do you want to track")
    schedule = await ada.tap_and_expect(kind, "new:kind:yes_no", "How often")
    reminder = await ada.tap_and_expect(schedule, "new:sk:weekdays", "Tap the days")
    reminder = await ada.tap_and_expect(reminder, "new:wdok:31", "remind")
    summary = await ada.tap_and_expect(reminder, "new:keep:rem", "Save it?")
    assert "Reminder: 09:00" in text_of(summary) and "done / not done" in text_of(summary)
    await ada.tap_and_expect(summary, "new:save", "Saved")
    habit = await Habit.get(user_id=user.id).prefetch_related("reminders")
    assert (habit.kind.value, habit.target, habit.schedule_weekdays) == ("yes_no", None, 31)
    assert [r.local_time.strftime("%H:%M") for r in habit.reminders] == ["09:00"]


async def test_a_sentence_without_a_schedule_asks_for_it_on_the_card(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada)
    card = await ada.say("no sugar", "How often?")
    days = await ada.tap_and_expect(card, "hs:sk:weekdays", "Tap the days")
    card = await ada.tap_and_expect(days, "hs:wdok:31", "Save")
    await ada.tap_and_expect(card, "hs:save", "Saved")
    habit = await Habit.get(user_id=user.id)
    assert (habit.name, habit.schedule_kind.value, habit.schedule_weekdays) == ("No sugar", "weekdays", 31)
