"""Re-timing: a schedule's groups keep their staff members and members, and CP-SAT
chooses their session times (beyond `WHOLE_GROUPS` groups, a part of them at a time:
`Parts`); a need left unplaced may join one of them.

Column generation offers each member set at the few times its prices favour, most of
them one start a week (`solver.pricing`), so a schedule packed from its groups seldom
meets at the best times the week leaves: four 60 s elementary schedules (100.6-102.4k)
gained 0.5-1.3k from 10 s of re-timing alone.  Here the times are the variables, one
literal per time a group could meet, and the packing's own rows
(`solver.packing.session_resources`) keep staff and students from double booking.
Moving a group's times is often what lets an unplaced need in: in a 60 s elementary
schedule three of the nine needs left for want of staff time had a group of their
bucket with room, at times that clashed with the newcomer's timetable or other group.
A group that matches one of last window's schedule keeps its times: moving it would cost
its members `moved_student`, which the times' value here does not count.
Members stay where they are: letting a bucket's needs move between its groups as well
(the spread then a variable per group) gained nothing in 15-30 s from a 60 s elementary
schedule, and new groups for the unplaced needs did no better than without (3 s, three
seeds: +65, -115 and -310; `bench/HISTORY.md`, fifth session of 2026-12-03).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from ortools.sat.python import cp_model

from solver.candidates import Candidate, Instance, NeedItem, keeps_apart
from solver.packing import (
    TIMED,
    Resource,
    add_no_staff_double_booking_rule,
    add_no_student_double_booking_rule,
    add_one_group_per_need_rule,
    member_resources,
    session_resources,
)
from solver.timegrid import Slot, in_week

WHOLE_GROUPS = 60
"""Re-timing this many groups or fewer solves the whole model from the start
(`Parts`).  Elementary's 43 CP-SAT re-times to optimality in about 3 s alone; begun
from parts of 15, the re-timing of a 60 s elementary solve, beside the column bound's
process, gained less (seeds 1-4: 315-465, mean 394, against 390-594, mean 527)."""
PART_GROUPS = 15
"""Re-timing by parts (`Parts`): the groups in the first part, where there are more than
`WHOLE_GROUPS`."""
PART_GROWTH = 1.5
"""How much larger a part is after one solved to optimality."""
PART_SHRINK = 0.75
"""How much smaller a part is after one that was not."""
PART_FEWEST = 5
"""The fewest groups a part holds."""
PART_SECONDS = 1.0
"""The most seconds a part is solved for; the whole model has the time left."""


@dataclass(frozen=True)
class Join:
    """An unplaced need that may join a group: 'it joins', and per time the group could
    meet while the newcomer is free, 'it joins and the group meets then'."""

    group: int
    item: NeedItem
    literal: cp_model.IntVar
    times: dict[Slot, cp_model.IntVar]


@dataclass
class SessionChoice:
    """The decision variables: per group, one literal per (day, start) it could meet at;
    per unplaced need and group it could join, a `Join`."""

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
        self.joins = [
            self._join(g, item)
            for item in self.instance.unplaced(self.groups)
            for g, group in enumerate(self.groups)
            if self._may_join(group, item)
        ]

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

    def _may_join(self, group: Candidate, item: NeedItem) -> bool:
        """Rules 1-3 and 10 for the group with the newcomer in it, at any times."""
        members = [self.instance.by_index[i] for i in group.members]
        program = item.program
        grades = [m.student.grade for m in members] + [item.student.grade]
        return (
            group.bucket == item.bucket
            and len(members) < program.max_size
            and item.sessions <= len(group.slots)
            and max(grades) - min(grades) <= program.max_grade_span
            and keeps_apart(self.instance, list(group.members), item.index)
        )

    def _join(self, g: int, item: NeedItem) -> Join:
        """The newcomer's literals; where it is not free the group cannot meet if it joins
        (rule 8), and 'joins and meets' is exactly both."""
        grid, minutes = self.instance.grid, self.groups[g].minutes
        joins = self.model.new_bool_var(f"joins_{g}_{item.index}")
        times = {}
        for (day, start), meets in self.literals[g].items():
            if not grid.student_is_free(item.student, day, start, minutes):
                self.model.add_implication(joins, meets.Not())
                continue
            both = times[(day, start)] = self.model.new_bool_var("")
            self.model.add_bool_and([joins, meets]).only_enforce_if(both)
            self.model.add_bool_or([joins.Not(), meets.Not(), both])
        return Join(g, item, joins, times)

    @cached_property
    def users(self) -> dict[Resource, tuple[int, list[cp_model.IntVar]]]:
        """Per row, its capacity and the literals of the sessions using it, as
        `solver.packing.GroupChoice.users`, so the packing's rules serve here too; a
        newcomer's need row and minutes are used by its joining."""
        users: dict[Resource, tuple[int, list[cp_model.IntVar]]] = {}
        for group, times in zip(self.groups, self.literals, strict=True):
            for slot, literal in times.items():
                for resource, capacity in session_resources(self.instance, group, slot):
                    users.setdefault(resource, (capacity, []))[1].append(literal)
        for join in self.joins:
            users.setdefault(("need", join.item.index), (1, []))[1].append(join.literal)
            for slot, literal in join.times.items():
                one = replace(self.groups[join.group], slots=(slot,))
                for resource in member_resources(self.instance, join.item.index, one):
                    if resource[0] in TIMED:
                        users.setdefault(resource, (1, []))[1].append(literal)
        return users

    def hint(self) -> None:
        """The groups' own times and members: a whole solution, so CP-SAT starts from it."""
        for group, times, starts in zip(self.groups, self.literals, self.starts, strict=True):
            for slot, literal in times.items():
                self.model.add_hint(literal, slot in group.slots)
            for start, literal in starts.items():
                self.model.add_hint(literal, any(s == start for _, s in group.slots))
        for join in self.joins:
            self.model.add_hint(join.literal, False)
            for literal in join.times.values():
                self.model.add_hint(literal, False)

    def hinted(self) -> dict[int, int]:
        """The hint's values (`hint`), by variable index: where a re-timing by parts
        starts."""
        hint = self.model.proto.solution_hint
        return dict(zip(hint.vars, hint.values, strict=True))

    @cached_property
    def own(self) -> list[list[int]]:
        """Per group, the indices of the variables only it has: its times, its starts and
        its newcomers'."""
        own = [
            [literal.index for literal in (*times.values(), *starts.values())]
            for times, starts in zip(self.literals, self.starts, strict=True)
        ]
        for join in self.joins:
            own[join.group] += [join.literal.index, *(lit.index for lit in join.times.values())]
        return own

    def holding(self, part: set[int], values: dict[int, int]) -> cp_model.CpModel:
        """A copy of the model in which the groups outside `part` keep the times and
        newcomers `values` gives them, started from `values`.  Written into the model's
        proto: through the model's methods a k8 part took 0.12 s to set up, four times
        as long."""
        model = self.model.clone()
        proto = model.proto
        hint = proto.solution_hint
        hint.vars.clear()
        hint.values.clear()
        hint.vars.extend(values.keys())
        hint.values.extend(values.values())
        for g, indices in enumerate(self.own):
            if g not in part:
                for index in indices:
                    domain = proto.variables[index].domain
                    domain.clear()
                    domain.extend([values[index], values[index]])
        return model

    def extract(self, value: Callable[[cp_model.IntVar], int]) -> list[Candidate]:
        """The groups at the times chosen, with the needs that joined, each with its exact
        value."""
        instance = self.instance
        members = [list(group.members) for group in self.groups]
        for join in self.joins:
            if value(join.literal):
                members[join.group].append(join.item.index)
        return [
            instance.candidate(
                instance.school.staff_by_id[group.staff_id],
                tuple(sorted(chosen)),
                tuple(sorted((s for s, lit in times.items() if value(lit)), key=in_week)),
            )
            for group, chosen, times in zip(self.groups, members, self.literals, strict=True)
        ]


