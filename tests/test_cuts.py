"""Member cuts: rows every schedule keeps, so the column bound may add them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.candidates import Candidate, Instance
from solver.cuts import member_cuts
from tests.every_group import every_group, school_with_every_row

INSTANCE = Instance.of(school_with_every_row())
EVERY_GROUP = every_group(INSTANCE)
CUTS = member_cuts(INSTANCE)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(EVERY_GROUP), max_size=8))
def test_groups_that_share_no_need_never_count_more_than_a_cut_allows(
    picked: list[Candidate],
) -> None:
    # A schedule places each need at most once: any such groups keep every cut.
    disjoint: list[Candidate] = []
    placed: set[int] = set()
    for group in picked:
        if placed.isdisjoint(group.members):
            disjoint.append(group)
            placed |= set(group.members)
    assert CUTS
    for cut in CUTS:
        assert sum(cut.coefficient(g) for g in disjoint) <= cut.capacity, cut
