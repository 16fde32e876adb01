"""Could a need be placed if no other group wanted anyone's time?

One small CP-SAT model per need: one group that must hold the need, with one
assumption literal per rule family that could rule the group out.  Feasible: the
need is unplaced only for want of capacity.  Infeasible: CP-SAT names a sufficient
set of rules, shrunk here by deletion, and that set is the reason, where no single
rule alone is (the pre-checks in `solver.reasons` catch those first).  Assumptions
need one worker and no objective (solver-notes: or-tools #3102, #3943).

The same model, with every rule on and the most members sought, gives the
search a group for a need that no one-start meeting pattern can hold
(`lone_groups`), and the reason its size ("at most 1 student can meet").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ortools.sat.python import cp_model

from solver.candidates import Candidate, Instance, NeedItem, best_members
from solver.cpsat import cp_solver
from solver.model import Staff
from solver.timegrid import Slot, in_week

SECONDS = 2.0
"""Per need; the models are a few thousand literals and answer in milliseconds."""


class Rule(Enum):
    """The rule families that can keep a need out of every group, in the contract's order."""

    SIZE = "group size (min_size in programs.csv)"
    GRADE_SPAN = "grade span (max_grade_span in programs.csv)"
    STAFF_WINDOWS = "staff availability (availability.csv)"
    STAFF_LIMITS = "staff limits (max_groups in staff.csv)"
    TIMETABLES = "the students' timetables (timetable.csv)"
    APART = "apart pairs (apart.csv)"


@dataclass(frozen=True)
class LoneGroup:
    """A group that could hold the need if nobody else needed the time."""

    staff: Staff
    members: tuple[int, ...]
    slots: tuple[Slot, ...]


class _Model:
    """One group around `item`: its staff member, members, and a start on each of n days."""

    def __init__(self, instance: Instance, item: NeedItem) -> None:
        self.instance, self.item = instance, item
        self.qualified = qualified = instance.qualified_staff(item.bucket)
        self.model = cp_model.CpModel()
        self.rules = {rule: self.model.new_bool_var(rule.name) for rule in Rule}
        grid = instance.grid
        minutes = item.program.minutes
        self.others = [
            o
            for o in instance.buckets[item.bucket]
            if o.index != item.index and o.sessions <= item.sessions
        ]
        self.staff = {s.staff_id: self.model.new_bool_var(s.staff_id) for s in qualified}
        self.member = {o.index: self.model.new_bool_var(str(o.index)) for o in self.others}
        self.member[item.index] = self.model.new_constant(1)
        self.slot = {
            (day, start): self.model.new_bool_var(f"{day.value}{start}")
            for day in grid.days
            for start in grid.starts(minutes)
        }
        self.model.add_exactly_one(self.staff.values())
        for day in grid.days:
            self.model.add_at_most_one(v for (d, _), v in self.slot.items() if d == day)
        self.model.add(sum(self.slot.values()) == item.sessions)
        self.model.add(sum(self.member.values()) <= item.program.max_size)

    def add_rules(self) -> None:
        self._size()
        self._grade_span()
        self._staff_windows()
        self._staff_limits()
        self._timetables()
        self._apart()

    def _size(self) -> None:
        size = sum(self.member.values())
        self.model.add(size >= self.item.program.min_size).only_enforce_if(self.rules[Rule.SIZE])

    def _grade_span(self) -> None:
        grades = [o.student.grade for o in [self.item, *self.others]]
        low = self.model.new_int_var(min(grades), max(grades), "low")
        high = self.model.new_int_var(min(grades), max(grades), "high")
        for member in [self.item, *self.others]:
            chosen = self.member[member.index]
            self.model.add(low <= member.student.grade).only_enforce_if(chosen)
            self.model.add(high >= member.student.grade).only_enforce_if(chosen)
        span = self.item.program.max_grade_span
        self.model.add(high - low <= span).only_enforce_if(self.rules[Rule.GRADE_SPAN])

    def _staff_windows(self) -> None:
        enforce = self.rules[Rule.STAFF_WINDOWS]
        for staff in self.qualified:
            allowed = self.instance.staff_slots(staff, self.item.program.minutes)
            for slot, chosen in self.slot.items():
                if slot not in allowed:
                    not_both = [chosen.Not(), self.staff[staff.staff_id].Not()]
                    self.model.add_bool_or(not_both).only_enforce_if(enforce)

    def _staff_limits(self) -> None:
        enforce = self.rules[Rule.STAFF_LIMITS]
        for staff in self.qualified:
            if staff.max_groups == 0:
                self.model.add(self.staff[staff.staff_id] == 0).only_enforce_if(enforce)

    def _timetables(self) -> None:
        enforce = self.rules[Rule.TIMETABLES]
        grid = self.instance.grid
        minutes = self.item.program.minutes
        for other in [self.item, *self.others]:
            for (day, start), chosen in self.slot.items():
                if not grid.student_is_free(other.student, day, start, minutes):
                    not_both = [chosen.Not(), self.member[other.index].Not()]
                    self.model.add_bool_or(not_both).only_enforce_if(enforce)

    def _apart(self) -> None:
        enforce = self.rules[Rule.APART]
        by_student: dict[str, list[int]] = {}
        for other in [self.item, *self.others]:
            by_student.setdefault(other.student.student_id, []).append(other.index)
        for pair in self.instance.apart:
            a, b = sorted(pair)
            for i in by_student.get(a, []):
                for j in by_student.get(b, []):
                    not_both = [self.member[i].Not(), self.member[j].Not()]
                    self.model.add_bool_or(not_both).only_enforce_if(enforce)

    def solve(self, rules: set[Rule]) -> tuple[cp_model.CpSolver, bool | None]:
        """The solver, and whether a group exists under these rules (None: undecided)."""
        self.model.clear_assumptions()
        self.model.add_assumptions([self.rules[r] for r in Rule if r in rules])
        solver, status = self.run()
        if status == cp_model.INFEASIBLE:
            return solver, False
        return solver, True if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None

    def run(self) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
        solver = cp_solver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = SECONDS
        return solver, solver.solve(self.model)

    def core(self, solver: cp_model.CpSolver) -> set[Rule]:
        """CP-SAT's sufficient rules, shrunk by deletion: each left is needed."""
        named = {v.index: rule for rule, v in self.rules.items()}
        core = {named[i] for i in solver.sufficient_assumptions_for_infeasibility()}
        for rule in Rule:
            if rule in core and self.solve(core - {rule})[1] is False:
                core.discard(rule)
        return core

    def group(self, solver: cp_model.CpSolver) -> LoneGroup:
        staff = next(s for s in self.qualified if solver.boolean_value(self.staff[s.staff_id]))
        members = tuple(sorted(i for i, v in self.member.items() if solver.boolean_value(v)))
        chosen = (slot for slot, v in self.slot.items() if solver.boolean_value(v))
        slots = tuple(sorted(chosen, key=in_week))
        return LoneGroup(staff, members, slots)


