"""The roster as a set-packing model over candidate groups (CP-SAT).

A candidate group already keeps every rule about itself (rules 1-6 and 8, see
`solver.candidates`).  What is left are the rules between groups, each a family
of packing rows: a row names a shared resource (a need, a staff member's minute,
a student's minute, a staff member's group or daily session budget, a person's
time of day across most of the week) and how many chosen groups may use it.  The
LP of column generation and the CP-SAT model read the same rows, so both enforce
exactly the same rules.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, partial
from typing import Protocol

from ortools.sat.python import cp_model

from solver.candidates import Candidate, Instance
from solver.timegrid import Slot
from solver.values import Day

Resource = tuple[object, ...]
RowsOf = Callable[[Candidate], Sequence[tuple[Resource, int]]]
"""A group's rows with their capacities (`resources`), however they are found."""


def staff_resources(instance: Instance, candidate: Candidate) -> list[tuple[Resource, int]]:
    """Rule 7: staff time (with buffer), groups and sessions per day, with capacities."""
    staff = instance.school.staff_by_id[candidate.staff_id]
    covered = _covered(instance, candidate, staff.buffer_minutes)
    used: list[tuple[Resource, int]] = [
        (("staff", staff.staff_id, day, t), 1) for day, t in covered
    ]
    used += [(("staff-week", staff.staff_id, t), 1) for t in _most_days(instance, covered)]
    if staff.max_sessions_per_day is not None:
        used += [
            (("day", staff.staff_id, day), staff.max_sessions_per_day) for day, _ in candidate.slots
        ]
    if staff.max_groups is not None:
        used.append((("groups", staff.staff_id), staff.max_groups))
    return used


def member_resources(instance: Instance, index: int, candidate: Candidate) -> list[Resource]:
    """Rules 9 and 10: the need itself, and the student's minutes if they have other needs."""
    item = instance.by_index[index]
    used: list[Resource] = [("need", index)]
    student_id = item.student.student_id
    if instance.needs_of_student[student_id] > 1:
        covered = _covered(instance, candidate, 0)
        used += [("student", student_id, day, t) for day, t in covered]
        used += [("student-week", student_id, t) for t in _most_days(instance, covered)]
    return used


def _covered(instance: Instance, candidate: Candidate, buffer: int) -> list[tuple[Day, int]]:
    """The (day, grid point) pairs a group's sessions cover, with a trailing buffer."""
    return [
        (day, t)
        for day, start in candidate.slots
        for t in instance.grid.grid_points(start, start + candidate.minutes + buffer)
    ]


def _most_days(instance: Instance, covered: list[tuple[Day, int]]) -> list[int]:
    """The times of day a group covers on more than half the school's days.

    Two such groups of one person always meet on a common day at that time, so at most
    one of them runs: a row the day-by-day rows imply for whole groups but not for
    fractions of them.  Without it the LP runs three three-day groups at the same time
    at one half each (Mon-Wed, Wed-Fri, Mon+Thu+Fri: every day at most once), 1.5 groups
    where only one fits, and its value and prices overstate what the week can hold.
    """
    days = Counter(t for _, t in covered)
    most = len(instance.school.settings.days) // 2 + 1
    return sorted(t for t, count in days.items() if count >= most)


def resources(instance: Instance, candidate: Candidate) -> list[tuple[Resource, int]]:
    """Every shared resource a candidate uses, with how many groups may share it."""
    used = staff_resources(instance, candidate)
    for index in candidate.members:
        used += [(r, 1) for r in member_resources(instance, index, candidate)]
    return used


class Rows(Protocol):
    """Decision variables that say, per row, its capacity and the literals using it."""

    @property
    def users(self) -> dict[Resource, tuple[int, list[cp_model.IntVar]]]: ...


TIMED = frozenset({"staff", "day", "student"})
"""The kinds of row a session's time decides: minutes and daily budgets.  A group's need,
group-budget and week rows stay with the group wherever its sessions go (week rows being
implied, for whole groups, by the minutes)."""


def session_resources(
    instance: Instance, candidate: Candidate, slot: Slot
) -> list[tuple[Resource, int]]:
    """The rows one session of this group would use at this time, with capacities."""
    one = replace(candidate, slots=(slot,))
    return [(r, capacity) for r, capacity in resources(instance, one) if r[0] in TIMED]


@dataclass
class GroupChoice:
    """The decision variables: one literal per candidate group, 'this group runs'."""

    model: cp_model.CpModel
    candidates: list[Candidate]
    rows_of: RowsOf

    def __post_init__(self) -> None:
        self.literals = [self.model.new_bool_var(f"group_{i}") for i in range(len(self.candidates))]

    @cached_property
    def users(self) -> dict[Resource, tuple[int, list[cp_model.IntVar]]]:
        """Per resource, its capacity and the literals of the candidates using it, found
        in one pass for all the rules: a pass per rule built elementary's 9.4k groups in
        1.2-1.5 s, one pass in 0.6-0.9 s, and a packing's time limit includes it."""
        users: dict[Resource, tuple[int, list[cp_model.IntVar]]] = {}
        for candidate, literal in zip(self.candidates, self.literals, strict=True):
            for resource, capacity in self.rows_of(candidate):
                users.setdefault(resource, (capacity, []))[1].append(literal)
        return users

    def runs(self, position: int) -> cp_model.IntVar:
        return self.literals[position]

    def hint(self, chosen: set[int]) -> None:
        for position, literal in enumerate(self.literals):
            self.model.add_hint(literal, position in chosen)

    def extract(self, value: Callable[[cp_model.IntVar], int]) -> list[Candidate]:
        return [c for c, lit in zip(self.candidates, self.literals, strict=True) if value(lit)]


