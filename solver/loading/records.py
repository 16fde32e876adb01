"""Raw table rows into row models, one problem per bad cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from solver.loading.errors import friendly_message
from solver.loading.tables import RawTable
from solver.model import Row
from solver.problems import Problem

R = TypeVar("R", bound=Row)


@dataclass
class Records(Generic[R]):
    """The valid rows of one table, with the spreadsheet row each came from.

    ``rejected`` keeps the first-column value (the id) of rows that failed, so
    later checks do not report "unknown id" for a row already reported as bad.
    """

    source: str
    items: list[R] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    rejected: set[str] = field(default_factory=set)


def required_columns(model: type[Row]) -> list[str]:
    return [name for name, info in model.model_fields.items() if info.is_required()]


def read_records(
    table: RawTable, model: type[R], context: dict[str, Any]
) -> tuple[Records[R] | None, list[Problem]]:
    """Validate every row; a table missing a required column is not read at all."""
    missing = [name for name in required_columns(model) if name not in table.columns]
    if missing:
        return None, [
            Problem(table.source, "this required column is missing", row=1, column=name)
            for name in missing
        ]
    records: Records[R] = Records(table.source)
    problems: list[Problem] = []
    first_column = next(iter(model.model_fields))
    for number, cells in table.rows:
        given = {name: cells[name] for name in model.model_fields if cells.get(name, "") != ""}
        try:
            record = model.model_validate(given, context=context)
        except ValidationError as error:
            problems.extend(_cell_problems(table.source, number, cells, error))
            records.rejected.add(cells.get(first_column, ""))
            continue
        records.items.append(record)
        records.rows.append(number)
    return records, problems


def _cell_problems(
    source: str, row: int, cells: dict[str, str], error: ValidationError
) -> list[Problem]:
    problems = []
    for detail in error.errors():
        column = str(detail["loc"][0]) if detail["loc"] else None
        value = (cells.get(column) or None) if column else None
        problems.append(Problem(source, friendly_message(detail), row, column, value))
    return problems
