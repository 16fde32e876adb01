"""Candidate groups: members + staff member + weekly meeting pattern, as one column.

The roster is chosen from candidate groups (a set-packing model), because every
part of the objective is local to one group and the rules that tie a group's
members to its times (rules 1-6 and 8) are then checked once, here, when the
candidate is made.  Only the rules between groups are left to the packing model.

Meeting patterns are one start time on n distinct days: a group that meets at the
same time every day is what a school runs (and what `time_changes` rewards).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations

from solver.model import Need, Program, School, Staff, Student
from solver.schedule import Group, Schedule
from solver.timegrid import Slot, TimeGrid
from solver.values import Day

Bucket = tuple[str, str, int]
"""(subject, skill, tier): only needs of one bucket may share a group (rule 2)."""

Signature = tuple[str, str, str, frozenset[tuple[Day, int, int]]]
"""(staff_id, subject, skill, sessions): two groups with the same signature match, so a
need kept in a group of its old signature is not moved."""

STAY_SHARE = 3
"""Keeping a need in its old group (when it can still run) is worth 1/STAY_SHARE of its
serve weight to the search: with the default weights a tier-2 move costs 250 (bonus and
`moved_student`), so the search moves at most two students to serve one more.  On the
drift benchmark a half kept 99% but served 1.6% less than a fresh solve (before the
fresh greedy joined the pool); a quarter kept 91.5% on k8, one drift at 87%."""


def signature_of(
    staff_id: str, subject: str, skill: str, sessions: Iterable[Slot], minutes: int
) -> Signature:
    return (staff_id, subject, skill, frozenset((d, s, s + minutes) for d, s in sessions))


def group_signature(group: Group) -> Signature:
    return (
        group.staff_id,
        group.subject,
        group.skill,
        frozenset((s.day, s.start, s.end) for s in group.sessions),
    )


@dataclass(frozen=True)
class NeedItem:
    """A need ready to schedule: its student, its program, its own session count."""

    index: int
    need: Need
    student: Student
    program: Program
    sessions: int

    @cached_property
    def bucket(self) -> Bucket:
        """Asked for in every loop over needs (a million times in one greedy roster of a
        4,500-student school), so made once."""
        return (self.need.subject, self.need.skill, self.need.tier)


@dataclass(frozen=True)
class Pattern:
    """One start time on `len(days)` distinct days, and the needs free at all of them."""

    start: int
    days: tuple[Day, ...]
    free: tuple[int, ...]

    @cached_property
    def slots(self) -> tuple[Slot, ...]:
        return tuple((day, self.start) for day in self.days)

    @cached_property
    def free_set(self) -> frozenset[int]:
        """`free` for membership tests, which the greedy asks for every pattern."""
        return frozenset(self.free)


@dataclass(frozen=True)
class Candidate:
    """A possible group: who teaches, who attends, when it meets, what it is worth."""

    staff_id: str
    bucket: Bucket
    members: tuple[int, ...]
    slots: tuple[Slot, ...]
    minutes: int
    value: int

    @property
    def key(self) -> tuple[str, tuple[int, ...], tuple[Slot, ...]]:
        return (self.staff_id, self.members, self.slots)

    @property
    def signature(self) -> Signature:
        return signature_of(self.staff_id, self.bucket[0], self.bucket[1], self.slots, self.minutes)


@dataclass
class Instance:
    """What the solver needs about one school, computed once."""

    school: School
    grid: TimeGrid
    needs: list[NeedItem]
    unschedulable: dict[int, Need] = field(default_factory=dict)
    previous: Schedule | None = None
    stays: dict[int, Signature] = field(default_factory=dict)
    """Needs whose previous group can run again with them, and that group's signature;
    set once the kept groups are known (`solver.continuity.stayers`)."""
    _staff_slot_sets: dict[tuple[str, int], frozenset[Slot]] = field(default_factory=dict)
    checked: int = 0
    """(need, day, start) triples `patterns` has asked about: the first roster's work
    grows with them (`solver.solve.ROSTER_SECONDS`)."""

    @classmethod
    def of(cls, school: School, previous: Schedule | None = None) -> Instance:
        days = len(school.settings.days)
        items = []
        missing: dict[int, Need] = {}
        for index, need in enumerate(school.needs):
            program = school.program_for(need.subject, need.skill, need.tier)
            student = school.student_by_id.get(need.student_id)
            if program is None or student is None:
                missing[index] = need
                continue
            own = max(program.sessions_per_week, need.sessions_per_week or 0)
            items.append(NeedItem(index, need, student, program, min(own, days)))
        return cls(school, TimeGrid(school), items, missing, previous)

    @cached_property
    def index_of(self) -> dict[tuple[str, str], int]:
        """Each schedulable need's index by its key (student, subject): previous groups
        and pins name needs that way."""
        return {item.need.key: item.index for item in self.needs}

    @cached_property
    def pinned(self) -> dict[int, Signature]:
        """Each pinned need and the signature of the previous group it is pinned to; a pin
        naming no group of the previous schedule is `solver.continuity.pin_targets`'s to
        refuse."""
        if self.previous is None:
            return {}
        by_id = {group.group_id: group for group in self.previous.groups}
        return {
            self.index_of[(pin.student_id, pin.subject)]: group_signature(by_id[pin.group_id])
            for pin in self.school.pins
            if pin.group_id in by_id
        }

    @cached_property
    def old_signature(self) -> dict[int, Signature]:
        """The signature of each need's group in the previous schedule, if it had one."""
        if self.previous is None:
            return {}
        result = {}
        for group in self.previous.groups:
            for student_id in group.students:
                index = self.index_of.get((student_id, group.subject))
                if index is not None:
                    result[index] = group_signature(group)
        return result

    @cached_property
    def previous_signatures(self) -> frozenset[Signature]:
        """Last window's groups: a group with one of these signatures matches one."""
        if self.previous is None:
            return frozenset()
        return frozenset(group_signature(g) for g in self.previous.groups)

    def moved_cost(self, index: int, signature: Signature) -> int:
        """The objective's cost of placing a need in a group unlike its previous one."""
        old = self.old_signature.get(index)
        if old is None or old == signature:
            return 0
        return self.school.settings.objective.moved_student

    def stay_bonus(self, index: int, signature: Signature) -> int:
        """What the search adds for keeping a need in its old group, when that group can
        still run.

        Interventionists want the smallest good change, more than `moved_student` alone
        buys: moves must serve more students, never just gain minutes.  The reported
        objective stays the contract's.
        """
        if self.stays.get(index) != signature:
            return 0
        return self.most_stay_bonus(index)

    def most_stay_bonus(self, index: int) -> int:
        """The most `stay_bonus` adds for this need, in any group."""
        if index not in self.stays:
            return 0
        return self.school.settings.objective.serve(self.by_index[index].need.tier) // STAY_SHARE

    def unplaced(self, groups: list[Candidate]) -> list[NeedItem]:
        """The needs in none of these groups, in the instance's order."""
        placed = {i for group in groups for i in group.members}
        return [item for item in self.needs if item.index not in placed]

    def search_value(self, candidate: Candidate) -> int:
        """What the search maximises: the candidate's objective and its members' stay bonus."""
        if not self.stays:
            return candidate.value
        signature = candidate.signature
        return candidate.value + sum(self.stay_bonus(i, signature) for i in candidate.members)

    @cached_property
    def by_index(self) -> dict[int, NeedItem]:
        return {item.index: item for item in self.needs}

    @cached_property
    def buckets(self) -> dict[Bucket, list[NeedItem]]:
        result: dict[Bucket, list[NeedItem]] = defaultdict(list)
        for item in self.needs:
            result[item.bucket].append(item)
        return dict(sorted(result.items()))

    @cached_property
    def needs_of_student(self) -> Counter[str]:
        return Counter(item.student.student_id for item in self.needs)

    @cached_property
    def apart(self) -> set[frozenset[str]]:
        return {frozenset((p.student_a, p.student_b)) for p in self.school.apart}

    @cached_property
    def apart_from(self) -> dict[str, set[str]]:
        """Each student's apart partners: pricing asks millions of times a round."""
        result: dict[str, set[str]] = defaultdict(set)
        for pair in self.school.apart:
            result[pair.student_a].add(pair.student_b)
            result[pair.student_b].add(pair.student_a)
        return dict(result)

    def qualified_staff(self, bucket: Bucket) -> list[Staff]:
        """Rule 5: who may deliver this subject/skill at this tier."""
        return [s for s in self.school.staff if s.can_teach(*bucket)]

    @cached_property
    def patterns(self) -> dict[tuple[Bucket, int], list[Pattern]]:
        """Every one-start pattern of each bucket and session count with enough free needs."""
        result = {}
        for bucket, items in self.buckets.items():
            program = items[0].program
            for sessions in sorted({item.sessions for item in items}):
                result[(bucket, sessions)] = list(self._patterns(items, program, sessions))
        return result

    def _patterns(
        self, items: list[NeedItem], program: Program, sessions: int
    ) -> Iterator[Pattern]:
        grid = self.grid
        eligible = [item for item in items if item.sessions <= sessions]
        for start in grid.starts(program.minutes):
            self.checked += len(eligible) * len(grid.days)
            free_days = {
                item.index: grid.free_days(item.student, start, program.minutes)
                for item in eligible
            }
            for days in combinations(grid.days, sessions):
                free = tuple(i for i, ok in free_days.items() if ok.issuperset(days))
                if len(free) >= program.min_size and _has_anchor(free, self, sessions):
                    yield Pattern(start, days, free)

    @cached_property
    def options(self) -> Counter[int]:
        """How many (staff, one-start pattern) choices each need has."""
        counts: Counter[int] = Counter()
        for (bucket, _), patterns in self.patterns.items():
            minutes = self.buckets[bucket][0].program.minutes
            for staff in self.qualified_staff(bucket):
                slots = self.staff_slots(staff, minutes)
                for pattern in patterns:
                    if slots.issuperset(pattern.slots):
                        counts.update(pattern.free)
        return counts

    def staff_slots(self, staff: Staff, minutes: int) -> frozenset[Slot]:
        key = (staff.staff_id, minutes)
        if key not in self._staff_slot_sets:
            self._staff_slot_sets[key] = frozenset(self.grid.staff_slots(staff, minutes))
        return self._staff_slot_sets[key]

    def member_value(self, index: int, pattern_slots: tuple[Slot, ...]) -> int:
        """A member's share of the objective: placed, plus prefer minus avoid minutes."""
        item = self.by_index[index]
        weights = self.school.settings.objective
        minutes = item.program.minutes
        return weights.serve(item.need.tier) + sum(
            self.grid.pull_out_value(item.student, day, start, minutes)
            for day, start in pattern_slots
        )

    def spread_cost(self, members: tuple[int, ...]) -> int:
        scores = [s for s in (self.by_index[i].need.score for i in members) if s is not None]
        spread = max(scores) - min(scores) if scores else 0.0
        return round(self.school.settings.objective.score_spread * spread)

    def candidate(
        self, staff: Staff, members: tuple[int, ...], slots: tuple[Slot, ...]
    ) -> Candidate:
        """A candidate group and its exact share of the objective."""
        item = self.by_index[members[0]]
        minutes = item.program.minutes
        signature = signature_of(staff.staff_id, item.bucket[0], item.bucket[1], slots, minutes)
        changes = len({start for _, start in slots}) - 1
        value = (
            sum(self.member_value(i, slots) - self.moved_cost(i, signature) for i in members)
            - self.spread_cost(members)
            - self.school.settings.objective.time_changes * changes
        )
        return Candidate(staff.staff_id, item.bucket, tuple(sorted(members)), slots, minutes, value)


