"""Small hand-built schools for tests: a valid one, and ways to break one file."""

from __future__ import annotations

import zipfile
from pathlib import Path

SCHOOL_TOML = """\
name = "Test Elementary"
days = ["Mon", "Tue", "Wed", "Thu", "Fri"]
day_start = "08:00"
day_end = "15:00"
start_step_minutes = 15
window = "2026-winter"
window_start = 2026-01-12
window_end = 2026-03-20

[objective]
serve_tier3 = 1000
"""

STUDENTS_HEADER = "student_id,name,grade,homeroom\n"
NEEDS_HEADER = "student_id,subject,skill,tier,score,sessions_per_week\n"
PROGRAMS_HEADER = "subject,skill,tier,min_size,max_size,sessions_per_week,minutes,max_grade_span\n"

VALID_FILES = {
    "school.toml": SCHOOL_TOML,
    "students.csv": "student_id,name,grade,homeroom\n1001,Ada Park,1,H1\n1002,Ben Ortiz,2,H1\n",
    "needs.csv": (
        "student_id,subject,skill,tier,score,sessions_per_week\n"
        "1001,reading,phonics,2,30,\n"
        "1002,reading,phonics,3,,5\n"
    ),
    "programs.csv": (
        "subject,skill,tier,min_size,max_size,sessions_per_week,minutes,max_grade_span\n"
        "reading,*,2,1,5,3,30,1\n"
        "reading,*,3,1,3,5,30,1\n"
    ),
    "staff.csv": (
        "staff_id,name,teaches,max_tier,max_sessions_per_day,max_groups,buffer_minutes\n"
        "T1,Cora Reyes,reading,3,,,0\n"
    ),
    "availability.csv": "staff_id,days,start,end\nT1,Mon-Fri,08:00,12:00\n",
    "timetable.csv": (
        "owner,days,start,end,activity,pull_out\n"
        "H1,all,09:00,10:30,Core ELA,never\n"
        "1002,Tue;Thu,13:00,13:30,Speech,never\n"
    ),
    "apart.csv": "student_a,student_b\n1001,1002\n",
}


def write_school(folder: Path, **changes: str | bytes | None) -> Path:
    """Write the valid school to `folder`, with some files replaced or (None) removed.

    Keyword names are file names with the dot as an underscore: ``needs_csv=...``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str | bytes | None] = dict(VALID_FILES)
    files.update(
        {name.replace("_csv", ".csv").replace("_toml", ".toml"): v for name, v in changes.items()}
    )
    for name, content in files.items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        elif content is not None:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


def damage_sheets(workbook: Path) -> Path:
    """Cut every worksheet's XML in half, leaving the workbook's zip and its list of sheets
    whole: the file opens, and fails only when a sheet's rows are read."""
    with zipfile.ZipFile(workbook) as whole:
        parts = {name: whole.read(name) for name in whole.namelist()}
    with zipfile.ZipFile(workbook, "w") as damaged:
        for name, data in parts.items():
            cut = name.startswith("xl/worksheets/")
            damaged.writestr(name, data[: len(data) // 2] if cut else data)
    return workbook
