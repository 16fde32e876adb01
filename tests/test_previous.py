"""Regrouping after a screening window: keep last window's groups, honour pins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from solver.continuity import PinError
from solver.loading.previous import load_previous
from solver.model import School
from solver.schedule import Group, Schedule, Session, groups_match
from solver.solve import SolveOptions, solve
from solver.values import format_clock
from solver.verify import objective_of, verify
from tests.builders import block, need, program, school, student, window
from tests.processes import skillgroups

FAST = SolveOptions(time_limit=3, workers=1, seed=1)


def six_students(**tables: object) -> School:
    return school(
        students=[student(s, "2") for s in "ABCDEF"],
        needs=[need(s, score=10 * n) for n, s in enumerate("ABCDEF")],
        programs=[program(2, min_size=2, max_size=3), program(3)],
        availability=[window(start="08:00", end="12:00")],
        **tables,
    )


def placements(schedule: Schedule) -> dict[str, str]:
    return {s: g.group_id for g in schedule.groups for s in g.students}


def test_solving_again_with_the_previous_schedule_keeps_every_group() -> None:
    s = six_students()
    first = solve(s, FAST).schedule
    again = solve(s, FAST, previous=first).schedule
    assert verify(s, again) == []
    assert {g.group_id: (g.staff_id, g.students, g.sessions) for g in again.groups} == {
        g.group_id: (g.staff_id, g.students, g.sessions) for g in first.groups
    }
    assert objective_of(s, again, first) == again.objective


def group_of(schedule: Schedule, student_id: str) -> Group:
    return next(g for g in schedule.groups if student_id in g.students)


def two_starts(
    students: str, needs: list[dict[str, object]], blocks: list[dict[str, str]]
) -> School:
    """One teacher, free Mon and Tue 08:00-09:00: a group meets both days at 08:00 or 08:30."""
    return school(
        students=[student(s, "2", "H2" if s == "D" else "H1") for s in students],
        needs=needs,
        programs=[program(2, min_size=1, max_size=3), program(3)],
        availability=[window(days="Mon,Tue", start="08:00", end="09:00")],
        timetable=[block(), block(owner="H2"), *blocks],
    )


def other_start(group: Group) -> int:
    """The start (in minutes) this group does not use."""
    return 8 * 60 + 30 if group.sessions[0].start == 8 * 60 else 8 * 60


def half_hour(owner: str, start: int, activity: str, pull_out: str) -> dict[str, str]:
    return block(owner=owner, start=format_clock(start), end=format_clock(start + 30),
                 activity=activity, pull_out=pull_out)  # fmt: skip


def test_a_group_that_still_works_is_kept_even_when_moving_it_scores_a_little_more() -> None:
    needs = [need(s, score=20) for s in "ABC"]
    first = solve(two_starts("ABC", needs, []), FAST).schedule
    old = group_of(first, "A")
    later = other_start(old)
    now = two_starts("ABC", needs, [half_hour("H1", later, "WIN", "prefer")])
    again = solve(now, FAST, previous=first).schedule
    assert verify(now, again) == []
    assert groups_match(group_of(again, "A"), old)
    shift = later - old.sessions[0].start
    sessions = [Session(day=s.day, start=s.start + shift, end=s.end + shift) for s in old.sessions]
    moved_group = old.model_copy(update={"group_id": "G99", "sessions": sessions})
    moved = again.model_copy(update={"groups": [moved_group]})
    assert verify(now, moved) == []
    # by the contract's weights alone the move would pay: 180 preferred minutes > 3 x 50
    assert objective_of(now, moved, first) > objective_of(now, again, first)


def test_a_kept_student_moves_when_that_serves_a_newcomer() -> None:
    first = solve(two_starts("A", [need("A")], []), FAST).schedule
    taken = group_of(first, "A").sessions[0].start
    busy = half_hour("H2", other_start(group_of(first, "A")), "Core Math", "never")
    now = two_starts("AD", [need("A"), need("D", skill="fluency")], [busy])
    again = solve(now, FAST, previous=first).schedule
    assert verify(now, again) == []
    assert again.unplaced == []
    assert group_of(again, "D").sessions[0].start == taken
    assert group_of(again, "A").sessions[0].start != taken


def test_a_pin_moves_a_student_into_the_named_group() -> None:
    s = six_students()
    first = solve(s, FAST).schedule
    groups = {g.group_id: g for g in first.groups}
    student_a_group = placements(first)["A"]
    other = next(g for g in first.groups if g.group_id != student_a_group)
    pinned = school(
        students=s.model_dump()["students"],
        needs=s.model_dump()["needs"],
        programs=[program(2, min_size=2, max_size=4), program(3)],
        availability=[window(start="08:00", end="12:00")],
        pins=[{"student_id": "A", "subject": "reading", "group_id": other.group_id}],
    )
    again = solve(pinned, FAST, previous=first).schedule
    assert verify(pinned, again) == []
    assert placements(again)["A"] == other.group_id
    assert groups[other.group_id].staff_id == next(
        g.staff_id for g in again.groups if g.group_id == other.group_id
    )


def test_a_pin_to_a_group_that_is_gone_is_a_clear_error() -> None:
    s = six_students()
    first = solve(s, FAST).schedule
    pinned = six_students(pins=[{"student_id": "A", "subject": "reading", "group_id": "G99"}])
    with pytest.raises(PinError, match="G99 is not in the previous schedule"):
        solve(pinned, FAST, previous=first)


def test_students_and_staff_who_are_gone_are_warned_about_and_the_rest_kept() -> None:
    s = six_students()
    first = solve(s, FAST).schedule
    fewer = school(
        students=[student(x, "2") for x in "ABCDE"],
        needs=[need(x, score=10 * n) for n, x in enumerate("ABCDE")],
        programs=[program(2, min_size=2, max_size=3), program(3)],
        availability=[window(start="08:00", end="12:00")],
    )
    first_with_gone_staff = first.model_copy(
        update={"groups": [*first.groups, first.groups[0].model_copy(update={"staff_id": "T9",
                                                                         "group_id": "G77"})]}
    )  # fmt: skip
    result = solve(fewer, FAST, previous=first_with_gone_staff)
    assert verify(fewer, result.schedule) == []
    messages = [str(w) for w in result.warnings]
    assert any("no longer in students.csv" in m and "F" in m for m in messages)
    assert any("T9" in m for m in messages)


def test_a_previous_schedule_in_another_format_exits_2(tmp_path: Path) -> None:
    from tests.schools import write_school

    wrong = tmp_path / "old.json"
    wrong.write_text(json.dumps({"format": "roster/7", "groups": []}))
    run = skillgroups(
        "solve", write_school(tmp_path / "s"), "--out", tmp_path / "out", "--previous", wrong
    )
    assert run.returncode == 2
    assert "old.json:format: not a schedule in the format school-schedule/1 (roster/7)" in (
        run.stderr
    )
    assert "Traceback" not in run.stderr


def test_a_previous_schedule_with_two_groups_under_one_id_is_refused(tmp_path: Path) -> None:
    """Its ids are kept for matching groups, so two new groups would share one: the solve
    used to fail in the verifier."""
    first = solve(six_students(), FAST).schedule
    assert len(first.groups) >= 2
    groups = [g.model_copy(update={"group_id": "G01"}) for g in first.groups]
    edited = tmp_path / "schedule.json"
    edited.write_text(first.model_copy(update={"groups": groups}).model_dump_json())
    schedule, problems = load_previous(edited)
    assert schedule is None
    assert [(p.column, p.value, p.message) for p in problems] == [
        ("group_id", "G01", "this group_id is used by more than one group")
    ]


def test_a_previous_schedule_placing_a_student_twice_is_refused(tmp_path: Path) -> None:
    """A need in two groups has no one old group to keep; a fuzzed file of 50,000 copies
    of one group took minutes to weigh before the time limit began."""
    first = solve(six_students(), FAST).schedule
    one, other, *rest = first.groups
    twice = other.model_copy(update={"students": [*other.students, one.students[0]]})
    edited = tmp_path / "schedule.json"
    edited.write_text(first.model_copy(update={"groups": [one, twice, *rest]}).model_dump_json())
    schedule, problems = load_previous(edited)
    assert schedule is None
    assert [(p.column, p.value, p.message) for p in problems] == [
        ("students", one.students[0], "this student is in the reading groups more than once")
    ]


@pytest.mark.parametrize(
    "content",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"format": "school-schedule/1", "objective": 1' + "0" * 5000 + "}",
    ],
    ids=["nested too deep for Python", "a number of 5,001 digits"],
)
def test_a_previous_file_python_cannot_read_as_json_is_one_problem(
    tmp_path: Path, content: str
) -> None:
    (tmp_path / "schedule.json").write_text(content)
    (tmp_path / "a folder.json").mkdir()
    for path in (tmp_path / "schedule.json", tmp_path / "a folder.json"):
        schedule, problems = load_previous(path)
        assert schedule is None
        assert [p.file for p in problems] == [path.name]
