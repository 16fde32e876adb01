"""Screening exports become needs: skill and tier by the rules, joined to the roster."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from solver.problems import errors
from solver.screening import import_screening, load_rules, source_key
from solver.screening.files import read_export
from solver.screening.rules import Percentiles, Rules
from solver.screening.sources import SOURCES
from tests.processes import skillgroups

EXPORTS = Path(__file__).resolve().parent / "screening"
ROSTER = {"1001", "1002", "1003", "1004", "1005", "1006"}


def rules_of(folder: Path | None = None) -> Rules:
    rules, problems = load_rules(folder)
    assert rules is not None, problems
    return rules


def needs_of(file_name: str, folder: Path | None = None) -> dict[tuple[str, str], tuple[str, int]]:
    table, problems = read_export(EXPORTS / file_name)
    assert table is not None, problems
    result = import_screening([table], ROSTER, rules_of(folder))
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


def test_the_school_rules_file_is_read_in_any_case(tmp_path: Path) -> None:
    (tmp_path / "screening_rules.toml").write_text(
        '[[measure]]\nmatch = "PSF"\nsubject = "Reading"\nskill = "Phonemic Awareness"\n'
    )
    assert needs_of("generic.csv", tmp_path)[("1001", "reading")] == ("phonemic_awareness", 2)


def test_every_source_may_have_its_own_percentile_cut_offs() -> None:
    sources = {source_key(name) for name, _, _ in SOURCES}
    assert set(Percentiles.model_fields) == sources | {"default"}


BAD_RULES: dict[str, tuple[str | bytes, str]] = {
    "broken TOML": (
        "[status\ntier3 = []\n",
        ":1: not valid TOML: Expected ']' at the end of a table declaration",
    ),
    "not UTF-8": (
        "# café\n".encode("latin-1"),
        ":1: the file is not UTF-8 text; save it as UTF-8 (byte 0xe9)",
    ),
    "UTF-16": ("[status]\n".encode("utf-16"), ": the file is UTF-16 text; save it as UTF-8"),
    "text for a list": (
        '[status]\ntier3 = "red"\n',
        ':status.tier3: must be a list in square brackets ("red")',
    ),
    "a number for a list": (
        "[status]\ntier3 = 5\n",
        ":status.tier3: must be a list in square brackets (5)",
    ),
    "a number in a list of words": (
        '[status]\ntier2 = ["red", 2]\n',
        ":status.tier2[2]: must be text in quotes (2)",
    ),
    "text for a table": (
        'status = "x"\n',
        ':status: must be a table of keys, like [section] or { key = value } ("x")',
    ),
    "a number for cut-offs": (
        "[percentile]\ndefault = 5\n",
        ":percentile.default: must be a table of keys, like [section] or { key = value } (5)",
    ),
    "a word for a cut-off": (
        '[percentile]\ndefault = { tier3 = "ten", tier2 = 20 }\n',
        ':percentile.default.tier3: not a number ("ten")',
    ),
    "a cut-off over 100": (
        "[percentile.star]\ntier2 = 150\n",
        ":percentile.star.tier2: must be at most 100 (150)",
    ),
    "cut-offs the wrong way round": (
        "[percentile.default]\ntier3 = 50\n",
        ":percentile.default: the tier3 cut-off must not be above the tier2 cut-off "
        '({"tier3": 50, "tier2": 25})',
    ),
    "a new source without tier2": (
        "[percentile.dibels]\ntier3 = 20\n",
        ":percentile.dibels.tier2: a value is required here",
    ),
    "a word for the accuracy": (
        '[accuracy]\nphonics_below = "ninety"\n',
        ':accuracy.phonics_below: not a number ("ninety")',
    ),
    "a misspelled key": (
        '[status]\nteir3 = ["red"]\n',
        ':status.teir3: unknown key; the keys here are tier3, tier2 (["red"])',
    ),
    "a misspelled source": (
        "[percentile]\nfastbrige = { tier3 = 15, tier2 = 40 }\n",
        ":percentile.fastbrige: unknown key; the keys here are default, acadience, aimswebplus, "
        'dibels, fastbridge, generic, iready, star ({"tier3": 15, "tier2": 40})',
    ),
    "a bad regular expression": (
        '[[measure]]\nmatch = "(psf"\nsubject = "reading"\nskill = "phonics"\n',
        ':measure[1].match: not a valid regular expression: missing ) at position 4 ("(psf")',
    ),
    "a number for a regular expression": (
        '[[measure]]\nmatch = 5\nsubject = "reading"\nskill = "phonics"\n',
        ":measure[1].match: must be a regular expression in quotes (5)",
    ),
    "a measure without a subject": (
        '[[measure]]\nmatch = "psf"\nskill = "phonics"\n',
        ":measure[1].subject: a value is required here",
    ),
    "text for the measures": (
        'measure = "psf"\n',
        ':measure: must be a list in square brackets ("psf")',
    ),
    "a blank skill": (
        '[[measure]]\nmatch = "psf"\nsubject = "reading"\nskill = "   "\n',
        ':measure[1].skill: cannot be blank; write a skill, or "" if the measure only sets the '
        'tier ("   ")',
    ),
    "a blank fallback skill": (
        '[fallback]\nreading = " "\n',
        ':fallback.reading: a value is required here (" ")',
    ),
    "a number for a fallback skill": (
        "[fallback]\nmath = 5\n",
        ":fallback.math: must be text in quotes (5)",
    ),
}


@pytest.mark.parametrize("mistake", BAD_RULES)
def test_a_mistake_in_the_rules_file_is_one_problem_naming_file_key_and_value(
    tmp_path: Path, mistake: str
) -> None:
    content, expected = BAD_RULES[mistake]
    path = tmp_path / "screening_rules.toml"
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    rules, problems = load_rules(tmp_path)
    assert rules is None
    assert [str(p) for p in problems] == [f"{path}{expected}"]


def test_a_rules_file_that_cannot_be_read_is_one_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "screening_rules.toml"
    path.write_text("[accuracy]\nphonics_below = 90\n")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert [str(p) for p in load_rules(tmp_path)[1]] == [
        f"{path}: the file cannot be read (Permission denied)"
    ]


def test_a_folder_named_like_the_rules_file_is_one_problem(tmp_path: Path) -> None:
    (tmp_path / "screening_rules.toml").mkdir()
    assert [str(p) for p in load_rules(tmp_path)[1]] == [
        f"{tmp_path / 'screening_rules.toml'}: the file cannot be read (Is a directory)"
    ]


def test_a_match_expression_too_slow_on_a_measure_name_is_one_problem_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`(a|a)+$` backtracks through 2^40 ways on 40 letters and no `!`; the import
    stops it, once for the name however many rows repeat it, and makes no needs."""
    monkeypatch.setattr("solver.screening.rules.MATCH_SECONDS", 0.1)
    rules_file = tmp_path / "screening_rules.toml"
    rules_file.write_text('[[measure]]\nmatch = "(a|a)+$"\nsubject = "reading"\nskill = "x"\n')
    name = "a" * 40 + "!"
    export = tmp_path / "generic.csv"
    export.write_text(
        "student_id,subject,measure,score,percentile,status\n"
        + "".join(f"100{n},reading,{name},5,5,\n" for n in range(1, 7))
    )
    table, _ = read_export(export)
    assert table is not None
    result = import_screening([table], ROSTER, rules_of(tmp_path))
    assert result.needs == []
    assert [str(p) for p in errors(result.problems)] == [
        f"{rules_file}:measure[1].match: this expression took more than 0.1 s to match the "
        f'measure name "{name}"; write a simpler one (a repeat inside a repeat, like (a|aa)+, '
        'is what makes matching slow) ("(a|a)+$")'
    ]


