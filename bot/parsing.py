"""Parsers for what people type: times (12- and 24-hour), numbers with the locale's separators, dates.

Pure functions, shared by the handlers and the one-sentence habit grammar.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, time

from smarthabit import i18n

_TIME = re.compile(r"(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(?:(a|p)\.?\s*m\.?|(h|uhr|ч|बजे))?", re.IGNORECASE)
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)*")
_DATE_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def parse_time(text: str) -> time | None:
    """`7:30`, `07:30`, `7.30`, `7h30`, `7 pm`, `7:30pm`, `12 am` → a time, in every language; a bare
    hour needs its am/pm. None for anything that is not a real time ("25:99", "13 pm")."""
    match = _TIME.fullmatch(text.strip())
    if match is None or (match[2] is None and match[3] is None and match[4] is None):
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3] is not None:  # 12-hour clock
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[3].lower() == "p" else 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """"1.234" where the locale doesn't tell: a thousand and more, or one and a bit."""

    grouped: float
    decimal: float


def parse_number(text: str) -> float | None:
    """A number as people type it in their language; None for words, ambiguous input, NaN, infinity."""
    parsed = parse_amount(text)
    return parsed if isinstance(parsed, float) else None


def parse_amount(text: str) -> float | Ambiguous | None:
    """`6`, `2.5`, `2,5`, `10,000` (en) / `10.000` (de) / `10 000` (ru), `1,234.5`; thousands
    separators follow the user's locale. One separator before exactly three digits that is neither the
    locale's decimal nor its group symbol (like "1.234" in Russian) is Ambiguous: we ask, not guess."""
    raw = re.sub(r"(?<=\d)[\s\u00a0\u202f'’](?=\d{3}\b)", "", text.strip())
    if not _NUMBER.fullmatch(raw):
        return None
    separators = [ch for ch in raw if ch in ",."]
    if len(set(separators)) == 2:  # both: the last one is the decimal point, the other groups thousands
        decimal_sign = raw[max(raw.rfind(","), raw.rfind("."))]
        group_sign = "," if decimal_sign == "." else "."
        whole, _, fraction = raw.rpartition(decimal_sign)
        return _finite(_grouped(whole, group_sign), fraction)
    if not separators:
        return _finite(raw, "")
    sign = separators[0]
    if len(separators) > 1:
        return _finite(_grouped(raw, sign), "")
    whole, fraction = raw.split(sign)
    if len(fraction) != 3 or not whole.lstrip("-"):
        return _finite(whole, fraction)
    symbols = i18n.locale().number_symbols.get("latn", {})
    if sign == symbols.get("decimal"):
        return _finite(whole, fraction)
    if sign == symbols.get("group"):
        return _finite(whole + fraction, "")
    return Ambiguous(float(whole + fraction), float(f"{whole}.{fraction}"))


def _grouped(whole: str, sign: str) -> str | None:
    """`1,234,567` → `1234567`; None when the groups are not groups (`1,23,4`). Indian `1,00,000` too."""
    first, *groups = whole.split(sign)
    if not first.lstrip("-") or len(first.lstrip("-")) > 3 or not groups or len(groups[-1]) != 3:
        return None
    if any(len(group) not in (2, 3) for group in groups[:-1]):
        return None
    return first + "".join(groups)


def _finite(whole: str | None, fraction: str) -> float | None:
    if whole is None:
        return None
    try:
        value = float(f"{whole}.{fraction}" if fraction else whole)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_date(text: str) -> date | None:
    """`2026-12-24` or `24.12.2026`."""
    text = text.strip()
    try:
        match = _DATE_DMY.fullmatch(text)
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
