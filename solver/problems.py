"""Problems found in a school's data, each pointing at the cell a person must fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem, printed ``file:row:column: message (value)``.

    ``row`` counts like a spreadsheet does (the header is row 1), so a person can
    go straight to the cell.  Parts that do not apply are left out.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        place = ":".join(str(p) for p in (self.file, self.row, self.column) if p is not None)
        shown = f" ({self.value})" if self.value not in (None, "") else ""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{place}: {prefix}{self.message}{shown}"


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]
