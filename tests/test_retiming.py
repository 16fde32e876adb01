"""Re-timing: a schedule's groups keep staff and members and move to better times
together, never breaking a rule; a need left unplaced may join a group on the way."""

from __future__ import annotations

import random
import threading
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from solver.candidates import Candidate, Instance
from solver.clock import Clock
from solver.cpsat import retime_groups
from solver.greedy import greedy_roster
from solver.loading import load_school
from solver.model import School
from solver.options import SolveOptions
from solver.output import as_schedule
from solver.retiming import PART_FEWEST, Parts, build_retiming_model
from solver.solve import solve
from solver.values import Day, parse_clock
from solver.verify import verify
from tests.builders import SMALL, WEEK, block, need, program, school, staff, student, window
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


SCIENCE_TWICE = [(Day.MON, "08:00"), (Day.TUE, "08:00")]


def two_teachers_groups_in_science() -> tuple[Instance, list[Candidate]]:
    """T1's group of A and B and T2's of C and D, both in Science: each could move to the
    WIN block without the other."""
    s = win_school(
        students=[student(i) for i in "ABCD"],
        needs=[need(i) for i in "ABCD"],
        staff=[staff("T1"), staff("T2")],
        availability=[window("T1"), window("T2")],
    )
    instance = Instance.of(s)
    groups = [at(instance, "T1", "A B", SCIENCE_TWICE), at(instance, "T2", "C D", SCIENCE_TWICE)]
    return instance, groups


def test_a_part_is_retimed_while_the_groups_outside_it_keep_their_times() -> None:
    instance, groups = two_teachers_groups_in_science()
    _, choice = build_retiming_model(instance, groups)
    choice.hint()
    solver = cp_model.CpSolver()
    assert solver.solve(choice.holding({0}, choice.hinted())) == cp_model.OPTIMAL
    moved, held = choice.extract(solver.boolean_value)
    assert starts(moved) == {10 * 60}
    assert held == groups[1]


def test_a_part_grows_through_groups_that_share_a_staff_member_or_a_student() -> None:
    # T1 has A's and B's groups, B has a math group with T2; C's and D's share nothing
    s = school(
        students=[student(i) for i in "ABCD"],
        needs=[
            need("A"),
            need("B", "fluency"),
            need("B", "computation", subject="math"),
            need("C", "computation", subject="math"),
            need("D", "fluency"),
        ],
        programs=[program(2), program(2, subject="math")],
        staff=[staff("T1"), staff("T2", "math"), staff("T3", "math"), staff("T4")],
        availability=[window(t) for t in ("T1", "T2", "T3", "T4")],
        timetable=[],
    )
    instance = Instance.of(s)
    monday = [(Day.MON, "08:00")]
    groups = [
        at(instance, "T1", "A", monday),
        instance.candidate(s.staff_by_id["T1"], (instance.needs[1].index,), ((Day.TUE, 480),)),
        instance.candidate(s.staff_by_id["T2"], (instance.needs[2].index,), ((Day.WED, 480),)),
        at(instance, "T3", "C", monday),
        at(instance, "T4", "D", monday),
    ]
    parts = Parts(instance, groups, random.Random(0))
    assert parts.linked == [[1], [0, 2], [1], [], []]
    parts.size = 2
    drawn = [parts.next() for _ in range(40)]
    # A's group and B's math group share nothing: only a part begun at C's or D's
    # group, topped up at random, joins groups that are not linked
    assert {0, 1} in drawn and {1, 2} in drawn
    assert all(part in ({0, 1}, {1, 2}) or part & {3, 4} for part in drawn)


def test_parts_grow_to_the_whole_roster_while_solved_to_optimality() -> None:
    instance, groups = two_teachers_groups_in_science()
    parts = Parts(instance, groups * 10, random.Random(0))
    parts.size = 3
    parts.learn(optimal=True)
    assert parts.size == 5
    for _ in range(4):
        parts.learn(optimal=True)
    assert parts.next() == set(range(20))
    for _ in range(10):
        parts.learn(optimal=False)
    assert parts.size == PART_FEWEST


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_schools())
def test_retiming_by_parts_of_one_group_reaches_what_the_whole_model_proves_best(s: Any) -> None:
    instance = Instance.of(s)
    before = greedy_roster(instance)
    found = [before]

    def keep(phase: str, groups: list[Candidate]) -> None:
        if total(instance, groups) > total(instance, found[-1]):
            found.append(groups)

    options = SolveOptions(time_limit=10, workers=1, seed=0)
    with patch("solver.retiming.WHOLE_GROUPS", 0), patch("solver.retiming.PART_GROUPS", 1):
        retime_groups(instance, before, options, Clock(), 10.0, keep, threading.Event())
    after = found[-1]
    assert verify(s, as_schedule(instance, after, None, 0.0)) == []
    assert total(instance, after) == total(instance, retimed(instance, before))


def test_a_solve_retimes_a_roster_of_more_than_whole_groups_a_part_at_a_time() -> None:
    # the small school's roster stands in for one of more than WHOLE_GROUPS groups, and
    # the re-timing is given half the time limit, so that it runs on a fast test's clock
    s = load_school(SMALL).school
    assert s is not None
    drawn: list[tuple[int, int]] = []
    draw = Parts.next

    def recorded(parts: Parts) -> set[int]:
        part = draw(parts)
        drawn.append((len(part), parts.count))
        return part

    with (
        patch("solver.retiming.WHOLE_GROUPS", 2),
        patch("solver.retiming.PART_GROUPS", 2),
        patch("solver.solve.RETIME_SHARE", 0.5),
        patch.object(Parts, "next", recorded),
    ):
        result = solve(s, SolveOptions(time_limit=4, workers=1, seed=0))
    count = drawn[0][1]
    assert count > 2
    assert drawn[0] == (2, count)
    assert verify(s, result.schedule) == []


def total(instance: Instance, groups: list[Candidate]) -> int:
    return sum(instance.search_value(g) for g in groups)
