"""Re-timing: a schedule's groups keep their staff members and members, and CP-SAT
chooses all their session times at once.

Column generation offers each member set at the few times its prices favour, most of
them one start a week (`solver.pricing`), so a schedule packed from its groups seldom
meets at the best times the week leaves: four 60 s elementary schedules (100.6-102.4k)
gained 0.5-1.3k from 10 s of re-timing alone.  Here the times are the variables, one
literal per time a group could meet, and the packing's own rows
(`solver.packing.session_resources`) keep staff and students from double booking.
A group that matches one of last window's schedule keeps its times: moving it would cost
its members `moved_student`, which the times' value here does not count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from ortools.sat.python import cp_model

from solver.candidates import Candidate, Instance
from solver.packing import (
    Resource,
    add_no_staff_double_booking_rule,
    add_no_student_double_booking_rule,
    session_resources,
)
from solver.timegrid import Slot, in_week


@dataclass
class SessionChoice:
    """The decision variables: per group, one literal per (day, start) it could meet at."""

    model: cp_model.CpModel
    groups: list[Candidate]
    instance: Instance

    def __post_init__(self) -> None:
        self.literals = [
            {slot: self.model.new_bool_var(f"meets_{g}_{slot}") for slot in self._times(group)}
            for g, group in enumerate(self.groups)
        ]
        self.starts = [self._starts(times) for times in self.literals]
        """Per group, a literal per start time: some session of its week starts then."""

    def _starts(self, times: dict[Slot, cp_model.IntVar]) -> dict[int, cp_model.IntVar]:
        starts = {start: self.model.new_bool_var("") for _, start in times}
        for (_, start), literal in times.items():
            self.model.add_implication(literal, starts[start])
        return starts

    def _times(self, group: Candidate) -> list[Slot]:
        """Rules 4, 6 and 8: grid starts inside the staff member's availability, where every
        member is free; a group matching last window's keeps its own."""
        if group.signature in self.instance.previous_signatures:
            return list(group.slots)
        instance, grid = self.instance, self.instance.grid
        staff = instance.school.staff_by_id[group.staff_id]
        students = [instance.by_index[i].student for i in group.members]
        return [
            (day, start)
            for day, start in grid.staff_slots(staff, group.minutes)
            if all(grid.student_is_free(s, day, start, group.minutes) for s in students)
        ]

    @cached_property
    def users(self) -> dict[Resource, tuple[int, list[cp_model.IntVar]]]:
        """Per row, its capacity and the literals of the sessions using it, as
        `solver.packing.GroupChoice.users`, so the packing's rules serve here too."""
        users: dict[Resource, tuple[int, list[cp_model.IntVar]]] = {}
        for group, times in zip(self.groups, self.literals, strict=True):
            for slot, literal in times.items():
                for resource, capacity in session_resources(self.instance, group, slot):
                    users.setdefault(resource, (capacity, []))[1].append(literal)
        return users

    def hint(self) -> None:
        """The groups' own times: a whole solution, so CP-SAT starts from it."""
        for group, times, starts in zip(self.groups, self.literals, self.starts, strict=True):
            for slot, literal in times.items():
                self.model.add_hint(literal, slot in group.slots)
            for start, literal in starts.items():
                self.model.add_hint(literal, any(s == start for _, s in group.slots))

    def extract(self, value: Callable[[cp_model.IntVar], int]) -> list[Candidate]:
        """The groups at the times chosen, each with its exact value."""
        instance = self.instance
        return [
            instance.candidate(
                instance.school.staff_by_id[group.staff_id],
                group.members,
                tuple(sorted((s for s, lit in times.items() if value(lit)), key=in_week)),
            )
            for group, times in zip(self.groups, self.literals, strict=True)
        ]


def add_sessions_per_week_rule(
    model: cp_model.CpModel, choice: SessionChoice, instance: Instance
) -> None:
    """Rule 4: a group meets as many times as it did, on distinct days."""
    for group, times in zip(choice.groups, choice.literals, strict=True):
        model.add(sum(times.values()) == len(group.slots))
        for day in {day for day, _ in times}:
            model.add_at_most_one(lit for (d, _), lit in times.items() if d == day)


RULES = [
    add_sessions_per_week_rule,
    add_no_staff_double_booking_rule,
    add_no_student_double_booking_rule,
]
"""The rules a group's times can break, in the contract's order; the others stay with its
staff member and members."""


def build_retiming_model(
    instance: Instance, groups: list[Candidate]
) -> tuple[cp_model.CpModel, SessionChoice]:
    """Maximise what the times decide: members' minutes in `prefer` blocks, less those in
    `avoid` blocks, less `time_changes` per extra start time in a group's week."""
    model = cp_model.CpModel()
    choice = SessionChoice(model, groups, instance)
    for rule in RULES:
        rule(model, choice, instance)
    grid = instance.grid
    changes = instance.school.settings.objective.time_changes
    terms: list[cp_model.LinearExprT] = []
    for group, times, starts in zip(groups, choice.literals, choice.starts, strict=True):
        students = [instance.by_index[i].student for i in group.members]
        for (day, start), literal in times.items():
            value = sum(grid.pull_out_value(s, day, start, group.minutes) for s in students)
            terms.append(value * literal)
        terms += [-changes * literal for literal in starts.values()]
    model.maximize(sum(terms))
    return model, choice
