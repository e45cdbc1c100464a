"""A Loop Habit Tracker "Export as CSV" zip, written the way Loop writes it.

Follows Loop's source (iSoron/uhabits, uhabits-core/src/jvmMain/java/org/isoron/uhabits/core/):
- `io/HabitsCSVExporter.kt`: `Habits.csv`; per habit a folder `String.format("%03d %s", index + 1,
  sanitizeFilename(name))` (name stripped to `[ a-zA-Z0-9._-]`, at most 100 characters, trimmed) with
  `Scores.csv` (`Date,Score`, `%.4f`) and `Checkmarks.csv` (`Date,Value,Notes`, one row per known
  entry, newest first, the value as `Entry.formattedValue`); then the overall `Scores.csv` and
  `Checkmarks.csv` (`Date,<habit>,...,` with a trailing comma on every line); zip entries in that order.
- `models/HabitList.kt` `writeCSV`: the Habits.csv header and `%03d` positions, booleans as
  `true`/`false`, the target value as a Kotlin Double (`5.0`), unit and target empty for yes/no habits.
- `models/Entry.kt`: YES_MANUAL = 2, YES_AUTO = 1, NO = 0, SKIP = 3, UNKNOWN = -1;
  `formattedValue` names them and prints other values (measurable ones, in thousandths) as numbers.
- `utils/DateFormats.kt` `getCSVDateFormat`: `yyyy-MM-dd`.
opencsv's `CSVWriter.writeNext(row, false)` quotes only fields that need it; lines end in "\\n".
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta

YES_MANUAL, YES_AUTO, NO, SKIP, UNKNOWN = 2, 1, 0, 3, -1
_NAMES = {YES_MANUAL: "YES_MANUAL", YES_AUTO: "YES_AUTO", NO: "NO", SKIP: "SKIP", UNKNOWN: "UNKNOWN"}


@dataclass
class LoopHabit:
    name: str
    numerator: int = 1
    denominator: int = 1
    numerical: bool = False
    unit: str = ""
    target_type: str = "AT_LEAST"
    target_value: float = 0.0
    question: str = ""
    description: str = ""
    archived: bool = False
    color: str = "#FF8F00"
    entries: dict[date, tuple[int, str]] = field(default_factory=dict)  # day -> (value, notes)


def formatted(value: int) -> str:
    return _NAMES.get(value, str(value))


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _sanitize(name: str) -> str:
    return re.sub(r"[^ a-zA-Z0-9._-]+", "", name)[:100]


def _kotlin_double(value: float) -> str:
    return repr(float(value))


def habits_csv(habits: list[LoopHabit]) -> str:
    header = ["Position", "Name", "Type", "Question", "Description", "FrequencyNumerator", "FrequencyDenominator",
              "Color", "Unit", "Target Type", "Target Value", "Archived?"]
    rows = [header]
    for index, h in enumerate(habits):
        rows.append([f"{index + 1:03d}", h.name, "NUMERICAL" if h.numerical else "YES_NO", h.question, h.description,
                     str(h.numerator), str(h.denominator), h.color, h.unit if h.numerical else "",
                     h.target_type if h.numerical else "", _kotlin_double(h.target_value) if h.numerical else "",
                     "true" if h.archived else "false"])
    return _csv(rows)


def build_loop_zip(habits: list[LoopHabit], today: date) -> bytes:
    files: list[tuple[str, str]] = [("Habits.csv", habits_csv(habits))]
    for index, h in enumerate(habits):
        folder = f"{index + 1:03d} {_sanitize(h.name)}".strip() + "/"
        known = sorted(((d, v) for d, v in h.entries.items() if v[0] != UNKNOWN), reverse=True)
        oldest = known[-1][0] if known else today
        days = (today - oldest).days
        files.append((folder + "Scores.csv", _csv([["Date", "Score"]] + [
            [(today - timedelta(days=i)).isoformat(), f"{0.5:.4f}"] for i in range(days + 1)])))
        files.append((folder + "Checkmarks.csv", _csv([["Date", "Value", "Notes"]] + [
            [d.isoformat(), formatted(v), notes] for d, (v, notes) in known])))
    all_days = [d for h in habits for d in h.entries]
    oldest = min(all_days) if all_days else today
    header = "Date," + "".join(f"{h.name}," for h in habits) + "\n"
    checks, scores = header, header
    for i in range((today - oldest).days + 1):
        day = today - timedelta(days=i)
        checks += f"{day.isoformat()}," + "".join(
            f"{formatted(h.entries.get(day, (UNKNOWN, ''))[0])}," for h in habits) + "\n"
        scores += f"{day.isoformat()}," + "".join("0.5000," for _ in habits) + "\n"
    files += [("Scores.csv", scores), ("Checkmarks.csv", checks)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files:
            archive.writestr(name, text.encode())
    return buffer.getvalue()


def sample_habits(today: date, days: int = 60) -> list[LoopHabit]:
    """Three kinds of habit over `days` days: daily yes/no with skips and notes, 3 times a week (with
    Loop's YES_AUTO fill-ins), and measurable kilometres (thousandths) with an explicit zero."""
    meditate = LoopHabit("Meditate", question="Did you meditate today?")
    gym = LoopHabit("Gym, \"heavy\" day", numerator=3, denominator=7)
    run = LoopHabit("Run", numerical=True, unit="km", target_value=5.0, description="Easy pace")
    for i in range(days):
        day = today - timedelta(days=i)
        if i % 10 == 3:
            meditate.entries[day] = (SKIP, "")
        elif i % 3 != 2:
            meditate.entries[day] = (YES_MANUAL, "calm, focused" if i % 7 == 0 else "")
        else:
            meditate.entries[day] = (NO, "")
        if i % 7 in (0, 2, 4):
            gym.entries[day] = (YES_MANUAL, "legs\nand back" if i == 14 else "")
        elif i % 7 in (1, 3):
            gym.entries[day] = (YES_AUTO, "")
        if i % 2 == 0:
            run.entries[day] = (5500 + 250 * (i % 4), "windy" if i == 4 else "")
        elif i == 9:
            run.entries[day] = (0, "")
    return [meditate, gym, run]
