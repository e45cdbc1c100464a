"""The one-sentence habit grammar, table-driven: a phrasing in one of our languages and the habit it
must become (name, amount, schedule, reminder). `None` means "not said": the form asks for it."""

from __future__ import annotations

import pytest

from bot.phrasing import parse_habit
from smarthabit import i18n

WD, WE, ALL = [0, 1, 2, 3, 4], [5, 6], "daily"
# (language, sentence, name, (target, unit, direction) or None, schedule, reminder)
# schedule: "daily", a list of weekdays (Monday = 0), ("tpw", N) or None.
TABLE = [
    # English
    ("en", "Read 10 pages every weekday at 8pm", "Read", (10, "pages", "at_least"), WD, "20:00"),
    ("en", "drink 8 glasses of water daily", "Drink water", (8, "glasses", "at_least"), ALL, None),
    ("en", "gym 3 times a week", "Gym", None, ("tpw", 3), None),
    ("en", "no sugar", "No sugar", None, None, None),
    ("en", "meditate mon wed fri 7:00", "Meditate", None, [0, 2, 4], "07:00"),
    ("en", "walk 10,000 steps every day", "Walk", (10000, "steps", "at_least"), ALL, None),
    ("en", "at most 2 coffees a day", "Coffees", (2, "coffees", "at_most"), ALL, None),
    ("en", "stretch on weekends at 9:30 am", "Stretch", None, WE, "09:30"),
    ("en", "run twice a week", "Run", None, ("tpw", 2), None),
    ("en", "journal every day at 10pm", "Journal", None, ALL, "22:00"),
    ("en", "practice guitar 30 min daily at 7:30pm", "Practice guitar", (30, "min", "at_least"), ALL, "19:30"),
    ("en", "swim on tuesday and thursday", "Swim", None, [1, 3], None),
    ("en", "call mom sundays", "Call mom", None, [6], None),
    ("en", "floss daily", "Floss", None, ALL, None),
    ("en", "yoga 4x a week", "Yoga", None, ("tpw", 4), None),
    ("en", "no more than 1 hour of TV a day", "TV", (1, "hour", "at_most"), ALL, None),
    ("en", "read at 8 pm", "Read", None, None, "20:00"),
    ("en", "Read 20 pages", "Read", (20, "pages", "at_least"), None, None),
    # Russian
    ("ru", "читать 10 страниц по будням в 20:00", "Читать", (10, "страниц", "at_least"), WD, "20:00"),
    ("ru", "пить 8 стаканов воды каждый день", "Пить воды", (8, "стаканов", "at_least"), ALL, None),
    ("ru", "спортзал 3 раза в неделю", "Спортзал", None, ("tpw", 3), None),
    ("ru", "без сахара", "Без сахара", None, None, None),
    ("ru", "медитация пн ср пт 7:00", "Медитация", None, [0, 2, 4], "07:00"),
    ("ru", "бегать каждый день в 7 вечера", "Бегать", None, ALL, "19:00"),
    ("ru", "кофе не больше 2 чашек в день", "Кофе", (2, "чашек", "at_most"), ALL, None),
    ("ru", "звонить маме по воскресеньям", "Звонить маме", None, [6], None),
    ("ru", "йога по выходным", "Йога", None, WE, None),
    ("ru", "плавать по вторникам и четвергам", "Плавать", None, [1, 3], None),
    ("ru", "ходить 10 000 шагов ежедневно", "Ходить", (10000, "шагов", "at_least"), ALL, None),
    # Spanish
    ("es", "leer 10 páginas entre semana a las 20:00", "Leer", (10, "páginas", "at_least"), WD, "20:00"),
    ("es", "beber 8 vasos de agua todos los días", "Beber agua", (8, "vasos", "at_least"), ALL, None),
    ("es", "ir al gimnasio 3 veces por semana", "Ir al gimnasio", None, ("tpw", 3), None),
    ("es", "sin azúcar", "Sin azúcar", None, None, None),
    ("es", "meditar lunes miércoles viernes 7:00", "Meditar", None, [0, 2, 4], "07:00"),
    ("es", "correr los fines de semana", "Correr", None, WE, None),
    ("es", "como máximo 2 cafés al día", "Cafés", (2, "cafés", "at_most"), ALL, None),
    ("es", "estirar cada día a las 7:30 pm", "Estirar", None, ALL, "19:30"),
    ("es", "nadar martes y jueves", "Nadar", None, [1, 3], None),
    # German
    ("de", "10 Seiten lesen werktags um 20 Uhr", "Lesen", (10, "Seiten", "at_least"), WD, "20:00"),
    ("de", "8 Gläser Wasser trinken täglich", "Wasser trinken", (8, "Gläser", "at_least"), ALL, None),
    ("de", "Fitnessstudio 3 mal pro Woche", "Fitnessstudio", None, ("tpw", 3), None),
    ("de", "kein Zucker", "Kein Zucker", None, None, None),
    ("de", "meditieren Montag Mittwoch Freitag 7:00", "Meditieren", None, [0, 2, 4], "07:00"),
    ("de", "höchstens 2 Kaffee am Tag", "Kaffee", (2, "Kaffee", "at_most"), ALL, None),
    ("de", "joggen am Wochenende", "Joggen", None, WE, None),
    ("de", "10.000 Schritte gehen jeden Tag", "Gehen", (10000, "Schritte", "at_least"), ALL, None),
    ("de", "Mama anrufen sonntags", "Mama anrufen", None, [6], None),
    ("de", "Yoga zweimal pro Woche", "Yoga", None, ("tpw", 2), None),
    # Portuguese (Brazil)
    ("pt_BR", "ler 10 páginas em dias úteis às 20:00", "Ler", (10, "páginas", "at_least"), WD, "20:00"),
    ("pt_BR", "beber 8 copos de água todo dia", "Beber água", (8, "copos", "at_least"), ALL, None),
    ("pt_BR", "academia 3 vezes por semana", "Academia", None, ("tpw", 3), None),
    ("pt_BR", "sem açúcar", "Sem açúcar", None, None, None),
    ("pt_BR", "meditar seg qua sex 7:00", "Meditar", None, [0, 2, 4], "07:00"),
    ("pt_BR", "correr nos fins de semana", "Correr", None, WE, None),
    ("pt_BR", "no máximo 2 cafés por dia", "Cafés", (2, "cafés", "at_most"), ALL, None),
    ("pt_BR", "caminhar 30 min todos os dias às 7h", "Caminhar", (30, "min", "at_least"), ALL, "07:00"),
    # Hindi
    ("hi", "हर दिन 10 पन्ने पढ़ना", "पढ़ना", (10, "पन्ने", "at_least"), ALL, None),
    ("hi", "रोज़ 8 गिलास पानी पीना", "पानी पीना", (8, "गिलास", "at_least"), ALL, None),
    ("hi", "जिम हफ़्ते में 3 बार", "जिम", None, ("tpw", 3), None),
    ("hi", "बिना चीनी", "बिना चीनी", None, None, None),
    ("hi", "ध्यान सोमवार बुधवार शुक्रवार 7:00", "ध्यान", None, [0, 2, 4], "07:00"),
    ("hi", "रोज 30 मिनट योग शाम 7 बजे", "योग", (30, "मिनट", "at_least"), ALL, "19:00"),
    ("hi", "सप्ताहांत पर दौड़ना", "दौड़ना", None, WE, None),
    ("hi", "अधिकतम 2 कप चाय रोज़", "चाय", (2, "कप", "at_most"), ALL, None),
    ("hi", "रोज़ 10 पन्ने पढ़ना रात 8 बजे", "पढ़ना", (10, "पन्ने", "at_least"), ALL, "20:00"),
    ("hi", "ध्यान कार्यदिवसों में शाम 7:30 बजे", "ध्यान", None, WD, "19:30"),
]