def _add_capacity_rows(model: cp_model.CpModel, choice: Rows, kinds: set[str]) -> None:
    """No resource of these kinds is used by more chosen groups than its capacity."""
    for resource, (capacity, literals) in choice.users.items():
        if resource[0] not in kinds or len(literals) <= capacity:
            continue
        if capacity == 1:
            model.add_at_most_one(literals)
        else:
            model.add(sum(literals) <= capacity)


def add_no_staff_double_booking_rule(
    model: cp_model.CpModel, choice: Rows, instance: Instance
) -> None:
    """Rule 7: a staff member's sessions never overlap and keep the buffer between them;
    max_sessions_per_day and max_groups hold.  Sessions start on the grid, so two
    overlap exactly when one covers the other's grid start: one row per grid point."""
    _add_capacity_rows(model, choice, {"staff", "staff-week", "day", "groups"})


def add_no_student_double_booking_rule(
    model: cp_model.CpModel, choice: Rows, instance: Instance
) -> None:
    """Rule 9: a student's sessions in different subjects never overlap."""
    _add_capacity_rows(model, choice, {"student", "student-week"})


def add_one_group_per_need_rule(model: cp_model.CpModel, choice: Rows, instance: Instance) -> None:
    """Rule 10: each student-need is in at most one group (apart pairs never share a
    candidate, so they are kept by construction)."""
    _add_capacity_rows(model, choice, {"need"})


def add_pins_rule(model: cp_model.CpModel, choice: GroupChoice, instance: Instance) -> None:
    """Rule 10: a pinned need is in the group of the previous schedule it is pinned to,
    that is, in a group with that group's staff member, need and sessions."""
    for index, target in instance.pinned.items():
        model.add(
            sum(
                choice.runs(position)
                for position, candidate in enumerate(choice.candidates)
                if index in candidate.members and candidate.signature == target
            )
            == 1
        )


RULES = [
    add_no_staff_double_booking_rule,
    add_no_student_double_booking_rule,
    add_one_group_per_need_rule,
    add_pins_rule,
]
"""The rules between groups, in the contract's order; rules 1-6 and 8 hold by construction
of every candidate (`solver.candidates`)."""


def build_packing_model(
    instance: Instance,
    candidates: list[Candidate],
    held: frozenset[object] = frozenset(),
    rows_of: RowsOf | None = None,
) -> tuple[cp_model.CpModel, GroupChoice]:
    """Choose the candidate groups that maximise the contract's objective (and, when
    regenerating, the bonus for keeping needs in their old groups: `Instance.stay_bonus`).
    The candidates whose keys are `held` run: the search repacks one part of a schedule
    at a time (`solver.solve`).  `rows_of` gives a group's rows when they are known
    already (`ColumnPool.rows_of`); by default they are found (`resources`)."""
    if rows_of is None:
        rows_of = partial(resources, instance)
    candidates = _beside_held(candidates, held, rows_of)
    model = cp_model.CpModel()
    choice = GroupChoice(model, candidates, rows_of)
    for rule in RULES:
        rule(model, choice, instance)
    for position, candidate in enumerate(candidates):
        if candidate.key in held:
            model.add(choice.runs(position) == 1)
    model.maximize(sum(instance.search_value(c) * choice.runs(i) for i, c in enumerate(candidates)))
    return model, choice


def _beside_held(
    candidates: list[Candidate], held: frozenset[object], rows_of: RowsOf
) -> list[Candidate]:
    """The held groups and the others that fit beside them: a group using a row the held
    groups fill could never run, so leaving it out changes nothing but the model's size."""
    if not held:
        return candidates
    full = filled(left_beside([c for c in candidates if c.key in held], rows_of))
    return [c for c in candidates if c.key in held or fits(c, full, rows_of)]


def left_beside(held: Iterable[Candidate], rows_of: RowsOf) -> dict[Resource, int]:
    """What these groups, all running, leave of each row they use (0 where they fill it)."""
    used: Counter[Resource] = Counter()
    capacity: dict[Resource, int] = {}
    for candidate in held:
        for resource, limit in rows_of(candidate):
            used[resource] += 1
            capacity[resource] = limit
    return {resource: capacity[resource] - count for resource, count in used.items()}


def filled(left: dict[Resource, int]) -> set[Resource]:
    """The rows the groups that leave `left` (`left_beside`) fill."""
    return {resource for resource, count in left.items() if count <= 0}


def fits(candidate: Candidate, full: set[Resource], rows_of: RowsOf) -> bool:
    """Whether the group could run beside groups that fill these rows (`filled`): asked
    of every group of the pool at each neighbourhood."""
    return full.isdisjoint([resource for resource, _ in rows_of(candidate)])
