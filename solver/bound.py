"""An upper bound on the objective that any schedule could reach (a relaxation LP).

The relaxation keeps every rule about one session and forgets only that a group's
sessions share their members.  Each possible session (staff member, bucket, day,
start) runs a fraction of the time and takes members free then, between min_size
and max_size of them; a staff member, and a student with other needs, is in one
place at a time; a need is placed at most once, with one staff member, on its
number of distinct days.  Group costs (score spread, time changes, moves) are
left out, so the bound holds for every schedule, whatever its meeting pattern.

What it forgets lets a session be filled by needs that could never be one group, and a
need meet different classmates each day.  So a need joins a session only with at least
min_size - 1 others free then who could share a whole group with it (`_possible_mates`),
and a session's members fit one grade span and never hold two that could not share a
group.  Without those rows (PDLP to 1e-3) the bound was 292.1k rather than 288.9k on
k8, 111.2k rather than 108.2k on elementary (where column generation's bound soon passes
both), and 14.2k rather than 13.4k on the small school.

The LP is large (a variable per need and possible session), so PDLP solves it
approximately; the bound reported is then computed from PDLP's prices alone
(LP duality: every price vector gives a valid bound), so it is exact arithmetic
on an approximate solution and never understates.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import numpy.typing as npt
from ortools.linear_solver import pywraplp

from solver.candidates import Bucket, Instance, NeedItem, never_together
from solver.model import Program, Staff
from solver.timegrid import Slot

Matrix = npt.NDArray[np.bool_]

PAIRS_PER_SECOND = 28_000
"""How many (need, possible session) pairs the LP is built and solved for per second,
measured on the benchmark machine (28 thousand on k8, 34 on elementary): a school whose
LP clearly cannot be solved in the time given is not tried, and the search gets the time."""
TOLERANCE = 3e-4
"""PDLP's relative optimality tolerance: the bound is certified, so it only costs
tightness.  On k8, 1e-3 gives 288.9k in 7 s, 3e-4 288.2k in 12 s, 1e-4 288.0k in 24 s."""


@dataclass
class RelaxationLP:
    """max c.x subject to low <= Ax <= high and 0 <= x <= 1, kept as plain data."""

    objective: list[float] = field(default_factory=list)
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    entries: list[tuple[int, int, float]] = field(default_factory=list)
    named: dict[tuple[object, ...], int] = field(default_factory=dict)

    def variable(self, objective: float = 0.0) -> int:
        self.objective.append(objective)
        return len(self.objective) - 1

    def row(self, low: float = -math.inf, high: float = math.inf) -> int:
        self.low.append(low)
        self.high.append(high)
        return len(self.low) - 1

    def shared_row(self, name: tuple[object, ...], high: float) -> int:
        """A row several sessions add to: a staff member's or a student's minute, a staff
        member's sessions that day or groups."""
        if name not in self.named:
            self.named[name] = self.row(high=high)
        return self.named[name]

    def add(self, row: int, variable: int, coefficient: float) -> None:
        self.entries.append((row, variable, coefficient))

    def certified_bound(self, prices: list[float]) -> float:
        """Weak duality: for any prices y, c.x = y.Ax + (c - A'y).x is at most
        sum(y * the row's limit on y's side) + sum(max(0, c - A'y))."""
        usable = [
            y if (y > 0 and math.isfinite(high)) or (y < 0 and math.isfinite(low)) else 0.0
            for y, low, high in zip(prices, self.low, self.high, strict=True)
        ]
        reduced = list(self.objective)
        for row, variable, coefficient in self.entries:
            reduced[variable] -= coefficient * usable[row]
        rows = sum(y * (self.high[r] if y > 0 else self.low[r]) for r, y in enumerate(usable) if y)
        return rows + sum(max(0.0, r) for r in reduced)


def upper_bound(
    instance: Instance, seconds: float = 60.0, wall: float | None = None
) -> float | None:
    """No schedule's objective is higher; None when it is not expected within `seconds`
    (a large school: the search needs that time more), or building the LP or PDLP took
    longer than `wall` seconds (`seconds` unless given)."""
    if expected_seconds(instance) > seconds:
        return None
    deadline = time.monotonic() + (seconds if wall is None else wall)
    lp = session_relaxation(instance, deadline)
    if lp is None:
        return None
    prices = _prices(lp, deadline)
    return None if prices is None else lp.certified_bound(prices)


def expected_seconds(instance: Instance) -> float:
    """About how long building the LP and solving it take (`PAIRS_PER_SECOND`)."""
    return _pairs(instance) / PAIRS_PER_SECOND


def _pairs(instance: Instance) -> int:
    """At most this many member variables: each need with each possible session."""
    return sum(
        len(instance.grid.staff_slots(staff, items[0].program.minutes)) * len(items)
        for bucket, items in instance.buckets.items()
        for staff in instance.qualified_staff(bucket)
    )


