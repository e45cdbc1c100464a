"""A habit typed in one sentence (after /new or as a plain message): a proposed card with Save /
Change / Cancel. What the sentence left open (the schedule) is asked on the card itself with the
form's schedule buttons; the draft lives in user_data["proposal"] until a button settles it.

Button actions are dispatched from a table: each action of the `hs:` grammar names one function;
"Change" belongs to the /new form's conversation, which then asks step by step.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from telegram import Update

from bot import callbacks, keyboards, phrasing, texts
from bot.handlers import states
from bot.handlers.common import END, Context, answer, chat_user, edit, send, user_data
from bot.handlers.forms import schedule_step, validated_name
from smarthabit import habits
from smarthabit.errors import Conflict, DomainError
from smarthabit.schemas import HabitCreate, ScheduleIn

PROPOSAL = "proposal"
_FORM_FIELDS = ("name", "kind", "target", "unit", "direction", "schedule", "reminder")
ProposalAction = Callable[[Update, Context, dict[str, Any], callbacks.Action], Awaitable[None]]


def _draft(proposal: phrasing.Proposal, name: str) -> dict[str, Any]:
    return {
        "name": name, "kind": proposal.kind.value, "target": proposal.target, "unit": proposal.unit,
        "direction": proposal.direction.value if proposal.direction else None,
        "schedule": proposal.schedule(), "reminder": proposal.reminder, "since": time.time(),
    }


def card(draft: dict[str, Any]) -> tuple[str, Any]:
    """The card: the habit as understood, then either the schedule question or Save / Change."""
    if draft.get("schedule") is None:
        text = texts.proposed_header() + "\n\n" + texts.new_summary(draft, None) + "\n\n" + texts.ASK_SCHEDULE
        return text, keyboards.schedule_kinds(callbacks.proposal)
    schedule = ScheduleIn(**draft["schedule"]).to_schedule()
    return texts.proposed_header() + "\n\n" + texts.new_summary(draft, schedule), keyboards.proposal_card()


async def propose(update: Update, context: Context, proposal: phrasing.Proposal) -> None:
    """Show the card for a parsed sentence (a taken or unusable name is said at once)."""
    name, problem = await validated_name(await chat_user(update), proposal.name)
    if problem is not None or name is None:
        await send(update, problem or texts.NAME_INVALID)
        return
    draft = _draft(proposal, name)
    user_data(context)[PROPOSAL] = draft
    await send(update, *card(draft))


async def _schedule(update: Update, context: Context, draft: dict[str, Any], action: callbacks.Action) -> None:
    step = schedule_step(action, callbacks.proposal)
    await answer(update, step.problem)
    if step.screen is not None:
        await edit(update.effective_message, *step.screen)
    if step.chosen is not None:
        draft["schedule"] = step.chosen.model_dump(mode="json")
        await edit(update.effective_message, *card(draft))


async def _save(update: Update, context: Context, draft: dict[str, Any], action: callbacks.Action) -> None:
    user = await chat_user(update)
    user_data(context).pop(PROPOSAL, None)
    try:
        data = HabitCreate(
            name=draft["name"], kind=draft["kind"], target=draft.get("target"), unit=draft.get("unit"),
            target_direction=draft.get("direction"), schedule=ScheduleIn(**draft["schedule"]),
            reminder_times=[draft["reminder"]] if draft.get("reminder") else [],
        )
        habit = await habits.create_habit(user, data)
    except Conflict:
        await answer(update)
        await edit(update.effective_message, texts.name_taken(draft["name"]))
        return
    except DomainError as exc:  # the cap on active habits, say
        await answer(update)
        await edit(update.effective_message, texts.new_invalid(exc.localized()))
        return
    except (KeyError, TypeError, ValidationError):
        await answer(update)
        await edit(update.effective_message, texts.NEW_EXPIRED)
        return
    await answer(update)
    await edit(update.effective_message, texts.new_saved(habit.name))


async def _cancel(update: Update, context: Context, draft: dict[str, Any], action: callbacks.Action) -> None:
    user_data(context).pop(PROPOSAL, None)
    await answer(update)
    await edit(update.effective_message, texts.CANCELLED)


_ACTIONS: dict[str, ProposalAction] = {
    "sk": _schedule, "wd": _schedule, "wdok": _schedule, "tpw": _schedule,
    "save": _save, "cancel": _cancel,
}


async def change_button(update: Update, context: Context) -> str | int:
    """Change: the step-by-step form takes over from everything the sentence gave (name, amount,
    schedule, reminder); each step is asked again, with a "Keep" button for what was understood."""
    draft = user_data(context).pop(PROPOSAL, None)
    if not isinstance(draft, dict) or not draft.get("name"):
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    await answer(update)
    kept = {key: draft.get(key) for key in _FORM_FIELDS if draft.get(key) is not None}
    user_data(context)[states.DRAFT] = {**kept, "since": time.time()}
    await edit(update.effective_message, texts.new_ask_kind(draft["name"]), keyboards.habit_kind())
    return states.NEW_KIND


async def proposal_button(update: Update, context: Context) -> int:
    """A card button, dispatched through `_ACTIONS`; an unknown action or a settled card has expired."""
    action = callbacks.parse_proposal(update.callback_query.data if update.callback_query else None)
    draft = user_data(context).get(PROPOSAL)
    handler = _ACTIONS.get(action.action) if action is not None else None
    if handler is None or action is None or not isinstance(draft, dict):
        await answer(update, texts.BUTTON_EXPIRED)
        return END
    await handler(update, context, draft, action)
    return END
