"""The family portal end to end: the lead professional invites a parent, the parent opens the one-time
link, sets a password and reads the portal, cannot reach another family by URL or by the API, and cannot
use the link twice. The IG page names families and people; notification preferences are saved."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Page, expect

from server.assessment.models import OutcomeScore, Review
from server.clock import utcnow
from server.db.engine import SessionFactory, unit_of_work
from server.inbox.service import KINDS as NOTIFICATION_KINDS
from server.meeting.models import Meeting, MeetingKind, MeetingStatus
from server.plan.models import GoalStatus, OutcomeDomain, PlanGoal
from server.user.models import SystemRole
from tests.builders import create_family, create_family_member, create_override, create_user, unique
from tests.e2e.conftest import SignIn, Team, check_page

PARENT_PASSWORD = "our family plan 2026"

ASK = """async ([familyId]) => {
  const { token } = JSON.parse(sessionStorage.getItem('taf.session'));
  const query = 'query ($id: ID) { portalSummary(familyId: $id) { familyName } }';
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables: { id: familyId } }),
  });
  return response.json();
}"""


async def plan_for(sessions: SessionFactory, team: Team) -> None:
    """A goal agreed with the family, the next meeting and two reviews' scores."""
    today = date.today()
    async with unit_of_work(sessions) as session:
        session.add(
            PlanGoal(
                family_id=team.family.id,
                in_family_words="Jayden gets to school every day",
                agreed_with_family=True,
                target_date=today + timedelta(days=60),
                outcome_domain=OutcomeDomain.school_attendance_attainment,
                status=GoalStatus.open,
                created_by_user_id=team.lead.id,
                owning_agency_id=team.lead.agency_id,
            )
        )
        session.add(
            Meeting(
                family_id=team.family.id,
                kind=MeetingKind.review,
                status=MeetingStatus.scheduled,
                scheduled_at=utcnow() + timedelta(days=10),
                location="Riverside Children's Centre",
                chair_user_id=team.lead.id,
            )
        )
        for days_ago, score in [(30, 3), (2, 7)]:
            review = Review(
                family_id=team.family.id,
                reviewed_on=today - timedelta(days=days_ago),
                author_user_id=team.lead.id,
                owning_agency_id=team.lead.agency_id,
            )
            session.add(review)
            await session.flush()
            session.add(
                OutcomeScore(review_id=review.id, domain=OutcomeDomain.school_attendance_attainment, score=score)
            )


async def test_a_parent_is_invited_sets_a_password_reads_the_portal_and_cannot_reach_another_family(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    # given a family with a plan, a parent without an account, and another family
    await plan_for(sessions, team)
    parent = await create_family_member(sessions, family=team.family, relationship="mother")
    other = await create_family(sessions, lead=team.lead)
    email = f"{unique('lisa')}@family.example"
    # when the lead professional invites the parent from the family page
    await sign_in(team.lead)
    await page.goto(f"/#/families/{team.family.id}/team")
    await page.get_by_role("link", name="Invite family members to the family portal").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Invite family members to the portal")
    await page.get_by_role("button", name="Create the invitation link").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Choose who you are inviting")
    await check_page(page, "portal-invitations-errors")
    await page.get_by_label("Who are you inviting?").select_option(label=f"{parent.full_name} (mother)")
    await page.get_by_label("Their email address").fill(email)
    await page.get_by_role("button", name="Create the invitation link").click()
    # then the link is shown once and the invitation is listed as waiting
    await expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Invitation created for {parent.full_name}"
    )
    link = await page.locator("#invitation-link").text_content()
    assert link and "/#/portal/invite/" in link
    await expect(page.locator("#invitations-table")).to_contain_text("Waiting to be used")
    await check_page(page, "portal-invitations")
    await page.locator("#sign-out").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")

    # when the parent opens the link and sets a password (first a mismatch)
    await page.goto(link)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Set up your account")
    assert link.rsplit("/", 1)[1] not in page.url  # the token leaves the address bar and the history
    await check_page(page, "portal-invite")
    await page.get_by_label("Choose a password").fill(PARENT_PASSWORD)
    await page.get_by_label("Type the password again").fill("something else entirely")
    await page.get_by_role("button", name="Set my password and continue").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("The two passwords are not the same")
    await page.get_by_label("Choose a password").fill(PARENT_PASSWORD)
    await page.get_by_label("Type the password again").fill(PARENT_PASSWORD)
    await page.get_by_role("button", name="Set my password and continue").click()
    # then they are signed in and read their family's portal
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your family's plan")
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Your account is set up")
    await expect(page.locator("#portal-goals")).to_contain_text("Jayden gets to school every day")
    await expect(page.locator("#portal-team")).to_contain_text(team.lead.display_name)
    await expect(page.locator("#portal-next-meeting")).to_contain_text("Riverside Children's Centre")
    await expect(page.locator("#portal-progress figure")).to_contain_text("Going up: from 3 to 7 out of 10.")
    await page.get_by_text("Show the scores as a list").click()
    await expect(page.locator("#scores-list")).to_contain_text("7 out of 10")
    await expect(page.locator("#portal-progress svg rect")).to_have_count(2)
    await expect(page.get_by_role("main").get_by_role("button")).to_have_count(0)  # read-only
    await check_page(page, "portal-summary")

    # when they try another family's pages by URL, then they stay on their own portal
    await page.goto(f"/#/families/{other.id}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your family's plan")
    await expect(page.get_by_role("main")).not_to_contain_text(other.display_name)
    await page.goto(f"/#/families/{other.id}/portal-access")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your family's plan")
    # and by the API with their own token, then there is no such family
    answer = await page.evaluate(ASK, [str(other.id)])
    assert answer["data"] is None and answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    own = await page.evaluate(ASK, [str(team.family.id)])
    assert own["data"]["portalSummary"]["familyName"] == team.family.display_name

    # when the link is used again after signing out, then it is refused in words
    await page.locator("#sign-out").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    await page.goto(link)
    await page.get_by_label("Choose a password").fill("a different password")
    await page.get_by_label("Type the password again").fill("a different password")
    await page.get_by_role("button", name="Set my password and continue").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("This invitation has already been used")
    await check_page(page, "portal-invite-used")
    # and the parent can sign in with the password they chose
    await page.goto("/#/sign-in")
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password").fill(PARENT_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your family's plan")


