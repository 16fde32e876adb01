"""What a person checks at a glance before solving: who needs what, who has time.

The capacity check is deliberately simple (groups filled to max_size, every
minute of a staff member usable) so a person can redo it by hand; it flags a
subject that cannot fit however well the solver packs it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from solver.model import School, Staff


@dataclass(frozen=True)
class StaffTime:
    staff_id: str
    name: str
    teaches: str
    max_tier: int
    minutes_per_week: int


@dataclass(frozen=True)
class SubjectCapacity:
    """Intervention minutes a subject needs per week against what its staff have."""

    subject: str
    needs: int
    minutes_needed: int
    minutes_available: int

    @property
    def fits(self) -> bool:
        return self.minutes_needed <= self.minutes_available


@dataclass(frozen=True)
class SchoolSummary:
    students: int
    needs_by_bucket: dict[tuple[str, str, int], int]
    staff: list[StaffTime]
    capacity: list[SubjectCapacity]

    @property
    def needs(self) -> int:
        return sum(self.needs_by_bucket.values())


def summarize(school: School) -> SchoolSummary:
    buckets: Counter[tuple[str, str, int]] = Counter(
        (n.subject, n.skill, n.tier) for n in school.needs
    )
    staff = [
        StaffTime(s.staff_id, s.name, ";".join(s.teaches), s.max_tier, available_minutes(school, s))
        for s in school.staff
    ]
    return SchoolSummary(
        students=len(school.students),
        needs_by_bucket=dict(sorted(buckets.items())),
        staff=staff,
        capacity=_capacity(school, buckets, staff),
    )


def available_minutes(school: School, staff: Staff) -> int:
    """Minutes per week inside the staff member's windows, overlaps counted once."""
    settings = school.settings
    minutes_by_day: dict[str, set[int]] = defaultdict(set)
    for window in school.availability:
        if window.staff_id != staff.staff_id:
            continue
        start, end = max(window.start, settings.day_start), min(window.end, settings.day_end)
        for day in window.days:
            if day in settings.days:
                minutes_by_day[day].update(range(start, end))
    return sum(len(m) for m in minutes_by_day.values())


def _capacity(
    school: School, buckets: Counter[tuple[str, str, int]], staff: list[StaffTime]
) -> list[SubjectCapacity]:
    needed: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for (subject, skill, tier), count in buckets.items():
        counts[subject] += count
        program = school.program_for(subject, skill, tier)
        if program is not None:
            groups = math.ceil(count / program.max_size)
            needed[subject] += groups * program.sessions_per_week * program.minutes
    result = []
    for subject in sorted(counts):
        available = sum(
            time.minutes_per_week
            for time, member in zip(staff, school.staff, strict=True)
            if any(entry.split(":")[0] == subject for entry in member.teaches)
        )
        result.append(SubjectCapacity(subject, counts[subject], needed[subject], available))
    return result
