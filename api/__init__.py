"""The aiohttp REST API (and, in webhook mode, the Telegram update endpoint)."""
