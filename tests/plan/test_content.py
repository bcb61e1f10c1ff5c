"""The words of plan goals and actions are case content: who reads them, under each sharing state, through
the plan (SQL form of the policy), the history (each version decided on its own facts) and the meeting's
actions (per facts); the structure (owner, due date, status, goal) stays with whoever may read the plan."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from server.db.engine import unit_of_work
from server.meeting.models import Meeting
from server.plan.service import ACTION_NOT_FOUND, GOAL_NOT_FOUND
from tests.builders import create_area, create_consent, issue_token
from tests.builders_plan import PlanTeam, add_action, add_goal, create_plan_team
from tests.graphql_client import code

ENTRIES = ("goal_agreed_mh", "goal_draft", "action_school_agreed_mh", "action_health_loose", "action_lead_draft")
# sharing state -> reader -> the entries whose words they read (the lead professional reads every one)
EVERYTHING = set(ENTRIES)
TABLE = {
    "none": {
        "lead": EVERYTHING,
        # another agency's worker: goals agreed with the family and the actions serving them, and their own
        "colleague": {"goal_agreed_mh", "action_school_agreed_mh"},
        "health_visitor": {"goal_agreed_mh", "action_school_agreed_mh", "action_health_loose"},
        # managers: their own agency's words only
        "manager": {"goal_agreed_mh", "goal_draft", "action_lead_draft"},
        "school_manager": {"action_school_agreed_mh"},
    },
    # a refusal of mental health for the school withholds the agreed goal from the school, not its own action
    "refused_mh_to_school": {
        "lead": EVERYTHING,
        "colleague": {"action_school_agreed_mh"},
        "health_visitor": {"goal_agreed_mh", "action_school_agreed_mh", "action_health_loose"},
        "manager": {"goal_agreed_mh", "goal_draft", "action_lead_draft"},
    },
    # a refusal for the whole team withholds the agreed plan's mental-health words from every other agency
    "refused_mh_whole_team": {
        "lead": EVERYTHING,
        "colleague": {"action_school_agreed_mh"},
        "health_visitor": {"action_health_loose"},
    },
    # consent to share "other" with the whole team shares the draft goal and the lead's action on it
    "consent_other": {
        "lead": EVERYTHING,
        "colleague": {"goal_agreed_mh", "goal_draft", "action_school_agreed_mh", "action_lead_draft"},
        "health_visitor": EVERYTHING,
        "manager": {"goal_agreed_mh", "goal_draft", "action_lead_draft"},
        "school_manager": {"action_school_agreed_mh"},
    },
}


async def build_plan(gql, team: PlanTeam) -> dict[str, str]:
    """The entries of ENTRIES on the team's family plan; returns entry -> id."""
    area = team.area
    agreed = await add_goal(gql, team, "GOAL AGREED MH words", category="mental_health", agreed=True)
    draft = await add_goal(gql, team, "GOAL DRAFT words")
    school = await add_action(
        gql, team, "ACTION SCHOOL words", area.colleague, goal_id=agreed["id"], category="mental_health"
    )
    health = await add_action(gql, team, "ACTION HEALTH words", team.health_visitor, category="health")
    lead = await add_action(gql, team, "ACTION LEAD words", area.lead, goal_id=draft["id"])
    return dict(zip(ENTRIES, (agreed["id"], draft["id"], school["id"], health["id"], lead["id"]), strict=True))


async def apply(sessions, team: PlanTeam, state: str) -> None:
    family, lead = team.area.family, team.area.lead
    if state == "refused_mh_to_school":
        await create_consent(
            sessions,
            family=family,
            recorded_by=lead,
            categories=["mental_health"],
            agencies=[team.area.school],
            decision="refused",
        )
    elif state == "refused_mh_whole_team":
        await create_consent(
            sessions, family=family, recorded_by=lead, categories=["mental_health"], decision="refused"
        )
    elif state == "consent_other":
        await create_consent(sessions, family=family, recorded_by=lead, categories=["other"])


