"""The `skillgroups` command line: validate, describe and convert a school's data."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.render import print_problems, print_summary
from solver.loading import load_school, save_school
from solver.model import School
from solver.problems import errors
from solver.schedule import Schedule
from solver.summary import summarize

app = typer.Typer(
    help="Build small-group intervention rosters from a school's data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
error_console = Console(stderr=True, highlight=False)

BAD_INPUT = 2

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
    try:
        save_school(school, destination)
    except OSError as error:
        error_console.print(f"{destination}: cannot write ({error.strerror})", style="red")
        raise typer.Exit(BAD_INPUT) from None
    console.print(f"Wrote {destination}.")


if __name__ == "__main__":
    app()
