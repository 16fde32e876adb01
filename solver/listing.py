"""Pricing by listing: every member set of a small family, each at its best times.

`solver.pricing` grows member sets around a few anchor needs and meets at one start
time.  Once the schedule is good, what still improves it is often a group that
heuristic misses: a set no anchor grows, or members who can meet only at a different
time each day (free at 10:45 on Wednesday and at 13:20 on Thursday), which costs
`time_changes` a change and places a student.  Where a family (a staff member, a
bucket, a session count) has few enough member sets to list, each set is priced at
its best times, a chunk of sets at once in numpy, and the best of each chunk is
offered to column generation, which keeps those whose exact reduced cost is positive.
Measured on elementary at 60 s over three solver seeds: 96.5-96.7k without it,
98.5-101.7k with it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

import numpy as np
import numpy.typing as npt

from solver.candidates import Candidate, Instance, NeedItem
from solver.model import Staff
from solver.timegrid import Slot
from solver.values import Day

Price = Callable[[tuple[object, ...]], float]
Array = npt.NDArray[np.float64]
Sets = npt.NDArray[np.int64]

MAX_MEMBER_SETS = 20_000
"""Member sets listed per family at most; a larger family is left to `solver.pricing`."""
CHUNK = 2_000
"""Member sets priced at once (memory: CHUNK x days x starts floats)."""
PER_CHUNK = 3
"""Groups offered per chunk of member sets."""
NEVER = -1e9
"""The value of a time a member cannot meet."""


@dataclass
class Family:
    """The groups one staff member could run for one bucket meeting `sessions` times."""

    staff: Staff
    items: list[NeedItem]
    sessions: int
    slots: list[Slot]
    member_sets: list[Sets]
    """Positions in `items` of every allowed member set, one array per size."""
    days: list[Day]
    starts: list[int]
    meets: Array
    """Each member's pull-out value at each (day, start), NEVER when not free: it never
    changes, so it is worked out once (on k8 a call then takes 0.7 s, not 1.2 s)."""

    @classmethod
    def of(
        cls,
        instance: Instance,
        staff: Staff,
        items: list[NeedItem],
        sessions: int,
        member_sets: list[Sets],
    ) -> Family:
        grid, minutes = instance.grid, items[0].program.minutes
        slots = list(grid.staff_slots(staff, minutes))
        days = sorted({d for d, _ in slots}, key=lambda d: d.order)
        starts = sorted({s for _, s in slots})
        meets = np.full((len(items), len(days), len(starts)), NEVER)
        for position, item in enumerate(items):
            for day, start in slots:
                if grid.student_is_free(item.student, day, start, minutes):
                    where = (position, days.index(day), starts.index(start))
                    meets[where] = grid.pull_out_value(item.student, day, start, minutes)
        return cls(staff, items, sessions, slots, member_sets, days, starts, meets)

    def place(self, slot: Slot) -> tuple[int, int]:
        return self.days.index(slot[0]), self.starts.index(slot[1])


class Listing:
    """The listable families of one school, found once and priced on every call."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance

    @cached_property
    def families(self) -> list[Family]:
        """Listed on first use: a search that never gets to its neighbourhoods skips it
        (about 4 s on the 900-need school)."""
        return list(_families(self.instance))

    def groups(self, price: Price, deadline: float) -> list[Candidate]:
        """The best groups of each chunk of every family, at these prices."""
        found: list[Candidate] = []
        for family in self.families:
            if time.monotonic() > deadline:
                break
            found += self._best_groups(family, price)
        return found

    def _best_groups(self, family: Family, price: Price) -> list[Candidate]:
        base, value, staff_price = self._priced(family, price)
        weight = self.instance.school.settings.objective.score_spread
        scores = np.array([np.nan if i.need.score is None else i.need.score for i in family.items])
        groups = []
        for sets in family.member_sets:
            for first in range(0, len(sets), CHUNK):
                chunk = sets[first : first + CHUNK]
                together = value[chunk].sum(axis=1) - staff_price
                each_day = _best_days(together.max(axis=2), family.sessions)
                worth = base[chunk].sum(axis=1) + each_day - weight * _spread(scores[chunk])
                for row in np.argsort(-worth)[:PER_CHUNK]:
                    if each_day[row] > NEVER / 2:
                        groups += self._timed(family, chunk[row], together[row])
        return groups

    def _timed(self, family: Family, members: Sets, together: Array) -> list[Candidate]:
        """The group at its best single start time, and at each day's best start on its
        best days (the same group when they agree)."""
        sessions = family.sessions
        one_start = np.sort(together, axis=0)[-sessions:, :].sum(axis=0)
        start = int(np.argmax(one_start))
        days = np.argsort(-together[:, start])[:sessions]
        same_start = [(family.days[d], family.starts[start]) for d in days]
        days = np.argsort(-together.max(axis=1))[:sessions]
        each_day = [(family.days[d], family.starts[int(np.argmax(together[d]))]) for d in days]
        options = {tuple(sorted(slots, key=_in_week)) for slots in (same_start, each_day)}
        chosen = tuple(family.items[p].index for p in members.tolist())
        return [
            self.instance.candidate(family.staff, chosen, slots)
            for slots in sorted(options, key=lambda slots: [_in_week(slot) for slot in slots])
            if all(together[family.place(slot)] > NEVER / 2 for slot in slots)
        ]

    def _priced(self, family: Family, price: Price) -> tuple[Array, Array, Array]:
        """Each member's serve weight less its need's price; each member's value at each
        (day, start) less its student's minutes there (NEVER when not free); the staff
        member's price of each (day, start)."""
        instance = self.instance
        minutes = family.items[0].program.minutes
        staff_price = np.zeros((len(family.days), len(family.starts)))
        for slot in family.slots:
            staff_price[family.place(slot)] = _staff_price(
                instance, family.staff, minutes, slot, price
            )
        value = family.meets.copy()
        base = np.zeros(len(family.items))
        weights = instance.school.settings.objective
        for position, item in enumerate(family.items):
            base[position] = weights.serve(item.need.tier) - price(("need", item.index))
            if instance.needs_of_student[item.student.student_id] == 1:
                continue
            for slot in family.slots:
                day, start = family.place(slot)
                if value[position, day, start] > NEVER / 2:
                    value[position, day, start] -= _student_price(
                        instance, item, minutes, slot, price
                    )
        return base, value, staff_price


