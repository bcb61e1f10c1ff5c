"""A closed family's retention date, worked out in SQL from the schedule, so that the IG officers' queue
filters and orders on it in the database.

Each distinct period of the schedule (counted from, years, at least years after closure) gives a date
when the family holds a record of one of its kinds: the later of the date counted from its start and
the date `at_least_years_after_closure` after closure (a birthday with no date of birth recorded gives
no date, so the closure date stands). The family's date is the latest of those, or the date an IG
officer extended it to if that is later. The statement returns each part, so the page can say what
applies without doing the date arithmetic a second time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from server.family.models import Family, FamilyMember, FamilyStatus
from server.retention.models import RetentionDecision, RetentionDecisionKind
from server.retention.schedule import CountedFrom, RecordKind, Rule, Schedule

# The tables that hold each kind of record (every one has a family_id column); the family's own
# record is always held.
HELD_IN: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.family_record: (),
    RecordKind.contribution: ("contribution", "contact_log"),
    RecordKind.assessment: ("assessment", "review"),
    RecordKind.meeting: ("taf_meeting",),
    RecordKind.plan: ("plan_goal", "plan_action", "plan_contingency"),
    RecordKind.escalation: ("escalation",),
    RecordKind.safeguarding: ("safeguarding_override", "sharing_decision"),
    RecordKind.consent: ("consent", "engagement_agreement"),
}

_family = Family.__table__.c
_member = FamilyMember.__table__.c
_decision = RetentionDecision.__table__.c


@dataclass(frozen=True)
class Period:
    counted_from: CountedFrom
    years: int
    at_least_years_after_closure: int
    rules: tuple[Rule, ...]  # the kinds of record with this period, in the schedule's order


@dataclass(frozen=True)
class PeriodDate:
    period: Period
    held: tuple[Rule, ...]  # the kinds of record with this period the family holds
    from_start: date | None  # counted from the period's start (None: no date of birth recorded)
    from_closure: date

    @property
    def on(self) -> date:
        return max(self.from_start or self.from_closure, self.from_closure)


@dataclass(frozen=True)
class Retention:
    family_id: uuid.UUID
    reference: str
    display_name: str
    closed_on: date
    due_on: date
    periods: tuple[PeriodDate, ...]  # those that apply (the family holds a record of their kinds)
    extended_until: date | None
    extension_reason: str | None
    on_hold: bool
    hold_reason: str | None
    hold_since: datetime | None

    @property
    def governing(self) -> PeriodDate | None:
        """The period that gives the date (None when an extension does)."""
        if self.extended_until is not None and self.extended_until >= self.due_on:
            return None
        return max(self.periods, key=lambda period: period.on)


def periods(schedule: Schedule) -> tuple[Period, ...]:
    grouped: dict[tuple, list[Rule]] = {}
    for rule in schedule.rules:
        grouped.setdefault(rule.period, []).append(rule)
    return tuple(Period(*key, rules=tuple(rules)) for key, rules in grouped.items())


def _years_after(start: ColumnElement, years: int) -> ColumnElement:
    return sa.cast(start + sa.func.make_interval(years), sa.Date)


def _held(kind: RecordKind) -> ColumnElement[bool]:
    tables = [sa.table(name, sa.column("family_id")) for name in HELD_IN[kind]]
    if not tables:
        return sa.true()
    return sa.or_(*(sa.exists().where(table.c.family_id == _family.id) for table in tables))


def _latest(kinds: tuple[RetentionDecisionKind, ...], column: ColumnElement) -> sa.ScalarSelect:
    return (
        sa.select(column)
        .where(_decision.family_id == _family.id, _decision.kind.in_([kind.value for kind in kinds]))
        .order_by(_decision.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )


def _periods(
    schedule: Schedule, closed_on: ColumnElement, youngest: ColumnElement
) -> tuple[list[ColumnElement], list[ColumnElement]]:
    """For each period: its two dates and whether the family holds each of its kinds (labelled columns for
    from_row), and the date it gives the family (NULL when the family holds none of its kinds)."""
    columns: list[ColumnElement] = []
    period_dates: list[ColumnElement] = []
    for index, period in enumerate(periods(schedule)):
        birthday = period.counted_from.birthday
        start = closed_on if birthday is None else youngest
        from_start = _years_after(start, (birthday or 0) + period.years)
        from_closure = _years_after(closed_on, period.at_least_years_after_closure)
        held = [_held(rule.record) for rule in period.rules]
        columns += [from_start.label(f"s{index}"), from_closure.label(f"c{index}")]
        columns += [h.label(f"h{index}_{rule.record.value}") for h, rule in zip(held, period.rules, strict=True)]
        period_dates.append(sa.case((sa.or_(*held), sa.func.greatest(from_start, from_closure))))
    return columns, period_dates


def retention_columns(schedule: Schedule) -> list[ColumnElement]:
    """The parts of each closed family's date, labelled; `due_on` is the family's date."""
    closed_on = sa.cast(sa.func.timezone("UTC", _family.closed_at), sa.Date)
    youngest = (
        sa.select(sa.func.max(_member.date_of_birth))
        .where(_member.family_id == _family.id, _member.is_subject_child)
        .scalar_subquery()
    )
    columns, period_dates = _periods(schedule, closed_on, youngest)
    extended = (
        sa.select(sa.func.max(_decision.retain_until))
        .where(_decision.family_id == _family.id, _decision.kind == RetentionDecisionKind.extended.value)
        .scalar_subquery()
    )
    hold_kinds = (RetentionDecisionKind.legal_hold, RetentionDecisionKind.hold_removed)
    return [
        _family.id.label("family_id"),
        _family.reference.label("reference"),
        _family.display_name.label("display_name"),
        closed_on.label("closed_on"),
        sa.func.greatest(*period_dates, extended).label("due_on"),
        extended.label("extended_until"),
        _latest((RetentionDecisionKind.extended,), _decision.reason).label("extension_reason"),
        sa.func.coalesce(_latest(hold_kinds, _decision.kind) == RetentionDecisionKind.legal_hold.value, False).label(
            "on_hold"
        ),
        _latest(hold_kinds, _decision.reason).label("hold_reason"),
        _latest(hold_kinds, _decision.created_at).label("hold_since"),
        *columns,
    ]


def closed_families(schedule: Schedule) -> sa.Subquery:
    """Every closed family with the parts of its date (a subquery to filter and order on `due_on`)."""
    statement = sa.select(*retention_columns(schedule)).where(
        _family.status == FamilyStatus.closed.value, _family.closed_at.is_not(None)
    )
    return statement.subquery("retention")


def from_row(schedule: Schedule, row: sa.Row) -> Retention:
    values = row._mapping
    applying = []
    for index, period in enumerate(periods(schedule)):
        held = tuple(rule for rule in period.rules if values[f"h{index}_{rule.record.value}"])
        if held:
            applying.append(PeriodDate(period, held, values[f"s{index}"], values[f"c{index}"]))
    on_hold = bool(values["on_hold"])
    return Retention(
        family_id=values["family_id"],
        reference=values["reference"],
        display_name=values["display_name"],
        closed_on=values["closed_on"],
        due_on=values["due_on"],
        periods=tuple(applying),
        extended_until=values["extended_until"],
        extension_reason=values["extension_reason"],
        on_hold=on_hold,
        hold_reason=values["hold_reason"] if on_hold else None,
        hold_since=values["hold_since"] if on_hold else None,
    )
