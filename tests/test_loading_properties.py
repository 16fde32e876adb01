"""Property: no input, however broken, makes loading raise; what it rejects, it names.

The standard is one clear message per problem and never a traceback. Fuzzing found
tracebacks a list of examples had missed (a damaged workbook, an unreadable file, a key
set twice, numbers past any school's, a rules file of the wrong types), so these
properties hold each reader to it over inputs nobody thought to write down.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.loading import load_school, save_school
from solver.loading.previous import load_previous
from solver.problems import errors
from solver.screening.rules import RULES_FILE, load_rules
from tests.schools import VALID_FILES, write_school

CSV_FILES = sorted(name for name in VALID_FILES if name.endswith(".csv"))
FILES = [*CSV_FILES, "school.toml"]

# Text of any kind, and the few that parse as something else than text.
ODD_CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["nan", "-inf", "1e400", "9" * 40, "=1+1", '"', "\x1b[2J", "00:00", "25:61"]),
)


@contextmanager
def folder() -> Iterator[Path]:
    """A fresh folder per example: hypothesis runs a test many times in one tmp_path."""
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def assert_loaded_or_named(path: Path) -> None:
    """Loading returns: a school, or no school and every error naming a file."""
    result = load_school(path)
    if result.school is None:
        assert errors(result.problems)
    assert all(problem.file for problem in result.problems)


def with_cell(text: str, row: int, column: int, value: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    cells = rows[row % len(rows)]
    cells[column % len(cells)] = value
    written = io.StringIO()
    csv.writer(written, lineterminator="\n").writerows(rows)
    return written.getvalue()


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CSV_FILES), st.integers(0, 9), st.integers(0, 9), ODD_CELLS)
def test_any_one_cell_of_any_csv_file_loads_or_is_named(
    name: str, row: int, column: int, value: str
) -> None:
    with folder() as path:
        changed = with_cell(VALID_FILES[name], row, column, value)
        assert_loaded_or_named(write_school(path, **{name.replace(".", "_"): changed}))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(FILES), st.binary(max_size=300) | st.text(max_size=300))
def test_any_content_of_any_file_loads_or_is_named(name: str, content: bytes | str) -> None:
    with folder() as path:
        assert_loaded_or_named(write_school(path, **{name.replace(".", "_"): content}))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 8), st.binary(min_size=1, max_size=8))
def test_a_workbook_with_any_bytes_changed_loads_or_is_named(
    at: int, length: int, noise: bytes
) -> None:
    with folder() as path:
        school = load_school(write_school(path / "csv")).school
        assert school is not None
        workbook = path / "school.xlsx"
        save_school(school, workbook)
        data = bytearray(workbook.read_bytes())
        start = at % len(data)
        data[start : start + length] = noise
        workbook.write_bytes(bytes(data))
        assert_loaded_or_named(workbook)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200) | JSON_VALUES.map(repr))
def test_any_previous_file_is_a_schedule_or_named_problems(content: bytes | str) -> None:
    with folder() as path:
        previous = path / "schedule.json"
        if isinstance(content, bytes):
            previous.write_bytes(content)
        else:
            previous.write_text(content.replace("'", '"'))
        schedule, problems = load_previous(previous)
        assert (schedule is None) == bool(problems)


TOML_VALUES = st.sampled_from(['"x"', '" "', "5", "-1", "101", "[1, 2]", '["a"]', "{}", "true"])
TOML_KEYS = st.sampled_from(
    ["status", "status.tier3", "percentile.default", "percentile.default.tier3",
     "percentile.star", "accuracy.phonics_below", "fallback", "fallback.reading", "other"]
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(TOML_KEYS, TOML_VALUES), max_size=3, unique_by=lambda kv: kv[0]))
def test_any_rules_file_gives_rules_or_named_problems(lines: list[tuple[str, str]]) -> None:
    with folder() as path:
        (path / RULES_FILE).write_text("".join(f"{key} = {value}\n" for key, value in lines))
        rules, problems = load_rules(path)
        assert (rules is None) == bool(problems)
        assert all(problem.file.endswith(RULES_FILE) for problem in problems)
