"""Loaders at the edge: a CSV folder or an .xlsx workbook into a validated `School`.

Every problem is collected, never only the first, and names the file, row,
column and value; a school with any error is not returned at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solver.checks import check_school
from solver.files import write_whole
from solver.loading.folder import folder_files, read_folder
from solver.loading.records import Records, read_records
from solver.loading.tables import RawTable
from solver.loading.workbook import read_workbook, workbook_bytes
from solver.model import Day, School, SchoolSettings
from solver.problems import Problem, errors

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class LoadResult:
    """The school, if it has no errors, and every problem found (warnings too)."""

    school: School | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.school is not None


def load_school(path: Path) -> LoadResult:
    """Read a school from a folder of CSV files or from one workbook."""
    if path.is_dir():
        settings, tables, problems = read_folder(path)
    elif path.is_file() and path.suffix.lower() in WORKBOOK_SUFFIXES:
        settings, tables, problems = read_workbook(path)
    elif path.exists():
        message = "expected a folder of CSV files or an .xlsx workbook"
        return LoadResult(None, [Problem(path.name, message)])
    else:
        return LoadResult(None, [Problem(str(path), "no such folder or file")])
    return _build_school(settings, tables, problems)


def school_files(school: School, path: Path) -> Mapping[Path, str | bytes]:
    """A school as a workbook (path ends in .xlsx) or as a CSV folder's files."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return {path: workbook_bytes(school)}
    return folder_files(school, path)


def save_school(school: School, path: Path) -> None:
    write_whole(school_files(school, path))


def _build_school(
    settings: SchoolSettings | None, tables: dict[str, RawTable], problems: list[Problem]
) -> LoadResult:
    days = settings.days if settings else [Day.MON, Day.TUE, Day.WED, Day.THU, Day.FRI]
    context = {"school_days": days}
    records: dict[str, Records[Any]] = {}
    for name, row_model, _ in School.tables():
        if name in tables:
            found_records, found = read_records(tables[name], row_model, context)
            problems = problems + found
            if found_records is not None:
                records[name] = found_records
    if len(records) < len(School.tables()):
        return LoadResult(None, problems)
    school = School(
        settings=settings or _unknown_settings(days),
        **{name: r.items for name, r in records.items()},
    )
    problems = problems + check_school(school, records)
    if settings is None or errors(problems):
        return LoadResult(None, problems)
    return LoadResult(school, problems)


def _unknown_settings(days: list[Day]) -> SchoolSettings:
    """Stand-in settings so the other files are still checked when school.toml is bad."""
    return SchoolSettings(name="(unknown)", days=days, day_start="00:00", day_end="23:59")


__all__ = ["LoadResult", "load_school", "save_school", "school_files"]