def _has_anchor(free: tuple[int, ...], instance: Instance, sessions: int) -> bool:
    """A group meets n times only if n is its program's count or a member's override."""
    return any(instance.by_index[i].sessions == sessions for i in free)


MAX_ANCHORS = 4
"""Pricing grows groups around the few needs worth most now, not around every need."""


def best_members(
    instance: Instance,
    pattern: Pattern,
    sessions: int,
    worth: Mapping[int, float],
) -> list[tuple[int, ...]]:
    """Good member sets for one pattern, given what each free need is worth now.

    A heuristic for the pricing problem: around each anchor need, take the
    needs within the grade span that add the most (worth minus score distance),
    up to max_size.  Returns one set per anchor, best first, deduplicated.
    """
    program = instance.by_index[pattern.free[0]].program
    weight = instance.school.settings.objective.score_spread
    found: dict[tuple[int, ...], float] = {}
    anchors = [
        i for i in pattern.free if instance.by_index[i].sessions == sessions and worth[i] > 0
    ]
    for anchor in sorted(anchors, key=lambda i: (-worth[i], i))[:MAX_ANCHORS]:
        members = _grow_group(instance, anchor, pattern.free, program, worth, weight)
        if len(members) >= program.min_size:
            total = sum(worth[i] for i in members) - instance.spread_cost(members)
            found[members] = total
    return sorted(found, key=lambda m: -found[m])


