"""The private calendar feed: each reminder as a recurring event in the user's own time zone.

One VEVENT per reminder, starting on the habit's first day at the reminder's local time with the
user's TZID, and an RRULE that follows the schedule (daily; weekly on the chosen weekdays; a
times-per-week habit may be done any day, so daily). The calendar carries the matching VTIMEZONE, so
calendar apps place every occurrence at the same local wall time across daylight-saving changes,
as the reminders themselves fire (`smarthabit.reminder_times`). Paused days are EXDATEs. Archived
habits are left out.

The feed URL holds a random token (`/calendar/<token>.ics`); rotating it replaces the token, so the
old URL answers 404.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event, vRecur

from smarthabit.clock import utcnow, zone
from smarthabit.models import CalendarFeed, Habit, HabitPause, Reminder, User
from smarthabit.schedule import ScheduleKind

EVENT_MINUTES = 15
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_EXDATES = 400


async def feed_token(user: User) -> str:
    """The user's feed token, made on first use."""
    feed = await CalendarFeed.filter(user_id=user.id).first()
    if feed is None:
        feed, _ = await CalendarFeed.get_or_create(user_id=user.id, defaults={"token": secrets.token_urlsafe(24)})
    return feed.token


async def rotate_feed_token(user: User) -> str:
    """A new token; the old URL stops working at once."""
    token = secrets.token_urlsafe(24)
    updated = await CalendarFeed.filter(user_id=user.id).update(token=token)
    if not updated:
        await CalendarFeed.create(user_id=user.id, token=token)
    return token


async def user_for_token(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    feed = await CalendarFeed.filter(token=token).select_related("user").first()
    return feed.user if feed is not None else None


def _rrule(habit: Habit) -> vRecur:
    schedule = habit.schedule
    if schedule.kind is ScheduleKind.WEEKDAYS:
        return vRecur({"FREQ": "WEEKLY", "BYDAY": [_BYDAY[d] for d in sorted(schedule.weekdays)]})
    return vRecur({"FREQ": "DAILY"})


def _first_day(habit: Habit) -> date:
    """The first scheduled day from the habit's start: DTSTART is always an occurrence, even off the RRULE."""
    day = habit.start_day
    while not habit.schedule.is_scheduled(day):
        day += timedelta(days=1)
    return day


def _paused_days(pauses: list[tuple[date, date]], since: date) -> list[date]:
    days: list[date] = []
    for start, end in pauses:
        day = max(start, since)
        while day <= end and len(days) < MAX_EXDATES:
            days.append(day)
            day += timedelta(days=1)
    return days


async def build_feed(user: User, now: datetime | None = None) -> bytes:
    """The user's reminders as an iCalendar document."""
    now = now or utcnow()
    tz = zone(user.timezone)
    reminders = await Reminder.filter(habit__user_id=user.id, habit__archived_at__isnull=True).select_related(
        "habit").order_by("habit_id", "local_time")
    pauses: dict[int, list[tuple[date, date]]] = defaultdict(list)
    habit_ids = list({r.habit_id for r in reminders})
    if habit_ids:
        for habit_id, start, end in await HabitPause.filter(habit_id__in=habit_ids).values_list(
                "habit_id", "start", "end"):
            pauses[habit_id].append((start, end))
    calendar = Calendar()
    calendar.add("prodid", "-//SmartHabit//Reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "SmartHabit reminders")
    calendar.add("x-wr-timezone", user.timezone)
    for reminder in reminders:
        habit = reminder.habit
        start = datetime.combine(_first_day(habit), reminder.local_time.replace(tzinfo=None), tzinfo=tz)
        event = Event()
        event.add("uid", f"reminder-{reminder.id}@smarthabit")
        event.add("summary", habit.name)
        event.add("dtstamp", now)
        event.add("dtstart", start)
        event.add("duration", timedelta(minutes=EVENT_MINUTES))
        event.add("rrule", _rrule(habit))
        exdates = [datetime.combine(day, start.timetz()) for day in _paused_days(pauses[habit.id], habit.start_day)]
        if exdates:
            event.add("exdate", exdates)
        if habit.description:
            event.add("description", habit.description)
        calendar.add_component(event)
    if reminders:
        calendar.add_missing_timezones()
    return calendar.to_ical()
