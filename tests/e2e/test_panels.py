"""Panels in the browser: a manager arranges a sitting by keyboard (problems explained); the lead brings the
family to it and records the panel's decision on its question page (outcome, rationale, services, review
date); the sitting and the family's page show it; a colleague of another agency sees it without the
rationale. Every page axe-clean."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Page, expect

from server.db.engine import unit_of_work
from server.panel.models import PanelDecision, PanelKind, PanelOutcome, PanelSitting
from server.user.models import SystemRole
from tests.builders import create_user, unique
from tests.e2e.conftest import SignIn, Team, check_page, open_part, open_question
from tests.e2e.test_family import fact, open_family
from tests.e2e.test_referrals import fill_date


async def test_a_manager_arranges_a_sitting_by_keyboard(page: Page, sign_in: SignIn, team: Team, sessions):
    manager = await create_user(sessions, agency=team.early_help, role=SystemRole.manager)
    await sign_in(manager)
    await page.get_by_role("navigation", name="Menu").get_by_role("link", name="Panels").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Panels")
    form = page.locator("#panel-arrange")
    # when the manager sends the form empty from the keyboard
    await form.get_by_label("Name", exact=True).focus()
    await page.keyboard.press("Enter")
    # then the problems are listed, the summary has the focus, and each links to its field
    summary = form.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    for problem in ("Enter the name of the panel", "Choose the kind of panel", "Enter the date of the sitting"):
        await expect(summary).to_contain_text(problem)
    await check_page(page, "panel-arrange-errors")
    await summary.get_by_role("link", name="Enter the name of the panel").press("Enter")
    await expect(form.get_by_label("Name", exact=True)).to_be_focused()
    # when they fill it in by keyboard and send it
    name = unique("North gateway panel")
    await page.keyboard.type(name)
    await form.get_by_label("Gateway panel").focus()
    await page.keyboard.press("Space")
    await fill_date(form, "Date of the sitting", date.today())
    await form.get_by_label(team.school.name).focus()
    await page.keyboard.press("Space")
    await form.get_by_role("button", name="Arrange the sitting").focus()
    await page.keyboard.press("Enter")
    # then the sitting's page shows it, chaired by them, with nobody yet on its list
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Sitting arranged.")
    await expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    summary_list = page.locator("#panel-sitting-summary")
    await expect(fact(summary_list, "Chair")).to_have_text(manager.display_name)
    await expect(fact(summary_list, "Agencies attending")).to_have_text(team.school.name)
    await check_page(page, "panel-sitting-arranged")
    # and it is listed on the panels page
    await page.get_by_role("link", name="All panels").click()
    await expect(page.locator("#panel-sittings")).to_contain_text(name)
    await check_page(page, "panels-list")


async def test_the_lead_brings_the_family_and_records_the_decision(page: Page, sign_in: SignIn, team: Team, sessions):
    # given a gateway sitting today, chaired by a manager of the lead's agency
    manager = await create_user(sessions, agency=team.early_help, role=SystemRole.manager)
    name = unique("Gateway panel")
    async with unit_of_work(sessions) as session:
        session.add(
            PanelSitting(
                name=name,
                kind=PanelKind.gateway,
                sits_on=date.today(),
                chair_user_id=manager.id,
                created_by_user_id=manager.id,
                agency_ids=[team.early_help.id, team.school.id],
            )
        )
    await sign_in(team.lead)
    await page.get_by_role("navigation", name="Menu").get_by_role("link", name="Panels").click()
    await page.get_by_role("link", name=name).click()
    await expect(page.locator("#panel-families")).to_have_text("No family you work with is on this sitting's list.")
    # when the lead brings the family
    bring = page.locator("#panel-bring")
    await bring.get_by_label("Family").select_option(label=f"{team.family.display_name} ({team.family.reference})")
    await bring.get_by_role("button", name="Add to the list").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Family added to the sitting's list.")
    card = page.locator("#panel-families .govuk-summary-card")
    await expect(fact(card, "Decision")).to_have_text("Not yet decided")
    await check_page(page, "panel-sitting-with-family")
    # and opens its question page from the keyboard, and sends it empty
    await card.get_by_role("link", name=f"Record the decision for {team.family.display_name}").press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Panel decision for {team.family.display_name}")
    form = page.locator("#panel-decision-form")
    await form.get_by_role("button", name="Record the decision").press("Enter")
    summary = form.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    for problem in ("Choose what the panel decided", "Enter why the panel decided this", "Enter the review date"):
        await expect(summary).to_contain_text(problem)
    await check_page(page, "panel-decision-errors")
    # when they record the decision, with a review date on the sitting's day (refused), then six weeks on
    await form.get_by_label("Accepted for a service").check()
    await form.get_by_label("Why the panel decided this").fill(
        "Needs at home and at school; the family asked for help."
    )
    await form.get_by_label("Category of information").select_option(label="Social care")
    await form.get_by_label("Intensive family support").fill("12")
    await fill_date(form, "Review the decision by", date.today())
    await form.get_by_role("button", name="Record the decision").click()
    await expect(summary).to_contain_text("The review date must be after the date of the sitting")
    await fill_date(form, "Review the decision by", date.today() + timedelta(days=42))
    await form.get_by_role("button", name="Record the decision").click()
    # then the sitting shows the decision, its rationale, services and review date
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")
    card = page.locator("#panel-families .govuk-summary-card")
    await expect(fact(card, "Decision")).to_have_text("Accepted for a service")
    await expect(fact(card, "Why")).to_have_text("Needs at home and at school; the family asked for help.")
    await expect(fact(card, "Services allocated")).to_contain_text("Intensive family support: 12")
    await check_page(page, "panel-sitting-decided")
    # and at phone width the sitting's page still fits, without sideways scrolling
    await page.set_viewport_size({"width": 375, "height": 800})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await page.set_viewport_size({"width": 1100, "height": 900})
    # and the family's record lists it in its panels section (on "Referrals and closure", where the link goes)
    await page.get_by_role("link", name=f"{team.family.display_name} ({team.family.reference})").click()
    section = page.locator("#panels")
    await expect(fact(section, "Decision")).to_have_text("Accepted for a service")
    await check_page(page, "family-panels")
    # and a school colleague on the team sees the decision without the early help rationale
    await sign_in(team.colleague)
    await open_family(page, team)
    await open_part(page, "Referrals and closure")
    section = page.locator("#panels")
    await expect(fact(section, "Decision")).to_have_text("Accepted for a service")
    await expect(fact(section, "Why")).to_contain_text("which you may not see")
    await expect(section).not_to_contain_text("the family asked for help")


async def test_a_step_up_agreed_at_panel_names_the_panel(page: Page, sign_in: SignIn, team: Team, sessions):
    # given the gateway panel decided yesterday that the family steps up
    manager = await create_user(sessions, agency=team.early_help, role=SystemRole.manager)
    name = unique("Gateway panel")
    async with unit_of_work(sessions) as session:
        sitting = PanelSitting(
            name=name,
            kind=PanelKind.gateway,
            sits_on=date.today() - timedelta(days=1),
            chair_user_id=manager.id,
            created_by_user_id=manager.id,
        )
        session.add(sitting)
        await session.flush()
        session.add(
            PanelDecision(
                sitting_id=sitting.id,
                family_id=team.family.id,
                added_by_user_id=team.lead.id,
                outcome=PanelOutcome.step_up,
                review_on=date.today() + timedelta(days=28),
                decided_by_user_id=manager.id,
                rationale="Harm disclosed at school: a statutory assessment is needed.",
                owning_agency_id=team.early_help.id,
                category="social_care",
            )
        )
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Referrals and closure")
    # when the lead steps the family up, choosing the panel that agreed it
    await open_question(page, "Step up to statutory services")
    form = page.locator("#step-up-form")
    await form.get_by_label("Why the family needs statutory services").fill("Disclosure of harm at home")
    await form.get_by_label("The team taking the case").fill("Children's Social Care, Assessment Team 2")
    await form.get_by_label("Agreed at a panel (optional)").select_option(label=f"{name}, {long_date(sitting.sits_on)}")
    await check_page(page, "family-step-up-at-panel")
    await page.get_by_role("button", name="Step up").click()
    # then the change of service says it was agreed at panel
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("stepped up to statutory services")
    await expect(page.locator("#transitions-table")).to_contain_text("Disclosure of harm at home (agreed at panel)")


def long_date(on: date) -> str:
    return f"{on.day} {on.strftime('%B')} {on.year}"
