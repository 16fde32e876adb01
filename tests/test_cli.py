"""The command line, run as a person runs it: a real process, real files."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.builders import FIXTURES, SMALL
from tests.processes import ROOT, bare_environment, skillgroups, skillgroups_command
from tests.schools import NEEDS_HEADER, SCHOOL_TOML, VALID_FILES, write_school


def test_validate_prints_counts_staff_time_and_capacity(tmp_path: Path) -> None:
    run = skillgroups("validate", write_school(tmp_path))
    assert run.returncode == 0, run.stderr
    assert "Test Elementary: 2 students, 2 needs" in run.stdout
    assert "Cora Reyes" in run.stdout
    assert "1200" in run.stdout  # T1: 4 hours on 5 days
    assert "No errors." in run.stdout


def test_validate_exits_2_with_one_line_per_problem_and_no_traceback(tmp_path: Path) -> None:
    folder = write_school(
        tmp_path,
        needs_csv=NEEDS_HEADER + "1001,reading,phonics,4,30,\n1002,reading,phonics,3,abc,\n",
        availability_csv="staff_id,days,start,end\nT1,Mon-Fri,07:30,12:00\n",
    )
    run = skillgroups("validate", folder)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert "needs.csv:2:tier: must be 2 or 3 (4)" in lines
    assert "needs.csv:3:score: not a number (abc)" in lines
    assert "availability.csv:2:start: starts before the school day (08:00) (07:30)" in lines
    assert lines[-1] == f"3 problem(s) must be fixed in {folder}."


def test_names_are_printed_as_written_never_read_as_markup(tmp_path: Path) -> None:
    """Square brackets in a school's own words are text: rich would read '[/b]' as a tag
    and raise."""
    folder = write_school(
        tmp_path / "school",
        school_toml=SCHOOL_TOML.replace("Test Elementary", "Test [/i] Elementary"),
        staff_csv=VALID_FILES["staff.csv"].replace("Cora Reyes", "Cora [/b] Reyes [red]"),
    )
    run = skillgroups("validate", folder)
    assert run.returncode == 0, run.stderr
    assert "Test [/i] Elementary: 2 students" in run.stdout
    assert "Cora [/b] Reyes [red]" in run.stdout
    run = skillgroups(
        "solve", folder, "--out", tmp_path / "out", "--time-limit", "2", "--workers", "1"
    )
    assert run.returncode == 0, run.stderr
    assert "Cora [/b] Reyes [red]" in run.stdout


def test_validate_on_a_missing_path_exits_2(tmp_path: Path) -> None:
    run = skillgroups("validate", tmp_path / "nowhere")
    assert run.returncode == 2
    assert "no such folder or file" in run.stderr
    assert "Traceback" not in run.stderr


def test_convert_writes_a_workbook_that_validates(tmp_path: Path) -> None:
    assert (
        skillgroups("convert", write_school(tmp_path / "csv"), tmp_path / "s.xlsx").returncode == 0
    )
    run = skillgroups("validate", tmp_path / "s.xlsx")
    assert run.returncode == 0, run.stderr


def test_schema_describes_every_input_field_and_schedule_json() -> None:
    run = skillgroups("schema")
    schemas = json.loads(run.stdout)
    defs = schemas["input"]["$defs"]
    for model in ("Student", "Need", "Program", "Staff", "Availability", "Block", "Pin"):
        for name, field in defs[model]["properties"].items():
            assert field.get("description"), f"{model}.{name} has no description"
    schedule = schemas["schedule"]
    assert schedule["properties"]["format"]["const"] == "school-schedule/1"
    session = schedule["$defs"]["Session"]["properties"]
    assert session["start"]["type"] == "string"


def test_solve_writes_a_verified_schedule_json_and_a_summary(tmp_path: Path) -> None:
    from solver.loading import load_school
    from solver.schedule import Schedule
    from solver.verify import verify

    run = skillgroups("solve", SMALL, "--out", tmp_path, "--time-limit", "5", "--workers", "1")
    assert run.returncode == 0, run.stderr
    schedule = Schedule.model_validate_json((tmp_path / "schedule.json").read_text())
    school = load_school(SMALL).school
    assert school is not None
    assert verify(school, schedule) == []
    assert schedule.format == "school-schedule/1"
    assert "Placement" in run.stdout
    for entry in schedule.unplaced:
        assert f"Unplaced {entry.student_id}" in run.stdout


def test_solve_with_one_worker_writes_the_same_schedule_in_every_process(tmp_path: Path) -> None:
    """Each process hashes strings differently, so nothing may follow a set's order."""
    written = []
    for hash_seed in (1, 2):
        out = tmp_path / str(hash_seed)
        arguments = ("--out", out, "--time-limit", "4", "--workers", "1", "--seed", "3")
        run = skillgroups("solve", SMALL, *arguments, hash_seed=hash_seed)
        assert run.returncode == 0, run.stderr
        schedule = json.loads((out / "schedule.json").read_text())
        written.append({k: v for k, v in schedule.items() if k != "solve_seconds"})
    assert written[0] == written[1]


def interrupted(school: Path, out: Path, *pauses: float, workers: int = 2) -> tuple[int, str, str]:
    """`skillgroups solve` with a long time limit, sent Ctrl-C after each pause (counted
    from its first warning, when the school is loaded and the search begins)."""
    arguments = ["solve", str(school), "--out", str(out), "--time-limit", "120"]
    process = subprocess.Popen(
        skillgroups_command(*arguments, "--workers", workers),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=bare_environment(),
    )
    assert process.stderr is not None
    process.stderr.readline()
    for pause in pauses:
        time.sleep(pause)
        process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    return process.returncode, stdout, stderr


