"""Accounts in the browser, for each role: an administrator creates an account by keyboard and its holder
chooses a password with the link; deactivation signs the holder out at once, live; a manager gives their own
practitioner a reset link; everyone with a password changes it; the sign-in page says what to do about a
forgotten password; agencies are added and renamed; the pages are refused, in words, to those without them."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from server.db.engine import SessionFactory, unit_of_work
from server.user.models import SystemRole
from tests.builders import PASSWORD, create_agency, create_user, unique
from tests.e2e.conftest import SignIn, Team, check_page
from tests.e2e.test_retention import tab_to

pytestmark = pytest.mark.long

HOLDER_PASSWORD = "kettle orchard lantern"


async def open_accounts(page: Page) -> None:
    await page.locator("#nav-accounts").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")


async def test_an_administrator_creates_an_account_by_keyboard_and_its_holder_chooses_a_password(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    # given an administrator
    admin = await create_user(sessions, agency=team.early_help, role=SystemRole.admin)
    await sign_in(admin)
    # then the navigation offers accounts, and no caseload or referral
    await expect(page.locator("#nav-accounts")).to_be_visible()
    await expect(page.locator("#nav-caseload")).to_be_hidden()
    await expect(page.locator("#nav-referral")).to_be_hidden()
    await open_accounts(page)
    await check_page(page, "accounts-list")

    # when, by keyboard alone, they open "Create an account" and send it empty
    await tab_to(page, page.get_by_role("button", name="Create an account"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    submit = page.get_by_role("button", name="Create the account")
    await tab_to(page, submit)
    await page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    for problem in ("Enter their full name", "Enter an email address", "Choose their agency", "Choose their role"):
        await expect(summary).to_contain_text(problem)
    await check_page(page, "account-create-errors")
    # and fill it in
    name = unique("Amira Hassan")
    email = f"{unique('amira')}@school.example"
    await tab_to(page, page.get_by_label("Full name"))
    await page.keyboard.type(name)
    await page.keyboard.press("Tab")
    await page.keyboard.type(email)
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Agency")).to_be_focused()
    await page.keyboard.type(team.school.name)  # a closed select takes the typed name
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Practitioner")).to_be_focused()
    await page.keyboard.press("Space")
    await tab_to(page, page.get_by_label("Job title (optional)"))
    await page.keyboard.type("Designated safeguarding lead")
    await tab_to(page, submit)
    await page.keyboard.press("Enter")

    # then the account's page shows it, with the link to choose a password shown once
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(f"The account for {name} is created")
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)
    details = page.locator("#account-details")
    await expect(details).to_contain_text(team.school.name)
    await expect(details).to_contain_text("No password yet")
    link = await page.locator("#password-link").text_content()
    assert link and "/#/reset-password/" in link
    await check_page(page, "account-created")
    await page.reload()
    await expect(page.locator("#password-link")).to_have_count(0)  # shown once
    await page.locator("#sign-out").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")

    # when the holder opens the link and chooses a password (first two that differ)
    await page.goto(link)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert link.rsplit("/", 1)[1] not in page.url
    await check_page(page, "password-reset")
    await page.get_by_label("New password", exact=True).fill(HOLDER_PASSWORD)
    await page.get_by_label("Type the new password again").fill("something else again")
    await page.get_by_role("button", name="Save the password and sign in").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("The two passwords are not the same")
    await check_page(page, "password-reset-errors")
    # (by keyboard, this time)
    await tab_to(page, page.get_by_label("New password", exact=True))
    await page.keyboard.type(HOLDER_PASSWORD)
    await page.keyboard.press("Tab")
    await page.keyboard.type(HOLDER_PASSWORD)
    await tab_to(page, page.get_by_role("button", name="Save the password and sign in"))
    await page.keyboard.press("Enter")
    # then they are signed in, at their work
    await expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Your new password is saved")
    await expect(page.locator("#signed-in-as")).to_contain_text(name)


async def test_deactivating_an_account_signs_its_holder_out_at_once(
    page: Page, browser: Browser, live_server: str, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    # given a practitioner working in their own browser, with live notifications
    worker = await create_user(sessions, agency=team.school, name=unique("Leaving Worker"))
    theirs = await browser.new_context(base_url=live_server)
    their_page = await theirs.new_page()
    await their_page.goto("/")
    await their_page.get_by_label("Email address").fill(worker.email)
    await their_page.get_by_label("Password").fill(PASSWORD)
    await their_page.get_by_role("button", name="Sign in").click()
    await expect(their_page.get_by_role("heading", level=1)).to_have_text("My work")
    # when an administrator deactivates the account
    admin = await create_user(sessions, agency=team.early_help, role=SystemRole.admin)
    await sign_in(admin)
    await page.goto(f"/#/accounts/{worker.id}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(worker.display_name)
    await check_page(page, "account")
    await page.get_by_role("button", name=f"Deactivate {worker.display_name}").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Deactivate {worker.display_name}'s account")
    await check_page(page, "account-deactivate")
    await tab_to(page, page.get_by_role("button", name="Deactivate the account"))
    await page.keyboard.press("Enter")
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("is deactivated")
    await expect(page.locator("#account-details")).to_contain_text("Deactivated on")
    # then the worker's page goes to sign-in at once, saying the sign-in ended, and they cannot sign in
    await expect(their_page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await expect(their_page.locator("#sign-in-notice")).to_contain_text("Your sign-in has ended")
    await their_page.get_by_label("Email address").fill(worker.email)
    await their_page.get_by_label("Password").fill(PASSWORD)
    await their_page.get_by_role("button", name="Sign in").click()
    await expect(their_page.locator(".govuk-error-summary")).to_contain_text("not right")
    await theirs.close()
    # and the administrator can reactivate it
    await page.get_by_role("button", name=f"Reactivate {worker.display_name}").click()
    await page.get_by_role("button", name="Reactivate the account").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("is active again")


async def test_a_manager_gives_their_practitioner_a_reset_link_and_sees_no_other_accounts(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    # given a manager of the early help agency
    manager = await create_user(sessions, agency=team.early_help, role=SystemRole.manager)
    await sign_in(manager)
    await open_accounts(page)
    # then they see their practitioners, and no button to create accounts
    table = page.locator("#accounts-table")
    await expect(table).to_contain_text(team.lead.display_name)
    await expect(table).not_to_contain_text(team.colleague.display_name)
    await expect(page.get_by_role("button", name="Create an account")).to_have_count(0)
    # when they open their practitioner and make a reset link
    await table.get_by_role("link", name=team.lead.display_name).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.lead.display_name)
    await expect(page.locator("#change-account")).to_have_count(0)
    await page.get_by_role("button", name="Create a password reset link").click()
    # then the link is shown once
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("password reset link")
    await expect(page.locator("#password-link")).to_contain_text("/#/reset-password/")
    await check_page(page, "account-reset-link")
    # and another agency's account, or an administrator's page, is refused in words
    await page.goto(f"/#/accounts/{team.colleague.id}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Account not found")
    await page.goto("/#/accounts/not-an-id")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Account not found")
    await page.goto("/#/accounts/new")
    await expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
    await check_page(page, "accounts-refused")


async def test_a_practitioner_changes_their_password_by_keyboard(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    # given a practitioner
    worker = await create_user(sessions, agency=team.school)
    await sign_in(worker)
    await expect(page.locator("#nav-accounts")).to_be_hidden()
    # when, by keyboard, they open "Change password" and send it empty, then with a wrong current password
    await tab_to(page, page.locator("#nav-password"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    submit = page.get_by_role("button", name="Change your password")
    await tab_to(page, submit)
    await page.keyboard.press("Enter")
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your current password")
    await check_page(page, "password-change-errors")
    await tab_to(page, page.get_by_label("Current password"))
    await page.keyboard.type("not my password at all")
    await page.keyboard.press("Tab")
    await page.keyboard.type(HOLDER_PASSWORD)
    await page.keyboard.press("Tab")
    await page.keyboard.type(HOLDER_PASSWORD)
    await tab_to(page, submit)
    await page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Your current password is not right")
    await expect(page.locator("#current-password-error")).to_be_visible()
    # and then with the right one
    await tab_to(page, page.get_by_label("Current password"))
    await page.keyboard.type(PASSWORD)
    for _ in range(2):
        await page.keyboard.press("Tab")
        await page.keyboard.type(HOLDER_PASSWORD)
    await tab_to(page, submit)
    await page.keyboard.press("Enter")
    # then it is changed
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password is changed")
    await check_page(page, "password-change")
    # and the accounts page is not theirs to open
    await page.goto("/#/accounts")
    await expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")


async def test_an_ig_officer_has_no_accounts_and_no_caseload_in_the_navigation(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    officer = await create_user(sessions, agency=team.early_help, role=SystemRole.ig_officer)
    await sign_in(officer)
    await expect(page.locator("#nav-ig")).to_be_visible()
    for hidden in ("#nav-accounts", "#nav-caseload", "#nav-referral"):
        await expect(page.locator(hidden)).to_be_hidden()
    await page.goto(f"/#/accounts/{team.lead.id}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
    await page.goto("/#/agencies")
    await expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
    await check_page(page, "accounts-refused-ig")


async def test_an_account_that_signs_in_through_its_organisation_has_no_password_page(
    page: Page, sign_in: SignIn, sessions: SessionFactory
):
    police = await create_agency(sessions)
    officer = await create_user(sessions, agency=police)
    async with unit_of_work(sessions) as session:
        police.sso_only = True
        session.add(police)
    await sign_in(officer)
    await page.locator("#nav-password").click()
    await expect(page.locator("#no-password-here")).to_contain_text("no password here to change")
    await expect(page.get_by_label("Current password")).to_have_count(0)
    await check_page(page, "password-change-sso")


async def test_the_sign_in_page_says_what_to_do_about_a_forgotten_password(page: Page):
    await page.goto("/#/sign-in")
    await page.get_by_role("link", name="Forgotten your password?").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("If you have forgotten your password")
    await expect(page.locator("main")).to_contain_text("Ask your manager or your service's administrator")
    await check_page(page, "forgotten-password")
    await page.get_by_role("link", name="Back to sign in", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    # and a reset page opened without its link says to open the link again
    await page.goto("/#/reset-password")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Open your link again")


async def test_an_administrator_adds_and_renames_an_agency(page: Page, sign_in: SignIn, sessions: SessionFactory):
    agency = await create_agency(sessions)
    admin = await create_user(sessions, agency=agency, role=SystemRole.admin)
    await sign_in(admin)
    await open_accounts(page)
    await page.get_by_role("link", name="Agencies").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Agencies")
    # when, by keyboard, they send the form empty, then fill it in
    add = page.get_by_role("button", name="Add the agency")
    await tab_to(page, add)
    await page.keyboard.press("Enter")
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the agency's name")
    await check_page(page, "agencies-errors")
    name = unique("Riverside Academy")
    await tab_to(page, page.get_by_label("Name"))
    await page.keyboard.type(name)
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Kind of agency")).to_be_focused()
    await page.keyboard.type("Education")
    await tab_to(page, add)
    await page.keyboard.press("Enter")
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{name} is added")
    await expect(page.locator("#agencies-table")).to_contain_text(name)
    await check_page(page, "agencies")
    await page.locator("#agencies-table").get_by_role("link", name=f"Change {name}").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Change {name}")
    await page.get_by_label("Name").fill(f"{name} Trust")
    await page.get_by_role("button", name="Save the changes").click()
    await expect(page.locator("#agencies-table")).to_contain_text(f"{name} Trust")


async def test_an_administrator_changes_an_account_by_keyboard_and_a_stale_change_is_caught(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    # given an administrator on a practitioner's page
    admin = await create_user(sessions, agency=team.early_help, role=SystemRole.admin)
    worker = await create_user(sessions, agency=team.school, name=unique("Tom Reyes"))
    await sign_in(admin)
    await page.goto(f"/#/accounts/{worker.id}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(worker.display_name)
    # when, by keyboard, they open "Change these details" and empty the name
    await tab_to(page, page.locator("#change-account"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Change {worker.display_name}'s details")
    await tab_to(page, page.get_by_label("Full name"))
    await page.keyboard.press("Control+A")
    await page.keyboard.press("Delete")
    submit = page.get_by_role("button", name="Save the changes")
    await tab_to(page, submit)
    await page.keyboard.press("Enter")
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their full name")
    await check_page(page, "account-edit-errors")
    # and, after someone else saved a change meanwhile, save theirs
    async with unit_of_work(sessions) as session:
        worker.version, worker.phone = 2, "01632 960 555"
        session.add(worker)
    await tab_to(page, page.get_by_label("Full name"))
    await page.keyboard.type(f"{worker.display_name} Jr")
    await tab_to(page, page.get_by_label("Job title (optional)"))
    await page.keyboard.type("Attendance officer")
    await tab_to(page, submit)
    await page.keyboard.press("Enter")
    # then the change is refused as stale, with a way to reload
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("Someone else changed this account since you opened it")
    await check_page(page, "account-edit-conflict")
    await tab_to(page, summary.get_by_role("link", name="Reload the account"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Phone number (optional)")).to_have_value("01632 960 555")
    # when they make it again on the fresh copy
    await page.get_by_label("Job title (optional)").fill("Attendance officer")
    await page.get_by_role("button", name="Save the changes").click()
    # then it is saved, and the other change is kept
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("details are saved")
    details = page.locator("#account-details")
    await expect(details).to_contain_text("Attendance officer")
    await expect(details).to_contain_text("01632 960 555")
