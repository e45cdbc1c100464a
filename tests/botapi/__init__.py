"""Loopback Telegram Bot API server: lets the real python-telegram-bot run offline in tests."""

from tests.botapi.server import BotApiServer, RateLimit, RecordedRequest, Stats

__all__ = ["BotApiServer", "RateLimit", "RecordedRequest", "Stats"]
