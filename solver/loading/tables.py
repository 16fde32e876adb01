"""Raw tables: the cells of one CSV file or workbook sheet, before any meaning.

Reading is kept apart from validation so a CSV folder and a workbook go through
the same checks, and every cell keeps the row number a person sees in a
spreadsheet (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from solver.files import read_text
from solver.problems import Problem


@dataclass
class RawTable:
    """The header and non-blank rows of one table, cells as trimmed text."""

    source: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def table_from_cells(source: str, cells: list[list[str]]) -> tuple[RawTable | None, list[Problem]]:
    """Turn rows of text cells (the first is the header) into a `RawTable`."""
    header_index = next((i for i, row in enumerate(cells) if any(row)), None)
    if header_index is None:
        return None, [Problem(source, "the file is empty; it needs a header row")]
    header = [cell.strip().lower() for cell in cells[header_index]]
    header_row = header_index + 1
    problems = _header_problems(source, header, header_row)
    if problems:
        return None, problems
    table = RawTable(source, [c for c in header if c])
    for number, row in enumerate(cells[header_index + 1 :], start=header_row + 1):
        if not any(cell.strip() for cell in row):
            continue
        extra = [c for c in row[len(header) :] if c.strip()]
        if extra:
            problems.append(
                Problem(
                    source,
                    f"this row has {len(row)} cells but the header has {len(header)} columns",
                    row=number,
                    value=extra[0],
                )
            )
            continue
        named = {name: cell.strip() for name, cell in zip(header, row, strict=False) if name}
        problems += [
            Problem(source, CONTROL_MESSAGE, number, name, _shown(cell))
            for name, cell in named.items()
            if CONTROL.search(cell)
        ]
        table.rows.append((number, named))  # still read: its ids are no one else's problem
    return table, problems


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters (all but tab and line breaks): nobody types them, a workbook cannot
hold them (converting raised), and printed they can drive a terminal."""
CONTROL_MESSAGE = "holds a control character, left by a broken export; retype the cell"


def _shown(cell: str) -> str:
    """The cell with its control characters written out, safe to print."""
    return CONTROL.sub(lambda found: f"\\x{ord(found[0]):02x}", cell)


def _header_problems(source: str, header: list[str], row: int) -> list[Problem]:
    if len(header) == 1 and header[0].count(";") >= 1:
        return [
            Problem(
                source,
                "the file is separated by semicolons; save it as comma-separated CSV",
                row=row,
                value=header[0],
            )
        ]
    counts = Counter(name for name in header if name)
    return [
        Problem(source, "this column name appears more than once", row=row, column=name)
        for name, count in counts.items()
        if count > 1
    ]


def read_csv_table(path: Path) -> tuple[RawTable | None, list[Problem]]:
    """Read one CSV file: UTF-8 (a BOM is fine), comma-separated, one header row."""
    source = path.name
    text, problems = read_text(path, source, "'CSV UTF-8'")
    if text is None:
        return None, problems
    if "\x00" in text:
        return None, [Problem(source, "the file holds binary data, not CSV text")]
    cells: list[list[str]] = []
    try:
        # strict: a quote never closed would otherwise swallow the rest of the file
        cells.extend(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        message = f"the file is not valid CSV ({error}): is a quote not closed, or doubled?"
        return None, [Problem(source, message, row=len(cells) + 1)]
    return table_from_cells(source, cells)
