"""The editable rules that turn screening results into a skill and a tier.

Defaults ship as `default_rules.toml` beside this module; a school's own
`screening_rules.toml` overrides any key it sets (the measure list as a whole).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULTS = Path(__file__).with_name("default_rules.toml")


@dataclass(frozen=True)
class MeasureRule:
    pattern: re.Pattern[str]
    subject: str
    skill: str


@dataclass(frozen=True)
class Rules:
    tier3_status: frozenset[str]
    tier2_status: frozenset[str]
    percentile: dict[str, tuple[float, float]]
    phonics_below_accuracy: float
    measures: tuple[MeasureRule, ...]
    fallback: dict[str, str]

    def tier_from_status(self, status: str) -> int | None:
        text = " ".join(status.strip().lower().split())
        if text in self.tier3_status:
            return 3
        if text in self.tier2_status:
            return 2
        return None

    def tier_from_percentile(self, source: str, percentile: float) -> int | None:
        tier3, tier2 = self.percentile.get(source, self.percentile["default"])
        if percentile < tier3:
            return 3
        if percentile < tier2:
            return 2
        return None

    def measure(self, name: str) -> MeasureRule | None:
        """The first rule whose pattern matches the measure name."""
        lowered = name.lower()
        return next((rule for rule in self.measures if rule.pattern.search(lowered)), None)


def load_rules(school_folder: Path | None = None) -> Rules:
    """The default rules, overridden by the school folder's screening_rules.toml if any."""
    data = tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))
    own = school_folder / "screening_rules.toml" if school_folder else None
    if own is not None and own.is_file():
        _merge(data, tomllib.loads(own.read_text(encoding="utf-8")))
    return Rules(
        tier3_status=frozenset(s.lower() for s in data["status"]["tier3"]),
        tier2_status=frozenset(s.lower() for s in data["status"]["tier2"]),
        percentile={k: (v["tier3"], v["tier2"]) for k, v in data["percentile"].items()},
        phonics_below_accuracy=data["accuracy"]["phonics_below"],
        measures=tuple(
            MeasureRule(re.compile(m["match"]), m["subject"], m["skill"]) for m in data["measure"]
        ),
        fallback=dict(data["fallback"]),
    )


def _merge(base: dict[str, Any], override: dict[str, Any]) -> None:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
