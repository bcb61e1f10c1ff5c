"""A family's record as sub-pages (web/js/pages/family.js): the sub navigation, each sub-page and question
page in at most two GraphQL requests (the family, then the sub-page's own data), axe-clean at desktop
width and at 375 px without sideways scrolling, and the question pages used from the keyboard alone."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.async_api import Page, expect

from server.agency.models import Agency, AgencyKind
from server.db.engine import SessionFactory, unit_of_work
from tests.builders import create_agreement, create_contribution, create_family, create_override, create_user, unique
from tests.e2e.conftest import SignIn, Team, check_page, sticking_out_of

pytestmark = pytest.mark.long

# path after the family's id, the sub navigation's words, and a section the sub-page shows the lead
SUBPAGES = [
    ("", "Overview", "section#escalations"),
    ("plan", "Plan", "section#plan"),
    ("contributions", "Contributions", "section#contributions"),
    ("meetings", "Meetings", "section#meetings"),
    ("team", "Team and contacts", "section#contacts"),
    ("sharing", "Sharing and consent", "section#safeguarding"),
    ("assessments", "Assessments", "section#legal-status"),
    ("referrals", "Referrals and closure", "section#follow-ups"),
    ("chronology", "Chronology", "section#chronology"),
]
# question pages the lead can open: path after the family's id, and the page's heading
QUESTIONS = [
    ("contributions/new", "Add a contribution"),
    ("sharing/consent/new", "Record consent"),
    ("plan/goals/new", "Add a goal"),
    ("plan/actions/new", "Add an action"),
    ("escalations/new", "Raise an escalation"),
    ("team/people/new", "Add someone to the team"),
    ("team/contacts/new", "Record a contact"),
    ("assessments/new", "Record an assessment"),
    ("plan/contingencies/new", "Add a contingency"),
    ("team/family-members/new", "Add a family member"),
    ("sharing/engagement/new", "Record agreement to engage"),
    ("sharing/overrides/new", "Share without consent"),
    ("sharing/decisions/new", "Record a decision not to share"),
    ("assessments/legal-status/new", "Record a change of legal status or cohort"),
    ("referrals/new", "Record a referral"),
    ("meetings/new", "Arrange a meeting"),
    ("referrals/step-up", "Step up to statutory services"),
    ("referrals/step-down", "Step down"),
    ("referrals/close", "Close the family's record"),
]
BANNER = ".govuk-notification-banner--success"


def graphql_requests(page: Page) -> list[str]:
    """The GraphQL requests the page sends from now on, by operation name."""
    sent: list[str] = []

    def seen(request) -> None:
        if request.method == "POST" and request.url.endswith("/graphql"):
            sent.append((request.post_data_json or {}).get("operationName", "?"))

    page.on("request", seen)
    return sent


async def go(page: Page, path: str) -> None:
    """Open `path` from within the app (as a link does) and wait until it has drawn."""
    await page.evaluate("path => { location.hash = path; }", path)
    await expect(page.locator("#main-content[aria-busy]")).to_have_count(0)
    await expect(page.locator("#main-content h1")).to_be_visible()
    await page.wait_for_timeout(300)  # anything sent late would be counted too


def current_part(page: Page):
    return page.get_by_role("navigation", name="Family record").locator('[aria-current="page"]')


async def no_sideways_scrolling(page: Page) -> None:
    widths = await page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways at 375 px: {widths}"


async def test_each_sub_page_loads_in_two_requests_and_reads_well_at_any_width(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    base = f"/families/{team.family.id}"
    sent = graphql_requests(page)
    for path, title, section in SUBPAGES:
        sent.clear()
        await go(page, f"{base}/{path}" if path else base)
        await expect(page.locator(section)).to_be_visible()
        assert len(sent) <= 2, f"{title}: {sent}"
        assert sent[0] == "FamilyPage", sent
        nav = page.get_by_role("navigation", name="Family record")
        await expect(nav.locator('[aria-current="page"]')).to_have_text(title)
        await expect(nav.get_by_role("link")).to_have_count(len(SUBPAGES))
        name = f"family-subpage-{path or 'overview'}"
        await page.set_viewport_size({"width": 1100, "height": 900})
        await check_page(page, name)
        await page.set_viewport_size({"width": 375, "height": 800})
        await no_sideways_scrolling(page)
        await check_page(page, f"{name}-375")
        await page.set_viewport_size({"width": 1100, "height": 900})


async def test_an_agency_named_in_one_long_word_never_widens_a_sub_page_at_375px(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    # given a team member from an agency whose name is one long word, with an item and sharing without consent
    async with unit_of_work(sessions) as session:
        long_named = Agency(name=unique("Riverside" + "Academy" * 12), kind=AgencyKind.education)
        session.add(long_named)
    worker = await create_user(sessions, agency=long_named, name=unique("Worker" * 10))
    await create_agreement(sessions, parties=[team.early_help, long_named])
    family = await create_family(sessions, lead=team.lead, contributors=(worker,))
    await create_contribution(sessions, family=family, author=worker, category="education")
    await create_override(
        sessions, family=family, decided_by=worker, categories=["health"], recipients=[team.early_help]
    )
    await sign_in(team.lead)
    await page.set_viewport_size({"width": 375, "height": 800})
    for path, title, section in SUBPAGES:
        # when the lead opens each sub-page on a phone
        await go(page, f"/families/{family.id}/{path}" if path else f"/families/{family.id}")
        await expect(page.locator(section)).to_be_visible()
        # then nothing ends past the screen's edge outside a scrolling region
        sticking_out = await sticking_out_of(page)
        assert sticking_out == [], f"{title}: " + "\n".join(sticking_out)
        await no_sideways_scrolling(page)
    await expect(page.locator("main")).to_contain_text(long_named.name)


async def test_each_question_page_loads_in_two_requests_and_says_what_is_wrong(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    base = f"/families/{team.family.id}"
    sent = graphql_requests(page)
    for path, heading in QUESTIONS:
        sent.clear()
        await go(page, f"{base}/{path}")
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert len(sent) <= 2, f"{heading}: {sent}"
        await expect(page.locator(".govuk-back-link")).to_be_visible()
        name = f"family-question-{path.replace('/', '-')}"
        await check_page(page, name)
        await page.set_viewport_size({"width": 375, "height": 800})
        await no_sideways_scrolling(page)
        await check_page(page, f"{name}-375")
        await page.set_viewport_size({"width": 1100, "height": 900})


async def test_a_question_is_reached_from_its_sub_page_and_returns_there_with_the_banner(
    page: Page, sign_in: SignIn, team: Team
):
    await sign_in(team.lead)
    await page.get_by_role("link", name=team.family.reference).click()
    await page.get_by_role("navigation", name="Family record").get_by_role("link", name="Contributions").click()
    await page.get_by_role("link", name="Add a contribution").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Add a contribution")
    await page.get_by_role("button", name="Add the item").click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await expect(summary).to_contain_text("Choose what kind of item it is")
    await check_page(page, "family-question-contribution-errors")
    await page.get_by_role("link", name="Back to contributions").click()
    await expect(current_part(page)).to_have_text("Contributions")


async def test_a_question_the_viewer_may_not_answer_is_not_offered(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.colleague)  # on the team, not the lead: no plan goals
    await go(page, f"/families/{team.family.id}/plan/goals/new")
    await expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
    await check_page(page, "family-question-refused")
    await go(page, f"/families/{team.family.id}/no-such-part")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    await go(page, f"/families/{team.family.id}/plan")
    await expect(page.get_by_role("link", name="Add a goal")).to_have_count(0)


async def tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until `selector` has the focus."""
    for _ in range(limit):
        if await page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


