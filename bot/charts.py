"""PNG pictures for /stats, rendered server-side with matplotlib's Agg backend.

Figures are built with the object API (`Figure` + `FigureCanvasAgg`), never pyplot, so no global
state is shared and rendering runs in a worker thread without blocking the event loop.

Names may be written in any script: the fonts are a fallback list (Latin, Cyrillic, Devanagari, CJK,
then a symbol font for emoji), matplotlib picks per glyph, and `missing_glyphs` says which
characters no configured font has (tests assert there are none, so nothing renders as a box).
A name with emoji is drawn as text runs and colour emoji pictures side by side (`chart_emoji`);
without the colour font it falls back to the symbol font's outlines.
Colours are the Okabe–Ito palette, told apart with any colour vision; labels are translated.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.offsetbox import AnnotationBbox, HPacker, OffsetImage, TextArea
from matplotlib.patches import Patch
from matplotlib.transforms import Transform

from bot import chart_emoji
from bot.texts import day_label, weekday_short
from smarthabit import i18n
from smarthabit.i18n import _
from smarthabit.insights import HabitHistory, HabitWeek, WeeklyInsight
from smarthabit.schedule import ScheduleKind, week_start

# In fallback order; the first that has a glyph draws it.
FONT_FAMILIES = ("DejaVu Sans", "Noto Sans", "Noto Sans Devanagari", "Noto Sans CJK JP", "Symbola",
                 "Noto Emoji")
YEAR_WEEKS = 53
MAX_BARS = 12  # more habits than this: the rest are summed in one bar

# Cell states of the year calendar.
BEFORE_START, NOT_DUE, PAUSED, MISSED, PARTIAL, DONE, FUTURE = range(7)
# Okabe–Ito: blue = done (lighter blue: partly done, by how much), vermillion = missed,
# yellow = paused, greys = not due / before the start.
_BLUE, _SKY, _VERMILLION, _YELLOW = "#0072B2", "#56B4E9", "#D55E00", "#F0E442"
_STATE_COLOURS = {
    DONE: _BLUE, MISSED: _VERMILLION, PAUSED: _YELLOW, NOT_DUE: "#DDDDDD", BEFORE_START: "#F4F4F4",
    FUTURE: "#FFFFFF", PARTIAL: _SKY,
}
_GREY = "#999999"
_DPI = 100


@lru_cache(maxsize=1)
def font_files() -> tuple[str, ...]:
    """The configured fonts' files, registering system fonts matplotlib's cache doesn't know yet."""
    known = {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}
    if any(family not in known for family in FONT_FAMILIES):
        for path in font_manager.findSystemFonts():
            name = path.rsplit("/", 1)[-1].lower()
            if name.startswith(("notosans-regular", "notosansdevanagari-regular", "notosanscjk-regular",
                                "symbola", "notoemoji-regular")):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError):
                    continue
        known = {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}
    matplotlib.rcParams["font.family"] = [family for family in FONT_FAMILIES if family in known]
    return tuple(known[family] for family in FONT_FAMILIES if family in known)


@lru_cache(maxsize=8)
def _font(path: str) -> FT2Font:
    return FT2Font(path)


def missing_glyphs(text: str) -> set[str]:
    """Characters of `text` that no configured font can draw (they would be boxes)."""
    fonts = [_font(path) for path in font_files()]
    drawable = {"\n", " ", "\u200d", "\ufe0f"}  # joiners and variation selectors draw nothing
    return {ch for ch in set(text) - drawable if not any(font.get_char_index(ord(ch)) for font in fonts)}


def _label(text: str, limit: int = 28) -> str:
    clean = " ".join(text.split()) or "?"
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def _rich_text(axes: Axes, text: str, xy: tuple[float, float], coords: Transform | str,
               align: tuple[float, float], offset: tuple[float, float], fontsize: float) -> None:
    """`text` at `xy` with its emoji in colour: text runs and emoji pictures packed in a row,
    placed like a text would be (`align` is the row's anchor, `offset` in points)."""
    height = fontsize * 1.15  # an emoji is drawn a little taller than the letters, as in chats
    parts: list[TextArea | OffsetImage] = []
    for run, is_emoji in chart_emoji.runs(text):
        if is_emoji:
            picture = chart_emoji.image(run, round(height * _DPI / 72))
            parts.append(OffsetImage(picture, zoom=height / picture.shape[0]))
        else:
            parts.append(TextArea(run, textprops={"fontsize": fontsize}))
    row = HPacker(children=parts, align="center", pad=0, sep=0)
    axes.add_artist(AnnotationBbox(row, xy, xycoords=coords, box_alignment=align, xybox=offset,
                                   boxcoords="offset points", frameon=False, pad=0, annotation_clip=False))


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()


