"""A school as one .xlsx workbook: a sheet per CSV file, a `school` sheet of settings."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Collection
from pathlib import Path
from typing import Any

import openpyxl

from solver.loading.cells import cell_text, row_cells, settings_items
from solver.loading.settings import settings_from_table
from solver.loading.tables import RawTable, table_from_cells
from solver.model import School, SchoolSettings
from solver.problems import Problem


def read_workbook(
    path: Path,
) -> tuple[SchoolSettings | None, dict[str, RawTable], list[Problem]]:
    """Read every sheet the format names; sheet names are case-insensitive."""
    names = {name for name, _, _ in School.tables()} | {"school"}
    found_sheets, problems = read_sheets(path, names)
    if found_sheets is None:
        return None, {}, problems
    sheets = dict(reversed(found_sheets))  # the first of one name, as the user sees them
    for name, count in Counter(name for name, _ in found_sheets).items():
        if count > 1:  # "students" and "Students ": which one holds the students?
            problems.append(Problem(path.name, f"{count} sheets are named '{name}'; keep one"))
    tables: dict[str, RawTable] = {}
    for name, row_model, required in [("school", None, True), *School.tables()]:
        source = f"{path.name}[{name}]"
        if name not in sheets:
            if required:
                problems.append(Problem(path.name, f"the sheet '{name}' is missing"))
            elif row_model is not None:
                tables[name] = RawTable(source, list(row_model.model_fields))
            continue
        table, found = table_from_cells(source, sheets[name])
        problems += found
        if table is not None:
            tables[name] = table
    settings = None
    if "school" in tables:
        settings, found = settings_from_table(tables.pop("school"))
        problems += found
    return settings, tables, problems


Cells = list[list[str]]


def read_sheets(
    path: Path, names: Collection[str] | None = None
) -> tuple[list[tuple[str, Cells]] | None, list[Problem]]:
    """Each sheet's name (trimmed, lower-case) and cells as the CSV format's text, in the
    workbook's order; only the sheets `names` lists, where given.

    A damaged file fails anywhere in the reading, not only on opening: a workbook with
    five bytes changed raised zlib, XML, zip, value and type errors from inside openpyxl
    while its rows were read, one in two of 300 tried.  Whatever openpyxl raises, the
    file is unreadable, so every error of the reading is reported as the file's; the
    cells are all read before any of our own code sees them.
    """
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = [(ws.title.strip().lower(), ws) for ws in workbook.worksheets]
            return [
                (
                    name,
                    [[spreadsheet_cell(v) for v in row] for row in ws.iter_rows(values_only=True)],
                )
                for name, ws in sheets
                if names is None or name in names
            ], []
        finally:
            workbook.close()
    except Exception as error:  # anything openpyxl raises: see above
        message = f"not a readable .xlsx workbook, damaged or of another kind ({error})"
        return None, [Problem(path.name, message)]


def spreadsheet_cell(value: Any) -> str:
    """A typed spreadsheet cell as the text the CSV format would hold."""
    if isinstance(value, dt.datetime):
        if value.year < 1901:  # a time typed into a cell formatted as time
            return f"{value.hour:02d}:{value.minute:02d}"
        return value.date().isoformat()
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return cell_text(value).strip()


def workbook_bytes(school: School) -> bytes:
    """The school as one workbook; every cell is text, so nothing is a formula."""
    workbook = openpyxl.Workbook()
    settings_sheet = workbook.active
    settings_sheet.title = "school"
    _write_rows(settings_sheet, [["key", "value"]])
    _write_rows(settings_sheet, [[k, cell_text(v)] for k, v in settings_items(school.settings)])
    for name, row_model, _ in School.tables():
        sheet = workbook.create_sheet(name)
        _write_rows(sheet, [list(row_model.model_fields)])
        _write_rows(sheet, [row_cells(r) for r in getattr(school, name)])
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def _write_rows(sheet: Any, rows: list[list[str]]) -> None:
    for row in rows:
        sheet.append([text or None for text in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