@pytest.mark.parametrize("state", TABLE)
async def test_who_reads_the_words_of_the_plan(gql, sessions, state):
    # given a family plan with goals and actions of three agencies in several categories, under a sharing state
    team = await create_plan_team(sessions)
    ids = await build_plan(gql, team)
    await apply(sessions, team, state)
    for reader, expected in TABLE[state].items():
        token = team.tokens[reader]
        # when the reader opens the plan and its history
        plan = (await gql.data("FamilyPlan", {"familyId": team.family_id}, token=token))["familyPlan"]
        history = (await gql.data("PlanHistory", {"familyId": team.family_id}, token=token))["planHistory"]
        entries = {entry["id"]: entry for entry in plan["goals"] + plan["actions"]}
        versions = {version["entityId"]: version for version in history}
        # then they read exactly the table's words, and every entry's structure
        assert len(entries) == len(ENTRIES), reader
        for name, entry_id in ids.items():
            entry, version = entries[entry_id], versions[entry_id]
            visible = name in expected
            text = entry.get("inFamilyWords", entry.get("description"))
            assert entry["contentVisible"] is visible, (state, reader, name)
            assert (text is not None) is visible and (text is None or "words" in text), (state, reader, name)
            assert entry["status"] == "open" and entry["category"] in {"mental_health", "other", "health"}
            if name.startswith("action"):
                assert entry["owner"]["id"] and entry["owningAgency"]["id"] and entry["dueDate"]
            # and the history decides the same for the only version of each entry (per facts, not SQL)
            words = version["snapshot"].get("in_family_words", version["snapshot"].get("description"))
            assert version["contentVisible"] is visible and (words is not None) is visible, (state, reader, name)


async def test_each_version_of_the_history_is_decided_on_its_own(gql, sessions):
    # given a family that shares "other" with the team and refuses mental health
    team = await create_plan_team(sessions)
    area, lead = team.area, team.tokens["lead"]
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["other"])
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["mental_health"], decision="refused"
    )
    # and a health action first written as "other", then moved to mental health with new words
    action = await add_action(gql, team, "Book the GP appointment", team.health_visitor)
    edit = {"actionId": action["id"], "expectedVersion": 1, "category": "mental_health"}
    edit["description"] = "Refer mother to the perinatal mental health team"
    await gql.data("PlanActionEdit", {"input": edit}, token=lead)
    # and a goal first drafted as health, then agreed with the family as "other"
    goal = await add_goal(gql, team, "Mum sees a doctor about her low mood", category="health")
    edit = {"goalId": goal["id"], "expectedVersion": 1, "category": "other", "agreedWithFamily": True}
    edit["inFamilyWords"] = "We feel better as a family"
    await gql.data("PlanGoalEdit", {"input": edit}, token=lead)
    # when the school's worker reads the history
    history = (await gql.data("PlanHistory", {"familyId": team.family_id}, token=team.tokens["colleague"]))[
        "planHistory"
    ]
    seen = {(v["entityId"], v["version"]): v for v in history}
    # then the action's first version shows its words and the second only its structure
    first, second = seen[(action["id"], 1)], seen[(action["id"], 2)]
    assert (first["category"], first["contentVisible"]) == ("other", True)
    assert first["snapshot"]["description"] == "Book the GP appointment"
    assert (second["category"], second["contentVisible"], second["snapshot"]["description"]) == (
        "mental_health",
        False,
        None,
    )
    assert second["snapshot"]["owner_user_id"] == str(team.health_visitor.id) and second["snapshot"]["due_date"]
    # and the goal's draft in health stays withheld while its agreed version is the team's
    draft, agreed = seen[(goal["id"], 1)], seen[(goal["id"], 2)]
    assert (draft["contentVisible"], draft["snapshot"]["in_family_words"]) == (False, None)
    assert (agreed["contentVisible"], agreed["snapshot"]["in_family_words"]) == (True, "We feel better as a family")
    # and the lead professional reads every version
    everything = (await gql.data("PlanHistory", {"familyId": team.family_id}, token=lead))["planHistory"]
    assert all(version["contentVisible"] for version in everything)
    assert "Mum sees a doctor about her low mood" in str(everything)


