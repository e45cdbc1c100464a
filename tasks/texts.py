"""What the workers say: reminder, nudge and summary texts, and the one-tap check-in button."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from smarthabit.insights import WEEKDAY_NAMES, WeeklyInsight, summary_sentences
from smarthabit.models import Habit
from smarthabit.prediction import Explanation
from smarthabit.predictions import SLIPPING_REASON, WEEKDAY_REASON, risk_reason
from smarthabit.schedule import ScheduleKind


def checkin_callback(habit_id: int, day: date) -> str:
    """The callback data the bot's handlers accept for a one-tap check-in."""
    return f"checkin:{habit_id}:{day.isoformat()}"


def checkin_markup(habit_id: int, day: date) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("✅ Done", callback_data=checkin_callback(habit_id, day))]])


def _streak(habit: Habit) -> str:
    unit = "week" if habit.schedule_kind is ScheduleKind.TIMES_PER_WEEK else "day"
    return f"{habit.current_streak}-{unit} streak"


def reminder_text(habit: Habit, day: date) -> str:
    """The reminder; it mentions the streak only when the cached one is recent enough to be true."""
    text = f"⏰ Time for {habit.name}."
    fresh = habit.streak_day is not None and (day - habit.streak_day).days <= 1
    if fresh and habit.current_streak >= 2:
        text += f" Keep your {_streak(habit)} going."
    return text


def skip_risk_text(habit: Habit, explanation: Explanation, day: date) -> str:
    """"You tend to skip Reading on Fridays — even 5 minutes keeps your 12-day streak"."""
    return skip_risk_reason_text(habit, risk_reason(explanation), day)


def skip_risk_reason_text(habit: Habit, reason: str, day: date) -> str:
    """The skip-risk nudge from the reason stored with the forecast (see `risk_reason`)."""
    if reason == WEEKDAY_REASON:
        head = f"You tend to skip {habit.name} on {WEEKDAY_NAMES[day.weekday()]}s"
    elif reason == SLIPPING_REASON:
        head = f"{habit.name} has slipped a little lately"
    else:
        head = f"Today looks like a day {habit.name} could slip"
    if habit.current_streak >= 2:
        return f"{head} — even 5 minutes keeps your {_streak(habit)}."
    return f"{head} — even 5 minutes counts."


def streak_risk_text(habit: Habit) -> str:
    return f"🔥 Your {_streak(habit)} on {habit.name} is at risk — check in before midnight to keep it."


def weekly_summary_text(insight: WeeklyInsight) -> str:
    return "\n".join([f"📊 Your week ({insight.week})", *summary_sentences(insight)])


def webhook_disabled_text(url: str) -> str:
    """Told in the chat when a webhook failed for a day and was turned off."""
    return (f"⚠️ Your webhook to {url[:200]} failed for a whole day, so it was turned off. "
            "Fix the receiver, then enable it again with POST /webhooks/{id}/enable.")
