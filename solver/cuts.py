"""Cuts the column LP lacks: one bucket's needs cannot share groups in fractions.

The LP over groups may cover seven needs of a bucket whose groups hold at most five
with seven groups of five at one fifth each: 1.4 groups of staff time, where any
schedule needs two.  Adding up the need rows of a set S of the bucket's needs with
weight 1/k and rounding down gives a row every schedule keeps (a Chvatal-Gomory cut):
a group holding q needs of S counts q // k, and together they count at most
len(S) // k.  Measured on elementary's converged column LP (106.2k), such rows over
each grade range of each bucket take it to 105.8k; any set of a bucket's needs, found
by local search, gave 105.7k.

Only the column bound's process (`solver.column_bound`) adds them: the listing prices
them exactly (`solver.listing`), the search's pricing heuristic does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from solver.candidates import Bucket, Candidate, Instance

VIOLATION = 0.01
"""A cut joins the LP when its row is exceeded by more than this (PDLP solves to 5e-4
at first, then 1e-4: `solver.column_bound`)."""


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
