"""The outcomes report in the API (server/outcomes_report/report.py computes it). The web's report page
shows it as a chart and a table, and builds its CSV export from the same answer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from server.api.scalars import Info, parse_id
from server.api.types import pounds
from server.assessment.factors import load_catalogue
from server.assessment.report_api import RatingCountType
from server.family.api import LevelOfNeedType
from server.legal_status.api import LegalStatusType
from server.outcomes_report import report as report_service
from server.outcomes_report.figures import Cohort, ReportFilter


@strawberry.input(
    name="OutcomesCohortInput",
    description="Which families the report is about, beyond the period and the team. Each field narrows it.",
)
class OutcomesCohortInput:
    entry_levels: list[LevelOfNeedType] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Families whose level of need on entry is one of these (all when omitted)."
    )
    legal_statuses: list[LegalStatusType] | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="Families that held one of these legal statuses at some time from their entry assessment to"
        " their exit assessment (the status in force on the entry day, or one taken on after it). Only a legal"
        " status the caller may see places a family in the cohort.",
    )
    edge_of_care: bool = strawberry.field(
        default=False, description="Only families in the edge-of-care cohort at some time over the same days."
    )


@strawberry.input(name="OutcomesReportFilter")
class OutcomesReportFilterInput:
    exited_from: date = strawberry.field(description="Families whose exit assessment falls from this day...")
    exited_to: date = strawberry.field(description="... to this day (ten years at most).")
    team_agency_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only families whose team has, or had, this agency on it."
    )
    cohort: OutcomesCohortInput | None = None

    def to_filter(self) -> ReportFilter:
        cohort = self.cohort or OutcomesCohortInput()
        return ReportFilter(
            exited_from=self.exited_from,
            exited_to=self.exited_to,
            team_agency_id=parse_id(self.team_agency_id, "teamAgencyId") if self.team_agency_id else None,
            cohort=Cohort(
                entry_levels=tuple(cohort.entry_levels or ()),
                legal_statuses=tuple(cohort.legal_statuses or ()),
                edge_of_care=cohort.edge_of_care,
            ),
        )


@strawberry.type(name="OutcomesLevelRow", description="Families with this level of need on entry, by level on exit.")
class OutcomesLevelRowType:
    entry_level: LevelOfNeedType  # type: ignore[valid-type]
    counts: list[int] = strawberry.field(description="By level on exit: universal, targeted, specialist, statutory.")
    percents: list[int | None] = strawberry.field(description="Each cell as a whole % of the families in the report.")
    total: int
    total_percent: int | None


@strawberry.type(name="OutcomesRiskFactor", description="One risk factor on entry and on exit.")
class OutcomesRiskFactorType:
    factor: str
    label: str
    scope: str = strawberry.field(description="family, member, adult or child; retired if no longer on the list.")
    assessed: int = strawberry.field(description="Units (the family, or members) rated on entry and on exit.")
    with_risk_on_entry: int = strawberry.field(description="Units rated low, medium or high on entry.")
    with_risk_on_exit: int
    percent_of_assessed_on_entry: int | None
    percent_of_assessed_on_exit: int | None
    families_with_risk_on_entry: int = strawberry.field(description="Families with the risk (or a member with it).")
    families_with_risk_on_exit: int
    percent_of_cohort_on_entry: int | None = strawberry.field(description="As a whole % of all families reported.")
    percent_of_cohort_on_exit: int | None
    percent_reduction: int | None = strawberry.field(
        description="Fall in families with the risk, as a whole % of those with it on entry (negative: a rise)."
    )
    entry_distribution: list[RatingCountType]
    exit_distribution: list[RatingCountType]

    @classmethod
    def from_row(cls, row: report_service.FactorRow) -> OutcomesRiskFactorType:
        fields = {k: v for k, v in vars(row).items() if not k.endswith("_distribution")}
        return cls(
            **fields,
            entry_distribution=[RatingCountType(rating=k, count=v) for k, v in row.entry_distribution.items()],
            exit_distribution=[RatingCountType(rating=k, count=v) for k, v in row.exit_distribution.items()],
        )


@strawberry.type(
    name="OutcomesReport",
    description="Outcomes of the families the caller may see whose exit assessment falls in the period: first entry"
    " against last exit. A practitioner's report covers their caseload; a manager's, the families their agency"
    " works with. Families, ratings, narratives and services received the caller may not see are never counted."
    " Percentages are whole numbers rounded half up, as published evaluation tables round. Closures, care outcomes,"
    " re-referrals, contacts and legal statuses count only where the caller may see them.",
)
class OutcomesReportType:
    exited_from: date
    exited_to: date
    team_agency_id: strawberry.ID | None
    cohort_entry_levels: list[LevelOfNeedType]  # type: ignore[valid-type]
    cohort_legal_statuses: list[LegalStatusType]  # type: ignore[valid-type]
    cohort_edge_of_care: bool
    families: int
    families_without_entry: int = strawberry.field(description="Exited in the period with no entry assessment.")
    level_of_need: list[OutcomesLevelRowType]
    column_totals: list[int]
    column_percents: list[int | None]
    need_down: int
    need_down_percent: int | None
    need_same: int
    need_same_percent: int | None
    need_up: int
    need_up_percent: int | None
    risk_factors: list[OutcomesRiskFactorType]
    families_with_resilience: int = strawberry.field(
        description="Families whose entry and exit narratives the caller may read: the resilience means are theirs."
    )
    mean_resilience_on_entry: float | None
    mean_resilience_on_exit: float | None
    families_with_services: int = strawberry.field(description="Families with a service received the caller may read.")
    total_cost: Decimal = strawberry.field(
        description="Services received up to the exit assessment that the caller may read: quantity x unit price,"
        " in pounds."
    )
    cost_per_family: Decimal | None = strawberry.field(
        description="totalCost / families, in pounds, rounded half up to the penny."
    )
    families_closed: int = strawberry.field(
        description="Families with a closure (the caller may see) on or after their entry assessment."
    )
    remained_at_home: int = strawberry.field(
        description="Closed families whose last closure says the young person remained at home."
    )
    remained_at_home_percent: int | None = strawberry.field(description="As a whole % of the families closed.")
    re_referred_within_12_months: int = strawberry.field(
        description="Closed families referred again (a referral the caller may see) within 12 months of closure."
    )
    re_referred_percent: int | None = strawberry.field(description="As a whole % of the families closed.")
    cost_per_family_remaining_at_home: Decimal | None = strawberry.field(
        description="totalCost / remainedAtHome: what each family that remained at home cost, in pounds, rounded"
        " half up to the penny."
    )
    families_with_contact_log: int = strawberry.field(
        description="Families whose contact log the caller may see: the contacts below are theirs."
    )
    contacts: int = strawberry.field(
        description="Contacts with those families from the day each was opened (or its entry assessment, if"
        " earlier) to its exit assessment."
    )
    mean_contacts_per_family: float | None = strawberry.field(
        description="contacts / familiesWithContactLog, to two decimal places, halves away from zero."
    )
    contacts_per_week: float | None = strawberry.field(
        description="contacts per week of involvement (the days over the same spans, both ends counted, / 7), to"
        " two decimal places, halves away from zero."
    )

    @classmethod
    def from_report(cls, r: report_service.Report) -> OutcomesReportType:
        team = r.filter.team_agency_id
        return cls(
            exited_from=r.filter.exited_from,
            exited_to=r.filter.exited_to,
            team_agency_id=strawberry.ID(str(team)) if team else None,
            cohort_entry_levels=list(r.filter.cohort.entry_levels),
            cohort_legal_statuses=list(r.filter.cohort.legal_statuses),
            cohort_edge_of_care=r.filter.cohort.edge_of_care,
            families=r.families,
            families_without_entry=r.families_without_entry,
            level_of_need=[OutcomesLevelRowType(**vars(row)) for row in r.levels],
            column_totals=r.column_totals,
            column_percents=r.column_percents,
            need_down=r.need_down,
            need_down_percent=r.percent(r.need_down),
            need_same=r.need_same,
            need_same_percent=r.percent(r.need_same),
            need_up=r.need_up,
            need_up_percent=r.percent(r.need_up),
            risk_factors=[OutcomesRiskFactorType.from_row(row) for row in r.factors],
            families_with_resilience=r.families_with_resilience,
            mean_resilience_on_entry=r.mean_resilience_on_entry,
            mean_resilience_on_exit=r.mean_resilience_on_exit,
            families_with_services=r.families_with_services,
            total_cost=pounds(r.total_cost_pence),
            cost_per_family=_pounds(r.cost_per_family_pence),
            families_closed=r.families_closed,
            remained_at_home=r.remained_at_home,
            remained_at_home_percent=r.remained_at_home_percent,
            re_referred_within_12_months=r.re_referred,
            re_referred_percent=r.re_referred_percent,
            cost_per_family_remaining_at_home=_pounds(r.cost_per_family_remaining_at_home_pence),
            families_with_contact_log=r.families_with_contact_log,
            contacts=r.contacts,
            mean_contacts_per_family=r.mean_contacts_per_family,
            contacts_per_week=r.contacts_per_week,
        )


def _pounds(pence: int | None) -> Decimal | None:
    return pounds(pence) if pence is not None else None


@strawberry.type
class OutcomesReportQuery:
    @strawberry.field(
        description="The outcomes report over the families the caller may see (a practitioner's caseload, a"
        " manager's agency), by period, team and cohort."
    )
    async def outcomes_report(self, info: Info, filter: OutcomesReportFilterInput) -> OutcomesReportType:
        await info.context.spend("report")
        async with info.context.read() as session:
            found = await report_service.outcomes_report(
                session,
                info.context.access,
                filter.to_filter(),
                catalogue=load_catalogue(info.context.settings.policies_dir),
            )
        return OutcomesReportType.from_report(found)
