"""The independent verifier catches a break of each hard rule, naming what broke it."""

from __future__ import annotations

from typing import Any

import pytest

from solver.schedule import Group, Schedule, Unplaced
from solver.verify import Violation, objective_of, verify
from tests.builders import block, need, program, school, staff, student, window

SCHOOL = school(
    students=[student("A", "2"), student("B", "2"), student("C", "4", "H2")],
    needs=[need("A", score=10), need("B", score=30), need("C", "fluency")],
    programs=[program(2, min_size=1, max_size=2, sessions_per_week=2), program(3)],
    staff=[staff("T1", buffer_minutes=10, max_sessions_per_day=3, max_groups=3)],
    availability=[window(start="08:00", end="11:00")],
    timetable=[block("H1", "Mon-Fri", "11:00", "12:00"), block("H2", "Mon", "08:00", "09:00"),
               block("H1", "Mon-Fri", "08:00", "08:30", "WIN", "prefer"),
               block("H1", "Mon-Fri", "08:30", "09:00", "Science", "avoid")],
    apart=[{"student_a": "A", "student_b": "C"}],
)  # fmt: skip


def group(**changes: Any) -> Group:
    fields: dict[str, Any] = {"group_id": "G01", "staff_id": "T1", "subject": "reading",
              "skill": "phonics", "tier": 2, "students": ["A", "B"],
              "sessions": [{"day": "Mon", "start": "08:00", "end": "08:30"},
                           {"day": "Tue", "start": "08:00", "end": "08:30"}]}  # fmt: skip
    return Group.model_validate(fields | changes)


FLUENCY = group(group_id="G02", skill="fluency", students=["C"],
                sessions=[{"day": "Tue", "start": "09:00", "end": "09:30"},
                          {"day": "Wed", "start": "09:00", "end": "09:30"}])  # fmt: skip


def schedule(*groups: Group, unplaced: list[Unplaced] | None = None) -> Schedule:
    return Schedule(school="Test School", status="feasible", groups=list(groups),
                    unplaced=unplaced or [])  # fmt: skip


def rules(s: Schedule) -> list[int]:
    return sorted({v.rule for v in verify(SCHOOL, s)})


def test_a_valid_schedule_has_no_violation() -> None:
    assert verify(SCHOOL, schedule(group(), FLUENCY)) == []


@pytest.mark.parametrize(
    ("broken", "rule", "words"),
    [
        (group(students=["A", "B", "C"]), 1, "has 3 students"),
        (group(tier=3), 2, "has no reading:phonics tier 3 need"),
        (group(students=["A"], skill="fluency"), 2, "Student A in G01 has no"),
        (group(sessions=[{"day": "Mon", "start": "08:00", "end": "08:30"}]), 4, "needs 2"),
        (group(sessions=[{"day": "Mon", "start": "08:10", "end": "08:40"},
                         {"day": "Tue", "start": "08:00", "end": "08:30"}]), 4, "start grid"),
        (group(staff_id="T9"), 5, "T9 may not deliver"),
        (group(sessions=[{"day": "Mon", "start": "10:30", "end": "11:00"},
                         {"day": "Tue", "start": "11:00", "end": "11:30"}]), 6, "not available"),
        (group(sessions=[{"day": "Mon", "start": "11:00", "end": "11:30"},
                         {"day": "Tue", "start": "08:00", "end": "08:30"}]), 8, "Core ELA"),
    ],
)  # fmt: skip
def test_each_rule_is_checked(broken: Group, rule: int, words: str) -> None:
    violations = [v for v in verify(SCHOOL, schedule(broken, FLUENCY)) if v.rule == rule]
    assert violations, verify(SCHOOL, schedule(broken, FLUENCY))
    assert any(words in v.message for v in violations)


def test_grade_span_is_checked() -> None:
    mixed = group(students=["A"], skill="fluency", tier=2)
    s = school(**(SCHOOL.model_dump(mode="json", exclude={"settings"}) | {
        "needs": [need("A", "fluency"), need("B"), need("C", "fluency")]}))  # fmt: skip
    both = mixed.model_copy(update={"students": ["A", "C"]})
    found = verify(s, schedule(both, group(group_id="G03", students=["B"])))
    assert any(v.rule == 3 and "grades 2 to 4" in v.message for v in found)


def test_staff_double_booking_and_buffer_are_checked() -> None:
    sessions = [{"day": "Tue", "start": "09:00", "end": "09:30"},
                {"day": "Mon", "start": "08:35", "end": "09:05"}]  # fmt: skip
    close = FLUENCY.model_copy(update={"sessions": Group.model_validate(
        FLUENCY.model_dump() | {"sessions": sessions}).sessions})  # fmt: skip
    found = [v for v in verify(SCHOOL, schedule(group(), close)) if v.rule == 7]
    assert found and "closer than 10 minutes" in found[0].message


def test_student_double_booking_and_apart_pairs_and_completeness() -> None:
    twice = group(group_id="G09", students=["B"])
    assert 10 in rules(schedule(group(), FLUENCY, twice))
    apart = group(students=["A", "C"])
    assert any("kept apart" in v.message for v in verify(SCHOOL, schedule(apart, FLUENCY)))
    missing = verify(SCHOOL, schedule(group()))
    assert Violation(0, "Need ('C', 'reading') appears 0 times in the schedule.") in missing


def test_the_objective_follows_the_contract() -> None:
    # A and B: 2 x 600; WIN (prefer) 08:00-08:30 on Mon and Tue: 2 members x 2 x 30 minutes;
    # spread |30 - 10| x 2; C: 600, sessions 09:00 no block (ok); time changes 0.
    assert objective_of(SCHOOL, schedule(group(), FLUENCY)) == 1200 + 120 - 40 + 600
    avoid = group(sessions=[{"day": "Mon", "start": "08:30", "end": "09:00"},
                            {"day": "Tue", "start": "08:00", "end": "08:30"}])  # fmt: skip
    # Mon 08:30 is Science (avoid): -60 for two members instead of +60; one time change: -5.
    assert objective_of(SCHOOL, schedule(avoid, FLUENCY)) == 1200 + 0 - 40 + 600 - 5
    moved = objective_of(SCHOOL, schedule(group(), FLUENCY), previous=schedule(avoid, FLUENCY))
    assert moved == 1200 + 120 - 40 + 600  # same group_id: nobody moved
