"""`python -m bench`: run every bundled and generated school, print a Markdown report.

Each instance runs in its own process so peak memory is the instance's own.
Times are wall-clock on this machine; quality is reported as ratios (placement
against the greedy baseline, objective against the solver's own bound).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHECKPOINTS = (2, 10, 30, 60, 120)
DRIFT_SEEDS = (7, 8, 9)
"""Each school drifts three ways: one drifted school says little, solves vary."""
SOLVER_SEEDS = tuple(range(7))
"""The schools with a gap target are solved with each seed: CP-SAT with two workers is
not deterministic, and a few runs say little (one seed's 60 s elementary runs differ by
up to 1.3k with the clock alone, and the median gap of three seeds moved from 1.7% to
2.2% between two benches of the same search).  An odd count, so the median is a run."""
TARGET_GAP = {"elementary": 0.02, "k8": 0.05}
"""The schools solved with each seed, and the issue's gap targets for them (at 60 s and
120 s): how many of the seeds' runs meet them."""
ONE_WORKER = ("small", "elementary", "k8", "k8-900-needs")
"""Solved once more with one worker (reproducible): how closely its count of work keeps
the time limit, and what it finds."""


def instances(quick: bool) -> dict[str, tuple[Path, float]]:
    """Name -> (school path, time limit in seconds)."""
    generated = Path(tempfile.mkdtemp(prefix="bench-"))
    sys.path.insert(0, str(ROOT / "fixtures"))
    from generate import generate_school, write_school  # type: ignore[import-not-found]

    extra = {  # name: (preset, seed, students, time limit)
        "elementary-seed2": ("elementary", 2, None, 60.0),
        "k8-seed2": ("k8", 2, None, 120.0),
        "k8-900-needs": ("k8", 1, 2100, 60.0),  # the K-8 with about 900 needs
        "k8-1900-needs": ("k8", 1, 4500, 60.0),  # a district's largest: twice that
    }
    result = {
        "small": (ROOT / "fixtures/small", 10.0),
        "elementary": (ROOT / "fixtures/elementary", 60.0),
        "k8": (ROOT / "fixtures/k8", 120.0),
    }
    for name, (preset, seed, students, limit) in extra.items():
        write_school(generate_school(preset, seed, students), generated / name)
        result[name] = (generated / name, limit)
    if quick:
        result = {k: (p, min(t, 10.0)) for k, (p, t) in result.items()}
    return result


def run_one_drift(path: Path, limit: float, seed: int) -> dict[str, Any]:
    from bench.drift import run_drift
    from solver.loading import load_school

    school = load_school(path).school
    assert school is not None, f"{path} does not load"
    return run_drift(school, limit, seed)


