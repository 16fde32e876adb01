"""Re-timing: a schedule's groups keep staff and members and move to better times
together, never breaking a rule; a need left unplaced may join a group on the way."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from solver.candidates import Candidate, Instance
from solver.greedy import greedy_roster
from solver.model import School
from solver.output import as_schedule
from solver.retiming import build_retiming_model
from solver.values import Day, parse_clock
from solver.verify import verify
from tests.builders import WEEK, block, need, program, school, staff, student, window
from tests.test_properties import small_schools


def retimed(instance: Instance, groups: list[Candidate]) -> list[Candidate]:
    """The groups at their best times, proven optimal."""
    model, choice = build_retiming_model(instance, groups)
    choice.hint()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return choice.extract(solver.boolean_value)


def at(instance: Instance, staff_id: str, students: str, times: list[tuple[Day, str]]) -> Candidate:
    """A group of these students with this staff member, at these (day, "HH:MM") times."""
    members = tuple(
        item.index for item in instance.needs if item.student.student_id in students.split()
    )
    slots = tuple((day, parse_clock(t)) for day, t in times)
    return instance.candidate(instance.school.staff_by_id[staff_id], members, slots)


def starts(group: Candidate) -> set[int]:
    return {start for _, start in group.slots}


WIN = block("H1", start="10:00", end="10:30", activity="WIN", pull_out="prefer")
SCIENCE = block("H1", start="08:00", end="09:00", activity="Science", pull_out="avoid")


def win_school(**tables: Any) -> School:
    """Students in H1, which prefers 10:00-10:30 (WIN) and would rather keep 08:00-09:00;
    `timetable` adds blocks."""
    tables.setdefault("programs", [program(2), program(2, subject="math")])
    lunch = block("H1", start="11:30", end="12:00", activity="Lunch")
    return school(timetable=[WIN, SCIENCE, lunch, *tables.pop("timetable", [])], **tables)


def test_a_group_moves_out_of_an_avoid_block_into_the_win_block() -> None:
    s = win_school(students=[student(i) for i in "AB"], needs=[need(i) for i in "AB"])
    instance = Instance.of(s)
    before = at(instance, "T1", "A B", [(Day.MON, "08:00"), (Day.TUE, "08:00")])
    (after,) = retimed(instance, [before])
    assert starts(after) == {10 * 60}
    # two members, two sessions, 30 minutes each: 120 avoid minutes become 120 prefer
    assert after.value - before.value == 240
    assert verify(s, as_schedule(instance, [after], None, 0.0)) == []


def test_two_groups_of_one_teacher_never_take_the_win_block_at_once() -> None:
    s = win_school(
        students=[student(i) for i in "ABCD"],
        needs=[need("A"), need("B"), need("C", "fluency"), need("D", "fluency")],
        programs=[program(2, sessions_per_week=5)],
    )
    instance = Instance.of(s)
    week = [(day, "08:00") for day in WEEK]
    first = at(instance, "T1", "A B", week)
    second = at(instance, "T1", "C D", [(day, "08:30") for day, _ in week])
    after = retimed(instance, [first, second])
    # both meet every day: one has the WIN block, the other a time out of Science
    win, other = sorted(after, key=lambda g: min(starts(g)))
    assert starts(win) == {10 * 60}
    assert 10 * 60 not in starts(other) and min(starts(other)) >= 9 * 60
    assert verify(s, as_schedule(instance, after, None, 0.0)) == []


def test_a_student_in_two_groups_never_meets_both_at_once() -> None:
    # the WIN block runs on Monday and Tuesday only: one of A's groups has it
    s = school(
        students=[student("A")],
        needs=[need("A"), need("A", "computation", subject="math")],
        programs=[program(2), program(2, subject="math")],
        staff=[staff("T1", "reading"), staff("T2", "math")],
        availability=[window("T1"), window("T2")],
        timetable=[block("H1", "Mon;Tue", "10:00", "10:30", "WIN", "prefer"), SCIENCE],
    )
    instance = Instance.of(s)
    groups = greedy_roster(instance)
    assert sorted(g.staff_id for g in groups) == ["T1", "T2"]
    after = retimed(instance, groups)
    win = {(Day.MON, 10 * 60), (Day.TUE, 10 * 60)}
    assert sorted(len(win & set(g.slots)) for g in after) == [0, 2]
    assert verify(s, as_schedule(instance, after, None, 0.0)) == []


def test_a_group_that_matches_last_windows_keeps_its_times() -> None:
    s = win_school(students=[student(i) for i in "AB"], needs=[need(i) for i in "AB"])
    instance = Instance.of(s)
    old = at(instance, "T1", "A B", [(Day.MON, "08:00"), (Day.TUE, "08:00")])
    previous = as_schedule(instance, [old], None, 0.0)
    again = Instance.of(s, previous)
    kept = at(again, "T1", "A B", [(Day.MON, "08:00"), (Day.TUE, "08:00")])
    assert retimed(again, [kept]) == [kept]


def test_an_unplaced_need_joins_a_group_that_moves_to_when_it_is_free() -> None:
    # C's class has Core ELA 08:00-09:00, when A and B's group meets
    s = win_school(
        students=[student("A"), student("B"), student("C", homeroom="H2")],
        needs=[need(i) for i in "ABC"],
        timetable=[block("H2", start="08:00", end="09:00")],
    )
    instance = Instance.of(s)
    before = at(instance, "T1", "A B", [(Day.MON, "08:00"), (Day.TUE, "08:00")])
    (after,) = retimed(instance, [before])
    assert after.members == tuple(item.index for item in instance.needs)
    assert all(start >= 9 * 60 for start in starts(after))
    assert verify(s, as_schedule(instance, [after], None, 0.0)) == []


def test_a_need_never_joins_a_group_that_would_meet_during_its_students_other_group() -> None:
    # each teacher has 08:00-08:30 only, and each group meets three days of five: C's math
    # group and the reading group share a day, wherever they go
    s = school(
        students=[student(i) for i in "ABC"],
        needs=[need("A"), need("B"), need("C"), need("C", "computation", subject="math")],
        programs=[program(2, sessions_per_week=3), program(2, subject="math", sessions_per_week=3)],
        staff=[staff("T1", "reading"), staff("T2", "math")],
        availability=[window("T1", end="08:30"), window("T2", end="08:30")],
        timetable=[],
    )
    instance = Instance.of(s)
    monday_to_wednesday = [(day, "08:00") for day in WEEK[:3]]
    reading = at(instance, "T1", "A B", monday_to_wednesday)
    math = instance.candidate(
        s.staff_by_id["T2"],
        (instance.needs[-1].index,),
        tuple((day, 8 * 60) for day in WEEK[2:]),
    )
    after = retimed(instance, [reading, math])
    assert [g.members for g in after] == [reading.members, math.members]
    assert verify(s, as_schedule(instance, after, None, 0.0)) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_schools())
def test_retiming_a_random_schools_roster_keeps_every_rule_and_loses_nothing(s: Any) -> None:
    instance = Instance.of(s)
    before = greedy_roster(instance)
    after = retimed(instance, before)
    unplaced = {item.index for item in instance.needs} - {i for g in before for i in g.members}
    for b, a in zip(before, after, strict=True):
        assert a.staff_id == b.staff_id
        assert set(b.members) <= set(a.members) and len(a.members) - len(b.members) <= 1
        assert set(a.members) - set(b.members) <= unplaced
    assert verify(s, as_schedule(instance, after, None, 0.0)) == []
    assert sum(g.value for g in after) >= sum(g.value for g in before)
