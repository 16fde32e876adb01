"""The bundled sample schools load cleanly, in both forms, and come from the generator."""

from __future__ import annotations

import sys

import pytest

from solver.loading import load_school
from solver.problems import errors
from tests.builders import FIXTURES

sys.path.insert(0, str(FIXTURES))

from generate import PRESETS, generate_school  # type: ignore[import-not-found]

SCHOOLS = ["small", "elementary", "k8"]


@pytest.mark.parametrize("name", SCHOOLS)
def test_fixture_folder_and_workbook_load_without_errors_and_agree(name: str) -> None:
    folder = load_school(FIXTURES / name)
    workbook = load_school(FIXTURES / f"{name}.xlsx")
    assert errors(folder.problems) == []
    assert folder.school is not None
    assert workbook.school == folder.school


@pytest.mark.parametrize("name", SCHOOLS)
def test_committed_fixture_is_the_generators_output(name: str) -> None:
    for file_name, text in generate_school(name).items():
        assert (FIXTURES / name / file_name).read_text(encoding="utf-8") == text, file_name


def test_generator_is_deterministic_and_scales() -> None:
    assert generate_school("elementary", seed=3) == generate_school("elementary", seed=3)
    bigger = generate_school("elementary", seed=3, students=900)
    assert bigger["students.csv"].count("\n") > generate_school("elementary")["students.csv"].count(
        "\n"
    )
    assert set(PRESETS) >= set(SCHOOLS)


@pytest.mark.parametrize(
    ("name", "students", "needs"), [("small", 120, 20), ("elementary", 450, 150), ("k8", 900, 400)]
)
def test_fixture_sizes_match_their_descriptions(name: str, students: int, needs: int) -> None:
    school = load_school(FIXTURES / name).school
    assert school is not None
    assert abs(len(school.students) - students) <= students * 0.1
    assert abs(len(school.needs) - needs) <= needs * 0.15
