"""A habit said in one sentence: "Read 10 pages every weekday at 8pm" → name, amount, schedule, reminder.

A small grammar of our own, the same for every language we speak (the lexicon holds the words of
all of them, so a German phrase works for a user whose Telegram is English): the sentence is read
for a reminder time, a schedule, an amount (with "at most"/"at least") and a leading "no"; what is
recognised is cut out and the rest, tidied, is the name. Anything not said (the schedule) is left
None for the stepwise form to ask. `cues` counts what was recognised: a plain message with none
("hi") is not a habit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.parsing import parse_amount, parse_time
from smarthabit.models import HabitKind, TargetDirection
from smarthabit.wording import MAX_VALUE

_WORKDAYS = frozenset(range(5))
_WEEKEND = frozenset({5, 6})
_ALL = frozenset(range(7))

# Weekday words by stem (lowercase), Monday = 0. Two-letter German/Spanish abbreviations are left out:
# "do", "so", "di", "sa" are ordinary words too.
_DAY_STEMS: tuple[tuple[str, int], ...] = (
    ("monday", 0), ("mondays", 0), ("mon", 0), ("montag", 0), ("montags", 0), ("lunes", 0), ("lun", 0),
    ("segunda", 0), ("seg", 0), ("понедельник", 0), ("пн", 0), ("सोमवार", 0),
    ("tuesday", 1), ("tuesdays", 1), ("tue", 1), ("tues", 1), ("dienstag", 1), ("dienstags", 1), ("martes", 1),
    ("terça", 1), ("terca", 1), ("ter", 1), ("вторник", 1), ("вт", 1), ("मंगलवार", 1),
    ("wednesday", 2), ("wednesdays", 2), ("wed", 2), ("mittwoch", 2), ("mittwochs", 2), ("miércoles", 2),
    ("miercoles", 2), ("mié", 2), ("quarta", 2), ("qua", 2), ("сред", 2), ("ср", 2), ("बुधवार", 2),
    ("thursday", 3), ("thursdays", 3), ("thu", 3), ("thurs", 3), ("donnerstag", 3), ("donnerstags", 3),
    ("jueves", 3), ("jue", 3), ("quinta", 3), ("qui", 3), ("четверг", 3), ("чт", 3), ("गुरुवार", 3),
    ("friday", 4), ("fridays", 4), ("fri", 4), ("freitag", 4), ("freitags", 4), ("viernes", 4), ("vie", 4),
    ("sexta", 4), ("sex", 4), ("пятниц", 4), ("пт", 4), ("शुक्रवार", 4),
    ("saturday", 5), ("saturdays", 5), ("sat", 5), ("samstag", 5), ("samstags", 5), ("sábado", 5),
    ("sabado", 5), ("sáb", 5), ("суббот", 5), ("сб", 5), ("शनिवार", 5),
    ("sunday", 6), ("sundays", 6), ("sun", 6), ("sonntag", 6), ("sonntags", 6), ("domingo", 6), ("dom", 6),
    ("воскресен", 6), ("вс", 6), ("रविवार", 6),
)  # fmt: skip
_STEM_PREFIXES = ("сред", "пятниц", "суббот", "воскресен", "понедельник", "вторник", "четверг", "terça", "quarta",
                  "quinta", "sexta", "segunda")

_DAILY = (
    r"every\s*day|each\s+day|daily|täglich|jeden\s+tag|каждый\s+день|ежедневно|todos\s+los\s+d[ií]as|"
    r"cada\s+d[ií]a|a\s+diario|diariamente|diario|todo\s+dia|todos\s+os\s+dias|हर\s+दिन|रोज़|रोज|प्रतिदिन|रोजाना|"
    r"(?:a|per)\s+day|pro\s+tag|am\s+tag|в\s+день|al\s+d[ií]a|por\s+d[ií]a|ao\s+dia|por\s+dia|प्रति\s+दिन|दिन\s+में"
)
_WORKDAY = (
    r"(?:every|on)\s+weekdays?|weekdays|werktags|an\s+wochentagen|по\s+будням|в\s+будни|entre\s+semana|"
    r"de\s+lunes\s+a\s+viernes|(?:em\s+|nos\s+)?dias\s+úteis|de\s+segunda\s+a\s+sexta|कार्यदिवसों\s+में|"
    r"सप्ताह\s+के\s+दिनों\s+में"
)
_WEEKENDS = (
    r"(?:on|every|at)\s+(?:the\s+)?weekends?|am\s+wochenende|по\s+выходным|(?:los\s+)?fines\s+de\s+semana|"
    r"(?:nos\s+)?fins\s+de\s+semana|सप्ताहांत\s+में|सप्ताहांत\s+पर"
)
_WORD_TIMES = {"once": 1, "twice": 2, "thrice": 3, "einmal": 1, "zweimal": 2, "dreimal": 3, "однажды": 1}
_TIMES = (
    r"(?P<n>\d)\s*(?:x|times|×|mal|раза?|veces|vezes|बार)\s*(?:a|per|pro|die|в|a\s+la|por|por\s+la|"
    r"na|por\s+semana)?\s*(?:week|woche|неделю|semana)"
    r"|(?P<w>once|twice|thrice|einmal|zweimal|dreimal)\s+(?:a|per|pro|die|in\s+der)\s+(?:week|woche)"
    r"|(?:हफ्ते|हफ़्ते|सप्ताह)\s+में\s+(?P<h>\d)\s+बार"
)
_TIME = (
    r"(?:(?:at|um|a\s+las|a\s+la|às|as|в|к|@)\s+)?(?:(?P<pm>शाम|रात)\s+|(?P<am>सुबह)\s+)?"
    r"(?P<clock>\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)|\d{1,2}[:.]\d{2}(?:\s*uhr)?|\d{1,2}\s*(?:uhr|h|ч)"
    r"|\d{1,2}\s+बजे|\d{1,2}(?=\s+(?:вечера|утра)))(?:\s+(?:बजे|पर))?(?:\s+(?P<ru_pm>вечера)|\s+утра)?"
)
_AT_MOST = (r"at\s+most|no\s+more\s+than|max(?:imum)?|höchstens|maximal|не\s+больше|максимум|не\s+более|"
            r"como\s+m[aá]ximo|no\s+m[aá]s\s+de|no\s+m[aá]ximo|अधिकतम|ज़्यादा\s+से\s+ज़्यादा")
_AT_LEAST = r"at\s+least|min(?:imum)?|mindestens|не\s+меньше|минимум|al\s+menos|pelo\s+menos|no\s+m[ií]nimo|कम\s+से\s+कम"
_NUMBER = r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?![.,]?\d)|\d+(?:[.,]\d+)?"  # "10,000", "10 000" or "2.5"
_AMOUNT = (rf"(?:(?P<most>{_AT_MOST})|(?P<least>{_AT_LEAST}))?\s*(?P<num>{_NUMBER})\s*"
           r"(?P<unit>[^\s\d.,;:!?()]+\.?)?")
_NEGATION = re.compile(r"^(?:no|kein|keine|keinen|без|sin|sem|não|नो|बिना)\s+\S", re.IGNORECASE)
_NEGATION_AFTER = re.compile(r"\S\s+नहीं$")
_CONNECTORS = frozenset({
    "of", "on", "at", "every", "a", "the", "and", "de", "do", "da", "la", "los", "las", "el", "y", "e", "und",
    "am", "um", "an", "по", "в", "и", "का", "की", "के", "में", "पर", "और", "jeden", "cada", "todos", "todo",
    "each", "per", "pro", "por", "na", "no", "nos",
})  # fmt: skip
_UNIT_STOP = frozenset({"times", "mal", "раз", "раза", "veces", "vezes", "x", "बार"})


@dataclass
class Proposal:
    """What one sentence said; None fields were not said."""

    name: str
    kind: HabitKind = HabitKind.YES_NO
    target: float | None = None
    unit: str | None = None
    direction: TargetDirection | None = None
    weekdays: frozenset[int] | None = None  # a fixed set of days (daily = all seven)
    times_per_week: int | None = None
    reminder: str | None = None  # HH:MM
    cues: list[str] = field(default_factory=list)

    def schedule(self) -> dict[str, object] | None:
        """The schedule as the domain's ScheduleIn fields, or None when the sentence didn't say."""
        if self.times_per_week is not None:
            return {"kind": "times_per_week", "weekdays": [], "times_per_week": self.times_per_week}
        if self.weekdays == _ALL:
            return {"kind": "daily", "weekdays": [], "times_per_week": None}
        if self.weekdays:
            return {"kind": "weekdays", "weekdays": sorted(self.weekdays), "times_per_week": None}
        return None


def parse_habit(text: str) -> Proposal | None:
    """The habit a sentence describes, or None when it is empty after the recognised parts."""
    rest = " " + " ".join(text.split()) + " "
    proposal = Proposal(name="")
    rest = _take_time(rest, proposal)
    rest = _take_schedule(rest, proposal)
    rest = _take_amount(rest, proposal)
    if _NEGATION.match(rest.strip()) or _NEGATION_AFTER.search(rest.strip()):
        proposal.cues.append("negation")
    name = _tidy(rest)
    if not name and proposal.unit:  # "at most 2 coffees a day": the unit is what is counted
        name, proposal.unit = proposal.unit[:1].upper() + proposal.unit[1:], proposal.unit
    if not name:
        return None
    proposal.name = name
    return proposal


def _sub(pattern: str, rest: str) -> tuple[re.Match[str] | None, str]:
    match = re.search(rf"(?<!\w)(?:{pattern})(?!\w)", rest, re.IGNORECASE)
    if match is None:
        return None, rest
    return match, rest[: match.start()] + " " + rest[match.end():]


def _take_time(rest: str, proposal: Proposal) -> str:
    match, after = _sub(_TIME, rest)
    if match is None:
        return rest
    clock = match["clock"]
    if match["pm"] or match["ru_pm"] or match["am"] or clock.isdigit():  # "शाम 7 बजे", "7 вечера"
        digits = re.match(r"\d{1,2}(?:[:.]\d{2})?", clock)
        clock = (digits[0] if digits else clock) + (" am" if match["am"] or not (match["pm"] or match["ru_pm"])
                                                   else " pm")
    at = parse_time(clock)
    if at is None:
        return rest
    proposal.reminder = at.strftime("%H:%M")
    proposal.cues.append("time")
    return after


def _take_schedule(rest: str, proposal: Proposal) -> str:
    for pattern, days in ((_WORKDAY, _WORKDAYS), (_WEEKENDS, _WEEKEND), (_DAILY, _ALL)):
        match, after = _sub(pattern, rest)
        if match is not None:
            proposal.weekdays = days
            proposal.cues.append("schedule")
            return after
    match, after = _sub(_TIMES, rest)
    if match is not None:
        times = int(match["n"] or match["h"] or 0) or _WORD_TIMES.get((match["w"] or "").lower(), 0)
        if 1 <= times <= 7:
            proposal.times_per_week = times
            proposal.cues.append("schedule")
            return after
    return _take_days(rest, proposal)


def _day_of(word: str) -> int | None:
    lowered = word.lower().strip(",.;/")
    for stem, day in _DAY_STEMS:
        if lowered == stem or (stem in _STEM_PREFIXES and lowered.startswith(stem)):
            return day
    return None


def _take_days(rest: str, proposal: Proposal) -> str:
    """Named weekdays anywhere ("mon wed fri", "am Montag und Freitag", "по средам")."""
    words = rest.split()
    days = {index: day for index, word in enumerate(words) if (day := _day_of(word)) is not None}
    if not days:
        return rest
    proposal.weekdays = frozenset(days.values())
    proposal.cues.append("schedule")
    return " " + " ".join(word for index, word in enumerate(words) if index not in days) + " "


def _take_amount(rest: str, proposal: Proposal) -> str:
    match, after = _sub(_AMOUNT, rest)
    if match is None:
        return rest
    unit = (match["unit"] or "").strip()
    if unit.lower() in _UNIT_STOP:
        return rest
    if unit.lower() in _CONNECTORS:  # "20 of ..." has no unit: give the word back
        after = after.replace("  ", f" {unit} ", 1)
        unit = ""
    target = parse_amount(match["num"])
    if not isinstance(target, float) or not 0 < target <= MAX_VALUE:
        return rest
    proposal.kind = HabitKind.MEASURABLE
    proposal.target, proposal.unit = target, (unit[:20] or None)
    proposal.direction = TargetDirection.AT_MOST if match["most"] else TargetDirection.AT_LEAST
    proposal.cues.append("amount")
    return after


def _tidy(rest: str) -> str:
    """The name: what is left, without connectors stranded at the ends or doubled in the middle."""
    words = [w for w in re.split(r"\s+", rest.strip(" ,.;:!-–—")) if w]
    while words and words[-1].lower() in _CONNECTORS:
        words.pop()
    while words and words[0].lower() in _CONNECTORS - {"no"}:
        words.pop(0)
    tidy: list[str] = []
    for word in words:  # "drink [8 glasses] of water" → "drink water"
        if word.lower() in {"of", "de", "do", "da"} and tidy and len(tidy) == 1:
            continue
        tidy.append(word)
    name = " ".join(tidy).strip(" ,.;:")
    return name[:1].upper() + name[1:] if name else ""
