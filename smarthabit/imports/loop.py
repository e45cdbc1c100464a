"""Loop Habit Tracker's "Export as CSV" zip, read into an `ImportPlan`.

The format, from Loop's own source (iSoron/uhabits, uhabits-core):
- `io/HabitsCSVExporter.kt` writes `Habits.csv` (via `models/HabitList.kt` `writeCSV`), then per
  habit a folder `"%03d %s"` (position + 1, the name stripped to `[ a-zA-Z0-9._-]`, at most 100
  characters) with `Checkmarks.csv` and `Scores.csv`, and overall `Checkmarks.csv` and `Scores.csv`.
- `HabitList.writeCSV` columns: Position, Name, Type (YES_NO or NUMERICAL), Question, Description,
  FrequencyNumerator, FrequencyDenominator, Color, Unit, Target Type (AT_LEAST or AT_MOST),
  Target Value, Archived?  (opencsv, quoted only where needed).
- A habit's `Checkmarks.csv`: header `Date,Value,Notes`, one row per known day (`yyyy-MM-dd`), newest
  first; the value is `Entry.formattedValue`: YES_MANUAL (2), YES_AUTO (1), NO (0), SKIP (3),
  UNKNOWN (-1) by name, any other number as is. Measurable (NUMERICAL) values are stored in
  thousandths (1.5 km is 1500). Exports before notes existed wrote `date,value` rows without a
  header and the value as a number; both are read.

Mapping: YES_MANUAL becomes a check-in (with its note); YES_AUTO (Loop's own fill-in for habits
done less than daily) and NO and UNKNOWN add nothing; a SKIP day becomes a pause of that day (runs of
skipped days one pause). Measurable entries become check-ins with value / 1000. A frequency of n
times in d days becomes daily (n >= d), n times a week (d = 7), or the nearest times a week.
The overall Checkmarks.csv / Scores.csv and the scores are Loop's computations and are not needed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, timedelta

from smarthabit.errors import ValidationFailed
from smarthabit.i18n import N_
from smarthabit.imports import MAX_IMPORT_CHECKINS, MAX_IMPORT_HABITS, ImportPlan, PlannedHabit
from smarthabit.imports.archive import read_zip
from smarthabit.models import HabitKind, TargetDirection
from smarthabit.schedule import Schedule, ScheduleKind
from smarthabit.schemas import MAX_HABIT_NAME

SOURCE = "loop"
REQUIRED_COLUMNS = ("Position", "Name", "FrequencyNumerator", "FrequencyDenominator")
YES_MANUAL, YES_AUTO, NO, SKIP, UNKNOWN = 2, 1, 0, 3, -1
_NAMED = {"YES_MANUAL": YES_MANUAL, "YES_AUTO": YES_AUTO, "NO": NO, "SKIP": SKIP, "UNKNOWN": UNKNOWN}
_FOLDER = re.compile(r"^(?:[^/]*/)?(\d{3,}) [^/]*/Checkmarks\.csv$")
MAX_MEASURE = 1_000_000


def _text(value: str | None) -> str:
    """Loop's free text (notes may span lines) as one clean line: control characters become spaces."""
    return " ".join("".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in value or "").split())


def _bad(message: str, details: object = None, code: str = "invalid_loop_export", **params: object) -> ValidationFailed:
    return ValidationFailed(message, details, code=code, params=params)


def parse_loop_zip(data: bytes, today: date) -> ImportPlan:
    """Validate a Loop export zip and plan its habits; ValidationFailed says what is wrong."""
    files = read_zip(data)
    habits_csv = next((name for name in files if name.rsplit("/", 1)[-1] == "Habits.csv" and name.count("/") <= 1),
                      None)
    if habits_csv is None:
        raise _bad(N_("This is not a Loop Habit Tracker export: Habits.csv is missing"), code="missing_habits_csv")
    rows = _rows(files[habits_csv], "Habits.csv")
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise _bad(N_("Habits.csv lacks columns Loop writes"), {"missing": missing, "found": header[:20]},
                   code="wrong_columns")
    if len(body) > MAX_IMPORT_HABITS:
        raise _bad(N_("At most {max} habits per import"), code="import_too_large", max=MAX_IMPORT_HABITS)
    entries = {int(m.group(1)): content for name, content in files.items() if (m := _FOLDER.match(name))}
    habits = [_habit(dict(zip(header, row, strict=False)), entries, today, number)
              for number, row in enumerate(body, start=2) if any(cell.strip() for cell in row)]
    seen: set[str] = set()
    for habit in habits:  # two Loop habits may share a name; each needs its own key
        if habit.key in seen:
            habit.key = f"{habit.key}#{len(seen)}"
        seen.add(habit.key)
    if sum(len(h.checkins) for h in habits) > MAX_IMPORT_CHECKINS:
        raise _bad(N_("At most {max} check-ins per import"), code="import_too_large", max=MAX_IMPORT_CHECKINS)
    return ImportPlan(SOURCE, habits)


