"""The retention schedule: how long a closed family's records are kept, per kind of record, read from
policies/retention_schedule.csv (data, not code). A bad line stops start-up: a schedule that silently
dropped a line would keep records too long or erase them too soon."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TypeVar

from server.config import ConfigError

MAX_YEARS = 100
E = TypeVar("E", bound=StrEnum)

COLUMNS = ("record", "counted_from", "years", "at_least_years_after_closure", "basis")


class RecordKind(StrEnum):
    """The kinds of record the schedule names; server/retention/dates.py says which tables hold each."""

    family_record = "family_record"  # the family, its members, team and closure: always held
    contribution = "contribution"
    assessment = "assessment"  # assessments, their ratings, reviews
    meeting = "meeting"  # TAF meetings, minutes, decisions, corrections
    plan = "plan"  # goals, actions and their history
    escalation = "escalation"
    safeguarding = "safeguarding"  # overrides and decisions not to share
    consent = "consent"  # consents, refusals, agreements to engage


class CountedFrom(StrEnum):
    closure = "closure"
    child_18 = "child_18"  # the youngest subject child's 18th birthday
    child_25 = "child_25"  # ... 25th birthday

    @property
    def birthday(self) -> int | None:
        return {CountedFrom.child_18: 18, CountedFrom.child_25: 25}.get(self)


@dataclass(frozen=True)
class Rule:
    record: RecordKind
    counted_from: CountedFrom
    years: int
    at_least_years_after_closure: int
    basis: str

    @property
    def period(self) -> tuple[CountedFrom, int, int]:
        """What decides the date: two kinds with the same period share one date."""
        return (self.counted_from, self.years, self.at_least_years_after_closure)


@dataclass(frozen=True)
class Schedule:
    rules: tuple[Rule, ...]

    def rule(self, record: RecordKind) -> Rule:
        return next(rule for rule in self.rules if rule.record is record)


@cache
def load_schedule(path: Path) -> Schedule:
    """Read once per process (create_app reads it at start-up, so a bad file stops the service there)."""
    try:
        text = path.read_text()
    except OSError as error:
        raise ConfigError(f"the retention schedule {path} cannot be read: {error.strerror}") from None
    numbered = [(number, line) for number, line in enumerate(text.splitlines(), 1) if _is_data(line)]
    if not numbered:
        raise ConfigError(f"{path}: no header line ({','.join(COLUMNS)})")
    reader = csv.reader(line for _, line in numbered)
    header = next(reader)
    if tuple(name.strip() for name in header) != COLUMNS:
        raise ConfigError(f"{path} line {numbered[0][0]}: the header must be {','.join(COLUMNS)}")
    rules = [_rule(path, number, cells) for (number, _), cells in zip(numbered[1:], reader, strict=True)]
    _check_complete(path, rules)
    return Schedule(tuple(rules))


def _is_data(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith("#")


def _rule(path: Path, number: int, cells: list[str]) -> Rule:
    where = f"{path} line {number}"
    if len(cells) != len(COLUMNS):
        raise ConfigError(f"{where}: expected {len(COLUMNS)} values ({','.join(COLUMNS)}), got {len(cells)}")
    record, counted_from, years, at_least, basis = (cell.strip() for cell in cells)
    return Rule(
        record=_choice(where, "record", RecordKind, record),
        counted_from=_choice(where, "counted_from", CountedFrom, counted_from),
        years=_years(where, "years", years),
        at_least_years_after_closure=_years(where, "at_least_years_after_closure", at_least),
        basis=basis or _missing(where, "basis"),
    )


def _choice(where: str, column: str, enum: type[E], value: str) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ConfigError(f"{where}: {column} must be one of {allowed}; got {value!r}") from None


def _years(where: str, column: str, value: str) -> int:
    if not value.isdigit() or int(value) > MAX_YEARS:
        raise ConfigError(f"{where}: {column} must be a whole number of years from 0 to {MAX_YEARS}; got {value!r}")
    return int(value)


def _missing(where: str, column: str) -> str:
    raise ConfigError(f"{where}: {column} cannot be empty")


def _check_complete(path: Path, rules: list[Rule]) -> None:
    named = [rule.record for rule in rules]
    twice = sorted({record.value for record in named if named.count(record) > 1})
    if twice:
        raise ConfigError(f"{path}: more than one line for {', '.join(twice)}")
    missing = [record.value for record in RecordKind if record not in named]
    if missing:
        raise ConfigError(f"{path}: no line for {', '.join(missing)} (every kind of record needs one)")
