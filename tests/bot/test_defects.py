"""The defects a real chat found (issue 17's D1–D13), each driven as the person met it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from telegram import Update

from bot import texts
from bot.app import BotApplication
from bot.handlers.new_habit import parse_target
from bot.parsing import Ambiguous, parse_amount
from bot.timezones import resolve
from smarthabit import checkins, i18n, stats
from smarthabit.clock import local_today
from smarthabit.insights import HabitHistory, summary_sentences, weekly_insight
from smarthabit.models import CheckIn, Habit, TargetDirection, User
from smarthabit.schedule import Schedule, ScheduleKind
from smarthabit.wording import CheckinTap
from tests.bot.conftest import Person, eventually, sign_up, text_of
from tests.botapi import BotApiServer

MONDAY = date(2026, 11, 23)


# -- D1: thousands separators per locale -----------------------------------------------------------

@pytest.mark.parametrize(("language", "typed", "expected"), [
    ("en", "10,000 steps", 10000.0), ("en", "1,234", 1234.0), ("de", "10.000 Schritte", 10000.0),
    ("ru", "10 000 шагов", 10000.0), ("hi", "1,00,000", 100000.0),
])
def test_d1_thousands_follow_the_locale(language: str, typed: str, expected: float) -> None:
    with i18n.using(language):
        target = parse_target(typed)
    assert target is not None and target[0] == expected


@pytest.mark.parametrize(("language", "typed", "expected"), [("de", "1,5", 1.5), ("en", "2.5 km", 2.5)])
def test_decimals_stay_decimals(language: str, typed: str, expected: float) -> None:
    """A guard beside D1 (it passed before the fix too): a decimal comma or point is not a thousands sign."""
    with i18n.using(language):
        target = parse_target(typed)
    assert target is not None and target[0] == expected


def test_d1_an_ambiguous_number_is_a_question() -> None:
    with i18n.using("ru"):
        assert parse_amount("1.234") == Ambiguous(1234.0, 1.234)
        assert "1234" in texts.value_ambiguous(1234.0, 1.234).replace("\u00a0", "").replace(" ", "")


async def test_d1_a_logged_value_keeps_its_thousands(bot: BotApplication, ada: Person) -> None:
    await sign_up(ada)
    card = await ada.say("walk 10,000 steps daily", "Save")
    await ada.tap(card, "hs:save")
    await ada.expect("Saved")
    habit = await Habit.get(user__telegram_user_id=ada.id)
    assert habit.target == 10000
    listing = await ada.say("/today", "0 of 1 done")
    await ada.tap(listing, BotApiServer.buttons(listing)[0][1])
    await ada.expect("How much")
    await ada.say("1,234", "short of the target")
    assert (await CheckIn.get(habit_id=habit.id)).value == 1234


# -- D2: "at most" habits ----------------------------------------------------------------------------

async def test_d2_over_a_limit_is_a_miss_and_says_so(bot: BotApplication, ada: Person) -> None:
    await sign_up(ada)
    card = await ada.say("at most 2 coffees a day", "Save")
    await ada.tap(card, "hs:save")
    await ada.expect("Saved")
    listing = await ada.say("/today", "0 of 1 done")
    await ada.tap(listing, BotApiServer.buttons(listing)[0][1])
    question = await ada.expect("How much")
    assert ("1 coffee", "val:1") in BotApiServer.buttons(question)  # one coffee, not "1 coffees"
    answer = await ada.say("3", "over the limit")
    assert "short of the target" not in text_of(answer) and "◐" not in text_of(answer)
    listing = await ada.expect("0 of 1 done")
    assert BotApiServer.buttons(listing)[0][0].startswith("❌ Coffees 3/2")


def test_d2_one_of_a_unit_is_singular() -> None:
    with i18n.using("en"):
        assert texts.amount(1, "coffees") == "1 coffee" and texts.amount(2, "coffees") == "2 coffees"


# -- D3: a note may span lines -----------------------------------------------------------------------
# (tests/bot/test_checkins.py::test_reply_notes sends a two-line note.)


# -- D4: an account is asked for its zone until it confirms one ----------------------------------------

async def test_d4_a_first_message_other_than_start_asks_the_zone(bot: BotApplication, ada: Person) -> None:
    await ada.say("hello there", "where are you")
    assert not (await ada.account()).timezone_confirmed
    await ada.say("Kolkata", "Asia/Kolkata")
    user = await ada.account()
    assert user.timezone == "Asia/Kolkata" and user.timezone_confirmed
    await ada.say("hi", "no habits yet")  # asked once: now the /today default


@pytest.mark.parametrize("command", ["/new", "/habits", "/stats", "/today"])
async def test_d4_a_first_command_asks_the_zone_first(bot: BotApplication, ada: Person, command: str) -> None:
    await ada.say(command, "where are you")
    await ada.say("UTC+5:45", "Asia/Kathmandu")
    await ada.say(command, "What habit" if command == "/new" else "")


async def test_d4_a_first_start_with_a_code_asks_the_zone_too(bot: BotApplication, ada: Person) -> None:
    from smarthabit.accounts import create_link_code

    app_user = await User.create(email="ada@example.com")
    code, _ = await create_link_code(app_user, timedelta(minutes=10))
    await ada.say(f"/start {code}", "Linked!")
    await ada.expect("where are you")
    await ada.say("Lisbon", "Europe/Lisbon")
    assert (await User.get(id=app_user.id)).timezone_confirmed


# -- D5: one start rule: the first check-in or the creation, whichever is earlier ------------------------

async def test_d5_back_filled_days_count_everywhere(db: str) -> None:
    user = await User.create(telegram_user_id=77, timezone="UTC", timezone_confirmed=True)
    today = local_today("UTC")
    habit = await Habit.create(user=user, name="Read", start_day=today)
    await checkins.check_in(user.id, habit.id, day=today - timedelta(days=3))
    history = await stats.habit_history(habit)
    assert history.created == today - timedelta(days=3)
    from bot import charts

    states, _ = charts.year_cells(history, today)
    back = today - timedelta(days=3)
    column = charts.YEAR_WEEKS - 1 - ((today - today.weekday() * timedelta(days=1)) - (back - back.weekday()
                                                                                        * timedelta(days=1))).days // 7
    assert states[back.weekday(), column] == charts.DONE


# -- D7: offsets, countries, a shared location -------------------------------------------------------------

@pytest.mark.parametrize(("typed", "zone"), [
    ("UTC+5:30", "Asia/Kolkata"), ("+05:45", "Asia/Kathmandu"), ("India", "Asia/Kolkata"),
    ("Индия", "Asia/Kolkata"), ("Deutschland", "Europe/Berlin"), ("भारत", "Asia/Kolkata"),
    ("Vietnam", "Asia/Ho_Chi_Minh"),
])
def test_d7_offsets_and_countries(typed: str, zone: str) -> None:
    assert resolve(typed).zone == zone


def test_whole_hour_offsets_still_work() -> None:
    """A guard beside D7 (whole hours worked before the fix too; POSIX Etc zones invert the sign)."""
    assert [resolve(typed).zone for typed in ("GMT-3", "UTC+0", "+3")] == ["Etc/GMT+3", "UTC", "Etc/GMT-3"]


def test_d7_a_country_of_many_zones_offers_its_main_one_first() -> None:
    assert resolve("Brasil").suggestions[0] == "America/Sao_Paulo"


async def test_d7_a_shared_location_sets_the_zone(bot: BotApplication, botapi: BotApiServer, ada: Person) -> None:
    await ada.say("/start", "where are you")
    await botapi.send_location(ada.id, 28.61, 77.21)  # New Delhi
    await ada.expect("Asia/Kolkata")
    assert (await ada.account()).timezone == "Asia/Kolkata"


# -- D8: the greeting's "Keep UTC" dies once a city was typed ----------------------------------------------

async def test_d8_keep_utc_is_dead_after_a_typed_city(bot: BotApplication, ada: Person) -> None:
    greeting = await ada.say("/start", "where are you")
    await ada.say("Berlin", "Europe/Berlin")
    before = len(ada.callback_answers())
    await ada.tap(greeting, "tz:UTC", forged=True)  # the button as an old client still shows it
    await eventually(lambda: _answer_count(ada, before + 1))
    assert "no longer valid" in (ada.callback_answers()[before] or "")
    assert (await ada.account()).timezone == "Europe/Berlin"
    stripped = next(m for m in ada.server.sent_to(ada.id) if m["message_id"] == greeting["message_id"])
    assert BotApiServer.buttons(stripped) == []


# -- D9: one prompt per habit ---------------------------------------------------------------------------

async def test_d9_five_quick_taps_open_one_prompt(bot: BotApplication, botapi: BotApiServer, ada: Person) -> None:
    await sign_up(ada)
    card = await ada.say("drink 8 glasses of water daily", "Save")
    await ada.tap(card, "hs:save")
    await ada.expect("Saved")
    listing = await ada.say("/today", "0 of 1 done")
    data = BotApiServer.buttons(listing)[0][1]
    before = len(ada.callback_answers())
    for _ in range(5):
        await ada.tap(listing, data)
    await eventually(lambda: _answer_count(ada, before + 5))
    prompts = [m for m in botapi.sent_to(ada.id) if "How much" in text_of(m)]
    assert len(prompts) == 1
    assert sum(1 for a in ada.callback_answers() if a and "amount below" in a) == 4


# -- D10: like with like, and good news first --------------------------------------------------------------

def _daily(done: set[date], created: date, schedule: Schedule | None = None, name: str = "Read") -> HabitHistory:
    return HabitHistory(1, name, schedule or Schedule(ScheduleKind.DAILY), frozenset(done), (), created)


def test_d10_monday_is_compared_with_last_monday() -> None:
    """Done last Monday only, and this Monday: on Monday that is "same as last week" (1 of 1 against
    1 of 1), not "up 86 points" against last week's 1 of 7."""
    insight = weekly_insight([_daily({MONDAY - timedelta(days=7), MONDAY}, MONDAY - timedelta(days=30))],
                             MONDAY, MONDAY)
    assert (insight.done, insight.scheduled, insight.previous_rate, insight.change) == (1, 1, 1.0, 0.0)
    assert "same as last week" in summary_sentences(insight)[0]


