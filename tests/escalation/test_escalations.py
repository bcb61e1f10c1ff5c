"""Risk escalations through GraphQL: raise, acknowledge, resolve; deadlines per level; and a decision
table for who sees an escalation and who may read its reason and its outcome note (the note follows the
reason; the outcome itself is seen by all who see the escalation), through both the list (SQL form of
the policy) and the lookup by id (the enforcer)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from server.user.models import SystemRole
from tests.auth_helpers import sign_in
from tests.builders import (
    create_area,
    create_consent,
    create_family_user,
    create_override,
    create_user,
)
from tests.graphql_client import code


def raise_input(family_id, **overrides) -> dict:
    return {
        "input": {
            "familyId": str(family_id),
            "level": "urgent",
            "category": "education",
            "reason": "Jayden disclosed being hit at home this morning",
            **overrides,
        }
    }


async def test_raise_acknowledge_and_resolve(gql, sessions):
    # given a family that shares education with the team, and a school worker who raises an urgent escalation
    area = await create_area(sessions)
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    school, lead = await sign_in(gql, area.colleague), await sign_in(gql, area.lead)
    raised = (await gql.data("EscalationRaise", raise_input(area.family.id), token=school))["escalationRaise"]
    # then its acknowledgement deadline is four hours (the default for urgent) after it was raised
    delay = datetime.fromisoformat(raised["ackDueAt"]) - datetime.fromisoformat(raised["raisedAt"])
    assert delay == timedelta(hours=4) and raised["status"] == "raised" and raised["ackOverdue"] is False
    # and only the lead acknowledges and resolves it
    ack = {"input": {"escalationId": raised["id"]}}
    assert code(await gql.error("EscalationAcknowledge", ack, token=school)) == "FORBIDDEN"
    acknowledged = (await gql.data("EscalationAcknowledge", ack, token=lead))["escalationAcknowledge"]
    assert acknowledged["status"] == "acknowledged" and acknowledged["acknowledgedAt"]
    assert code(await gql.error("EscalationAcknowledge", ack, token=lead)) == "CONFLICT"
    resolve = {"input": {"escalationId": raised["id"], "outcome": "referral_childrens_social_care", "note": "MASH"}}
    resolved = (await gql.data("EscalationResolve", resolve, token=lead))["escalationResolve"]
    assert (resolved["status"], resolved["outcome"], resolved["outcomeNote"]) == (
        "resolved",
        "referral_childrens_social_care",
        "MASH",
    )
    assert code(await gql.error("EscalationResolve", resolve, token=lead)) == "CONFLICT"


@pytest.mark.parametrize(("level", "minutes"), [("concern", 2880), ("immediate_danger", 15)])
async def test_each_level_has_its_own_deadline(gql, sessions, level, minutes):
    area = await create_area(sessions)
    raised = (
        await gql.data("EscalationRaise", raise_input(area.family.id, level=level), token=await sign_in(gql, area.lead))
    )["escalationRaise"]
    delay = datetime.fromisoformat(raised["ackDueAt"]) - datetime.fromisoformat(raised["raisedAt"])
    assert delay == timedelta(minutes=minutes)


async def test_only_team_members_raise_and_a_reason_is_required(gql, sessions):
    area = await create_area(sessions)
    assert code(
        await gql.error("EscalationRaise", raise_input(area.family.id), token=await sign_in(gql, area.outsider))
    ) == ("NOT_FOUND")
    assert code(
        await gql.error("EscalationRaise", raise_input(area.family.id), token=await sign_in(gql, area.manager))
    ) == ("FORBIDDEN")
    error = await gql.error(
        "EscalationRaise", raise_input(area.family.id, reason=" "), token=await sign_in(gql, area.lead)
    )
    assert (code(error), error["extensions"]["field"]) == ("BAD_USER_INPUT", "reason")


# sharing state of the reason's category (education, the school's information) -> actor -> (sees it, reads reason)
TABLE = {
    "none": {
        "colleague": ("yes", True),  # the raising agency's worker
        "school_manager": ("yes", True),  # a manager of the raising agency
        "lead": ("yes", False),
        "manager": ("yes", False),  # manager of the lead's agency: sees it exists, not why
        "outsider": ("NOT_FOUND", None),  # the school, but not on the team
        "other_manager": ("NOT_FOUND", None),
        "ig": ("NOT_FOUND", None),
        "admin": ("NOT_FOUND", None),
        "family_member": ("NOT_FOUND", None),
    },
    "consent_whole_team": {"lead": ("yes", True), "manager": ("yes", False), "colleague": ("yes", True)},
    "refused": {"lead": ("yes", False), "colleague": ("yes", True)},
    "override_to_lead": {"lead": ("yes", True), "manager": ("yes", False)},
    "override_other_category": {"lead": ("yes", False)},
}
CASES = [(sharing, actor, *expected) for sharing, row in TABLE.items() for actor, expected in row.items()]


async def apply(sessions, area, sharing: str) -> None:
    if sharing == "consent_whole_team":
        await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    elif sharing == "refused":
        await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
        await create_consent(
            sessions, family=area.family, recorded_by=area.lead, categories=["education"], decision="refused"
        )
    elif sharing.startswith("override"):
        category = "education" if sharing == "override_to_lead" else "health"
        await create_override(
            sessions, family=area.family, decided_by=area.colleague, categories=[category], recipients=[area.early_help]
        )


@pytest.mark.parametrize(("sharing", "actor", "sees", "reads"), CASES, ids=[f"{c[0]}/{c[1]}" for c in CASES])
async def test_who_sees_an_escalation_and_its_reason(gql, sessions, sharing, actor, sees, reads):
    # given an escalation raised by the school, relying on education information, under a sharing state
    area = await create_area(sessions)
    await apply(sessions, area, sharing)
    raised = (await gql.data("EscalationRaise", raise_input(area.family.id), token=await sign_in(gql, area.colleague)))[
        "escalationRaise"
    ]
    # and resolved by the lead professional with an outcome and a note
    resolve = {"input": {"escalationId": raised["id"], "outcome": "referral_police", "note": "Strategy meeting held"}}
    assert "errors" not in await gql.op("EscalationResolve", resolve, token=await sign_in(gql, area.lead))
    if actor == "school_manager":
        user = await create_user(sessions, agency=area.school, role=SystemRole.manager)
    elif actor == "family_member":
        user = await create_family_user(sessions, family=area.family)
    else:
        user = getattr(area, actor)
    token = await sign_in(gql, user)
    # when they look it up by id and list the family's escalations
    single = await gql.op("Escalation", {"id": raised["id"]}, token=token)
    listed = await gql.op("FamilyEscalations", {"familyId": str(area.family.id)}, token=token)
    # then both answers agree with the table
    if sees != "yes":
        assert code(single["errors"][0]) == sees
        assert listed["data"] is None
        return
    [entry] = listed["data"]["familyEscalations"]
    for view in (single["data"]["escalation"], entry):
        assert view["id"] == raised["id"] and view["level"] == "urgent"
        assert view["reasonVisible"] is reads
        assert view["reason"] == (raised["reason"] if reads else None)
        # the outcome is the team's; its note is hidden exactly when the reason is
        assert (view["status"], view["outcome"]) == ("resolved", "referral_police")
        assert view["outcomeNote"] == ("Strategy meeting held" if reads else None)
