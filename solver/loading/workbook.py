"""A school as one .xlsx workbook: a sheet per CSV file, a `school` sheet of settings."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from solver.loading.cells import cell_text, row_cells, settings_items
from solver.loading.settings import settings_from_table
from solver.loading.tables import RawTable, table_from_cells
from solver.model import School, SchoolSettings
from solver.problems import Problem


def read_workbook(
    path: Path,
) -> tuple[SchoolSettings | None, dict[str, RawTable], list[Problem]]:
    """Read every sheet the format names; sheet names are case-insensitive."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        return None, {}, [Problem(path.name, f"not a readable .xlsx workbook ({error})")]
    try:
        sheets = {ws.title.strip().lower(): ws for ws in workbook.worksheets}
        tables: dict[str, RawTable] = {}
        problems: list[Problem] = []
        for name, row_model, required in [("school", None, True), *School.tables()]:
            source = f"{path.name}[{name}]"
            if name not in sheets:
                if required:
                    problems.append(Problem(path.name, f"the sheet '{name}' is missing"))
                elif row_model is not None:
                    tables[name] = RawTable(source, list(row_model.model_fields))
                continue
            cells = [
                [spreadsheet_cell(v) for v in row]
                for row in sheets[name].iter_rows(values_only=True)
            ]
            table, found = table_from_cells(source, cells)
            problems += found
            if table is not None:
                tables[name] = table
    finally:
        workbook.close()
    settings = None
    if "school" in tables:
        settings, found = settings_from_table(tables.pop("school"))
        problems += found
    return settings, tables, problems


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


def write_workbook(school: School, path: Path) -> None:
    """Write the school as one workbook; every cell is text, so nothing is a formula."""
    workbook = openpyxl.Workbook()
    settings_sheet = workbook.active
    settings_sheet.title = "school"
    _write_rows(settings_sheet, [["key", "value"]])
    _write_rows(settings_sheet, [[k, cell_text(v)] for k, v in settings_items(school.settings)])
    for name, row_model, _ in School.tables():
        sheet = workbook.create_sheet(name)
        _write_rows(sheet, [list(row_model.model_fields)])
        _write_rows(sheet, [row_cells(r) for r in getattr(school, name)])
    partial = path.with_name(f".{path.name}.partial")
    workbook.save(partial)
    partial.replace(path)


def _write_rows(sheet: Any, rows: list[list[str]]) -> None:
    for row in rows:
        sheet.append([text or None for text in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
