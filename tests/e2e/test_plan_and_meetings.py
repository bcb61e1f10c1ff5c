"""The shared plan in the browser: the plan with owners and due dates, updating one's own actions,
escalations, running a TAF meeting from the lead professional's meeting view, closing a case, and
the caseload filters for what needs attention. Lead-only controls are absent for everyone else, and
the API refuses them anyway."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.async_api import Page, expect

from server.db.engine import SessionFactory, unit_of_work
from server.meeting.models import Meeting
from server.plan.models import PlanAction
from tests.auth_helpers import sign_in as api_sign_in
from tests.builders import create_agency, create_family, create_user, unique
from tests.e2e.conftest import SignIn, Team, check_page, open_part, open_question
from tests.graphql_client import GraphQLClient, code

pytestmark = pytest.mark.long

BANNER = ".govuk-notification-banner--success"


async def open_family(page: Page, team: Team) -> None:
    await page.get_by_role("link", name=team.family.reference).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(team.family.display_name)


async def add_goal_and_action(
    gql: GraphQLClient, sessions: SessionFactory, team: Team, *, owner, overdue: bool = False
) -> tuple[dict, dict]:
    token = await api_sign_in(gql, team.lead)
    goal = (
        await gql.data(
            "PlanGoalAdd",
            {
                "input": {
                    "familyId": str(team.family.id),
                    "inFamilyWords": "Jayden gets to school every day",
                    "outcomeDomain": "school_attendance_attainment",
                    "agreedWithFamily": True,
                }
            },
            token,
        )
    )["planGoalAdd"]
    action = (
        await gql.data(
            "PlanActionAdd",
            {
                "input": {
                    "familyId": str(team.family.id),
                    "description": "Set up a morning check-in at school",
                    "ownerUserId": str(owner.id),
                    "dueDate": (date.today() + timedelta(days=7)).isoformat(),
                    "goalId": goal["id"],
                }
            },
            token,
        )
    )["planActionAdd"]
    if overdue:
        async with unit_of_work(sessions) as session:  # as if it had been set weeks ago
            row = await session.get(PlanAction, uuid.UUID(action["id"]))
            row.due_date = date.today() - timedelta(days=3)
    return goal, action


async def started_meeting(gql: GraphQLClient, sessions: SessionFactory, team: Team, member_id: str) -> dict:
    """A review meeting arranged through the API, then moved into the past as if its time had come."""
    token = await api_sign_in(gql, team.lead)
    meeting = (
        await gql.data(
            "MeetingSchedule",
            {
                "input": {
                    "familyId": str(team.family.id),
                    "kind": "review",
                    "scheduledAt": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
                    "location": "Riverside Academy, room 4",
                    "agenda": "1. Attendance at school\n2. Housing repairs",
                    "inviteeUserIds": [str(team.colleague.id)],
                    "inviteeMemberIds": [member_id],
                }
            },
            token,
        )
    )["meetingSchedule"]
    async with unit_of_work(sessions) as session:
        await session.exec(
            sa.update(Meeting)
            .where(Meeting.id == uuid.UUID(meeting["id"]))
            .values(scheduled_at=datetime.now(UTC) - timedelta(minutes=30))
        )
    return meeting


async def test_the_lead_runs_a_meeting_from_one_screen(
    page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient, sessions: SessionFactory
):
    # given a plan with a goal and the school's action, and a review meeting that has just started
    goal, action = await add_goal_and_action(gql, sessions, team, owner=team.colleague)
    family = (await gql.data("Family", {"id": str(team.family.id)}, await api_sign_in(gql, team.lead)))["family"]
    child = family["members"][0]
    meeting = await started_meeting(gql, sessions, team, child["id"])

    # when the lead opens the family page
    await sign_in(team.lead)
    await open_family(page, team)
    await open_part(page, "Plan")
    # then the plan shows the goal and the action with its owner and due date
    plan = page.locator("#plan")
    await expect(plan).to_contain_text("“Jayden gets to school every day”")
    await expect(plan.locator(f'[data-action="{action["id"]}"]')).to_contain_text(
        f"Owner: {team.colleague.display_name}, {team.school.name}"
    )
    await expect(plan.locator(f'[data-action="{action["id"]}"]')).to_contain_text("Due ")
    await check_page(page, "family-plan-as-lead")

    # when they open the meeting from the meetings list
    await open_part(page, "Meetings")
    await page.locator("#meetings-table").get_by_role("link", name="Review meeting").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Review meeting")
    await expect(page.locator("#agenda-text")).to_contain_text("Housing repairs")
    await check_page(page, "meeting-view")

    # and record attendance
    await page.get_by_role("group", name=team.lead.display_name).get_by_label("Present").check()
    await page.get_by_role("button", name="Save attendance").click()
    await expect(page.locator("#attendance-form .govuk-error-summary")).to_contain_text(
        f"Choose whether {team.colleague.display_name} was present"
    )
    await check_page(page, "meeting-attendance-error")
    await page.get_by_role("group", name=team.colleague.display_name).get_by_label("Sent apologies").check()
    await page.get_by_role("group", name=f"{child['fullName']} (family)").get_by_label("Present").check()
    await page.get_by_role("button", name="Save attendance").click()
    await expect(page.locator(BANNER)).to_contain_text("Attendance saved.")
    await expect(page.locator("#meeting-status")).to_have_text("Held")

    # and review the goal and the action
    await page.get_by_label("Progress on “Jayden gets to school every day”").fill("Three late marks, down from ten")
    await page.get_by_label("Score for school attendance and attainment").select_option("6")
    await page.get_by_role("button", name="Record the review").click()
    await expect(page.locator(BANNER)).to_contain_text("Review recorded.")
    await expect(page.locator("#review")).to_contain_text("School attendance and attainment 6 out of 10")
    card = page.locator(f'#review [data-action="{action["id"]}"]')
    await card.get_by_text("Update this action").click()
    await card.get_by_label("Where this action stands").select_option(label="In progress")
    await card.get_by_role("button", name="Save").click()
    await expect(page.locator(BANNER)).to_contain_text("Action updated: In progress.")
    await expect(page.locator(f'#review [data-action="{action["id"]}"]')).to_contain_text("In progress")
    goal_block = page.locator(f'#review [data-goal="{goal["id"]}"]')
    await goal_block.get_by_text("Update where this goal stands").click()
    await goal_block.get_by_label("Where the goal stands").select_option(label="Partly achieved")
    await goal_block.get_by_role("button", name="Save").click()
    await expect(page.locator(BANNER)).to_contain_text("Goal updated: Partly achieved.")
    await expect(page.locator(f'#review [data-goal="{goal["id"]}"]')).to_contain_text("Partly achieved")

    # and record a decision and a new action
    await page.get_by_label("Decision", exact=True).fill("Refer to the housing repairs team")
    await page.get_by_role("button", name="Record the decision").click()
    await expect(page.locator(BANNER)).to_contain_text("Decision recorded.")
    await expect(page.locator("#decisions-list")).to_contain_text("Refer to the housing repairs team")
    due = date.today() + timedelta(days=14)
    form = page.locator("#meeting-action-form")
    await form.get_by_label("What needs to be done").fill("Chase the landlord about the damp")
    await form.get_by_label("Who will do it").select_option(label=f"{team.lead.display_name}, {team.early_help.name}")
    await form.get_by_label("Day").fill(str(due.day))
    await form.get_by_label("Month").fill(str(due.month))
    await form.get_by_label("Year").fill(str(due.year))
    await form.get_by_label("The goal it serves (optional)").select_option(label=goal["inFamilyWords"])
    await page.get_by_role("button", name="Add the action").click()
    await expect(page.locator(BANNER)).to_contain_text("Action added to the plan.")
    await expect(page.locator("#meeting-actions-table")).to_contain_text("Chase the landlord about the damp")

    # and add an item to the draft minutes, first forgetting what was said
    items = page.locator("#minutes-item-form")
    await items.get_by_label("Heading").fill("Attendance at school")
    await items.get_by_role("button", name="Add the item").click()
    await expect(items.locator(".govuk-error-summary")).to_contain_text("Enter what was said")
    await items.get_by_label("What was said").fill("Jayden's attendance is improving.")
    await items.get_by_label("Category").select_option(label="Education")
    await items.get_by_role("button", name="Add the item").click()
    await expect(page.locator(BANNER)).to_contain_text("Item added to the draft minutes.")
    await expect(page.locator("#minutes-list")).to_contain_text("Jayden's attendance is improving.")
    await expect(page.locator("#minutes-list")).to_contain_text(f"{team.early_help.name}, education information")
    await expect(page.locator("#minutes-state")).to_have_text("Draft")
    await check_page(page, "meeting-minutes-draft")

    # and record the school's update for it: the school's education information, not shared with the lead
    items = page.locator("#minutes-item-form")
    await items.get_by_label("Heading").fill(f"Update from {team.school.name}")
    await items.get_by_label("What was said").fill("Mentoring starts on Monday.")
    await items.get_by_label("Whose information it is").select_option(label=team.school.name)
    await items.get_by_label("Category").select_option(label="Education")
    await items.get_by_role("button", name="Add the item").click()
    # then it is saved, and the page says why the lead does not see it
    await expect(page.locator(BANNER)).to_contain_text(
        f"It is {team.school.name}'s education information, which is not shared with your agency"
    )
    await expect(page.locator("#minutes-list")).not_to_contain_text("Mentoring starts on Monday.")

    # when someone else changes the meeting meanwhile (here the lead in another tab)
    token = await api_sign_in(gql, team.lead)
    current = (await gql.data("Meeting", {"id": meeting["id"]}, token))["meeting"]
    other = {"meetingId": meeting["id"], "expectedVersion": current["version"], "heading": "Other tab", "text": "Other"}
    await gql.data("MinutesItemAdd", {"input": other}, token)
    items = page.locator("#minutes-item-form")
    await items.get_by_label("Heading").fill("Housing")
    await items.get_by_label("What was said").fill("My later item")
    await items.get_by_role("button", name="Add the item").click()
    # then the conflict is explained in words, never as a code
    summary = page.locator("#minutes-item-form .govuk-error-summary")
    await expect(summary).to_contain_text("Someone else changed this meeting since you opened it")
    await expect(summary).to_be_focused()
    assert "CONFLICT" not in await page.locator("main").inner_text()
    await check_page(page, "meeting-conflict")
    await page.get_by_role("button", name="Reload the meeting").click()
    await expect(page.locator("#minutes-list")).to_contain_text("Other tab")
    await expect(page.locator("#minutes-list")).not_to_contain_text("My later item")

    # when the lead changes the first item, removes the other tab's and publishes the minutes
    first = page.locator("#minutes-list > li").filter(has_text="Attendance at school")
    await first.get_by_text("Change or remove").click()
    await first.get_by_label("What was said").fill("Attendance improving; damp to be chased by Sam.")
    await first.get_by_role("button", name="Save the item").click()
    await expect(page.locator(BANNER)).to_contain_text("Item changed.")
    second = page.locator("#minutes-list > li").filter(has_text="Other tab")
    await second.get_by_text("Change or remove").click()
    await second.get_by_role("button", name="Remove this item").click()
    await expect(page.locator(BANNER)).to_contain_text("Item removed from the draft minutes.")
    await expect(page.locator("#minutes-list")).not_to_contain_text("Other tab")
    await page.get_by_role("button", name="Publish the minutes").click()
    # then they are published and can no longer be edited
    await expect(page.locator(BANNER)).to_contain_text("Minutes published.")
    await expect(page.locator("#minutes-list")).to_contain_text("Attendance improving; damp to be chased by Sam.")
    await expect(page.locator("#minutes-item-form")).to_have_count(0)
    await expect(page.get_by_text("Change or remove")).to_have_count(0)
    await expect(page.locator("#minutes-state")).to_contain_text("Published")
    await check_page(page, "meeting-published")
    # and the school's worker reads the school's update only (the lead's education item is not shared)
    school = (await gql.data("Meeting", {"id": meeting["id"]}, await api_sign_in(gql, team.colleague)))["meeting"]
    assert [item["text"] for item in school["minutes"]] == ["Mentoring starts on Monday."]
    published = (await gql.data("Meeting", {"id": meeting["id"]}, token))["meeting"]
    assert published["minutesPublishedAt"] and [d["text"] for d in published["decisions"]] == [
        "Refer to the housing repairs team"
    ]
    attendance = {
        i["professional"]["id"] if i["professional"] else "child": i["attendance"] for i in published["invitees"]
    }
    assert attendance == {str(team.lead.id): "present", str(team.colleague.id): "apologies", "child": "present"}


async def test_a_worker_raises_an_escalation_and_the_lead_acknowledges_it(
    page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient
):
    # given the school worker on the team
    await sign_in(team.colleague)
    await open_family(page, team)
    # when they raise an urgent escalation, first forgetting the reason
    await open_question(page, "Raise an escalation")
    form = page.locator("#escalation-raise-form")
    await form.get_by_label("Urgent").check()
    await form.get_by_label("What kind of information is the reason").select_option(label="Education")
    await page.get_by_role("button", name="Raise the escalation").click()
    await expect(form.locator(".govuk-error-summary")).to_contain_text("Enter what has happened")
    await check_page(page, "escalation-raise-error")
    await form.get_by_label("What has happened and why you are worried").fill("Jayden arrived with a bruise")
    await page.get_by_role("button", name="Raise the escalation").click()
    # then it is listed, waiting for the lead professional, with no acknowledge control for its raiser
    await expect(page.locator(BANNER)).to_contain_text("Escalation raised.")
    card = page.locator("#escalations-list .govuk-summary-card").first
    await expect(card).to_contain_text("Urgent: Education")
    await expect(card).to_contain_text("Waiting for the lead professional")
    await expect(card).to_contain_text("Jayden arrived with a bruise")
    await expect(card.get_by_role("button", name="Acknowledge")).to_have_count(0)
    await expect(page.locator("#escalations")).to_contain_text("1 urgent escalation is open")
    await check_page(page, "escalations-as-worker")
    escalation_id = await card.get_attribute("data-escalation")
    # and the API refuses the worker's acknowledgement anyway
    worker = await api_sign_in(gql, team.colleague)
    refused = await gql.error("EscalationAcknowledge", {"input": {"escalationId": escalation_id}}, worker)
    assert code(refused) == "FORBIDDEN"

    # when the lead opens the family
    await sign_in(team.lead)
    await open_family(page, team)
    card = page.locator(f'[data-escalation="{escalation_id}"]')
    await expect(card).to_have_class("govuk-summary-card taf-escalation--urgent")
    await card.get_by_role("button", name="Acknowledge").click()
    # then it is acknowledged
    await expect(page.locator(BANNER)).to_contain_text("Escalation acknowledged.")
    card = page.locator(f'[data-escalation="{escalation_id}"]')
    await expect(card).to_contain_text("Acknowledged")
    await expect(card.get_by_role("button", name="Acknowledge")).to_have_count(0)
    await check_page(page, "escalations-as-lead")


async def test_a_worker_updates_their_own_action_and_sees_no_lead_controls(
    page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient, sessions: SessionFactory
):
    # given an overdue action of the school worker's, and a meeting that has started
    _, action = await add_goal_and_action(gql, sessions, team, owner=team.colleague, overdue=True)
    family = (await gql.data("Family", {"id": str(team.family.id)}, await api_sign_in(gql, team.lead)))["family"]
    # and the lead's own action in mental health, which the family has not shared with the school
    private = {
        "familyId": str(team.family.id),
        "description": "Talk to mum about her low mood",
        "ownerUserId": str(team.lead.id),
        "dueDate": (date.today() + timedelta(days=9)).isoformat(),
        "category": "mental_health",
    }
    private = (await gql.data("PlanActionAdd", {"input": private}, await api_sign_in(gql, team.lead)))["planActionAdd"]
    meeting = await started_meeting(gql, sessions, team, family["members"][0]["id"])
    # when the worker opens the family's plan
    await sign_in(team.colleague)
    await open_family(page, team)
    await expect(page.get_by_role("heading", name="Change status or level of need")).to_have_count(0)
    await expect(page.get_by_role("link", name="Raise an escalation")).to_be_visible()
    await open_part(page, "Plan")
    card = page.locator(f'[data-action="{action["id"]}"]')
    # then the overdue action says so in words, as theirs
    await expect(card).to_contain_text("Overdue: was due")
    await expect(card).to_contain_text(f"Owner: {team.colleague.display_name}, {team.school.name} (you)")
    # and the lead's mental-health action shows whose information it is, its owner and due date, not its words
    withheld = page.locator(f'[data-action="{private["id"]}"]')
    await expect(withheld.locator(".govuk-inset-text")).to_have_text(
        f"Withheld: mental health information of {team.early_help.name}"
    )
    await expect(withheld).to_contain_text(f"Owner: {team.lead.display_name}, {team.early_help.name}")
    await expect(withheld).not_to_contain_text("low mood")
    # and the lead's controls are not there
    for text in ("Add a goal", "Add an action"):
        await expect(page.get_by_text(text)).to_have_count(0)
    await check_page(page, "family-plan-as-worker")
    await open_part(page, "Meetings")
    await expect(page.get_by_text("Arrange a meeting")).to_have_count(0)
    await open_part(page, "Referrals and closure")
    for text in ("Close the family's record", "Step up to statutory"):
        await expect(page.get_by_text(text)).to_have_count(0)
    await open_part(page, "Plan")

    # when they update their action
    await card.get_by_text("Update this action").click()
    await card.get_by_label("Where this action stands").select_option(label="Done")
    await card.get_by_role("button", name="Save").click()
    # then it is done and no longer overdue
    await expect(page.locator(BANNER)).to_contain_text("Action updated: Done.")
    card = page.locator(f'[data-action="{action["id"]}"]')
    await expect(card).to_contain_text("Done")
    await expect(card).not_to_contain_text("Overdue")

    # when they open the meeting view: it is read-only for them
    await page.goto(f"/#/families/{team.family.id}/meetings/{meeting['id']}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Review meeting")
    await expect(page.get_by_text("The lead professional records this meeting.")).to_be_visible()
    for name in ("Save attendance", "Record the decision", "Add the item", "Publish the minutes"):
        await expect(page.get_by_role("button", name=name)).to_have_count(0)
    await check_page(page, "meeting-view-as-worker")

    # and the API refuses the lead's changes from them anyway
    worker = await api_sign_in(gql, team.colleague)
    close = {
        "input": {
            "familyId": str(team.family.id),
            "expectedVersion": family["version"],
            "outcome": "goals_achieved",
            "careOutcome": "remained_at_home",
            "reason": "Done",
            "supportContinuing": "School",
            "contactIfDifficulties": "School office",
            "effectiveOn": date.today().isoformat(),
            "openActions": "keep",
        }
    }
    assert code(await gql.error("FamilyClose", close, worker)) == "FORBIDDEN"
    attendance = {"input": {"meetingId": meeting["id"], "expectedVersion": meeting["version"], "attendance": []}}
    assert code(await gql.error("MeetingAttendanceRecord", attendance, worker)) == "FORBIDDEN"
    decision = {"input": {"meetingId": meeting["id"], "text": "Not mine to record"}}
    assert code(await gql.error("MeetingDecisionAdd", decision, worker)) == "FORBIDDEN"

    # and someone not on the team cannot reach the meeting at all
    await sign_in(team.health_visitor)
    await page.goto(f"/#/families/{team.family.id}/meetings/{meeting['id']}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meeting not found")
    assert team.family.display_name not in await page.locator("main").inner_text()
    await check_page(page, "meeting-not-found")


async def test_the_lead_closes_a_case_with_its_outcome_and_sustainability_plan(
    page: Page, sign_in: SignIn, team: Team, gql: GraphQLClient, sessions: SessionFactory
):
    # given a family with an open action
    await add_goal_and_action(gql, sessions, team, owner=team.colleague)
    await sign_in(team.lead)
    await open_family(page, team)
    # then closing is not one of the statuses to pick
    options = await page.locator("#status-value option").all_text_contents()
    assert "Closed" not in options and "Active" in options
    # when the lead closes the record, first without the required parts
    await open_part(page, "Referrals and closure")
    await open_question(page, "Close the family's record")
    form = page.locator("#close-form")
    await page.get_by_role("button", name="Close the record").click()
    await expect(form.locator(".govuk-error-summary")).to_contain_text("Enter what support continues")
    await expect(form.locator(".govuk-error-summary")).to_contain_text("Choose where the young person lives now")
    await form.get_by_label("Outcome").select_option(label="The family's goals were achieved")
    await form.get_by_label("Remained at home").check()
    await form.get_by_label("Why the record is closing").fill("Attendance above 95% for a term")
    await form.get_by_label("What support continues").fill("School pastoral team, weekly check-in")
    await form.get_by_label("Who the family can contact if things get difficult again").fill("Early help hub")
    await page.get_by_role("button", name="Close the record").click()
    # then the open action is explained in words
    await expect(form.locator(".govuk-error-summary")).to_contain_text(
        "Some actions on the plan are still open. Choose whether to cancel them or keep them"
    )
    await check_page(page, "family-close-error")
    await form.get_by_label("Keep them with their owners").check()
    await page.get_by_role("button", name="Close the record").click()
    # then the record is closed, the history says so, and re-opening is offered instead
    await expect(page.locator(BANNER)).to_contain_text("The family's record is closed.")
    await expect(page.locator("#transitions-table")).to_contain_text("Attendance above 95% for a term")
    await expect(page.locator("#transitions-table")).to_contain_text("Remained at home")
    # and the checks at 3, 6 and 12 months are arranged
    await expect(page.locator("#follow-ups-table tbody tr")).to_have_count(3)
    await expect(page.locator("#follow-ups-table tbody tr").first).to_contain_text("3 months")
    await expect(page.get_by_text("Re-open the family's record")).to_be_visible()
    await check_page(page, "family-closed")
    await open_part(page, "Overview")
    await expect(page.locator("#family-status")).to_have_text("Closed")
    await expect(page.get_by_role("heading", name="Change status or level of need")).to_have_count(0)
    token = await api_sign_in(gql, team.lead)
    assert (await gql.data("Family", {"id": str(team.family.id)}, token))["family"]["status"] == "closed"


async def test_the_caseload_filters_by_overdue_actions_and_open_escalations(
    page: Page, sign_in: SignIn, sessions: SessionFactory, gql: GraphQLClient
):
    # given a lead with a family with an overdue action, one with an open escalation and a quiet one
    agency = await create_agency(sessions)
    lead = await create_user(sessions, agency=agency, name=unique("Chris Bell"))
    overdue, escalated, quiet = [await create_family(sessions, lead=lead) for _ in range(3)]
    token = await api_sign_in(gql, lead)
    action = (
        await gql.data(
            "PlanActionAdd",
            {
                "input": {
                    "familyId": str(overdue.id),
                    "description": "Visit",
                    "ownerUserId": str(lead.id),
                    "dueDate": (date.today() + timedelta(days=1)).isoformat(),
                }
            },
            token,
        )
    )["planActionAdd"]
    async with unit_of_work(sessions) as session:
        row = await session.get(PlanAction, uuid.UUID(action["id"]))
        row.due_date = date.today() - timedelta(days=1)
    raise_input = {"familyId": str(escalated.id), "level": "concern", "category": "housing", "reason": "Eviction"}
    await gql.data("EscalationRaise", {"input": raise_input}, token)
    # when they open their caseload
    await sign_in(lead)
    rows = page.locator("#caseload-table tbody tr")
    await expect(rows).to_have_count(3)
    # then each family says what needs attention, in words
    await expect(rows.filter(has_text=overdue.reference)).to_contain_text("1 overdue action")
    await expect(rows.filter(has_text=escalated.reference)).to_contain_text("1 open escalation")
    await expect(rows.filter(has_text=quiet.reference)).to_contain_text("None")
    # when they filter by overdue actions
    await page.get_by_label("Has overdue actions").check()
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page.locator("#caseload-count")).to_have_text("1 family with overdue actions")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text(overdue.reference)
    assert "overdue=1" in page.url
    await check_page(page, "caseload-overdue")
    # and by open escalations instead
    await page.get_by_label("Has overdue actions").uncheck()
    await page.get_by_label("Has open escalations").check()
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page.locator("#caseload-count")).to_have_text("1 family with open escalations")
    await expect(rows.first).to_contain_text(escalated.reference)
    await page.reload()
    await expect(page.get_by_label("Has open escalations")).to_be_checked()
    await page.get_by_role("link", name="Clear filters").click()
    await expect(rows).to_have_count(3)


async def test_the_lead_records_an_assessment_and_arranges_a_meeting(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    await open_family(page, team)
    # when the lead records an entry assessment
    await open_part(page, "Assessments")
    await open_question(page, "Record an assessment")
    form = page.locator("#assessment-form")
    await form.get_by_label("Which assessment").select_option(label="Entry assessment")
    today = date.today()
    await form.get_by_label("Day").fill(str(today.day))
    await form.get_by_label("Month").fill(str(today.month))
    await form.get_by_label("Year").fill(str(today.year))
    await form.get_by_label("Strengths").fill("Mum is determined; Jayden loves football")
    await form.get_by_label("Family violence").select_option(label="Medium")
    await page.get_by_role("button", name="Record the assessment").click()
    # then it is listed with its rating
    await expect(page.locator(BANNER)).to_contain_text("Assessment recorded.")
    card = page.locator("#assessments-list .govuk-summary-card").first
    await expect(card).to_contain_text(f"Entry assessment, {today.day}")
    await expect(card).to_contain_text("Mum is determined; Jayden loves football")
    await expect(card.locator("table")).to_contain_text("Family violence")
    await check_page(page, "family-assessment")

    # when the lead arranges a review meeting, first at a time that is not a time
    await open_part(page, "Meetings")
    await open_question(page, "Arrange a meeting")
    form = page.locator("#meeting-schedule-form")
    when = today + timedelta(days=10)
    await form.get_by_label("Day").fill(str(when.day))
    await form.get_by_label("Month").fill(str(when.month))
    await form.get_by_label("Year").fill(str(when.year))
    await form.get_by_label("Time").fill("25:00")
    await form.get_by_label("Where (or give a call link)").fill("Riverside Academy, room 4")
    await form.get_by_label("Agenda").fill("Attendance\nHousing")
    await form.get_by_label(team.colleague.display_name).check()
    await page.get_by_role("button", name="Arrange the meeting").click()
    await expect(form.locator(".govuk-error-summary")).to_contain_text("Enter the time in 24-hour time")
    await check_page(page, "meeting-arrange-error")
    await form.get_by_label("Time").fill("10:30")
    await page.get_by_role("button", name="Arrange the meeting").click()
    # then it is listed as scheduled, and its view says it has not started
    await expect(page.locator(BANNER)).to_contain_text("Meeting arranged.")
    row = page.locator("#meetings-table tbody tr").first
    await expect(row).to_contain_text("Scheduled")
    await row.get_by_role("link").click()
    await expect(page.get_by_text("This meeting has not started yet.")).to_be_visible()
    await expect(page.get_by_role("button", name="Save attendance")).to_have_count(0)
    await expect(page.locator("#attendance-table")).to_contain_text(team.colleague.display_name)


async def test_the_lead_steps_a_family_up_and_back_down(page: Page, sign_in: SignIn, team: Team):
    await sign_in(team.lead)
    await open_family(page, team)
    # when the lead steps the family up to statutory services
    await open_part(page, "Referrals and closure")
    await open_question(page, "Step up to statutory services")
    form = page.locator("#step-up-form")
    await form.get_by_label("Why the family needs statutory services").fill("Disclosure of harm at home")
    await form.get_by_label("The team taking the case").fill("Children's Social Care, Assessment Team 2")
    await page.get_by_role("button", name="Step up").click()
    # then the family is stepped up, at the statutory level
    await expect(page.locator(BANNER)).to_contain_text("The family was stepped up to statutory services.")
    await open_part(page, "Overview")
    await expect(page.locator("#family-status")).to_have_text("Stepped up")
    await expect(page.locator("#family-level")).to_have_text("Statutory")
    await open_part(page, "Referrals and closure")
    # when they step it down again, first without choosing a level
    await open_question(page, "Step down")
    form = page.locator("#step-down-form")
    await form.get_by_label("Why the family can step down").fill("Assessment found early help is enough")
    await form.get_by_label("Who will support the family now").fill("Riverside Academy pastoral team")
    await page.get_by_role("button", name="Step down").click()
    await expect(form.locator(".govuk-error-summary")).to_contain_text("Choose the new level of need")
    await check_page(page, "family-step-down-error")
    await form.get_by_label("New level of need").select_option(label="Targeted")
    await page.get_by_role("button", name="Step down").click()
    # then it is stepped down, and the history keeps both changes in order
    await expect(page.locator(BANNER)).to_contain_text("The family was stepped down.")
    await expect(page.locator("#transitions-table tbody tr")).to_have_text(
        [re.compile("Stepped up.*Assessment Team 2"), re.compile("Stepped down.*pastoral team")]
    )
    await check_page(page, "family-stepped-down")
    await open_part(page, "Overview")
    await expect(page.locator("#family-status")).to_have_text("Stepped down")
    await expect(page.locator("#family-level")).to_have_text("Targeted")
