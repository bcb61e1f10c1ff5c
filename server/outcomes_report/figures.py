"""The counts behind the outcomes reports (the caseload version for practitioners, the area version for
managers), computed in PostgreSQL: a report over 10,000 families moves aggregates, not rows.

Security invariants:
- the families counted are exactly those the caller may read the assessments of (access.family_filter,
  the SQL form of the policy), narrowed by the report's filters; a family the caller may not see never
  counts, not even in a total;
- a risk rating counts only if the caller may read it (kind assessment_rating), resilience indicators only
  for families whose entry and exit narratives they may read (kind assessment_narrative), and a service's
  cost only if they may read that it was received (kind service_received): each through the rules' SQL form
  (StatementPolicy, over each family's facts read in the same statement: facts.families_facts), so a
  withheld item never shows in a figure;
- what became of the families and how often they were seen count only where the caller may see them: a
  closure and its care outcome through kind plan (as the family's transitions are read), a re-referral
  through kind referral on the family referred, contacts through kind contact (the fact of a contact is
  the team's; its note, never read here, is content), and a legal status cohort through kind legal_status,
  each by the rules' SQL form (over the family's facts, or access.family_filter across families)."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnClause, ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.facts import FAMILIES_FACTS_COLUMNS, families_facts
from server.access.kinds import Kind
from server.access.pep import AccessControl, StatementPolicy
from server.access.rules import ContentColumns, FactsColumns, facts_columns
from server.assessment.models import (
    RISK_PRESENT,
    Assessment,
    AssessmentRating,
    AssessmentStage,
    RiskRating,
    current_assessment,
)
from server.contact.models import Contact
from server.db.prepared import prepared
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
WORK_MEM = "16MB"  # for the report's statement only (SET LOCAL)
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
    families: int  # each counted: its first entry assessment against its last exit assessment in the period
    levels: Counter[tuple[int, int]]  # (entry level index, exit level index) -> families
    families_without_entry: int  # exited in the range but never assessed on entry: not in the figures
    factors: list[FactorCounts]
    narrated: int  # families whose entry and exit narratives the caller may read
    resilience_on_entry: int  # indicators, summed over those families
    resilience_on_exit: int
    families_with_services: int  # families with a service received the caller may read
    total_cost_pence: int
    journey: Journey

    def matrix(self) -> Counter[tuple[int, int]]:
        """(entry level index, exit level index) -> families."""
        return self.levels


@dataclass(frozen=True)
class _Shape:
    """Which of the report's filters a statement compares with: their values are its parameters."""

    team: bool
    entry_levels: bool
    legal_statuses: bool
    edge_of_care: bool


_CELLS = [(i, j) for i in range(len(LEVELS)) for j in range(len(LEVELS))]


