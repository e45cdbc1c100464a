"""Conversation states, named. They are persisted in `bot_state`, so renaming one strands chats in it."""

# The "prompts" conversation: one question, one typed answer.
ASK_TIMEZONE = "ask_timezone"
ASK_VALUE = "ask_value"
ASK_RENAME = "ask_rename"
ASK_REMINDER = "ask_reminder"
ASK_PAUSE = "ask_pause"
ASK_QUIET = "ask_quiet"
ASK_NOTE = "ask_note"

# The "new_habit" conversation (/new).
NEW_NAME = "new_name"
NEW_KIND = "new_kind"
NEW_TARGET = "new_target"
NEW_SCHEDULE = "new_schedule"
NEW_REMINDER = "new_reminder"
NEW_CONFIRM = "new_confirm"

# user_data keys (plain JSON, see bot.persistence).
PROMPT = "prompt"
DRAFT = "draft"
