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
from server.user.models import SystemRole
from tests.builders import create_agency, create_family, create_user
from tests.e2e.conftest import SignIn, Team, check_page

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


async def csv_rows(page: Page) -> list[list[str]]:
    """The rows of the CSV file the page offers, as downloaded."""
    async with page.expect_download() as downloading:
        await page.locator("#outcomes-csv").click()
    download = await downloading.value
    return list(csv.reader(io.StringIO((await download.path()).read_text(encoding="utf-8"))))


async def open_the_report_from_the_header(page: Page) -> None:
    await page.get_by_role("link", name="Outcomes", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes report")
    await expect(page.locator("#outcomes-results")).to_be_visible()


async def test_a_manager_sees_the_agencys_families_narrows_them_by_an_agency_on_the_team_and_downloads_them(
    page: Page, sign_in: SignIn, sessions: SessionFactory, team: Team
):
    """Five families of early help across two leads; Sam leads F1 (the school on the team) and F2, the other
    lead F3 (the school on the team too), F4 and F5; a health visitor leads a sixth, early help not on its team.
    Entry (2025-09-01) -> exit (2026-03-01), level of need and family violence:
      F1 specialist high -> targeted no longer    F2 targeted none -> targeted none
      F3 specialist high -> specialist low        F4 targeted high -> universal no longer
      F5 targeted none -> specialist none         F6 (health's) specialist high -> universal no longer
    Sam's caseload: 2 families, 1 with violence on entry (50%), none on exit.
    The manager's area: 5 families; need 2 down (40%), 2 held (40%), 1 rose (20%); violence 3 of 5 on entry (60%),
    1 on exit (20%), a fall of 2/3 -> 67%. Entry specialist: 1 to targeted, 1 to specialist (2, 40%); entry
    targeted: 1 each to universal, targeted and specialist (3, 60%).
    With the school on the team: F1 and F3; 1 down, 1 held (50% each); violence 2 -> 1 (100% -> 50%, fall 50%)."""
    specialist, targeted, universal = LevelOfNeed.specialist, LevelOfNeed.targeted, LevelOfNeed.universal
    high, none, gone = RiskRating.high, RiskRating.not_a_concern, RiskRating.no_longer_a_risk
    other_lead = await create_user(sessions, agency=team.early_help)
    manager = await create_user(sessions, agency=team.early_help, role=SystemRole.manager)
    families = [
        (team.family, team.lead, (specialist, high), (targeted, gone)),
        (await create_family(sessions, lead=team.lead), team.lead, (targeted, none), (targeted, none)),
        (await create_family(sessions, lead=other_lead, contributors=(team.colleague,)), other_lead,
         (specialist, high), (specialist, RiskRating.low)),
        (await create_family(sessions, lead=other_lead), other_lead, (targeted, high), (universal, gone)),
        (await create_family(sessions, lead=other_lead), other_lead, (targeted, none), (specialist, none)),
        (await create_family(sessions, lead=team.health_visitor), team.health_visitor,
         (specialist, high), (universal, gone)),
    ]  # fmt: skip
    for family, lead, entry, exit_ in families:
        await assessed(sessions, family, lead, entry, exit_)
    summary = page.locator("#outcomes-summary")
    violence = page.locator("#outcomes-risks tbody tr", has_text="Family violence")
    levels = page.locator("#outcomes-levels tbody tr")
    # given Sam's own report (the default period, the year to today, holds every exit): two families
    await sign_in(team.lead)
    await open_the_report_from_the_header(page)
    await expect(summary).to_contain_text("Families2")
    await expect(violence.locator("td")).to_have_text(["50%", "0%", "100%", "2", "50%", "0%"])
    # when the manager opens the report from the header
    await sign_in(manager)
    await open_the_report_from_the_header(page)
    # then it covers the five families early help works with, across both leads, not health's
    await expect(summary).to_contain_text("Families5")
    await expect(summary).to_contain_text("Level of need fell2 (40%)")
    await expect(summary).to_contain_text("Level of need held2 (40%)")
    await expect(summary).to_contain_text("Level of need rose1 (20%)")
    await expect(violence.locator("td")).to_have_text(["60%", "20%", "67%", "5", "60%", "20%"])
    await expect(levels.filter(has_text="Specialist").first.locator("td")).to_have_text(
        ["0 (0%)", "1 (20%)", "1 (20%)", "0 (0%)", "2 (40%)"]
    )
    await expect(levels.filter(has_text="Targeted").first.locator("td")).to_have_text(
        ["1 (20%)", "1 (20%)", "1 (20%)", "0 (0%)", "3 (60%)"]
    )
    await check_page(page, "outcomes-area")
    # and the CSV file carries the same figures
    rows = await csv_rows(page)
    assert ["Families", "All", "Count", "5"] in rows
    assert ["Level of need", "fell", "Families", "2"] in rows and ["Level of need", "fell", "Percent", "40"] in rows
    assert ["Level of need", "rose", "Percent", "20"] in rows
    assert ["Level of need on entry and exit", "specialist to targeted", "Families", "1"] in rows
    assert ["Level of need on entry and exit", "targeted to specialist", "Families", "1"] in rows
    assert ["Risk factor", "Family violence", "Assessed", "5"] in rows
    assert ["Risk factor", "Family violence", "Percent of families on entry", "60"] in rows
    assert ["Risk factor", "Family violence", "Percent of families on exit", "20"] in rows
    assert ["Risk factor", "Family violence", "Percent reduction", "67"] in rows
    # when they choose the school as an agency on the team
    await page.get_by_label("Agency on the team").select_option(str(team.school.id))
    await page.get_by_role("button", name="Show the report").click()
    # then the figures narrow to the two families with the school on their team
    await expect(summary).to_contain_text("Families2")
    assert f"team={team.school.id}" in page.url
    await expect(page.locator("#outcomes-results h2").first).to_contain_text(f"with {team.school.name} on the team")
    await expect(summary).to_contain_text("Level of need fell1 (50%)")
    await expect(summary).to_contain_text("Level of need held1 (50%)")
    await expect(violence.locator("td")).to_have_text(["100%", "50%", "50%", "2", "100%", "50%"])
    await expect(levels.filter(has_text="Specialist").first.locator("td")).to_have_text(
        ["0 (0%)", "1 (50%)", "1 (50%)", "0 (0%)", "2 (100%)"]
    )
    await check_page(page, "outcomes-area-team")
    # and so does its CSV file
    rows = await csv_rows(page)
    assert ["Families", "All", "Count", "2"] in rows
    assert ["Level of need", "fell", "Percent", "50"] in rows
    assert ["Risk factor", "Family violence", "Percent of families on entry", "100"] in rows
    assert ["Risk factor", "Family violence", "Percent reduction", "50"] in rows
    assert ["Level of need on entry and exit", "targeted to universal", "Families", "0"] in rows
