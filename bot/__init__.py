"""The Telegram bot: a python-telegram-bot Application over the shared SmartHabit domain."""
