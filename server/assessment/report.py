"""The caseload outcomes report, in the shape evaluators use (the Family Pathfinder evaluation):
level of need on entry against exit, each risk factor on entry and exit, and resilience indicators, with
percentages to one decimal place. server/outcomes_report/figures.py counts what the caller may see (its
security invariants hold here); this module only shapes the counts. The area report with whole percents,
cohort shares and cost is server/outcomes_report/report.py."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.pep import AccessControl
from server.assessment.factors import Catalogue
from server.assessment.models import RiskRating
from server.family.models import LevelOfNeed
from server.outcomes_report import figures

LEVELS = figures.LEVELS


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
    against the last exit assessment in the range (server/outcomes_report/figures.py counts them)."""
    found = await figures.compute(session, access, figures.ReportFilter(exited_from, exited_to))
    total, cells = found.families, found.matrix()
    matrix = []
    for i, level in enumerate(LEVELS):
        counts = [cells[(i, j)] for j in range(len(LEVELS))]
        matrix.append(
            MatrixRow(level, counts, [percent(c, total) for c in counts], sum(counts), percent(sum(counts), total))
        )
    columns = [sum(cells[(i, j)] for i in range(len(LEVELS))) for j in range(len(LEVELS))]
    moves = Counter((j > i) - (j < i) for (i, j), n in cells.items() for _ in range(n))
    return OutcomesReport(
        exited_from=exited_from,
        exited_to=exited_to,
        families=total,
        families_without_entry=found.families_without_entry,
        matrix=matrix,
        column_totals=columns,
        column_percents=[percent(c, total) for c in columns],
        need_down=moves[-1],
        need_same=moves[0],
        need_up=moves[1],
        factors=_factors(found.factors, catalogue),
        mean_resilience_on_entry=_mean(found.resilience_on_entry, found.narrated),
        mean_resilience_on_exit=_mean(found.resilience_on_exit, found.narrated),
    )


def _mean(total: int, of: int) -> float | None:
    return round(total / of, 2) if of else None


def _factors(counts: list[figures.FactorCounts], catalogue: Catalogue) -> list[FactorResult]:
    """A unit (the family, or one member) counts for a factor when it was rated on entry and on exit."""
    results = []
    for found in order_factors(counts, catalogue):
        factor = catalogue.by_code.get(found.factor)
        results.append(
            FactorResult(
                factor=found.factor,
                label=catalogue.label(found.factor),
                scope=factor.scope if factor else "retired",
                assessed=found.assessed,
                with_risk_on_entry=found.with_risk_on_entry,
                with_risk_on_exit=found.with_risk_on_exit,
                percent_on_entry=percent(found.with_risk_on_entry, found.assessed),
                percent_on_exit=percent(found.with_risk_on_exit, found.assessed),
                percent_reduction=percent(found.with_risk_on_entry - found.with_risk_on_exit, found.with_risk_on_entry),
                entry_distribution=found.entry_distribution,
                exit_distribution=found.exit_distribution,
            )
        )
    return results


def order_factors(counts: list[figures.FactorCounts], catalogue: Catalogue) -> list[figures.FactorCounts]:
    """In the order of the area's list of factors; retired factors last, by code."""
    order = {factor.code: index for index, factor in enumerate(catalogue.factors)}
    return sorted(counts, key=lambda found: (order.get(found.factor, len(order)), found.factor))
