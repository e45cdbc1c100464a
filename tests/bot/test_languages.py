"""The chat journey in every language: a person whose Telegram speaks it signs up, says a habit in
one sentence, checks in with a quick amount, reads the stats, and switches language in /settings.
Expected texts come from the catalogs themselves (`i18n.using`), so each step proves the language."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot import texts
from bot.app import BotApplication
from smarthabit import i18n
from smarthabit.models import CheckIn, Habit, User
from tests.bot.conftest import Person, eventually
from tests.botapi import BotApiServer

SENTENCES = {
    "en": "drink 8 glasses of water daily at 9:00",
    "ru": "пить 8 стаканов воды каждый день в 9:00",
    "es": "beber 8 vasos de agua todos los días a las 9:00",
    "de": "8 Gläser Wasser trinken täglich um 9 Uhr",
    "pt_BR": "beber 8 copos de água todo dia às 9:00",
    "hi": "रोज़ 8 गिलास पानी पीना 9:00 बजे",
}
TELEGRAM_CODES = {"en": "en", "ru": "ru", "es": "es-419", "de": "de", "pt_BR": "pt-br", "hi": "hi"}


def lead(text: str, size: int = 14) -> str:
    """The start of a translated text without its markup, to look for in the chat."""
    return re.sub(r"<[^>]+>", "", text)[:size]


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
async def test_journey_in_every_language(bot: BotApplication, botapi: BotApiServer, ada: Person,
                                         language: str) -> None:
    botapi.set_language(ada.id, TELEGRAM_CODES[language])
    with i18n.using(language):
        greeting_text, keep_utc = texts.greeting_new("Ada"), texts.TZ_KEEP_UTC
        card_head, save = texts.proposed_header(), texts.SAVE
        saved = texts.new_saved("")
        done_line = texts.today_header(date(2026, 1, 1), 0, 1).split("\n")[1][:12]
        settings_head = texts.settings(User(timezone="UTC")).split("\n")[0]
        headline = i18n._("You did {done} of {due} ({rate}).").format(done=1, due=1, rate="100%")
        caption = texts.weekly_caption("", 1, 1, 1.0).split(":", 1)[1].strip()[:12]
        which_language = texts.LANGUAGE_ASK

    greeting = await ada.say("/start", lead(greeting_text))
    assert BotApiServer.buttons(greeting)[0][0] == keep_utc
    assert (await ada.account()).language == language

    await ada.say("Berlin", "Europe/Berlin")
    card = await ada.say(SENTENCES[language], lead(card_head))
    assert BotApiServer.buttons(card)[0][0] == save
    await ada.tap(card, "hs:save")
    await ada.expect(lead(saved, 4))  # the card turns into the "saved" text
    habit = await Habit.get(user__telegram_user_id=ada.id)
    assert (habit.kind.value, habit.target, habit.schedule_kind.value) == ("measurable", 8, "daily")

    listing = await ada.say("/today", done_line)
    await ada.tap(listing, BotApiServer.buttons(listing)[0][1])
    question = await ada.expect(habit.name)
    target_button = next(data for label, data in BotApiServer.buttons(question) if data == "val:8")
    await ada.tap(question, target_button)
    await ada.expect("🔥")
    assert (await CheckIn.get(habit_id=habit.id)).value == 8

    await ada.say("/stats", headline)
    picture = await ada.expect(caption)
    assert (botapi.photo_bytes(picture) or b"").startswith(b"\x89PNG")

    screen = await ada.say("/settings", lead(settings_head))
    languages = await ada.tap_and_expect(screen, "set:lang", which_language)
    target = "ru" if language != "ru" else "de"
    await ada.tap(languages, f"lang:{target}")
    with i18n.using(target):
        switched = texts.language_set(i18n.LANGUAGES[target])
    await ada.expect(lead(switched))
    assert (await ada.account()).language == target
    await eventually(lambda: _chat_menu(botapi, ada.id))


async def _chat_menu(botapi: BotApiServer, chat_id: int) -> bool:
    return any(r.method == "setMyCommands" and r.params.get("scope") == {"type": "chat", "chat_id": chat_id}
               for r in botapi.requests)
