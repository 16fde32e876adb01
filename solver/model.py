"""The school, as the interventionist describes it: the input half of the contract.

These pydantic types are the single source of truth of the data format
(``shared/spec/school-data.md``): the CSV columns are the field names of the row
models, a CSV file is named after the `School` field that holds its rows, and the
API schema is generated from the same classes. Range checks live here, in
``Field``; checks across records live in `solver.checks`.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from solver.values import (
    ClockTime,
    Day,
    DayList,
    GradeLevel,
    Ident,
    Label,
    PullOut,
    TeachingList,
    Tier,
)

MOST_STUDENTS = 1000
"""Group sizes above this are refused as typing errors: no school runs a larger group,
and a size of 10**30 made CP-SAT's integers overflow and the listing loop over every
size for longer than any time limit."""
MINUTES_A_DAY = 24 * 60
"""A session or a buffer between sessions is at most a day long."""


class Row(BaseModel):
    """One row of one CSV file: immutable, extra columns ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


def _end_after_start(end: int, info: ValidationInfo) -> int:
    start = info.data.get("start")
    if start is not None and end <= start:
        raise ValueError("end must be after start")
    return end


class ObjectiveWeights(BaseModel):
    """Relative weights of what a good schedule achieves; higher objective is better."""

    model_config = ConfigDict(extra="forbid")

    serve_tier3: int = Field(1000, ge=0, description="Per student-need of tier 3 placed.")
    serve_tier2: int = Field(600, ge=0, description="Per student-need of tier 2 placed.")
    avoid_minutes: int = Field(
        1, ge=0, description="Cost per minute a student spends away from an `avoid` block."
    )
    prefer_minutes: int = Field(
        1, ge=0, description="Reward per minute a student spends inside a `prefer` block."
    )
    score_spread: int = Field(
        2, ge=0, description="Cost per point of (max score - min score) inside a group."
    )
    time_changes: int = Field(
        5, ge=0, description="Cost per extra distinct start time a group uses in its week."
    )
    moved_student: int = Field(
        50,
        ge=0,
        description="Cost per student-need whose group changed from the previous schedule.",
    )

    def serve(self, tier: int) -> int:
        """The weight of placing one need of this tier."""
        return self.serve_tier3 if tier == 3 else self.serve_tier2


class SchoolSettings(BaseModel):
    """school.toml: the school's week and what the roster optimises."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, description="The school's name, shown on every export.")
    days: DayList = Field(description="The school days of a week, e.g. Mon..Fri.")
    day_start: ClockTime = Field(description="When the school day starts (HH:MM).")
    day_end: ClockTime = Field(description="When the school day ends (HH:MM).")
    start_step_minutes: int = Field(
        5,
        ge=1,
        le=240,
        description="Sessions start on this grid of minutes, counted from day_start.",
    )
    window: str | None = Field(None, description="Label of the screening window, e.g. 2026-winter.")
    window_start: dt.date | None = Field(None, description="First school date the roster runs.")
    window_end: dt.date | None = Field(None, description="Last school date the roster runs.")
    objective: ObjectiveWeights = Field(
        default_factory=ObjectiveWeights, description="Relative weights of the objective."
    )

    @field_validator("day_end")
    @classmethod
    def _day_ends_after_start(cls, end: int, info: ValidationInfo) -> int:
        start = info.data.get("day_start")
        if start is not None and end <= start:
            raise ValueError("day_end must be after day_start")
        return end

    @field_validator("window_end")
    @classmethod
    def _window_ends_after_start(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("window_start")
        if end is not None and start is not None and end < start:
            raise ValueError("window_end must not be before window_start")
        return end

    @property
    def day_minutes(self) -> int:
        return self.day_end - self.day_start


class Student(Row):
    """students.csv: one row per student of the school."""

    student_id: Ident = Field(description="The school's id of the student; unique.")
    name: str = Field(min_length=1, description="Display name; never written to logs.")
    grade: GradeLevel = Field(description="PK, K or 1..12 (PK counts as -1, K as 0).")
    homeroom: Ident = Field(
        description="The classroom teacher's id; must own blocks in timetable.csv."
    )


class Need(Row):
    """needs.csv: one student's need for intervention in one subject."""

    student_id: Ident = Field(description="The student; must exist in students.csv.")
    subject: Label = Field(description="reading, math, behavior, or any word used consistently.")
    skill: Label = Field(description="The skill focus, e.g. phonics or computation.")
    tier: Tier = Field(description="Intensity: 2 or 3.")
    score: float | None = Field(
        None,
        allow_inf_nan=False,
        description="Screening score within the skill; groups keep scores close.",
    )
    sessions_per_week: int | None = Field(
        None, ge=1, le=7, description="Overrides the program's sessions per week (e.g. an IEP)."
    )

    @property
    def key(self) -> tuple[str, str]:
        """A student has at most one need per subject, so this names the need."""
        return (self.student_id, self.subject)