async def test_the_contribution_question_works_from_the_keyboard_alone(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.colleague)
    await go(page, f"/families/{team.family.id}/contributions")
    await tab_to(page, "#add-contribution")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Add a contribution")
    await tab_to(page, "#item-kind")
    await page.keyboard.press("ArrowDown")  # the first kind
    await page.keyboard.press("Tab")
    await expect(page.locator("#item-category")).to_be_focused()
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Attendance")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Attendance is up to 92 per cent this term.")
    await tab_to(page, 'button[type="submit"]')
    await page.keyboard.press("Enter")
    await expect(page.locator(BANNER)).to_contain_text("“Attendance” added to the plan.")
    await expect(current_part(page)).to_have_text("Contributions")
    await expect(page.locator("#contributions-list")).to_contain_text("Attendance is up to 92 per cent this term.")


async def test_the_action_question_works_from_the_keyboard_alone(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    await go(page, f"/families/{team.family.id}/plan")
    await tab_to(page, "#add-action")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Add an action")
    await tab_to(page, 'button[type="submit"]')
    await page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_be_focused()
    await tab_to(page, ".govuk-error-summary a")
    await page.keyboard.press("Enter")  # to the first field in error
    await expect(page.locator("#new-action-description")).to_be_focused()
    await page.keyboard.type("Book the school nurse")
    await page.keyboard.press("Tab")
    await expect(page.locator("#new-action-owner")).to_be_focused()
    await page.keyboard.press("ArrowDown")  # the first worker on the team
    await tab_to(page, "#new-action-due-day")
    next_year = str(date.today().year + 1)
    for part in ("15", "6", next_year):
        await page.keyboard.type(part)
        await page.keyboard.press("Tab")
    await tab_to(page, 'button[type="submit"]')
    await page.keyboard.press("Enter")
    await expect(page.locator(BANNER)).to_contain_text("Action added to the plan.")
    await expect(current_part(page)).to_have_text("Plan")
    await expect(page.locator("#plan-content")).to_contain_text("Book the school nurse")


# What the keyboard reaches on a question page: every control of its forms that a person could use (one stop per
# radio group, as browsers give), in the order Tab visits them.
CONTROLS = """() => {
  const shown = (el) => el.offsetParent !== null && !el.disabled && el.getAttribute("tabindex") !== "-1";
  const key = (el) => el.type === "radio" ? `radio:${el.name}` : (el.id || el.name || el.textContent.trim());
  const all = [...document.querySelectorAll("#main-content form input, #main-content form select,"
    + " #main-content form textarea, #main-content form button")].filter((el) => el.type !== "hidden" && shown(el));
  return [...new Set(all.map(key))];
}"""
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || !el.closest("#main-content form")) return null;
  return el.type === "radio" ? `radio:${el.name}` : (el.id || el.name || el.textContent.trim());
}"""


async def tab_to_the_last(page: Page, controls: list[str]) -> list[str]:
    """Press Tab from where the focus is until the last of `controls` has it; what the form's focus visited."""
    reached: list[str] = []
    for _ in range(4 * len(controls) + 20):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(FOCUSED)
        if focused and focused not in reached:
            reached.append(focused)
        if focused == controls[-1]:
            break
    return reached


async def test_every_question_page_is_used_from_the_keyboard_alone(page: Page, sign_in: SignIn, team: Team):
    """Tab reaches every control of each question page's form, and Enter on its button, with nothing filled in,
    answers with the error summary, focused, whose first link takes the focus to the field at fault. A question
    in two steps (find a person, then add them) shows its second form first, reached the same way."""
    await sign_in(team.lead)
    base = f"/families/{team.family.id}"
    summary = page.locator(".govuk-error-summary")
    for path, heading in QUESTIONS:
        await go(page, f"{base}/{path}")
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        await page.locator("#main-content h1").focus()
        seen: list[str] = []
        for _step in range(2):
            controls = await page.evaluate(CONTROLS)
            assert controls, heading
            reached = await tab_to_the_last(page, controls)
            assert reached == [control for control in controls if control not in seen], (heading, reached, controls)
            seen = controls
            # the last control is the form's button: Enter sends it as it is
            await page.keyboard.press("Enter")
            await page.wait_for_timeout(300)
            if await summary.count():
                break
        await expect(summary).to_be_focused()
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        assert await page.evaluate(FOCUSED), f"{heading}: the error's link leaves the focus outside the form"
