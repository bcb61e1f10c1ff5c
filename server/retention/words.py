"""What applies to a family's retention date, in words for the people who act on it."""

from __future__ import annotations

from server.retention.dates import PeriodDate, Retention
from server.retention.schedule import CountedFrom, RecordKind

RECORDS = {
    RecordKind.family_record: "the family's record",
    RecordKind.contribution: "contributions",
    RecordKind.assessment: "assessments and reviews",
    RecordKind.meeting: "meetings and minutes",
    RecordKind.plan: "the plan",
    RecordKind.escalation: "escalations",
    RecordKind.safeguarding: "sharing without consent",
    RecordKind.consent: "consent",
}


def applies(retention: Retention) -> str:
    governing = retention.governing
    if governing is None:
        return "Extended by information governance"
    return f"{_when(governing)} (applies to {_listed([RECORDS[rule.record] for rule in governing.held])})"


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _when(period: PeriodDate) -> str:
    rule = period.period
    birthday = rule.counted_from.birthday
    after_closure = f"{rule.at_least_years_after_closure} years after closure"
    if rule.counted_from is CountedFrom.closure:
        return f"{max(rule.years, rule.at_least_years_after_closure)} years after closure"
    if period.from_start is None:
        return f"{after_closure}: no date of birth is recorded for the children the plan is about"
    if period.from_start < period.from_closure:
        return f"{after_closure}, which is later than the youngest child's {birthday}th birthday"
    plus = f" plus {rule.years} years" if rule.years else ""
    return f"The youngest child's {birthday}th birthday{plus}"
