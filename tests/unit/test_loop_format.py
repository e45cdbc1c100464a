"""Reading Loop Habit Tracker's CSV export without the database (`smarthabit.imports.loop`).

Formats from iSoron/uhabits: `io/HabitsCSVExporter.kt` (current: `Date,Value,Notes` with
`Entry.formattedValue`; before notes existed: `date,value` rows with the number), `models/HabitList.kt`
`writeCSV`, and the `models/Entry.kt` constants (YES_MANUAL 2, YES_AUTO 1, NO 0, SKIP 3, UNKNOWN -1).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from smarthabit.errors import ValidationFailed
from smarthabit.imports.loop import parse_loop_zip
from smarthabit.schedule import Schedule, ScheduleKind
from tests.imports.loop_export import LoopHabit, habits_csv

TODAY = date(2026, 6, 10)


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_exports_from_before_notes_are_read_too() -> None:
    habits = [LoopHabit("Floss"), LoopHabit("Steps", numerical=True, unit="k", target_value=8.0)]
    plan = parse_loop_zip(_zip({
        "Habits.csv": habits_csv(habits),
        "001 Floss/Checkmarks.csv": "2026-06-10,2\n2026-06-09,1\n2026-06-08,0\n2026-06-07,3\n2026-06-06,3\n",
        "002 Steps/Checkmarks.csv": "2026-06-10,8500\n2026-06-09,-1\n",
    }), TODAY)
    floss, steps = plan.habits
    assert floss.checkins == {date(2026, 6, 10): (None, None)}
    assert floss.pauses == [(date(2026, 6, 6), date(2026, 6, 7))]
    assert floss.start_day == date(2026, 6, 6)
    assert steps.checkins == {date(2026, 6, 10): (8.5, None)} and steps.target == 8.0


@pytest.mark.parametrize(("numerator", "denominator", "schedule"), [
    (1, 1, Schedule(ScheduleKind.DAILY)),
    (7, 7, Schedule(ScheduleKind.DAILY)),
    (3, 7, Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=3)),
    (1, 7, Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=1)),
    (10, 30, Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=2)),
    (1, 30, Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=1)),
])
def test_frequencies(numerator: int, denominator: int, schedule: Schedule) -> None:
    habit = LoopHabit("X", numerator=numerator, denominator=denominator)
    assert parse_loop_zip(_zip({"Habits.csv": habits_csv([habit])}), TODAY).habits[0].schedule == schedule


def test_malformed_rows_are_refused_with_where() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_loop_zip(_zip({"Habits.csv": "Position,Name,FrequencyNumerator,FrequencyDenominator\n001,X,0,7\n"}),
                       TODAY)
    assert caught.value.details == {"file": "Habits.csv", "line": 2}
    with pytest.raises(ValidationFailed):
        parse_loop_zip(_zip({"Habits.csv": habits_csv([LoopHabit("X")]), "001 X/Checkmarks.csv": "yesterday,2\n"}),
                       TODAY)
