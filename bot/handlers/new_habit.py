"""/new: name → yes/no or an amount (target + unit) → schedule → reminder → summary with Save/Cancel.

The answers collect in user_data["draft"] (persisted, so a restart resumes the form) and are
validated with the same pydantic models the API uses; nothing is written before Save, so a wrong
answer is asked again and an abandoned form leaves no half-saved habit.
"""

from __future__ import annotations

import re
import time as clock
from datetime import time
from typing import Any

from pydantic import ValidationError
from telegram import Update

from bot import callbacks, keyboards, phrasing, texts
from bot.handlers import sentence, start, states
from bot.handlers.common import END, Context, answer, chat_user, edit, message_text, send, user_data
from bot.handlers.forms import schedule_step, validated_name
from bot.parsing import parse_amount, parse_time
from smarthabit import habits
from smarthabit.errors import Conflict, DomainError
from smarthabit.models import HabitKind, TargetDirection
from smarthabit.schedule import Schedule
from smarthabit.schemas import HabitCreate, ScheduleIn

_AT_MOST = ("at most", "no more than", "maximum", "max", "under", "<=", "≤", "<")
_AT_LEAST = ("at least", "minimum", "min", ">=", "≥", ">")
_AMOUNT = re.compile(r"(\d+(?:[.,\u00a0\u202f ]\d+)*)\s*(.*)", re.DOTALL)


def _draft(context: Context) -> dict[str, Any]:
    return user_data(context).setdefault(states.DRAFT, {})


def _habit_create(draft: dict[str, Any]) -> HabitCreate:
    """The finished form as the domain's input model; raises KeyError/ValidationError if incomplete."""
    reminder = draft.get("reminder")
    return HabitCreate(
        name=draft["name"], kind=draft.get("kind", HabitKind.YES_NO), target=draft.get("target"),
        unit=draft.get("unit"), target_direction=draft.get("direction"), schedule=ScheduleIn(**draft["schedule"]),
        reminder_times=[time.fromisoformat(reminder)] if reminder else [],
    )


def _summary(draft: dict[str, Any]) -> str:
    schedule: Schedule = ScheduleIn(**draft["schedule"]).to_schedule()
    return texts.new_summary(draft, schedule)


async def start_new(update: Update, context: Context) -> str | int:
    """/new: start an empty form (a second /new starts over); a first contact is asked its zone first."""
    if await start.timezone_first(update, context):
        return END
    user_data(context)[states.DRAFT] = {"since": clock.time()}
    await send(update, texts.NEW_ASK_NAME)
    return states.NEW_NAME


async def name_answer(update: Update, context: Context) -> str | int:
    """The name: not empty, not too long, plain text, not one of the user's active habits. A whole
    sentence ("drink 8 glasses of water daily at 9") becomes a proposed habit card instead."""
    proposal = phrasing.parse_habit(message_text(update))
    if proposal is not None and proposal.cues:
        user_data(context).pop(states.DRAFT, None)
        await sentence.propose(update, context, proposal)
        return END
    name, problem = await validated_name(await chat_user(update), message_text(update))
    if problem is not None:
        await send(update, problem)
        return states.NEW_NAME
    _draft(context)["name"] = name
    await send(update, texts.new_ask_kind(name or ""), keyboards.habit_kind())
    return states.NEW_KIND


async def kind_button(update: Update, context: Context) -> str:
    """Yes/no goes on to the schedule; an amount first asks for the target."""
    action = callbacks.parse_new(update.callback_query.data if update.callback_query else None)
    await answer(update)
    if action is None or action.arg not in (HabitKind.YES_NO.value, HabitKind.MEASURABLE.value):
        return states.NEW_KIND
    draft = _draft(context)
    if action.arg != draft.get("kind"):  # a target belongs to the kind it was given for
        for key in ("target", "unit", "direction"):
            draft.pop(key, None)
    draft["kind"] = action.arg
    if action.arg == HabitKind.MEASURABLE.value:
        keep = _kept_target(draft)
        await edit(update.effective_message, texts.NEW_ASK_TARGET,
                   keyboards.keep(keep, callbacks.new("keep", "target")) if keep else None)
        return states.NEW_TARGET
    return await _ask_schedule(update, draft, new_message=False)


def _kept_target(draft: dict[str, Any]) -> str | None:
    if draft.get("target") is None:
        return None
    return texts.target_label(draft["target"], draft.get("unit"), draft.get("direction"))


def _kept_schedule(draft: dict[str, Any]) -> str | None:
    try:
        return texts.schedule_label(ScheduleIn(**draft["schedule"]).to_schedule())
    except (KeyError, TypeError, ValidationError):
        return None


async def _ask_schedule(update: Update, draft: dict[str, Any], *, new_message: bool) -> str:
    """The schedule question; a schedule said earlier (a sentence's) can be kept with one tap."""
    markup = keyboards.schedule_kinds(callbacks.new, keep=_kept_schedule(draft))
    if new_message:
        await send(update, texts.ASK_SCHEDULE, markup)
    else:
        await edit(update.effective_message, texts.ASK_SCHEDULE, markup)
    return states.NEW_SCHEDULE


async def _ask_reminder(update: Update, draft: dict[str, Any]) -> str:
    """The reminder question; a time said earlier (a sentence's) can be kept with one tap."""
    await edit(update.effective_message, texts.NEW_ASK_REMINDER,
               keyboards.no_reminder(callbacks.new("rem", "none"), keep=draft.get("reminder")))
    return states.NEW_REMINDER