async def compute(session: AsyncSession, access: AccessControl, report: ReportFilter) -> Figures:
    """Everything in one statement, whatever the number of families: the pairs, their families' facts and the
    counting stay in PostgreSQL, and only the figures come back (a row per factor and ratings). Its text depends
    only on the caller's role (and kinds of ids) and on which filters are set, so it is built and compiled once
    (server/db/prepared.py) and prepared once per connection."""
    _check_range(report)
    # Plan each run for its values (a caseload of 30 families or an area of 10,000), never by a cached generic plan;
    # and room to hash the ratings of 10,000 pairs (about 10 MB) in memory: at the default 4 MB the factor join
    # and the families' grouping spill to disk in batches (bench/README.md, "Memory for the hashes"). Both for
    # this transaction only, in one round trip.
    await session.exec(
        sa.text(
            "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), set_config('work_mem', :work_mem, true)"
        ).bindparams(work_mem=WORK_MEM)
    )
    policy = access.statement_policy()
    cohort = report.cohort
    shape = _Shape(
        report.team_agency_id is not None, bool(cohort.entry_levels), bool(cohort.legal_statuses), cohort.edge_of_care
    )
    dialect = session.bind.dialect  # type: ignore[union-attr]
    statement = prepared((__name__, policy.key, dialect.name, shape), dialect, lambda: _statement(policy, shape))
    values = {
        **policy.families_facts_parameters(access.actor),
        "exited_from": report.exited_from,
        "exited_to": report.exited_to,
        "team_agency_id": report.team_agency_id,
        "entry_levels": [level.value for level in cohort.entry_levels],
        "legal_statuses": [status.value for status in cohort.legal_statuses],
    }
    rows = await statement.all(session, values)
    first = rows[0]
    return Figures(
        filter=report,
        families=first.families,
        levels=Counter({(i, j): count for i, j in _CELLS if (count := getattr(first, f"cell_{i}_{j}"))}),
        families_without_entry=first.without_entry,
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


def _check_range(report: ReportFilter) -> None:
    if report.exited_to < report.exited_from:
        raise BadUserInput("The end of the range is before its start.", field="exitedTo")
    if (report.exited_to - report.exited_from).days > MAX_DAYS:
        raise BadUserInput("Choose a range of ten years at most.", field="exitedTo")


_assessment = Assessment.__table__


def _statement(policy: StatementPolicy, shape: _Shape) -> sa.Select:
    """The report's statement. Built twice, the first time to learn which of the families' facts the caller's
    rules read (the rest are never worked out), the second with only those."""
    probe = Scope(policy, None)
    _built(probe, shape)
    return _built(Scope(policy, probe.read), shape)


def _built(scope: Scope, shape: _Shape) -> sa.Select:
    """The whole-report totals (one row) joined to each factor's counts (a row per factor and ratings, none when
    nothing is rated), over the pairs (`_pairs`) with their families' facts (`p`) read once, by hash joins."""
    pairs = _pairs(scope, shape)
    # The pairs counted, named `ids` with the family's id as `id`: facts.families_facts reads the families there.
    ids = (
        sa.select(pairs.c.family_id.label("id"), pairs.c.entry_id, pairs.c.exit_id, *_read_of_both(pairs))
        .where(pairs.c.counted)
        .cte("ids")
        .prefix_with("MATERIALIZED")
    )
    p = scope.rows(ids)
    spans = _spans(scope, p)
    parts = (
        _levels(pairs).subquery("levels"),
        _resilience(spans).subquery("resilience"),
        _cost(scope, spans).subquery("cost"),
        _closures(scope, spans).subquery("closures"),
        _contacts(spans).subquery("contacts"),
    )
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.join(part, sa.true())
    totals = sa.select(*(column for part in parts for column in part.c)).select_from(joined).subquery("totals")
    factors = _factors(scope, p).subquery("factors")
    return sa.select(*totals.c, *factors.c).select_from(totals.outerjoin(factors, sa.true()))


def _pairs(scope: Scope, shape: _Shape) -> sa.CTE:
    """Each visible family whose exit assessment falls in the range (:exited_from to :exited_to): its last exit
    assessment in the range, its first entry assessment (if any), the levels of need of both, and whether it is
    counted (it has an entry assessment and is in the cohort)."""
    access = scope.access
    a = _assessment.alias("a")
    conditions = [
        a.c.stage == AssessmentStage.exit.value,
        a.c.assessed_on.between(
            sa.bindparam("exited_from", type_=sa.Date()), sa.bindparam("exited_to", type_=sa.Date())
        ),
        access.family_filter(a.c.family_id, Act.read, Kind.assessment),
        current_assessment(a.c.id),
    ]
    if shape.team:
        team = TeamMembership.__table__.c
        agency = sa.bindparam("team_agency_id", type_=sa.Uuid())
        conditions.append(sa.exists().where(team.family_id == a.c.family_id, team.agency_id == agency))
    exited = (
        sa.select(a.c.family_id, a.c.id, a.c.level_of_need, *_read_of(a))
        .where(*conditions)
        .ext(distinct_on(a.c.family_id))
        .order_by(a.c.family_id, a.c.assessed_on.desc(), a.c.created_at.desc())
        .cte("exited")
    )
    e = _assessment.alias("e")
    entered = (
        sa.select(e.c.family_id, e.c.id, e.c.level_of_need, *_read_of(e))
        .where(
            e.c.stage == AssessmentStage.entry.value,
            e.c.family_id.in_(sa.select(exited.c.family_id)),
            current_assessment(e.c.id),
        )
        .ext(distinct_on(e.c.family_id))
        .order_by(e.c.family_id, e.c.assessed_on, e.c.created_at)
        .cte("entered")
    )
    counted = sa.and_(entered.c.id.is_not(None), *_cohort_conditions(access, shape, entered, exited))
    return (
        sa.select(
            exited.c.family_id,
            entered.c.id.label("entry_id"),
            exited.c.id.label("exit_id"),
            sa.cast(entered.c.level_of_need, sa.Text).label("entry_level"),
            sa.cast(exited.c.level_of_need, sa.Text).label("exit_level"),
            sa.func.coalesce(counted, sa.false()).label("counted"),
            *(column.label(f"entry_{column.name}") for column in _read_columns(entered)),
            *(column.label(f"exit_{column.name}") for column in _read_columns(exited)),
        )
        .select_from(exited.outerjoin(entered, entered.c.family_id == exited.c.family_id))
        .cte("pairs")
        .prefix_with("MATERIALIZED")
    )


# What the counting reads of each assessment of a pair, read with the pair (the assessments are read once).
_READ = ("assessed_on", "owning_agency_id", "category", "contains_third_party_identities", "indicators")


def _read_of(assessment: sa.FromClause) -> list[ColumnElement]:
    c = assessment.c
    return [
        c.assessed_on,
        c.owning_agency_id,
        c.category,
        c.contains_third_party_identities,
        sa.func.cardinality(c.resilience_indicators).label("indicators"),
    ]


def _read_columns(assessments: sa.FromClause) -> list[ColumnElement]:
    return [assessments.c[name] for name in _READ]


def _read_of_both(pairs: sa.FromClause) -> list[ColumnElement]:
    return [pairs.c[f"{stage}_{name}"] for stage in ("entry", "exit") for name in _READ]


def _narrative(pairs: sa.FromClause, stage: str) -> ContentColumns:
    """The narrative of a pair's assessment (`stage`: entry or exit) as the rules read it."""
    c = pairs.c
    return ContentColumns(
        owning_agency_id=c[f"{stage}_owning_agency_id"],
        category=c[f"{stage}_category"],
        third_party=c[f"{stage}_contains_third_party_identities"],
    )


def _levels(pairs: sa.CTE) -> sa.Select:
    """The families counted, by their levels of need on entry and on exit; and those that exited with no entry."""
    counted = pairs.c.counted
    return sa.select(
        sa.func.count().filter(counted).label("families"),
        *(
            sa.func.count()
            .filter(counted, pairs.c.entry_level == LEVELS[i].value, pairs.c.exit_level == LEVELS[j].value)
            .label(f"cell_{i}_{j}")
            for i, j in _CELLS
        ),
        sa.func.count().filter(pairs.c.entry_id.is_(None)).label("without_entry"),
    )


def _cohort_conditions(
    access: AccessControl, shape: _Shape, entered: sa.CTE, exited: sa.CTE
) -> list[ColumnElement[bool]]:
    """The SQL conditions that place a family in the cohort, on its entry (`entered`) and exit (`exited`)
    assessments: levels on entry among :entry_levels, a legal status among :legal_statuses, edge of care."""
    conditions = []
    if shape.entry_levels:
        levels = sa.bindparam("entry_levels", type_=ARRAY(sa.Text()))
        conditions.append(sa.cast(entered.c.level_of_need, sa.Text) == sa.any_(levels))
    if shape.legal_statuses:
        statuses = sa.bindparam("legal_statuses", type_=ARRAY(sa.Text()))
        held = _held(access, entered, exited, lambda row: sa.cast(row.c.legal_status, sa.Text) == sa.any_(statuses))
        conditions.append(held)
    if shape.edge_of_care:
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


_FACTS_READ_BY_RULES = [column.name for column in fields(FactsColumns)]
# Typed as families_facts types them (the rules' SQL form uses jsonb and array operators).
_PROBE = sa.table("facts_probe", *(sa.column(column.name, column.type) for column in families_facts().c))


class Scope:
    """The rules' SQL form over the facts of the pairs' families (facts.families_facts, read with the pairs in
    `p`): `read` names the facts the statement's conditions read, None while they are being found out (the
    conditions are then built over a probe, which records what they read)."""

    def __init__(self, policy: StatementPolicy, read: set[str] | None) -> None:
        self.policy = policy
        self.access = policy.access()  # family_filter, for the actor as bind parameters
        self.probing = read is None
        self.read: set[str] = set() if read is None else read

    def rows(self, ids: sa.CTE) -> sa.CTE:
        """The pairs counted as p(family_id, entry_id, exit_id, what is read of both assessments, then the facts
        read), each family's facts worked out once for the whole statement."""
        facts = families_facts()
        kept = [facts.c[name] for name in FAMILIES_FACTS_COLUMNS if name in self.read]
        return (
            sa.select(ids.c.id.label("family_id"), ids.c.entry_id, ids.c.exit_id, *_read_of_both(ids), *kept)
            .select_from(ids.join(facts, facts.c.family_id == ids.c.id))
            .cte("p")
            .prefix_with("MATERIALIZED")
        )

    def facts_of(self, rows: sa.FromClause) -> list[ColumnElement]:
        """The facts columns of `rows` (p, or a relation that selects them from it), to carry on."""
        return [rows.c[name] for name in FAMILIES_FACTS_COLUMNS if name in self.read]

    def readable(self, rows: sa.FromClause, columns: ContentColumns, kind: Kind) -> ColumnElement[bool]:
        """Items of the pairs' families (joined to `rows`) that the caller may read."""
        return self._noted(self.policy.item_condition(self._facts(rows), columns, kind=kind))

    def visible(self, rows: sa.FromClause, kind: Kind) -> ColumnElement[bool]:
        """Whether the caller may read `kind` in each of the pairs' families (joined to `rows`)."""
        return self._noted(self.policy.family_condition(self._facts(rows), Act.read, kind))

    def _facts(self, rows: sa.FromClause) -> FactsColumns:
        """The facts as columns of `rows`; those not read are the probe's (SQL that names them would fail)."""
        if self.probing:
            return facts_columns(_PROBE)
        return FactsColumns(**{name: (rows if name in self.read else _PROBE).c[name] for name in _FACTS_READ_BY_RULES})

    def _noted(self, condition: ColumnElement[bool]) -> ColumnElement[bool]:
        if self.probing:
            self.read.update(
                element.name
                for element in visitors.iterate(condition)
                if isinstance(element, ColumnClause) and element.table is _PROBE
            )
        return condition


def _rating_columns(table: sa.FromClause) -> ContentColumns:
    return ContentColumns(owning_agency_id=table.c.owning_agency_id, category=table.c.category)


def _factors(scope: Scope, p: sa.CTE) -> sa.CompoundSelect:
    """A unit (the family, or one member) counts for a factor when the caller may read its rating on entry
    and on exit. Two groupings in one pass: units by (factor, entry rating, exit rating), and families by
    factor."""
    ratings = AssessmentRating.__table__
    e, x = ratings.alias("re"), ratings.alias("rx")
    kind = Kind.assessment_rating
    joined = p.join(e, e.c.assessment_id == p.c.entry_id).join(
        x,
        sa.and_(
            x.c.assessment_id == p.c.exit_id,
            x.c.factor == e.c.factor,
            x.c.member_id.is_not_distinct_from(e.c.member_id),
        ),
    )
    # Counted only where both are readable, as aggregates' filters, not as the join's condition: PostgreSQL cannot
    # estimate a condition over the facts (columns of a CTE), and would guess too few pairs to hash them.
    readable = sa.and_(scope.readable(p, _rating_columns(e), kind), scope.readable(p, _rating_columns(x), kind))
    units = (
        sa.select(
            e.c.factor.label("factor"),
            e.c.rating.label("on_entry"),
            x.c.rating.label("on_exit"),
            p.c.family_id,
            readable.label("readable"),
        )
        .select_from(joined)
        .cte("units")
        .prefix_with("MATERIALIZED")
    )
    u = units.c
    # Units by (factor, entry rating, exit rating); then families by factor, from each family's units of the factor
    # (hashed, where a count of distinct families would sort every group).
    cells = (
        sa.select(
            u.factor,
            u.on_entry,
            u.on_exit,
            sa.false().label("per_family"),
            sa.func.count().filter(u.readable).label("units"),
            sa.null().cast(sa.BigInteger).label("families_on_entry"),
            sa.null().cast(sa.BigInteger).label("families_on_exit"),
        )
        .group_by(u.factor, u.on_entry, u.on_exit)
        .having(sa.func.count().filter(u.readable) > 0)  # no row for ratings the caller may not read
    )
    by_family = (
        sa.select(
            u.factor,
            sa.func.bool_or(sa.and_(u.readable, u.on_entry.in_(_RISK))).label("on_entry"),
            sa.func.bool_or(sa.and_(u.readable, u.on_exit.in_(_RISK))).label("on_exit"),
            sa.func.bool_or(u.readable).label("readable"),
        )
        .group_by(u.factor, u.family_id)
        .subquery("by_family")
    )
    f = by_family.c
    families = (
        sa.select(
            f.factor,
            sa.null().cast(sa.String).label("on_entry"),
            sa.null().cast(sa.String).label("on_exit"),
            sa.true().label("per_family"),
            sa.null().cast(sa.BigInteger).label("units"),
            sa.func.count().filter(f.on_entry).label("families_on_entry"),
            sa.func.count().filter(f.on_exit).label("families_on_exit"),
        )
        .group_by(f.factor)
        .having(sa.func.count().filter(f.readable) > 0)
    )
    return sa.union_all(cells, families)


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
    family = Family.__table__
    kind = Kind.assessment_narrative
    entry_on, exit_on = p.c.entry_assessed_on, p.c.exit_assessed_on
    opened_on = sa.cast(sa.func.timezone("UTC", family.c.opened_at), sa.Date)
    started = sa.func.least(opened_on, entry_on, type_=sa.Date)
    return (
        sa.select(
            p.c.family_id,
            *scope.facts_of(p),
            entry_on.label("entry_on"),
            exit_on.label("exit_on"),
            started.label("started"),
            # The same days as instants (UTC midnights: from the first day's, to the day after the last's), so
            # that each contact's time is compared as it is, not each converted to a day.
            _utc_midnight(started).label("started_at"),
            _utc_midnight(exit_on + 1).label("ended_at"),
            sa.and_(
                scope.readable(p, _narrative(p, "entry"), kind), scope.readable(p, _narrative(p, "exit"), kind)
            ).label("narrated"),
            p.c.entry_indicators.label("indicators_on_entry"),
            p.c.exit_indicators.label("indicators_on_exit"),
            scope.visible(p, Kind.contact).label("log_visible"),
        )
        .select_from(p.join(family, family.c.id == p.c.family_id))
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
    readable = scope.readable(spans, content_columns(), Kind.service_received)  # as a filter: see `_factors`
    cost = sa.cast(s.c.quantity, sa.BigInteger) * s.c.unit_price_pence
    return sa.select(
        sa.func.count(sa.distinct(s.c.family_id)).filter(readable).label("families_with_services"),
        sa.func.coalesce(sa.func.sum(cost).filter(readable), 0).label("total_cost_pence"),
    ).select_from(spans.join(s, sa.and_(s.c.family_id == spans.c.family_id, s.c.started_on <= spans.c.exit_on)))


def _contacts(spans: sa.CTE) -> sa.Select:
    """Contacts with the families whose contact log the caller may see, over their involvement."""
    k = Contact.__table__
    family = Family.__table__.alias("kf")
    # Through the family's key, which PostgreSQL knows is distinct: it hashes the spans, not every contact.
    return sa.select(sa.func.count().filter(spans.c.log_visible).label("contacts")).select_from(
        spans.join(family, family.c.id == spans.c.family_id).join(
            k,
            sa.and_(
                k.c.family_id == family.c.id,
                k.c.contacted_at >= spans.c.started_at,
                k.c.contacted_at < spans.c.ended_at,
            ),
        )
    )


def _closures(scope: Scope, spans: sa.CTE) -> sa.Select:
    """Closures, care outcomes and re-referrals of the pairs' families (see `Journey`), through the rules' SQL
    form across families (kinds plan and referral): each family's last closure on or after its entry
    assessment, then each closure's first referral that follows it."""
    access = scope.access
    t = FamilyTransition.__table__.alias("t")
    last = (
        # Whether the caller may see the family's transitions, a fact of the family, so of each of its closures
        # alike: kept as a column and counted as a filter (see `_factors`).
        sa.select(t.c.id, t.c.effective_on, t.c.care_outcome, scope.visible(spans, Kind.plan).label("visible"))
        .select_from(spans.join(t, sa.and_(t.c.family_id == spans.c.family_id, t.c.effective_on >= spans.c.entry_on)))
        .where(t.c.kind == TransitionKind.closure.value)
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
    visible = last.c.visible
    return sa.select(
        sa.func.count().filter(visible).label("closed"),
        sa.func.count().filter(visible, remained).label("remained_at_home"),
        sa.func.count().filter(visible, re_referred).label("re_referred"),
    ).select_from(last.outerjoin(followed, followed.c.earlier_closure_id == last.c.id))
