"""Value types of the school-data contract: days, clock times, grades, labels.

Each type accepts what a school's spreadsheet actually holds (``Tuesday``,
``8:05``, ``1st``, ``Four``) and always writes the contract's canonical form, so
the loaders, the API schema and the solver share one definition.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import IntEnum, StrEnum
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, ValidationInfo, WithJsonSchema


class Day(StrEnum):
    """A weekday in the contract's three-letter form."""

    MON = "Mon"
    TUE = "Tue"
    WED = "Wed"
    THU = "Thu"
    FRI = "Fri"
    SAT = "Sat"
    SUN = "Sun"

    @property
    def order(self) -> int:
        return _DAY_ORDER[self]


_DAY_ORDER = {day: position for position, day in enumerate(Day)}
"""Asked millions of times when sorting sessions: looked up, not searched for."""


_DAY_NAMES = {
    name: day
    for day, full in zip(
        Day,
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
        strict=True,
    )
    for name in (day.value.lower(), full)
} | {"tues": Day.TUE, "weds": Day.WED, "thur": Day.THU, "thurs": Day.THU}


def parse_day(text: str) -> Day:
    """Read ``Mon``, ``monday``, ``TUES`` and the like."""
    day = _DAY_NAMES.get(text.strip().lower())
    if day is None:
        raise ValueError(f"unknown day name {text.strip()!r}; use Mon Tue Wed Thu Fri Sat Sun")
    return day


def _parse_days(value: Any, info: ValidationInfo) -> list[Day]:
    """A days cell: one day, a ``;``/``,`` list, a ``Mon-Thu`` range, or ``all``."""
    if isinstance(value, list | tuple):
        return [parse_day(str(v)) for v in value]
    text = str(value).strip()
    if not text:
        raise ValueError("no day given")
    days: list[Day] = []
    for part in re.split(r"[;,]", text):
        part = part.strip()
        if not part:
            continue
        if part.lower() == "all":
            days.extend(_school_days(info))
        elif "-" in part:
            days.extend(_day_range(part))
        else:
            days.append(parse_day(part))
    return sorted(set(days), key=lambda d: d.order)


def _school_days(info: ValidationInfo) -> list[Day]:
    context = info.context or {}
    if "school_days" not in context:
        raise ValueError("'all' needs the school's days (school.toml) to be known")
    return list(context["school_days"])


def _day_range(part: str) -> list[Day]:
    first_text, _, last_text = part.partition("-")
    first, last = parse_day(first_text), parse_day(last_text)
    if last.order < first.order:
        raise ValueError(f"day range {part!r} runs backwards")
    return list(Day)[first.order : last.order + 1]


DayList = Annotated[
    list[Day],
    BeforeValidator(_parse_days),
    Field(min_length=1),
]


def format_clock(minutes: int) -> str:
    """Minutes after midnight as ``HH:MM``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_clock(value: Any) -> int:
    """Read ``8:05``, ``08:05``, ``08:05:00`` or a ``datetime.time`` as minutes after midnight."""
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return value  # already minutes: built in code, never read from a cell
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", str(value).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError("a time must be written HH:MM (24 h), e.g. 08:30")
    return int(match[1]) * 60 + int(match[2])


ClockTime = Annotated[  # minutes after midnight inside, HH:MM outside
    int,
    BeforeValidator(parse_clock),
    PlainSerializer(format_clock, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{2}:\d{2}$", "examples": ["08:30"]}),
]


class Grade(IntEnum):
    """A grade level; PK counts as -1 and K as 0 when grade spans are computed."""

    PK = -1
    K = 0
    G1 = 1
    G2 = 2
    G3 = 3
    G4 = 4
    G5 = 5
    G6 = 6
    G7 = 7
    G8 = 8
    G9 = 9
    G10 = 10
    G11 = 11
    G12 = 12

    def __str__(self) -> str:
        return self.name if self <= 0 else str(self.value)


_GRADE_WORDS = {
    "pk": -1,
    "pre-k": -1,
    "prek": -1,
    "pre-kindergarten": -1,
    "prekindergarten": -1,
    "k": 0,
    "kg": 0,
    "kindergarten": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}


def parse_grade(value: Any) -> Grade:
    """Read ``PK``, ``K``, ``3``, ``03``, ``3rd``, ``Grade 3``, ``Four``."""
    if isinstance(value, Grade):
        return value
    text = str(value).strip().lower()
    text = re.sub(r"^grade\s*", "", text)
    text = re.sub(r"(?<=\d)(st|nd|rd|th)$", "", text)
    if text.endswith(".0"):
        text = text[:-2]
    number = _GRADE_WORDS.get(text, int(text) if text.isdigit() else None)
    if number is None or not -1 <= number <= 12:
        raise ValueError("a grade must be PK, K or 1..12")
    return Grade(number)


GradeLevel = Annotated[
    Grade,
    BeforeValidator(parse_grade),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "enum": [str(g) for g in Grade]}),
]


def _whole_number(value: Any) -> Any:
    """Spreadsheets hand over ``"3"`` or ``3.0``; both mean tier 3."""
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() else value


Tier = Annotated[Literal[2, 3], BeforeValidator(_whole_number)]


class PullOut(StrEnum):
    """Whether a student may be taken out of a block for an intervention."""

    NEVER = "never"
    AVOID = "avoid"
    OK = "ok"
    PREFER = "prefer"

    @property
    def strictness(self) -> int:
        """Higher is stricter; where blocks overlap the strictest wins."""
        return _STRICTNESS[self.value]


_STRICTNESS = {"prefer": 0, "ok": 1, "avoid": 2, "never": 3}


def _lower_label(value: Any) -> Any:
    """Subjects and skills compare case-insensitively, with spaces as underscores."""
    if isinstance(value, str):
        return re.sub(r"\s+", "_", value.strip().lower())
    return value


Label = Annotated[str, BeforeValidator(_lower_label), Field(min_length=1)]


def _strip(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if value is not None else value


Ident = Annotated[str, BeforeValidator(_strip), Field(min_length=1)]
"""An id from the school's systems, kept as text (``007`` stays ``007``)."""


def _parse_teaching(value: Any) -> Any:
    """``reading; math:computation`` -> ``["reading", "math:computation"]``."""
    entries = re.split(r"[;,]", value) if isinstance(value, str) else value
    if not isinstance(entries, list):
        return value
    result = []
    for entry in (str(e) for e in entries if str(e).strip()):
        parts = [_lower_label(p) for p in entry.split(":")]
        if len(parts) > 2 or not all(parts):
            raise ValueError(f"{entry.strip()!r} is not 'subject' or 'subject:skill'")
        result.append(":".join(parts))
    return result


TeachingList = Annotated[list[str], BeforeValidator(_parse_teaching), Field(min_length=1)]
"""What a staff member may deliver: entries ``subject`` or ``subject:skill``."""
