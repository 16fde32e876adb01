"""The `skillgroups` command line: validate, describe and convert a school's data."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.exports import change_files
from api.render import (
    print_changes,
    print_problems,
    print_schedule,
    print_summary,
    progress_line,
)
from solver.changes import compare
from solver.continuity import PinError
from solver.files import write_whole
from solver.loading import load_school, school_files
from solver.loading.previous import load_previous
from solver.model import School
from solver.options import MOST_SECONDS, MOST_SEED
from solver.problems import Problem, errors
from solver.schedule import Schedule, schedule_json
from solver.screening import import_screening, load_rules
from solver.screening.files import needs_csv, read_export, read_roster
from solver.solve import Progress, SolveOptions, SolveResult
from solver.solve import solve as solve_school
from solver.summary import summarize

app = typer.Typer(
    help="Build small-group intervention rosters from a school's data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Names, ids and paths come from a school's files, so nothing printed is read as rich
# markup: a staff member named "Lee [/b]" would make rich raise.
console = Console(highlight=False, markup=False)
error_console = Console(stderr=True, highlight=False, markup=False)

BAD_INPUT = 2
INTERRUPTED = 130
"""A second Ctrl-C quits without waiting for the search to stop (128 + SIGINT, as shells
report it)."""

SchoolPath = Annotated[
    Path, typer.Argument(help="A folder of CSV files with school.toml, or an .xlsx workbook.")
]


def _load_or_exit(path: Path) -> School:
    """Load the school, or print every problem and exit with code 2."""
    result = load_school(path)
    print_problems(error_console, result.problems)
    if result.school is None:
        count = len(errors(result.problems))
        error_console.print(f"{count} problem(s) must be fixed in {path}.", style="bold red")
        raise typer.Exit(BAD_INPUT)
    return result.school


@app.command()
def validate(path: SchoolPath) -> None:
    """Check a school's data and show counts, staff time and a capacity check."""
    school = _load_or_exit(path)
    print_summary(console, school.settings.name, summarize(school))
    console.print("No errors.", style="green")


@app.command()
def solve(
    path: SchoolPath,
    out: Annotated[Path, typer.Option(help="Folder for schedule.json.")] = Path("out"),
    time_limit: Annotated[
        float, typer.Option(help="Seconds to search.", min=1, max=MOST_SECONDS)
    ] = 30.0,
    seed: Annotated[int, typer.Option(help="Random seed of the search.", min=0, max=MOST_SEED)] = 0,
    workers: Annotated[int, typer.Option(help="Cores to use (1 = reproducible).", min=1)] = 2,
    previous: Annotated[
        Path | None, typer.Option(help="Last window's schedule.json: keep its groups.")
    ] = None,
) -> None:
    """Build the roster: groups, members and weekly times; writes OUT/schedule.json."""
    school = _load_or_exit(path)
    last = _previous_or_exit(previous) if previous else None
    options = SolveOptions(time_limit=time_limit, workers=workers, seed=seed)
    try:
        result = _solve_with_progress(school, options, last)
    except PinError as error:
        error_console.print(str(error), style="red")
        raise typer.Exit(BAD_INPUT) from None
    print_problems(error_console, result.warnings)
    files = {out / "schedule.json": schedule_json(result.schedule)}
    report = compare(school, last, result.schedule) if last is not None else None
    if report is not None:
        files |= change_files(report, out)
    _write_or_exit(files)
    print_schedule(console, school, result)
    if report is not None:
        print_changes(console, report)
    console.print(f"Wrote {', '.join(str(path) for path in files)}.")


def _write_or_exit(files: Mapping[Path, str | bytes]) -> None:
    """Write every file whole, or none and exit with code 2 naming the one that failed."""
    try:
        write_whole(files)
    except OSError as error:
        where = error.filename or next(iter(files))
        print_problems(
            error_console, [Problem(str(where), f"cannot write ({error.strerror or error})")]
        )
        raise typer.Exit(BAD_INPUT) from None


