"""How much of the buckets only one staff member teaches any schedule can serve.

The column LP may run a staff member's groups in fractions their week cannot hold:
three two-day groups on Mon+Tue, Tue+Wed and Mon+Wed, one half each, are one and a half
groups where the week has room for one.  No set of one bucket's needs shows it
(`solver.cuts.MemberCut`), and the groups may be of different buckets.  Where nobody
else may teach a bucket, though, its groups are that staff member's alone, and a small
CP-SAT model over their week says how much serve weight they can place at most: the
rest of the school left out, which only frees time, so no schedule places more.  The
cap joins the column bound's LP as a row (`ServedCap`).

Elementary's counselor is the only one teaching behavior: the converged LP placed 17
of her 20 needs (12,000 of serve weight; half a tier-3 group among them) where CP-SAT
proves 11,200 the most (16 needs) in 1.6 s; with the cap the column bound converged
at 105,160 rather than 105,808 (alone on one core).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from functools import reduce
from itertools import combinations

from ortools.sat.python import cp_model

from solver.candidates import Candidate, Instance, NeedItem, never_together
from solver.cpsat import cp_solver
from solver.cuts import ServedCap
from solver.model import Staff
from solver.packing import staff_resources
from solver.timegrid import Slot

CAPS_SHARE = 0.1
"""Of the column bound's time, the most its caps take: the bound waits for them."""
SECONDS = 3.0
"""Per staff member at most: elementary's counselor is proved in 1.6 s, and its math
interventionist's 14 tier-3 needs all shown servable (no cap) in 3.2 s."""


def served_caps(instance: Instance, deadline: float) -> list[ServedCap]:
    """A cap for each staff member whose own buckets cannot all be served, as far as
    CP-SAT can tell by the deadline."""
    caps = []
    for staff, buckets in _sole_teachers(instance):
        seconds = min(SECONDS, deadline - time.monotonic())
        if seconds <= 0:
            break
        cap = _cap(instance, staff, buckets, seconds)
        if cap is not None:
            caps.append(cap)
    return caps


def _sole_teachers(instance: Instance) -> Iterator[tuple[Staff, list[list[NeedItem]]]]:
    """Each staff member with the needs of each bucket nobody else may teach."""
    own: dict[str, list[list[NeedItem]]] = {}
    for bucket, items in instance.buckets.items():
        qualified = instance.qualified_staff(bucket)
        if len(qualified) == 1:
            own.setdefault(qualified[0].staff_id, []).append(items)
    for staff_id, buckets in own.items():
        yield instance.school.staff_by_id[staff_id], buckets


