"""The neighbourhoods of the improving search: which groups each frees."""

from __future__ import annotations

import random

import pytest

from solver.candidates import Candidate, Instance
from solver.neighbourhoods import waiting_centre
from solver.values import Day
from tests.builders import block, need, program, school, staff, student, window

WEEK = ((Day.MON, 480), (Day.WED, 480))


def reading_pair_waits(
    second_reader: bool = False, behaviour_pair: str | None = None
) -> tuple[Instance, dict[str, Candidate]]:
    """B and C wait for a phonics group of two; B's math group (T2), A's comprehension
    group (T1, the only reading teacher) and D's math group (T3) run.  With a second
    reading teacher, T4 runs a phonics group for E and F.  With a behaviour pair, G and H
    wait for a behaviour group of two: "untaught", nobody teaches behaviour; "unmeetable",
    T5 does, but G's class is busy in the first half of the morning and H's in the
    second, so the two are never free together."""
    readers = ["T1", "T4"] if second_reader else ["T1"]
    counsellors = ["T5"] if behaviour_pair == "unmeetable" else []
    behaviour = [need(i, "social_skills", subject="behavior") for i in "GH"]
    s = school(
        students=[
            *(student(i) for i in "ABCDEF"),
            student("G", homeroom="H2"),
            student("H", homeroom="H3"),
        ],
        needs=[
            need("A", "comprehension"),
            need("B"),
            need("C"),
            need("B", "facts", subject="math"),
            need("D", "facts", subject="math"),
            *([need("E"), need("F")] if second_reader else []),
            *(behaviour if behaviour_pair else []),
        ],
        programs=[
            program(2, min_size=2),
            program(2, subject="math"),
            program(2, subject="behavior", min_size=2),
        ],
        staff=[
            *(staff(t) for t in readers),
            staff("T2", teaches="math"),
            staff("T3", teaches="math"),
            *(staff(t, teaches="behavior") for t in counsellors),
        ],
        availability=[window(t) for t in [*readers, "T2", "T3", *counsellors]],
        timetable=[
            block(),
            block("H2", start="08:00", end="10:00"),
            block("H3", start="10:00", end="12:00"),
        ],
    )
    instance = Instance.of(s)
    teacher = s.staff_by_id
    groups = {
        "A reading": instance.candidate(teacher["T1"], (0,), WEEK),
        "B math": instance.candidate(teacher["T2"], (3,), WEEK),
        "D math": instance.candidate(teacher["T3"], (4,), WEEK),
    }
    if second_reader:
        groups["E and F phonics"] = instance.candidate(teacher["T4"], (5, 6), WEEK)
    return instance, groups


def test_a_waiting_pair_frees_its_students_groups_and_a_teacher_who_could_take_them() -> None:
    instance, groups = reading_pair_waits()
    centre = waiting_centre(instance, list(groups.values()), random.Random(0))
    assert centre is not None
    freed = {name for name, group in groups.items() if centre(group)}
    assert freed == {"A reading", "B math"}


def test_no_centre_while_no_bucket_waits_with_enough_needs_for_a_group() -> None:
    instance, groups = reading_pair_waits()
    tue_thu = ((Day.TUE, 480), (Day.THU, 480))
    b_and_c_read = instance.candidate(instance.school.staff_by_id["T1"], (1, 2), tue_thu)
    running = [*groups.values(), b_and_c_read]
    assert waiting_centre(instance, running, random.Random(0)) is None


def test_a_waiting_pair_frees_its_buckets_groups_whichever_teacher_is_chosen() -> None:
    """E and F's phonics group runs with T4; whether the centre picks T1 or T4, it is freed,
    so that B and C may join it or take its time."""
    instance, groups = reading_pair_waits(second_reader=True)
    chosen_alone = {"T1": {"A reading"}, "T4": set()}
    seen = set()
    for seed in range(8):
        centre = waiting_centre(instance, list(groups.values()), random.Random(seed))
        assert centre is not None
        freed = {name for name, group in groups.items() if centre(group)}
        teacher = "T1" if "A reading" in freed else "T4"
        seen.add(teacher)
        assert freed == {"E and F phonics", "B math"} | chosen_alone[teacher]
    assert seen == {"T1", "T4"}


@pytest.mark.parametrize("pair", ["untaught", "unmeetable"])
def test_a_waiting_pair_no_group_could_hold_is_never_the_centre(pair: str) -> None:
    """G and H wait too, but no group could hold them: nobody teaches behaviour, or they
    are never free together.  Every centre is B and C's."""
    instance, groups = reading_pair_waits(behaviour_pair=pair)
    for seed in range(8):
        centre = waiting_centre(instance, list(groups.values()), random.Random(seed))
        assert centre is not None
        assert {name for name, group in groups.items() if centre(group)} == {
            "A reading",
            "B math",
        }
