"""Synthetic users and habits for `bench.prediction_quality`, with the true daily probabilities.

The ground truth is a *behavioural* simulation, deliberately not the skip model's structure (the
model reads smoothed skip rates, through a logistic regression and gradient-boosted trees; nothing
here computes a rate or a logit of one). A user has a propensity shared by all their habits and a
calendar of holidays; every day a habit is *done* with a probability set by the pattern's hidden
state (a motivation level that drifts, jumps or lapses, a weekly quota filled so far, the novelty of
a new habit, yesterday's outcome), and it is *logged* only if the person remembers to (some people
forget for weeks). What the model sees is the logged check-ins and the pauses the person entered;
the floor is the true probability of a logged check-in, given the whole hidden state at the start of
the day.

Seeds are split: `TUNING_SEEDS` for fitting and tuning, `HELD_OUT_SEEDS` for the reported figures.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from smarthabit.schedule import Pause, Schedule, ScheduleKind

START = date(2025, 1, 6)  # a Monday
TUNING_SEEDS = range(0, 1000)
HELD_OUT_SEEDS = range(1000, 2000)
NEW_HABIT_DAYS = 40  # a new habit starts this many days before the end of the simulation
HOLIDAY_COUNT = (1, 3)  # holidays a user takes in the simulation (inclusive range)
HOLIDAY_EARLIEST, HOLIDAY_MARGIN = 20, 10  # a holiday starts on day 20 or later, and 10 days or more before the end
HOLIDAY_EXTRA_DAYS = (3, 15)  # a holiday's last day is 3..15 days after its first
AWAY, PUBLIC_HOLIDAY = 0.12, 0.4  # P(done) factors on a holiday, on a public holiday
RESTART_DAYS, RESTART_FROM, RESTART_STEP = 4, 0.45, 0.12  # the factor k days after a holiday: 0.45 + 0.12 k
HOLIDAY_ENTERED = 0.5  # P(a holiday is entered as a pause), per habit of the patterns that have holidays
DILIGENT_Q, SPELL_SWITCH = 0.97, (1 / 35, 1 / 12)  # P(logged) when diligent; P(spell ends) diligent, forgetful
PUBLIC_HOLIDAYS = {(1, 1), (1, 6), (4, 18), (4, 21), (5, 1), (5, 29), (6, 9), (8, 15), (10, 3), (11, 1)}


def _sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _lgt(p: float) -> float:
    return math.log(p / (1 - p))


@dataclass
class Habit:
    pattern: str
    user: int
    schedule: Schedule
    start: int  # index of the habit's first day
    p_logged: list[float]  # true P(a check-in is logged) per day index (0 where not due)
    done: list[bool]
    pauses: list[Pause] = field(default_factory=list)
    behaviour: Behaviour | None = field(default=None, repr=False)  # the hidden process (for `bench.prediction_ceiling`)

    def due(self, i: int) -> bool:
        day = START + timedelta(days=i)
        return i >= self.start and self.schedule.is_scheduled(day) and not any(p.covers(day) for p in self.pauses)


@dataclass
class User:
    propensity: float  # logit shift shared by the user's habits
    holidays: list[tuple[int, int]]  # [first, last] day indices away from routine


class Behaviour:
    """P(done) of one habit for each day; `after` learns the day's outcome (some patterns care)."""

    def __init__(self, rng: random.Random, user: User, level: float) -> None:
        self.rng, self.user, self.level = rng, user, level
        self.weekday_shift = [rng.gauss(0, 0.15) for _ in range(7)]  # everybody has mild weekday habits

    def p_done(self, i: int, day: date) -> float:
        return _sig(self.level + self.weekday_shift[day.weekday()])

    def after(self, i: int, day: date, did: bool) -> None:
        pass

    def p_logged(self, i: int, day: date) -> float:
        return 1.0


class Steady(Behaviour):
    def __init__(self, rng: random.Random, user: User, level: float) -> None:
        super().__init__(rng, user, level)
        self.weekday_shift = [0.0] * 7  # no signal beyond the habit's own rate


class WeekdayEffect(Behaviour):
    def __init__(self, rng: random.Random, user: User, level: float) -> None:
        super().__init__(rng, user, level)
        hard = rng.choice([{5, 6}, {rng.randrange(7)}, set(rng.sample(range(7), 2))])
        for weekday in hard:
            self.weekday_shift[weekday] -= rng.uniform(1.0, 2.8)
        if rng.random() < 0.3:
            self.weekday_shift[rng.randrange(7)] += rng.uniform(0.5, 1.2)  # a favourite day


