"""The editable rules that turn screening results into a skill and a tier.

Defaults ship as `default_rules.toml` beside this module; a school's own
`screening_rules.toml` overrides any key it sets (the measure list as a whole).
The pydantic models below are that file's format: the defaults merged with the
school's file are validated by them, so a mistake in the school's file is a
problem naming its key and value, never a traceback, a key silently ignored, or a
string read as a list of letters.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, get_args

import regex
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from solver.files import read_text
from solver.loading.errors import friendly_message
from solver.loading.settings import parse_toml, value_at
from solver.problems import Problem
from solver.values import Label

DEFAULTS = Path(__file__).with_name("default_rules.toml")
RULES_FILE = "screening_rules.toml"
MATCH_SECONDS = 1.0
"""How long one measure name may take to match one `match` expression.  Plain
expressions take microseconds; some, like `(a|a)+$`, take hours on a name of 40
letters, and a match by Python's own `re` cannot be stopped."""


def _status_word(value: Any) -> Any:
    """Status words compare as the export's status is read: lower case, single spaces."""
    return " ".join(value.lower().split()) if isinstance(value, str) else value


def _pattern(value: Any) -> regex.Pattern[str]:
    """A measure's `match`, compiled here so a broken expression is a problem, not an
    error; by `regex`, which reads what `re` reads but can stop a match that runs too long."""
    if not isinstance(value, str):
        raise ValueError("must be a regular expression in quotes")
    try:
        return regex.compile(value, regex.IGNORECASE | regex.VERSION0)
    except regex.error as error:
        raise ValueError(f"not a valid regular expression: {error}") from None


def _measure_skill(value: Any) -> Any:
    """`""` means the measure only sets the tier; any other skill is a label, never blank."""
    if not isinstance(value, str) or value == "":
        return value
    if not value.strip():
        raise ValueError('cannot be blank; write a skill, or "" if the measure only sets the tier')
    return re.sub(r"\s+", "_", value.strip().lower())


StatusWord = Annotated[str, BeforeValidator(_status_word), Field(min_length=1)]
Percent = Annotated[float, Field(ge=0, le=100)]
MeasurePattern = Annotated[
    regex.Pattern[str],
    PlainValidator(_pattern),
    WithJsonSchema({"type": "string", "format": "regex"}),
]
MeasureSkill = Annotated[str, BeforeValidator(_measure_skill)]


