"""Lean writes (issue 15): the statements a mutation costs, the notification fan-out at commit included, do
not grow with the family's team, and stay within the issue's goals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from server.agency.models import AgencyKind
from server.user.models import User
from tests.api.test_query_counts import counting
from tests.auth_helpers import sign_in
from tests.builders import create_agency, create_family, create_user
from tests.builders_meet import create_held_meeting

GOALS = {
    "ContributionAdd": 6,
    "TeamMemberAdd": 8,
    "MinutesItemAdd": 8,
    "MeetingDecisionAdd": 8,
    "MinutesPublish": 8,
}


@dataclass
class Counted:
    statements: dict[str, list[str]]

    def counts(self) -> dict[str, int]:
        return {name: len(sqls) for name, sqls in self.statements.items()}


async def write_statements(gql, app, sessions, team_size: int) -> Counted:
    """Each mutation's statements on a family whose team has `team_size` members from three agencies."""
    agencies = [await create_agency(sessions, kind=kind) for kind in (AgencyKind.early_help, AgencyKind.education)]
    agencies.append(await create_agency(sessions, kind=AgencyKind.health))
    lead = await create_user(sessions, agency=agencies[0])
    team: list[User] = [await create_user(sessions, agency=agencies[i % 3]) for i in range(team_size - 1)]
    family = await create_family(sessions, lead=lead, contributors=tuple(team))
    newcomer = await create_user(sessions, agency=agencies[1])
    meeting = await create_held_meeting(sessions, family=family, chair=lead)
    token = await sign_in(gql, lead)
    await gql.data("Me", token=token)  # the sign-in's session is warm, as on any later request
    family_id, meeting_id = str(family.id), str(meeting.id)
    requests = [
        (
            "ContributionAdd",
            {
                "familyId": family_id,
                "kind": "update",
                "category": "education",
                "title": "Attendance checked",
                "body": "Up this half term.",
                "idempotencyKey": f"count-{uuid.uuid4()}",
            },
        ),
        ("TeamMemberAdd", {"familyId": family_id, "userId": str(newcomer.id), "contact": {"agencyRole": "Nurse"}}),
        ("MinutesItemAdd", {"meetingId": meeting_id, "expectedVersion": 1, "heading": "Review", "text": "Reviewed."}),
        ("MeetingDecisionAdd", {"meetingId": meeting_id, "text": "Keep the plan"}),
        ("MinutesPublish", {"meetingId": meeting_id, "expectedVersion": 2}),
    ]
    statements = {}
    for name, variables in requests:
        with counting(app.state.taf.engine) as seen:
            await gql.data(name, {"input": variables}, token=token)
        statements[name] = list(seen)
    return Counted(statements)


async def test_each_write_costs_the_same_statements_for_a_team_of_3_and_of_40(gql, app, sessions):
    # given families whose teams have 3 and 40 members
    small = await write_statements(gql, app, sessions, 3)
    large = await write_statements(gql, app, sessions, 40)
    for name, sqls in large.statements.items():
        print(f"\n=== {name}: {len(sqls)}")
        for sql in sqls:
            print("  ", " ".join(sql.split())[:300])
    # then
    assert small.counts() == large.counts()
    assert {name: max(count, GOALS[name]) for name, count in large.counts().items()} == GOALS, large.counts()
