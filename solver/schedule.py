"""The output half of the contract: ``schedule.json`` (format ``school-schedule/1``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from solver.values import ClockTime, Day, Ident, Label, Tier

Status = Literal["optimal", "feasible", "infeasible", "no_solution_in_time"]


class Session(BaseModel):
    """One weekly meeting of a group."""

    model_config = ConfigDict(frozen=True)

    day: Day = Field(description="The day of the week.")
    start: ClockTime = Field(description="Start time (HH:MM).")
    end: ClockTime = Field(description="End time (HH:MM).")


class Group(BaseModel):
    """A small group: one staff member, students sharing one need, weekly sessions."""

    model_config = ConfigDict(frozen=True)

    group_id: Ident = Field(description="Stable id of the group, e.g. G01.")
    staff_id: Ident = Field(description="The interventionist who runs the group.")
    subject: Label = Field(description="The subject of the group.")
    skill: Label = Field(description="The skill focus shared by all members.")
    tier: Tier = Field(description="The tier shared by all members.")
    students: list[Ident] = Field(min_length=1, description="The members' student ids.")
    sessions: list[Session] = Field(min_length=1, description="The weekly sessions.")


class Unplaced(BaseModel):
    """A student-need no group could take, with the reasons a person can act on."""

    model_config = ConfigDict(frozen=True)

    student_id: Ident = Field(description="The student.")
    subject: Label = Field(description="The subject of the need.")
    skill: Label = Field(description="The skill of the need.")
    tier: Tier = Field(description="The tier of the need.")
    reasons: list[str] = Field(min_length=1, description="Why, most specific first.")


class Schedule(BaseModel):
    """schedule.json: every student-need appears once, in a group or in `unplaced`."""

    format: Literal["school-schedule/1"] = Field(
        "school-schedule/1", description="Format tag of this file."
    )
    school: str = Field(description="The school's name.")
    window: str | None = Field(None, description="The screening window this roster serves.")
    status: Status = Field(description="How far the solver got.")
    objective: int | None = Field(None, description="The schedule's objective (higher is better).")
    best_bound: int | None = Field(
        None, description="No schedule can have an objective above this bound."
    )
    solve_seconds: float = Field(0.0, ge=0, description="Wall-clock seconds of the solve.")
    groups: list[Group] = Field(default_factory=list, description="The groups.")
    unplaced: list[Unplaced] = Field(default_factory=list, description="Needs left unplaced.")


def groups_match(a: Group, b: Group) -> bool:
    """The contract's rule: same group_id, or same staff, subject, skill and sessions.

    A need kept in a matching group is not moved.
    """
    same_sessions = {(s.day, s.start, s.end) for s in a.sessions} == {
        (s.day, s.start, s.end) for s in b.sessions
    }
    same_kind = (a.staff_id, a.subject, a.skill) == (b.staff_id, b.subject, b.skill)
    return a.group_id == b.group_id or (same_kind and same_sessions)


def schedule_json(schedule: Schedule) -> str:
    """The text of schedule.json."""
    return schedule.model_dump_json(indent=2) + "\n"