class _Section(BaseModel):
    """TOML gives real types, so they are strict ("10" is not a number, "red" is not a
    list); an unknown key is most often a misspelled one, so it is rejected."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")


class StatusRules(_Section):
    tier3: list[StatusWord] = Field(description="Vendor status words that mean tier 3.")
    tier2: list[StatusWord] = Field(description="Vendor status words that mean tier 2.")


class Cutoffs(_Section):
    tier3: Percent = Field(description="A national percentile below this is tier 3.")
    tier2: Percent = Field(description="A national percentile below this, not tier 3, is tier 2.")

    @model_validator(mode="after")
    def _tier3_not_above_tier2(self) -> Cutoffs:
        """Tier 3 is the lower band; cut-offs the other way round leave tier 2 empty."""
        if self.tier3 > self.tier2:
            raise ValueError("the tier3 cut-off must not be above the tier2 cut-off")
        return self


class Percentiles(_Section):
    """Cut-offs per source, named as `solver.screening.source_key` names the sources."""

    default: Cutoffs = Field(description="For any source without its own cut-offs.")
    acadience: Cutoffs | None = Field(None, description="Acadience's own cut-offs.")
    aimswebplus: Cutoffs | None = Field(None, description="aimswebPlus's own cut-offs.")
    dibels: Cutoffs | None = Field(None, description="DIBELS 8 (mCLASS)'s own cut-offs.")
    fastbridge: Cutoffs | None = Field(None, description="FastBridge's own cut-offs.")
    generic: Cutoffs | None = Field(None, description="The generic file's own cut-offs.")
    iready: Cutoffs | None = Field(None, description="i-Ready's own cut-offs.")
    star: Cutoffs | None = Field(None, description="Star's own cut-offs.")

    def of(self, source: str) -> Cutoffs:
        own = getattr(self, source, None)
        return own if isinstance(own, Cutoffs) else self.default


class AccuracyRules(_Section):
    phonics_below: Percent = Field(
        description="ORF accuracy (percent) below this makes a low ORF phonics, not fluency."
    )


class MeasureRule(_Section):
    pattern: MeasurePattern = Field(
        alias="match", description="Regular expression on the measure name, any case."
    )
    subject: Label = Field(description="The subject of a need this measure shows.")
    skill: MeasureSkill = Field(description='The skill it shows, or "" if it only sets the tier.')


class Rules(_Section):
    """screening_rules.toml (merged over the defaults)."""

    status: StatusRules = Field(description="Vendor status words per tier.")
    percentile: Percentiles = Field(description="Percentile cut-offs where there is no status.")
    accuracy: AccuracyRules = Field(description="When a low ORF is phonics.")
    measures: list[MeasureRule] = Field(
        alias="measure", description="Measures in the order a low result decides the skill."
    )
    fallback: dict[Label, Label] = Field(
        description="Subject -> skill when only a composite is low."
    )

    def tier_from_status(self, status: str) -> int | None:
        text = _status_word(status)
        if text in self.status.tier3:
            return 3
        if text in self.status.tier2:
            return 2
        return None

    def tier_from_percentile(self, source: str, percentile: float) -> int | None:
        cutoffs = self.percentile.of(source)
        if percentile < cutoffs.tier3:
            return 3
        if percentile < cutoffs.tier2:
            return 2
        return None

    _source: str = PrivateAttr(str(DEFAULTS))

    def measure(self, name: str) -> MeasureRule | None:
        """The first rule whose pattern matches the measure name.

        Raises `SlowPattern` when a pattern runs past `MATCH_SECONDS` on the name.
        """
        return next((rule for rule in self.measures if self._matches(rule, name)), None)

    def _matches(self, rule: MeasureRule, name: str) -> bool:
        try:
            return rule.pattern.search(name, timeout=MATCH_SECONDS) is not None
        except TimeoutError:
            number = self.measures.index(rule) + 1
            raise SlowPattern(self._slow(number, rule.pattern.pattern, name)) from None

    def _slow(self, number: int, pattern: str, name: str) -> Problem:
        message = (
            f"this expression took more than {MATCH_SECONDS:g} s to match the measure name "
            f"{json.dumps(name, ensure_ascii=False)}; write a simpler one (a repeat inside a "
            "repeat, like (a|aa)+, is what makes matching slow)"
        )
        shown = json.dumps(pattern, ensure_ascii=False)
        return Problem(self._source, message, column=f"measure[{number}].match", value=shown)


class SlowPattern(Exception):
    """A `match` expression too slow to use; carries the problem that says so."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def load_rules(school_folder: Path | None = None) -> tuple[Rules | None, list[Problem]]:
    """The default rules, overridden by the school folder's screening_rules.toml if any.

    Every mistake in the school's file is a problem naming the file, the key and the
    value; the rules are None then, so no needs are made by rules nobody meant.
    """
    data = tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))
    if school_folder is None:
        return Rules.model_validate(data), []
    path = school_folder / RULES_FILE
    own, problems = _read_toml(path)
    if own is None:
        return None, problems
    _merge(data, own)
    try:
        rules = Rules.model_validate(data)
    except ValidationError as error:
        return None, [_problem(str(path), data, detail) for detail in error.errors()]
    rules._source = str(path)
    return rules, []


def _read_toml(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The file's TOML data ({} when there is no file); one problem if it cannot be read."""
    if not path.exists():
        return {}, []
    text, problems = read_text(path, str(path), "UTF-8")
    if text is None:
        return None, problems
    return parse_toml(str(path), text)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> None:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def _problem(source: str, data: dict[str, Any], detail: Any) -> Problem:
    """One validation error as `file:key: message (value)`, the value as TOML shows it."""
    loc = tuple(detail["loc"])
    if detail["type"] == "extra_forbidden":
        message = f"unknown key; the keys here are {', '.join(_keys_beside(loc))}"
    else:
        message = friendly_message(detail)
    value = value_at(data, loc)
    shown = None if value is None else json.dumps(value, ensure_ascii=False, default=str)
    return Problem(source, message, column=_key_path(loc), value=shown)


def _key_path(loc: tuple[int | str, ...]) -> str:
    """`percentile.default.tier3`; a [[measure]] table counted from 1: `measure[2].match`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part + 1}]"
        else:
            path += f".{part}" if path else part
    return path


def _keys_beside(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the table holding an unknown key may have, from the models themselves."""
    model: Any = Rules
    for part in loc[:-1]:
        if isinstance(part, str):
            fields = model.model_fields.items()
            model = next(f.annotation for name, f in fields if (f.alias or name) == part)
        model = next(t for t in (*get_args(model), model) if _is_model(t))
    return [f.alias or name for name, f in model.model_fields.items()]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
