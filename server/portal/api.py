from __future__ import annotations

from datetime import date, datetime
from functools import partial

import strawberry

from server.api.mutation import mutate
from server.api.scalars import Info, parse_id
from server.api.types import InformationCategoryType
from server.auth import links
from server.auth.api import LoginPayload
from server.auth.service import LoginLimits
from server.db.engine import unit_of_work
from server.family.models import FamilyMember
from server.plan.api import OutcomeDomainType
from server.portal import service as portal_service
from server.portal import summary as portal_summary
from server.portal.models import PortalInvitation
from server.portal.service import Refusal
from server.user.api import MeType

InvitationStatusType = strawberry.enum(
    portal_service.InvitationStatus, name="PortalInvitationStatus", description="Where an invitation stands."
)


@strawberry.type(name="PortalInvitation", description="A one-time link for a family member to set up the portal.")
class PortalInvitationType:
    id: strawberry.ID
    family_id: strawberry.ID
    family_member_id: strawberry.ID
    member_name: str
    email: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None
    status: InvitationStatusType  # type: ignore[valid-type]

    @classmethod
    def from_row(cls, row: PortalInvitation, member: FamilyMember) -> PortalInvitationType:
        return cls(
            id=strawberry.ID(str(row.id)),
            family_id=strawberry.ID(str(row.family_id)),
            family_member_id=strawberry.ID(str(row.family_member_id)),
            member_name=member.full_name,
            email=row.email,
            created_at=row.created_at,
            expires_at=row.expires_at,
            accepted_at=row.accepted_at,
            revoked_at=row.revoked_at,
            status=portal_service.status_of(row),
        )


@strawberry.type(description="The invitation and its link. The link is shown once: only its hash is kept.")
class PortalInvitationIssuePayload:
    invitation: PortalInvitationType
    link: str = strawberry.field(description="Give this to the family member. It works once, until it expires.")


@strawberry.input
class PortalInvitationIssueInput:
    family_id: strawberry.ID
    family_member_id: strawberry.ID
    email: str = strawberry.field(description="The family member's email address: they will sign in with it.")


@strawberry.input
class PortalInvitationAcceptInput:
    token: str = strawberry.field(description="The token from the invitation link.")
    password: str = strawberry.field(description="At least 12 characters.")


@strawberry.type(name="PortalGoal", description="A goal agreed with the family, in the family's own words.")
class PortalGoalType:
    in_family_words: str
    outcome_domain: OutcomeDomainType  # type: ignore[valid-type]
    status: str
    target_date: date | None


@strawberry.type(
    name="PortalContingency", description="What will be done if something happens, as agreed with the family."
)
class PortalContingencyType:
    trigger: str = strawberry.field(description="If this happens...")
    response: str = strawberry.field(description="...this is what will be done...")
    who_acts: str = strawberry.field(description="...and this is who does it.")


@strawberry.type(name="PortalAction", description="Something someone in the team has agreed to do.")
class PortalActionType:
    description: str
    agency_name: str
    due_date: date
    status: str


@strawberry.type(name="PortalMeeting", description="When and where the next meeting is.")
class PortalMeetingType:
    at: datetime
    kind: str
    location: str
    online: bool


@strawberry.type(name="PortalScore", description="One outcome score from 1 (very hard) to 10 (going well).")
class PortalScoreType:
    domain: OutcomeDomainType  # type: ignore[valid-type]
    score: int


@strawberry.type(name="PortalReview", description="The scores agreed at one review.")
class PortalReviewType:
    reviewed_on: date
    scores: list[PortalScoreType]


@strawberry.type(
    name="PortalTeamMember",
    description="Someone on the family's team, in words for the family (never the agency's own role text).",
)
class PortalTeamMemberType:
    name: str
    agency_name: str
    lead: bool = strawberry.field(description="They are the family's lead professional.")
    what_they_do: str = strawberry.field(
        description="Their part as described for the family by the lead professional, or else what their role"
        " on the plan means."
    )
    contact_in_hours: str
    contact_out_of_hours: str


@strawberry.type(
    name="PortalAccessDay",
    description="One organisation's looks at the family's information on one day (UTC), decided read by read"
    " as in the access log.",
)
class PortalAccessDayType:
    on: date
    agency_name: str
    times: int = strawberry.field(description="How many times someone from the organisation opened it that day.")
    categories: list[InformationCategoryType]  # type: ignore[valid-type]


