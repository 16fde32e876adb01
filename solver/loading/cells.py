"""Domain objects back into the text cells of the format (for convert and round trips)."""

from __future__ import annotations

from typing import Any

from solver.model import Row, SchoolSettings


def cell_text(value: Any) -> str:
    """One JSON-mode value as the format writes it: lists `;`-joined, None empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(cell_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_cells(record: Row) -> list[str]:
    """The cells of one row, in the model's column order."""
    return [cell_text(v) for v in record.model_dump(mode="json").values()]


def settings_items(settings: SchoolSettings) -> list[tuple[str, Any]]:
    """Settings as (key, JSON value) pairs, the objective's keys dotted."""
    items: list[tuple[str, Any]] = []
    for key, value in settings.model_dump(mode="json").items():
        if isinstance(value, dict):
            items.extend((f"{key}.{k}", v) for k, v in value.items())
        elif value is not None:
            items.append((key, value))
    return items
