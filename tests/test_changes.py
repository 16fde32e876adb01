"""The change report names every kept, moved, new, exited and unplaced need."""

from __future__ import annotations

from pathlib import Path

from api.exports import change_files, spreadsheet_safe
from solver.changes import compare
from solver.files import write_whole
from solver.schedule import Group, Schedule, Session, Unplaced
from tests.builders import need, school, student


def group(group_id: str, students: list[str], start: str = "09:00", staff: str = "T1") -> Group:
    end = f"{int(start[:2]):02d}:30"
    sessions = [Session(day=d, start=start, end=end) for d in ("Mon", "Wed")]  # type: ignore[arg-type]
    return Group(group_id=group_id, staff_id=staff, subject="reading", skill="phonics", tier=2,
                 students=students, sessions=sessions)  # fmt: skip


def roster(groups: list[Group], unplaced: list[Unplaced] | None = None) -> Schedule:
    return Schedule(school="Test School", status="feasible", groups=groups,
                    unplaced=unplaced or [])  # fmt: skip


def unplaced(student_id: str) -> Unplaced:
    return Unplaced(student_id=student_id, subject="reading", skill="phonics", tier=2,
                    reasons=["Capacity: Teacher T1's time goes to other groups."])  # fmt: skip


S = school(
    students=[student(s, "2", "H1" if s < "D" else "H2") for s in "ABCDEF"],
    needs=[need(s) for s in "ABCDF"],
)
BEFORE = roster([group("G01", ["A", "B"]), group("G02", ["C", "D", "E"], "10:00")], [unplaced("F")])
AFTER = roster([group("G01", ["A"]), group("G03", ["C", "D", "F"], "11:00")], [unplaced("B")])


def test_each_need_is_kept_moved_newly_placed_exited_or_newly_unplaced() -> None:
    changes = {c.student_id: c for c in compare(S, BEFORE, AFTER).needs}
    assert {s: c.change for s, c in changes.items()} == {
        "A": "kept", "B": "newly unplaced", "C": "moved", "D": "moved", "E": "exited",
        "F": "newly placed",
    }  # fmt: skip
    moved = changes["C"]
    assert (moved.old_group, moved.new_group) == ("G02", "G03")
    assert moved.old_times == "Mon 10:00-10:30, Wed 10:00-10:30"
    assert moved.new_times == "Mon 11:00-11:30, Wed 11:00-11:30"
    assert "Capacity" in changes["B"].reason


def test_each_group_is_kept_changed_new_or_dissolved() -> None:
    changes = {c.group_id: (c.change, c.joined, c.left) for c in compare(S, BEFORE, AFTER).groups}
    assert changes == {
        "G01": ("changed", "", "B"),
        "G03": ("new", "C D F", ""),
        "G02": ("dissolved", "", "C D E"),
    }


def test_teachers_see_who_leaves_their_room_at_a_different_time() -> None:
    teachers = compare(S, BEFORE, AFTER).teachers
    assert [(t.homeroom, t.student_id) for t in teachers] == [
        ("H1", "B"), ("H1", "C"), ("H2", "D"), ("H2", "E"), ("H2", "F"),
    ]  # fmt: skip
    assert teachers[0].new_times == ""


def test_change_files_are_written_and_safe_for_spreadsheets(tmp_path: Path) -> None:
    write_whole(change_files(compare(S, BEFORE, AFTER), tmp_path))
    text = (tmp_path / "changes.csv").read_text()
    assert text.splitlines()[0].startswith("section,homeroom,student_id,subject,change")
    assert "need,,C,reading,moved" in text
    assert (tmp_path / "changes.json").read_text().startswith("{")
    assert spreadsheet_safe("=cmd()") == "'=cmd()"
    assert spreadsheet_safe("Mon 09:00") == "Mon 09:00"