async def keep_button(update: Update, context: Context) -> str | int | None:
    """Keep what the sentence gave for this step (target, schedule or reminder) and go on; a keep
    button of another step (an old message's) changes nothing."""
    action = callbacks.parse_new(update.callback_query.data if update.callback_query else None)
    draft = _draft(context)
    step = action.arg if action is not None else None
    ready = {"target": _kept_target(draft), "sched": _kept_schedule(draft), "rem": draft.get("reminder")}
    if not ready.get(step or ""):
        await answer(update, texts.BUTTON_EXPIRED)
        return None
    await answer(update)
    if step == "target":
        return await _ask_schedule(update, draft, new_message=False)
    if step == "sched":
        return await _ask_reminder(update, draft)
    return await _show_summary(update, draft, new_message=False)


def parse_target(text: str) -> tuple[float, str | None, TargetDirection] | None:
    """`8 glasses`, `30 min`, `at most 2 coffees`, `10,000 steps` → (target, unit, direction); the
    thousands separator is the user's locale's (D1: "10,000 steps" is ten thousand in English)."""
    rest, direction = text.strip(), TargetDirection.AT_LEAST
    lowered = rest.lower()
    for prefixes, kind in ((_AT_MOST, TargetDirection.AT_MOST), (_AT_LEAST, TargetDirection.AT_LEAST)):
        prefix = next((p for p in prefixes if lowered.startswith(p)), None)
        if prefix is not None:
            rest, direction = rest[len(prefix):].strip(), kind
            break
    match = _AMOUNT.fullmatch(rest)
    amount = parse_amount(match[1]) if match else None
    if match is None or not isinstance(amount, float):  # an ambiguous "1.234" is asked again
        return None
    return amount, match[2].strip() or None, direction


async def target_answer(update: Update, context: Context) -> str:
    """The target of a measurable habit, checked with the domain's model (positive, unit ≤ 20)."""
    draft = _draft(context)
    parsed = parse_target(message_text(update))
    try:
        if parsed is None:
            raise ValueError("no number")
        target, unit, direction = parsed
        HabitCreate(name=draft.get("name") or "x", kind=HabitKind.MEASURABLE, target=target, unit=unit,
                    target_direction=direction)
    except (ValueError, ValidationError):
        await send(update, texts.TARGET_INVALID)
        return states.NEW_TARGET
    draft.update(target=target, unit=unit, direction=direction.value)
    return await _ask_schedule(update, draft, new_message=True)


async def schedule_button(update: Update, context: Context) -> str:
    """A schedule button of the form: the next screen, or the schedule and on to the reminder."""
    action = callbacks.parse_new(update.callback_query.data if update.callback_query else None)
    step = schedule_step(action, callbacks.new)
    await answer(update, step.problem, alert=step.problem == texts.WEEKDAYS_NEED_ONE)
    if step.screen is not None:
        await edit(update.effective_message, *step.screen)
    if step.chosen is None:
        return states.NEW_SCHEDULE
    draft = _draft(context)
    draft["schedule"] = step.chosen.model_dump(mode="json")
    return await _ask_reminder(update, draft)


async def reminder_answer(update: Update, context: Context) -> str:
    """A local reminder time like 07:30; "25:99" and other non-times are asked again."""
    typed = message_text(update)
    at = parse_time(typed)
    if at is None:
        await send(update, texts.time_invalid(typed), keyboards.no_reminder(callbacks.new("rem", "none")))
        return states.NEW_REMINDER
    draft = _draft(context)
    draft["reminder"] = at.strftime("%H:%M")
    return await _show_summary(update, draft, new_message=True)


async def no_reminder_button(update: Update, context: Context) -> str | int:
    """No reminder: straight to the summary."""
    await answer(update)
    draft = _draft(context)
    draft["reminder"] = None
    return await _show_summary(update, draft, new_message=False)


async def _show_summary(update: Update, draft: dict[str, Any], *, new_message: bool) -> str | int:
    try:
        text = _summary(draft)
    except (KeyError, TypeError, ValidationError):
        await send(update, texts.NEW_EXPIRED)
        return END
    if new_message:
        await send(update, text, keyboards.confirm_new())
    else:
        await edit(update.effective_message, text, keyboards.confirm_new())
    return states.NEW_CONFIRM


async def save_button(update: Update, context: Context) -> str | int:
    """Save: one domain call creates the habit and its reminder atomically."""
    draft = _draft(context)
    try:
        data = _habit_create(draft)
    except (KeyError, TypeError, ValueError, ValidationError):
        await answer(update)
        user_data(context).pop(states.DRAFT, None)
        await edit(update.effective_message, texts.NEW_EXPIRED)
        return END
    user = await chat_user(update)
    try:
        habit = await habits.create_habit(user, data)
    except Conflict:  # the name was taken meanwhile (another device): ask for another one
        await answer(update)
        await edit(update.effective_message, texts.name_taken(data.name))
        return states.NEW_NAME
    except DomainError as exc:
        await answer(update)
        user_data(context).pop(states.DRAFT, None)
        await edit(update.effective_message, texts.new_invalid(exc.localized()))
        return END
    await answer(update)
    user_data(context).pop(states.DRAFT, None)
    await edit(update.effective_message, texts.new_saved(habit.name))
    return END


async def cancel_button(update: Update, context: Context) -> int:
    """Cancel on the summary: nothing is saved."""
    await answer(update)
    user_data(context).pop(states.DRAFT, None)
    await edit(update.effective_message, texts.CANCELLED)
    return END


async def type_the_name(update: Update, context: Context) -> str:
    """A photo, sticker or voice message where the name is expected."""
    await send(update, texts.TEXT_ONLY_NAME)
    return states.NEW_NAME


async def use_buttons(update: Update, context: Context) -> None:
    """Text where a button is expected: point at the buttons, stay in the same state."""
    await send(update, texts.USE_BUTTONS)
