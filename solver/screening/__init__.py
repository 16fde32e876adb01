"""Screening exports into the contract's needs.csv: skill and tier by editable rules.

Per student and subject, the low results (a vendor status below benchmark, or a
percentile under the source's cut-off) decide the need: the first low measure in
the rules' order names the skill (phonemic awareness before phonics before
fluency before comprehension), a low ORF with accuracy under 95% is phonics, and
the worst tier among the subject's low results is the tier.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from solver.loading.errors import friendly_message
from solver.loading.tables import RawTable
from solver.model import Need
from solver.problems import Problem
from solver.screening.rules import MeasureRule, Rules, SlowPattern, load_rules
from solver.screening.sources import Result, detect


@dataclass(frozen=True)
class ScreenedNeed:
    need: Need
    screener: str


@dataclass
class ImportResult:
    needs: list[ScreenedNeed] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Low:
    subject: str
    skill: str
    tier: int
    score: float | None
    order: int
    row: int | None


def source_key(name: str) -> str:
    """'aimswebPlus' -> 'aimswebplus', 'i-Ready' -> 'iready': the rules' per-source keys."""
    return re.sub(r"[^a-z]", "", name.lower().split()[0])


def needs_from_table(
    table: RawTable, rules: Rules
) -> tuple[str | None, list[ScreenedNeed], list[Problem]]:
    """The source's name, the needs its results show and the needs the contract rejects
    (as problems); (None, [], []) if the source is unknown."""
    detected = detect(table)
    if detected is None:
        return None, [], []
    name, read = detected
    by_student: dict[str, list[Result]] = defaultdict(list)
    for result in read(table):
        by_student[result.student_id].append(result)
    try:
        rule_of = _measure_rules(by_student.values(), rules)
    except SlowPattern as slow:
        return name, [], [slow.problem]
    needs, problems = [], []
    for student_id, results in by_student.items():
        for low in _needs_of(results, rules, rule_of, source_key(name)):
            need, rejected = _need(table.source, student_id, low)
            problems += rejected
            if need is not None:
                needs.append(ScreenedNeed(need, name))
    return name, needs, problems


def _need(source: str, student_id: str, low: _Low) -> tuple[Need | None, list[Problem]]:
    """The need itself, validated by the contract's model: a value it rejects (from the
    export or the rules) is a problem at the export row that led to it, not a traceback."""
    values = {"student_id": student_id, "subject": low.subject, "skill": low.skill,
              "tier": low.tier, "score": low.score}  # fmt: skip
    try:
        return Need.model_validate(values), []
    except ValidationError as error:
        return None, [_rejected(source, low.row, values, detail) for detail in error.errors()]


def _rejected(source: str, row: int | None, values: dict[str, object], detail: Any) -> Problem:
    column = str(detail["loc"][0]) if detail["loc"] else None
    value = values.get(column) if column else None
    message = f"cannot become a need in needs.csv: {friendly_message(detail)}"
    shown = None if value is None else json.dumps(value, ensure_ascii=False)
    return Problem(source, message, row=row, column=column, value=shown)


def _measure_rules(results: Iterable[list[Result]], rules: Rules) -> dict[str, MeasureRule | None]:
    """Each measure name's rule, matched once, since an export repeats its measure names
    on every row (and a slow pattern would be slow on every row)."""
    names = {result.measure for found in results for result in found}
    return {name: rules.measure(name) for name in sorted(names)}


def _needs_of(
    results: list[Result], rules: Rules, rule_of: dict[str, MeasureRule | None], source: str
) -> list[_Low]:
    accuracy = {
        r.measure.lower().replace(" accuracy", ""): r.score
        for r in results
        if "accura" in r.measure.lower()
    }
    lows: dict[str, list[_Low]] = defaultdict(list)
    for result in results:
        if "accura" in result.measure.lower():
            continue
        low = _low(result, rules, rule_of[result.measure], source, accuracy)
        if low is not None:
            lows[low.subject].append(low)
    chosen = []
    for subject, found in sorted(lows.items()):
        tier = max(low.tier for low in found)
        skilled = sorted((low for low in found if low.skill), key=lambda low: low.order)
        first = skilled[0] if skilled else found[0]
        skill = first.skill or rules.fallback.get(subject, "general")
        chosen.append(_Low(subject, skill, tier, first.score, first.order, first.row))
    return chosen


def _low(
    result: Result,
    rules: Rules,
    rule: MeasureRule | None,
    source: str,
    accuracy: dict[str, float | None],
) -> _Low | None:
    tier = rules.tier_from_status(result.status) if result.status else None
    if tier is None and not result.status and result.percentile is not None:
        tier = rules.tier_from_percentile(source, result.percentile)
    if tier is None:
        return None
    order = rules.measures.index(rule) if rule else len(rules.measures)
    subject = rule.subject if rule else (result.subject or "reading")
    skill = rule.skill if rule else ""
    if result.subject and result.subject != subject:
        subject, skill = result.subject, ""
    if skill == "fluency":
        measured = _accuracy_for(result.measure, accuracy)
        if measured is not None and measured < rules.accuracy.phonics_below:
            skill = "phonics"
    return _Low(subject, skill, tier, result.score, order, result.row)


def _accuracy_for(measure: str, accuracy: dict[str, float | None]) -> float | None:
    """The accuracy reported beside an ORF measure (same stem), or any ORF accuracy."""
    name = measure.lower()
    if name in accuracy:
        return accuracy[name]
    return next((v for k, v in accuracy.items() if "orf" in k or "cbm" in k), None)


def import_screening(tables: list[RawTable], roster: set[str], rules: Rules) -> ImportResult:
    """Needs of every file, joined to the roster; unmatched students are reported."""
    result = ImportResult()
    chosen: dict[tuple[str, str], ScreenedNeed] = {}
    seen: set[str] = set()
    for table in tables:
        name, needs, rejected = needs_from_table(table, rules)
        result.problems += rejected
        if name is None:
            message = "unknown screening export: no known measure or id columns"
            result.problems.append(Problem(table.source, message, row=1))
            continue
        seen.update(_student_ids(table, needs))
        for screened in needs:
            key = screened.need.key
            if key not in chosen or screened.need.tier > chosen[key].need.tier:
                chosen[key] = screened
    outside = sorted({k[0] for k in chosen} - roster)
    if outside:
        message = f"{len(outside)} student(s) in the export are not in the roster; left out"
        result.problems.append(Problem("roster", message, value=", ".join(outside[:20]),
                                       severity="warning"))  # fmt: skip
    missing = sorted(roster - seen)
    if missing:
        message = f"{len(missing)} roster student(s) have no screening result"
        result.problems.append(Problem("roster", message, value=", ".join(missing[:20]),
                                       severity="warning"))  # fmt: skip
    result.needs = [n for k, n in sorted(chosen.items()) if k[0] in roster]
    return result


def _student_ids(table: RawTable, needs: list[ScreenedNeed]) -> set[str]:
    """Everyone the export has a row for (screened at benchmark or not)."""
    detected = detect(table)
    if detected is None:
        return set()
    return {r.student_id for r in detected[1](table)} | {n.need.student_id for n in needs}


__all__ = ["ImportResult", "import_screening", "load_rules", "needs_from_table"]
