"""A refusal costs the same whether the id exists or not: every lookup by id runs the same SQL statements for
a record the caller may not see as for an id nobody has, so neither the time it takes nor the work behind it
tells a curious colleague that the record exists (test_limits.py times one of them end to end)."""

from __future__ import annotations

import uuid

import pytest

from tests.api.test_query_counts import counting
from tests.auth_helpers import sign_in
from tests.builders import create_area, create_contribution, create_family, create_family_member
from tests.builders_content import (
    create_assessment_content,
    create_escalation_content,
    create_meeting_content,
    create_panel_content,
    create_referral_content,
    create_review_content,
    create_service_received_content,
)
from tests.graphql_client import code


async def _meeting_content(sessions, *, family, owner, category):
    return await create_meeting_content(
        sessions, family=family, chair=owner, owner=owner, category=category, agreed=False
    )


# (builder of content in a family the caller is not on, the kind of content it names, the lookup by id)
LOOKUPS = [
    (create_escalation_content, "escalation_reason", "Escalation"),
    (create_referral_content, "referral_reason", "Referral"),
    (create_service_received_content, "service_received", "ServiceReceived"),
    (create_assessment_content, "assessment_narrative", "Assessment"),
    (create_review_content, "review_note", "Review"),
    (create_panel_content, "panel_rationale", "PanelDecision"),
    (_meeting_content, "minutes_item", "MinutesItem"),
    (_meeting_content, "meeting_decision", "MeetingDecision"),
    (_meeting_content, "meeting_addendum", "MeetingAddendum"),
]


async def _statements_of_refusal(gql, app, token: str, operation: str, item_id: uuid.UUID) -> list[str]:
    with counting(app.state.taf.engine) as statements:
        result = await gql.op(operation, {"id": str(item_id)}, token=token)
    assert code(result["errors"][0]) == "NOT_FOUND", result
    return statements


@pytest.mark.parametrize(("build", "kind", "operation"), LOOKUPS, ids=[operation for _, _, operation in LOOKUPS])
async def test_a_record_of_another_family_is_refused_with_the_work_of_a_missing_one(
    gql, app, sessions, build, kind, operation
):
    area = await create_area(sessions)
    elsewhere = await create_family(sessions, lead=area.outsider)
    built = await build(sessions, family=elsewhere, owner=area.outsider, category="health")
    token = await sign_in(gql, area.lead)
    withheld = await _statements_of_refusal(gql, app, token, operation, built[kind][0])
    missing = await _statements_of_refusal(gql, app, token, operation, uuid.uuid4())
    assert withheld == missing


async def test_an_item_withheld_in_the_callers_own_family_is_refused_with_the_work_of_a_missing_one(gql, app, sessions):
    area = await create_area(sessions)
    withheld = await create_contribution(sessions, family=area.family, author=area.colleague, category="police")
    token = await sign_in(gql, area.lead)
    refused = await _statements_of_refusal(gql, app, token, "Contribution", withheld.id)
    missing = await _statements_of_refusal(gql, app, token, "Contribution", uuid.uuid4())
    assert refused == missing


async def test_cancelling_another_familys_invitation_is_refused_as_a_missing_one_is(gql, app, sessions):
    area = await create_area(sessions)
    elsewhere = await create_area(sessions)
    member = await create_family_member(sessions, family=elsewhere.family)
    variables = {"familyId": str(elsewhere.family.id), "familyMemberId": str(member.id), "email": "p@family.example"}
    issued = await gql.data("PortalInvitationIssue", {"input": variables}, token=await sign_in(gql, elsewhere.lead))
    token = await sign_in(gql, area.lead)
    answers = []
    for invitation_id in (issued["portalInvitationIssue"]["invitation"]["id"], str(uuid.uuid4())):
        with counting(app.state.taf.engine) as statements:
            result = await gql.op("PortalInvitationRevoke", {"invitationId": invitation_id}, token=token)
        answers.append((result["errors"][0]["message"], code(result["errors"][0]), statements))
    assert answers[0] == answers[1]
    assert answers[0][1] == "NOT_FOUND"
