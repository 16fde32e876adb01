"""Free time comes from the timetable: a homeroom's blocks hold for all its students, a
student's own blocks for that student only, whoever is asked about first."""

from __future__ import annotations

import pytest

from solver.candidates import Instance
from solver.values import Day
from tests.builders import block, need, school, student


@pytest.mark.parametrize("order", ["AB", "BA"])
def test_a_students_own_block_takes_only_their_days_out_of_a_pattern(order: str) -> None:
    s = school(
        students=[student("A"), student("B")],
        needs=[need(i) for i in order],
        timetable=[block(start="08:00", end="09:00"), block("A", "Mon, Tue", "10:00", "11:00")],
    )
    instance = Instance.of(s)
    ten = 10 * 60
    at_ten = [p for ps in instance.patterns.values() for p in ps if p.start == ten]
    free: dict[Day, set[str]] = {day: set() for day in s.settings.days}
    for pattern in at_ten:
        for day in pattern.days:
            free[day].update(instance.by_index[i].student.student_id for i in pattern.free)
    assert free == {Day.MON: {"B"}, Day.TUE: {"B"}, Day.WED: {"A", "B"}, Day.THU: {"A", "B"},
                    Day.FRI: {"A", "B"}}  # fmt: skip
    a, b = (s.student_by_id[i] for i in "AB")
    assert instance.grid.free_days(a, ten, 30) == {Day.WED, Day.THU, Day.FRI}
    assert instance.grid.free_days(b, ten, 30) == frozenset(s.settings.days)