def session_relaxation(instance: Instance, deadline: float = math.inf) -> RelaxationLP | None:
    lp = RelaxationLP()
    attends: dict[tuple[int, str], list[tuple[Slot, int]]] = defaultdict(list)
    for bucket, items in instance.buckets.items():
        may_share = _may_share(instance, items)
        for staff in instance.qualified_staff(bucket):
            if time.monotonic() > deadline:
                return None
            _add_sessions(lp, instance, staff, items, may_share, attends)
    for item in instance.needs:
        _add_need(lp, instance, item, attends)
    return lp


def _add_sessions(
    lp: RelaxationLP,
    instance: Instance,
    staff: Staff,
    items: list[NeedItem],
    may_share: Matrix,
    attends: dict[tuple[int, str], list[tuple[Slot, int]]],
) -> None:
    """Each session this staff member could run for the bucket, with the needs that
    could join it."""
    grid = instance.grid
    program = items[0].program
    minutes = program.minutes
    slots = grid.staff_slots(staff, minutes)
    free_at = np.array(
        [
            [grid.student_is_free(i.student, day, start, minutes) for i in items]
            for day, start in slots
        ],
        dtype=bool,
    ).reshape(len(slots), len(items))
    mates = _possible_mates(instance, slots, items, free_at, may_share)
    not_mates = _not_mates_in_one_span(items, mates)
    for slot, now in zip(slots, free_at, strict=True):
        can_join = now & (mates[:, now].sum(axis=1) >= program.min_size - 1)
        positions = [k for k, joins in enumerate(can_join) if joins]
        joining = [items[k] for k in positions]
        windows = _grade_windows(joining, program)
        if not windows:
            continue
        pairs = [(int(a), int(b)) for a, b in np.argwhere(not_mates[np.ix_(positions, positions)])]
        members = _add_session(lp, instance, staff, slot, joining, windows, pairs)
        for item, member in zip(joining, members, strict=True):
            attends[(item.index, staff.staff_id)].append((slot, member))


def _add_session(
    lp: RelaxationLP,
    instance: Instance,
    staff: Staff,
    slot: Slot,
    joining: list[NeedItem],
    windows: list[int],
    not_mates: list[tuple[int, int]],
) -> list[int]:
    """Rules 1, 3, 6-9 for one session, and its members one group: in one grade span
    (the LP picks a window of grades), never two (positions in `joining`) that could not
    share a group.  Returns the members' variables."""
    program = joining[0].program
    runs = _add_staff_time(lp, instance, staff, slot, joining[0].bucket)
    size_high, size_low = lp.row(high=0), lp.row(low=0)
    lp.add(size_high, runs, -program.max_size)
    lp.add(size_low, runs, -program.min_size)
    one_window = lp.row(high=0)
    lp.add(one_window, runs, -1)
    window_runs = {low: lp.variable() for low in windows}
    for variable in window_runs.values():
        lp.add(one_window, variable, 1)
    members = []
    for item in joining:
        member = _add_member(lp, instance, slot, item)
        members.append(member)
        lp.add(size_high, member, 1)
        lp.add(size_low, member, 1)
        inside_the_window = lp.row(high=0)
        lp.add(inside_the_window, member, 1)
        for low, variable in window_runs.items():
            if low <= item.student.grade <= low + program.max_grade_span:
                lp.add(inside_the_window, variable, -1)
    for a, b in not_mates:
        not_both = lp.row(high=0)
        lp.add(not_both, members[a], 1)
        lp.add(not_both, members[b], 1)
        lp.add(not_both, runs, -1)
    return members


def _add_staff_time(
    lp: RelaxationLP, instance: Instance, staff: Staff, slot: Slot, bucket: Bucket
) -> int:
    """How much of the time the session runs, in the staff member's rows."""
    day, start = slot
    program = instance.buckets[bucket][0].program
    runs = lp.variable()
    end = start + program.minutes + staff.buffer_minutes
    for point in instance.grid.grid_points(start, end):
        lp.add(lp.shared_row(("staff", staff.staff_id, day, point), 1), runs, 1)
    if staff.max_sessions_per_day is not None:
        limit = staff.max_sessions_per_day
        lp.add(lp.shared_row(("day", staff.staff_id, day), limit), runs, 1)
    if staff.max_groups is not None:
        # A group of this bucket has at most `longest` sessions.
        longest = max(item.sessions for item in instance.buckets[bucket])
        lp.add(lp.shared_row(("groups", staff.staff_id), staff.max_groups), runs, 1 / longest)
    return runs


def _add_member(lp: RelaxationLP, instance: Instance, slot: Slot, item: NeedItem) -> int:
    """The need in the session, in its student's rows."""
    grid, (day, start) = instance.grid, slot
    minutes = item.program.minutes
    member = lp.variable(grid.pull_out_value(item.student, day, start, minutes))
    if instance.needs_of_student[item.student.student_id] > 1:
        for point in grid.grid_points(start, start + minutes):
            lp.add(lp.shared_row(("student", item.student.student_id, day, point), 1), member, 1)
    return member