# -- the week, per habit ------------------------------------------------------------------------

def weekly_rows(insight: WeeklyInsight, limit: int = MAX_BARS) -> list[HabitWeek]:
    """The bars: habits that were due (or were last week), at most `limit`; the rest summed in one."""
    habits = [h for h in insight.habits if h.scheduled or h.previous_rate is not None] or list(insight.habits)
    if len(habits) <= limit:
        return habits
    shown, rest = habits[: limit - 1], habits[limit - 1:]
    done, due = sum(h.done for h in rest), sum(h.scheduled for h in rest)
    previous = [h.previous_rate for h in rest if h.previous_rate is not None]
    summary = HabitWeek(
        habit_id=0, name=i18n.ngettext("{count} more habit", "{count} more habits", len(rest)).format(count=len(rest)),
        done=done, scheduled=due, rate=done / due if due else None,
        previous_rate=sum(previous) / len(previous) if previous else None, change=None, best_weekday=None,
        worst_weekday=None, streak_start=0, streak_end=0,
    )
    return [*shown, summary]


def weekly_chart(insight: WeeklyInsight) -> bytes:
    """Horizontal bars: each habit's share of what was due this week (and last week's, when known)."""
    font_files()
    habits = weekly_rows(insight)
    figure = Figure(figsize=(8, 1.6 + 0.5 * max(1, len(habits))))
    axes = figure.add_subplot()
    positions = np.arange(len(habits))
    this_week = [100 * (h.rate or 0) for h in habits]
    has_last_week = any(h.previous_rate is not None for h in habits)
    if has_last_week:
        last_week = [100 * (h.previous_rate or 0) for h in habits]
        axes.barh(positions + 0.2, last_week, height=0.38, color=_SKY, label=_("last week"))
    axes.barh(positions - (0.2 if has_last_week else 0), this_week, height=0.38 if has_last_week else 0.6,
              color=_BLUE, label=_("this week"))
    for position, habit in enumerate(habits):
        axes.text(min(100, this_week[position]) + 1, position - (0.2 if has_last_week else 0),
                  f"{habit.done}/{habit.scheduled}", va="center", fontsize=9)
    labels = [_label(h.name) for h in habits]
    axes.set_yticks(positions, ["" if chart_emoji.has_emoji(label) else label for label in labels])
    for position, label in enumerate(labels):
        if chart_emoji.has_emoji(label):  # drawn beside the axis where the tick label would be
            _rich_text(axes, label, (0, position), axes.get_yaxis_transform(), (1, 0.5), (-7, 0), 10)
    axes.invert_yaxis()
    axes.set_xlim(0, 112)
    axes.set_xlabel(_("% of what was due"))
    axes.set_title(_("Week {week}: {start} – {end}").format(week=insight.week, start=day_label(insight.start),
                                                             end=day_label(insight.end)))
    if has_last_week:
        axes.legend(loc="lower right", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    # Fixed margins (tight_layout would draw the figure twice): room for the longest name on the left.
    longest = max((len(_label(h.name)) for h in habits), default=4)
    inches = figure.get_figheight()
    figure.subplots_adjust(left=min(0.42, 0.04 + 0.0115 * longest), right=0.97, top=1 - 0.45 / inches,
                           bottom=0.6 / inches)
    return _png(figure)


# -- the year, day by day --------------------------------------------------------------------------

def year_cells(history: HabitHistory, today: date, partial: Mapping[date, float] | None = None,
               weeks: int = YEAR_WEEKS) -> tuple[np.ndarray, np.ndarray]:
    """The calendar: (states, shares) as 7 × weeks arrays (rows Monday..Sunday, oldest week first).
    `partial` maps days logged short of a target to the share reached (0..1)."""
    partial = partial or {}
    first = week_start(today) - timedelta(weeks=weeks - 1)
    states = np.full((7, weeks), FUTURE, dtype=np.int8)
    shares = np.zeros((7, weeks))
    per_day = history.schedule.kind is not ScheduleKind.TIMES_PER_WEEK
    for offset in range(weeks * 7):
        day = first + timedelta(days=offset)
        row, column = day.weekday(), offset // 7
        states[row, column] = _state(history, day, today, per_day, partial)
        shares[row, column] = partial.get(day, 0.0)
    return states, shares


def _state(history: HabitHistory, day: date, today: date, per_day: bool, partial: Mapping[date, float]) -> int:
    if day > today:
        return FUTURE
    if history.created is not None and day < history.created:
        return BEFORE_START
    if day in history.done:
        return DONE
    if any(pause.covers(day) for pause in history.pauses):
        return PAUSED
    if day in partial:
        return PARTIAL
    if per_day and history.schedule.is_scheduled(day) and day < today:
        return MISSED  # a times-per-week habit misses weeks, not days
    return NOT_DUE


def _rgb(states: np.ndarray, shares: np.ndarray) -> np.ndarray:
    colours = {state: np.array(matplotlib.colors.to_rgb(code)) for state, code in _STATE_COLOURS.items()}
    image = np.zeros((*states.shape, 3))
    for state, colour in colours.items():
        image[states == state] = colour
    light, full = np.array(matplotlib.colors.to_rgb("#CFE6F5")), colours[DONE]
    mask = states == PARTIAL  # intensity: the share of the target reached
    image[mask] = light + (full - light) * np.clip(shares[mask], 0, 1)[:, None]
    return image


def habit_chart(history: HabitHistory, today: date, partial: Mapping[date, float] | None = None) -> bytes:
    """The year calendar (GitHub-style) with a legend of every state."""
    font_files()
    states, shares = year_cells(history, today, partial)
    figure = Figure(figsize=(11, 2.7))
    axes = figure.add_subplot()
    axes.imshow(_rgb(states, shares), aspect="equal", interpolation="nearest")
    axes.set_yticks([0, 2, 4, 6], [weekday_short(d) for d in (0, 2, 4, 6)], fontsize=8)
    first = week_start(today) - timedelta(weeks=YEAR_WEEKS - 1)
    months = [(w, first + timedelta(weeks=w)) for w in range(YEAR_WEEKS)]
    ticks = [(w, i18n.month_short(day)) for w, day in months if day.day <= 7]
    axes.set_xticks([w for w, _ in ticks], [label for _, label in ticks], fontsize=8)
    # White gaps between the cells: two line collections (minor ticks would cost a Tick each).
    axes.vlines(np.arange(0.5, YEAR_WEEKS - 1), -0.5, 6.5, colors="white", linewidth=1.5)
    axes.hlines(np.arange(0.5, 6), -0.5, YEAR_WEEKS - 0.5, colors="white", linewidth=1.5)
    axes.tick_params(which="both", length=0)
    title = _("{name}: the last 12 months").format(name=_label(history.name, 50))
    if chart_emoji.has_emoji(title):
        _rich_text(axes, title, (0.5, 1), "axes fraction", (0.5, 0), (0, 6), 11)
    else:
        axes.set_title(title, fontsize=11)
    for spine in axes.spines.values():
        spine.set_visible(False)
    legend = [(DONE, _("done")), (PARTIAL, _("partly done")), (MISSED, _("missed")), (NOT_DUE, _("not due")),
              (PAUSED, _("paused")), (BEFORE_START, _("before the start"))]
    axes.legend(handles=[Patch(facecolor=_STATE_COLOURS[s], edgecolor="#BBBBBB", label=t) for s, t in legend],
                loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=6, fontsize=8, frameon=False)
    figure.subplots_adjust(left=0.05, right=0.99, top=0.88, bottom=0.2)  # fixed: tight_layout draws twice
    return _png(figure)


def year_counts(history: HabitHistory, today: date, partial: Mapping[date, float] | None = None) -> tuple[int, int]:
    """(done, missed) days in the calendar, for the caption."""
    states, _shares = year_cells(history, today, partial)
    return int((states == DONE).sum()), int((states == MISSED).sum())


async def render_weekly(insight: WeeklyInsight) -> bytes:
    """Render off the event loop, in the language of the update (the context travels to the thread)."""
    return await asyncio.to_thread(weekly_chart, insight)


async def render_habit(history: HabitHistory, today: date, partial: Mapping[date, float] | None = None) -> bytes:
    """The year calendar, also rendered off the event loop."""
    return await asyncio.to_thread(habit_chart, history, today, partial)
