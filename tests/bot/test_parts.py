"""The bot's parts on their own: persistence rows, callback grammar, parsers, time zones, charts."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot import callbacks
from bot.handlers.new_habit import parse_target
from bot.handlers.settings import parse_quiet_hours
from bot.parsing import parse_date, parse_number, parse_time
from bot.persistence import DatabasePersistence
from bot.timezones import resolve
from smarthabit.models import BotState, TargetDirection
from smarthabit.wording import CheckinTap


async def test_persistence_round_trip(db: str) -> None:
    stored = DatabasePersistence()
    await stored.update_user_data(1001, {"draft": {"name": "Read", "schedule": {"kind": "daily"}}})
    await stored.update_chat_data(1001, {"k": 1})
    await stored.update_bot_data({"version": 1})
    await stored.update_conversation("new_habit", (1001, 1001), "new_schedule")
    await stored.update_conversation("prompts", (1001, 1001), "ask_value")
    await stored.update_callback_data(([("uuid", 1.5, {"a": "b"})], {"q": "uuid"}))

    loaded = DatabasePersistence()  # a fresh process
    assert await loaded.get_user_data() == {1001: {"draft": {"name": "Read", "schedule": {"kind": "daily"}}}}
    assert await loaded.get_chat_data() == {1001: {"k": 1}}
    assert await loaded.get_bot_data() == {"version": 1}
    assert await loaded.get_conversations("new_habit") == {(1001, 1001): "new_schedule"}
    assert await loaded.get_callback_data() == ([("uuid", 1.5, {"a": "b"})], {"q": "uuid"})

    await loaded.update_conversation("new_habit", (1001, 1001), None)  # the conversation ended
    await loaded.drop_user_data(1001)
    assert await DatabasePersistence().get_conversations("new_habit") == {}
    assert await DatabasePersistence().get_user_data() == {}
    assert await DatabasePersistence().get_conversations("prompts") == {(1001, 1001): "ask_value"}


async def test_unchanged_data_is_not_written_again(db: str) -> None:
    stored = DatabasePersistence()
    await stored.update_bot_data({"a": 1})
    first = (await BotState.get(kind="bot_data")).updated_at
    await stored.update_bot_data({"a": 1})
    assert (await BotState.get(kind="bot_data")).updated_at == first


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("checkin:12:2026-11-24", CheckinTap(12, date(2026, 11, 24), False, False)),
        ("checkin:12:2026-11-24:undo:list", CheckinTap(12, date(2026, 11, 24), True, True)),
        ("checkin:12:2026-11-24:list", CheckinTap(12, date(2026, 11, 24), False, True)),
        ("checkin:12:2026-02-30", None),
        ("checkin:012:2026-11-24", None),
        ("checkin:-1:2026-11-24", None),
        ("checkin:9999999999:2026-11-24", None),
        ("checkin:12:2026-11-24:list:undo", None),
        ("checkin:12:2026-11-24 ", None),
        ("checkin:12", None),
        (None, None),
    ],
)
def test_checkin_data_is_parsed_strictly(data: str | None, expected: CheckinTap | None) -> None:
    assert callbacks.parse_checkin(data) == expected


def test_checkin_data_matches_the_workers_format() -> None:
    assert callbacks.checkin(7, date(2026, 1, 2)) == "checkin:7:2026-01-02"
    assert len(callbacks.checkin(2**31 - 1, date(2026, 1, 2), undo=True, in_list=True).encode()) <= 64


def test_other_button_data() -> None:
    assert callbacks.parse_habit("hab:5:sk:times_per_week") == callbacks.Action(5, "sk", "times_per_week")
    assert callbacks.parse_habit("hab:5") == callbacks.Action(5, "card", None)
    assert callbacks.parse_habit("hab:5:del:yes:more") is None
    assert callbacks.parse_timezone("tz:Europe/Berlin") == "Europe/Berlin"
    assert callbacks.parse_timezone("tz:../../etc/passwd") is None
    assert callbacks.parse_mask("128") is None and callbacks.parse_mask("127") == 127
    assert callbacks.parse_times("8") is None and callbacks.parse_times("7") == 7


def test_typed_answers() -> None:
    assert parse_time("7:30") == time(7, 30) and parse_time("07.05") == time(7, 5)
    assert parse_time("21h15") == time(21, 15)
    assert parse_time("25:99") is None and parse_time("24:00") is None and parse_time("noon") is None
    assert parse_number("2,5") == 2.5 and parse_number("nan") is None and parse_number("inf") is None
    assert parse_date("2026-12-24") == date(2026, 12, 24) and parse_date("24.12.2026") == date(2026, 12, 24)
    assert parse_date("2026-02-30") is None and parse_date("tomorrow") is None
    assert parse_target("8 glasses") == (8, "glasses", TargetDirection.AT_LEAST)
    assert parse_target("at most 2 coffees") == (2, "coffees", TargetDirection.AT_MOST)
    assert parse_target("30") == (30, None, TargetDirection.AT_LEAST)
    assert parse_target("many") is None
    assert parse_quiet_hours("22:00-07:00") == ("22:00", "07:00")
    assert parse_quiet_hours("23:00 to 6:30") == ("23:00", "06:30")
    assert parse_quiet_hours("22:00") is None


@pytest.mark.parametrize(
    ("typed", "zone_name"),
    [("Berlin", "Europe/Berlin"), ("europe/berlin", "Europe/Berlin"), ("new york", "America/New_York"),
     ("Buenos Aires", "America/Argentina/Buenos_Aires"), ("São Paulo", "America/Sao_Paulo"),
     ("Zürich", "Europe/Zurich"),
     ("UTC+3", "Etc/GMT-3"), ("Munich", "Europe/Berlin"), ("Paris, France", "Europe/Paris")],
)
def test_time_zone_from_typed_text(typed: str, zone_name: str | None) -> None:
    assert resolve(typed).zone == zone_name


def test_time_zone_suggestions() -> None:
    assert "Europe/Berlin" in resolve("Berln").suggestions
    assert "Europe/London" in resolve("Londn").suggestions
    assert resolve("Xyzzyville") == resolve("Xyzzyville").__class__(None, ())
