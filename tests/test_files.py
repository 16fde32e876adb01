"""Output files are written whole: every file of one output, or none of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.files import write_whole


def test_every_file_is_written_and_its_folders_made(tmp_path: Path) -> None:
    write_whole({tmp_path / "a" / "one.txt": "één\n", tmp_path / "two.bin": b"\x00\x01"})
    assert (tmp_path / "a" / "one.txt").read_text(encoding="utf-8") == "één\n"
    assert (tmp_path / "two.bin").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "one.txt", "two.bin"]


@pytest.mark.parametrize("blocked", ["first.csv", "last.csv"])
def test_a_folder_in_the_way_of_one_file_leaves_every_file_as_it_was(
    tmp_path: Path, blocked: str
) -> None:
    (tmp_path / "first.csv").write_text("old first")
    (tmp_path / "last.csv").write_text("old last")
    (tmp_path / blocked).unlink()
    (tmp_path / blocked).mkdir()
    files = {tmp_path / "first.csv": "new first", tmp_path / "last.csv": "new last"}
    with pytest.raises(IsADirectoryError):
        write_whole(files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.csv", "last.csv"]
    unblocked = ({"first.csv", "last.csv"} - {blocked}).pop()
    assert (tmp_path / unblocked).read_text() == f"old {unblocked.removesuffix('.csv')}"


def test_a_failed_write_leaves_no_partial_file(tmp_path: Path) -> None:
    """The second file cannot be made (its folder's place holds a file); the first,
    already written beside its place, is taken away again."""
    (tmp_path / "taken").write_text("a file, not a folder")
    with pytest.raises(OSError):
        write_whole({tmp_path / "first.csv": "new", tmp_path / "taken" / "second.csv": "new"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