def group_alone(instance: Instance, item: NeedItem) -> LoneGroup | list[Rule]:
    """A group holding the need under every rule, or the fewest rule families found that
    together leave none (empty when the model ran out of time undecided)."""
    model = _Model(instance, item)
    model.add_rules()
    solver, found = model.solve(set(Rule))
    if found:
        return model.group(solver)
    if found is None:
        return []
    core = model.core(solver)
    return [rule for rule in Rule if rule in core]


def largest_group(instance: Instance, item: NeedItem) -> int | None:
    """The most students a group holding the need can have under every rule but size
    (None if there is no such group, or CP-SAT could not tell in time)."""
    found = _largest(instance, item)
    return None if found is None else len(found.members)


def lone_groups(instance: Instance) -> list[Candidate]:
    """Groups for the needs that no meeting pattern at one start time can hold.

    The search builds groups that meet at one time on each of their days, as schools
    run them; a student free only at 08:00 on Monday and 09:00 on Tuesday still gets
    the largest group the rules allow, at those times.  (Asking this of every need
    that has such patterns but too few classmates in them would cost seconds on a
    large school; those needs have no group at other times either, in the schools
    measured.)
    """
    groups = []
    for item in instance.needs:
        if instance.options[item.index] or not instance.qualified_staff(item.bucket):
            continue
        found = _largest(instance, item)
        if found is not None and len(found.members) >= item.program.min_size:
            groups.append(instance.candidate(found.staff, found.members, found.slots))
    return groups


def fits_a_group_quickly(instance: Instance, item: NeedItem) -> bool:
    """A group grown around the need the way pricing grows them, at one start time on
    the need's days, with a qualified staff member free then: enough to know a group
    exists, and far cheaper than asking CP-SAT for every need of a large school."""
    if not instance.options[item.index]:
        return False
    minutes = item.program.minutes
    worth = {o.index: 1.0 for o in instance.buckets[item.bucket]} | {item.index: 2.0}
    staff_slots = [
        instance.staff_slots(s, minutes)
        for s in instance.qualified_staff(item.bucket)
        if s.max_groups != 0
    ]
    for pattern in instance.patterns.get((item.bucket, item.sessions), []):
        if item.index not in pattern.free_set:
            continue
        if not any(slots.issuperset(pattern.slots) for slots in staff_slots):
            continue
        if any(item.index in m for m in best_members(instance, pattern, item.sessions, worth)):
            return True
    return False


def _largest(instance: Instance, item: NeedItem) -> LoneGroup | None:
    model = _Model(instance, item)
    model.add_rules()
    for rule, literal in model.rules.items():
        model.model.add(literal == (rule is not Rule.SIZE))
    model.model.maximize(sum(model.member.values()))
    solver, status = model.run()
    return model.group(solver) if status == cp_model.OPTIMAL else None
