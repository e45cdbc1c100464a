"""Languages: gettext catalogs (read through Babel) and locale-aware dates and numbers.

The catalogs are the `.po` files under `smarthabit/locale/<lang>/LC_MESSAGES/smarthabit.po`,
shipped as package data. They are compiled in memory the first time a language is used, so a plain
`pip install` (no build step, no committed binaries) yields working translations, and the result is
the same on every machine.

The language of the text being written is a context variable: the bot sets it once per update (from
the account, else Telegram's `language_code`), the workers around each message they compose. Code
that builds texts calls `_()` / `ngettext()` and never passes a language around.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

DEFAULT = "en"
# Language codes we speak, in the order the /language menu shows them, with their own names.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "es": "Español",
    "de": "Deutsch",
    "pt_BR": "Português (Brasil)",
    "hi": "हिन्दी",
}
DOMAIN = "smarthabit"
LOCALE_DIR = Path(__file__).parent / "locale"

_current: ContextVar[str] = ContextVar("smarthabit_language", default=DEFAULT)


def supported(code: str | None) -> str:
    """Our language for a Telegram `language_code` ("pt-br", "de-AT", "ru") or a stored one; English
    when we don't speak it. Portuguese of any region gets Brazilian Portuguese."""
    if not code:
        return DEFAULT
    normal = code.replace("-", "_")
    if normal in LANGUAGES:
        return normal
    base = normal.split("_")[0].lower()
    if base == "pt":
        return "pt_BR"
    return base if base in LANGUAGES else DEFAULT


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalog of one language (English is the source: no catalog)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT or not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def current() -> str:
    return _current.get()


def activate(language: str | None) -> str:
    """Write in this language from now on (in this task); returns the supported code chosen."""
    chosen = supported(language)
    _current.set(chosen)
    return chosen


@contextmanager
def using(language: str | None) -> Iterator[str]:
    """Write in a language for a block (the workers compose each user's message in theirs)."""
    token = _current.set(supported(language))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """The message in the current language."""
    return translations(current()).gettext(message)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is used."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The plural form the current language uses for `count` (Russian has three)."""
    return translations(current()).ngettext(singular, plural, count)


def locale() -> Locale:
    return _babel_locale(current())


@lru_cache(maxsize=len(LANGUAGES))
def _babel_locale(language: str) -> Locale:
    return Locale.parse(language)


def number(value: float) -> str:
    """`2.5` → "2.5" / "2,5"; whole numbers without decimals; up to 2 decimals."""
    return format_decimal(round(value, 2), format="#,##0.##", locale=locale())


def weekday_name(weekday: int, width: str = "wide") -> str:
    """Monday is 0, as in `date.weekday()`; "wide" (Monday) or "abbreviated" (Mon)."""
    return str(get_day_names(width, context="format", locale=locale())[weekday])


def weekday_names(width: str = "wide") -> tuple[str, ...]:
    return tuple(weekday_name(day, width) for day in range(7))


def short_date(day: date) -> str:
    """"Mon 3 Nov" in English; each other language's own order and marks ("Mo., 3. Nov.", "пн, 3 нояб.")."""
    if current() == DEFAULT:
        return format_date(day, "EEE d MMM", locale=locale())
    return format_skeleton("MMMEd", day, locale=locale())


def long_date(day: date) -> str:
    """"Monday 3 November" in English; "Montag, 3. November", "понедельник, 3 ноября" in the others."""
    if current() == DEFAULT:
        return format_date(day, "EEEE d MMMM", locale=locale())
    return f"{weekday_name(day.weekday())}, {format_skeleton('MMMMd', day, locale=locale())}"


def month_short(day: date) -> str:
    return format_date(day, "MMM", locale=locale())


def month_year(day: date) -> str:
    """"November 2026", "ноябрь 2026 г.", "novembro de 2026": the month standing alone, as a heading."""
    return format_skeleton("yMMMM", day, locale=locale())
