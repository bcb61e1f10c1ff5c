"""The counts behind the outcomes reports (the caseload version for practitioners, the area version for
managers), computed in PostgreSQL: a report over 10,000 families moves aggregates, not rows.

Security invariants:
- the families counted are exactly those the caller may read the assessments of (access.family_filter,
  the SQL form of the policy), narrowed by the report's filters; a family the caller may not see never
  counts, not even in a total;
- a risk rating counts only if the caller may read it (kind assessment_rating), resilience indicators only
  for families whose entry and exit narratives they may read (kind assessment_narrative), and a service's
  cost only if they may read that it was received (kind service_received): each through the rules' SQL form
  (access.item_filter_by_group: families are numbered by the facts the rules read, and each branch of the
  condition serves the numbers whose facts give that condition), so a withheld item never shows in a figure;
- what became of the families and how often they were seen count only where the caller may see them: a
  closure and its care outcome through kind plan (as the family's transitions are read), a re-referral
  through kind referral on the family referred, contacts through kind contact (the fact of a contact is
  the team's; its note, never read here, is content), and a legal status cohort through kind legal_status,
  each by the rules' SQL form across families (access.family_filter)."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl, FactsGroups
from server.access.rules import ContentColumns
from server.assessment.models import (
    RISK_PRESENT,
    Assessment,
    AssessmentRating,
    AssessmentStage,
    RiskRating,
    current_assessment,
)
from server.contact.models import Contact
from server.errors import BadUserInput
from server.family.models import Family, LevelOfNeed
from server.legal_status.models import LegalStatus, LegalStatusChange
from server.referral.models import Referral
from server.service_received.content import content_columns
from server.service_received.models import ServiceReceived
from server.team.models import TeamMembership
from server.transition.models import CareOutcome, FamilyTransition, TransitionKind

LEVELS = list(LevelOfNeed)  # in order of need: universal < targeted < specialist < statutory
MAX_DAYS = 366 * 10
_RISK = sorted(rating.value for rating in RISK_PRESENT)


@dataclass(frozen=True)
class Cohort:
    """Which families a report is about, beyond the period and the team: each field narrows it, and an
    empty one does not. A new way to name a cohort is a field here and a condition in `_cohort_conditions`."""

    entry_levels: tuple[LevelOfNeed, ...] = ()  # the level of need on entry
    # A legal status the family held at some time from its entry assessment to its exit assessment (its
    # status in force on the entry day, or any it took on after, up to the exit day), read only where the
    # caller may see the family's legal status: a status they may not see places no family in the cohort.
    legal_statuses: tuple[LegalStatus, ...] = ()
    edge_of_care: bool = False  # in the edge-of-care cohort at some time over the same days


@dataclass(frozen=True)
class ReportFilter:
    exited_from: date
    exited_to: date
    team_agency_id: uuid.UUID | None = None  # families whose team has (or had) this agency on it
    cohort: Cohort = field(default_factory=Cohort)


@dataclass(frozen=True)
class Pairs:
    """Each family counted: its first entry assessment and its last exit assessment in the period, as parallel
    lists (a report over 10,000 families moves three arrays, not 10,000 objects); and how many families there
    are by their levels of need on entry and on exit, counted by PostgreSQL."""

    family_ids: list[uuid.UUID]
    entry_ids: list[uuid.UUID]
    exit_ids: list[uuid.UUID]
    levels: Counter[tuple[int, int]]  # (entry level index, exit level index) -> families


@dataclass(frozen=True)
class FactorCounts:
    factor: str
    assessed: int  # units (the family, or one member) rated on entry and on exit
    with_risk_on_entry: int  # units
    with_risk_on_exit: int
    families_with_risk_on_entry: int  # families with the risk (for the family, or for any member)
    families_with_risk_on_exit: int
    entry_distribution: dict[RiskRating, int]
    exit_distribution: dict[RiskRating, int]


@dataclass(frozen=True)
class Journey:
    """What became of the families, and how often they were seen. A family counts as closed when the caller
    may see its transitions (kind plan) and it has a closure on or after its entry assessment (the last such,
    whose care outcome says where the young person lives now); re-referred when a referral the caller may see
    (kind referral) follows that closure within 12 months. Contacts count for the families whose contact log
    the caller may see (kind contact: that a contact happened is the team's, only its note is content), from
    the day the family was opened (or its entry assessment, if earlier) to its exit assessment."""

    closed: int = 0
    remained_at_home: int = 0
    re_referred: int = 0
    families_with_contact_log: int = 0
    contacts: int = 0
    involvement_days: int = 0  # over the families with a contact log, both ends counted


@dataclass(frozen=True)
class Figures:
    filter: ReportFilter
    pairs: Pairs
    families_without_entry: int  # exited in the range but never assessed on entry: not in the figures
    factors: list[FactorCounts]
    narrated: int  # families whose entry and exit narratives the caller may read
    resilience_on_entry: int  # indicators, summed over those families
    resilience_on_exit: int
    families_with_services: int  # families with a service received the caller may read
    total_cost_pence: int
    journey: Journey

    @property
    def families(self) -> int:
        return len(self.pairs.family_ids)

    def matrix(self) -> Counter[tuple[int, int]]:
        """(entry level index, exit level index) -> families."""
        return self.pairs.levels


async def compute(session: AsyncSession, access: AccessControl, report: ReportFilter) -> Figures:
    _check_range(report)
    # Plan each statement for the values it is sent (thousands of pairs), never by a cached generic plan, which
    # guesses a hundred rows for each array and would read the families one at a time.
    await session.exec(sa.text("SET LOCAL plan_cache_mode = force_custom_plan"))
    pairs, without_entry = await _pairs(session, access, report)
    # Three statements for any number of families: the pairs, the facts of all their families (one row per
    # distinct facts), and the counting, whose item conditions have a branch per distinct condition.
    groups = await access.group_by_facts(session, pairs.family_ids)
    counted = await _count(session, Scope(access, pairs, groups))
    return Figures(
        filter=report,
        pairs=pairs,
        families_without_entry=without_entry,
        factors=counted.factors,
        narrated=counted.narrated,
        resilience_on_entry=counted.resilience_on_entry,
        resilience_on_exit=counted.resilience_on_exit,
        families_with_services=counted.families_with_services,
        total_cost_pence=counted.total_cost_pence,
        journey=counted.journey,
    )


def _check_range(report: ReportFilter) -> None:
    if report.exited_to < report.exited_from:
        raise BadUserInput("The end of the range is before its start.", field="exitedTo")
    if (report.exited_to - report.exited_from).days > MAX_DAYS:
        raise BadUserInput("Choose a range of ten years at most.", field="exitedTo")


_assessment = Assessment.__table__


async def _pairs(session: AsyncSession, access: AccessControl, report: ReportFilter) -> tuple[Pairs, int]:
    """Each visible family of the cohort whose exit assessment falls in the range: its first entry assessment
    against its last exit assessment in the range; and how many exited in the range with no entry."""
    a = _assessment.alias("a")
    conditions = [
        a.c.stage == AssessmentStage.exit.value,
        a.c.assessed_on.between(report.exited_from, report.exited_to),
        access.family_filter(a.c.family_id, Act.read, Kind.assessment),
        current_assessment(a.c.id),
    ]
    if report.team_agency_id is not None:
        team = TeamMembership.__table__.c
        conditions.append(sa.exists().where(team.family_id == a.c.family_id, team.agency_id == report.team_agency_id))
    exited = (
        sa.select(a.c.family_id, a.c.id, a.c.level_of_need, a.c.assessed_on)
        .where(*conditions)
        .ext(distinct_on(a.c.family_id))
        .order_by(a.c.family_id, a.c.assessed_on.desc(), a.c.created_at.desc())
        .cte("exited")
    )
    e = _assessment.alias("e")
    entered = (
        sa.select(e.c.family_id, e.c.id, e.c.level_of_need, e.c.assessed_on)
        .where(
            e.c.stage == AssessmentStage.entry.value,
            e.c.family_id.in_(sa.select(exited.c.family_id)),
            current_assessment(e.c.id),
        )
        .ext(distinct_on(e.c.family_id))
        .order_by(e.c.family_id, e.c.assessed_on, e.c.created_at)
        .cte("entered")
    )
    counted = sa.and_(entered.c.id.is_not(None), *_cohort_conditions(access, report.cohort, entered, exited))
    cells = [(i, j) for i in range(len(LEVELS)) for j in range(len(LEVELS))]
    statement = sa.select(
        *(sa.func.array_agg(column).filter(counted) for column in (exited.c.family_id, entered.c.id, exited.c.id)),
        *(
            sa.func.count().filter(
                counted, entered.c.level_of_need == LEVELS[i].value, exited.c.level_of_need == LEVELS[j].value
            )
            for i, j in cells
        ),
        sa.func.count().filter(entered.c.id.is_(None)),
    ).select_from(exited.outerjoin(entered, entered.c.family_id == exited.c.family_id))
    family_ids, entry_ids, exit_ids, *by_level, without_entry = (await session.exec(statement)).one()
    levels = Counter({cell: count for cell, count in zip(cells, by_level, strict=True) if count})
    return Pairs(family_ids or [], entry_ids or [], exit_ids or [], levels), without_entry


def _cohort_conditions(
    access: AccessControl, cohort: Cohort, entered: sa.CTE, exited: sa.CTE
) -> list[ColumnElement[bool]]:
    """The SQL conditions that place a family in the cohort, on its entry (`entered`) and exit (`exited`)
    assessments."""
    conditions = []
    if cohort.entry_levels:
        conditions.append(entered.c.level_of_need.in_([level.value for level in cohort.entry_levels]))
    if cohort.legal_statuses:
        statuses = [status.value for status in cohort.legal_statuses]
        conditions.append(_held(access, entered, exited, lambda row: row.c.legal_status.in_(statuses)))
    if cohort.edge_of_care:
        conditions.append(_held(access, entered, exited, lambda row: row.c.edge_of_care.is_(True)))
    return conditions


def _held(
    access: AccessControl, entered: sa.CTE, exited: sa.CTE, matches: Callable[[sa.Alias], ColumnElement[bool]]
) -> ColumnElement[bool]:
    """Whether the family's legal status history, as the caller may see it, has a row that `matches` in
    force at some time from the entry day to the exit day: the row in force on the entry day, or one
    that took effect after it and no later than the exit day."""
    status, later = LegalStatusChange.__table__.alias("ls"), LegalStatusChange.__table__.alias("ls_later")
    superseded_by_entry = (
        sa.exists()
        .where(
            later.c.family_id == status.c.family_id,
            later.c.effective_from > status.c.effective_from,
            later.c.effective_from <= entered.c.assessed_on,
        )
        .correlate(status, entered)
    )
    return sa.exists().where(
        status.c.family_id == exited.c.family_id,
        access.family_filter(status.c.family_id, Act.read, Kind.legal_status),
        status.c.effective_from <= exited.c.assessed_on,
        sa.or_(status.c.effective_from > entered.c.assessed_on, ~superseded_by_entry),
        matches(status),
    )


@dataclass(frozen=True)
class Scope:
    """The pairs a report counts, each family numbered by the facts the rules read (access.group_by_facts)."""

    access: AccessControl
    pairs: Pairs
    groups: FactsGroups

    def rows(self) -> sa.CTE:
        """The pairs as a relation p(family_id, entry_id, exit_id, facts_group), sent once as four arrays and
        read by every part of the counting statement."""
        uuids = ARRAY(sa.Uuid())
        pairs = sa.func.unnest(
            sa.literal(self.pairs.family_ids, uuids),
            sa.literal(self.pairs.entry_ids, uuids),
            sa.literal(self.pairs.exit_ids, uuids),
            sa.literal(self.groups.numbers, ARRAY(sa.Integer())),
        ).table_valued("family_id", "entry_id", "exit_id", "facts_group")
        pairs = pairs.render_derived(name="pairs", with_types=False)
        number = pairs.c.facts_group
        if self.groups.unlisted is not None:
            number = sa.func.coalesce(number, self.groups.unlisted)
        columns = (pairs.c.family_id, pairs.c.entry_id, pairs.c.exit_id, number.label("facts_group"))
        return sa.select(*columns).cte("p").prefix_with("MATERIALIZED")

    def readable(self, rows: sa.CTE, columns: ContentColumns, kind: Kind) -> ColumnElement[bool]:
        """Items of the pairs' families (joined to `rows`) that the caller may read."""
        return self.access.item_filter_by_group(self.groups, rows.c.facts_group, columns, kind=kind)


def _rating_columns(table: sa.FromClause) -> ContentColumns:
    return ContentColumns(owning_agency_id=table.c.owning_agency_id, category=table.c.category)


def _narrative_columns(table: sa.FromClause) -> ContentColumns:
    return ContentColumns(
        owning_agency_id=table.c.owning_agency_id,
        category=table.c.category,
        third_party=table.c.contains_third_party_identities,
    )


@dataclass(frozen=True)
class Counted:
    factors: list[FactorCounts]
    narrated: int
    resilience_on_entry: int
    resilience_on_exit: int
    families_with_services: int
    total_cost_pence: int
    journey: Journey


async def _count(session: AsyncSession, scope: Scope) -> Counted:
    """Everything counted over the pairs, in one statement: the whole-report totals (resilience, cost,
    journey: one row) joined to each factor's counts (a row per factor and ratings, none when nothing is
    rated), so the pairs travel once and PostgreSQL reads them once. Each part joins whole sets (hash joins
    over the pairs), never a subquery per family: the pairs' assessments are read once (`_spans`)."""
    if not scope.pairs.family_ids:
        return Counted([], 0, 0, 0, 0, 0, Journey())
    p = scope.rows()
    spans = _spans(scope, p)
    parts = (
        _resilience(spans).subquery("resilience"),
        _cost(scope, spans).subquery("cost"),
        _closures(scope, spans).subquery("closures"),
        _contacts(spans).subquery("contacts"),
    )
    totals = (
        sa.select(*(column for part in parts for column in part.c))
        .select_from(parts[0].join(parts[1], sa.true()).join(parts[2], sa.true()).join(parts[3], sa.true()))
        .subquery("totals")
    )
    factors = _factors(scope, p).subquery("factors")
    statement = sa.select(*totals.c, *factors.c).select_from(totals.outerjoin(factors, sa.true()))
    rows = (await session.exec(statement)).all()
    first = rows[0]
    return Counted(
        factors=_factor_rows([row for row in rows if row.factor is not None]),
        narrated=first.narrated,
        resilience_on_entry=int(first.resilience_on_entry),
        resilience_on_exit=int(first.resilience_on_exit),
        families_with_services=first.families_with_services,
        total_cost_pence=int(first.total_cost_pence),
        journey=Journey(
            first.closed,
            first.remained_at_home,
            first.re_referred,
            first.families_with_contact_log,
            int(first.contacts),
            int(first.involvement_days),
        ),
    )


def _factors(scope: Scope, p: sa.CTE) -> sa.Select:
    """A unit (the family, or one member) counts for a factor when the caller may read its rating on entry
    and on exit. Two groupings in one pass: units by (factor, entry rating, exit rating), and families by
    factor."""
    ratings = AssessmentRating.__table__
    e, x = ratings.alias("re"), ratings.alias("rx")
    entry, exit_ = _assessment.alias("fe"), _assessment.alias("fx")
    kind = Kind.assessment_rating
    # The ratings are joined through the assessments' keys, not straight from the pairs: PostgreSQL knows those
    # keys are distinct, so it hashes the pairs and reads the ratings once each, instead of hashing every rating.
    joined = (
        p.join(entry, entry.c.id == p.c.entry_id)
        .join(exit_, exit_.c.id == p.c.exit_id)
        .join(e, e.c.assessment_id == entry.c.id)
        .join(
            x,
            sa.and_(
                x.c.assessment_id == exit_.c.id,
                x.c.factor == e.c.factor,
                x.c.member_id.is_not_distinct_from(e.c.member_id),
            ),
        )
    )
    readable = sa.and_(scope.readable(p, _rating_columns(e), kind), scope.readable(p, _rating_columns(x), kind))
    entry_risk, exit_risk = e.c.rating.in_(_RISK), x.c.rating.in_(_RISK)
    return (
        sa.select(
            e.c.factor.label("factor"),
            e.c.rating.label("on_entry"),
            x.c.rating.label("on_exit"),
            (sa.func.grouping(e.c.rating, x.c.rating) != 0).label("per_family"),
            sa.func.count().label("units"),
            sa.func.count(sa.distinct(p.c.family_id)).filter(entry_risk).label("families_on_entry"),
            sa.func.count(sa.distinct(p.c.family_id)).filter(exit_risk).label("families_on_exit"),
        )
        .select_from(joined)
        .where(readable)
        .group_by(sa.func.grouping_sets(sa.tuple_(e.c.factor, e.c.rating, x.c.rating), sa.tuple_(e.c.factor)))
    )


def _factor_rows(rows: list) -> list[FactorCounts]:
    cells: dict[str, Counter[tuple[RiskRating, RiskRating]]] = defaultdict(Counter)
    families: dict[str, tuple[int, int]] = {}
    for row in rows:
        if row.per_family:
            families[row.factor] = (row.families_on_entry, row.families_on_exit)
        else:
            cells[row.factor][(RiskRating(row.on_entry), RiskRating(row.on_exit))] += row.units
    return [_factor_counts(factor, cells[factor], families[factor]) for factor in cells]


def _factor_counts(factor: str, cells: Counter, families: tuple[int, int]) -> FactorCounts:
    entry, exit_ = Counter(), Counter()
    for (on_entry, on_exit), count in cells.items():
        entry[on_entry] += count
        exit_[on_exit] += count
    return FactorCounts(
        factor=factor,
        assessed=sum(cells.values()),
        with_risk_on_entry=sum(entry[rating] for rating in RISK_PRESENT),
        with_risk_on_exit=sum(exit_[rating] for rating in RISK_PRESENT),
        families_with_risk_on_entry=families[0],
        families_with_risk_on_exit=families[1],
        entry_distribution={rating: entry[rating] for rating in RiskRating},
        exit_distribution={rating: exit_[rating] for rating in RiskRating},
    )


def _spans(scope: Scope, p: sa.CTE) -> sa.CTE:
    """Each pair with what the totals read of its family: its entry and exit days, the day its involvement
    started (the day the family was opened, or its entry assessment if earlier), whether the caller may read
    both narratives (kind assessment_narrative) and their resilience indicators, and whether they may see its
    contact log (kind contact). Read once, by hash joins, for every total."""
    e, x = _assessment.alias("ne"), _assessment.alias("nx")
    family = Family.__table__
    kind = Kind.assessment_narrative
    opened_on = sa.cast(sa.func.timezone("UTC", family.c.opened_at), sa.Date)
    started = sa.func.least(opened_on, e.c.assessed_on, type_=sa.Date)
    return (
        sa.select(
            p.c.family_id,
            p.c.facts_group,
            e.c.assessed_on.label("entry_on"),
            x.c.assessed_on.label("exit_on"),
            started.label("started"),
            # The same days as instants (UTC midnights: from the first day's, to the day after the last's), so
            # that each contact's time is compared as it is, not each converted to a day.
            _utc_midnight(started).label("started_at"),
            _utc_midnight(x.c.assessed_on + 1).label("ended_at"),
            sa.and_(
                scope.readable(p, _narrative_columns(e), kind), scope.readable(p, _narrative_columns(x), kind)
            ).label("narrated"),
            sa.func.cardinality(e.c.resilience_indicators).label("indicators_on_entry"),
            sa.func.cardinality(x.c.resilience_indicators).label("indicators_on_exit"),
            scope.access.family_filter(p.c.family_id, Act.read, Kind.contact).label("log_visible"),
        )
        .select_from(
            p.join(e, e.c.id == p.c.entry_id).join(x, x.c.id == p.c.exit_id).join(family, family.c.id == p.c.family_id)
        )
        .cte("spans")
        .prefix_with("MATERIALIZED")
    )


def _utc_midnight(day: ColumnElement) -> ColumnElement:
    """The instant a day (in UTC) begins."""
    return sa.func.timezone("UTC", sa.cast(day, sa.DateTime), type_=sa.DateTime(timezone=True))


def _resilience(spans: sa.CTE) -> sa.Select:
    """Families whose entry and exit narratives the caller may read, their indicators on entry and exit; and
    the families whose contact log the caller may see, with the days of their involvement."""
    narrated, visible = spans.c.narrated, spans.c.log_visible
    return sa.select(
        sa.func.count().filter(narrated).label("narrated"),
        sa.func.coalesce(sa.func.sum(spans.c.indicators_on_entry).filter(narrated), 0).label("resilience_on_entry"),
        sa.func.coalesce(sa.func.sum(spans.c.indicators_on_exit).filter(narrated), 0).label("resilience_on_exit"),
        sa.func.count().filter(visible).label("families_with_contact_log"),
        sa.func.coalesce(sa.func.sum(spans.c.exit_on - spans.c.started + 1).filter(visible), 0).label(
            "involvement_days"
        ),
    )


def _cost(scope: Scope, spans: sa.CTE) -> sa.Select:
    """What the services the families received up to their exit assessment cost, counting only services
    received the caller may read (each at the unit price of its start day, kept on the row)."""
    s = ServiceReceived.__table__
    return (
        sa.select(
            sa.func.count(sa.distinct(s.c.family_id)).label("families_with_services"),
            sa.func.coalesce(sa.func.sum(sa.cast(s.c.quantity, sa.BigInteger) * s.c.unit_price_pence), 0).label(
                "total_cost_pence"
            ),
        )
        .select_from(spans.join(s, sa.and_(s.c.family_id == spans.c.family_id, s.c.started_on <= spans.c.exit_on)))
        .where(scope.readable(spans, content_columns(), Kind.service_received))
    )


def _contacts(spans: sa.CTE) -> sa.Select:
    """Contacts with the families whose contact log the caller may see, over their involvement."""
    k = Contact.__table__
    family = Family.__table__.alias("kf")
    # Through the family's key, which PostgreSQL knows is distinct: it hashes the spans, not every contact.
    return (
        sa.select(sa.func.count().label("contacts"))
        .select_from(
            spans.join(family, family.c.id == spans.c.family_id).join(
                k,
                sa.and_(
                    k.c.family_id == family.c.id,
                    k.c.contacted_at >= spans.c.started_at,
                    k.c.contacted_at < spans.c.ended_at,
                ),
            )
        )
        .where(spans.c.log_visible)
    )


def _closures(scope: Scope, spans: sa.CTE) -> sa.Select:
    """Closures, care outcomes and re-referrals of the pairs' families (see `Journey`), through the rules' SQL
    form across families (kinds plan and referral): each family's last closure on or after its entry
    assessment, then each closure's first referral that follows it."""
    access = scope.access
    t = FamilyTransition.__table__.alias("t")
    last = (
        sa.select(t.c.id, t.c.effective_on, t.c.care_outcome)
        .select_from(spans.join(t, sa.and_(t.c.family_id == spans.c.family_id, t.c.effective_on >= spans.c.entry_on)))
        .where(t.c.kind == TransitionKind.closure.value, access.family_filter(t.c.family_id, Act.read, Kind.plan))
        .ext(distinct_on(t.c.family_id))
        .order_by(t.c.family_id, t.c.effective_on.desc(), t.c.created_at.desc())
        .subquery("c")
    )
    # Each closure's first referral the caller may see that follows it, read once for all closures (a referral
    # is linked to the last closure before it was received, so its first is the one that counts).
    r = Referral.__table__
    followed = (
        sa.select(r.c.earlier_closure_id, sa.func.min(r.c.received_on).label("first_received"))
        .where(r.c.earlier_closure_id.is_not(None), access.family_filter(r.c.family_id, Act.read, Kind.referral))
        .group_by(r.c.earlier_closure_id)
        .subquery("followed")
    )
    re_referred = followed.c.first_received <= last.c.effective_on + sa.text("interval '12 months'")
    remained = last.c.care_outcome == CareOutcome.remained_at_home.value
    return sa.select(
        sa.func.count().label("closed"),
        sa.func.count().filter(remained).label("remained_at_home"),
        sa.func.count().filter(re_referred).label("re_referred"),
    ).select_from(last.outerjoin(followed, followed.c.earlier_closure_id == last.c.id))
