"""Caps on what a staff member's own buckets can serve: exact, and what they do to the bound."""

from __future__ import annotations

import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from solver.candidates import Instance
from solver.cuts import ServedCap
from solver.packing import build_packing_model
from solver.served import served_caps
from tests.builders import need, program, school, student, window
from tests.every_group import every_group
from tests.test_column_bound import best_objective, lp_over_every_group, process_bound
from tests.test_properties import small_schools


def most_counted(instance: Instance, cap: ServedCap) -> int:
    """The most any schedule counts in the cap's row, by CP-SAT over every group."""
    groups = every_group(instance)
    model, choice = build_packing_model(instance, groups)
    model.maximize(sum(cap.coefficient(g) * choice.runs(i) for i, g in enumerate(groups)))
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


def three_two_day_needs() -> Any:
    # T1 has half an hour on Monday, Tuesday and Wednesday; A, B and C each need a group
    # of their own meeting twice a week.  Any two such groups share a day, so one runs.
    return school(
        students=[student("A"), student("B"), student("C")],
        needs=[need("A", tier=3), need("B", tier=3), need("C", tier=3)],
        programs=[program(2), program(3, max_size=1, sessions_per_week=2)],
        availability=[window(days="Mon;Tue;Wed", end="08:30")],
    )


def test_three_two_day_groups_that_pairwise_share_a_day_are_capped_at_one() -> None:
    instance = Instance.of(three_two_day_needs())
    caps = served_caps(instance, time.monotonic() + 30)
    assert caps == [ServedCap("T1", ((0, 1), (1, 1), (2, 1)), 1)]


def test_the_cap_brings_the_column_bound_down_to_the_one_group_that_fits() -> None:
    # The LP over groups runs Mon+Tue, Tue+Wed and Mon+Wed at one half each: one and a
    # half groups, where no cut on one bucket's members says otherwise (each group has one).
    s = three_two_day_needs()
    instance = Instance.of(s)
    best = best_objective(instance)
    assert lp_over_every_group(instance) > best + 100
    assert process_bound(s) == best


def test_a_staff_member_who_shares_every_bucket_gets_no_cap() -> None:
    s = three_two_day_needs().model_copy(deep=True)
    s.staff.append(s.staff[0].model_copy(update={"staff_id": "T2", "name": "Teacher T2"}))
    assert served_caps(Instance.of(s), time.monotonic() + 30) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_schools())
def test_every_cap_is_exactly_the_most_any_schedule_counts(s: Any) -> None:
    instance = Instance.of(s)
    for cap in served_caps(instance, time.monotonic() + 30):
        assert most_counted(instance, cap) == cap.capacity
