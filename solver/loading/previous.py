"""Last window's schedule.json, read back as the solver's `previous` roster."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from solver.files import read_bytes
from solver.loading.errors import friendly_message
from solver.problems import Problem
from solver.schedule import Schedule

FORMAT = "school-schedule/1"


def load_previous(path: Path) -> tuple[Schedule | None, list[Problem]]:
    """The previous schedule, or the problems that make it unusable."""
    source = path.name
    if not path.exists():
        return None, [Problem(str(path), "no such file")]
    content, problems = read_bytes(path)
    if content is None:
        return None, problems
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, nested too deep
        line = getattr(error, "lineno", None)
        return None, [Problem(source, f"not a schedule.json file: {error}", row=line)]
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        message = f"not a schedule in the format {FORMAT}"
        return None, [Problem(source, message, column="format", value=str(found))]
    try:
        schedule = Schedule.model_validate(data)
    except ValidationError as error:
        return None, [
            Problem(source, friendly_message(d), column=".".join(map(str, d["loc"])))
            for d in error.errors()
        ]
    problems = _ambiguities(source, schedule)
    return (None if problems else schedule), problems


def _ambiguities(source: str, schedule: Schedule) -> list[Problem]:
    """Regenerating keeps a matching group's id and each need's old group, so a schedule
    edited by hand with two groups under one id would give two new groups that id, and a
    need in two groups would have no one old group to keep."""
    ids = Counter(group.group_id for group in schedule.groups)
    places = Counter((s, group.subject) for group in schedule.groups for s in group.students)
    named_twice = [
        Problem(source, "this group_id is used by more than one group", None, "group_id", i)
        for i, n in ids.items()
        if n > 1
    ]
    placed_twice = [
        Problem(
            source,
            f"this student is in the {subject} groups more than once",
            None,
            "students",
            student,
        )
        for (student, subject), n in places.items()
        if n > 1
    ]
    return named_twice + placed_twice
