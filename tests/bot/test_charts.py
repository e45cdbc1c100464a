"""The /stats pictures: every chart kind with names in Latin, Cyrillic, CJK, Devanagari and emoji,
no glyph drawn as a box, the calendar's states, and the weekly chart's limits."""

from __future__ import annotations

import io
import os
import warnings
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from bot import chart_emoji, charts
from smarthabit import i18n
from smarthabit.insights import HabitHistory, weekly_insight
from smarthabit.schedule import Pause, Schedule, ScheduleKind

TODAY = date(2026, 11, 25)  # a Wednesday
NAMES = {
    "latin": "Read 20 pages",
    "cyrillic": "Читать книгу",
    "cjk": "毎日読書する",
    "devanagari": "रोज़ पढ़ना",
    "emoji": "Run 🏃 and drink 💧",
}


def _history(name: str, habit_id: int = 1, start: date = date(2026, 3, 1)) -> HabitHistory:
    done = frozenset(start + timedelta(days=d) for d in range(0, (TODAY - start).days, 2))
    return HabitHistory(habit_id, name, Schedule(ScheduleKind.DAILY), done,
                        (Pause(date(2026, 8, 1), date(2026, 8, 14)),), start)


def _render_without_boxes(render: object, *args: object) -> bytes:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render(*args)  # type: ignore[operator]
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not missing, missing
    assert png.startswith(b"\x89PNG")
    return png


@pytest.mark.parametrize("script", list(NAMES))
@pytest.mark.parametrize("language", ["en", "ru", "hi"])
def test_every_chart_draws_every_script(script: str, language: str, tmp_path: Path) -> None:
    name = NAMES[script]
    assert charts.missing_glyphs(name) == set(), "a configured font must have every character"
    with i18n.using(language):
        history = _history(name)
        insight = weekly_insight([history, _history(NAMES["latin"], 2)], date(2026, 11, 23), TODAY)
        weekly = _render_without_boxes(charts.weekly_chart, insight)
        year = _render_without_boxes(charts.habit_chart, history, TODAY, {TODAY - timedelta(days=1): 0.5})
    out = Path(os.environ.get("CHART_SAMPLES_DIR") or tmp_path)  # set it to keep the pictures and look
    out.mkdir(parents=True, exist_ok=True)
    (out / f"weekly-{script}-{language}.png").write_bytes(weekly)
    (out / f"year-{script}-{language}.png").write_bytes(year)


def test_a_character_no_font_has_is_reported() -> None:
    assert charts.missing_glyphs("\U000f0000") == {"\U000f0000"}  # private use: no font draws it


def test_year_calendar_states() -> None:
    start = TODAY - timedelta(days=20)
    history = HabitHistory(1, "Water", Schedule(ScheduleKind.WEEKDAYS, frozenset(range(5))),
                           frozenset({TODAY - timedelta(days=1), start}),
                           (Pause(TODAY - timedelta(days=9), TODAY - timedelta(days=8)),), start)
    partial = {TODAY - timedelta(days=2): 0.25}
    states, shares = charts.year_cells(history, TODAY, partial)
    column = charts.YEAR_WEEKS - 1  # this week: Mon 23, Tue 24, Wed 25 (today)
    assert states[1, column] == charts.DONE
    assert states[0, column] == charts.PARTIAL and shares[0, column] == 0.25
    assert states[2, column] == charts.NOT_DUE  # today is not missed yet
    assert states[3, column] == charts.FUTURE
    assert states[0, column - 1] == charts.PAUSED and states[1, column - 1] == charts.PAUSED  # Mon 16, Tue 17
    assert states[2, column - 1] == charts.MISSED and states[6, column - 1] == charts.NOT_DUE  # Wed 18; Sun 22
    assert states[0, column - 3] == charts.BEFORE_START and states[3, column - 3] == charts.DONE  # Mon 2; Thu 5
    assert charts.year_counts(history, TODAY, partial) == (2, int((states == charts.MISSED).sum()))


def test_weekly_chart_sums_habits_beyond_twelve() -> None:
    histories = [_history(f"Habit {n}", n) for n in range(1, 16)]
    insight = weekly_insight(histories, date(2026, 11, 23), TODAY)
    rows = charts.weekly_rows(insight)
    assert len(rows) == charts.MAX_BARS
    assert rows[-1].name == "4 more habits"
    assert rows[-1].scheduled == sum(h.scheduled for h in insight.habits[11:])


def test_no_last_week_legend_without_last_week() -> None:
    new = HabitHistory(1, "New", Schedule(ScheduleKind.DAILY), frozenset({TODAY}), (), TODAY)
    insight = weekly_insight([new], date(2026, 11, 23), TODAY)
    assert all(row.previous_rate is None for row in charts.weekly_rows(insight))
    assert charts.weekly_chart(insight).startswith(b"\x89PNG")


def test_palette_is_okabe_ito() -> None:
    assert {charts._STATE_COLOURS[s] for s in (charts.DONE, charts.MISSED, charts.PAUSED)} == {
        "#0072B2", "#D55E00", "#F0E442"}
    assert np.unique(list(charts._STATE_COLOURS.values())).size == len(charts._STATE_COLOURS)


# -- colour emoji ------------------------------------------------------------------------------------

def _colourful_pixels(png: bytes, box: tuple[int, int, int, int]) -> int:
    """Pixels in `box` of clearly saturated colour (text and grey lines have none)."""
    from PIL import Image

    picture = Image.open(io.BytesIO(png)).convert("HSV").crop(box)
    hsv = np.asarray(picture)
    return int(((hsv[..., 1] > 120) & (hsv[..., 2] > 80)).sum())


def test_the_colour_emoji_font_is_installed() -> None:
    assert chart_emoji.font_path() is not None, "install fonts-noto-color-emoji (.ci/run does)"


@pytest.mark.parametrize(("text", "expected"), [
    ("Run 🏃 and drink 💧", [("Run ", False), ("🏃", True), (" and drink ", False), ("💧", True)]),
    ("👩‍💻 code", [("👩‍💻", True), (" code", False)]),
    ("🇮🇳🇧🇷", [("🇮🇳", True), ("🇧🇷", True)]),
    ("👍🏽❤️", [("👍🏽", True), ("❤️", True)]),
    ("Читать", [("Читать", False)]),
])
def test_emoji_clusters(text: str, expected: list[tuple[str, bool]]) -> None:
    assert chart_emoji.runs(text) == expected


def test_emoji_are_drawn_in_colour() -> None:
    """The title of the calendar and the names beside the weekly bars: with emoji, colour pixels
    where only black text would be in monochrome (Symbola)."""
    plain, emoji = _history("Run o and drink o ooo oo"), _history("Run 🏃 and drink 💧 👩‍💻 🇮🇳")
    assert len(plain.name) == len(emoji.name)  # the same margin for the names
    title = (0, 0, 1100, 50)  # above the calendar
    assert _colourful_pixels(charts.habit_chart(plain, TODAY), title) == 0
    assert _colourful_pixels(charts.habit_chart(emoji, TODAY), title) > 100
    names = (0, 40, 245, 160)  # left of the bars
    week = date(2026, 11, 23)
    assert _colourful_pixels(charts.weekly_chart(weekly_insight([plain], week, TODAY)), names) == 0
    assert _colourful_pixels(charts.weekly_chart(weekly_insight([emoji], week, TODAY)), names) > 100
    assert chart_emoji.image("💧", 16).shape[0] == 16