class Program(Row):
    """programs.csv: how groups of one subject, skill and tier run."""

    subject: Label = Field(description="The subject of the groups.")
    skill: Label = Field(description="The skill, or * for every skill without its own row.")
    tier: Tier = Field(description="2 or 3.")
    min_size: int = Field(ge=1, le=MOST_STUDENTS, description="Fewest students in a group.")
    max_size: int = Field(ge=1, le=MOST_STUDENTS, description="Most students in a group.")
    sessions_per_week: int = Field(
        ge=1, le=7, description="Sessions of one group per week, each on a different day."
    )
    minutes: int = Field(ge=1, le=MINUTES_A_DAY, description="Length of one session in minutes.")
    max_grade_span: int = Field(
        ge=0, description="Largest grade difference inside one group (0 = one grade only)."
    )

    @field_validator("max_size")
    @classmethod
    def _max_not_below_min(cls, max_size: int, info: ValidationInfo) -> int:
        min_size = info.data.get("min_size")
        if min_size is not None and max_size < min_size:
            raise ValueError(f"max_size must be at least min_size ({min_size})")
        return max_size


class Staff(Row):
    """staff.csv: an interventionist who may run groups."""

    staff_id: Ident = Field(description="Unique id of the staff member.")
    name: str = Field(min_length=1, description="Display name.")
    teaches: TeachingList = Field(
        description="What this person may deliver: `subject` or `subject:skill`, `;`-separated."
    )
    max_tier: Tier = Field(description="The highest tier this person may deliver.")
    max_sessions_per_day: int | None = Field(None, ge=1, description="Most sessions on one day.")
    max_groups: int | None = Field(None, ge=0, description="Most groups this person runs.")
    buffer_minutes: int = Field(
        0,
        ge=0,
        le=MINUTES_A_DAY,
        description="Free minutes needed between two sessions (walking, notes).",
    )

    def can_teach(self, subject: str, skill: str, tier: int) -> bool:
        """Rule 5: the subject or subject:skill is taught, at this tier or above."""
        taught = subject in self.teaches or f"{subject}:{skill}" in self.teaches
        return taught and tier <= self.max_tier


class Availability(Row):
    """availability.csv: a window in which a staff member may run sessions."""

    staff_id: Ident = Field(description="The staff member; must exist in staff.csv.")
    days: DayList = Field(description="Days: `Mon`, `Mon;Wed`, `Mon-Thu` or `all`.")
    start: ClockTime = Field(description="Start of the window (HH:MM).")
    end: ClockTime = Field(description="End of the window (HH:MM), after start.")

    _end = field_validator("end")(_end_after_start)


class Block(Row):
    """timetable.csv: a class activity of a homeroom, or a commitment of one student."""

    owner: Ident = Field(description="A homeroom teacher's id, or a student_id for one student.")
    days: DayList = Field(description="Days: `Mon`, `Mon;Wed`, `Mon-Thu` or `all`.")
    start: ClockTime = Field(description="Start of the block (HH:MM).")
    end: ClockTime = Field(description="End of the block (HH:MM), after start.")
    activity: str = Field(min_length=1, description="e.g. Core ELA, Lunch, Art, Science, WIN.")
    pull_out: Annotated[PullOut, BeforeValidator(lambda v: str(v).strip().lower())] = Field(
        description="never, avoid, ok or prefer: may a student leave this block for a group?"
    )

    _end = field_validator("end")(_end_after_start)


class ApartPair(Row):
    """apart.csv: two students who are never put in the same group."""

    student_a: Ident = Field(description="One student.")
    student_b: Ident = Field(description="The other student.")


class Pin(Row):
    """pins.csv: keep a student-need in a group of the previous schedule."""

    student_id: Ident = Field(description="The student.")
    subject: Label = Field(description="The subject of the need.")
    group_id: Ident = Field(description="The group_id in the previous schedule.")


class School(BaseModel):
    """Everything the solver needs about one school for one screening window.

    Each list field is one CSV file (or workbook sheet) named after the field;
    a field with a default is an optional file.
    """

    settings: SchoolSettings = Field(description="school.toml")
    students: list[Student] = Field(description="students.csv")
    needs: list[Need] = Field(description="needs.csv")
    programs: list[Program] = Field(description="programs.csv")
    staff: list[Staff] = Field(description="staff.csv")
    availability: list[Availability] = Field(description="availability.csv")
    timetable: list[Block] = Field(description="timetable.csv")
    apart: list[ApartPair] = Field(default_factory=list, description="apart.csv (optional)")
    pins: list[Pin] = Field(default_factory=list, description="pins.csv (optional)")

    @classmethod
    def tables(cls) -> list[tuple[str, type[Row], bool]]:
        """(file stem, row model, required) for every CSV file of the format."""
        result = []
        for name, field in cls.model_fields.items():
            (row_model,) = get_args(field.annotation) or (None,)
            if isinstance(row_model, type) and issubclass(row_model, Row):
                result.append((name, row_model, field.is_required()))
        return result

    @cached_property
    def student_by_id(self) -> dict[str, Student]:
        return {s.student_id: s for s in self.students}

    @cached_property
    def staff_by_id(self) -> dict[str, Staff]:
        return {s.staff_id: s for s in self.staff}

    def program_for(self, subject: str, skill: str, tier: int) -> Program | None:
        """The program's own row for the skill, else the subject's `*` row."""
        exact = generic = None
        for program in self.programs:
            if (program.subject, program.tier) == (subject, tier):
                if program.skill == skill:
                    exact = program
                elif program.skill == "*":
                    generic = program
        return exact or generic


__all__ = [
    "ApartPair",
    "Availability",
    "Block",
    "Day",
    "Need",
    "ObjectiveWeights",
    "Pin",
    "Program",
    "School",
    "SchoolSettings",
    "Staff",
    "Student",
]
