"""The outcomes report as evaluators publish it (the Family Pathfinder evaluation's tables): the area version
for managers (the families their agency works with) and the caseload version for practitioners (the
families they work with). Which families each version counts is the policy's answer, not this module's:
figures.py counts the families whose assessments the caller may read, and only what they may read of them.

Percentages are whole numbers rounded half up, as the published tables round (57.5% is 58%, 43.5% is 44%;
a rise, a negative reduction, rounds away from zero). Each risk factor is given as a share of the units
assessed for it and as a share of every family in the cohort; its reduction is the fall in families with
the risk, as a share of those with it on entry.

Of the families closed, those who remained at home and those re-referred within 12 months are given as
whole percents too; the mean contacts a family and a week, and money to the penny, are rounded half away
from zero as well (exactly, on fractions). Cost per family that remained at home is the whole cost of the
services counted over the families that remained at home: what each outcome cost."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.pep import AccessControl
from server.assessment.factors import Catalogue
from server.assessment.models import RiskRating
from server.assessment.report import order_factors
from server.family.models import LevelOfNeed
from server.outcomes_report import figures
from server.outcomes_report.figures import LEVELS, ReportFilter


def half_up(value: Fraction) -> int:
    """To a whole number, halves away from zero (exact: no binary fraction decides a half)."""
    rounded = int(abs(value) + Fraction(1, 2))
    return rounded if value >= 0 else -rounded


def whole_percent(count: int, of: int) -> int | None:
    """100 * count / of as the published tables give it; None when there is nothing to divide by."""
    return half_up(Fraction(100 * count, of)) if of else None


def hundredths(value: Fraction) -> float:
    """To two decimal places, halves away from zero (1.875 is 1.88, 0.125 is 0.13)."""
    return half_up(value * 100) / 100


def ratio(total: int, of: int) -> float | None:
    """total / of to two decimal places, halves away from zero; None when there is nothing to divide by."""
    return hundredths(Fraction(total, of)) if of else None


def per_unit(total_pence: int, of: int) -> int | None:
    return half_up(Fraction(total_pence, of)) if of else None


@dataclass(frozen=True)
class LevelRow:
    entry_level: LevelOfNeed
    counts: list[int]  # by exit level, in LEVELS order
    percents: list[int | None]  # of all families in the report
    total: int
    total_percent: int | None


@dataclass(frozen=True)
class FactorRow:
    factor: str
    label: str
    scope: str
    assessed: int
    with_risk_on_entry: int
    with_risk_on_exit: int
    percent_of_assessed_on_entry: int | None
    percent_of_assessed_on_exit: int | None
    families_with_risk_on_entry: int
    families_with_risk_on_exit: int
    percent_of_cohort_on_entry: int | None
    percent_of_cohort_on_exit: int | None
    percent_reduction: int | None
    entry_distribution: dict[RiskRating, int]
    exit_distribution: dict[RiskRating, int]


@dataclass(frozen=True)
class Report:
    filter: ReportFilter
    families: int
    families_without_entry: int
    levels: list[LevelRow]
    column_totals: list[int]
    column_percents: list[int | None]
    need_down: int
    need_same: int
    need_up: int
    factors: list[FactorRow]
    families_with_resilience: int
    mean_resilience_on_entry: float | None
    mean_resilience_on_exit: float | None
    families_with_services: int
    total_cost_pence: int
    cost_per_family_pence: int | None
    families_closed: int
    remained_at_home: int
    remained_at_home_percent: int | None  # of the families closed
    re_referred: int  # within 12 months of closure
    re_referred_percent: int | None  # of the families closed
    cost_per_family_remaining_at_home_pence: int | None  # the total cost over the families that remained at home
    families_with_contact_log: int
    contacts: int
    mean_contacts_per_family: float | None
    contacts_per_week: float | None  # over the weeks of involvement of the families with a contact log

    def percent(self, count: int) -> int | None:
        return whole_percent(count, self.families)


async def outcomes_report(
    session: AsyncSession, access: AccessControl, report: ReportFilter, *, catalogue: Catalogue
) -> Report:
    return shape(await figures.compute(session, access, report), catalogue)


def shape(found: figures.Figures, catalogue: Catalogue) -> Report:
    total, cells = found.families, found.matrix()
    rows = []
    for i, level in enumerate(LEVELS):
        counts = [cells[(i, j)] for j in range(len(LEVELS))]
        rows.append(
            LevelRow(
                level, counts, [whole_percent(c, total) for c in counts], sum(counts), whole_percent(sum(counts), total)
            )
        )
    columns = [sum(cells[(i, j)] for i in range(len(LEVELS))) for j in range(len(LEVELS))]
    moves = [sum(n for (i, j), n in cells.items() if (j > i) - (j < i) == way) for way in (-1, 0, 1)]
    journey = found.journey
    return Report(
        filter=found.filter,
        families=total,
        families_without_entry=found.families_without_entry,
        levels=rows,
        column_totals=columns,
        column_percents=[whole_percent(c, total) for c in columns],
        need_down=moves[0],
        need_same=moves[1],
        need_up=moves[2],
        factors=[_factor(counts, total, catalogue) for counts in order_factors(found.factors, catalogue)],
        families_with_resilience=found.narrated,
        mean_resilience_on_entry=ratio(found.resilience_on_entry, found.narrated),
        mean_resilience_on_exit=ratio(found.resilience_on_exit, found.narrated),
        families_with_services=found.families_with_services,
        total_cost_pence=found.total_cost_pence,
        cost_per_family_pence=per_unit(found.total_cost_pence, total),
        families_closed=journey.closed,
        remained_at_home=journey.remained_at_home,
        remained_at_home_percent=whole_percent(journey.remained_at_home, journey.closed),
        re_referred=journey.re_referred,
        re_referred_percent=whole_percent(journey.re_referred, journey.closed),
        cost_per_family_remaining_at_home_pence=per_unit(found.total_cost_pence, journey.remained_at_home),
        families_with_contact_log=journey.families_with_contact_log,
        contacts=journey.contacts,
        mean_contacts_per_family=ratio(journey.contacts, journey.families_with_contact_log),
        contacts_per_week=ratio(7 * journey.contacts, journey.involvement_days),
    )


def _factor(counts: figures.FactorCounts, families: int, catalogue: Catalogue) -> FactorRow:
    factor = catalogue.by_code.get(counts.factor)
    on_entry, on_exit = counts.families_with_risk_on_entry, counts.families_with_risk_on_exit
    return FactorRow(
        factor=counts.factor,
        label=catalogue.label(counts.factor),
        scope=factor.scope if factor else "retired",
        assessed=counts.assessed,
        with_risk_on_entry=counts.with_risk_on_entry,
        with_risk_on_exit=counts.with_risk_on_exit,
        percent_of_assessed_on_entry=whole_percent(counts.with_risk_on_entry, counts.assessed),
        percent_of_assessed_on_exit=whole_percent(counts.with_risk_on_exit, counts.assessed),
        families_with_risk_on_entry=on_entry,
        families_with_risk_on_exit=on_exit,
        percent_of_cohort_on_entry=whole_percent(on_entry, families),
        percent_of_cohort_on_exit=whole_percent(on_exit, families),
        percent_reduction=whole_percent(on_entry - on_exit, on_entry),
        entry_distribution=counts.entry_distribution,
        exit_distribution=counts.exit_distribution,
    )
