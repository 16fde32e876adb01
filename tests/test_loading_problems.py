"""Every bad input is reported as file:row:column with the value, all at once."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from solver.loading import load_school, save_school
from solver.problems import Problem, errors, warnings
from tests.schools import (
    NEEDS_HEADER,
    PROGRAMS_HEADER,
    STUDENTS_HEADER,
    VALID_FILES,
    damage_sheets,
    write_school,
)


def only_error(folder: Path) -> Problem:
    result = load_school(folder)
    assert result.school is None
    found = errors(result.problems)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def where(problem: Problem) -> tuple[str, int | None, str | None, str | None]:
    return (problem.file, problem.row, problem.column, problem.value)


def test_the_valid_school_loads_without_problems(tmp_path: Path) -> None:
    result = load_school(write_school(tmp_path))
    assert result.school is not None
    assert errors(result.problems) == []
    assert [n.key for n in result.school.needs] == [("1001", "reading"), ("1002", "reading")]


BAD_CELLS = {
    "unknown student in needs": (
        {"needs_csv": NEEDS_HEADER + "1001,reading,phonics,2,30,\n9999,reading,phonics,2,,\n"},
        ("needs.csv", 3, "student_id", "9999"),
    ),
    "duplicate student id": (
        {"students_csv": STUDENTS_HEADER + "1001,Ada Park,1,H1\n1002,Ben,2,H1\n1001,Cy,2,H1\n"},
        ("students.csv", 4, "student_id", "1001"),
    ),
    "duplicate staff id": (
        {"staff_csv": "staff_id,name,teaches,max_tier\nT1,Cora,reading,3\nT1,Dan,reading,2\n"},
        ("staff.csv", 3, "staff_id", "T1"),
    ),
    "homeroom with no timetable": (
        {"students_csv": STUDENTS_HEADER + "1001,Ada Park,1,H1\n1002,Ben Ortiz,2,H9\n"},
        ("students.csv", 3, "homeroom", "H9"),
    ),
    "availability before the school day": (
        {"availability_csv": "staff_id,days,start,end\nT1,Mon-Fri,07:00,12:00\n"},
        ("availability.csv", 2, "start", "07:00"),
    ),
    "timetable block after the school day": (
        {"timetable_csv": "owner,days,start,end,activity,pull_out\nH1,all,14:30,15:30,Art,never\n"},
        ("timetable.csv", 2, "end", "15:30"),
    ),
    "end not after start": (
        {"timetable_csv": "owner,days,start,end,activity,pull_out\nH1,all,10:00,09:00,Art,never\n"},
        ("timetable.csv", 2, "end", "09:00"),
    ),
    "unknown day name": (
        {"availability_csv": "staff_id,days,start,end\nT1,Mon;Thurzday,08:00,12:00\n"},
        ("availability.csv", 2, "days", "Mon;Thurzday"),
    ),
    "tier not 2 or 3": (
        {"needs_csv": NEEDS_HEADER + "1001,reading,phonics,1,30,\n1002,reading,phonics,3,,\n"},
        ("needs.csv", 2, "tier", "1"),
    ),
    "min_size above max_size": (
        {"programs_csv": PROGRAMS_HEADER + "reading,*,2,4,3,3,30,1\nreading,*,3,1,3,5,30,1\n"},
        ("programs.csv", 2, "max_size", "3"),
    ),
    "a session longer than the day": (
        {"programs_csv": PROGRAMS_HEADER + "reading,*,2,1,5,3,30,1\nreading,*,3,1,3,5,500,1\n"},
        ("programs.csv", 3, "minutes", "500"),
    ),
    "non-numeric score": (
        {"needs_csv": NEEDS_HEADER + "1001,reading,phonics,2,thirty,\n1002,reading,phonics,3,,\n"},
        ("needs.csv", 2, "score", "thirty"),
    ),
    "a score that is no number a school could give": (
        {"needs_csv": NEEDS_HEADER + "1001,reading,phonics,2,1e400,\n1002,reading,phonics,3,,\n"},
        ("needs.csv", 2, "score", "1e400"),
    ),
    "a group size past any school's": (
        {"programs_csv": PROGRAMS_HEADER + "reading,*,2,1,5,3,30,1\nreading,*,3,1,1001,5,30,1\n"},
        ("programs.csv", 3, "max_size", "1001"),
    ),
    "a buffer longer than a day": (
        {"staff_csv": "staff_id,name,teaches,max_tier,buffer_minutes\nT1,Cora,reading,3,9999\n"},
        ("staff.csv", 2, "buffer_minutes", "9999"),
    ),
    "no program for a need": (
        {"needs_csv": NEEDS_HEADER + "1001,reading,phonics,2,30,\n1002,math,computation,3,,\n"},
        ("needs.csv", 3, "skill", "computation"),
    ),
    "unknown staff in availability": (
        {"availability_csv": "staff_id,days,start,end\nT1,Mon,08:00,12:00\nT7,Tue,08:00,09:00\n"},
        ("availability.csv", 3, "staff_id", "T7"),
    ),
    "two needs in one subject": (
        {"needs_csv": NEEDS_HEADER + "1001,reading,phonics,2,30,\n1001,Reading,fluency,2,,\n"},
        ("needs.csv", 3, "subject", "reading"),
    ),
    "apart pair naming an unknown student": (
        {"apart_csv": "student_a,student_b\n1001,4242\n"},
        ("apart.csv", 2, "student_b", "4242"),
    ),
    "pin without a need": (
        {"pins_csv": "student_id,subject,group_id\n1001,math,G01\n"},
        ("pins.csv", 2, "student_id", "1001"),
    ),
    "a control character, which a workbook cannot hold and a terminal obeys": (
        {"students_csv": STUDENTS_HEADER + "1001,Ada\x1bPark,1,H1\n1002,Ben Ortiz,2,H1\n"},
        ("students.csv", 2, "name", "Ada\\x1bPark"),
    ),
    "missing required cell": (
        {"students_csv": STUDENTS_HEADER + "1001,Ada Park,,H1\n1002,Ben Ortiz,2,H1\n"},
        ("students.csv", 2, "grade", None),
    ),
}


@pytest.mark.parametrize("case", BAD_CELLS, ids=list(BAD_CELLS))
def test_a_bad_cell_is_named_by_file_row_column_and_value(tmp_path: Path, case: str) -> None:
    changes, expected = BAD_CELLS[case]
    problem = only_error(write_school(tmp_path, **changes))
    assert where(problem) == expected


BAD_FILES = {
    "bad encoding": (
        {"students_csv": (STUDENTS_HEADER + "1001,Ada,1,H1\n1002,Zo\xeb,2,H1\n").encode("latin-1")},
        ("students.csv", 3, None, "byte 0xeb"),
    ),
    "semicolon-delimited": (
        {"staff_csv": "staff_id;name;teaches;max_tier\nT1;Cora;reading;3\n"},
        ("staff.csv", 1, None, "staff_id;name;teaches;max_tier"),
    ),
    "duplicate headers": (
        {"staff_csv": "staff_id,name,teaches,max_tier,name\nT1,Cora,reading,3,C\n"},
        ("staff.csv", 1, "name", None),
    ),
    "a quote never closed, which would swallow the rest of the file": (
        {"students_csv": STUDENTS_HEADER + '1001,"Ada Park,1,H1\n1002,Ben Ortiz,2,H1\n'},
        ("students.csv", 2, None, None),
    ),
    "empty file": ({"timetable_csv": ""}, ("timetable.csv", None, None, None)),
    "missing file": ({"needs_csv": None}, ("needs.csv", None, None, None)),
    "missing column": (
        {"needs_csv": "student_id,subject,skill,score\n1001,reading,phonics,30\n"},
        ("needs.csv", 1, "tier", None),
    ),
    "missing school.toml": ({"school_toml": None}, ("school.toml", None, None, None)),
    "school day ending before it starts": (
        {"school_toml": VALID_FILES["school.toml"].replace('"15:00"', '"07:00"')},
        ("school.toml", 4, "day_end", "07:00"),
    ),
    "unknown objective weight": (
        {"school_toml": VALID_FILES["school.toml"] + "serve_tier4 = 5\n"},
        ("school.toml", 12, "objective.serve_tier4", "5"),
    ),
    "broken toml": ({"school_toml": 'name = "x\n'}, ("school.toml", 1, None, None)),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_named_with_the_row_and_column_that_apply(tmp_path: Path, case: str) -> None:
    changes, expected = BAD_FILES[case]
    problem = only_error(write_school(tmp_path, **changes))
    assert where(problem) == expected


def test_every_problem_is_collected_not_only_the_first(tmp_path: Path) -> None:
    folder = write_school(
        tmp_path,
        needs_csv=NEEDS_HEADER + "1001,reading,phonics,4,x,\n1002,reading,phonics,3,,\n",
        availability_csv="staff_id,days,start,end\nT1,Mon-Fri,08:00,16:00\n",
        school_toml=VALID_FILES["school.toml"].replace("15,", "15").replace("= 15", "= -5"),
    )
    found = {where(p)[:3] for p in errors(load_school(folder).problems)}
    assert found == {
        ("needs.csv", 2, "tier"),
        ("needs.csv", 2, "score"),
        ("school.toml", 5, "start_step_minutes"),
    }


def test_a_row_already_reported_bad_does_not_cascade_into_unknown_ids(tmp_path: Path) -> None:
    folder = write_school(
        tmp_path, students_csv=STUDENTS_HEADER + "1001,Ada Park,13,H1\n1002,Ben Ortiz,2,H1\n"
    )
    assert where(only_error(folder))[:3] == ("students.csv", 2, "grade")


def test_messages_read_file_row_column_message_value(tmp_path: Path) -> None:
    folder = write_school(
        tmp_path, needs_csv=NEEDS_HEADER + "1001,reading,phonics,4,30,\n1002,reading,phonics,3,,\n"
    )
    assert str(only_error(folder)) == "needs.csv:2:tier: must be 2 or 3 (4)"


def test_warnings_are_told_but_do_not_stop_loading(tmp_path: Path) -> None:
    folder = write_school(
        tmp_path,
        staff_csv="staff_id,name,teaches,max_tier\nT1,Cora,reading;math,3\n",
        students_csv=STUDENTS_HEADER + "1001,Ada,1,H1\n1002,Ben,2,H1\n1003,Cy,2,H1\n",
    )
    result = load_school(folder)
    assert result.school is not None
    assert [str(p) for p in warnings(result.problems)] == [
        "staff.csv:2:teaches: warning: nobody needs this subject in needs.csv (math)",
        "students.csv: warning: 1 of 3 students have no needs and are not scheduled",
    ]


def test_a_damaged_workbook_is_one_problem_naming_it(tmp_path: Path) -> None:
    """openpyxl opens the file and fails only on reading a sheet's rows, with an XML error."""
    school = load_school(write_school(tmp_path / "csv")).school
    assert school is not None
    save_school(school, tmp_path / "school.xlsx")
    problem = only_error(damage_sheets(tmp_path / "school.xlsx"))
    assert problem.file == "school.xlsx"
    assert "not a readable .xlsx workbook" in problem.message