async def test_the_owning_agency_always_reads_and_updates_its_action(gql, sessions):
    # given a school action in mental health, which the family refused to share with anyone
    team = await create_plan_team(sessions)
    area = team.area
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["mental_health"], decision="refused"
    )
    action = await add_action(gql, team, "Nurture group twice a week", area.colleague, category="mental_health")
    # when the school's worker updates it
    edit = {"actionId": action["id"], "expectedVersion": 1, "status": "in_progress"}
    updated = (await gql.data("PlanActionEdit", {"input": edit}, token=team.tokens["colleague"]))["planActionEdit"]
    # then they read its words, and the health visitor sees only that it is in progress
    assert (updated["contentVisible"], updated["description"]) == (True, "Nurture group twice a week")
    plan = await gql.data("FamilyPlan", {"familyId": team.family_id}, token=team.tokens["health_visitor"])
    [seen] = plan["familyPlan"]["actions"]
    assert (seen["contentVisible"], seen["description"], seen["status"]) == (False, None, "in_progress")
    assert seen["owner"]["id"] == str(area.colleague.id)


async def test_actions_agreed_at_a_meeting_are_decided_like_the_plan(gql, sessions):
    # given a meeting that has taken place, at which a health action was agreed in the health category
    team = await create_plan_team(sessions)
    lead = team.tokens["lead"]
    at = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    meeting = {"familyId": team.family_id, "kind": "review", "scheduledAt": at, "location": "Hub"}
    scheduled = (await gql.data("MeetingSchedule", {"input": meeting}, token=lead))["meetingSchedule"]
    async with unit_of_work(sessions) as session:
        await session.exec(
            sa.update(Meeting)
            .where(Meeting.id == uuid.UUID(scheduled["id"]))
            .values(scheduled_at=datetime.now(UTC) - timedelta(hours=1))
        )
    action = {"meetingId": scheduled["id"], "description": "Developmental check at home", "category": "health"}
    action |= {"ownerUserId": str(team.health_visitor.id), "dueDate": (datetime.now(UTC) + timedelta(days=3)).date()}
    action["dueDate"] = action["dueDate"].isoformat()
    added = (await gql.data("MeetingActionAdd", {"input": action}, token=lead))["meetingActionAdd"]
    assert (added["category"], added["contentVisible"]) == ("health", True)
    # when the school's worker and the health visitor read the family's meetings
    for reader, visible in (("colleague", False), ("health_visitor", True)):
        meetings = await gql.data("FamilyMeetings", {"familyId": team.family_id}, token=team.tokens[reader])
        [agreed] = meetings["familyMeetings"][0]["actions"]
        # then only the health visitor reads it; both see who owns it and when it is due
        assert agreed["contentVisible"] is visible, reader
        assert agreed["description"] == ("Developmental check at home" if visible else None)
        assert agreed["owner"]["id"] == str(team.health_visitor.id) and agreed["dueDate"] == action["dueDate"]


async def test_forged_and_foreign_ids_answer_like_missing_ones(gql, sessions):
    # given a goal and an action on another family's plan
    team = await create_plan_team(sessions)
    other = await create_area(sessions)
    other_team = PlanTeam(other, team.health, team.health_visitor, team.school_manager, {"lead": ""})
    other_team.tokens["lead"] = await issue_token(sessions, other.lead)
    goal = await add_goal(gql, other_team, "Another family's goal")
    action = await add_action(gql, other_team, "Another family's action", other.lead)
    lead = team.tokens["lead"]
    # when this family's lead edits them, and ids that never existed
    answers = []
    for goal_id in (goal["id"], str(uuid.uuid4())):
        edit = {"goalId": goal_id, "expectedVersion": 1, "status": "achieved"}
        answers.append(await gql.error("PlanGoalEdit", {"input": edit}, token=lead))
    for action_id in (action["id"], str(uuid.uuid4())):
        edit = {"actionId": action_id, "expectedVersion": 1, "status": "done"}
        answers.append(await gql.error("PlanActionEdit", {"input": edit}, token=lead))
    # then each answers exactly as for a missing one
    assert [(code(a), a["message"]) for a in answers] == [
        ("NOT_FOUND", GOAL_NOT_FOUND),
        ("NOT_FOUND", GOAL_NOT_FOUND),
        ("NOT_FOUND", ACTION_NOT_FOUND),
        ("NOT_FOUND", ACTION_NOT_FOUND),
    ]
    # and another family's entry has no history on this family's plan, like an unknown one
    for entity_id in (goal["id"], str(uuid.uuid4())):
        history = await gql.data("PlanHistory", {"familyId": team.family_id, "entityId": entity_id}, token=lead)
        assert history["planHistory"] == []