def test_ctrl_c_stops_the_search_and_writes_the_best_schedule_found(tmp_path: Path) -> None:
    """Ctrl-C in a long solve: the search stops and the best schedule so far is written,
    verified, with its summary.  The process used to be killed by the signal, or to
    abort inside CP-SAT, and write nothing."""
    from solver.loading import load_school
    from solver.schedule import Schedule
    from solver.verify import verify

    returncode, stdout, stderr = interrupted(SMALL, tmp_path, 2.0)
    assert returncode == 0, stderr
    assert "Traceback" not in stderr
    schedule = Schedule.model_validate_json((tmp_path / "schedule.json").read_text())
    school = load_school(SMALL).school
    assert school is not None
    assert verify(school, schedule) == []
    assert schedule.solve_seconds < 60
    assert "Placement" in stdout


def test_a_second_ctrl_c_quits_at_once_without_writing(tmp_path: Path) -> None:
    """With one worker k8's bound is worked out first, for seconds, and the search stops
    only after it; a second Ctrl-C does not wait."""
    returncode, _, stderr = interrupted(FIXTURES / "k8", tmp_path, 0.5, 0.3, workers=1)
    assert returncode == 130
    assert "Traceback" not in stderr
    assert "Quit: no schedule written." in stderr
    assert not (tmp_path / "schedule.json").exists()


def test_solve_on_bad_data_exits_2(tmp_path: Path) -> None:
    folder = write_school(tmp_path / "bad", needs_csv=NEEDS_HEADER + "1001,reading,phonics,9,,\n")
    run = skillgroups("solve", folder, "--out", tmp_path / "out")
    assert run.returncode == 2
    assert "needs.csv:2:tier" in run.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("fixture", ["small", "elementary.xlsx", "k8"])
def test_validate_passes_on_every_bundled_school(fixture: str) -> None:
    run = skillgroups("validate", FIXTURES / fixture)
    assert run.returncode == 0, run.stderr
    assert "Capacity per subject" in run.stdout
    assert "No errors." in run.stdout


def test_a_folder_in_the_way_of_an_output_file_exits_2_and_writes_nothing(
    tmp_path: Path,
) -> None:
    """Regenerating writes schedule.json, changes.csv and changes.json together; a folder
    named changes.csv used to end in a traceback, with schedule.json already written and
    a partial file left behind.  Converting to a folder is written the same way."""
    first = tmp_path / "first"
    assert skillgroups("solve", SMALL, "--out", first, "--time-limit", "2").returncode == 0
    out = tmp_path / "again"
    (out / "changes.csv").mkdir(parents=True)
    arguments = ("--out", out, "--time-limit", "2", "--previous", first / "schedule.json")
    run = skillgroups("solve", SMALL, *arguments)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert f"{out / 'changes.csv'}: cannot write (Is a directory)" in run.stderr
    assert [p.name for p in out.iterdir()] == ["changes.csv"]
    converted = tmp_path / "converted"
    (converted / "staff.csv").mkdir(parents=True)
    run = skillgroups("convert", SMALL, converted)
    assert run.returncode == 2
    assert [p.name for p in converted.iterdir()] == ["staff.csv"]


def state_and_parent(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent (from /proc: Linux), or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def is_running(pid: int) -> bool:
    found = state_and_parent(pid)
    return found is not None and found[0] != "Z"


def children_of(pid: int) -> list[int]:
    """The running processes whose parent is `pid`."""
    children = []
    for path in Path("/proc").glob("[0-9]*"):
        found = state_and_parent(int(path.name))
        if found is not None and found[0] != "Z" and found[1] == pid:
            children.append(int(path.name))
    return children


def test_the_bound_process_ends_with_a_solve_that_is_killed(tmp_path: Path) -> None:
    """A batch system or a container stops a solve with SIGTERM, or SIGKILL, which the
    solve cannot catch: the column bound's process, which works beside the search, ends
    with it (`tests/test_column_bound.py` shows how)."""
    arguments = ["solve", str(FIXTURES / "elementary"), "--out", str(tmp_path), "--time-limit"]
    process = subprocess.Popen(
        skillgroups_command(*arguments, "120"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=bare_environment(),
    )
    assert process.stderr is not None
    process.stderr.readline()  # loaded: the search and the bound's process begin
    waited = time.monotonic() + 30
    while not (bound := children_of(process.pid)) and time.monotonic() < waited:
        time.sleep(0.1)
    assert bound, "the column bound's process never started"
    process.kill()
    process.wait(timeout=30)
    waited = time.monotonic() + 10
    while any(map(is_running, bound)) and time.monotonic() < waited:
        time.sleep(0.1)
    assert not any(map(is_running, bound))


@pytest.mark.parametrize(
    "option",
    [("--time-limit", "inf"), ("--seed", str(2**31)), ("--seed", "-1")],
    ids=["an endless time limit (returned the greedy roster at once)", "a seed too large", "-1"],
)
def test_solve_options_out_of_range_exit_2(tmp_path: Path, option: tuple[str, str]) -> None:
    run = skillgroups("solve", SMALL, "--out", tmp_path, "--workers", "1", *option)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert f"Invalid value for '{option[0]}'" in run.stderr
    assert not (tmp_path / "schedule.json").exists()
