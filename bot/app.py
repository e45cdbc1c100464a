"""The bot's factory: one function builds the whole python-telegram-bot Application.

The same Application runs three ways: `smarthabit bot` (long polling, owns the database),
`smarthabit run` (polling inside the API's event loop, the API owns the database) and webhook mode
(no updater; the API feeds `application.update_queue`). Only the factory's flags differ.
"""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, Defaults, PersistenceInput

from bot import texts
from bot.handlers import register
from bot.limiter import BudgetRateLimiter
from bot.persistence import DEFAULT_UPDATE_INTERVAL, DatabasePersistence
from bot.updates import ChatOrderedProcessor, SharedChatState
from bot.webapp import KEY as WEB_APP_KEY
from bot.webapp import WebApp, web_app
from smarthabit import i18n
from smarthabit.config import Settings, redis_namespace
from smarthabit.orm import close_database, open_database
from smarthabit.telegram_budget import DEFAULT_CHAT_INTERVAL, messages_per_second

RATE_LIMIT_RETRIES = 3

BotApplication = Application[Any, Any, Any, Any, Any, Any]


class StandaloneApplication(Application):  # type: ignore[type-arg]
    """An Application that opens the database itself, for `smarthabit bot`.

    The database has to be open before `initialize()`, because that is where the persistence loads
    the saved conversations; `post_init` would run too late. It is closed after `shutdown()`, once
    the persistence has written its last changes.
    """

    def __init__(self, *, db_url: str, create_schema: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._db_url = db_url
        self._create_schema = create_schema
        self._db_open = False

    async def initialize(self) -> None:
        if not self._db_open:
            await open_database(self._db_url, create_schema=self._create_schema)
            self._db_open = True
        await super().initialize()

    async def shutdown(self) -> None:
        try:
            await super().shutdown()
        finally:
            if self._db_open:
                await close_database()
                self._db_open = False


async def register_commands(application: BotApplication) -> None:
    """post_init: the command menu people see next to the text field, in each language we speak
    (Telegram picks it by the app's language; English is the default)."""
    for language in i18n.LANGUAGES:
        with i18n.using(language):
            commands = [BotCommand(name, about) for name, about in texts.commands()]
        code = None if language == i18n.DEFAULT else language[:2]
        await application.bot.set_my_commands(commands, language_code=code)
    app = web_app(application.bot_data)
    menu_button = app.menu_button() if app is not None else None
    if menu_button is not None:
        await application.bot.set_chat_menu_button(menu_button=menu_button)


def build_application(
    settings: Settings,
    *,
    persistence: bool = True,
    updater: bool = True,
    manage_database: bool = False,
    persistence_interval: float = DEFAULT_UPDATE_INTERVAL,
    chat_interval: float = DEFAULT_CHAT_INTERVAL,
) -> BotApplication:
    """Build the bot from settings.

    persistence: keep conversations and user data in the `bot_state` table (restart-safe).
    updater: False for webhook mode, where the API puts updates into `update_queue`; each chat's
    state is then read from the database around every update (`bot.updates.SharedChatState`).
    Updates of different chats run concurrently, one chat's in order (`bot.updates`).
    manage_database: True only when the bot runs on its own (`smarthabit bot`); embedded in the
    API process (or in tests) the caller owns the ORM connection.
    chat_interval: seconds between two messages to one chat (Telegram's limit; tests may shorten it).
    """
    token = settings.bot_token
    if token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_url.rstrip("/") + "/bot")
        .base_file_url(settings.telegram_api_url.rstrip("/") + "/file/bot")
        .rate_limiter(BudgetRateLimiter(token, settings.redis_url, max_retries=RATE_LIMIT_RETRIES,
                                        chat_interval=chat_interval,
                                        global_rate=messages_per_second(settings.telegram_paid_broadcast_rate)))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(register_commands)
    )
    if manage_database:
        builder = builder.application_class(
            StandaloneApplication, {"db_url": settings.db_url, "create_schema": not settings.uses_postgres}
        )
    # bot_data holds this start's configuration (the web app's URL), not state worth keeping.
    store = DatabasePersistence(update_interval=persistence_interval,
                                store_data=PersistenceInput(bot_data=False)) if persistence else None
    processor = ChatOrderedProcessor()
    builder = builder.concurrent_updates(processor)
    if store is not None:
        builder = builder.persistence(store)
    if not updater:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data[WEB_APP_KEY] = WebApp.of(settings)
    register(application, persistent=persistence)
    if store is not None and not updater:  # webhook mode: any API process may get a chat's next update
        processor.shared = SharedChatState(application, store, settings.redis_url, redis_namespace(settings))
    return application
