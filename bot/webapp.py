"""Where the web app lives, as the bot sees it: the Mini App URL for buttons and /web's sign-in links.

The composition of the bot (`build_application`) keeps one `WebApp` in `bot_data` under `KEY`; the
persistence does not store bot_data, so it always reflects this start's settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, MenuButtonWebApp, WebAppInfo

from bot import texts
from smarthabit.config import Settings

KEY = "web_app"


@dataclass(frozen=True, slots=True)
class WebApp:
    public_url: str | None  # {PUBLIC_URL}/app/ when PUBLIC_URL is set: buttons open it as a Mini App
    local_url: str  # where a browser on this machine finds the app otherwise
    login_ttl: timedelta

    @classmethod
    def of(cls, settings: Settings) -> WebApp:
        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host  # noqa: S104 - a comparison
        return cls(settings.web_app_url, f"http://{host}:{settings.port}/app/",
                   timedelta(seconds=settings.web_login_ttl_seconds))

    def login_link(self, code: str) -> str:
        """The one-time sign-in link: the code travels in the fragment, which no server or log sees."""
        return f"{self.public_url or self.local_url}#login={code}"

    def button(self, path: str = "") -> InlineKeyboardButton | None:
        """An "Open" button that opens `path` of the app inside Telegram (None without PUBLIC_URL)."""
        if self.public_url is None:
            return None
        return InlineKeyboardButton(texts.OPEN_APP, web_app=WebAppInfo(self.public_url + path))

    def menu_button(self) -> MenuButtonWebApp | None:
        if self.public_url is None:
            return None
        return MenuButtonWebApp(texts.OPEN_APP_MENU, WebAppInfo(self.public_url))


def web_app(bot_data: Any) -> WebApp | None:
    """The WebApp of this bot (None in applications built without one, such as some tests)."""
    value = bot_data.get(KEY) if isinstance(bot_data, dict) else None
    return value if isinstance(value, WebApp) else None
