"""The caseload outcomes report, in the shape evaluators use (the Family Pathfinder evaluation):
level of need on entry against exit, each risk factor on entry and exit, and resilience indicators.

Security invariants: the families counted are exactly those the caller may read the assessments of
(the SQL form of the policy, access.family_filter); a family the caller may not see never counts,
not even in a total. Within them, a risk rating counts only if the caller may read it (kind
assessment_rating, decided by the enforcement point per distinct facts), and resilience indicators,
part of an assessment's narrative, count only for families whose entry and exit narratives the caller
may read (kind assessment_narrative): a withheld rating or narrative never shows in a figure."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.assessment.content import narrative_facts, rating_facts
from server.assessment.factors import Catalogue
from server.assessment.models import (
    RISK_PRESENT,
    Assessment,
    AssessmentRating,
    AssessmentStage,
    RiskRating,
    current_assessment,
)
from server.errors import BadUserInput
from server.family.models import LevelOfNeed

LEVELS = list(LevelOfNeed)  # in order of need: universal < targeted < specialist < statutory
MAX_DAYS = 366 * 10


@dataclass(frozen=True)
class MatrixRow:
    entry_level: LevelOfNeed
    counts: list[int]  # by exit level, in LEVELS order
    percents: list[float | None]  # of all families in the report
    total: int
    total_percent: float | None


@dataclass(frozen=True)
class FactorResult:
    factor: str
    label: str
    scope: str
    assessed: int  # families (family factors) or members (member factors) rated on entry and on exit
    with_risk_on_entry: int
    with_risk_on_exit: int
    percent_on_entry: float | None
    percent_on_exit: float | None
    percent_reduction: float | None
    entry_distribution: dict[RiskRating, int]
    exit_distribution: dict[RiskRating, int]


@dataclass(frozen=True)
class OutcomesReport:
    exited_from: date
    exited_to: date
    families: int
    families_without_entry: int  # exited in the range but never assessed on entry: not in the figures
    matrix: list[MatrixRow]
    column_totals: list[int]
    column_percents: list[float | None]
    need_down: int
    need_same: int
    need_up: int
    factors: list[FactorResult]
    mean_resilience_on_entry: float | None
    mean_resilience_on_exit: float | None

    def percent(self, count: int) -> float | None:
        return percent(count, self.families)


def percent(count: int, of: int) -> float | None:
    return round(100 * count / of, 1) if of else None


async def caseload_outcomes(
    session: AsyncSession, access: AccessControl, *, exited_from: date, exited_to: date, catalogue: Catalogue
) -> OutcomesReport:
    """Families whose exit assessment falls in [exited_from, exited_to]: the first entry assessment
    against the last exit assessment in the range."""
    if exited_to < exited_from:
        raise BadUserInput("The end of the range is before its start.", field="exitedTo")
    if (exited_to - exited_from).days > MAX_DAYS:
        raise BadUserInput("Choose a range of ten years at most.", field="exitedTo")
    pairs, without_entry = await _entry_exit_pairs(session, access, exited_from, exited_to)
    await access.load_facts(session, [entry.family_id for entry, _ in pairs])  # one statement for all families
    rated = await _readable_ratings(session, access, pairs)
    narrated = [pair for pair in pairs if await _narratives_readable(session, access, pair)]
    return _report(exited_from, exited_to, pairs, without_entry, rated, narrated, catalogue)


async def _entry_exit_pairs(
    session: AsyncSession, access: AccessControl, exited_from: date, exited_to: date
) -> tuple[list[tuple[Assessment, Assessment]], int]:
    exited = (
        select(Assessment.family_id)
        .where(
            Assessment.stage == AssessmentStage.exit.value,
            col(Assessment.assessed_on).between(exited_from, exited_to),
            access.family_filter(col(Assessment.family_id), Act.read, Kind.assessment),
            current_assessment(),
        )
        .distinct()
    )
    statement = (
        select(Assessment)
        .where(
            col(Assessment.family_id).in_(exited), col(Assessment.stage).in_(["entry", "exit"]), current_assessment()
        )
        .order_by(col(Assessment.assessed_on), col(Assessment.created_at))
    )
    entry: dict[uuid.UUID, Assessment] = {}
    exit_: dict[uuid.UUID, Assessment] = {}
    for row in (await session.exec(statement)).all():
        if row.stage is AssessmentStage.entry:
            entry.setdefault(row.family_id, row)
        elif exited_from <= row.assessed_on <= exited_to:
            exit_[row.family_id] = row  # the last exit in the range
    pairs = [(entry[family_id], exit_[family_id]) for family_id in sorted(exit_) if family_id in entry]
    return pairs, len(exit_) - len(pairs)


async def _readable_ratings(
    session: AsyncSession, access: AccessControl, pairs: list[tuple[Assessment, Assessment]]
) -> dict[uuid.UUID, list[AssessmentRating]]:
    """The pairs' ratings the caller may read. The families' facts are loaded already, and decisions are
    memoised per distinct facts, so this is one statement whatever the number of families."""
    family_of = {assessment.id: assessment.family_id for pair in pairs for assessment in pair}
    grouped: dict[uuid.UUID, list[AssessmentRating]] = defaultdict(list)
    if family_of:
        statement = select(AssessmentRating).where(col(AssessmentRating.assessment_id).in_(list(family_of)))
        for row in (await session.exec(statement)).all():
            family_id = family_of[row.assessment_id]
            if await access.can_item(session, Act.read, Kind.assessment_rating, family_id, rating_facts(row)):
                grouped[row.assessment_id].append(row)
    return grouped


async def _narratives_readable(
    session: AsyncSession, access: AccessControl, pair: tuple[Assessment, Assessment]
) -> bool:
    for assessment in pair:
        facts = narrative_facts(assessment)
        if not await access.can_item(session, Act.read, Kind.assessment_narrative, assessment.family_id, facts):
            return False
    return True


def _report(exited_from, exited_to, pairs, without_entry, rated, narrated, catalogue: Catalogue) -> OutcomesReport:
    total = len(pairs)
    cells = Counter((LEVELS.index(e.level_of_need), LEVELS.index(x.level_of_need)) for e, x in pairs)
    matrix = []
    for i, level in enumerate(LEVELS):
        counts = [cells[(i, j)] for j in range(len(LEVELS))]
        matrix.append(
            MatrixRow(level, counts, [percent(c, total) for c in counts], sum(counts), percent(sum(counts), total))
        )
    columns = [sum(cells[(i, j)] for i in range(len(LEVELS))) for j in range(len(LEVELS))]
    moves = Counter((j > i) - (j < i) for (i, j), n in cells.items() for _ in range(n))
    resilience = [(len(e.resilience_indicators), len(x.resilience_indicators)) for e, x in narrated]
    return OutcomesReport(
        exited_from=exited_from,
        exited_to=exited_to,
        families=total,
        families_without_entry=without_entry,
        matrix=matrix,
        column_totals=columns,
        column_percents=[percent(c, total) for c in columns],
        need_down=moves[-1],
        need_same=moves[0],
        need_up=moves[1],
        factors=_factors(pairs, rated, catalogue),
        mean_resilience_on_entry=round(sum(e for e, _ in resilience) / len(resilience), 2) if resilience else None,
        mean_resilience_on_exit=round(sum(x for _, x in resilience) / len(resilience), 2) if resilience else None,
    )


def _factors(pairs, rated, catalogue: Catalogue) -> list[FactorResult]:
    """A unit (the family, or one member) counts for a factor when it was rated on entry and on exit."""
    units: dict[str, list[tuple[RiskRating, RiskRating]]] = defaultdict(list)
    for entry, exit_ in pairs:
        on_exit = {(r.factor, r.member_id): r.rating for r in rated.get(exit_.id, [])}
        for r in rated.get(entry.id, []):
            if (r.factor, r.member_id) in on_exit:
                units[r.factor].append((r.rating, on_exit[(r.factor, r.member_id)]))
    order = {factor.code: index for index, factor in enumerate(catalogue.factors)}
    results = []
    for code in sorted(units, key=lambda c: (order.get(c, len(order)), c)):
        ratings = units[code]
        on_entry = sum(1 for e, _ in ratings if e in RISK_PRESENT)
        on_exit = sum(1 for _, x in ratings if x in RISK_PRESENT)
        factor = catalogue.by_code.get(code)
        results.append(
            FactorResult(
                factor=code,
                label=catalogue.label(code),
                scope=factor.scope if factor else "retired",
                assessed=len(ratings),
                with_risk_on_entry=on_entry,
                with_risk_on_exit=on_exit,
                percent_on_entry=percent(on_entry, len(ratings)),
                percent_on_exit=percent(on_exit, len(ratings)),
                percent_reduction=percent(on_entry - on_exit, on_entry),
                entry_distribution=_distribution(e for e, _ in ratings),
                exit_distribution=_distribution(x for _, x in ratings),
            )
        )
    return results


def _distribution(ratings) -> dict[RiskRating, int]:
    counts = Counter(ratings)
    return {rating: counts[rating] for rating in RiskRating}
