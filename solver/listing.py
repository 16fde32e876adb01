"""Pricing by listing: every member set of a small family, each at its best times;
and the bound on every schedule that column generation's prices then give.

`solver.pricing` grows member sets around a few anchor needs and meets at one start
time.  Once the schedule is good, what still improves it is often a group that
heuristic misses: a set no anchor grows, or members who can meet only at a different
time each day (free at 10:45 on Wednesday and at 13:20 on Thursday), which costs
`time_changes` a change and places a student.  Where a family (a staff member, a
bucket, a session count) has few enough member sets to list, each set is priced at
its best times (`solver.meeting`), a chunk of sets at once in numpy, and the best of
each chunk is offered to column generation, which keeps those whose exact reduced
cost is positive.  Measured on elementary at 60 s over three solver seeds: 96.5-96.7k
without it, 98.5-101.7k with it.

When every family of a school is listed, the same pass bounds every group's reduced
cost, and so every schedule (`Listed.bound`).  A family with too many member sets is
listed only where a neighbourhood of the search leaves few of its needs free
(`_FreeParts`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations
from math import ceil, comb

import numpy as np
import numpy.typing as npt

from solver.candidates import Bucket, Candidate, Instance, NeedItem
from solver.cuts import Cut, MemberCut, ServedCap
from solver.meeting import FILLED, NEVER, Array, Pattern, Week, best_times, descending
from solver.model import Staff
from solver.timegrid import Slot, in_week
from solver.values import Day

Price = Callable[[tuple[object, ...]], float]
Sets = npt.NDArray[np.int64]

MAX_MEMBER_SETS = 20_000
"""Member sets listed per family at most; a larger family is left to `solver.pricing`."""
CHUNK = 2_000
"""Member sets priced at once (memory: CHUNK x days x starts floats)."""
PER_CHUNK = 3
"""Member sets of each chunk offered as groups, at each time the pricing looked at."""
EPSILON = 1e-6


@dataclass
class Family:
    """The groups one staff member could run for one bucket meeting `sessions` times."""

    staff: Staff
    items: list[NeedItem]
    sessions: int
    slots: list[Slot]
    member_sets: list[Sets] | None
    """Positions in `items` of every allowed member set, one array per size; None where
    there are too many to list (`MAX_MEMBER_SETS`)."""
    days: list[Day]
    starts: list[int]
    meets: Array
    """Each member's pull-out value at each (day, start), NEVER when not free: it never
    changes, so it is worked out once (on k8 a call then takes 0.7 s, not 1.2 s)."""
    points: list[int]
    """The grid points the family's sessions can hold, for the week rows."""
    cover: Array
    staff_cover: Array

    @classmethod
    def of(
        cls,
        instance: Instance,
        staff: Staff,
        items: list[NeedItem],
        sessions: int,
        member_sets: list[Sets] | None,
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
        longest = minutes + staff.buffer_minutes
        points = sorted({t for s in starts for t in grid.grid_points(s, s + longest)})
        cover, staff_cover = (
            np.array([[float(s <= t < s + length) for t in points] for s in starts])
            for length in (minutes, longest)
        )
        return cls(
            staff,
            items,
            sessions,
            slots,
            member_sets,
            days,
            starts,
            meets,
            points,
            cover,
            staff_cover,
        )

    def place(self, slot: Slot) -> tuple[int, int]:
        return self._places[slot]

    @cached_property
    def _places(self) -> dict[Slot, tuple[int, int]]:
        """Each (day, start)'s position, looked up rather than searched for in `days` and
        `starts`: 90 s of the column bound's process asked for 1.3 million of them."""
        return {
            (day, start): (d, s)
            for d, day in enumerate(self.days)
            for s, start in enumerate(self.starts)
        }


@dataclass
class Listed:
    """What one listing at one price vector found."""

    groups: list[Candidate]
    shares: dict[int, float] | None
    """Per need, at least its share of the reduced cost of any group it could join;
    None when some family was not listed (too large, or the deadline came first)."""
    size: int = 0
    """Needs in the member sets listed, summed: a listing's work grows with it..."""
    chunks: int = 0
    """...and with the chunks they were priced in..."""
    searched: int = 0
    """...and with the sets searched past their day-by-day bound (`Times.searched`)..."""
    built: int = 0
    """...and with the (need, slot) pairs of the families it built (`Listing`)."""

    def bound(self, priced_capacity: float) -> float | None:
        """No schedule's objective is higher (LP duality, in Lagrangian form).

        For prices y >= 0 on the packing rows, a schedule's objective is the sum of its
        groups' reduced costs (value less the price of what they use) plus y . (what it
        uses), at most `priced_capacity` (sum of y times each row's capacity) plus the
        reduced costs; a need is in one group at most, so those are at most the sum of
        the needs' shares.  Valid for any prices, whether or not column generation has
        converged; tight when it has and the listing's upper bounds are exact.
        """
        if self.shares is None:
            return None
        return priced_capacity + sum(self.shares.values())


class Listing:
    """The listable families of one school, found once and priced on every call."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.exact = False
        """Search the member sets still worth something for their exact best times
        (`solver.meeting`): slower, so the column bound's process turns it on once
        column generation has converged."""
        self.families: list[Family] = []
        """The families built so far, in the order `_families` finds them."""
        self._unbuilt = _families(self.instance)

    def _each_family(self, listed: Listed) -> Iterator[Family]:
        """Every family, each built when a listing first reaches it (`Listed.built` counts
        it), so a search that never gets to its neighbourhoods builds none.  Built all
        at once before the listing's first deadline check, they took 2.4-2.8 s on the
        900-need school (1.2 s of it for kinds too large to list whole), and a 3 s k8
        solve, whose first listing took 0.9 s, returned after 4.0 s (3.0-3.2 s since)."""
        yield from self.families
        for family in self._unbuilt:
            self.families.append(family)
            listed.built += len(family.items) * len(family.slots)
            yield family

    @cached_property
    def complete(self) -> bool:
        """Every family of the school is listed, so `Listed.shares` can bound them all."""
        return all(
            _count(items, sessions) <= MAX_MEMBER_SETS for items, sessions in _kinds(self.instance)
        )

    def price(
        self,
        price: Price,
        deadline: float,
        cuts: Sequence[Cut] = (),
        now: Callable[[Listed], float] = lambda _: time.monotonic(),
    ) -> Listed:
        """The best groups of each chunk of every family, at these prices (of the packing
        rows and of `cuts`), and the needs' shares of any group's reduced cost when every
        family was listed by the deadline (on the clock `now` reads, given what the
        listing has done so far)."""
        listed = Listed([], {} if self.complete else None)
        priced_cuts = [(cut, price(cut.row)) for cut in cuts if isinstance(cut, MemberCut)]
        caps = [(cap, price(cap.row)) for cap in cuts if isinstance(cap, ServedCap)]
        free = _FreeParts(self.instance, price)
        rows = _RowPrices(self.instance, price)
        for family in self._each_family(listed):
            if now(listed) > deadline:
                listed.shares = None
                return listed
            sets = family.member_sets if family.member_sets is not None else free.of(family)
            if sets is None:
                continue
            found, share, searched = self._best_groups(family, sets, rows, priced_cuts, caps)
            listed.groups += found
            listed.searched += searched
            listed.size += sum(s.size for s in sets)
            listed.chunks += sum(ceil(len(s) / CHUNK) for s in sets)
            if listed.shares is not None:
                for item, value in zip(family.items, share.tolist(), strict=True):
                    if value > listed.shares.get(item.index, 0.0):
                        listed.shares[item.index] = value
        return listed

    def _best_groups(
        self,
        family: Family,
        member_sets: list[Sets],
        rows: _RowPrices,
        cuts: list[tuple[MemberCut, float]],
        caps: list[tuple[ServedCap, float]],
    ) -> tuple[list[Candidate], Array, int]:
        """The groups worth offering, per member the most any of its groups is worth per
        member (each group's upper bound split evenly), and the sets searched past their
        day-by-day bound."""
        priced = self._priced(family, rows, caps)
        counted = _counted_cuts(family, cuts)
        objective = self.instance.school.settings.objective
        scores = np.array([np.nan if i.need.score is None else i.need.score for i in family.items])
        most = len(self.instance.school.settings.days) // 2 + 1
        groups: list[Candidate] = []
        share = np.zeros(len(family.items))
        searched = 0
        for sets in member_sets:
            for first in range(0, len(sets), CHUNK):
                # sets holding a need the held groups place are worth nothing: left out
                chunk, positions = priced.open(sets[first : first + CHUNK])
                if not len(chunk):
                    continue
                # spread rounds down here: an upper bound, whatever the rounding
                fixed = (
                    priced.base[chunk].sum(axis=1)
                    - np.floor(objective.score_spread * _spread(scores[chunk]))
                    - priced.group
                    - _cut_price(chunk, counted)
                )
                week = priced.week(chunk, family, most)
                together = priced.together(chunk)
                times = best_times(
                    together, family.sessions, week, objective.time_changes, -fixed, self.exact
                )
                searched += times.searched
                worth = np.where(times.upper > NEVER / 2, fixed + times.upper, 0.0)
                for column in range(chunk.shape[1]):
                    np.maximum.at(share, chunk[:, column], worth / chunk.shape[1])
                for row in descending(worth, first, positions)[:PER_CHUNK]:
                    if worth[row] > EPSILON:
                        groups += self._timed(family, chunk[row], times.patterns, row)
        return groups, share, searched

    def _timed(
        self, family: Family, members: Sets, patterns: list[Pattern], row: int
    ) -> list[Candidate]:
        """The group at each distinct meeting pattern the pricing looked at."""
        options = {
            tuple(
                sorted(
                    ((family.days[d], family.starts[s]) for d, s in p[row].tolist()), key=in_week
                )
            )
            for p in patterns
        }
        chosen = tuple(family.items[p].index for p in members.tolist())
        together = family.meets[members].min(axis=0)
        return [
            self.instance.candidate(family.staff, chosen, slots)
            for slots in sorted(options, key=lambda slots: [in_week(slot) for slot in slots])
            if all(together[family.place(slot)] > NEVER / 2 for slot in slots)
        ]

    def _priced(
        self, family: Family, rows: _RowPrices, caps: list[tuple[ServedCap, float]]
    ) -> Priced:
        instance, price = self.instance, rows.price
        value = family.meets.copy()
        base = np.zeros(len(family.items))
        students_week = np.zeros((len(family.items), len(family.points)))
        weights = instance.school.settings.objective
        for position, item in enumerate(family.items):
            base[position] = weights.serve(item.need.tier) - price(("need", item.index))
            base[position] -= sum(p * cap.weight.get(item.index, 0) for cap, p in caps)
            student_id = item.student.student_id
            if instance.needs_of_student[student_id] == 1:
                continue
            students_week[position] = [
                price(("student-week", student_id, t)) for t in family.points
            ]
            value[position] -= rows.student(family, position)
        staff_id = family.staff.staff_id
        staff_week = np.array([price(("staff-week", staff_id, t)) for t in family.points])
        group = price(("groups", staff_id))
        return Priced(base, value, rows.staff(family), group, students_week, staff_week)


@dataclass
class Priced:
    """One family at one price vector: the packing rows a group would use, priced."""

    base: Array
    """Each member's serve weight less its need's price."""
    value: Array
    """Each member's value at each (day, start) less its student's minutes there (a
    student with other needs), NEVER when not free."""
    staff: Array
    """The staff member's minutes and daily session budget at each (day, start)."""
    group: float
    """The staff member's group budget."""
    students_week: Array
    """Each member's week rows at each grid point of the family."""
    staff_week: Array
    """The staff member's week rows at each grid point."""

    @cached_property
    def closed(self) -> npt.NDArray[np.bool_]:
        """The members whose need a held group places (`solver.pricing.ColumnPool.fix`
        prices it at `FILLED`)."""
        return self.base < NEVER / 2

    def open(self, chunk: Sets) -> tuple[Sets, Pattern | None]:
        """The member sets of a chunk with no closed member, and their rows in the chunk
        (None where that is every row).  A set with a closed member is worth nothing, and in
        a neighbourhood of the search, where most needs are held, most sets have one: 81%
        of those the 21 listings of a one-worker 30 s elementary solve priced (k8 at 40 s:
        50%).  Left out, the same listings gave the same groups and shares in 0.77 of the
        CPU time (k8: 0.86), and one-worker solves the same schedules."""
        if not self.closed.any():
            return chunk, None
        rows = np.flatnonzero(~self.closed[chunk].any(axis=1))
        return chunk[rows], rows

    def together(self, chunk: Sets) -> Array:
        """Each member set's value at each (day, start), less the staff member's prices,
        summed a member at a time: gathering every member's values into one array first
        took an eighth of a listing."""
        value = self.value
        result: Array = value[chunk[:, 0]]
        for column in range(1, chunk.shape[1]):
            result += value[chunk[:, column]]
        return result - self.staff

    def week(self, chunk: Sets, family: Family, most: int) -> Week | None:
        """The week rows of these member sets, or None when they cannot pay any."""
        if family.sessions < most:
            return None
        students = self.students_week[chunk].sum(axis=1)
        if not (students.any() or self.staff_week.any()):
            return None
        return Week(students, self.staff_week, family.cover, family.staff_cover, most)


@dataclass
class Counted:
    """The priced cuts on one family's bucket: which members each counts (a row per cut),
    its divisor and its price."""

    members: npt.NDArray[np.int8]
    divisors: npt.NDArray[np.int64]
    prices: list[float]


def _counted_cuts(family: Family, cuts: list[tuple[MemberCut, float]]) -> Counted:
    """The priced cuts on the family's bucket, as `Counted`."""
    ours = [(c, p) for c, p in cuts if p > 0 and c.bucket == family.items[0].bucket]
    members = [[i.index in cut.members for i in family.items] for cut, _ in ours]
    return Counted(
        np.array(members, dtype=np.int8).reshape(len(ours), len(family.items)),
        np.array([cut.divisor for cut, _ in ours], dtype=np.int64),
        [p for _, p in ours],
    )


def _cut_price(chunk: Sets, counted: Counted) -> Array:
    """Per member set, the price of the cuts it counts in (`MemberCut.coefficient`).  Each
    cut's members are counted for the whole chunk at once: cut by cut, this took a sixth
    of elementary's listing after 25 rounds of the column bound."""
    result: Array = np.zeros(len(chunk))
    if not counted.prices:
        return result
    coefficients = (
        counted.members[:, chunk].sum(axis=2, dtype=np.int64) // counted.divisors[:, None]
    )
    for p, coefficient in zip(counted.prices, coefficients, strict=True):
        result += p * coefficient
    return result


def _spread(scores: Array) -> Array:
    """Highest minus lowest score of each row, ignoring missing scores (0 when none)."""
    missing = np.isnan(scores)
    high = np.where(missing, -np.inf, scores).max(axis=1)
    low = np.where(missing, np.inf, scores).min(axis=1)
    result: Array = np.where(high >= low, high - low, 0.0)
    return result


def _kinds(instance: Instance) -> Iterator[tuple[list[NeedItem], int]]:
    """Per bucket and session count, the needs a group meeting that often may hold."""
    for items in instance.buckets.values():
        for sessions in sorted({item.sessions for item in items}):
            yield [item for item in items if item.sessions <= sessions], sessions


class _FreeParts:
    """The member sets of a large kind's free needs, at one price vector.

    A kind with too many member sets to list (`MAX_MEMBER_SETS`) is left to
    `solver.pricing`'s heuristic, but in a neighbourhood of the search most of its needs
    are held: the held groups price each need they place at `FILLED`, so no group
    holding one can price out, and the needs left free are often few enough to list (k8,
    one 120 s solve: 49 of its 63 large kinds' listings).  A k8 neighbourhood's listing
    then took 1.24 s on average, 0.15 s of it finding these sets (before `_member_sets`
    looked only at sets with a member meeting that often).  Small families are still
    priced whole: leaving out their sets of held needs made a listing cheaper, but each
    chunk offers its best `PER_CHUNK`, so it offered fewer groups, and elementary did
    worse (60 s, seeds 0-8 paired: 8 of 9 lower, mean 102.83k against 103.29k).
    """

    def __init__(self, instance: Instance, price: Price) -> None:
        self.instance = instance
        self.price = price
        self.found: dict[tuple[Bucket, int], list[Sets] | None] = {}
        """Each kind's (bucket, sessions), whose families (one per staff member) share
        their member sets."""

    def of(self, family: Family) -> list[Sets] | None:
        """The member sets of the family's free needs; None where they are too many."""
        kind = (family.items[0].bucket, family.sessions)
        if kind not in self.found:
            self.found[kind] = self._listed(family)
        return self.found[kind]

    def _listed(self, family: Family) -> list[Sets] | None:
        free = [self.price(("need", item.index)) < FILLED / 2 for item in family.items]
        items = [item for item, is_free in zip(family.items, free, strict=True) if is_free]
        if not items or _count(items, family.sessions) > MAX_MEMBER_SETS:
            return None
        positions = np.flatnonzero(free)
        return [positions[sets] for sets in _member_sets(self.instance, items, family.sessions)]


def _families(instance: Instance) -> Iterator[Family]:
    """A family per kind and qualified staff member who could run it."""
    for items, sessions in _kinds(instance):
        sets = None
        if _count(items, sessions) <= MAX_MEMBER_SETS:
            sets = _member_sets(instance, items, sessions)
        minutes = items[0].program.minutes
        for staff in instance.qualified_staff(items[0].bucket):
            slots = instance.grid.staff_slots(staff, minutes)
            if len({day for day, _ in slots}) >= sessions and staff.max_groups != 0:
                yield Family.of(instance, staff, items, sessions, sets)


def _count(items: list[NeedItem], sessions: int) -> int:
    """How many member sets rules 2 and 3 allow with a member meeting `sessions` times
    (apart pairs not taken out), counted without listing them."""
    program = items[0].program
    sizes = range(program.min_size, program.max_size + 1)

    def lowest_grade_is(lowest: int, chosen_from: list[NeedItem]) -> int:
        higher = sum(item.student.grade > lowest for item in chosen_from)
        return sum(comb(len(chosen_from), size) - comb(higher, size) for size in sizes)

    total = 0
    for lowest in {item.student.grade for item in items}:
        span = lowest + program.max_grade_span
        window = [item for item in items if lowest <= item.student.grade <= span]
        fewer = [item for item in window if item.sessions < sessions]
        # every set in the grade window, less those where nobody meets `sessions` times
        total += lowest_grade_is(lowest, window) - lowest_grade_is(lowest, fewer)
    return total


def _member_sets(instance: Instance, items: list[NeedItem], sessions: int) -> list[Sets]:
    """Every member set rules 2, 3 and 10 allow (positions in `items`), by size, in the
    order `combinations` gives them.  Each is found from its first member meeting
    `sessions` times, so sets where nobody does are never looked at: where a
    neighbourhood leaves few such needs free (`_FreeParts`), looking at every set of the
    grade window took 191 s of one listing on the 900-need school."""
    program = items[0].program
    grades = [item.student.grade for item in items]
    found: list[list[tuple[int, ...]]] = []
    for size in range(program.min_size, program.max_size + 1):
        found.append([])
        for lowest in sorted(set(grades)):
            window = [
                p for p, g in enumerate(grades) if lowest <= g <= lowest + program.max_grade_span
            ]
            found[-1] += sorted(
                chosen
                for chosen in _with_one_meeting(items, window, size, sessions)
                if min(grades[p] for p in chosen) == lowest and _allowed(instance, items, chosen)
            )
    return [np.array(sets, dtype=np.int64) for sets in found if sets]


def _with_one_meeting(
    items: list[NeedItem], window: list[int], size: int, sessions: int
) -> Iterator[tuple[int, ...]]:
    """The sets of `size` positions of `window` where some member meets `sessions` times,
    each once: from its first such member, the others of the window after it or not
    meeting that often."""
    meeting = [items[p].sessions == sessions for p in window]
    for at, first in enumerate(window):
        if meeting[at]:
            others = [p for n, p in enumerate(window) if n > at or (n < at and not meeting[n])]
            for rest in combinations(others, size - 1):
                yield tuple(sorted((first, *rest)))


def _allowed(instance: Instance, items: list[NeedItem], chosen: tuple[int, ...]) -> bool:
    """No apart pair (rule 10) is in the set."""
    students = [items[p].student.student_id for p in chosen]
    return not any(frozenset(pair) in instance.apart for pair in combinations(students, 2))


class _RowPrices:
    """The prices of the rows a session uses at each (day, start) of a family, at one
    price vector.  A staff member's families of one session length share their times, and
    so do a student's families with one staff member, so each is summed once a listing:
    after 25 rounds of elementary's column bound, its 36 families ask for 10 different
    staff prices and 52 different student prices of 73.  Summed slot by slot in each
    family, even with each slot's sum kept, they took an eighth of the listing."""

    def __init__(self, instance: Instance, price: Price) -> None:
        self.instance = instance
        self.price = price
        self.staff_prices: dict[tuple[str, int], Array] = {}
        self.student_prices: dict[tuple[str, str, int], Array] = {}

    def staff(self, family: Family) -> Array:
        """The staff member's minutes and daily session budget (`Priced.staff`)."""
        staff, minutes = family.staff, family.items[0].program.minutes
        key = (staff.staff_id, minutes)
        if key not in self.staff_prices:
            self.staff_prices[key] = self._each_slot(
                family, lambda slot: _staff_price(self.instance, staff, minutes, slot, self.price)
            )
        return self.staff_prices[key]

    def student(self, family: Family, position: int) -> Array:
        """The student's minutes (a student with other needs) where they are free, 0 where
        they are not (their value there stays `NEVER`)."""
        item, minutes = family.items[position], family.items[0].program.minutes
        key = (item.student.student_id, family.staff.staff_id, minutes)
        if key not in self.student_prices:
            self.student_prices[key] = self._each_slot(
                family,
                lambda slot: _student_price(self.instance, item, minutes, slot, self.price),
                family.meets[position] > NEVER / 2,
            )
        return self.student_prices[key]

    @staticmethod
    def _each_slot(
        family: Family, price: Callable[[Slot], float], where: npt.NDArray[np.bool_] | None = None
    ) -> Array:
        result = np.zeros((len(family.days), len(family.starts)))
        for slot in family.slots:
            place = family.place(slot)
            if where is None or where[place]:
                result[place] = price(slot)
        return result


def _staff_price(instance: Instance, staff: Staff, minutes: int, slot: Slot, price: Price) -> float:
    """The price of the rows `solver.packing.staff_resources` gives a group of this one
    session (but its `groups` and week rows, which `Priced` holds apart).

    Asking packing itself, through a one-session group, cost 0.8 -> 1.1 s a call on k8,
    and keeping its answers per family took the first listing of the 900-need school
    from 4.2 to 6.1 s.  The bound needs these prices to be packing's exactly:
    `tests/test_listing.py` checks it against every group of small schools.
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
