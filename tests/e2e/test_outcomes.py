"""The outcomes report page: the figures as a chart and a table, filtered from the keyboard, and a CSV file
that says what the page says."""

from __future__ import annotations

import csv
import io
from datetime import date

from playwright.async_api import Page, expect

from server.assessment.models import Assessment, AssessmentRating, AssessmentStage, RiskRating
from server.db.engine import SessionFactory, unit_of_work
from server.family.models import LevelOfNeed
from server.legal_status.models import LegalStatus, LegalStatusChange
from server.transition.models import CareOutcome, ClosureOutcome, FamilyTransition, TransitionKind
from tests.builders import create_agency, create_family, create_user
from tests.e2e.conftest import SignIn, check_page

FROM, TO = "2026-01-01", "2026-06-30"


async def assessed(sessions, family, lead, entry: tuple, exit_: tuple) -> None:
    """An entry assessment (2025-09-01) and an exit one (2026-03-01): (level, family violence rating)."""
    async with unit_of_work(sessions) as session:
        for stage, on, (level, rating) in (
            (AssessmentStage.entry, date(2025, 9, 1), entry),
            (AssessmentStage.exit, date(2026, 3, 1), exit_),
        ):
            row = Assessment(family_id=family.id, stage=stage, assessed_on=on, level_of_need=level,
                             author_user_id=lead.id, owning_agency_id=lead.agency_id)  # fmt: skip
            session.add(row)
            await session.flush()
            session.add(AssessmentRating(assessment_id=row.id, factor="family_violence", rating=rating,
                                         owning_agency_id=lead.agency_id, category="domestic_abuse"))  # fmt: skip


async def closed_and_on_a_plan(sessions, lead, families) -> None:
    async with unit_of_work(sessions) as session:
        for family, care in ((families[0], CareOutcome.remained_at_home), (families[1], CareOutcome.entered_care)):
            session.add(FamilyTransition(family_id=family.id, kind=TransitionKind.closure,
                                         effective_on=date(2026, 3, 2), reason="Goals met",
                                         outcome=ClosureOutcome.goals_achieved, care_outcome=care,
                                         recorded_by_user_id=lead.id))  # fmt: skip
        session.add(LegalStatusChange(family_id=families[0].id, legal_status=LegalStatus.child_protection_plan,
                                      effective_from=date(2025, 8, 1), recorded_by_user_id=lead.id))  # fmt: skip


async def test_the_outcomes_page_shows_charts_tables_and_a_csv_and_filters_by_keyboard(
    page: Page, sign_in: SignIn, sessions: SessionFactory
):
    # given a lead professional's eight families: three with family violence on entry, one on exit
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency)
    specialist, targeted = LevelOfNeed.specialist, LevelOfNeed.targeted
    high, none, gone = RiskRating.high, RiskRating.not_a_concern, RiskRating.no_longer_a_risk
    plans = [((specialist, high), (targeted, gone)), ((specialist, high), (targeted, RiskRating.low)),
             ((targeted, high), (targeted, gone))] + [((targeted, none), (targeted, none))] * 5  # fmt: skip
    families = []
    for entry, exit_ in plans:
        families.append(await create_family(sessions, lead=lead))
        await assessed(sessions, families[-1], lead, entry, exit_)
    # two of them closed (one young person remained at home, one entered care); the first on a protection plan
    await closed_and_on_a_plan(sessions, lead, families)
    await sign_in(lead)
    # when they open the report for the first half of 2026
    await page.goto(f"/#/outcomes?from={FROM}&to={TO}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes report")
    summary = page.locator("#outcomes-summary")
    await expect(summary).to_contain_text("Families8")
    await expect(summary).to_contain_text("Level of need fell2 (25%)")
    # then each risk factor is in the chart and the table: 3 of 8 on entry (37.5% -> 38%), 1 on exit (12.5% -> 13%)
    await expect(page.locator("#outcomes-chart")).to_be_visible()
    await expect(page.locator("#outcomes-chart title")).to_have_text(
        "Risk factors: share of families on entry and on exit"
    )
    violence = page.locator("#outcomes-risks tbody tr", has_text="Family violence")
    await expect(violence.locator("td")).to_have_text(["38%", "13%", "67%", "8", "38%", "13%"])
    journey = page.locator("#outcomes-journey tbody tr")
    await expect(journey.filter(has_text="Remained at home (of those closed)").locator("td")).to_have_text(["1 (50%)"])
    await expect(page.locator("#outcomes-journey-chart title")).to_contain_text("remained at home")
    await check_page(page, "outcomes")
    # and the CSV says the same
    async with page.expect_download() as downloading:
        await page.locator("#outcomes-csv").click()
    download = await downloading.value
    rows = list(csv.reader(io.StringIO((await download.path()).read_text(encoding="utf-8"))))
    assert ["Risk factor", "Family violence", "Percent of families on entry", "38"] in rows
    assert ["Level of need", "fell", "Percent", "25"] in rows
    assert ["After closure", "Remained at home", "Percent of families closed", "50"] in rows
    # the legal status cohort: the family on a protection plan
    await page.get_by_label("Legal status during support").select_option("child_protection_plan")
    await page.get_by_role("button", name="Show the report").click()
    await expect(summary).to_contain_text("Families1")
    assert "status=child_protection_plan" in page.url
    await page.goto(f"/#/outcomes?from={FROM}&to={TO}")
    await expect(summary).to_contain_text("Families8")
    # when they choose the specialist cohort from the keyboard
    await page.get_by_label("Level of need on entry").focus()
    await page.keyboard.press("End")  # the last choice: Statutory
    await page.keyboard.press("ArrowUp")  # Specialist
    await page.keyboard.press("Tab")  # to "Show the report"
    await expect(page.get_by_role("button", name="Show the report")).to_be_focused()
    await page.keyboard.press("Enter")
    # then the report covers the two specialist families, and the choice is in the address
    await expect(summary).to_contain_text("Families2")
    assert "level=specialist" in page.url
    await expect(violence.locator("td").first).to_have_text("100%")
    # a backwards period is explained at the field
    await page.goto(f"/#/outcomes?from={TO}&to={FROM}")
    await expect(page.locator(".govuk-error-summary")).to_contain_text("before its start")
    await check_page(page, "outcomes-error")
