"""The family page's consent-based sharing: items by agency (only those the API returns), adding and
editing them, consent records and the consent picture, sharing without consent, and the chronology."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import Page, expect

from server.db.engine import SessionFactory
from tests.builders import (
    create_agreement,
    create_consent,
    create_contribution,
    create_override,
    end_agreement,
    issue_token,
)
from tests.e2e.conftest import SignIn, Team, check_page, open_part, open_question
from tests.e2e.test_family import open_family
from tests.graphql_client import GraphQLClient


async def test_items_are_grouped_by_agency_filtered_added_and_edited(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory, gql: GraphQLClient
):
    school_item = await create_contribution(
        sessions, family=team.family, author=team.colleague, category="education", title="Attendance 78% this term"
    )
    await create_contribution(
        sessions, family=team.family, author=team.colleague, category="mental_health", title="Low mood at school"
    )
    await create_consent(sessions, family=team.family, recorded_by=team.lead, categories=["education"])
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Contributions")

    section = page.locator("#contributions")
    school = section.locator(f'[data-agency="{team.school.name}"]')
    await expect(school.locator(".govuk-summary-card")).to_have_count(1)
    await expect(school).to_contain_text("Attendance 78% this term")
    await expect(school).to_contain_text(school_item.body)
    await expect(school).to_contain_text(team.colleague.display_name)
    await expect(section).not_to_contain_text("Low mood at school")  # not shared: the API leaves it out
    await expect(page.locator("#contributions-count")).to_have_text("1 item you can see.")

    # The lead adds an item for their own agency.
    await open_question(page, "Add a contribution")
    await page.get_by_role("button", name="Add the item").click()
    await expect(page.locator("#contribution-add-form .govuk-error-summary")).to_contain_text("Choose a category")
    await page.get_by_label("What kind of item").select_option(label="Strength")
    await page.locator("#item-category").select_option(label="Family history")
    await page.get_by_label("Title", exact=True).fill("Grandmother helps every weekend")
    await page.get_by_label("Text", exact=True).fill("Nan has the children on Saturdays.")
    await page.locator("#item-about").get_by_role("checkbox").first.check()
    await page.get_by_label("May appear in the family summary").check()
    await check_page(page, "family-contribution-add")
    await page.get_by_role("button", name="Add the item").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("added to the plan.")
    own = page.locator(f'#contributions [data-agency="{team.early_help.name}"]')
    await expect(own).to_contain_text("Grandmother helps every weekend")
    await expect(own).to_contain_text("Strength")

    # Filter by category, then by words.
    await page.locator("#contributions-category").select_option(label="Education")
    await page.get_by_role("button", name="Show items").click()
    await expect(page.locator("#contributions-count")).to_have_text("1 item match.")
    await expect(section).not_to_contain_text("Grandmother helps")
    await page.locator("#contributions-category").select_option(label="All categories")
    await page.get_by_label("Words in the title or text").fill("Saturdays")
    await page.get_by_role("button", name="Show items").click()
    await expect(section.locator(".govuk-summary-card")).to_have_count(1)
    await expect(section).to_contain_text("Grandmother helps")

    # Someone else edits the item after the page was opened: the edit is refused in words.
    card = section.locator(".govuk-summary-card").filter(has_text="Grandmother helps")
    item_id = await card.get_attribute("data-item")
    token = await issue_token(sessions, team.lead)
    await gql.data(
        "ContributionEdit", {"input": {"contributionId": item_id, "expectedVersion": 1, "body": "x y"}}, token
    )
    await card.get_by_text("Edit this item").click()
    await card.get_by_label("Title").fill("Grandmother helps on Saturdays")
    await card.get_by_role("button", name="Save changes").click()
    summary = card.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Someone else changed this item since you opened it.")
    await expect(summary).to_be_focused()
    assert "CONFLICT" not in await section.inner_text()
    await check_page(page, "family-contribution-conflict")
    await summary.get_by_role("button", name="Reload the items").click()
    card = page.locator("#contributions .govuk-summary-card").filter(has_text="Grandmother helps")
    await expect(card.locator(".taf-item-text")).to_have_text("x y")  # their change, reloaded
    await card.get_by_text("Edit this item").click()
    await card.get_by_label("Title").fill("Grandmother helps on Saturdays")
    await card.get_by_role("button", name="Save changes").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Grandmother helps on Saturdays")
    await expect(page.locator("#contributions")).to_contain_text("version 3")


async def test_consent_is_recorded_withdrawn_and_pictured_for_the_lead(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    await create_consent(sessions, family=team.family, recorded_by=team.lead, categories=["education", "health"])
    await create_consent(
        sessions, family=team.family, recorded_by=team.lead, categories=["mental_health"], decision="refused"
    )
    # the area's agreement is replaced by one covering education only: health is consented, not agreed
    await end_agreement(sessions, team.agreement)
    await create_agreement(sessions, parties=[team.early_help, team.school, team.health], categories=["education"])
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Sharing and consent")

    consents = page.locator("#consent-list .govuk-summary-card")
    await expect(consents).to_have_count(2)
    await expect(consents.filter(has_text="refused to share: Mental health")).to_contain_text("Refused")
    await expect(consents.filter(has_text="agreed to share: Education, Health")).to_contain_text("Everyone on the team")
    picture = page.locator("#consent-picture-table")
    school_row = picture.locator("tr").filter(has=page.get_by_role("rowheader", name=team.school.name, exact=True))
    await expect(school_row.locator("td").nth(0)).to_have_text("Education, Health")
    await expect(school_row.locator("td").nth(1)).to_have_text(f"Health: no agreement with {team.early_help.name}")
    await expect(school_row.locator("td").nth(2)).to_have_text("Mental health")
    await expect(school_row.locator("td").nth(3)).to_have_text("None")

    section = page.locator("#consent")
    await open_question(page, "Record consent")
    await page.get_by_role("button", name="Record the decision").click()
    await expect(page.locator("#consent-record-form .govuk-error-summary")).to_contain_text("Choose who decided")
    await page.get_by_label("Who decided").select_option(index=1)
    await page.get_by_label("A parent or carer, for a child").check()
    await page.get_by_label("They agree to share").check()
    await page.locator("#consent-categories").get_by_label("Housing").check()
    await page.get_by_label("Only the agencies ticked below").check()
    await page.locator("#consent-agencies").get_by_label(team.school.name).check()
    await page.get_by_label("What the information will be used for").fill("To plan support with the flat")
    await check_page(page, "family-consent-record")
    await page.get_by_role("button", name="Record the decision").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Consent recorded for Housing.")
    housing = page.locator("#consent-list .govuk-summary-card").filter(has_text="agreed to share: Housing")
    await expect(housing).to_contain_text(team.school.name)
    school_row = page.locator("#consent-picture-table tr").filter(
        has=page.get_by_role("rowheader", name=team.school.name, exact=True)
    )
    await expect(school_row.locator("td").nth(0)).to_have_text("Education, Health, Housing")

    await housing.locator("summary").click()
    await housing.get_by_role("button", name="Withdraw").click()
    await expect(housing.locator(".govuk-error-summary")).to_contain_text("Enter why it is being withdrawn")
    await housing.get_by_label("Why is it being withdrawn?").fill("Mother changed her mind")
    await housing.get_by_role("button", name="Withdraw").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("has been withdrawn")
    housing = page.locator("#consent-list .govuk-summary-card").filter(has_text="agreed to share: Housing")
    await expect(housing).to_contain_text("Mother changed her mind")
    await expect(housing.locator(".govuk-tag")).to_have_text("Withdrawn")
    await open_question(page, "Record agreement to engage")
    section = page.locator("#main-content")
    await page.get_by_label("Family member", exact=True).select_option(index=1)
    await page.locator("#engagement-agreed").get_by_label("Yes").check()
    await page.get_by_label("Notes (optional)").fill("Wants help with mornings")
    await section.get_by_role("button", name="Record the agreement").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Agreement to engage recorded.")
    await expect(page.locator("#engagement-table")).to_contain_text("Wants help with mornings")
    await check_page(page, "family-consent")

    # At 320 CSS pixels (WCAG 2.2 reflow) the page does not scroll sideways; the consent picture scrolls in its region.
    await page.set_viewport_size({"width": 320, "height": 800})
    wide = await page.evaluate(  # what sticks out, for the failure message
        "[...document.querySelectorAll('body *')]"
        ".filter(e => !e.closest('.taf-table-scroll') && e.getBoundingClientRect().right > 321)"
        ".map(e => `${e.tagName}#${e.id}.${e.className}`).slice(0, 10)"
    )
    assert await page.evaluate("document.body.scrollWidth") <= 320, wide


async def test_a_worker_shares_without_consent_and_the_chronology_shows_it(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    await create_override(
        sessions, family=team.family, decided_by=team.lead, categories=["family_history"], recipients=[team.school]
    )
    await sign_in(team.colleague)
    await open_family(page, team)
    await open_part(page, "Sharing and consent")
    await expect(page.locator("#consent-picture")).to_have_count(0)  # the lead's view only
    overrides = page.locator("#override-list .govuk-summary-card")
    await expect(overrides).to_have_count(1)
    await expect(overrides.first).to_contain_text("Telling the family could increase the risk.")

    await open_question(page, "Share without consent")
    section = page.locator("#main-content")
    await page.locator("#override-categories").get_by_label("Domestic abuse").check()
    await page.locator("#override-agencies").get_by_label(team.early_help.name).check()
    await page.get_by_label("Why the risk of harm means it must be shared").fill("Too short")
    await page.get_by_label("Our public task of safeguarding children").check()
    await page.locator("#override-expiry-day").fill("1")
    await page.locator("#override-expiry-month").fill("1")
    await page.locator("#override-expiry-year").fill("2020")
    await page.locator("#override-informed").get_by_label("No").check()
    await section.get_by_role("button", name="Share without consent").click()
    errors = page.locator("#override-form .govuk-error-summary")
    await expect(errors).to_contain_text("in at least 20 characters")
    await expect(errors).to_contain_text("at most 90 days away")
    await expect(errors).to_contain_text("Say why the family has not been told")
    await check_page(page, "family-override-errors")

    await page.get_by_label("Why the risk of harm means it must be shared").fill(
        "A child disclosed violence at home today; the lead must know before the home visit."
    )
    await page.locator("#override-expiry-year").fill("2099")
    await section.get_by_role("button", name="Share without consent").click()
    await expect(errors).to_contain_text("at most 90 days away")
    soon = datetime.now(UTC) + timedelta(days=14)
    for part, number in (("day", soon.day), ("month", soon.month), ("year", soon.year)):
        await page.locator(f"#override-expiry-{part}").fill(str(number))
    await page.get_by_label("If not, why not?").fill("Telling the father would put the child at risk")
    await section.get_by_role("button", name="Share without consent").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Shared without consent until")
    overrides = page.locator("#override-list .govuk-summary-card")
    await expect(overrides).to_have_count(2)
    mine = overrides.filter(has_text=f"{team.school.name} shared Domestic abuse")
    await expect(mine).to_contain_text("In force")
    await expect(mine).to_contain_text("Our public task of safeguarding children")

    await open_question(page, "Record a decision not to share")
    section = page.locator("#main-content")
    await page.locator("#decision-categories").get_by_label("Police").check()
    await page.locator("#decision-agencies").get_by_label(team.early_help.name).check()
    await page.get_by_label("Why you decided not to share").fill("Below the threshold of significant harm")
    await section.get_by_role("button", name="Record the decision not to share").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision not to share recorded.")
    await expect(page.locator("#decision-list")).to_contain_text("Below the threshold of significant harm")
    await check_page(page, "family-safeguarding")

    await open_part(page, "Chronology")
    chronology = page.locator("#chronology-table tbody tr")
    await expect(chronology.first).to_be_visible()