def _in_week(slot: Slot) -> tuple[int, int]:
    return slot[0].order, slot[1]


def _best_days(per_day: Array, sessions: int) -> Array:
    """The sum of the best `sessions` days (below NEVER / 2 when too few days can meet)."""
    if per_day.shape[-1] < sessions:
        return np.full(per_day.shape[:-1], 2 * NEVER)
    result: Array = np.sort(per_day, axis=-1)[..., -sessions:].sum(axis=-1)
    return result


def _spread(scores: Array) -> Array:
    """Highest minus lowest score of each row, ignoring missing scores (0 when none)."""
    missing = np.isnan(scores)
    high = np.where(missing, -np.inf, scores).max(axis=1)
    low = np.where(missing, np.inf, scores).min(axis=1)
    result: Array = np.where(high >= low, high - low, 0.0)
    return result


def _families(instance: Instance) -> Iterator[Family]:
    for bucket, items in instance.buckets.items():
        program = items[0].program
        for sessions in sorted({item.sessions for item in items}):
            members = [item for item in items if item.sessions <= sessions]
            sets = _member_sets(instance, members, sessions)
            if sets is None:
                continue
            for staff in instance.qualified_staff(bucket):
                if instance.grid.staff_slots(staff, program.minutes) and staff.max_groups != 0:
                    yield Family.of(instance, staff, members, sessions, sets)


def _member_sets(instance: Instance, items: list[NeedItem], sessions: int) -> list[Sets] | None:
    """Every member set rules 2, 3 and 10 allow (positions in `items`), by size, or
    None when there are more than MAX_MEMBER_SETS."""
    program = items[0].program
    grades = [item.student.grade for item in items]
    found: list[list[tuple[int, ...]]] = []
    count = 0
    for size in range(program.min_size, program.max_size + 1):
        found.append([])
        for lowest in sorted(set(grades)):
            window = [
                p for p, g in enumerate(grades) if lowest <= g <= lowest + program.max_grade_span
            ]
            for chosen in combinations(window, size):
                if min(grades[p] for p in chosen) != lowest:
                    continue
                if _allowed(instance, items, chosen, sessions):
                    found[-1].append(chosen)
                    count += 1
                    if count > MAX_MEMBER_SETS:
                        return None
    return [np.array(sets, dtype=np.int64) for sets in found if sets]


def _allowed(
    instance: Instance, items: list[NeedItem], chosen: tuple[int, ...], sessions: int
) -> bool:
    """Some member meets `sessions` times by its own count, and no apart pair is in it."""
    if not any(items[p].sessions == sessions for p in chosen):
        return False
    students = [items[p].student.student_id for p in chosen]
    return not any(frozenset(pair) in instance.apart for pair in combinations(students, 2))


def _staff_price(instance: Instance, staff: Staff, minutes: int, slot: Slot, price: Price) -> float:
    """The price of the rows `solver.packing.staff_resources` gives a group of this one
    session (but its `groups` row, the same for every session of the family).

    Asking packing itself, through a one-session group, cost 0.8 -> 1.1 s a call on k8,
    and keeping its answers per family took the first listing of the 900-need school
    from 4.2 to 6.1 s.  A mismatch could only mis-rank an offer: `solver.pricing` prices
    every offered group through `solver.packing.resources` before keeping it.
    """
    day, start = slot
    end = start + minutes + staff.buffer_minutes
    used = sum(
        price(("staff", staff.staff_id, day, t)) for t in instance.grid.grid_points(start, end)
    )
    return used + price(("day", staff.staff_id, day))


def _student_price(
    instance: Instance, item: NeedItem, minutes: int, slot: Slot, price: Price
) -> float:
    """The price of the student's minutes (a student with other needs): the rows
    `solver.packing.member_resources` gives them in a group of this one session."""
    day, start = slot
    points = instance.grid.grid_points(start, start + minutes)
    return sum(price(("student", item.student.student_id, day, t)) for t in points)
