"""Cell values are read the way a school's spreadsheet writes them."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import TypeAdapter, ValidationError

from solver.values import ClockTime, Day, DayList, GradeLevel, TeachingList

days = TypeAdapter(DayList)
clock = TypeAdapter(ClockTime)
grade = TypeAdapter(GradeLevel)
WEEK = {"school_days": [Day.MON, Day.TUE, Day.WED, Day.THU, Day.FRI]}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Mon", ["Mon"]),
        ("monday", ["Mon"]),
        ("Mon;Wed", ["Mon", "Wed"]),
        ("wed, mon", ["Mon", "Wed"]),
        ("Mon-Thu", ["Mon", "Tue", "Wed", "Thu"]),
        ("Tues-Thursday", ["Tue", "Wed", "Thu"]),
        ("all", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("Mon;Wed-Fri", ["Mon", "Wed", "Thu", "Fri"]),
    ],
)
def test_day_cells_accept_lists_ranges_and_all(cell: str, expected: list[str]) -> None:
    assert days.validate_python(cell, context=WEEK) == [Day(d) for d in expected]


@pytest.mark.parametrize("cell", ["Mun", "Fri-Mon", "", "Mon;;Funday"])
def test_day_cells_reject_unknown_names_and_backward_ranges(cell: str) -> None:
    with pytest.raises(ValidationError):
        days.validate_python(cell, context=WEEK)


def test_all_days_without_a_school_week_is_an_error() -> None:
    with pytest.raises(ValidationError, match="school's days"):
        days.validate_python("all")


def test_days_are_written_in_three_letter_form() -> None:
    assert days.dump_python(days.validate_python("Monday-Wednesday"), mode="json") == [
        "Mon",
        "Tue",
        "Wed",
    ]


@pytest.mark.parametrize(
    ("cell", "minutes"), [("08:05", 485), ("8:05", 485), ("13:30:00", 810), (dt.time(9, 0), 540)]
)
def test_times_are_read_as_minutes_and_written_hh_mm(cell: object, minutes: int) -> None:
    value = clock.validate_python(cell)
    assert value == minutes
    assert clock.dump_python(value, mode="json") == f"{minutes // 60:02d}:{minutes % 60:02d}"


@pytest.mark.parametrize("cell", ["25:00", "8.30", "noon", "08:61", "830"])
def test_times_must_be_hh_mm(cell: object) -> None:
    with pytest.raises(ValidationError, match="HH:MM"):
        clock.validate_python(cell)


@pytest.mark.parametrize(
    ("cell", "level", "written"),
    [
        ("PK", -1, "PK"),
        ("k", 0, "K"),
        ("Kindergarten", 0, "K"),
        ("1st", 1, "1"),
        ("Four", 4, "4"),
        ("Grade 3", 3, "3"),
        ("05", 5, "5"),
        (12, 12, "12"),
    ],
)
def test_grades_accept_school_spellings(cell: object, level: int, written: str) -> None:
    value = grade.validate_python(cell)
    assert value == level
    assert grade.dump_python(value, mode="json") == written


@pytest.mark.parametrize("cell", ["13", "-2", "Grade X", ""])
def test_grades_outside_pk_to_12_are_errors(cell: str) -> None:
    with pytest.raises(ValidationError, match=r"PK, K or 1\.\.12"):
        grade.validate_python(cell)


def test_teaching_entries_are_normalised() -> None:
    entries = TypeAdapter(TeachingList).validate_python("Reading; Math:Number Sense")
    assert entries == ["reading", "math:number_sense"]
