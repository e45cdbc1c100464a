"""PNG pictures for /stats, rendered server-side with matplotlib's Agg backend.

Figures are built with the object API (`Figure` + `FigureCanvasAgg`), never pyplot, so no global
state is shared and rendering can run in a worker thread without blocking the event loop.
"""

from __future__ import annotations

import asyncio
import io
import unicodedata
from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from bot.texts import WEEKDAY_SHORT, day_label
from smarthabit.insights import HabitHistory, WeeklyInsight
from smarthabit.schedule import ScheduleKind, week_start

HEATMAP_WEEKS = 12
DONE, MISSED, NOT_DUE, PAUSED, OUTSIDE = 4, 3, 2, 1, 0
_COLORS = ListedColormap(["#ffffff", "#c9d6e3", "#eeeeee", "#f4b6b0", "#3aa757"])
_GREEN, _GREY = "#3aa757", "#b8c4ce"


def _label(text: str, limit: int = 28) -> str:
    """Drop emoji and other symbols the bundled font lacks (they would render as boxes)."""
    clean = "".join(ch for ch in text if ord(ch) <= 0xFFFF and unicodedata.category(ch) not in ("So", "Cs", "Co"))
    clean = " ".join(clean.split()) or "?"
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def weekly_chart(insight: WeeklyInsight) -> bytes:
    """Grouped horizontal bars: each habit's completion this week next to last week's."""
    habits = [h for h in insight.habits if h.scheduled or h.previous_rate is not None] or list(insight.habits)
    height = 1.6 + 0.55 * max(1, len(habits))
    figure = Figure(figsize=(8, height))
    axes = figure.add_subplot()
    positions = list(range(len(habits)))
    this_week = [100 * (h.rate or 0) for h in habits]
    last_week = [100 * (h.previous_rate or 0) for h in habits]
    axes.barh([p + 0.2 for p in positions], last_week, height=0.38, color=_GREY, label="last week")
    axes.barh([p - 0.2 for p in positions], this_week, height=0.38, color=_GREEN, label="this week")
    for position, habit in zip(positions, habits, strict=True):
        axes.text(min(100, this_week[position]) + 1, position - 0.2, f"{habit.done}/{habit.scheduled}",
                  va="center", fontsize=9)
    axes.set_yticks(positions, [_label(h.name) for h in habits])
    axes.invert_yaxis()
    axes.set_xlim(0, 110)
    axes.set_xlabel("% of what was due")
    axes.set_title(f"Week {insight.week}: {day_label(insight.start)} – {day_label(insight.end)}")
    axes.legend(loc="lower right", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _png(figure)


def heatmap_cells(history: HabitHistory, today: date, weeks: int = HEATMAP_WEEKS) -> list[list[int]]:
    """A weekday × week grid (rows Monday..Sunday, oldest week first) of DONE, MISSED, ... codes."""
    first = week_start(today) - timedelta(weeks=weeks - 1)
    grid = [[OUTSIDE] * weeks for _ in range(7)]
    per_day = history.schedule.kind is not ScheduleKind.TIMES_PER_WEEK
    for offset in range(weeks * 7):
        day = first + timedelta(days=offset)
        if day > today or (history.created is not None and day < history.created):
            code = OUTSIDE
        elif day in history.done:
            code = DONE
        elif any(pause.covers(day) for pause in history.pauses):
            code = PAUSED
        elif per_day and history.schedule.is_scheduled(day) and day < today:
            code = MISSED  # a times-per-week habit misses weeks, not days
        else:
            code = NOT_DUE
        grid[day.weekday()][offset // 7] = code
    return grid


def habit_chart(history: HabitHistory, today: date, weeks: int = HEATMAP_WEEKS) -> bytes:
    """A calendar heatmap of the last weeks: green done, red missed, blue paused."""
    grid = heatmap_cells(history, today, weeks)
    figure = Figure(figsize=(8, 3.4))
    axes = figure.add_subplot()
    axes.imshow(grid, cmap=_COLORS, vmin=0, vmax=4, aspect="equal")
    axes.set_yticks(range(7), WEEKDAY_SHORT)
    first = week_start(today) - timedelta(weeks=weeks - 1)
    axes.set_xticks(range(0, weeks, 2), [day_label(first + timedelta(weeks=w))[4:] for w in range(0, weeks, 2)],
                    fontsize=8)
    axes.set_xticks([x - 0.5 for x in range(1, weeks)], minor=True)
    axes.set_yticks([y - 0.5 for y in range(1, 7)], minor=True)
    axes.grid(which="minor", color="white", linewidth=2)
    axes.tick_params(which="minor", length=0)
    axes.set_title(f"{_label(history.name, 40)}: last {weeks} weeks")
    for spine in axes.spines.values():
        spine.set_visible(False)
    figure.tight_layout()
    return _png(figure)


async def render_weekly(insight: WeeklyInsight) -> bytes:
    """Render off the event loop: matplotlib takes tens of milliseconds per figure."""
    return await asyncio.to_thread(weekly_chart, insight)


async def render_habit(history: HabitHistory, today: date) -> bytes:
    """The heatmap, also rendered off the event loop."""
    return await asyncio.to_thread(habit_chart, history, today)