def test_d10_a_three_times_a_week_habit_does_not_need_attention_after_one_day() -> None:
    tpw = _daily(set(), MONDAY - timedelta(days=30), Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=3), "Gym")
    read = _daily({MONDAY}, MONDAY - timedelta(days=30))
    lines = summary_sentences(weekly_insight([read, tpw], MONDAY, MONDAY))
    assert not any("Needs attention" in line for line in lines)


def test_d10_a_new_account_gets_an_invitation_not_zero_percent() -> None:
    lines = summary_sentences(weekly_insight([_daily(set(), MONDAY + timedelta(days=2))], MONDAY,
                                             MONDAY + timedelta(days=2)))
    assert not any("0%" in line for line in lines) and "fresh start" in lines[0]


# -- D11: settings speak for themselves and refresh ----------------------------------------------------------

async def test_d11_settings_ask_their_own_question_and_refresh(bot: BotApplication, ada: Person) -> None:
    await sign_up(ada)
    screen = await ada.say("/settings", "Settings")
    question = await ada.tap_and_expect(screen, "set:tz", "Send your")
    assert "First, where are you" not in text_of(question)
    refreshed = await ada.say("Tokyo", "Settings")
    assert "Asia/Tokyo" in text_of(refreshed) and BotApiServer.buttons(refreshed)


