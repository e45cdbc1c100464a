"""The translation catalogs: complete (every message of the code, every placeholder, every plural
form), loadable without a build step, and plurals and dates right in each language."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot import texts
from smarthabit import i18n, wording
from smarthabit.errors import Conflict, ValidationFailed
from smarthabit.i18n import N_

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
LANGUAGES = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
_TAG = re.compile(r"</?[a-z]+>")


def _source_messages() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for package in ("smarthabit", "bot", "tasks"):
        for _file, _line, message, _comments, _context in extract_from_dir(ROOT / package, keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def _catalog(language: str) -> Catalog:
    with (i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").open("rb") as source:
        return read_po(source, locale=language)


def test_the_source_has_messages() -> None:
    assert len(_source_messages()) > 150


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_every_message_and_placeholder(language: str) -> None:
    catalog = _catalog(language)
    for message in _source_messages():
        entry = catalog.get(message)
        assert entry is not None, f"{language}: missing {message!r}"
        assert not entry.fuzzy, f"{language}: fuzzy {message!r}"
        ids = [message] if isinstance(message, str) else list(message)
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        assert all(strings), f"{language}: untranslated {message!r}"
        allowed = set().union(*(_PLACEHOLDER.findall(text) for text in ids))
        tags = sorted(_TAG.findall(ids[-1]))
        for text in strings:
            assert set(_PLACEHOLDER.findall(text)) <= allowed, f"{language}: unknown placeholder in {text!r}"
            assert sorted(_TAG.findall(text)) == tags, f"{language}: HTML tags differ in {text!r}"
        if isinstance(message, str):
            assert set(_PLACEHOLDER.findall(strings[0])) == allowed, f"{language}: placeholder lost in {strings[0]!r}"
        else:
            assert len(strings) == catalog.num_plurals
            assert set(_PLACEHOLDER.findall(strings[-1])) == set(_PLACEHOLDER.findall(ids[1]))


def test_russian_has_three_plural_forms() -> None:
    with i18n.using("ru"):
        got = [wording.period(n, "days") for n in (1, 2, 5, 11, 21, 22, 25)]
    assert got == ["1 день", "2 дня", "5 дней", "11 дней", "21 день", "22 дня", "25 дней"]


def test_english_plurals_and_d13() -> None:
    with i18n.using("en"):
        assert wording.period(1, "days") == "1 day" and wording.period(3, "weeks") == "3 weeks"
        details = texts.habit_details({7: 1.0}, None, None, 1)
        assert "Done once in all." in details and "1 times" not in details
        assert "Done 2 times in all." in texts.habit_details({7: 1.0}, None, None, 2)


@pytest.mark.parametrize("language", [*LANGUAGES, "en"])
def test_every_fixed_text_and_the_menu_translate(language: str) -> None:
    with i18n.using(language):
        fixed = {name: getattr(texts, name) for name in texts._FIXED}
        menu = texts.commands()
    if language != "en":
        with i18n.using("en"):
            english = {name: getattr(texts, name) for name in texts._FIXED}
        same = [name for name in fixed if fixed[name] == english[name] and name not in ("NO",)]
        assert len(same) <= 3, same  # a few ("Cancel" in some languages) may coincide
    assert [name for name, _ in menu] == [name for name, _ in texts.commands()]


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Wed 25 Nov"), ("de", "Mi., 25. Nov."), ("ru", "ср, 25 нояб."), ("es", "mié, 25 nov"),
    ("pt_BR", "qua., 25 de nov."), ("hi", "बुध, 25 नव॰"),
])
def test_dates_and_numbers_follow_the_locale(language: str, expected: str) -> None:
    with i18n.using(language):
        assert texts.day_label(date(2026, 11, 25)) == expected
        assert texts.number(2.5) == ("2.5" if language in ("en", "hi") else "2,5")
    with i18n.using("de"):
        assert i18n.long_date(date(2026, 11, 30)) == "Montag, 30. November"
    with i18n.using("ru"):
        assert i18n.long_date(date(2026, 11, 30)) == "понедельник, 30 ноября"


def test_telegram_language_codes() -> None:
    assert [i18n.supported(c) for c in ("pt-br", "pt", "de-AT", "ru", "hi", "fr", None)] == [
        "pt_BR", "pt_BR", "de", "ru", "hi", "en", "en"]


# The domain's error constructors and the helpers that build them, with the position of the message.
_ERROR_MAKERS = {"DomainError": 0, "ValidationFailed": 0, "NotFound": 0, "Conflict": 0, "PermissionDenied": 0,
                 "_bad": 0, "refused": 0, "_refuse": 1}


def _unmarked_error_messages() -> list[str]:
    """Every domain error built with a message that is not an `N_("…")` literal (an f-string, say):
    such a message could never be looked up in the catalogs."""
    found = []
    for path in sorted((ROOT / "smarthabit").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            position = _ERROR_MAKERS.get(node.func.id)
            if position is None or len(node.args) <= position:
                continue
            message = node.args[position]
            marked = (isinstance(message, ast.Call) and isinstance(message.func, ast.Name) and message.func.id == "N_"
                      and len(message.args) == 1 and isinstance(message.args[0], ast.Constant))
            if not marked and not (isinstance(message, ast.Name) and message.id == "message"):  # the helpers' own
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_domain_error_message_is_in_the_catalogs() -> None:
    assert _unmarked_error_messages() == []


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "A note can be at most 500 characters"), ("ru", "Заметка может быть не длиннее 500 символов"),
    ("de", "Eine Notiz darf höchstens 500 Zeichen lang sein"), ("hi", "नोट अधिकतम 500 अक्षरों का हो सकता है"),
])
def test_domain_errors_speak_the_users_language(language: str, expected: str) -> None:
    error = ValidationFailed(N_("A note can be at most {max} characters"), {"field": "note"}, params={"max": 500})
    with i18n.using(language):
        assert error.localized() == expected
    assert error.message == "A note can be at most 500 characters" and error.code == "validation_error"
    with i18n.using("es"):
        conflict = Conflict(N_("You already have a habit with that name"), code="duplicate_name")
        assert (conflict.localized(), conflict.code) == ("Ya tienes un hábito con ese nombre", "duplicate_name")
