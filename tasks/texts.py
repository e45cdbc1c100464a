"""What the workers say: reminder, nudge and summary texts, and the one-tap check-in button.

Each text is composed in the user's language (`language` is the account's stored choice); the
check-in button's format and the streak wording come from `smarthabit.wording`, as in the bot.
"""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from smarthabit import i18n
from smarthabit.i18n import _
from smarthabit.insights import WeeklyInsight, summary_sentences
from smarthabit.models import Habit
from smarthabit.prediction import Explanation
from smarthabit.predictions import HOLIDAY_REASON, SLIPPING_REASON, WEEKDAY_REASON, risk_reason
from smarthabit.wording import checkin_button_label, checkin_data, streak, streak_unit


def checkin_callback(habit_id: int, day: date) -> str:
    """The callback data the bot's handlers accept for a one-tap check-in."""
    return checkin_data(habit_id, day)


def checkin_markup(habit_id: int, day: date, language: str | None = None) -> InlineKeyboardMarkup:
    with i18n.using(language):
        label = checkin_button_label()
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=checkin_callback(habit_id, day))]])


def _streak(habit: Habit) -> str:
    return streak(habit.current_streak, streak_unit(habit.schedule_kind))


def reminder_text(habit: Habit, day: date, language: str | None = None) -> str:
    """The reminder; it mentions the streak only when the cached one is recent enough to be true."""
    with i18n.using(language):
        text = _("⏰ Time for {name}.").format(name=habit.name)
        fresh = habit.streak_day is not None and (day - habit.streak_day).days <= 1
        if fresh and habit.current_streak >= 2:
            text += " " + _("Keep {streak} going.").format(streak=_streak(habit))
        return text


def skip_risk_text(habit: Habit, explanation: Explanation, day: date, language: str | None = None) -> str:
    """"You tend to skip Reading on Fridays — even 5 minutes keeps your 12-day streak"."""
    return skip_risk_reason_text(habit, risk_reason(explanation), day, language)


def skip_risk_reason_text(habit: Habit, reason: str, day: date, language: str | None = None) -> str:
    """The skip-risk nudge from the reason stored with the forecast (see `risk_reason`)."""
    with i18n.using(language):
        if reason == HOLIDAY_REASON:
            head = _("{name} often slips on public holidays, and today is one").format(name=habit.name)
        elif reason == WEEKDAY_REASON:
            head = _("You tend to skip {name} on {weekday}s").format(
                name=habit.name, weekday=i18n.weekday_name(day.weekday()))
        elif reason == SLIPPING_REASON:
            head = _("{name} has slipped a little lately").format(name=habit.name)
        else:
            head = _("Today looks like a day {name} could slip").format(name=habit.name)
        if habit.current_streak >= 2:
            return head + _(" — even 5 minutes keeps {streak}.").format(streak=_streak(habit))
        return head + _(" — even 5 minutes counts.")


def streak_risk_text(habit: Habit, language: str | None = None) -> str:
    with i18n.using(language):
        return _("🔥 Check in on {name} before midnight to keep {streak}.").format(
            streak=_streak(habit), name=habit.name)


def weekly_summary_text(insight: WeeklyInsight, language: str | None = None) -> str:
    with i18n.using(language):
        head = _("📊 Your week ({week})").format(week=insight.week)
        return "\n".join([head, *summary_sentences(insight, i18n.weekday_names())])


def missed_reminders_line(habit_names: list[str], language: str | None = None) -> str:
    """Folded into the next message after reminders missed their deadline (`smarthabit.missed`)."""
    with i18n.using(language):
        return _("Earlier reminders I could not send on time: {habits}.").format(habits=", ".join(habit_names))


def webhook_disabled_text(url: str, language: str | None = None) -> str:
    """Told in the chat when a webhook failed for a day and was turned off."""
    with i18n.using(language):
        return _("⚠️ Your webhook to {url} failed for a whole day, so it was turned off. Fix the receiver, then "
                 "enable it again with POST /webhooks/{{id}}/enable.").format(url=url[:200])
