"""When students may leave class and when staff may teach, precomputed once per solve.

Every session starts on the school's start grid, so the whole week is a small set
of (day, start) slots.  Answering "is this student free for 30 minutes at Tue
09:15, and how many of those minutes are `prefer` or `avoid`?" is then a few
prefix-sum lookups, which the candidate generator asks millions of times.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

from solver.model import Block, School, Staff, Student
from solver.values import Day, PullOut

Slot = tuple[Day, int]
"""A session start: the day and the clock minute."""


def in_week(slot: Slot) -> tuple[int, int]:
    """A slot's place in the week, to sort by."""
    return slot[0].order, slot[1]


@dataclass(frozen=True)
class DayMinutes:
    """Prefix counts of never / avoid / prefer minutes of one student on one day."""

    day_start: int
    never: tuple[int, ...]
    avoid: tuple[int, ...]
    prefer: tuple[int, ...]

    def count(self, counts: tuple[int, ...], start: int, end: int) -> int:
        return counts[end - self.day_start] - counts[start - self.day_start]


def _day_minutes(blocks: list[Block], day: Day, day_start: int, day_end: int) -> DayMinutes:
    """The strictest pull-out level of every minute; time no block covers is `ok`."""
    covered: list[int | None] = [None] * (day_end - day_start)
    for block in blocks:
        if day not in block.days:
            continue
        strictness = block.pull_out.strictness
        for minute in range(max(block.start, day_start), min(block.end, day_end)):
            current = covered[minute - day_start]
            if current is None or strictness > current:
                covered[minute - day_start] = strictness
    levels = [PullOut.OK.strictness if v is None else v for v in covered]

    def prefix(level: PullOut) -> tuple[int, ...]:
        strictness = level.strictness
        return (0, *accumulate(int(v == strictness) for v in levels))

    return DayMinutes(
        day_start, prefix(PullOut.NEVER), prefix(PullOut.AVOID), prefix(PullOut.PREFER)
    )


class TimeGrid:
    """Slots of the week, student free time and staff availability for one school."""

    def __init__(self, school: School) -> None:
        self.school = school
        settings = school.settings
        self.days = list(settings.days)
        self.step = settings.start_step_minutes
        self.day_start, self.day_end = settings.day_start, settings.day_end
        self._blocks_by_owner: dict[str, list[Block]] = defaultdict(list)
        for block in school.timetable:
            self._blocks_by_owner[block.owner].append(block)
        self._student_days: dict[tuple[str, str], dict[Day, DayMinutes]] = {}
        self._free_days: dict[tuple[str, str, int, int], frozenset[Day]] = {}
        self._staff_slots: dict[tuple[str, int], tuple[Slot, ...]] = {}

    def starts(self, minutes: int) -> list[int]:
        """Grid starts from which a session of this length ends by day_end."""
        return list(range(self.day_start, self.day_end - minutes + 1, self.step))

    def grid_points(self, start: int, end: int) -> list[int]:
        """Grid starts inside [start, end): where another session would collide."""
        first = self.day_start + -(-(start - self.day_start) // self.step) * self.step
        return list(range(max(first, self.day_start), end, self.step))

    def _timetable_of(self, student: Student) -> tuple[str, str]:
        """Whose blocks make the student's week: the homeroom's, and the student's own if
        they have any; students of a homeroom without blocks of their own share it."""
        own = bool(self._blocks_by_owner.get(student.student_id))
        return (student.homeroom, student.student_id if own else "")

    def _all_blocks_of(self, student: Student) -> list[Block]:
        """The homeroom's blocks and the student's own."""
        return self._blocks_by_owner.get(student.homeroom, []) + self._blocks_by_owner.get(
            student.student_id, []
        )

    def _minutes_of(self, student: Student) -> dict[Day, DayMinutes]:
        key = self._timetable_of(student)
        if key not in self._student_days:
            blocks = self._all_blocks_of(student)
            self._student_days[key] = {
                day: _day_minutes(blocks, day, self.day_start, self.day_end) for day in self.days
            }
        return self._student_days[key]

    def free_days(self, student: Student, start: int, minutes: int) -> frozenset[Day]:
        """The days a session at this start is free for the student (`student_is_free`),
        worked out once per timetable, since most students share their homeroom's."""
        key = (*self._timetable_of(student), start, minutes)
        if key not in self._free_days:
            self._free_days[key] = frozenset(
                day for day in self.days if self.student_is_free(student, day, start, minutes)
            )
        return self._free_days[key]

    def student_is_free(self, student: Student, day: Day, start: int, minutes: int) -> bool:
        """No `never` minute of the homeroom or of the student in the session, which lies
        inside the school day."""
        if start < self.day_start or start + minutes > self.day_end:
            return False
        day_minutes = self._minutes_of(student)[day]
        return day_minutes.count(day_minutes.never, start, start + minutes) == 0

    def pull_out_value(self, student: Student, day: Day, start: int, minutes: int) -> int:
        """The objective's prefer reward minus avoid cost for one member in one session."""
        weights = self.school.settings.objective
        day_minutes = self._minutes_of(student)[day]
        end = start + minutes
        return weights.prefer_minutes * day_minutes.count(
            day_minutes.prefer, start, end
        ) - weights.avoid_minutes * day_minutes.count(day_minutes.avoid, start, end)

    def blocks_of(self, student: Student) -> list[Block]:
        """The `never` blocks that hold for this student (homeroom's and own)."""
        return [b for b in self._all_blocks_of(student) if b.pull_out is PullOut.NEVER]

    @cached_property
    def _windows(self) -> dict[str, list[tuple[Day, int, int]]]:
        windows: dict[str, list[tuple[Day, int, int]]] = defaultdict(list)
        for row in self.school.availability:
            for day in row.days:
                if day in self.days:
                    windows[row.staff_id].append((day, row.start, row.end))
        return windows

    def windows_of(self, staff: Staff) -> list[tuple[Day, int, int]]:
        return self._windows.get(staff.staff_id, [])

    def staff_slots(self, staff: Staff, minutes: int) -> tuple[Slot, ...]:
        """Grid starts at which a session of this length lies inside one availability row
        (kept: greedy, pricing and reasons ask it for every pattern and need)."""
        key = (staff.staff_id, minutes)
        if key not in self._staff_slots:
            slots = {
                (day, start)
                for day, window_start, window_end in self.windows_of(staff)
                for start in self.starts(minutes)
                if window_start <= start and start + minutes <= window_end
            }
            self._staff_slots[key] = tuple(sorted(slots, key=in_week))
        return self._staff_slots[key]
