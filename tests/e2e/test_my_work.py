"""My work, the staff home page: what each person has to do next, each item with its family and a link;
loaded with at most two requests, readable at phone width, and showing nothing a family page would hide."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Page, Request, expect

from server.agency.models import Agency, AgencyKind
from server.clock import utcnow
from server.db.engine import SessionFactory, unit_of_work
from server.meeting.models import Attendance, Meeting, MeetingInvitee, MeetingKind, MeetingStatus
from server.plan.models import PlanAction
from server.user.models import SystemRole
from tests.builders import create_user, unique
from tests.builders_content import action_assigned, notify
from tests.builders_notify import create_action, create_escalation
from tests.e2e.conftest import SignIn, Team, check_page

PHONE = {"width": 375, "height": 800}


async def open_my_work(page: Page) -> None:
    await page.evaluate("location.hash = '#/my-work'")
    await expect(page.get_by_role("heading", level=1)).to_have_text("My work")


async def create_meeting(sessions: SessionFactory, team: Team) -> Meeting:
    async with unit_of_work(sessions) as session:
        meeting = Meeting(
            family_id=team.family.id,
            kind=MeetingKind.review,
            status=MeetingStatus.scheduled,
            scheduled_at=utcnow() + timedelta(days=2),
            location="Children's centre",
            chair_user_id=team.lead.id,
        )
        session.add(meeting)
        await session.flush()
        session.add(MeetingInvitee(meeting_id=meeting.id, user_id=team.colleague.id, attendance=Attendance.invited))
    return meeting


async def a_busy_week(sessions: SessionFactory, team: Team) -> None:
    """An overdue action of the lead's, an urgent escalation raised by the school, a review meeting the
    colleague is invited to, an action given to the colleague (and the notification saying so) whose
    words are the lead's agency's health information."""
    overdue = await create_action(
        sessions, family=team.family, owner=team.lead, set_by=team.lead, description="Book the housing visit"
    )
    async with unit_of_work(sessions) as session:
        (await session.get(PlanAction, overdue.id)).due_date = date.today() - timedelta(days=2)
    await create_escalation(
        sessions, family=team.family, raised_by=team.colleague, reason="Jayden has not been in school for a week"
    )
    await create_meeting(sessions, team)
    given = await create_action(
        sessions,
        family=team.family,
        owner=team.colleague,
        set_by=team.lead,
        description="Health visitor's private notes",
        category="health",
        owning_agency_id=team.early_help.id,
    )
    await notify(sessions, action_assigned(team.family, given.id, team.colleague, "other"), [team.colleague])


async def test_the_lead_sees_escalations_actions_meetings_and_reviews_with_their_family(
    page: Page, sign_in: SignIn, sessions: SessionFactory, team: Team
):
    await a_busy_week(sessions, team)
    await sign_in(team.lead)
    await open_my_work(page)
    name = f"{team.family.display_name} ({team.family.reference})"

    escalations = page.locator("#my-escalations")
    await expect(escalations.get_by_role("heading", level=2)).to_have_text("Escalations to acknowledge (1)")
    await expect(escalations).to_contain_text(f"Urgent escalation: {name}")
    await expect(escalations).to_contain_text(f"Raised by {team.colleague.display_name}, {team.school.name}")
    await expect(escalations).to_contain_text("Acknowledge by")
    actions = page.locator("#my-actions")
    await expect(actions.locator("li")).to_have_count(1)
    await expect(actions).to_contain_text("Overdue")
    await expect(actions).to_contain_text("Book the housing visit")
    await expect(actions).to_contain_text(name)
    await expect(page.locator("#my-meetings")).to_contain_text(f"Review meeting: {name}")
    await expect(page.locator("#my-meetings")).to_contain_text("Children's centre")
    # the review is booked within two weeks, so it is listed to prepare
    await expect(page.locator("#my-reviews")).to_contain_text("Next review on")
    await expect(page.locator("#my-notifications-none")).to_have_text("You have no unread notifications.")
    await check_page(page, "my-work")

    # by keyboard: the escalation's link leads to the family's page
    link = escalations.get_by_role("link", name=f"Urgent escalation: {name}")
    await link.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.family.display_name)


async def test_a_colleague_sees_their_action_without_words_they_may_not_read_and_their_meeting(
    page: Page, sign_in: SignIn, sessions: SessionFactory, team: Team
):
    await a_busy_week(sessions, team)
    await sign_in(team.colleague)
    await open_my_work(page)

    actions = page.locator("#my-actions")
    await expect(actions).to_contain_text("An action on the plan")
    await expect(page.locator("main")).not_to_contain_text("Health visitor's private notes")
    await expect(page.locator("#my-escalations-none")).to_have_text("No escalations are waiting for you.")
    await expect(page.locator("#my-reviews-none")).to_have_text("No reviews need arranging.")
    await expect(page.locator("#my-meetings")).to_contain_text("Review meeting")
    notifications = page.locator("#my-notifications")
    await expect(notifications).to_contain_text("An action was given to you")
    await expect(notifications).to_contain_text(team.family.display_name)
    await check_page(page, "my-work-colleague")
    await page.locator("#my-meetings").get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Review meeting")


async def test_my_work_is_home_and_loads_with_at_most_two_requests(
    page: Page, sign_in: SignIn, sessions: SessionFactory, team: Team
):
    await a_busy_week(sessions, team)
    await sign_in(team.lead)
    await page.get_by_role("link", name="Team Around the Family").click()  # the service's home
    await expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    await expect(page.get_by_role("link", name="My work")).to_have_attribute("aria-current", "page")

    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request) if request.url.endswith("/graphql") else None)
    await page.reload()
    await expect(page.locator("#my-actions li")).to_have_count(1)
    await page.wait_for_load_state("networkidle")
    assert len(sent) <= 2, [request.post_data for request in sent]


async def test_my_work_reads_at_phone_width_without_scrolling_sideways(
    page: Page, sign_in: SignIn, sessions: SessionFactory, team: Team
):
    await a_busy_week(sessions, team)
    await sign_in(team.lead)
    await page.set_viewport_size(PHONE)
    await open_my_work(page)
    await expect(page.locator("#my-actions li")).to_have_count(1)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px wide at {PHONE['width']}px"
    await check_page(page, "my-work-375")


async def test_the_header_wraps_a_name_and_an_agency_of_one_long_word_at_phone_width(
    page: Page, sign_in: SignIn, sessions: SessionFactory
):
    # given a worker whose agency's name and own name are each one long word
    async with unit_of_work(sessions) as session:
        agency = Agency(name=unique("Riverside" + "Academy" * 12), kind=AgencyKind.education)
        session.add(agency)
    worker = await create_user(sessions, agency=agency, name=unique("Worker" * 10))
    # when they sign in on a phone
    await sign_in(worker)
    await page.set_viewport_size(PHONE)
    await open_my_work(page)
    await expect(page.locator("#signed-in-as")).to_contain_text(agency.name)
    # then the header's "Signed in as" line wraps inside the screen and the page never scrolls sideways
    right = await page.evaluate("document.querySelector('#signed-in-as').getBoundingClientRect().right")
    assert right <= PHONE["width"], f"the signed-in line ends at {right}px on a {PHONE['width']}px screen"
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px wide at {PHONE['width']}px"


async def test_navigation_follows_the_role(page: Page, sign_in: SignIn, sessions: SessionFactory, team: Team):
    officer = await create_user(sessions, agency=team.early_help, role=SystemRole.ig_officer)
    await sign_in(officer)
    navigation = page.get_by_role("navigation", name="Menu")
    await expect(navigation.get_by_role("link", name="Information governance")).to_be_visible()
    for hidden in ("My caseload", "Open a referral", "My work"):
        await expect(navigation.get_by_role("link", name=hidden)).to_be_hidden()
    await check_page(page, "navigation-ig-officer")


async def test_a_manager_and_an_administrator_have_my_work_with_the_links_their_role_uses(
    page: Page, sign_in: SignIn, sessions: SessionFactory, team: Team
):
    await a_busy_week(sessions, team)
    manager = await create_user(sessions, agency=team.early_help, role=SystemRole.manager)
    await sign_in(manager)
    await open_my_work(page)
    # the lead acknowledges escalations, not their manager (until the deadline passes, when they are told)
    await expect(page.locator("#my-escalations-none")).to_have_text("No escalations are waiting for you.")
    await expect(page.locator("#my-actions-none")).to_have_text("You have no open actions.")
    navigation = page.get_by_role("navigation", name="Menu")
    await expect(navigation.get_by_role("link", name="Open a referral")).to_be_visible()
    await check_page(page, "my-work-manager")

    admin = await create_user(sessions, agency=team.early_help, role=SystemRole.admin)
    await sign_in(admin)
    await open_my_work(page)
    for hidden in ("My work", "My caseload", "Open a referral", "Information governance"):
        await expect(navigation.get_by_role("link", name=hidden)).to_be_hidden()
    await expect(navigation.get_by_role("link", name="Accounts")).to_be_visible()  # an administrator's own work
    await check_page(page, "my-work-administrator")
