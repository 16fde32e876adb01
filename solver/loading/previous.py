"""Last window's schedule.json, read back as the solver's `previous` roster."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from solver.loading.errors import friendly_message
from solver.problems import Problem
from solver.schedule import Schedule

FORMAT = "school-schedule/1"


def load_previous(path: Path) -> tuple[Schedule | None, list[Problem]]:
    """The previous schedule, or the problems that make it unusable."""
    source = path.name
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        return None, [Problem(str(path), "no such file")]
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        line = getattr(error, "lineno", None)
        return None, [Problem(source, f"not a schedule.json file: {error}", row=line)]
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        message = f"not a schedule in the format {FORMAT}"
        return None, [Problem(source, message, column="format", value=str(found))]
    try:
        return Schedule.model_validate(data), []
    except ValidationError as error:
        return None, [
            Problem(source, friendly_message(d), column=".".join(map(str, d["loc"])))
            for d in error.errors()
        ]
