"""Files for people: the change report as CSV (spreadsheet-safe) and JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from solver.changes import ChangeReport

COLUMNS = [
    "section", "homeroom", "student_id", "subject", "change", "group_id", "staff_id", "need",
    "old_group", "old_times", "new_group", "new_times", "times", "joined", "left", "reason",
]  # fmt: skip


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def change_rows(report: ChangeReport) -> list[dict[str, str]]:
    """One flat table: a row per need, per group and per teacher's student, by section."""
    rows = [{"section": "need", **vars(c)} for c in report.needs]
    rows += [{"section": "group", **vars(c)} for c in report.groups]
    rows += [{"section": "teacher", **vars(c)} for c in report.teachers]
    return rows


def change_files(report: ChangeReport, folder: Path) -> dict[Path, str]:
    """changes.csv and changes.json in `folder`, for `solver.files.write_whole`."""
    table = io.StringIO()
    writer = csv.DictWriter(table, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in change_rows(report):
        writer.writerow({k: spreadsheet_safe(str(v)) for k, v in row.items()})
    return {
        folder / "changes.csv": table.getvalue(),
        folder / "changes.json": json.dumps(report.as_json(), indent=2) + "\n",
    }