class Parts:
    """Re-timing by parts: the groups are re-timed a part at a time, the rest held, each
    part grown from one group through the groups that share its staff member or a
    student.  A part solved to optimality makes the next larger, one that is not makes
    it smaller; once a part holds every group, the whole model is solved with the time
    left.  Where there are more than `WHOLE_GROUPS`, the whole model is slow to start:
    the 900-need K-8's 166 groups gained nothing in the 2-3 s of a 60 s solve (seeds
    0-2), where parts gained 13,024, 7,637 and 3,745; on k8's 94 CP-SAT may spend 4 s
    of the re-timing's 6 s at its root (one 120 s schedule: +5, where parts gave
    +5,495 and +3,515 from it), and in 120 s solves, seeds 1-8, parts gained 1,025-
    4,795 (mean 2,629) against 5-4,466 (mean 2,103), 6 of 8 more."""

    def __init__(self, instance: Instance, groups: list[Candidate], rng: random.Random):
        self.count = len(groups)
        self.rng = rng
        self.size = self.count if self.count <= WHOLE_GROUPS else PART_GROUPS
        students = [{instance.by_index[i].student.student_id for i in g.members} for g in groups]
        self.linked = [
            [
                h
                for h, other in enumerate(groups)
                if h != g
                and (other.staff_id == group.staff_id or not students[g].isdisjoint(students[h]))
            ]
            for g, group in enumerate(groups)
        ]

    def next(self) -> set[int]:
        """The indices of the `size` groups of the next part: grown from a group drawn at
        random, and topped up at random where the links run out."""
        count = self.count
        if self.size >= count:
            return set(range(count))
        first = self.rng.randrange(count)
        part, edge = {first}, [first]
        while edge and len(part) < self.size:
            g = edge.pop(self.rng.randrange(len(edge)))
            for h in self.linked[g]:
                if h not in part and len(part) < self.size:
                    part.add(h)
                    edge.append(h)
        while len(part) < self.size:
            part.add(self.rng.randrange(count))
        return part

    def learn(self, optimal: bool) -> None:
        """The next part's size, from whether this one was solved to optimality."""
        if optimal:
            self.size = min(self.count, int(self.size * PART_GROWTH) + 1)
        else:
            self.size = max(PART_FEWEST, int(self.size * PART_SHRINK))