def _add_need(
    lp: RelaxationLP,
    instance: Instance,
    item: NeedItem,
    attends: dict[tuple[int, str], list[tuple[Slot, int]]],
) -> None:
    """Rules 4, 5 and 10: placed at most once, with one staff member, n distinct days
    (and no more days than the bucket's longest group meets: `prefer` minutes on
    extra days would otherwise count)."""
    serve = instance.school.settings.objective.serve(item.need.tier)
    longest = max(other.sessions for other in instance.buckets[item.bucket])
    placed_once = lp.row(high=1)
    for staff in instance.qualified_staff(item.bucket):
        sessions = attends.get((item.index, staff.staff_id))
        if not sessions:
            continue
        placed = lp.variable(serve)
        lp.add(placed_once, placed, 1)
        enough, at_most = lp.row(low=0), lp.row(high=0)
        lp.add(enough, placed, -item.sessions)
        lp.add(at_most, placed, -longest)
        once_a_day: dict[object, int] = {}
        for (day, _), member in sessions:
            lp.add(enough, member, 1)
            lp.add(at_most, member, 1)
            if day not in once_a_day:
                once_a_day[day] = lp.row(high=0)
                lp.add(once_a_day[day], placed, -1)
            lp.add(once_a_day[day], member, 1)


def _may_share(instance: Instance, items: list[NeedItem]) -> Matrix:
    """Which pairs of a bucket's needs rule 3 and the apart pairs let share a group: the
    same whoever teaches them, so worked out once a bucket."""
    may_share = np.ones((len(items), len(items)), dtype=bool)
    for (j, a), (k, b) in combinations(enumerate(items), 2):
        may_share[j, k] = may_share[k, j] = not never_together(instance, a, b)
    np.fill_diagonal(may_share, False)
    return may_share


def _possible_mates(
    instance: Instance,
    slots: tuple[Slot, ...],
    items: list[NeedItem],
    free_at: Matrix,
    may_share: Matrix,
) -> Matrix:
    """Which pairs of a bucket's needs could be in one group of this staff member: they
    may share a group, and are both free at one of the staff member's starts on as many
    days as the longer need meets (a group meets on its members' days, all of them there
    each time)."""
    both_free_days = np.zeros((len(items), len(items)), dtype=np.int64)
    for day in instance.grid.days:
        today = free_at[[d == day for d, _ in slots]].astype(np.int64)
        both_free_days += (today.T @ today) > 0
    sessions = np.array([item.sessions for item in items])
    enough_days: Matrix = both_free_days >= np.maximum.outer(sessions, sessions)
    return may_share & enough_days


def _not_mates_in_one_span(items: list[NeedItem], mates: Matrix) -> Matrix:
    """The pairs (each once) that one grade span holds but that still cannot share a group
    (kept apart, or too few days free together): never both in one session."""
    grades = np.array([int(item.student.grade) for item in items])
    in_one_span = np.abs(np.subtract.outer(grades, grades)) <= items[0].program.max_grade_span
    return np.triu(in_one_span & ~mates, k=1)


def _grade_windows(joining: list[NeedItem], program: Program) -> list[int]:
    """The lowest grades of the grade spans holding at least min_size of the needs: a
    session's group fits in one of them."""
    grades = [item.student.grade for item in joining]
    span = program.max_grade_span
    return sorted(
        low
        for low in set(grades)
        if sum(low <= g <= low + span for g in grades) >= program.min_size
    )


def _prices(lp: RelaxationLP, deadline: float) -> list[float] | None:
    """PDLP's row prices for the LP (approximate; `certified_bound` makes them safe), or
    None when PDLP stopped at the time limit with none to give (a large school)."""
    if not lp.objective:  # nothing can be scheduled; PDLP does not solve an empty LP
        return [0.0] * len(lp.low)
    solver = pywraplp.Solver.CreateSolver("PDLP")
    variables = [solver.NumVar(0.0, 1.0, "") for _ in lp.objective]
    rows = [solver.Constraint(low, high) for low, high in zip(lp.low, lp.high, strict=True)]
    for count, (row, variable, coefficient) in enumerate(lp.entries):
        rows[row].SetCoefficient(variables[variable], coefficient)
        if count % 100_000 == 0 and time.monotonic() > deadline:
            return None
    objective = solver.Objective()
    for variable, value in zip(variables, lp.objective, strict=True):
        objective.SetCoefficient(variable, value)
    objective.SetMaximization()
    solver.SetTimeLimit(max(1, int((deadline - time.monotonic()) * 1000)))
    solver.SetSolverSpecificParametersAsString(
        "num_threads: 1 termination_criteria { simple_optimality_criteria { "
        f"eps_optimal_relative: {TOLERANCE} eps_optimal_absolute: {TOLERANCE} }} }}"
    )
    if solver.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    return [row.dual_value() for row in rows]
