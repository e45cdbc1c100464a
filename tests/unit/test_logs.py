"""Log lines: readable at a terminal, JSON elsewhere; the per-minute routine stays out of INFO."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from smarthabit.logs import ConsoleFormatter, JsonFormatter, configure_logging, wants_console


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_format_follows_log_format_or_the_terminal() -> None:
    assert wants_console("auto", _Terminal()) and not wants_console("auto", io.StringIO())
    assert wants_console("console", io.StringIO()) and not wants_console("json", _Terminal())


def test_both_formats_carry_the_event_and_its_fields() -> None:
    record = logging.makeLogRecord({"name": "smarthabit.api", "levelname": "INFO", "levelno": 20,
                                    "msg": "listening", "port": 8080})
    assert json.loads(JsonFormatter().format(record))["port"] == 8080
    line = ConsoleFormatter().format(record)
    assert "INFO" in line and "smarthabit.api: listening port=8080" in line and "{" not in line


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    yield io.StringIO()
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


@pytest.mark.parametrize(("level", "shown"), [("INFO", False), ("DEBUG", True)])
def test_the_schedulers_minute_lines_are_debug(captured: io.StringIO, level: str, shown: bool) -> None:
    configure_logging(level, "json")
    logging.getLogger().handlers[0].setStream(captured)
    logging.getLogger("taskiq.cli.scheduler.run").info("Sending task smarthabit.minute_scan")
    logging.getLogger("taskiq.receiver.receiver").info("Executing task smarthabit.minute_scan")
    logging.getLogger("taskiq.receiver.receiver").warning("a task failed")
    logging.getLogger("taskiq.receiver.receiver").info("Listening started.")  # once: stays INFO
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert [line["event"] for line in lines if line["level"] == "warning"] == ["a task failed"]
    assert [line["event"] for line in lines if line["level"] == "info"] == ["Listening started."]
    assert (len(lines) == 4) is shown
