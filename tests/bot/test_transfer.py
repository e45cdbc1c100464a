"""/export in the chat, and a Loop Habit Tracker export sent to the bot as a file.

The zip is written as Loop writes it (`tests.imports.loop_export`, after iSoron/uhabits'
`io/HabitsCSVExporter.kt`, `models/HabitList.kt` `writeCSV` and the `models/Entry.kt` value constants).
"""

from __future__ import annotations

import json

from smarthabit.clock import local_today
from smarthabit.models import CheckIn, Habit, HabitPause, User
from tests.bot.conftest import Person, create_habit, eventually, sign_up, text_of
from tests.botapi import BotApiServer
from tests.imports.loop_export import SKIP, YES_MANUAL, build_loop_zip, sample_habits


async def test_export_sends_the_data_file(bot: object, botapi: BotApiServer, ada: Person) -> None:
    await sign_up(ada)
    await create_habit(ada, "Stretch")
    await ada.send("/export")
    message = await ada.expect("SmartHabit data")
    document = json.loads(botapi.document_bytes(message) or b"{}")
    assert document["format"] == "smarthabit-export"
    assert [h["name"] for h in document["habits"]] == ["Stretch"]


async def test_a_loop_zip_is_imported_once(bot: object, botapi: BotApiServer, ada: Person) -> None:
    user = await sign_up(ada)
    today = local_today(user.timezone)
    habits = sample_habits(today)
    data = build_loop_zip(habits, today)
    checkins = sum(1 for h in habits[:2] for v, _ in h.entries.values() if v == YES_MANUAL) + len(habits[2].entries)
    skips = sum(1 for v, _ in habits[0].entries.values() if v == SKIP)

    await botapi.send_document(ada.id, data, "Loop Habits CSV 2026-11-30.zip")
    reply = await ada.expect("Imported from Loop")
    assert f"3 new habits, {checkins} check-ins and {skips} pauses" in reply["text"]
    counts = (await Habit.filter(user_id=user.id).count(), await CheckIn.filter(habit__user_id=user.id).count(),
              await HabitPause.filter(habit__user_id=user.id).count())
    assert counts == (3, checkins, skips)

    await botapi.send_document(ada.id, data, "Loop Habits CSV 2026-11-30.zip")
    again = await ada.expect("Imported from Loop")
    assert "0 new habits, 0 check-ins" in again["text"] and "3 habits from an earlier import" in again["text"]
    assert counts == (await Habit.filter(user_id=user.id).count(), await CheckIn.filter(habit__user_id=user.id).count(),
                      await HabitPause.filter(habit__user_id=user.id).count())


async def test_a_broken_or_other_file_gets_a_friendly_answer(bot: object, botapi: BotApiServer, ada: Person) -> None:
    user = await sign_up(ada)
    await botapi.send_document(ada.id, b"PK\x03\x04broken", "backup.zip")
    assert "Nothing was changed" in (await ada.expect("couldn't import"))["text"]
    await botapi.send_document(ada.id, b"hello", "notes.txt", mime_type="text/plain")
    await ada.expect("Export as CSV")
    assert not await Habit.filter(user_id=user.id).exists()


async def test_an_import_refused_by_the_domain_is_told_in_the_users_language(
        bot: object, botapi: BotApiServer, ada: Person) -> None:
    """The domain's reason (English in the API) reaches a Russian speaker in Russian."""
    user = await sign_up(ada)
    await User.filter(id=user.id).update(language="ru")  # as /language would
    before = len(botapi.sent_to(ada.id))
    await botapi.send_document(ada.id, b"not a zip at all", "Loop Habits CSV.zip")
    await eventually(lambda: _more_than(botapi, ada.id, before))
    reply = text_of(botapi.sent_to(ada.id)[-1])
    assert "Файл не является читаемым zip-архивом" in reply and "readable zip" not in reply


async def _more_than(botapi: BotApiServer, chat_id: int, count: int) -> bool:
    return len(botapi.sent_to(chat_id)) > count
