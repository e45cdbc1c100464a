"""/habits (edit, pause, resume, delete), /settings (toggles, quiet hours, time zone, delete my data)
and /stats for one habit."""

from __future__ import annotations

from datetime import time, timedelta

from bot.app import BotApplication
from smarthabit.clock import local_today
from smarthabit.models import CheckIn, Habit, HabitPause, Reminder, User
from smarthabit.schedule import ScheduleKind
from tests.bot.conftest import Person, create_habit, sign_up, text_of
from tests.botapi import BotApiServer


async def test_edit_a_habit(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada)
    await create_habit(ada, "Read", reminder="07:30")
    await create_habit(ada, "Run")
    read = await Habit.get(user_id=user.id, name="Read")

    overview = await ada.say("/habits", "Your habits")
    assert "⏰ 07:30" in text_of(overview)
    card = await ada.tap_and_expect(overview, "⚙️ Read", "Completion")

    # Rename: the same checks as /new, then the card updates.
    await ada.tap(card, "✏️ Name")
    await ada.expect("new name for")
    await ada.say("run", "already have a habit called")
    await ada.say(" ", "can't be empty")
    await ada.say("Read a book", "Renamed to")
    card = await ada.expect("Read a book")
    assert (await Habit.get(id=read.id)).name == "Read a book"

    # Schedule: weekday toggles in place.
    question = await ada.tap_and_expect(card, "📅 Schedule", "How often should")
    toggles = await ada.tap_and_expect(question, "Choose weekdays", "switch them on or off")
    toggles = await ada.tap_and_expect(toggles, "✅ Fri")
    card = await ada.tap_and_expect(toggles, "Done", "on Mon, Tue, Wed, Thu")
    read = await Habit.get(id=read.id)
    assert read.schedule_kind is ScheduleKind.WEEKDAYS and read.schedule.weekdays == frozenset({0, 1, 2, 3})
    question = await ada.tap_and_expect(card, "📅 Schedule", "How often should")
    times = await ada.tap_and_expect(question, "N times a week", "How many times")
    card = await ada.tap_and_expect(times, "4", "4 times a week")
    assert (await Habit.get(id=read.id)).times_per_week == 4

    # Reminder: "25:99" is asked again, then replaced.
    await ada.tap(card, "⏰ Reminder")
    await ada.expect("now: 07:30")
    await ada.say("25:99", "isn't a time")
    await ada.say("21:15", "at 21:15")
    card = await ada.expect("⏰ 21:15")
    assert await Reminder.filter(habit_id=read.id).values_list("local_time", flat=True) == [time(21, 15)]
    await ada.tap(card, "⏰ Reminder")
    question = await ada.expect("now: 21:15")
    await ada.tap_and_expect(question, "No reminder", "No more reminders")
    assert not await Reminder.filter(habit_id=read.id).exists()

    # Pause until a typed date, then resume.
    today = local_today(user.timezone)
    await ada.tap(card, "⏸ Pause")
    await ada.expect("until when")
    await ada.say("someday", "Send a date")
    await ada.say((today - timedelta(days=1)).isoformat(), "Send a date")  # ends before it starts
    until = today + timedelta(days=10)
    await ada.say(until.strftime("%d.%m.%Y"), "is paused until")
    card = await ada.expect("⏸ paused until")
    assert (await HabitPause.get(habit_id=read.id)).end == until
    card = await ada.tap_and_expect(card, "▶️ Resume", "Completion")
    assert "paused" not in text_of(card)

    # Delete asks first; "No" goes back to the card.
    confirm = await ada.tap_and_expect(card, "🗑 Delete", "for good")
    card = await ada.tap_and_expect(confirm, "No", "Completion")
    confirm = await ada.tap_and_expect(card, "🗑 Delete", "for good")
    await ada.tap_and_expect(confirm, "Yes, delete", "is deleted")
    assert not await Habit.filter(id=read.id).exists()
    listing = await ada.say("/habits", "Your habits")
    assert [label for label, _ in BotApiServer.buttons(listing)] == ["⚙️ Run"]


