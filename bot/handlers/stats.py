"""/stats: the weekly insight in words plus a chart; `/stats NAME` for one habit."""

from __future__ import annotations

from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatAction

from bot import charts, keyboards, texts
from bot.handlers import start
from bot.handlers.common import Context, chat_user, send
from bot.handlers.habits import card_view
from bot.handlers.web import open_button_row
from smarthabit import checkins, habits, stats
from smarthabit.habits import HabitStatus
from smarthabit.insights import summary_sentences
from smarthabit.models import Habit, HabitKind, TargetDirection, User


def find_habit(statuses: list[HabitStatus], query: str) -> tuple[HabitStatus | None, list[str]]:
    """The habit a typed name means: exact (any case), else the only one containing it.
    Returns (match, []) or (None, the names containing the query when several do)."""
    wanted = query.casefold()
    exact = [s for s in statuses if s.habit.name.casefold() == wanted]
    if exact:
        return exact[0], []
    partial = [s for s in statuses if wanted in s.habit.name.casefold()]
    if len(partial) == 1:
        return partial[0], []
    return None, [s.habit.name for s in partial]


async def stats_command(update: Update, context: Context) -> None:
    """/stats [NAME]: words first (they arrive at once), then the picture."""
    if await start.timezone_first(update, context):
        return
    user = await chat_user(update)
    statuses = await habits.list_habits(user)
    if not statuses:
        await send(update, texts.STATS_NO_HABITS)
        return
    query = " ".join(context.args or []).strip()
    if query:
        await _habit_stats(update, context, user, statuses, query)
        return
    insight = await stats.weekly_insight_for(user)
    open_row = open_button_row(context, "week")
    await send(update, texts.weekly_stats(insight.week, insight.start, insight.end, summary_sentences(insight)),
               InlineKeyboardMarkup(open_row) if open_row else None)
    await _uploading(update)
    caption = texts.weekly_caption(insight.week, insight.done, insight.scheduled, insight.rate)
    await _send_photo(update, await charts.render_weekly(insight), caption)


async def _habit_stats(update: Update, context: Context, user: User, statuses: list[HabitStatus],
                       query: str) -> None:
    match, several = find_habit(statuses, query)
    if match is None:
        if several:
            await send(update, texts.stats_habit_ambiguous(query, several))
        else:
            await send(update, texts.stats_habit_not_found(query, [s.habit.name for s in statuses]))
        return
    text, markup = await card_view(user, match.habit.id, context)
    await send(update, text, markup)
    await _uploading(update)
    history = await stats.habit_history(match.habit)
    partial = await _partial_days(user, match.habit, match.today)
    done, missed = charts.year_counts(history, match.today, partial)
    caption = texts.habit_caption(match.habit.name, done, missed,
                                  texts.period(match.habit.current_streak, stats.streak_unit(match.habit)))
    await _send_photo(update, await charts.render_habit(history, match.today, partial), caption,
                      keyboards.notes_entry(match.habit.id))


async def _partial_days(user: User, habit: Habit, today: date) -> dict[date, float]:
    """Days of a measurable "at least" habit logged short of the target → the share reached."""
    if habit.kind is not HabitKind.MEASURABLE or not habit.target or habit.target_direction == TargetDirection.AT_MOST:
        return {}
    rows, _ = await checkins.list_checkins(user, habit.id, start=today - timedelta(weeks=charts.YEAR_WEEKS),
                                           end=today, limit=400)
    return {row.day: row.value / habit.target for row in rows
            if row.value is not None and not habit.counts_as_done(row.value)}


async def _uploading(update: Update) -> None:
    """Show "sending a photo…" while the chart renders."""
    if update.effective_chat is not None:
        await update.effective_chat.send_action(ChatAction.UPLOAD_PHOTO)


async def _send_photo(update: Update, png: bytes, caption: str, markup: InlineKeyboardMarkup | None = None) -> None:
    chat = update.effective_chat
    assert chat is not None
    await chat.send_photo(InputFile(png, filename="stats.png"), caption=caption, reply_markup=markup)
