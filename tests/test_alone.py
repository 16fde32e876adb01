"""One group around one need, with nobody else wanting the time: CP-SAT says whether it
exists, and if not, which rules together rule it out (each one needed)."""

from __future__ import annotations

from solver.alone import LoneGroup, Rule, group_alone, largest_group
from solver.candidates import Instance
from tests.builders import block, need, program, school, student


def test_only_the_rules_that_are_needed_are_named() -> None:
    # B is three grades from A: grade span and size rule the pair out; the timetable
    # (09:00-10:00 for both) plays no part and is not named.
    s = school(
        students=[student("A", "1"), student("B", "4")],
        needs=[need("A"), need("B")],
        programs=[program(2, min_size=2, max_grade_span=1), program(3)],
    )
    instance = Instance.of(s)
    assert group_alone(instance, instance.needs[0]) == [Rule.SIZE, Rule.GRADE_SPAN]
    assert largest_group(instance, instance.needs[0]) == 1


def test_a_possible_group_is_returned_with_its_members_and_times() -> None:
    s = school(
        students=[student("A"), student("B")],
        needs=[need("A"), need("B")],
        programs=[program(2, min_size=2), program(3)],
        timetable=[block(start="08:30", end="12:00")],
    )
    instance = Instance.of(s)
    found = group_alone(instance, instance.needs[0])
    assert isinstance(found, LoneGroup)
    assert found.members == (0, 1)
    assert all(start == 8 * 60 for _, start in found.slots)