def _cap(
    instance: Instance, staff: Staff, buckets: list[list[NeedItem]], seconds: float
) -> ServedCap | None:
    """The cap, scaled by the weights' common divisor; None when it would not bind."""
    serve = instance.school.settings.objective.serve
    weights = {
        item.index: serve(item.need.tier)
        for items in buckets
        for item in items
        if serve(item.need.tier) > 0
    }
    if not weights:
        return None
    most = _most_served(instance, staff, buckets, weights, seconds)
    if most is None or most >= sum(weights.values()):
        return None
    divisor = reduce(math.gcd, weights.values())
    scaled = tuple((index, weight // divisor) for index, weight in sorted(weights.items()))
    return ServedCap(staff.staff_id, scaled, most // divisor)


def _most_served(
    instance: Instance,
    staff: Staff,
    buckets: list[list[NeedItem]],
    weights: dict[int, int],
    seconds: float,
) -> int | None:
    """CP-SAT's bound on the serve weight this staff member's groups of these buckets'
    needs can place (None if it found none in time)."""
    week = _Week(instance, staff)
    for items in buckets:
        week.add_groups(items)
    week.add_staff_rules()
    week.add_one_group_per_need_rule()
    week.model.maximize(sum(weights.get(i, 0) * v for i, v in week.holding()))
    solver = cp_solver()
    solver.parameters.num_workers = 1
    # the LP's bound is the cap: without the full linearization the counselor's took 3.4 s
    solver.parameters.linearization_level = 2
    solver.parameters.max_time_in_seconds = seconds
    status = solver.solve(week.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return math.floor(solver.best_objective_bound + 1e-6)


class _Week:
    """One staff member's possible groups: per bucket and session count, as many as its
    needs could fill, each with a literal per (day, start) it could meet at and one per
    need it could hold."""

    def __init__(self, instance: Instance, staff: Staff) -> None:
        self.instance, self.staff = instance, staff
        self.model = cp_model.CpModel()
        self.runs: list[cp_model.IntVar] = []
        self.meets: list[tuple[Candidate, cp_model.IntVar]] = []
        """Per session a group could hold, a one-session group standing for its rows."""
        self.holds: dict[int, list[cp_model.IntVar]] = {}

    def holding(self) -> Iterator[tuple[int, cp_model.IntVar]]:
        for index, literals in self.holds.items():
            for literal in literals:
                yield index, literal

    def add_groups(self, items: list[NeedItem]) -> None:
        """Rules 1-4, 6 and 8, and apart pairs (rule 10), for each group of one bucket
        (rule 5: only this staff member teaches it; rule 9 is left out with the students'
        other needs).  A group of n sessions may hold needs of n sessions or fewer."""
        program = items[0].program
        for sessions in sorted({item.sessions for item in items}):
            eligible = [item for item in items if item.sessions <= sessions]
            previous = None
            for _ in range(len(eligible) // program.min_size):
                runs = self._group(eligible, sessions)
                if previous is not None:  # interchangeable groups: the first ones run
                    self.model.add(previous >= runs)
                previous = runs

    def _group(self, items: list[NeedItem], sessions: int) -> cp_model.IntVar:
        program = items[0].program
        model, grid = self.model, self.instance.grid
        runs = model.new_bool_var("")
        self.runs.append(runs)
        slots = sorted(self.instance.staff_slots(self.staff, program.minutes), key=str)
        meets: dict[Slot, cp_model.IntVar] = {slot: model.new_bool_var("") for slot in slots}
        for day in {day for day, _ in slots}:
            model.add_at_most_one(v for (d, _), v in meets.items() if d == day)
        model.add(sum(meets.values()) == sessions * runs)
        holds = {item.index: model.new_bool_var("") for item in items}
        size = sum(holds.values())
        model.add(size >= program.min_size * runs)
        model.add(size <= program.max_size * runs)
        for item in items:
            self.holds.setdefault(item.index, []).append(holds[item.index])
            for (day, start), meets_then in meets.items():
                if not grid.student_is_free(item.student, day, start, program.minutes):
                    model.add_bool_or([holds[item.index].Not(), meets_then.Not()])
        for a, b in combinations(items, 2):
            if never_together(self.instance, a, b):
                model.add_bool_or([holds[a.index].Not(), holds[b.index].Not()])
        bucket = items[0].bucket
        for slot, meets_then in meets.items():
            session = Candidate(self.staff.staff_id, bucket, (), (slot,), program.minutes, 0)
            self.meets.append((session, meets_then))
        return runs

    def add_staff_rules(self) -> None:
        """Rule 7: the packing's own staff rows (minutes with buffer, sessions per day),
        each session on its own; and max_groups."""
        users: dict[tuple[object, ...], tuple[int, list[cp_model.IntVar]]] = {}
        for session, meets_then in self.meets:
            for row, capacity in staff_resources(self.instance, session):
                if row[0] in ("staff", "day"):
                    users.setdefault(row, (capacity, []))[1].append(meets_then)
        for capacity, literals in users.values():
            if len(literals) > capacity:
                self.model.add(sum(literals) <= capacity)
        if self.staff.max_groups is not None:
            self.model.add(sum(self.runs) <= self.staff.max_groups)

    def add_one_group_per_need_rule(self) -> None:
        """Rule 10: a need is in one group at most."""
        for literals in self.holds.values():
            self.model.add_at_most_one(literals)