async def test_the_lead_cancels_a_pending_invitation(page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory):
    parent = await create_family_member(sessions, family=team.family, relationship="father")
    await sign_in(team.lead)
    await page.goto(f"/#/families/{team.family.id}/portal-access")
    await page.get_by_label("Who are you inviting?").select_option(label=f"{parent.full_name} (father)")
    await page.get_by_label("Their email address").fill(f"{unique('dad')}@family.example")
    await page.get_by_role("button", name="Create the invitation link").click()
    link = await page.locator("#invitation-link").text_content()
    await page.get_by_role("button", name=f"Cancel the invitation for {parent.full_name}").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Its link no longer works")
    await expect(page.locator("#invitations-table")).to_contain_text("Cancelled")
    await page.locator("#sign-out").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    await page.goto(link)
    await page.get_by_label("Choose a password").fill(PARENT_PASSWORD)
    await page.get_by_label("Type the password again").fill(PARENT_PASSWORD)
    await page.get_by_role("button", name="Set my password and continue").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("This invitation has been cancelled")


async def test_the_ig_page_names_families_and_people(page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory):
    officer = await create_user(sessions, agency=team.early_help, role=SystemRole.ig_officer)
    await create_override(
        sessions, family=team.family, decided_by=team.colleague, categories=["education"], recipients=[team.early_help]
    )
    # the lead professional's change is in the audit log
    await sign_in(team.lead)
    await page.goto(f"/#/families/{team.family.id}/portal-access")
    await page.get_by_label("Who are you inviting?").select_option(index=1)
    await page.get_by_label("Their email address").fill(f"{unique('mum')}@family.example")
    await page.get_by_role("button", name="Create the invitation link").click()
    await expect(page.locator(".govuk-notification-banner")).to_be_visible()
    await page.locator("#sign-out").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    await sign_in(officer)
    await page.goto("/#/information-governance")
    card = page.locator("#override-queue [data-override]").filter(has_text=team.family.display_name).first
    await expect(card).to_contain_text(f"{team.family.display_name} ({team.family.reference})")
    row = page.locator("#audit-table tbody tr").filter(has_text="Invited a family member to the portal").first
    await expect(row).to_contain_text(team.lead.display_name)
    await expect(row).to_contain_text(team.family.display_name)
    await expect(page.locator("#audit-table")).not_to_contain_text(str(team.lead.id))
    await check_page(page, "information-governance-names")


async def test_notification_preferences_are_saved_and_shown_again(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    await page.get_by_role("link", name="Notifications").first.click()
    await page.get_by_role("link", name="Choose how you get notifications").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("How you get notifications")
    await expect(page.locator("#urgent-always-live")).to_contain_text("Urgent escalations: always straight away")
    await expect(page.locator("legend")).to_have_count(len(NOTIFICATION_KINDS))  # one choice per kind
    await expect(page.locator("legend", has_text="_")).to_have_count(0)  # every kind in words
    meetings = page.get_by_role("group", name="A meeting is arranged")
    await expect(meetings.get_by_label("Straight away")).to_be_checked()
    await meetings.get_by_label("Once a day, in a summary").check()
    await page.get_by_role("button", name="Save my choices").click()
    await expect(page.locator(".govuk-notification-banner")).to_contain_text("Your choices are saved.")
    await page.reload()
    meetings = page.get_by_role("group", name="A meeting is arranged")
    await expect(meetings.get_by_label("Once a day, in a summary")).to_be_checked()
    await expect(
        page.get_by_role("group", name="An action is given to you").get_by_label("Straight away")
    ).to_be_checked()
    await check_page(page, "notification-preferences")
