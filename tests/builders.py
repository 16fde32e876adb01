"""Schools built in code, row by row, for solver tests and property tests, and the paths
of the bundled ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from solver.model import School
from solver.values import Day

WEEK = [Day.MON, Day.TUE, Day.WED, Day.THU, Day.FRI]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
"""The bundled sample schools."""
SMALL = FIXTURES / "small"


def student(student_id: str, grade: str = "2", homeroom: str = "H1") -> dict[str, Any]:
    return {
        "student_id": student_id,
        "name": f"Student {student_id}",
        "grade": grade,
        "homeroom": homeroom,
    }


def need(student_id: str, skill: str = "phonics", tier: int = 2, **more: Any) -> dict[str, Any]:
    return {
        "student_id": student_id,
        "subject": more.pop("subject", "reading"),
        "skill": skill,
        "tier": tier,
        **more,
    }


def program(tier: int = 2, **more: Any) -> dict[str, Any]:
    row = {
        "subject": "reading",
        "skill": "*",
        "tier": tier,
        "min_size": 1,
        "max_size": 3,
        "sessions_per_week": 2,
        "minutes": 30,
        "max_grade_span": 1,
    }
    return row | more


def staff(
    staff_id: str = "T1", teaches: str = "reading", max_tier: int = 3, **more: Any
) -> dict[str, Any]:
    return {
        "staff_id": staff_id,
        "name": f"Teacher {staff_id}",
        "teaches": teaches,
        "max_tier": max_tier,
        **more,
    }


def window(
    staff_id: str = "T1", days: str = "all", start: str = "08:00", end: str = "12:00"
) -> dict[str, Any]:
    return {"staff_id": staff_id, "days": days, "start": start, "end": end}


def block(
    owner: str = "H1",
    days: str = "all",
    start: str = "09:00",
    end: str = "10:00",
    activity: str = "Core ELA",
    pull_out: str = "never",
) -> dict[str, Any]:
    return {
        "owner": owner,
        "days": days,
        "start": start,
        "end": end,
        "activity": activity,
        "pull_out": pull_out,
    }


def school(**tables: Any) -> School:
    """A school with a Mon-Fri 08:00-12:00 day on a 30-minute grid, and the given rows."""
    settings = {
        "name": "Test School",
        "days": "Mon-Fri",
        "day_start": "08:00",
        "day_end": "12:00",
        "start_step_minutes": 30,
    } | tables.pop("settings", {})
    data = {
        "settings": settings,
        "programs": [program(2), program(3)],
        "staff": [staff()],
        "availability": [window()],
        "timetable": [block()],
        **tables,
    }
    return School.model_validate(data, context={"school_days": WEEK})


def one_full_group_a_week() -> School:
    """Six students, one 30-minute window on two days, groups of three meeting twice: any
    schedule places three, and so does the bound."""
    return school(
        students=[student(i) for i in "ABCDEF"],
        needs=[need(i) for i in "ABCDEF"],
        programs=[program(2), program(3)],
        availability=[window(days="Mon, Tue", start="08:00", end="08:30")],
    )