# -- not text, and a group ------------------------------------------------------------------------------------

async def test_photos_get_a_short_answer(bot: BotApplication, botapi: BotApiServer, ada: Person) -> None:
    await sign_up(ada)
    await botapi.send_photo(ada.id)
    await ada.expect("I read text here")
    await ada.say("/new", "What habit")
    await botapi.send_photo(ada.id)
    await ada.expect("type the name")


async def test_edited_messages_are_ignored(bot: BotApplication, botapi: BotApiServer, ada: Person) -> None:
    """Edits are ignored, always: the bot never asks Telegram for them (every getUpdates names the
    update types it wants), and one that arrives anyway (a webhook registered by hand) is dropped by
    the private-chat guard: the original message was answered already."""
    await sign_up(ada)
    sent = await ada.send("/today")
    await ada.expect("no habits yet")
    polls = [r.params.get("allowed_updates") for r in botapi.requests if r.method == "getUpdates"]
    assert polls and all(wanted and "edited_message" not in wanted for wanted in polls)
    await botapi.edit_text(ada.id, sent["message"]["message_id"], "drink 8 glasses of water daily")
    edited = {**sent["message"], "text": "drink 8 glasses of water daily", "edit_date": sent["message"]["date"] + 5}
    before = len(botapi.sent_to(ada.id))
    await bot.update_queue.put(Update.de_json({"update_id": 10**9, "edited_message": edited}, bot.bot))
    await ada.say("/help", "What I can do")  # answered in order: the edit before it got nothing
    assert len(botapi.sent_to(ada.id)) == before + 1


async def test_a_group_gets_one_polite_note(bot: BotApplication, botapi: BotApiServer) -> None:
    group = -4242
    await botapi.send_group_text(group, 1001, "/start")
    note = await botapi.wait_for_message(group, None, 5.0)
    assert "private chat" in text_of(note)
    await botapi.send_group_text(group, 1002, "hello bot")
    await botapi.send_group_text(group, 1001, "/today")
    private = Person(botapi, 1003, "Cy")
    await private.say("/help", "What I can do")  # updates are handled in order: the group's came first
    assert len(botapi.sent_to(group)) == 1
    assert not await User.filter(telegram_user_id__in=[1001, 1002]).exists()


async def _answered(person: Person, text: str) -> bool:
    return any(text in (answer or "") for answer in person.callback_answers())


async def _answer_count(person: Person, count: int) -> bool:
    return len(person.callback_answers()) >= count


def test_checkin_tap_is_one_definition() -> None:
    from bot import callbacks
    from tasks.texts import checkin_callback

    day = date(2026, 11, 25)
    assert callbacks.parse_checkin(checkin_callback(5, day)) == CheckinTap(5, day, False, False)
    assert TargetDirection.AT_MOST.value == "at_most"