class SlowDrift(Behaviour):
    def __init__(self, rng: random.Random, user: User, level: float, days: int) -> None:
        super().__init__(rng, user, level)
        self.linear = rng.random() < 0.5
        self.slope = rng.choice((-1, 1)) * rng.uniform(1.0, 2.5) / days
        self.walk = level

    def p_done(self, i: int, day: date) -> float:
        if self.linear:
            z = self.level + self.slope * i
        else:
            self.walk += self.rng.gauss(0, 0.06) - 0.004 * (self.walk - self.level)
            z = self.walk
        return _sig(z + self.weekday_shift[day.weekday()])


class Lapses(Behaviour):
    """Engaged for weeks, then a lapse of days to weeks (a hidden two-state chain)."""

    def __init__(self, rng: random.Random, user: User, level: float) -> None:
        super().__init__(rng, user, level)
        self.engaged = True
        self.leave, self.back = rng.uniform(0.01, 0.05), rng.uniform(0.06, 0.25)
        self.lapsed = rng.uniform(0.03, 0.3)

    def p_done(self, i: int, day: date) -> float:
        if self.engaged:
            return super().p_done(i, day)
        return self.lapsed

    def after(self, i: int, day: date, did: bool) -> None:
        self.engaged = (self.rng.random() >= self.leave) if self.engaged else (self.rng.random() < self.back)


class Holidays(Behaviour):
    """Routine breaks on the user's holidays and public holidays, and a slow restart after them."""

    def p_done(self, i: int, day: date) -> float:
        return super().p_done(i, day) * self.factor(i, day)

    def factor(self, i: int, day: date) -> float:
        for first, last in self.user.holidays:
            if first <= i <= last:
                return AWAY
            if 0 < i - last <= RESTART_DAYS:
                return RESTART_FROM + RESTART_STEP * (i - last)
        return PUBLIC_HOLIDAY if (day.month, day.day) in PUBLIC_HOLIDAYS else 1.0


class RegimeSwitch(Behaviour):
    """A life change (new job, move, injury): the level jumps at a few unannounced days."""

    def __init__(self, rng: random.Random, user: User, level: float, days: int) -> None:
        super().__init__(rng, user, level)
        self.switches = sorted(rng.sample(range(30, days), rng.randint(1, 3)))

    def p_done(self, i: int, day: date) -> float:
        if self.switches and i >= self.switches[0]:
            self.switches.pop(0)
            self.level = self.rng.uniform(-1.5, 3.0)
        return super().p_done(i, day)


class SparseLogging(Behaviour):
    """Does the habit, but forgets to log it: diligent spells and forgetful spells, worse at weekends."""

    def __init__(self, rng: random.Random, user: User, level: float) -> None:
        super().__init__(rng, user, level)
        self.diligent = True
        self.forgetful_q = rng.uniform(0.2, 0.6)
        self.weekend_q = rng.uniform(0.6, 1.0)

    def p_logged(self, i: int, day: date) -> float:
        q = DILIGENT_Q if self.diligent else self.forgetful_q
        return q * (self.weekend_q if day.weekday() >= 5 else 1.0)

    def after(self, i: int, day: date, did: bool) -> None:
        switch = SPELL_SWITCH[0] if self.diligent else SPELL_SWITCH[1]
        if self.rng.random() < switch:
            self.diligent = not self.diligent


class WeeklyQuota(Behaviour):
    """A daily habit the person aims to do k times a week: pace early, push late, rest once done."""

    def __init__(self, rng: random.Random, user: User, level: float) -> None:
        super().__init__(rng, user, level)
        self.quota = rng.choice((2, 3, 4, 5))
        self.done_this_week = 0
        self.keen = rng.uniform(0.7, 1.0)

    def p_done(self, i: int, day: date) -> float:
        left = 7 - day.weekday()
        needed = self.quota - self.done_this_week
        if day.weekday() == 0:
            needed = self.quota
        if needed <= 0:
            return 0.08
        pace = needed / left
        return min(0.95, self.keen * (pace + (1 - pace) * 0.25) + 0.1 * self.weekday_shift[day.weekday()])

    def after(self, i: int, day: date, did: bool) -> None:
        if day.weekday() == 0:
            self.done_this_week = 0
        self.done_this_week += did


class NewHabit(Behaviour):
    """Keen at first, then settling to the long-run level; each done day makes the next easier."""

    def __init__(self, rng: random.Random, user: User, level: float) -> None:
        super().__init__(rng, user, level)
        self.keen = rng.uniform(0.5, 2.5)
        self.settle = rng.uniform(7, 30)
        self.momentum = 0.0
        self.age = 0

    def p_done(self, i: int, day: date) -> float:
        novelty = self.keen * math.exp(-self.age / self.settle)
        return _sig(self.level - 0.5 + novelty + self.momentum + self.weekday_shift[day.weekday()])

    def after(self, i: int, day: date, did: bool) -> None:
        self.age += 1
        self.momentum = 0.7 * self.momentum + (0.25 if did else -0.3)