def test_a_file_that_cannot_be_read_is_one_problem_naming_it(tmp_path: Path) -> None:
    """Tests run as root, who may read any file: /proc/self/mem, read from its start,
    fails for anyone, as a file without read permission fails for a school's user."""
    folder = write_school(tmp_path, staff_csv=None)
    (folder / "staff.csv").symlink_to("/proc/self/mem")
    problem = only_error(folder)
    assert problem.file == "staff.csv"
    assert problem.message.startswith("the file cannot be read")


def test_a_workbook_key_set_twice_is_named_by_its_row(tmp_path: Path) -> None:
    """`name` and then `name.x` (a group of keys under it) used to raise a TypeError."""
    school = load_school(write_school(tmp_path / "csv")).school
    assert school is not None
    save_school(school, tmp_path / "school.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "school.xlsx")
    workbook["school"].append(["name.x", "1"])
    workbook.save(tmp_path / "school.xlsx")
    problem = only_error(tmp_path / "school.xlsx")
    assert where(problem)[1:] == (workbook["school"].max_row, "key", "name.x")
    assert problem.message == "this key is set twice"


def test_two_sheets_of_one_name_are_a_problem(tmp_path: Path) -> None:
    """Sheet names are read trimmed and in any case, so 'Students ' is a second students
    sheet; the one read last used to win, and the error said the sheet was empty."""
    school = load_school(write_school(tmp_path / "csv")).school
    assert school is not None
    save_school(school, tmp_path / "school.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "school.xlsx")
    workbook.create_sheet("Students ")
    workbook.save(tmp_path / "school.xlsx")
    problem = only_error(tmp_path / "school.xlsx")
    assert (problem.file, problem.message) == (
        "school.xlsx",
        "2 sheets are named 'students'; keep one",
    )