async def test_settings(bot: BotApplication, ada: Person) -> None:
    await sign_up(ada)
    screen = await ada.say("/settings", "Settings")
    assert "Reminders: on" in text_of(screen) and "Quiet hours: off" in text_of(screen)
    assert "Telegram only" in text_of(screen)

    screen = await ada.tap_and_expect(screen, "🔔 Reminders: turn off", "Reminders: off")
    screen = await ada.tap_and_expect(screen, "💡 Nudges: turn off", "Nudges (tips when a streak is at risk): off")
    user = await ada.account()
    assert (user.reminders_enabled, user.nudges_enabled) == (False, False)

    await ada.tap(screen, "🌙 Quiet hours")
    await ada.expect("quiet hours like")
    await ada.say("25:99-07:00", "Send two times")
    await ada.say("22:00-22:00", "Send two times")
    screen = await ada.say("22:30 - 7:00", "Quiet hours: 22:30–07:00")
    user = await ada.account()
    assert (user.quiet_start, user.quiet_end) == (time(22, 30), time(7, 0))
    assert "Reminders due in quiet hours: sent when they end" in text_of(screen)
    screen = await ada.tap_and_expect(screen, "⏰ Reminders in quiet hours: drop them",
                                      "Reminders due in quiet hours: dropped")
    assert (await ada.account()).quiet_reminders_later is False
    await ada.tap(screen, "🌙 Quiet hours")
    question = await ada.expect("quiet hours like")
    await ada.tap_and_expect(question, "Off", "Quiet hours: off")
    assert (await ada.account()).quiet_start is None

    await ada.tap(screen, "🌍 Time zone")
    await ada.expect("Send your city")
    await ada.say("Sydney", "Australia/Sydney")
    assert (await ada.account()).timezone == "Australia/Sydney"


async def test_delete_my_data(bot: BotApplication, ada: Person) -> None:
    user = await sign_up(ada)
    await create_habit(ada, "Read")
    listing = await ada.say("/today", "0 of 1 done")
    await ada.tap(listing, "⬜ Read")
    await ada.expect("1 of 1 done")
    screen = await ada.say("/settings", "Settings")
    confirm = await ada.tap_and_expect(screen, "🗑 Delete my data", "can't be undone")
    screen = await ada.tap_and_expect(confirm, "No, keep it", "Settings")
    assert await User.filter(id=user.id).exists()
    confirm = await ada.tap_and_expect(screen, "🗑 Delete my data", "can't be undone")
    await ada.tap_and_expect(confirm, "Yes, delete everything", "everything is deleted")
    assert not await User.filter(id=user.id).exists()
    assert not await Habit.filter(user_id=user.id).exists()
    assert not await CheckIn.all().exists()
    # Starting over is a brand-new account.
    await ada.say("/start", "Hi Ada")
    assert (await ada.account()).id != user.id


async def test_stats_for_one_habit(bot: BotApplication, botapi: BotApiServer, ada: Person) -> None:
    await sign_up(ada)
    await ada.say("/stats", "No habits yet")
    await create_habit(ada, "Read")
    await create_habit(ada, "Read aloud")
    await create_habit(ada, "Swim")
    listing = await ada.say("/today", "0 of 3 done")
    await ada.tap(listing, "⬜ Swim")
    await ada.expect("1 of 3 done")

    card = await ada.say("/stats swim", "Completion")
    assert "Swim" in text_of(card) and "7 days 100%" in text_of(card)
    picture = await ada.expect("the last 12 months")
    assert "1 done, 0 missed" in text_of(picture)  # the key numbers ride in the caption
    assert (botapi.photo_bytes(picture) or b"").startswith(b"\x89PNG")

    await ada.say("/stats read", "Completion")  # exact name wins over "Read aloud"
    await ada.expect("the last 12 months")
    await ada.say("/stats rea", "matches several habits")
    await ada.say("/stats yoga", "can't find a habit called")
