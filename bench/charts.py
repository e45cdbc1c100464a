"""Render time of the /stats pictures: every chart kind, names in five scripts, in two languages.

    python -m bench.charts [--runs 15] [--out DIR]

Prints the median and the slowest render per chart kind (milliseconds, one picture each, after one
warm-up that loads the fonts) against the 300 ms budget, and writes one PNG per kind, script and
language into DIR (default: a temporary directory) for a reviewer to look at.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from bot import charts
from smarthabit import i18n
from smarthabit.insights import HabitHistory, weekly_insight
from smarthabit.schedule import Pause, Schedule, ScheduleKind

BUDGET_MS = 300
TODAY = date(2026, 11, 25)
NAMES = {"latin": "Read 20 pages", "cyrillic": "Читать книгу", "cjk": "毎日読書する",
         "devanagari": "रोज़ पढ़ना", "emoji": "Run 🏃 and drink 💧"}


def _history(name: str, habit_id: int) -> HabitHistory:
    start = TODAY - timedelta(days=300)
    done = frozenset(start + timedelta(days=d) for d in range(0, 300) if d % 3)
    return HabitHistory(habit_id, name, Schedule(ScheduleKind.DAILY), done,
                        (Pause(TODAY - timedelta(days=60), TODAY - timedelta(days=50)),), start)


def _timed(render: Callable[[], bytes], runs: int) -> tuple[list[float], bytes]:
    render()  # warm-up: fonts and caches
    times, png = [], b""
    for _ in range(runs):
        started = time.perf_counter()
        png = render()
        times.append((time.perf_counter() - started) * 1000)
    return times, png


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="smarthabit-charts-"))
    out.mkdir(parents=True, exist_ok=True)
    histories = [_history(name, n) for n, name in enumerate(NAMES.values(), 1)]
    many = [_history(f"Habit {n}", n) for n in range(1, 16)]
    partial = {TODAY - timedelta(days=d): d / 10 for d in range(1, 9, 3)}
    kinds: dict[str, Callable[[], bytes]] = {
        "weekly (5 habits)": lambda: charts.weekly_chart(weekly_insight(histories, date(2026, 11, 23), TODAY)),
        "weekly (15 habits, summed)": lambda: charts.weekly_chart(weekly_insight(many, date(2026, 11, 23), TODAY)),
        "year calendar": lambda: charts.habit_chart(histories[2], TODAY, partial),
        "year calendar, emoji name": lambda: charts.habit_chart(histories[4], TODAY, partial),
    }
    print(f"{'chart':<28}{'median ms':>10}{'max ms':>9}   budget {BUDGET_MS} ms")
    for label, render in kinds.items():
        times, _ = _timed(render, args.runs)
        verdict = "ok" if statistics.median(times) < BUDGET_MS else "OVER"
        print(f"{label:<28}{statistics.median(times):>10.0f}{max(times):>9.0f}   {verdict}")
    for language in ("en", "hi"):
        with i18n.using(language):
            for script, name in NAMES.items():
                history = _history(name, 1)
                (out / f"year-{script}-{language}.png").write_bytes(charts.habit_chart(history, TODAY, partial))
                insight = weekly_insight([history, *histories], date(2026, 11, 23), TODAY)
                (out / f"weekly-{script}-{language}.png").write_bytes(charts.weekly_chart(insight))
    print(f"sample pictures: {out}")


if __name__ == "__main__":
    main()