@strawberry.type(name="PortalSummary", description="A family's own read-only portal page.")
class PortalSummaryType:
    family_id: strawberry.ID
    family_name: str
    goals: list[PortalGoalType]
    contingencies: list[PortalContingencyType] = strawberry.field(
        description="The contingencies in place that the family agreed, oldest first."
    )
    team: list[PortalTeamMemberType] = strawberry.field(description="The lead professional first.")
    next_meeting: PortalMeetingType | None
    actions_due: list[PortalActionType]
    reviews: list[PortalReviewType] = strawberry.field(description="Oldest first, at most 12.")
    access_days: list[PortalAccessDayType] = strawberry.field(
        description="Who has looked at the family's information: one entry per organisation and day, newest first."
    )

    @classmethod
    def from_summary(cls, data: portal_summary.Summary) -> PortalSummaryType:
        meeting = data.next_meeting
        return cls(
            family_id=strawberry.ID(str(data.family.id)),
            family_name=data.family.display_name,
            goals=[
                PortalGoalType(
                    in_family_words=goal.in_family_words,
                    outcome_domain=goal.outcome_domain,
                    status=goal.status.value,
                    target_date=goal.target_date,
                )
                for goal in data.goals
            ],
            contingencies=[
                PortalContingencyType(trigger=item.trigger, response=item.response, who_acts=item.who_acts)
                for item in data.contingencies
            ],
            team=[
                PortalTeamMemberType(
                    name=member.name,
                    agency_name=member.agency_name,
                    lead=member.lead,
                    what_they_do=member.what_they_do,
                    contact_in_hours=member.contact_in_hours,
                    contact_out_of_hours=member.contact_out_of_hours,
                )
                for member in data.team
            ],
            next_meeting=PortalMeetingType(
                at=meeting.at, kind=meeting.kind, location=meeting.location, online=meeting.online
            )
            if meeting
            else None,
            actions_due=[
                PortalActionType(
                    description=action.description,
                    agency_name=action.agency_name,
                    due_date=action.due_date,
                    status=action.status,
                )
                for action in data.actions_due
            ],
            reviews=[
                PortalReviewType(
                    reviewed_on=review.reviewed_on,
                    scores=[PortalScoreType(domain=domain, score=score) for domain, score in review.scores],
                )
                for review in data.reviews
            ],
            access_days=[
                PortalAccessDayType(on=day.on, agency_name=day.agency_name, times=day.times, categories=day.categories)
                for day in data.access_days
            ],
        )


@strawberry.type
class PortalQuery:
    @strawberry.field(
        description="The family portal page. Family members only, for their own family (the default);"
        " NOT_FOUND for any other family."
    )
    async def portal_summary(self, info: Info, family_id: strawberry.ID | None = None) -> PortalSummaryType:
        access = info.context.access
        async with info.context.read() as session:
            target = (
                parse_id(family_id, "familyId") if family_id else await portal_summary.own_family_id(session, access)
            )
            data = await portal_summary.summary(session, access, target)
        return PortalSummaryType.from_summary(data)

    @strawberry.field(description="The lead professional: the family's portal invitations, newest first.")
    async def portal_invitations(self, info: Info, family_id: strawberry.ID) -> list[PortalInvitationType]:
        async with info.context.read() as session:
            rows = await portal_service.list_for_family(session, info.context.access, parse_id(family_id, "familyId"))
        return [PortalInvitationType.from_row(row, member) for row, member in rows]


@strawberry.type
class PortalMutation:
    @strawberry.mutation(
        description="The lead professional invites a family member to the portal. Returns a one-time link;"
        " an earlier pending invitation for the same person is cancelled."
    )
    async def portal_invitation_issue(
        self, info: Info, input: PortalInvitationIssueInput
    ) -> PortalInvitationIssuePayload:
        family_id = parse_id(input.family_id, "familyId")
        member_id = parse_id(input.family_member_id, "familyMemberId")
        issued = await mutate(
            info,
            partial(
                portal_service.issue,
                family_id=family_id,
                family_member_id=member_id,
                email=input.email,
                ttl=info.context.settings.portal_invitation_ttl,
            ),
            family_id=family_id,
            audit=lambda issued: {"invitationId": str(issued.invitation.id), "familyMemberId": str(member_id)},
        )
        return PortalInvitationIssuePayload(
            invitation=PortalInvitationType.from_row(issued.invitation, issued.member),
            link=links.url(info.context.settings.public_origin, "/portal/invite", issued.token),
        )

    @strawberry.mutation(description="The lead professional cancels a pending invitation; its link stops working.")
    async def portal_invitation_revoke(self, info: Info, invitation_id: strawberry.ID) -> PortalInvitationType:
        row, member = await mutate(
            info,
            partial(portal_service.revoke, invitation_id=parse_id(invitation_id, "invitationId")),
            audit=lambda pair: {"invitationId": str(pair[0].id)},
        )
        return PortalInvitationType.from_row(row, member)

    @strawberry.mutation(
        description="A family member opens their invitation link and sets a password: they are signed in."
        " NOT_FOUND for an unknown link; CONFLICT (in words) for a used, expired or cancelled one;"
        " RATE_LIMITED after repeated failures, like sign-in."
    )
    async def portal_invitation_accept(self, info: Info, input: PortalInvitationAcceptInput) -> LoginPayload:
        settings = info.context.settings
        limits = LoginLimits.of(settings)
        async with unit_of_work(info.context.sessions) as session:
            result = await portal_service.accept(
                session,
                token=input.token,
                password=input.password,
                address=info.context.address,
                limits=limits,
                token_ttl=settings.token_ttl,
            )
        if isinstance(result, Refusal):
            raise result.error
        login = result.login
        return LoginPayload(token=login.token, expires_at=login.expires_at, me=MeType.from_actor(login.actor))