def _previous_or_exit(path: Path) -> Schedule:
    schedule, problems = load_previous(path)
    print_problems(error_console, problems)
    if schedule is None:
        raise typer.Exit(BAD_INPUT)
    return schedule


def _solve_with_progress(
    school: School, options: SolveOptions, previous: Schedule | None
) -> SolveResult:
    """Solve in a worker thread so Ctrl-C stops the search and keeps the best schedule.
    The worker says when it is done with an event: `Thread.join` interrupted by Ctrl-C
    can take the thread for finished while it still runs (Python 3.11), and the CLI then
    found no result and raised."""
    stop, done = threading.Event(), threading.Event()
    outcome: list[SolveResult] = []
    failure: list[Exception] = []

    def run(show: Callable[[Progress], None]) -> None:
        try:
            outcome.append(solve_school(school, options, show, stop, previous))
        except Exception as error:  # raised again below: PinError is bad input, others bugs
            failure.append(error)
        finally:
            done.set()

    with console.status("starting") as status:

        def show(progress: Progress) -> None:
            status.update(progress_line(progress))

        threading.Thread(target=run, args=(show,), daemon=True).start()
        try:
            while not done.wait(0.1):
                pass
        except KeyboardInterrupt:
            stop.set()
            status.update("stopping: keeping the best schedule found (Ctrl-C again to quit)")
            try:
                done.wait()
            except KeyboardInterrupt:
                error_console.print("Quit: no schedule written.")
                raise typer.Exit(INTERRUPTED) from None
    if failure:
        raise failure[0]
    return outcome[0]


@app.command("import-screening")
def import_screening_command(
    files: Annotated[list[Path], typer.Argument(help="Screening exports (CSV or .xlsx).")],
    roster: Annotated[Path, typer.Option(help="The school folder or its students.csv.")],
    out: Annotated[Path, typer.Option(help="The needs.csv to write.")] = Path("needs.csv"),
) -> None:
    """Turn screening exports (DIBELS 8, Acadience, aimswebPlus, FastBridge, i-Ready, Star,
    or a generic file) into needs.csv, by the rules in screening_rules.toml."""
    students, problems = read_roster(roster)
    tables = []
    for path in files:
        table, found = read_export(path)
        problems += found
        if table is not None:
            tables.append(table)
    rules, found = load_rules(roster if roster.is_dir() else roster.parent)
    problems += found
    if students is None or rules is None or errors(problems):
        print_problems(error_console, problems)
        raise typer.Exit(BAD_INPUT)
    result = import_screening(tables, students, rules)
    print_problems(error_console, problems + result.problems)
    if errors(result.problems):
        raise typer.Exit(BAD_INPUT)
    _write_or_exit({out: needs_csv(result.needs)})
    console.print(f"Wrote {len(result.needs)} needs to {out}.")


class SchemaPart(StrEnum):
    INPUT = "input"
    SCHEDULE = "schedule"
    ALL = "all"


@app.command()
def schema(
    part: Annotated[SchemaPart, typer.Argument(help="Which schema to print.")] = SchemaPart.ALL,
) -> None:
    """Print the JSON Schema of the input data and/or of schedule.json."""
    schemas = {
        "input": School.model_json_schema(),
        "schedule": Schedule.model_json_schema(mode="serialization"),
    }
    chosen = schemas if part is SchemaPart.ALL else schemas[part.value]
    typer.echo(json.dumps(chosen, indent=2))


@app.command()
def convert(
    source: SchoolPath,
    destination: Annotated[
        Path, typer.Argument(help="Where to write: a name ending in .xlsx, or a folder.")
    ],
) -> None:
    """Convert a school between a CSV folder and an .xlsx workbook (either way)."""
    school = _load_or_exit(source)
    _write_or_exit(school_files(school, destination))
    console.print(f"Wrote {destination}.")


if __name__ == "__main__":
    app()
