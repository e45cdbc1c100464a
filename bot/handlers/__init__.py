"""Handler registration: which update goes where.

Groups, in the order python-telegram-bot tries them (one handler per group may take an update):

* GUARD: private chats only; membership changes (blocked / unblocked).
* PROMPTS: the "prompts" conversation. Its entry points are /start and every inline button except
  the /new form's; a button either acts at once or asks one question whose typed answer this
  conversation takes next.
* NEW_HABIT: the /new form.
* MAIN: plain commands, plain text (→ /today), replies (→ notes), leftovers.

A conversation callback that handled an update stops it (`common.final`), so text answering a
question never reaches /today. Any other command leaves an open conversation quietly and then runs,
and /cancel leaves the innermost one. Both conversations are persistent when the application has
persistence, so a restart resumes them.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import callbacks, texts
from bot.handlers import (
    common,
    errors,
    habits,
    new_habit,
    notes,
    sentence,
    settings,
    start,
    states,
    stats,
    today,
    transfer,
    web,
)
from bot.handlers.common import NOT_TEXT, PLAIN_TEXT, final, on_button, on_text


def _conversation(**kwargs: Any) -> ConversationHandler[Any]:
    # Button entry points in a per-chat conversation make python-telegram-bot warn that buttons are
    # not tracked per message; that is intended here (one open question per chat).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(allow_reentry=True, **kwargs)


def _prompt_answer(callback: common.Callback) -> MessageHandler[Any, Any]:
    return on_text(callback, states.PROMPT, stale=today.plain_text)


def _form_answer(callback: common.Callback) -> MessageHandler[Any, Any]:
    return on_text(callback, states.DRAFT, stale=today.plain_text)


def prompts(persistent: bool) -> ConversationHandler[Any]:
    """Buttons, and the single typed answer some of them ask for."""
    return _conversation(
        name="prompts",
        persistent=persistent,
        entry_points=[
            CommandHandler("start", final(start.start)),
            on_button(settings.language_button, callbacks.LANGUAGE_PATTERN),
            on_button(sentence.proposal_button, callbacks.PROPOSAL_PATTERN),
            on_button(today.day_button, callbacks.DAY_PATTERN),
            on_button(today.checkin_tap, callbacks.CHECKIN_PATTERN),
            on_button(habits.habit_button, callbacks.HABIT_PATTERN),
            on_button(habits.list_button, rf"^{callbacks.HABITS_LIST}$"),
            on_button(settings.settings_button, callbacks.SETTINGS_PATTERN),
            on_button(start.choose_timezone, callbacks.TIMEZONE_PATTERN),
        ],
        states={
            states.ASK_TIMEZONE: [_prompt_answer(start.timezone_answer),
                                  MessageHandler(filters.LOCATION, final(start.location_answer))],
            states.ASK_VALUE: [_prompt_answer(today.value_answer),
                               on_button(today.quick_value_button, callbacks.VALUE_PATTERN)],
            states.ASK_RENAME: [_prompt_answer(habits.rename_answer)],
            states.ASK_REMINDER: [_prompt_answer(habits.reminder_answer)],
            states.ASK_PAUSE: [_prompt_answer(habits.pause_answer)],
            states.ASK_QUIET: [_prompt_answer(settings.quiet_answer)],
            states.ASK_NOTE: [_prompt_answer(notes.note_answer)],
        },
        fallbacks=[
            CommandHandler("cancel", common.canceller(states.PROMPT)),
            MessageHandler(filters.COMMAND, common.leaver(states.PROMPT)),
        ],
    )


def new_habit_form(persistent: bool) -> ConversationHandler[Any]:
    """/new, step by step."""
    schedule_buttons = r"^new:(sk|wd|wdok|tpw):"
    return _conversation(
        name="new_habit",
        persistent=persistent,
        entry_points=[CommandHandler("new", final(new_habit.start_new)),
                      on_button(sentence.change_button, callbacks.PROPOSAL_CHANGE)],
        states={
            states.NEW_NAME: [_form_answer(new_habit.name_answer),
                              MessageHandler(NOT_TEXT, final(new_habit.type_the_name))],
            states.NEW_KIND: [on_button(new_habit.kind_button, r"^new:kind:"), _form_answer(new_habit.use_buttons)],
            states.NEW_TARGET: [_form_answer(new_habit.target_answer),
                                on_button(new_habit.keep_button, r"^new:keep:target$")],
            states.NEW_SCHEDULE: [on_button(new_habit.schedule_button, schedule_buttons),
                                  on_button(new_habit.keep_button, r"^new:keep:sched$"),
                                  _form_answer(new_habit.use_buttons)],
            states.NEW_REMINDER: [_form_answer(new_habit.reminder_answer),
                                  on_button(new_habit.no_reminder_button, r"^new:rem:none$"),
                                  on_button(new_habit.keep_button, r"^new:keep:rem$")],
            states.NEW_CONFIRM: [on_button(new_habit.save_button, r"^new:save$"),
                                 on_button(new_habit.cancel_button, r"^new:cancel$"),
                                 _form_answer(new_habit.use_buttons)],
        },
        fallbacks=[
            CommandHandler("cancel", common.canceller(states.DRAFT)),
            MessageHandler(filters.COMMAND, common.leaver(states.DRAFT)),
        ],
    )


async def _stale_button(update: Update, context: common.Context) -> None:
    """A button nobody handles any more (an old form's, or a forged one)."""
    await common.answer(update, texts.BUTTON_EXPIRED)


def register(application: Application[Any, Any, Any, Any, Any, Any], *, persistent: bool) -> None:
    """Add every handler and the error handler to the application."""
    application.add_handler(TypeHandler(Update, errors.private_only), common.GUARD_GROUP)
    application.add_handler(ChatMemberHandler(errors.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
                            common.GUARD_GROUP - 1)
    application.add_handler(prompts(persistent), common.PROMPTS_GROUP)
    application.add_handler(new_habit_form(persistent), common.NEW_HABIT_GROUP)
    main = [
        CommandHandler("today", today.today),
        CommandHandler("habits", habits.habits_command),
        CommandHandler("stats", stats.stats_command),
        CommandHandler("settings", settings.settings_command),
        CommandHandler("language", settings.language_command),
        CommandHandler("help", start.help_command),
        CommandHandler("link", start.link_command),
        CommandHandler("web", web.web_command),
        CommandHandler("export", transfer.export_command),
        MessageHandler(filters.Document.ALL, transfer.document_received),
        CommandHandler("cancel", start.cancel_outside),
        MessageHandler(filters.COMMAND, start.unknown_command),
        MessageHandler(PLAIN_TEXT, today.plain_text),
        MessageHandler(filters.LOCATION, start.location_outside),
        MessageHandler(NOT_TEXT, start.not_text),
        CallbackQueryHandler(_stale_button),
    ]
    application.add_handlers(main, common.MAIN_GROUP)
    application.add_handler(TypeHandler(Update, errors.went_through), common.LAST_GROUP)
    application.add_error_handler(errors.on_error)
