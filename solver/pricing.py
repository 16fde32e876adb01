"""Column generation: the LP over candidate groups says which new groups are worth adding.

The LP relaxation of the packing model (GLOP) prices every resource: a need, a
staff member's minute, a student's minute.  A candidate group is worth adding
when its value exceeds the price of what it uses (a positive reduced cost).
Pricing enumerates every one-start meeting pattern of every bucket and qualified
staff member, and picks members heuristically (`best_members`), so the loop
stops when no such group prices out, or at its deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from solver.candidates import Candidate, Instance, Pattern, best_members, signature_of
from solver.model import Staff
from solver.packing import Resource, member_resources, resources, staff_resources
from solver.timegrid import Slot

ADD_PER_ROUND = 400
"""Candidate groups added per round, at least; large schools add two per need."""
EPSILON = 1e-6


@dataclass
class ColumnPool:
    """The candidate groups found so far and the LP over them."""

    instance: Instance
    candidates: list[Candidate]
    lp_value: float = 0.0
    rounds: int = 0

    def __post_init__(self) -> None:
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.rows: dict[Resource, pywraplp.Constraint] = {}
        self.keys: set[object] = set()
        self.member_values: dict[tuple[int, tuple[Slot, ...]], int] = {}
        self.prices: dict[Resource, float] = {}
        self.member_prices: dict[tuple[int, tuple[Slot, ...]], float] = {}
        existing, self.candidates = self.candidates, []
        self.add(existing)

    def add(self, new: list[Candidate]) -> int:
        added = 0
        for candidate in new:
            if candidate.key in self.keys:
                continue
            self.keys.add(candidate.key)
            self.candidates.append(candidate)
            variable = self.solver.NumVar(0.0, 1.0, "")
            self.solver.Objective().SetCoefficient(variable, self.instance.search_value(candidate))
            for resource, capacity in resources(self.instance, candidate):
                self._row(resource, capacity).SetCoefficient(variable, 1.0)
            added += 1
        return added

    def _row(self, resource: Resource, capacity: int) -> pywraplp.Constraint:
        if resource not in self.rows:
            self.rows[resource] = self.solver.Constraint(0.0, float(capacity))
        return self.rows[resource]

    def solve(self) -> None:
        self.solver.Objective().SetMaximization()
        self.solver.Solve()
        self.lp_value = self.solver.Objective().Value()
        # pricing asks for millions of prices a round: read each row's once
        duals = ((resource, row.dual_value()) for resource, row in self.rows.items())
        self.prices = {resource: dual for resource, dual in duals if dual > 0}
        self.member_prices = {}

    def price(self, resource: Resource) -> float:
        return self.prices.get(resource, 0.0)

    def member_value(self, index: int, slots: tuple[Slot, ...]) -> int:
        """A need's share of the objective at these times; it never changes, so it is
        computed once for the pool's life."""
        key = (index, slots)
        if key not in self.member_values:
            self.member_values[key] = self.instance.member_value(index, slots)
        return self.member_values[key]

    def member_price(self, index: int, group: Candidate) -> float:
        """The price of what a need uses in a group: itself and its student's minutes (the
        same for every staff member offering these times, so asked once a round)."""
        key = (index, group.slots)
        if key not in self.member_prices:
            used = member_resources(self.instance, index, group)
            self.member_prices[key] = sum(self.price(r) for r in used)
        return self.member_prices[key]


def generate_columns(
    pool: ColumnPool,
    deadline: float,
    on_round: Callable[[ColumnPool], None] | None = None,
    stop: threading.Event | None = None,
    max_rounds: int | None = None,
) -> bool:
    """Add priced-out candidate groups until the deadline, max_rounds (counted over the
    pool's life) or stop; True when none is left to add."""
    while time.monotonic() < deadline and not (stop and stop.is_set()):
        if max_rounds is not None and pool.rounds >= max_rounds:
            break
        pool.solve()
        pool.rounds += 1
        if on_round is not None:
            on_round(pool)
        found = _priced_candidates(pool, deadline)
        found.sort(key=lambda offer: -offer[0])
        count = max(ADD_PER_ROUND, 2 * len(pool.instance.needs))
        best = [instance_candidate(pool.instance, offer) for offer in found[:count]]
        if pool.add(best) == 0:
            return True
    return False


Offer = tuple[float, Staff, tuple[int, ...], tuple[Slot, ...]]
"""A priced group not yet built: reduced cost, staff member, members, slots."""


def instance_candidate(instance: Instance, offer: Offer) -> Candidate:
    _, staff, members, slots = offer
    return instance.candidate(staff, members, slots)


def _priced_candidates(pool: ColumnPool, deadline: float) -> list[Offer]:
    instance = pool.instance
    found: list[Offer] = []
    for (bucket, sessions), patterns in instance.patterns.items():
        minutes = instance.buckets[bucket][0].program.minutes
        for staff in instance.qualified_staff(bucket):
            slots = instance.staff_slots(staff, minutes)
            for pattern in patterns:
                if slots.issuperset(pattern.slots):
                    found += _price_pattern(pool, staff, pattern, sessions)
        if time.monotonic() > deadline:
            break
    return found


def _price_pattern(pool: ColumnPool, staff: Staff, pattern: Pattern, sessions: int) -> list[Offer]:
    instance = pool.instance
    probe = Candidate(staff.staff_id, ("", "", 2), (), pattern.slots, _minutes(pool, pattern), 0)
    staff_price = sum(pool.price(r) for r, _ in staff_resources(instance, probe))
    worth: dict[int, float] = {}
    bucket = instance.by_index[pattern.free[0]].bucket
    signature = signature_of(staff.staff_id, bucket[0], bucket[1], pattern.slots, probe.minutes)
    for index in pattern.free:
        staying = instance.stay_bonus(index, signature) - instance.moved_cost(index, signature)
        worth[index] = (
            pool.member_value(index, pattern.slots) + staying - pool.member_price(index, probe)
        )
    result: list[Offer] = []
    max_size = instance.by_index[pattern.free[0]].program.max_size
    most = sum(sorted((w for w in worth.values() if w > 0), reverse=True)[:max_size])
    if most - staff_price <= EPSILON:
        return result  # no group of these times can price out
    for members in best_members(instance, pattern, sessions, worth)[:2]:
        reduced = sum(worth[i] for i in members) - instance.spread_cost(members) - staff_price
        if reduced > EPSILON:
            result.append((reduced, staff, members, pattern.slots))
    return result


def _minutes(pool: ColumnPool, pattern: Pattern) -> int:
    return pool.instance.by_index[pattern.free[0]].program.minutes
