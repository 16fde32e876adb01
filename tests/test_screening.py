"""Screening exports become needs: skill and tier by the rules, joined to the roster."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from solver.screening import import_screening, load_rules
from solver.screening.files import read_export

EXPORTS = Path(__file__).resolve().parent / "screening"
ROSTER = {"1001", "1002", "1003", "1004", "1005", "1006"}


def needs_of(file_name: str, folder: Path | None = None) -> dict[tuple[str, str], tuple[str, int]]:
    table, problems = read_export(EXPORTS / file_name)
    assert table is not None, problems
    result = import_screening([table], ROSTER, load_rules(folder))
    return {s.need.key: (s.need.skill, s.need.tier) for s in result.needs}


EXPECTED = {
    "mclass.csv": {
        ("1001", "reading"): ("phonemic_awareness", 3),
        ("1002", "reading"): ("phonics", 2),
        ("1003", "reading"): ("phonics", 2),  # slow ORF, accuracy 90% < 95%
        ("1004", "reading"): ("fluency", 2),  # slow ORF, accuracy 98%
    },
    "acadience.csv": {
        ("1001", "reading"): ("phonemic_awareness", 3),
        ("1002", "reading"): ("fluency", 2),
        ("1003", "reading"): ("comprehension", 2),  # fluent, weak Retell
    },
    "aimsweb.csv": {
        ("1001", "reading"): ("phonemic_awareness", 3),
        ("1002", "reading"): ("phonics", 2),
        ("1003", "reading"): ("fluency", 2),  # winter (15th pct) counts, not fall
    },
    "fastbridge.csv": {
        ("1001", "reading"): ("phonics", 3),  # high risk, accuracy 91%
        ("1003", "reading"): ("fluency", 2),  # no risk level: 20th pct < FastBridge's 40
        ("1003", "math"): ("computation", 2),
    },
    "iready_ela.csv": {
        ("1001", "reading"): ("phonics", 3),  # most recent diagnostic only
        ("1002", "reading"): ("comprehension", 2),
    },
    "iready_math.csv": {("1003", "math"): ("number_sense", 3)},
    "star.csv": {
        ("1001", "math"): ("computation", 3),
        ("1003", "reading"): ("comprehension", 2),
    },
    "generic.csv": {
        ("1001", "reading"): ("phonemic_awareness", 2),
        ("1002", "math"): ("computation", 3),
    },
}


@pytest.mark.parametrize("file_name", EXPECTED)
def test_each_screening_source_gives_the_documented_skill_and_tier(file_name: str) -> None:
    assert needs_of(file_name) == EXPECTED[file_name]


def test_the_school_rules_file_overrides_a_default(tmp_path: Path) -> None:
    (tmp_path / "screening_rules.toml").write_text("[percentile.default]\ntier3 = 10\ntier2 = 50\n")
    assert needs_of("generic.csv", tmp_path)[("1003", "math")] == ("computation", 2)


def test_students_outside_the_roster_and_unscreened_students_are_listed() -> None:
    table, _ = read_export(EXPORTS / "mclass.csv")
    assert table is not None
    problems = [str(p) for p in import_screening([table], ROSTER, load_rules()).problems]
    assert problems == [
        "roster: warning: 1 student(s) in the export are not in the roster; left out (9999)",
        "roster: warning: 1 roster student(s) have no screening result (1006)",
    ]


def test_import_screening_writes_a_needs_csv_the_school_accepts(tmp_path: Path) -> None:
    from solver.loading import load_school
    from tests.schools import PROGRAMS_HEADER, write_school

    programs = (
        PROGRAMS_HEADER + "reading,*,2,1,5,3,30,1\nreading,*,3,1,3,5,30,1\nmath,*,3,1,3,4,30,1\n"
    )
    school = write_school(tmp_path / "school", programs_csv=programs)
    shutil.copy(EXPORTS / "students.csv", school / "students.csv")
    run = subprocess.run(
        [sys.executable, "-m", "api.cli", "import-screening", str(EXPORTS / "mclass.csv"),
         str(EXPORTS / "iready_math.csv"), "--roster", str(school), "--out",
         str(school / "needs.csv")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Wrote 5 needs" in run.stdout
    text = (school / "needs.csv").read_text()
    assert text.splitlines()[0] == (
        "student_id,subject,skill,tier,score,sessions_per_week,screener"
    )
    assert "1003,math,number_sense,3,370,,i-Ready" in text
    loaded = load_school(school).school
    assert loaded is not None
    assert len(loaded.needs) == 5


def test_an_unknown_export_is_a_clear_error(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("name,favourite colour\nAda,blue\n")
    run = subprocess.run(
        [sys.executable, "-m", "api.cli", "import-screening", str(odd), "--roster",
         str(EXPORTS / "students.csv"), "--out", str(tmp_path / "needs.csv")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "odd.csv:1: unknown screening export" in run.stderr
    assert not (tmp_path / "needs.csv").exists()


def test_an_export_that_is_no_workbook_or_a_damaged_one_is_a_clear_error(tmp_path: Path) -> None:
    import openpyxl

    from tests.schools import damage_sheets

    renamed = tmp_path / "renamed.xlsx"
    shutil.copy(EXPORTS / "star.csv", renamed)
    damaged = tmp_path / "damaged.xlsx"
    sheet = openpyxl.Workbook()
    sheet.active.append(["Student ID", "Score"])
    sheet.save(damaged)
    run = subprocess.run(
        [sys.executable, "-m", "api.cli", "import-screening", str(renamed),
         str(damage_sheets(damaged)), "--roster", str(EXPORTS / "students.csv"), "--out",
         str(tmp_path / "needs.csv")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    for name in ("renamed.xlsx", "damaged.xlsx"):
        assert f"{name}: not a readable .xlsx workbook" in run.stderr
    assert not (tmp_path / "needs.csv").exists()
