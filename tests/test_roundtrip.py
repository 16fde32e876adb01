"""CSV folder -> models -> workbook -> models loses nothing, and workbooks read like CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from solver.loading import load_school, save_school
from solver.model import School
from tests.schools import STUDENTS_HEADER, write_school


def load(path: Path) -> School:
    result = load_school(path)
    assert result.school is not None, [str(p) for p in result.problems]
    return result.school


def test_csv_to_workbook_to_models_is_lossless(tmp_path: Path) -> None:
    original = load(write_school(tmp_path / "csv"))
    save_school(original, tmp_path / "school.xlsx")
    assert load(tmp_path / "school.xlsx") == original


def test_workbook_to_csv_folder_to_models_is_lossless(tmp_path: Path) -> None:
    original = load(write_school(tmp_path / "csv"))
    save_school(original, tmp_path / "school.xlsx")
    save_school(load(tmp_path / "school.xlsx"), tmp_path / "again")
    assert load(tmp_path / "again") == original


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    students = STUDENTS_HEADER + '1001,"=HYPERLINK(""http://x"")",1,H1\n1002,+Ben,2,H1\n'
    original = load(write_school(tmp_path / "csv", students_csv=students))
    save_school(original, tmp_path / "school.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "school.xlsx")["students"]
    assert sheet["B2"].data_type == "s"
    assert load(tmp_path / "school.xlsx").students[0].name == '=HYPERLINK("http://x")'


def test_typed_spreadsheet_cells_read_like_their_csv_text(tmp_path: Path) -> None:
    """A person typing into Excel makes numbers, times and dates, not text."""
    expected = load(write_school(tmp_path / "csv"))
    save_school(expected, tmp_path / "school.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "school.xlsx")
    workbook["students"]["A2"] = 1001
    workbook["needs"]["E2"] = 30.0
    workbook["availability"]["C2"] = dt.time(8, 0)
    workbook["availability"]["D2"] = dt.datetime(1899, 12, 30, 12, 0)
    settings = workbook["school"]
    for row in settings.iter_rows(min_row=2):
        if row[0].value == "window_start":
            row[1].value = dt.datetime(2026, 1, 12)
    workbook.save(tmp_path / "typed.xlsx")
    assert load(tmp_path / "typed.xlsx") == expected
