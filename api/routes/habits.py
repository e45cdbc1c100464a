"""Habits and their check-ins: CRUD, archive and pause, idempotent check-in, history and statistics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
from aiohttp import web

from api.auth import account_gone, authenticate, credential_issued_at, refuse_ended_session
from api.pagination import decode_cursor, decode_day_cursor, encode_cursor
from api.routing import Rendered, Reply, RouteTable
from api.schemas import (
    CheckInEdit,
    CheckInIn,
    CheckInListQuery,
    CheckInOut,
    CheckInPageOut,
    CheckInPath,
    CheckInResultOut,
    CompletionOut,
    DayRiskOut,
    HabitListOut,
    HabitListQuery,
    HabitOut,
    HabitPath,
    HeatmapDayOut,
    HeatmapOut,
    HeatmapQuery,
    PauseIn,
    PauseOut,
    StatsOut,
    StrengthPointOut,
)
from smarthabit import checkins, habit_list, habits, heatmap, predictions, stats
from smarthabit.errors import NotFound
from smarthabit.models import User
from smarthabit.schemas import HabitCreate, HabitUpdate

routes = RouteTable("habits")
NAME_TAKEN = {409: "You already have an active habit with that name"}


def _encoded(body: Any) -> Rendered[Any]:
    """The listing rows as JSON, exactly as pydantic renders the documented model (tests compare them);
    orjson takes a quarter of pydantic's time for a list."""
    return Rendered(orjson.dumps(body, option=orjson.OPT_UTC_Z))


async def _one(user: User, habit_id: int) -> Rendered[HabitOut]:
    listing = await habit_list.listing(user.id, include_archived=True, habit_ids=[habit_id])
    items = listing.items if listing is not None else []
    if not items:
        await habits.get_habit(user, habit_id)  # raises the same NotFound as every habit route
    return _encoded(items[0])


@routes.post("/habits", status=201, errors={**NAME_TAKEN, 422: "Invalid habit, or too many active habits"})
async def create_habit(user: User, body: HabitCreate) -> Rendered[HabitOut]:
    """Create a habit with its schedule and reminder times (local wall times)."""
    habit = await habits.create_habit(user, body)
    return await _one(user, habit.id)


@routes.get("/habits")
async def list_habits(request: web.Request, user_id: int, query: HabitListQuery) -> Rendered[HabitListOut]:
    """The habits in their order, each with its streaks and whether it is due and done today.

    For sync: `updated_since` keeps only habits changed since then; `limit` and `cursor` page through
    the list (the answer's `next_cursor` asks for the next page)."""
    listing = await habit_list.listing(user_id, include_archived=query.include_archived)
    if listing is None:
        raise account_gone()
    refuse_ended_session(request, listing.sessions_revoked_at)
    items = listing.items
    if query.updated_since is not None:
        items = [item for item in items if item["updated_at"] >= query.updated_since]
    if query.cursor is not None:
        after = tuple(decode_cursor(query.cursor, 2))
        items = [item for item in items if (item["position"], item["id"]) > after]
    next_cursor = None
    if query.limit is not None and len(items) > query.limit:
        items = items[: query.limit]
        next_cursor = encode_cursor(items[-1]["position"], items[-1]["id"])
    return _encoded({"items": items, "next_cursor": next_cursor})


@routes.get("/habits/{habit_id}")
async def get_habit(user: User, path: HabitPath) -> Rendered[HabitOut]:
    """One habit (archived ones too) with its streaks and today's state."""
    return await _one(user, path.habit_id)


@routes.patch("/habits/{habit_id}", errors=NAME_TAKEN)
async def update_habit(user: User, path: HabitPath, body: HabitUpdate) -> Rendered[HabitOut]:
    """Change some fields; a new schedule or target recomputes the streaks."""
    await habits.update_habit(user, path.habit_id, body)
    return await _one(user, path.habit_id)


@routes.delete("/habits/{habit_id}")
async def delete_habit(user: User, path: HabitPath) -> None:
    """Delete the habit with its whole history (check-ins, pauses, reminders, nudges); it is gone: every
    later request for it answers 404. To keep the history, archive it instead (`POST .../archive`)."""
    await habits.delete_habit(user, path.habit_id)


@routes.post("/habits/{habit_id}/archive")
async def archive_habit(user: User, path: HabitPath) -> Rendered[HabitOut]:
    """Archive the habit: it leaves the list and takes no check-ins, its history is kept, it stays
    readable (`include_archived=true`) and can be restored. Archiving an archived habit changes nothing."""
    await habits.archive_habit(user, path.habit_id)
    return await _one(user, path.habit_id)


@routes.post("/habits/{habit_id}/restore", errors={**NAME_TAKEN, 422: "Too many active habits"})
async def restore_habit(user: User, path: HabitPath) -> Rendered[HabitOut]:
    """Bring an archived habit back (refused if an active habit took its name meanwhile, or at the cap)."""
    await habits.restore_habit(user, path.habit_id)
    return await _one(user, path.habit_id)


@routes.post("/habits/{habit_id}/pause", status=201)
async def pause_habit(user: User, path: HabitPath, body: PauseIn) -> PauseOut:
    """Put the habit on hold for days (both ends inclusive): paused days neither break nor count.

    Overlapping pauses merge into one, which is returned."""
    return PauseOut.of(await habits.pause_habit(user, path.habit_id, body.start, body.end))


