"""/start, the time-zone question, linking with `/start CODE`, /help, /link, /cancel and the menu."""

from __future__ import annotations

from datetime import timedelta

from bot import texts
from bot.app import BotApplication
from smarthabit.accounts import create_link_code
from smarthabit.clock import utcnow
from smarthabit.models import Habit, TelegramLinkCode, User
from tests.bot.conftest import Person, create_habit, eventually, text_of
from tests.botapi import BotApiServer


async def test_menu_is_registered_on_start(bot: BotApplication, botapi: BotApiServer) -> None:
    calls = [r for r in botapi.requests if r.method == "setMyCommands"]
    assert all(call.status == 200 for call in calls)
    by_language = {call.params.get("language_code"): call.params["commands"] for call in calls}
    assert set(by_language) == {None, "ru", "es", "de", "pt", "hi"}  # English is the default menu
    for commands in by_language.values():
        assert [c["command"] for c in commands] == [name for name, _ in texts.COMMANDS]
    assert by_language["ru"][0]["description"] != by_language[None][0]["description"]


async def test_first_start_creates_account_and_asks_time_zone(bot: BotApplication, ada: Person) -> None:
    greeting = await ada.say("/start", "Hi Ada")
    assert "time zone" in text_of(greeting)
    user = await ada.account()
    assert (user.telegram_chat_id, user.display_name, user.timezone) == (ada.id, "Ada", "UTC")

    unknown = await ada.say("Xyzzyville", "I don't know a time zone")
    assert BotApiServer.buttons(unknown) == [(texts.TZ_KEEP_UTC, "tz:UTC")]
    suggestions = await ada.say("Berln", "Did you mean")
    assert ("Europe/Berlin", "tz:Europe/Berlin") in BotApiServer.buttons(suggestions)
    await ada.tap(suggestions, "tz:Europe/Berlin")
    done = await ada.expect("Time zone set")
    assert "Europe/Berlin" in text_of(done) and done["message_id"] == suggestions["message_id"]  # edited in place
    assert (await ada.account()).timezone == "Europe/Berlin"

    # The question is answered: plain text is the /today default again.
    await ada.say("hi", "no habits yet")

    # A second /start greets; typed zones work from /settings too.
    await ada.say("/start", "Welcome back, Ada")
    assert await User.filter(telegram_user_id=ada.id).count() == 1


async def test_typed_city_and_iana_name_are_understood(bot: BotApplication, ada: Person, bob: Person) -> None:
    await ada.say("/start", "time zone")
    await ada.say("new york", "America/New_York")
    await bob.say("/start", "time zone")
    await bob.say("Asia/tokyo", "Asia/Tokyo")
    assert (await ada.account()).timezone == "America/New_York"
    assert (await bob.account()).timezone == "Asia/Tokyo"


async def test_start_with_link_code(bot: BotApplication, ada: Person, bob: Person) -> None:
    app_user = await User.create(email="ada@example.com", timezone="Europe/Paris")
    code, _ = await create_link_code(app_user, timedelta(minutes=10))

    wrong = await ada.say("/start WRONGCODE1", "wrong or has expired")
    assert "/start CODE" in text_of(wrong)
    assert not await User.filter(telegram_user_id=ada.id).exists()

    await ada.say(f"/start {code.lower()}", "Linked!")
    linked = await User.get(id=app_user.id)
    assert (linked.telegram_user_id, linked.telegram_chat_id) == (ada.id, ada.id)
    assert await TelegramLinkCode.filter(user_id=app_user.id, used_at__isnull=False).count() == 1
    await ada.say("/link", "ada@example.com")

    # A used code and an expired one are refused the same way.
    await bob.say(f"/start {code}", "wrong or has expired")
    other = await User.create(email="bob@example.com")
    expired, _ = await create_link_code(other, timedelta(minutes=10), now=utcnow() - timedelta(hours=1))
    await bob.say(f"/start {expired}", "wrong or has expired")
    assert (await User.get(id=other.id)).telegram_user_id is None


async def test_link_merges_a_telegram_only_account(bot: BotApplication, ada: Person) -> None:
    await ada.say("/start", "time zone")
    await ada.say("UTC", "Time zone set")
    await create_habit(ada, "Read")
    app_user = await User.create(email="ada@example.com")
    code, _ = await create_link_code(app_user, timedelta(minutes=10))
    await ada.say(f"/start {code}", "Linked!")
    assert await Habit.filter(user_id=app_user.id, name="Read").exists()
    assert await User.filter(telegram_user_id=ada.id).count() == 1


async def test_help_link_cancel_and_unknown_commands(bot: BotApplication, ada: Person) -> None:
    help_text = text_of(await ada.say("/help", "What I can do"))
    for name, _ in texts.COMMANDS:
        assert name == "help" or f"/{name}" in help_text
    await ada.say("/link", "Telegram only")
    await ada.say("/cancel", "Nothing to cancel")
    await ada.say("/frobnicate", "don't know that command")


async def test_cancel_leaves_the_time_zone_question(bot: BotApplication, ada: Person) -> None:
    await ada.say("/start", "time zone")
    await ada.say("/cancel", "Cancelled")
    await ada.say("Berlin", "no habits yet")  # no longer an answer: the /today default
    await eventually(lambda: _timezone_is(ada, "UTC"))


async def _timezone_is(person: Person, zone_name: str) -> bool:
    return (await person.account()).timezone == zone_name