def _schedule(expected: object) -> dict[str, object] | None:
    if expected is None:
        return None
    if expected == ALL:
        return {"kind": "daily", "weekdays": [], "times_per_week": None}
    if isinstance(expected, tuple):
        return {"kind": "times_per_week", "weekdays": [], "times_per_week": expected[1]}
    return {"kind": "weekdays", "weekdays": expected, "times_per_week": None}


def test_the_table_is_big_and_covers_every_language() -> None:
    assert len(TABLE) >= 60
    assert {row[0] for row in TABLE} == set(i18n.LANGUAGES)


@pytest.mark.parametrize(("language", "sentence", "name", "amount", "schedule", "reminder"), TABLE,
                         ids=[f"{row[0]}:{row[1]}" for row in TABLE])
def test_phrasing(language: str, sentence: str, name: str, amount: tuple[float, str, str] | None,
                  schedule: object, reminder: str | None) -> None:
    with i18n.using(language):  # numbers are read with the language's separators
        proposal = parse_habit(sentence)
    assert proposal is not None and proposal.cues
    assert proposal.name == name
    if amount is None:
        assert proposal.kind.value == "yes_no" and proposal.target is None
    else:
        assert proposal.kind.value == "measurable"
        assert (proposal.target, proposal.unit, proposal.direction.value) == amount  # type: ignore[union-attr]
    assert proposal.schedule() == _schedule(schedule)
    assert proposal.reminder == reminder


@pytest.mark.parametrize("text", ["hi", "thanks!", "ok", "what now?", "привет", "hola", "नमस्ते"])
def test_small_talk_is_not_a_habit(text: str) -> None:
    proposal = parse_habit(text)
    assert proposal is None or not proposal.cues
