"""Counting the SQL statements a piece of code sends: the ORM logs each at DEBUG before it runs
(hand-written statements through `smarthabit.orm.fetch` too)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class _Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sql: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.sql.append(str(record.args[0]) if record.args else record.getMessage())


@contextmanager
def statements() -> Iterator[list[str]]:
    """The statements sent inside the block, in order (the list fills as they go)."""
    counter, logger = _Statements(), logging.getLogger("tortoise.db_client")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter.sql
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
