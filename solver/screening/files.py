"""Reading screening exports (CSV or the first sheet of a workbook) and writing needs.csv."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from solver.loading.cells import cell_text
from solver.loading.tables import RawTable, read_csv_table, table_from_cells
from solver.loading.workbook import read_sheets
from solver.model import Need
from solver.problems import Problem
from solver.screening import ScreenedNeed


def read_export(path: Path) -> tuple[RawTable | None, list[Problem]]:
    if not path.is_file():
        return None, [Problem(str(path), "no such file")]
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets, problems = read_sheets(path)
        if sheets is None:
            return None, problems
        return table_from_cells(path.name, sheets[0][1] if sheets else [])
    return read_csv_table(path)


def read_roster(path: Path) -> tuple[set[str] | None, list[Problem]]:
    """Student ids from students.csv (or a school folder holding it)."""
    csv_path = path / "students.csv" if path.is_dir() else path
    if not csv_path.is_file():
        return None, [Problem(str(csv_path), "no such file")]
    table, problems = read_csv_table(csv_path)
    if table is None:
        return None, problems
    if "student_id" not in table.columns:
        return None, [Problem(table.source, "this required column is missing", 1, "student_id")]
    return {cells["student_id"] for _, cells in table.rows if cells.get("student_id")}, problems


def needs_csv(needs: list[ScreenedNeed]) -> str:
    """needs.csv in the contract's columns, plus the screener each need came from."""
    columns = [*Need.model_fields, "screener"]
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(columns)
    for screened in needs:
        values = screened.need.model_dump(mode="json")
        writer.writerow([cell_text(values[c]) for c in Need.model_fields] + [screened.screener])
    return table.getvalue()