def _rows(data: bytes, name: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error):
        raise _bad(N_("{name} is not UTF-8 CSV"), {"file": name[:200]}, name=name[:200]) from None


def _habit(row: dict[str, str], entries: dict[int, bytes], today: date, line: int) -> PlannedHabit:
    where = {"file": "Habits.csv", "line": line}
    try:
        position = int(row["Position"])
        numerator, denominator = int(row["FrequencyNumerator"]), int(row["FrequencyDenominator"])
        name = _text(row["Name"])[:MAX_HABIT_NAME]
    except (ValueError, TypeError):
        raise _bad(N_("Habits.csv has a malformed row"), where) from None
    if not name or numerator < 1 or denominator < 1:
        raise _bad(N_("Habits.csv has a habit without a name or with an impossible frequency"), where)
    measurable = row.get("Type", "YES_NO").strip() == "NUMERICAL"
    planned = PlannedHabit(
        key=name, name=name, kind=HabitKind.MEASURABLE if measurable else HabitKind.YES_NO,
        schedule=_schedule(numerator, denominator), start_day=today,
        description=_description(row), archived=row.get("Archived?", "false").strip().lower() == "true",
    )
    if measurable:
        _measurable_target(planned, row, where)
    if position in entries:
        _read_entries(planned, entries[position], measurable)
    return planned


def _schedule(numerator: int, denominator: int) -> Schedule:
    if numerator >= denominator:
        return Schedule(ScheduleKind.DAILY)
    per_week = numerator if denominator == 7 else round(numerator * 7 / denominator)
    per_week = max(1, min(7, per_week))
    if per_week == 7:
        return Schedule(ScheduleKind.DAILY)
    return Schedule(ScheduleKind.TIMES_PER_WEEK, times_per_week=per_week)


def _description(row: dict[str, str]) -> str:
    parts = [_text(row.get(column)) for column in ("Question", "Description")]
    return " — ".join(part for part in parts if part)[:500]


def _measurable_target(planned: PlannedHabit, row: dict[str, str], where: dict[str, object]) -> None:
    try:
        target = float(row.get("Target Value") or 0)
    except ValueError:
        raise _bad(N_("Habits.csv has a malformed target value"), where) from None
    planned.target = target if 0 < target <= MAX_MEASURE else 1.0
    planned.unit = _text(row.get("Unit"))[:20] or None
    direction = (row.get("Target Type") or "AT_LEAST").strip()
    planned.target_direction = TargetDirection.AT_MOST if direction == "AT_MOST" else TargetDirection.AT_LEAST


def _read_entries(planned: PlannedHabit, data: bytes, measurable: bool) -> None:
    rows = _rows(data, f"{planned.name}/Checkmarks.csv")
    if rows and rows[0][:2] == ["Date", "Value"]:
        rows = rows[1:]
    skipped: list[date] = []
    for row in rows:
        if not row or not row[0].strip():
            continue
        day, value = _entry(row, planned.name)
        if value != UNKNOWN:  # the habit existed on its first known day (a NO day too)
            planned.start_day = min(planned.start_day, day)
        note = _text(row[2])[:500] if len(row) > 2 else ""
        if value == SKIP:
            skipped.append(day)
        elif measurable and value >= 0:
            planned.checkins[day] = (value / 1000, note or None)
        elif not measurable and value == YES_MANUAL:
            planned.checkins[day] = (None, note or None)
    planned.pauses = _runs(sorted(set(skipped)))


def _entry(row: list[str], habit: str) -> tuple[date, int]:
    try:
        day = date.fromisoformat(row[0].strip())
        raw = row[1].strip() if len(row) > 1 else ""
        value = _NAMED[raw] if raw in _NAMED else int(raw)
    except (ValueError, IndexError):
        raise _bad(N_("A Checkmarks.csv row is malformed"), {"habit": habit, "row": row[:3]}) from None
    if value > MAX_MEASURE * 1000:
        raise _bad(N_("A Checkmarks.csv value is out of range"), {"habit": habit, "row": row[:2]})
    return day, value


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as inclusive (start, end) ranges."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