def add_group_size_rule(model: cp_model.CpModel, choice: SessionChoice, instance: Instance) -> None:
    """Rule 1: a group takes at most one newcomer, and only with room for it (`_may_join`);
    one, so that what a newcomer adds to the score spread is known in advance."""
    for g in range(len(choice.groups)):
        model.add_at_most_one(join.literal for join in choice.joins if join.group == g)


def add_sessions_per_week_rule(
    model: cp_model.CpModel, choice: SessionChoice, instance: Instance
) -> None:
    """Rule 4: a group meets as many times as it did, on distinct days."""
    for group, times in zip(choice.groups, choice.literals, strict=True):
        model.add(sum(times.values()) == len(group.slots))
        for day in dict.fromkeys(day for day, _ in times):  # in order: no hash seed
            model.add_at_most_one(lit for (d, _), lit in times.items() if d == day)


RULES = [
    add_group_size_rule,
    add_sessions_per_week_rule,
    add_no_staff_double_booking_rule,
    add_no_student_double_booking_rule,
    add_one_group_per_need_rule,
]
"""The rules a group's times and newcomers can break, in the contract's order; the others
stay with its staff member and members."""


def build_retiming_model(
    instance: Instance, groups: list[Candidate]
) -> tuple[cp_model.CpModel, SessionChoice]:
    """Maximise what the times and newcomers decide: members' minutes in `prefer` blocks,
    less those in `avoid` blocks, less `time_changes` per extra start time in a group's
    week, and each newcomer's serve weight less what it adds to its group's spread."""
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
    for join in choice.joins:
        group = groups[join.group]
        terms.append(_joining_value(instance, group, join.item) * join.literal)
        for (day, start), literal in join.times.items():
            value = grid.pull_out_value(join.item.student, day, start, group.minutes)
            terms.append(value * literal)
    model.maximize(sum(terms))
    return model, choice


def _joining_value(instance: Instance, group: Candidate, item: NeedItem) -> int:
    """What a newcomer adds to the search's value apart from its minutes: its serve weight,
    less the spread it adds (and, regenerating, a move's cost or a stay's bonus at the
    group's present times)."""
    staff = instance.school.staff_by_id[group.staff_id]
    joined = instance.candidate(staff, tuple(sorted((*group.members, item.index))), group.slots)
    minutes = sum(
        instance.grid.pull_out_value(item.student, day, start, group.minutes)
        for day, start in group.slots
    )
    return instance.search_value(joined) - instance.search_value(group) - minutes
