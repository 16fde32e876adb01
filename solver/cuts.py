"""Cuts the column LP lacks: one bucket's needs cannot share groups in fractions.

The LP over groups may cover seven needs of a bucket whose groups hold at most five
with seven groups of five at one fifth each: 1.4 groups of staff time, where any
schedule needs two.  Adding up the need rows of a set S of the bucket's needs with
weight 1/k and rounding down gives a row every schedule keeps (a Chvatal-Gomory cut):
a group holding q needs of S counts q // k, and together they count at most
len(S) // k.  Measured on elementary's converged column LP (106.2k), such rows over
each grade range of each bucket take it to 105.8k; any set of a bucket's needs, found
by local search, gave 105.7k.

Any three needs of a bucket give one too, with divisor 2: at most one group holds two or
more of them (`exceeded_triples`).

A staff member's groups may also run in fractions the week cannot hold, where no set
of one bucket's needs shows it; for the buckets only they teach, `ServedCap` caps the
serve weight their groups place at what CP-SAT finds any schedule can (`solver.served`).

Only the column bound's process (`solver.column_bound`) adds them: the listing prices
them exactly (`solver.listing`), the search's pricing heuristic does not.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

from solver.candidates import Bucket, Candidate, Instance

VIOLATION = 0.01
"""A cut joins the LP when its row is exceeded by more than this (PDLP solves to 5e-4
at first, then 1e-4: `solver.column_bound`)."""
TRIPLES_PER_ROUND = 200
"""The most exceeded triples a round adds: each moves the prices, and column generation
must converge again."""


@dataclass(frozen=True)
class MemberCut:
    """Groups of `bucket` holding q of `members` count q // `divisor`, all together at
    most len(members) // divisor."""

    bucket: Bucket
    members: frozenset[int]
    divisor: int

    @property
    def row(self) -> tuple[object, ...]:
        """The cut's packing row, named as the pool and the listing price it."""
        return ("cut", self.bucket, self.members, self.divisor)

    @property
    def capacity(self) -> int:
        return len(self.members) // self.divisor

    def coefficient(self, group: Candidate) -> int:
        if group.bucket != self.bucket:
            return 0
        return len(self.members.intersection(group.members)) // self.divisor


@dataclass(frozen=True)
class ServedCap:
    """Groups holding needs of `weights` count each such member's weight (its serve
    weight, scaled), all together at most `capacity`."""

    staff_id: str
    weights: tuple[tuple[int, int], ...]
    """(need index, weight) pairs."""
    capacity: int

    @property
    def row(self) -> tuple[object, ...]:
        return ("served", self.staff_id)

    @property
    def bucket(self) -> None:
        """A cap counts groups of any bucket (`MemberCut.bucket` names one)."""
        return None

    @cached_property
    def weight(self) -> dict[int, int]:
        return dict(self.weights)

    def coefficient(self, group: Candidate) -> int:
        return sum(self.weight.get(i, 0) for i in group.members)


Cut = MemberCut | ServedCap
"""A row of the column bound's LP beyond the packing model's."""


def member_cuts(instance: Instance) -> list[MemberCut]:
    """For each bucket, each range of its grades and each divisor from 2 to its largest
    group: ranges, because a group's grade span keeps its members within one."""
    cuts = []
    for bucket, items in instance.buckets.items():
        grades = sorted({item.student.grade for item in items})
        for low in grades:
            for high in (g for g in grades if g >= low):
                members = frozenset(i.index for i in items if low <= i.student.grade <= high)
                for divisor in range(2, min(items[0].program.max_size, len(members)) + 1):
                    cuts.append(MemberCut(bucket, members, divisor))
    return cuts


def violated(cuts: Iterable[MemberCut], running: Mapping[Candidate, float]) -> list[MemberCut]:
    """The cuts these fractions of groups (an LP's solution) exceed."""
    by_bucket: dict[Bucket, list[tuple[Candidate, float]]] = {}
    for group, share in running.items():
        by_bucket.setdefault(group.bucket, []).append((group, share))
    return [
        cut
        for cut in cuts
        if sum(cut.coefficient(g) * share for g, share in by_bucket.get(cut.bucket, []))
        > cut.capacity + VIOLATION
    ]


def exceeded_triples(running: Mapping[Candidate, float], known: Collection[Cut]) -> list[MemberCut]:
    """The triples of a bucket's needs whose cut these fractions of groups exceed, not yet
    `known`, the most exceeded first.  Only needs two running groups pair up can be in
    one: a triple's groups count at most its pairs' shares summed."""
    by_bucket: dict[Bucket, list[tuple[frozenset[int], float]]] = {}
    for group, share in running.items():
        by_bucket.setdefault(group.bucket, []).append((frozenset(group.members), share))
    found: list[tuple[float, MemberCut]] = []
    for bucket, groups in by_bucket.items():
        paired: dict[tuple[int, int], float] = {}
        for members, share in groups:
            for pair in combinations(sorted(members), 2):
                paired[pair] = paired.get(pair, 0.0) + share
        needs = sorted({i for members, _ in groups for i in members})
        for (i, j), share in paired.items():
            for k in needs:
                if k <= j or share + paired.get((i, k), 0) + paired.get((j, k), 0) <= 1 + VIOLATION:
                    continue
                triple = frozenset((i, j, k))
                counted = sum(s for members, s in groups if len(triple & members) >= 2)
                cut = MemberCut(bucket, triple, 2)
                if counted > 1 + VIOLATION and cut not in known:
                    found.append((counted, cut))
    found.sort(key=lambda pair: -pair[0])
    return [cut for _, cut in found[:TRIPLES_PER_ROUND]]
