"""A school as a folder of CSV files plus school.toml."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from solver.loading.cells import row_cells, settings_items
from solver.loading.settings import read_toml_settings
from solver.loading.tables import RawTable, read_csv_table
from solver.model import School, SchoolSettings
from solver.problems import Problem


def read_folder(
    folder: Path,
) -> tuple[SchoolSettings | None, dict[str, RawTable], list[Problem]]:
    """Read school.toml and each CSV file of the format (names case-insensitive)."""
    files = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    problems: list[Problem] = []
    settings = None
    if "school.toml" in files:
        settings, found = read_toml_settings(files["school.toml"])
        problems += found
    else:
        problems.append(Problem("school.toml", "this required file is missing"))
    tables: dict[str, RawTable] = {}
    for name, row_model, required in School.tables():
        path = files.get(f"{name}.csv")
        if path is None:
            if required:
                problems.append(Problem(f"{name}.csv", "this required file is missing"))
            else:
                tables[name] = RawTable(f"{name}.csv", list(row_model.model_fields))
            continue
        table, found = read_csv_table(path)
        problems += found
        if table is not None:
            tables[name] = table
    return settings, tables, problems


def folder_files(school: School, folder: Path) -> dict[Path, str]:
    """The school's files in the format, for `solver.files.write_whole`."""
    texts = {"school.toml": settings_toml(school.settings)}
    for name, row_model, _ in School.tables():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(row_model.model_fields)
        writer.writerows(row_cells(r) for r in getattr(school, name))
        texts[f"{name}.csv"] = buffer.getvalue()
    return {folder / file_name: text for file_name, text in texts.items()}


def settings_toml(settings: SchoolSettings) -> str:
    """school.toml text; the objective goes in its own table as the contract shows."""
    top = [(k, v) for k, v in settings_items(settings) if not k.startswith("objective.")]
    objective = [(k[10:], v) for k, v in settings_items(settings) if k.startswith("objective.")]
    lines = [f"{key} = {_toml_value(key, value)}" for key, value in top]
    lines += ["", "[objective]"] + [f"{key} = {value}" for key, value in objective]
    return "\n".join(lines) + "\n"


def _toml_value(key: str, value: Any) -> str:
    if key in ("window_start", "window_end"):
        return str(value)  # a TOML local date, unquoted
    return json.dumps(value, ensure_ascii=False)
