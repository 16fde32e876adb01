"""school.toml, or the `school` sheet of a workbook, into `SchoolSettings`."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from solver.files import read_text
from solver.loading.errors import friendly_message
from solver.loading.tables import RawTable
from solver.model import SchoolSettings
from solver.problems import Problem


def read_toml_settings(path: Path) -> tuple[SchoolSettings | None, list[Problem]]:
    """Parse school.toml; a syntax error names its line."""
    source = path.name
    text, problems = read_text(path, source, "UTF-8")
    if text is None:
        return None, problems
    data, problems = parse_toml(source, text)
    if data is None:
        return None, problems
    return validate_settings(source, data, lambda key: _toml_line(text, key))


def parse_toml(source: str, text: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The TOML data, or its syntax error as one problem naming the line."""
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        message = "not valid TOML: " + re.sub(r" \(at .*\)$", "", str(error))
        return None, [Problem(source, message, row=int(line[1]) if line else None)]


def _toml_line(text: str, key: str) -> int | None:
    """The line where a (possibly dotted) key is set, so a person can find it."""
    name = re.escape(key.rsplit(".", 1)[-1])
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*{name}\s*=", line):
            return number
    return None


def settings_from_table(table: RawTable) -> tuple[SchoolSettings | None, list[Problem]]:
    """A workbook's `school` sheet: `key, value` rows; `objective.x` keys nest."""
    if not {"key", "value"} <= set(table.columns):
        return None, [Problem(table.source, "the sheet needs the columns key and value", row=1)]
    data: dict[str, Any] = {}
    rows: dict[str, int] = {}
    twice = []
    for number, cells in table.rows:
        key, value = cells.get("key", "").lower(), cells.get("value", "")
        if not key or value == "":
            continue
        parent, _, child = key.partition(".")
        place = data.setdefault(parent, {}) if child else data
        if not isinstance(place, dict) or (child or key) in place:
            # `name` and `name.x`, or one key on two rows: which one was meant?
            twice.append(Problem(table.source, "this key is set twice", number, "key", key))
            continue
        place[child or key] = value
        rows[key] = number
    settings, problems = validate_settings(table.source, data, rows.get)
    return (None if twice else settings), twice + problems


def validate_settings(
    source: str, data: dict[str, Any], line_of: Any
) -> tuple[SchoolSettings | None, list[Problem]]:
    """Validate raw settings; every problem names its key (and line, when known)."""
    try:
        return SchoolSettings.model_validate(data), []
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            key = ".".join(str(part) for part in detail["loc"])
            value = value_at(data, detail["loc"])
            shown = None if value is None or isinstance(value, dict) else str(value)
            problems.append(Problem(source, friendly_message(detail), line_of(key), key, shown))
        return None, problems


def value_at(data: Any, loc: Sequence[Any]) -> Any:
    """What TOML data holds where a validation error points, or None where nothing is."""
    for part in loc:
        in_list = isinstance(data, list) and isinstance(part, int) and part < len(data)
        if not (in_list or (isinstance(data, dict) and part in data)):
            return None
        data = data[part]
    return data
