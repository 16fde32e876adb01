"""Reasons worked out early (`Reasons.prepare`, as `solve()` does after its first
packing) still name the groups of the schedule they are finally asked about."""

from __future__ import annotations

from solver.candidates import Instance
from solver.reasons import Reasons
from tests.test_solve import one_slot_for_two_groups, solved


def test_a_prepared_capacity_reason_names_the_groups_of_the_final_schedule() -> None:
    s = one_slot_for_two_groups()
    schedule = solved(s)
    instance = Instance.of(s)
    (left,) = [i for i in instance.needs if i.student.student_id == schedule.unplaced[0].student_id]
    reasons = Reasons(instance)
    reasons.prepare(instance.needs)  # before any group existed

    (reason,) = reasons.of(left, schedule.groups)

    assert reason.startswith("Capacity")
    assert f"{schedule.groups[0].group_id} of Teacher T1" in reason
    assert [reason] == Reasons(instance).of(left, schedule.groups)
