"""Loopback Telegram Bot API server: lets the real python-telegram-bot run offline in tests."""

from tests.botapi.server import BotApiServer, Fault, RateLimit, RecordedRequest, Stats

__all__ = ["BotApiServer", "Fault", "RateLimit", "RecordedRequest", "Stats"]