def _grow_group(
    instance: Instance,
    anchor: int,
    free: tuple[int, ...],
    program: Program,
    worth: Mapping[int, float],
    weight: int,
) -> tuple[int, ...]:
    by_index = instance.by_index
    anchor_item = by_index[anchor]
    low_grade = anchor_item.student.grade - program.max_grade_span
    high_grade = anchor_item.student.grade + program.max_grade_span
    anchor_score = anchor_item.need.score

    def gain(index: int) -> float:
        score = by_index[index].need.score
        distance = 0.0 if score is None or anchor_score is None else abs(score - anchor_score)
        return worth[index] - weight * distance

    gains = {
        i: gain(i)
        for i in free
        if i != anchor and low_grade <= by_index[i].student.grade <= high_grade
    }
    members = [anchor]
    lowest = highest = anchor_item.student.grade
    for index in sorted(gains, key=lambda i: (-gains[i], i)):
        if len(members) == program.max_size:
            break
        if gains[index] <= 0 and len(members) >= program.min_size:
            break
        grade = by_index[index].student.grade
        if max(highest, grade) - min(lowest, grade) > program.max_grade_span:
            continue
        if keeps_apart(instance, members, index):
            members.append(index)
            lowest, highest = min(lowest, grade), max(highest, grade)
    return tuple(sorted(members))


def keeps_apart(instance: Instance, members: list[int], newcomer: int) -> bool:
    partners = instance.apart_from.get(instance.by_index[newcomer].student.student_id)
    return not partners or all(
        instance.by_index[m].student.student_id not in partners for m in members
    )


def never_together(instance: Instance, a: NeedItem, b: NeedItem) -> bool:
    """Rule 3 (grade span) or an apart pair keeps the two out of one group."""
    span = a.program.max_grade_span
    return abs(a.student.grade - b.student.grade) > span or not keeps_apart(
        instance, [a.index], b.index
    )
