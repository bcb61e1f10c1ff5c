"""The caseload outcomes report as the API shows it (server/assessment/report.py computes it)."""

from __future__ import annotations

from datetime import date

import strawberry

from server.assessment import report as report_service
from server.assessment.models import RiskRating
from server.family.api import LevelOfNeedType

RiskRatingType = strawberry.enum(
    RiskRating,
    name="RiskRating",
    description="not_a_concern, low, medium, high; on exit, no_longer_a_risk for a risk found on entry.",
)


@strawberry.type(name="RatingCount")
class RatingCountType:
    rating: RiskRatingType  # type: ignore[valid-type]
    count: int


@strawberry.type(name="LevelOfNeedRow", description="Families with this level of need on entry, by level on exit.")
class LevelOfNeedRowType:
    entry_level: LevelOfNeedType  # type: ignore[valid-type]
    counts: list[int] = strawberry.field(description="By level on exit: universal, targeted, specialist, statutory.")
    percents: list[float | None] = strawberry.field(description="Each cell as a % of all families in the report.")
    total: int
    total_percent: float | None


@strawberry.type(name="RiskFactorOutcome", description="One risk factor on entry and on exit.")
class RiskFactorOutcomeType:
    factor: str
    label: str
    scope: str
    assessed: int = strawberry.field(description="Families (family factors) or members rated on entry and exit.")
    with_risk_on_entry: int
    with_risk_on_exit: int
    percent_on_entry: float | None
    percent_on_exit: float | None
    percent_reduction: float | None = strawberry.field(description="Fall in those with the risk, % of entry.")
    entry_distribution: list[RatingCountType]
    exit_distribution: list[RatingCountType]


@strawberry.type(
    name="CaseloadOutcomesReport",
    description="Families the caller may see whose exit assessment falls in the range: first entry against last"
    " exit. Families the caller may not see are never counted, nor are ratings they may not read.",
)
class CaseloadOutcomesReportType:
    exited_from: date
    exited_to: date
    families: int
    families_without_entry: int = strawberry.field(description="Exited in range with no entry assessment; excluded.")
    level_of_need: list[LevelOfNeedRowType]
    column_totals: list[int]
    column_percents: list[float | None]
    need_down: int
    need_down_percent: float | None
    need_same: int
    need_same_percent: float | None
    need_up: int
    need_up_percent: float | None
    risk_factors: list[RiskFactorOutcomeType]
    mean_resilience_on_entry: float | None = strawberry.field(
        description="Over the families whose entry and exit narratives the caller may read (null if none)."
    )
    mean_resilience_on_exit: float | None

    @classmethod
    def from_report(cls, r: report_service.OutcomesReport) -> CaseloadOutcomesReportType:
        return cls(
            exited_from=r.exited_from,
            exited_to=r.exited_to,
            families=r.families,
            families_without_entry=r.families_without_entry,
            level_of_need=[LevelOfNeedRowType(**vars(row)) for row in r.matrix],
            column_totals=r.column_totals,
            column_percents=r.column_percents,
            need_down=r.need_down,
            need_down_percent=r.percent(r.need_down),
            need_same=r.need_same,
            need_same_percent=r.percent(r.need_same),
            need_up=r.need_up,
            need_up_percent=r.percent(r.need_up),
            risk_factors=[_factor(f) for f in r.factors],
            mean_resilience_on_entry=r.mean_resilience_on_entry,
            mean_resilience_on_exit=r.mean_resilience_on_exit,
        )


def _factor(f: report_service.FactorResult) -> RiskFactorOutcomeType:
    fields = {k: v for k, v in vars(f).items() if not k.endswith("_distribution")}
    return RiskFactorOutcomeType(
        **fields,
        entry_distribution=[RatingCountType(rating=k, count=v) for k, v in f.entry_distribution.items()],
        exit_distribution=[RatingCountType(rating=k, count=v) for k, v in f.exit_distribution.items()],
    )
