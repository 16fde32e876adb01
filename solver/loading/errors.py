"""Pydantic's validation messages, reworded for a person fixing a spreadsheet."""

from __future__ import annotations

from typing import Any

_MESSAGES = {
    "missing": "a value is required here",
    "float_parsing": "not a number",
    "float_type": "not a number",
    "finite_number": "not a number",
    "int_parsing": "not a whole number",
    "int_from_float": "not a whole number",
    "int_type": "not a whole number",
    "extra_forbidden": "unknown setting",
    "model_type": "must be a table of keys, like [section] or { key = value }",
    "dict_type": "must be a table of keys, like [section] or { key = value }",
    "list_type": "must be a list in square brackets",
    "string_type": "must be text in quotes",
    "string_too_short": "cannot be blank",
    "date_from_datetime_parsing": "not a date (write YYYY-MM-DD)",
    "date_parsing": "not a date (write YYYY-MM-DD)",
    "date_type": "not a date (write YYYY-MM-DD)",
}


def friendly_message(detail: Any) -> str:
    """One sentence for one pydantic error detail."""
    kind = detail["type"]
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "literal_error":
        return f"must be {detail['ctx']['expected']}".replace("'", "")
    if kind == "enum":
        return f"must be {detail['ctx']['expected']}".replace("'", "")
    if kind == "greater_than_equal":
        return f"must be at least {_number(detail['ctx']['ge'])}"
    if kind == "less_than_equal":
        return f"must be at most {_number(detail['ctx']['le'])}"
    if kind == "too_short":
        return "a value is required here"
    message = str(detail["msg"])
    return message.removeprefix("Value error, ")


def _number(value: float) -> str:
    """100, not 100.0: a bound as a person writes it."""
    return str(int(value)) if float(value).is_integer() else str(value)
