"""Screening exports as vendors write them, read into one shape: a result per measure.

The source is detected from the column and measure names, never the file name
(vendors' files are renamed all the time).  Wide exports (a column group per
measure) and long ones (a row per measure or per test) both become `Result`s.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from solver.loading.tables import RawTable

SEASONS = ("fall", "winter", "spring", "screening period 4", "screening period 5")


@dataclass(frozen=True)
class Result:
    """One student's result on one measure, and the export row it was read from."""

    student_id: str
    measure: str
    score: float | None = None
    percentile: float | None = None
    status: str | None = None
    subject: str | None = None
    row: int | None = None


def number(text: str | None) -> float | None:
    """'90%', '45', '12.5' -> a number; anything else -> None."""
    if not text:
        return None
    match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*%?\s*", text)
    return float(match[1]) if match else None


def _first(table: RawTable, *names: str) -> str | None:
    return next((n for n in names if n in table.columns), None)


def _wide(table: RawTable, id_column: str, measures: dict[str, dict[str, str]]) -> list[Result]:
    """measures: name -> {'score': column, 'status': column, 'percentile': column}."""
    results = []
    for row, cells in table.rows:
        student = cells.get(id_column, "")
        for name, columns in measures.items():
            status = cells.get(columns.get("status", ""), "") or None
            score = number(cells.get(columns.get("score", "")))
            percentile = number(cells.get(columns.get("percentile", "")))
            if student and (status or score is not None or percentile is not None):
                results.append(Result(student, name, score, percentile, status, row=row))
    return results


def read_mclass(table: RawTable) -> list[Result]:
    """Amplify mCLASS DIBELS 8: `<Measure (CODE)> - Level`, `- Score`, `- National Norm
    Percentile`, and `Composite Level` / `Composite Score`."""
    id_column = _first(
        table, "student id (district id or school id)", "student primary id", "student id"
    )
    kinds = {"level": "status", "score": "score", "national norm percentile": "percentile"}
    measures: dict[str, dict[str, str]] = {}
    for column in table.columns:
        label, _, field = column.rpartition(" - ")
        if label and field in kinds:
            measures.setdefault(label, {})[kinds[field]] = column
    for field in ("level", "score"):
        if f"composite {field}" in table.columns:
            measures.setdefault("composite", {})[kinds[field]] = f"composite {field}"
    return _wide(table, id_column or "", measures)


def read_acadience(table: RawTable) -> list[Result]:
    """Acadience Reading/Math: `<M> Score`, `<M> Status`, `<M> National Percentile`."""
    id_column = _first(table, "student number", "student sis id", "student state id")
    measures: dict[str, dict[str, str]] = {}
    for column in table.columns:
        for suffix, key in ((" status", "status"), (" national percentile", "percentile")):
            if column.endswith(suffix) and column != "benchmark status":
                label = column.removesuffix(suffix)
                measures.setdefault(label, {})[key] = column
    for label, columns in measures.items():
        score = _first(table, f"{label} score", f"{label} adjusted score")
        if score:
            columns["score"] = score
    return _wide(table, id_column or "", measures)


def read_fastbridge(table: RawTable) -> list[Result]:
    """FastBridge: `<Season> <Measure> … Risk Level` and `… Percentile at Nation`; the
    latest season with a result counts."""
    results: dict[tuple[str, str], Result] = {}
    prefixes = sorted(
        {c.removesuffix(" risk level") for c in table.columns if c.endswith(" risk level")},
        key=lambda p: next((i for i, s in enumerate(SEASONS) if p.startswith(s)), -1),
    )
    for prefix in prefixes:
        season = next((s for s in SEASONS if prefix.startswith(s + " ")), "")
        measure = prefix.removeprefix(season).strip()
        percentile = next(
            (c for c in table.columns if c.startswith(prefix) and "percentile" in c), ""
        )
        columns = {"status": f"{prefix} risk level", "percentile": percentile}
        for result in _wide(table, "local id", {measure: columns}):
            results[(result.student_id, measure)] = result
        accuracy = f"{prefix} median accuracy"
        if accuracy in table.columns:
            for result in _wide(table, "local id", {f"{measure} accuracy": {"score": accuracy}}):
                results[(result.student_id, f"{measure} accuracy")] = result
    return list(results.values())