class Mixed(Behaviour):
    """Weekday effects, a random-walk level, lapses, holidays, momentum and forgetful logging at once."""

    def __init__(self, rng: random.Random, user: User, level: float, days: int) -> None:
        super().__init__(rng, user, level)
        self.weekdays, self.lapses, self.holidays = (
            WeekdayEffect(rng, user, 0.0), Lapses(rng, user, 0.0), Holidays(rng, user, 0.0))
        self.drift = SlowDrift(rng, user, level, days)
        self.logging = SparseLogging(rng, user, level)
        self.momentum = 0.0

    def p_done(self, i: int, day: date) -> float:
        z = _lgt(min(0.99, max(0.01, self.drift.p_done(i, day)))) + self.momentum
        p = _sig(z + self.weekdays.weekday_shift[day.weekday()])
        if not self.lapses.engaged:
            p = min(p, self.lapses.lapsed)
        return p * self.holidays.factor(i, day)

    def after(self, i: int, day: date, did: bool) -> None:
        self.lapses.after(i, day, did)
        self.logging.after(i, day, did)
        self.momentum = 0.6 * self.momentum + (0.15 if did else -0.2)

    def p_logged(self, i: int, day: date) -> float:
        return self.logging.p_logged(i, day)


PATTERNS = (
    "steady", "weekday effects", "slow drift", "bursts & lapses", "breaks & holidays", "regime switch",
    "sparse logging", "weekly quota", "new habit", "mixed",
)


def _behaviour(pattern: str, rng: random.Random, user: User, level: float, days: int) -> Behaviour:
    if pattern in ("slow drift", "regime switch", "mixed"):
        kind = {"slow drift": SlowDrift, "regime switch": RegimeSwitch, "mixed": Mixed}[pattern]
        return kind(rng, user, level, days)
    kind = {
        "steady": Steady, "weekday effects": WeekdayEffect, "bursts & lapses": Lapses,
        "breaks & holidays": Holidays, "sparse logging": SparseLogging, "weekly quota": WeeklyQuota,
        "new habit": NewHabit,
    }[pattern]
    return kind(rng, user, level)


def _schedule(pattern: str, rng: random.Random) -> Schedule:
    if pattern == "weekday effects" and rng.random() < 0.3:
        return Schedule(ScheduleKind.WEEKDAYS, frozenset(rng.choice(([0, 2, 4], [0, 1, 2, 3, 4], [1, 3, 5]))))
    return Schedule(ScheduleKind.DAILY)


def _user(rng: random.Random, days: int) -> User:
    holidays = []
    for _ in range(rng.randint(*HOLIDAY_COUNT)):
        first = rng.randrange(HOLIDAY_EARLIEST, days - HOLIDAY_MARGIN)
        holidays.append((first, first + rng.randint(*HOLIDAY_EXTRA_DAYS)))
    return User(rng.gauss(0, 0.6), holidays)


def simulate(pattern: str, rng: random.Random, user: User, user_id: int, days: int) -> Habit:
    level = rng.uniform(0.0, 2.8) + user.propensity
    behaviour = _behaviour(pattern, rng, user, level, days)
    start = days - NEW_HABIT_DAYS if pattern == "new habit" else 0
    habit = Habit(pattern, user_id, _schedule(pattern, rng), start, [0.0] * days, [False] * days, behaviour=behaviour)
    if pattern in ("breaks & holidays", "mixed"):  # half the time the person enters the holiday as a pause
        habit.pauses = [Pause(START + timedelta(days=a), START + timedelta(days=b))
                        for a, b in user.holidays if rng.random() < HOLIDAY_ENTERED]
    for i in range(start, days):
        day = START + timedelta(days=i)
        p = behaviour.p_done(i, day)
        did = rng.random() < p
        if habit.due(i):
            q = behaviour.p_logged(i, day)
            habit.p_logged[i] = p * q
            habit.done[i] = did and rng.random() < q
        behaviour.after(i, day, did)
    return habit


def population(seed: int, users: int, days: int) -> list[Habit]:
    """`users` users with one to three habits each; patterns dealt round-robin so every seed has all."""
    rng = random.Random(seed)
    order = list(PATTERNS)
    rng.shuffle(order)
    habits: list[Habit] = []
    for user_id in range(users):
        user = _user(rng, days)
        for _ in range(rng.randint(1, 3)):
            pattern = order[len(habits) % len(order)]
            habits.append(simulate(pattern, rng, user, seed * 10_000 + user_id, days))
    return habits