def run_one(path: Path, limit: float, seed: int, workers: int) -> dict[str, Any]:
    """Solve one school in this process and measure it (called in a child process)."""
    from solver.loading import load_school
    from solver.solve import Progress, SolveOptions, greedy_schedule, solve

    school = load_school(path).school
    assert school is not None, f"{path} does not load"
    started = time.monotonic()
    greedy = greedy_schedule(school)
    greedy_seconds = time.monotonic() - started
    trace: list[Progress] = []
    started = time.monotonic()
    options = SolveOptions(time_limit=limit, workers=workers, seed=seed)
    result = solve(school, options, trace.append)
    returned = time.monotonic() - started
    schedule = result.schedule

    def at(seconds: float) -> dict[str, int] | None:
        seen = [p for p in trace if p.elapsed <= seconds]
        return {"objective": seen[-1].objective, "bound": seen[-1].bound} if seen else None

    tiers = {t: [n for n in school.needs if n.tier == t] for t in (2, 3)}
    placed = {t: sum(len(g.students) for g in schedule.groups if g.tier == t) for t in (2, 3)}
    return {
        "needs": len(school.needs),
        "first_feasible": trace[0].elapsed if trace else None,
        "checkpoints": {str(c): at(c) for c in CHECKPOINTS if c <= limit},
        "objective": schedule.objective,
        "bound": schedule.best_bound,
        "gap": result.gap,
        "placed": result.placed,
        "placed_by_tier": {str(t): [placed[t], len(tiers[t])] for t in tiers},
        "greedy_placed": sum(len(g.students) for g in greedy.groups),
        "greedy_objective": greedy.objective,
        "greedy_seconds": greedy_seconds,
        "limit": limit,
        "returned": returned,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def machine() -> str:
    return (
        f"Machine: {platform.node()}, {platform.processor() or platform.machine()}, "
        f"2 cores, Python {platform.python_version()}; run {time.strftime('%Y-%m-%d')}; "
        f"Python speed: {python_speed():.2f} s for the sum of 10 million squares."
    )


def python_speed() -> float:
    """Seconds for a fixed pure-Python loop, best of three: machines of the same name
    have differed twofold (2026-12-02: 1.15 s, where the first schedules took twice as
    long as the day before), and a bench is only comparable with one at the same speed."""
    times = []
    for _ in range(3):
        began = time.perf_counter()
        sum(i * i for i in range(10_000_000))
        times.append(time.perf_counter() - began)
    return min(times)


def drift_report(rows: dict[str, dict[str, Any]]) -> str:
    lines = [
        "## Regeneration after a screening window",
        "",
        machine(),
        "About 10% of needs changed (skill, tier or score), 5% exited, 5% are new (three drifts "
        "per school, by seed); every solve has the same time limit. Kept = unchanged needs "
        "placed last window that keep a matching group; still possible = their old group can "
        "still run with them.",
        "",
        "| instance (drift seed) | needs | unchanged and placed before | kept their group "
        "| of them still possible | kept of still possible | placed (from previous) "
        "| placed (fresh solve) | objective (from previous) | objective (fresh) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for school in ("elementary", "k8"):
        runs = {name: r for name, r in rows.items() if name.startswith(f"{school} ")}
        total = {key: sum(r[key] for r in runs.values()) for key in next(iter(runs.values()))}
        lines += [_drift_row(name, r) for name, r in runs.items()]
        lines.append(_drift_row(f"**{school}, all drifts**", total))
    return "\n".join(lines) + "\n"


def _drift_row(name: str, r: dict[str, Any]) -> str:
    kept = r["kept"] / r["unchanged_placed_before"] if r["unchanged_placed_before"] else 0
    still = r["kept_still_possible"] / r["still_possible"] if r["still_possible"] else 0
    return (
        f"| {name} | {r['needs']} | {r['unchanged_placed_before']} | {r['kept']} "
        f"({kept:.1%}) | {r['still_possible']} | {r['kept_still_possible']} ({still:.1%}) | "
        f"{r['placed_regenerated']} | {r['placed_fresh']} | "
        f"{r['objective_regenerated']} | {r['objective_fresh']} |"
    )


def report(rows: dict[str, dict[str, Any]], title: str = "## Solving", note: str = "") -> str:
    lines = [
        title,
        "",
        machine(),
        *([note] if note else []),
        "",
        "| instance | needs | first schedule | objective / bound at 10, 30, 60, 120 s |"
        " final objective / bound (gap) | placed T3 | placed T2 | placed | greedy placed |"
        " greedy objective | returned after | peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        checkpoints = " ; ".join(
            f"{c}s: {v['objective']}/{v['bound'] or '(bound not yet)'}" if v else f"{c}s: -"
            for c, v in r["checkpoints"].items()
            if c != "2"
        )
        t3, t2 = r["placed_by_tier"]["3"], r["placed_by_tier"]["2"]
        bound = "no bound" if r["gap"] is None else f"{r['bound']} ({r['gap']:.1%})"
        lines.append(
            f"| {name} | {r['needs']} | {r['first_feasible']:.2f} s | {checkpoints} | "
            f"{r['objective']} / {bound} | {t3[0]}/{t3[1]} | {t2[0]}/{t2[1]} | "
            f"{r['placed'] / r['needs']:.1%} | {r['greedy_placed'] / r['needs']:.1%} | "
            f"{r['greedy_objective']} | {r['returned']:.1f} s of {r['limit']:.0f} s | "
            f"{r['peak_mb']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def seeds_report(rows: dict[tuple[str, int], dict[str, Any]]) -> str:
    """Median and range over solver seeds of each seeded school's result."""
    lines = [
        f"Across solver seeds {', '.join(map(str, SOLVER_SEEDS))} (seed 0 is the run above):",
        "",
        "| instance | objective: median (range) | final gap: median (range) "
        "| placed: median (range) | runs within the target gap |",
        "|---|---|---|---|---|",
    ]
    for name, target in TARGET_GAP.items():
        runs = [r for (school, _), r in rows.items() if school == name]
        cells = [
            _spread([r[key] for r in runs], form)
            for key, form in (("objective", "{}"), ("gap", "{:.1%}"), ("placed", "{}"))
        ]
        within = sum(r["gap"] is not None and r["gap"] <= target for r in runs)
        cells.append(f"{within} of {len(runs)} (at most {target:.0%})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _spread(values: list[Any], form: str) -> str:
    if any(v is None for v in values):
        return "-"
    ordered = sorted(values)
    middle = ordered[len(ordered) // 2]
    return f"{form.format(middle)} ({form.format(ordered[0])} to {form.format(ordered[-1])})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10 s per instance")
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--one-drift", nargs=3, help=argparse.SUPPRESS)
    parts = ["solve", "drift", "one-worker", "all"]
    parser.add_argument("--part", choices=parts, default="all")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    if args.one:
        path, limit, seed, workers = args.one
        print(json.dumps(run_one(Path(path), float(limit), int(seed), int(workers))))
        return
    if args.one_drift:
        path, limit, seed = args.one_drift
        print(json.dumps(run_one_drift(Path(path), float(limit), int(seed))))
        return
    sections = {}
    schools = instances(args.quick)
    if args.part in ("solve", "all"):
        rows = {name: child("--one", path, limit, 0, 2) for name, (path, limit) in
                schools.items()}  # fmt: skip
        seeded = {(name, seed): rows[name] if seed == 0 else child("--one", *schools[name], seed, 2)
                  for name in TARGET_GAP for seed in SOLVER_SEEDS}  # fmt: skip
        sections["## Solving"] = report(rows) + "\n" + seeds_report(seeded)
    if args.part in ("one-worker", "all"):
        title = "## One worker (reproducible)"
        note = (
            "`--workers 1 --seed 0`: the time limit is spent on a count of the work "
            "done (`solver/clock.py`), so the schedule never depends on the clock."
        )
        rows = {name: child("--one", *schools[name], 0, 1) for name in ONE_WORKER}
        sections[title] = report(rows, title, note)
    if args.part in ("drift", "all"):
        limit = 10.0 if args.quick else 60.0
        rows = {f"{name} ({seed})": child("--one-drift", ROOT / "fixtures" / name, limit, seed)
                for name in ("elementary", "k8") for seed in DRIFT_SEEDS}  # fmt: skip
        sections["## Regeneration after a screening window"] = drift_report(rows)
    for text in sections.values():
        print(text)
    if args.write:
        write_sections(ROOT / "bench" / "RESULTS.md", sections)


def child(mode: str, path: Path, *arguments: float) -> dict[str, Any]:
    """Run one instance in its own process, so peak memory is its own."""
    run = subprocess.run(
        [sys.executable, "-m", "bench", mode, str(path), *map(str, arguments)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    if run.returncode != 0:
        raise SystemExit(f"{path.name} failed:\n{run.stderr}")
    print(f"{path.name}: done", file=sys.stderr)
    result: dict[str, Any] = json.loads(run.stdout.splitlines()[-1])
    return result


def write_sections(path: Path, sections: dict[str, str]) -> None:
    """Replace the given sections of RESULTS.md and keep the others."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    parts = {f"## {p.split(chr(10), 1)[0]}": "## " + p for p in old.split("\n## ")[1:]}
    parts.update(sections)
    body = "\n".join(text.rstrip("\n") + "\n" for text in parts.values())
    path.write_text("# Benchmark results\n\n" + body, encoding="utf-8")


if __name__ == "__main__":
    main()