def test_a_need_the_contract_rejects_is_a_problem_at_its_export_row(tmp_path: Path) -> None:
    export = tmp_path / "composites.csv"
    export.write_text(
        "student_id,subject,measure,score,percentile,status\n1001,reading,Composite,80,5,\n"
    )
    table, _ = read_export(export)
    assert table is not None
    rules = rules_of().model_copy(update={"fallback": {"reading": " "}})  # as if unchecked
    result = import_screening([table], {"1001"}, rules)
    assert result.needs == []
    assert [str(p) for p in result.problems] == [
        'composites.csv:2:skill: cannot become a need in needs.csv: a value is required here (" ")'
    ]


def test_a_score_too_large_to_be_a_number_is_a_problem_at_its_export_row(tmp_path: Path) -> None:
    export = tmp_path / "huge.csv"
    header = "student_id,subject,measure,score,percentile,status\n"
    export.write_text(header + f"1001,reading,PSF,{'9' * 400},5,\n")
    table, _ = read_export(export)
    assert table is not None
    result = import_screening([table], {"1001"}, rules_of())
    assert [str(p) for p in result.problems] == [
        "huge.csv:2:score: cannot become a need in needs.csv: not a number (Infinity)"
    ]


def test_students_outside_the_roster_and_unscreened_students_are_listed() -> None:
    table, _ = read_export(EXPORTS / "mclass.csv")
    assert table is not None
    problems = [str(p) for p in import_screening([table], ROSTER, rules_of()).problems]
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
    run = skillgroups(
        "import-screening",
        EXPORTS / "mclass.csv",
        EXPORTS / "iready_math.csv",
        "--roster",
        school,
        "--out",
        school / "needs.csv",
    )
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
    run = skillgroups(
        "import-screening",
        odd,
        "--roster",
        EXPORTS / "students.csv",
        "--out",
        tmp_path / "needs.csv",
    )
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
    run = skillgroups(
        "import-screening",
        renamed,
        damage_sheets(damaged),
        "--roster",
        EXPORTS / "students.csv",
        "--out",
        tmp_path / "needs.csv",
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    for name in ("renamed.xlsx", "damaged.xlsx"):
        assert f"{name}: not a readable .xlsx workbook" in run.stderr
    assert not (tmp_path / "needs.csv").exists()


def test_a_bad_rules_file_stops_the_import_before_anything_is_written(tmp_path: Path) -> None:
    shutil.copy(EXPORTS / "students.csv", tmp_path / "students.csv")
    rules = tmp_path / "screening_rules.toml"
    rules.write_text('[accuracy]\nphonics_below = "ninety"\n')
    run = skillgroups(
        "import-screening",
        EXPORTS / "mclass.csv",
        "--roster",
        tmp_path,
        "--out",
        tmp_path / "needs.csv",
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert f'{rules}:accuracy.phonics_below: not a number ("ninety")' in run.stderr
    assert not (tmp_path / "needs.csv").exists()


def test_a_needs_csv_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where a folder should be")
    run = skillgroups(
        "import-screening",
        EXPORTS / "mclass.csv",
        "--roster",
        EXPORTS / "students.csv",
        "--out",
        tmp_path / "taken" / "needs.csv",
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert f"{tmp_path / 'taken'}: cannot write (Not a directory)" in run.stderr