def read_aimswebplus(table: RawTable) -> list[Result]:
    """aimswebPlus: one row per measure; the latest period of each measure counts."""
    id_column = _first(table, "sourceid", "studentuid", "ssid") or ""
    latest: dict[tuple[str, str], tuple[int, list[Result]]] = {}
    for row, cells in table.rows:
        student, measure = cells.get(id_column, ""), cells.get("measurename", "")
        period = cells.get("period", "").lower()
        order = SEASONS.index(period) if period in SEASONS else -1
        score, natl = number(cells.get("score")), number(cells.get("natl"))
        found = [Result(student, measure, score, natl, row=row)]
        accuracy = number(cells.get("accuracy"))
        if accuracy is not None:
            found.append(Result(student, f"{measure} accuracy", accuracy, row=row))
        if student and measure and order >= latest.get((student, measure), (-2, []))[0]:
            latest[(student, measure)] = (order, found)
    return [result for _, found in latest.values() for result in found]


def read_iready(table: RawTable) -> list[Result]:
    """i-Ready Diagnostic: domains as `<Domain> Relative Placement`; most recent only."""
    reading = any(c.startswith(("phonics", "phonological awareness")) for c in table.columns)
    subject = "reading" if reading else "math"
    domains = [c.removesuffix(" relative placement") for c in table.columns
               if c.endswith(" relative placement")]  # fmt: skip
    results = []
    for row, cells in table.rows:
        if cells.get("most recent diagnostic (y/n)", "y").lower() not in ("y", "yes"):
            continue
        student = cells.get("student id", "")
        for domain in domains:
            status = cells.get(f"{domain} relative placement") or None
            score = number(cells.get(f"{domain} scale score"))
            name = f"i-Ready {subject} {domain}"
            if student and status:
                results.append(Result(student, name, score, None, status, subject, row))
    return results


def read_star(table: RawTable) -> list[Result]:
    """Star Reading/Math/Early Literacy: one row per test; the benchmark category counts."""
    results = []
    for row, cells in table.rows:
        kind = cells.get("assessmenttype", "") or (
            "Star Reading" if "instructionalreadinglevel" in table.columns else "Star Math"
        )
        subject = "math" if "math" in kind.lower() else "reading"
        status = cells.get("renaissancebenchmarkcategoryname") or None
        student = cells.get("studentidentifier", "")
        score, percentile = number(cells.get("scaledscore")), number(cells.get("percentilerank"))
        if student:
            results.append(Result(student, kind, score, percentile, status, subject, row))
    return results


def read_generic(table: RawTable) -> list[Result]:
    """`student_id, subject, measure, score, percentile, status`: anything else, by hand."""
    return [
        Result(cells.get("student_id", ""), cells.get("measure", ""), number(cells.get("score")),
               number(cells.get("percentile")), cells.get("status") or None,
               cells.get("subject", "").lower() or None, row)
        for row, cells in table.rows
        if cells.get("student_id")
    ]  # fmt: skip


Reader = Callable[[RawTable], list[Result]]

SOURCES: list[tuple[str, Callable[[set[str]], bool], Reader]] = [
    ("generic", lambda c: {"student_id", "subject", "measure", "score"} <= c, read_generic),
    ("i-Ready", lambda c: "overall relative placement" in c, read_iready),
    ("Star", lambda c: "studentidentifier" in c and "percentilerank" in c, read_star),
    ("aimswebPlus", lambda c: "measurename" in c, read_aimswebplus),
    ("FastBridge", lambda c: "local id" in c and any(x.endswith("risk level") for x in c),
     read_fastbridge),
    ("DIBELS 8 (mCLASS)", lambda c: any(x.endswith(" - level") for x in c), read_mclass),
    ("Acadience", lambda c: any(x.endswith(" status") for x in c) and "student number" in c,
     read_acadience),
]  # fmt: skip
"""(name, detector on the lower-cased column names, reader); the first match wins."""


def detect(table: RawTable) -> tuple[str, Reader] | None:
    columns = set(table.columns)
    return next(((name, read) for name, test, read in SOURCES if test(columns)), None)