@routes.post("/habits/{habit_id}/resume")
async def resume_habit(user: User, path: HabitPath) -> Rendered[HabitOut]:
    """End the pause that covers today or later: the habit is due again from today."""
    await habits.resume_habit(user, path.habit_id)
    return await _one(user, path.habit_id)


@routes.post("/habits/{habit_id}/checkin", status=201, statuses={
    201: "Checked in", 200: "That day was already checked in: the existing check-in, unchanged"})
async def check_in(request: web.Request, user_id: int, path: HabitPath, body: CheckInIn) -> Reply[CheckInResultOut]:
    """Mark the habit done for a local day (default today, at most 7 days back), with a value and note.

    Idempotent: repeating it for the same day changes nothing and answers 200 with the existing check-in,
    also when two requests race."""
    try:
        result = await checkins.check_in(user_id, path.habit_id, day=body.day, value=body.value, note=body.note,
                                         credential_issued_at=credential_issued_at(request))
    except NotFound:
        await authenticate(request)  # 401 for an ended session or a deleted account; else it is not found
        raise
    out = CheckInResultOut(
        checkin=CheckInOut.of(result.checkin), created=result.created, current_streak=result.habit.current_streak,
        longest_streak=result.habit.longest_streak, milestone=result.milestone,
    )
    return Reply(out, 201 if result.created else 200)


@routes.get("/habits/{habit_id}/checkins")
async def list_checkins(user: User, path: HabitPath, query: CheckInListQuery) -> CheckInPageOut:
    """The habit's check-ins, newest first, optionally within `from`..`to` (inclusive), one page at a time.

    Page with `cursor` (the last answer's `next_cursor`; steady while check-ins are added) or `offset`;
    `updated_since` keeps the check-ins recorded since then."""
    before = decode_day_cursor(query.cursor) if query.cursor is not None else None
    rows, total = await checkins.list_checkins(user, path.habit_id, start=query.start, end=query.end,
                                               limit=query.limit + 1, offset=query.offset, before=before,
                                               since=query.updated_since)
    next_cursor = encode_cursor(rows[query.limit - 1].day.isoformat()) if len(rows) > query.limit else None
    return CheckInPageOut(items=[CheckInOut.of(row) for row in rows[: query.limit]], total=total, limit=query.limit,
                          offset=query.offset, next_cursor=next_cursor)


@routes.patch("/habits/{habit_id}/checkins/{day}")
async def edit_check_in(user: User, path: CheckInPath, body: CheckInEdit) -> CheckInOut:
    """Set or clear (`null`) the note of the day's check-in, and/or change its value (the streaks are
    recomputed: a measurable habit's day may reach or miss its target)."""
    checkin = None
    if "value" in body.model_fields_set:
        checkin = await checkins.edit_check_in(user, path.habit_id, path.day, value=body.value)
    if "note" in body.model_fields_set or checkin is None:
        checkin = await checkins.set_note(user, path.habit_id, path.day, body.note)
    return CheckInOut.of(checkin)


@routes.delete("/habits/{habit_id}/checkins/{day}")
async def undo_check_in(user: User, path: CheckInPath) -> None:
    """Undo the day's check-in; the streaks are recomputed."""
    await checkins.undo_check_in(user, path.habit_id, path.day)


@routes.get("/habits/{habit_id}/stats")
async def habit_stats(user: User, path: HabitPath) -> StatsOut:
    """Streaks, strength, completion over 7/30/90 days, best and worst weekday, this week's progress,
    and the predicted skip probability for today and the next six days."""
    result = await stats.habit_stats(user, path.habit_id)
    days = [result.today + timedelta(days=offset) for offset in range(predictions.FORECAST_DAYS)]
    forecast = await predictions.skip_forecast(user, result.habit, days)
    return StatsOut(
        habit_id=result.habit.id, today=result.today, current_streak=result.current_streak,
        longest_streak=result.longest_streak, streak_unit=result.streak_unit, strength=result.strength,
        completion=[CompletionOut(days=window, rate=rate) for window, rate in result.completion.items()],
        best_weekday=result.best_weekday, worst_weekday=result.worst_weekday, this_week_done=result.this_week_done,
        this_week_target=result.this_week_target, total_done=result.total_done,
        skip_forecast=[DayRiskOut(day=day, skip_probability=forecast[day]) for day in days],
    )


@routes.get("/habits/{habit_id}/heatmap")
async def habit_heatmap(user: User, path: HabitPath, query: HeatmapQuery) -> HeatmapOut:
    """A year heatmap: each day done, partly done, missed, not due, paused, before the start, open
    (today, not yet done) or in the future; and the habit's strength week by week.

    Default range: the 53 weeks up to the end of this week; at most 400 days are returned."""
    result = await heatmap.habit_heatmap(user, path.habit_id, query.start, query.end)
    return HeatmapOut(
        habit_id=result.habit.id, today=result.today,
        days=[HeatmapDayOut(day=d.day, state=d.state, value=d.value) for d in result.days],
        strength=[StrengthPointOut(day=day, strength=value) for day, value in result.strength],
    )
