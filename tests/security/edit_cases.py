"""Valid requests for every mutation that does not create something (edits, withdrawals, transitions,
acknowledgements ...), each with whatever it needs built first: the hostile-input sweeps start from
these and change one kind of field at a time."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from server.agency.models import Agency, AgencyKind
from server.db.engine import unit_of_work
from server.retention.models import RetentionDecisionKind
from server.sso.models import IdentityLink
from tests.accounts.support import editing, new_account
from tests.auth_helpers import sign_in
from tests.builders import (
    PASSWORD,
    create_area,
    create_consent,
    create_contribution,
    create_family_member,
    create_user,
    unique,
)
from tests.builders_journey import close_through_the_api, open_since
from tests.builders_retain import create_closed_family, decide
from tests.caseimport.test_import import example_for
from tests.reliability.test_idempotency_everywhere import CREATES, Case, case_for, held_meeting, later, panel_sitting
from tests.sharing_agreement.test_agreements import agreement_input
from tests.sso_support import STANDING_AGENCY, STANDING_PROVIDER

TODAY = date.today().isoformat()


def fixed(variables: dict) -> Callable[[], Awaitable[dict]]:
    async def make() -> dict:
        return dict(variables)

    return make


def contact() -> dict:
    return {"agencyRole": "Mentor", "contactInHours": "01632 960000", "contactOutOfHours": "Duty desk"}


async def edit_case(operation: str, gql, sessions) -> Case:
    """A valid request for `operation` (variables are the whole variables, not only the input)."""
    area = await create_area(sessions)
    lead = await sign_in(gql, area.lead)
    family = str(area.family.id)
    fid = area.family.id
    member = (await gql.data("Family", {"id": family}, token=lead))["family"]["members"][0]["id"]

    def case(token: str, variables: dict) -> Case:
        return Case(operation, token, fixed(variables), "family", fid)

    async def created(name: str, variables: dict, token: str = lead) -> dict:
        field = name[0].lower() + name[1:]
        return (await gql.data(name, {"input": variables}, token=token))[field]

    if operation == "FamilyUpdate":
        return case(lead, {"input": {"familyId": family, "expectedVersion": 1, "levelOfNeed": "specialist"}})
    if operation == "TeamMemberEnd":
        worker = await create_user(sessions, agency=area.school)
        added = await created("TeamMemberAdd", {"familyId": family, "userId": str(worker.id), "contact": contact()})
        return case(lead, {"input": {"membershipId": added["id"], "reason": "Moved school"}})
    if operation == "TeamMemberDescribe":
        worker = await create_user(sessions, agency=area.school)
        added = await created("TeamMemberAdd", {"familyId": family, "userId": str(worker.id), "contact": contact()})
        return case(lead, {"input": {"membershipId": added["id"], "familyDescription": "Helps your son at school"}})
    if operation == "LeadProfessionalSet":
        return case(lead, {"input": {"familyId": family, "userId": str(area.colleague.id), "contact": contact()}})
    if operation == "ContributionEdit":
        item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
        edit = {"contributionId": str(item.id), "expectedVersion": 1, "title": "t", "body": "b"}
        return case(await sign_in(gql, area.colleague), {"input": edit | {"aboutMemberIds": [member]}})
    if operation == "ConsentWithdraw":
        recorded = await created(
            "ConsentRecord", (await (await case_for("ConsentRecord", gql, sessions, area)).variables())["input"]
        )
        return case(lead, {"input": {"consentId": recorded["id"], "reason": "Mum asked"}})
    if operation in ("SafeguardingOverrideRevoke", "SafeguardingOverrideReview"):
        override = (await (await case_for("SafeguardingOverrideRecord", gql, sessions, area)).variables())["input"]
        recorded = await created("SafeguardingOverrideRecord", override, await sign_in(gql, area.colleague))
        text = {"reason": "Not needed"} if operation.endswith("Revoke") else {"note": "Proportionate"}
        return case(await sign_in(gql, area.ig), {"input": {"overrideId": recorded["id"], **text}})
    if operation == "AuditDisclosureBlock":
        # a cross-agency read under consent, which the audit log records and the family sees
        await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
        await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
        await gql.data("FamilyContributions", {"familyId": family}, token=lead)
        ig = await sign_in(gql, area.ig)
        events = (await gql.data("AuditEvents", {"familyId": family}, token=ig))["auditEvents"]["nodes"]
        read = next(event for event in events if event["action"] == "contribution_read")
        return case(ig, {"input": {"auditEventId": read["id"], "reason": "Naming this worker is a risk"}})
    if operation == "AuditLogExport":
        audit_filter = {"familyReference": area.family.reference, "actor": area.lead.display_name, "from": TODAY}
        return case(await sign_in(gql, area.ig), {"input": audit_filter})
    if operation.startswith("DataSharingAgreement"):
        ig = await sign_in(gql, area.ig)
        agreement = agreement_input([area.early_help, area.school])
        if operation == "DataSharingAgreementCreate":
            return case(ig, {"input": {"agreement": agreement}})
        recorded = await created("DataSharingAgreementCreate", {"agreement": agreement}, ig)
        change = {"agreementId": recorded["id"], "expectedVersion": 1}
        if operation == "DataSharingAgreementUpdate":
            return case(ig, {"input": change | {"agreement": agreement}})
        return case(ig, {"input": change | {"reason": "Replaced by the area's new agreement"}})
    if operation == "ChronologyExport":
        chosen = {"kinds": ["contribution", "escalation_raised"], "happenedFrom": TODAY, "happenedTo": TODAY}
        return case(lead, {"input": {"familyId": family, "filter": chosen | {"agencyId": str(area.school.id)}}})
    if operation == "NotificationMarkRead":
        return case(lead, {"ids": ["1"]})
    if operation == "NotificationAcknowledge":
        return case(lead, {"id": "1"})
    if operation == "PlanGoalEdit":
        goal = await created("PlanGoalAdd", {"familyId": family, "inFamilyWords": "School", "outcomeDomain": "safety"})
        return case(lead, {"input": {"goalId": goal["id"], "expectedVersion": 1, "inFamilyWords": "More school"}})
    if operation == "PlanActionEdit":
        goal = await created("PlanGoalAdd", {"familyId": family, "inFamilyWords": "School", "outcomeDomain": "safety"})
        owner = str(area.colleague.id)
        action = {"familyId": family, "description": "Call", "ownerUserId": owner, "dueDate": later(5)}
        action = await created("PlanActionAdd", action)
        edit = {"actionId": action["id"], "expectedVersion": 1, "description": "Call twice", "ownerUserId": owner}
        return case(lead, {"input": edit | {"goalId": goal["id"]}})
    if operation in ("MeetingReschedule", "MeetingCancel"):
        meeting = await created(
            "MeetingSchedule", (await (await case_for("MeetingSchedule", gql, sessions, area)).variables())["input"]
        )
        change = {"meetingId": meeting["id"], "expectedVersion": 1, "reason": "Room unavailable"}
        if operation == "MeetingReschedule":
            change["scheduledAt"] = (datetime.now(UTC) + timedelta(days=9)).isoformat()
        return case(lead, {"input": change})
    if operation in ("MeetingAttendanceRecord", "MinutesItemEdit", "MinutesItemRemove", "MinutesPublish"):
        meeting_id = await held_meeting(gql, sessions, area, lead)
        if operation != "MeetingAttendanceRecord":
            item = {"meetingId": meeting_id, "expectedVersion": 1, "heading": "Attendance", "text": "M"}
            added = await created("MinutesItemAdd", item)
            item_id = added["minutes"][0]["id"]
        if operation == "MinutesItemEdit":
            edit = {"itemId": item_id, "expectedVersion": 2, "heading": "Housing", "text": "Met."}
            edit |= {"category": "housing", "aboutMemberIds": [member], "agencyId": str(area.early_help.id)}
            return case(lead, {"input": edit})
        if operation == "MinutesItemRemove":
            return case(lead, {"input": {"itemId": item_id, "expectedVersion": 2}})
        if operation == "MinutesPublish":
            return case(lead, {"input": {"meetingId": meeting_id, "expectedVersion": 2}})
        invitee = (await gql.data("Meeting", {"id": meeting_id}, token=lead))["meeting"]["invitees"][0]["id"]
        attendance = [{"inviteeId": invitee, "attendance": "present"}]
        return case(lead, {"input": {"meetingId": meeting_id, "expectedVersion": 1, "attendance": attendance}})
    if operation in ("EscalationAcknowledge", "EscalationResolve"):
        raising = await case_for("EscalationRaise", gql, sessions, area)
        raised = await created("EscalationRaise", (await raising.variables())["input"], raising.token)
        if operation == "EscalationAcknowledge":
            return case(lead, {"input": {"escalationId": raised["id"]}})
        return case(lead, {"input": {"escalationId": raised["id"], "outcome": "managed_within_plan", "note": "MASH"}})
    if operation == "FamilyLegalStatusSet":
        change = {"familyId": family, "expectedVersion": 1, "legalStatus": "child_in_need", "edgeOfCare": True}
        return case(lead, {"input": change | {"effectiveFrom": TODAY}})
    if operation == "FamilyMemberDetailsSet":
        member_details = {"livesInHousehold": True, "isYoungCarer": True, "firstLanguage": "Polish"}
        member_details |= {"interpreterNeeded": False, "hasDisability": False}
        return case(lead, {"input": {"memberId": member, "expectedVersion": 1} | member_details})
    if operation == "FollowUpRecord":
        await open_since(sessions, area.family, 200)
        await close_through_the_api(gql, area.family, lead, on=date.today() - timedelta(days=100))
        checks = (await gql.data("FamilyFollowUps", {"familyId": family}, token=lead))["familyFollowUps"]
        check = {"followUpId": checks[0]["id"], "expectedVersion": checks[0]["version"], "checkedOn": TODAY}
        return case(lead, {"input": check | {"stillAtHome": True, "reReferred": False, "note": "At home"}})
    if operation in ("ReferralDecide", "ReferralFirstContact"):
        recording = await case_for("ReferralRecord", gql, sessions, area)
        recorded = await created("ReferralRecord", (await recording.variables())["input"], recording.token)
        change = {"referralId": recorded["id"], "expectedVersion": recorded["version"]}
        if operation == "ReferralFirstContact":
            return case(lead, {"input": change | {"firstContactOn": TODAY}})
        decision = {"levelOfNeed": "targeted", "decidedOn": TODAY, "reason": "Early help", "outcome": "redirected"}
        return case(lead, {"input": change | decision | {"redirectedTo": "CAMHS"}})
    if operation in RETENTION:
        return await retention_case(operation, gql, sessions, area)
    if operation == "DeputyLeadSet":
        return case(
            lead, {"input": {"familyId": family, "userId": str(area.colleague.id), "expectedDeputyUserId": None}}
        )
    if operation == "PlanContingencyEdit":
        contingency = {"familyId": family, "trigger": "If Mum is unwell", "response": "Nan", "whoActs": "Nan"}
        added = await created("PlanContingencyAdd", contingency)
        edit = {"contingencyId": added["id"], "expectedVersion": 1, "trigger": "If Mum is in hospital"}
        return case(lead, {"input": edit | {"response": "Nan has Jayden", "whoActs": "Nan, with the lead"}})
    if operation in ("PanelSittingCreate", "PanelSittingEdit", "PanelDecide"):
        manager = await sign_in(gql, area.manager)
        if operation == "PanelSittingCreate":
            return case(manager, {"input": {"sitting": panel_sitting(area) | {"members": "Chair; school"}}})
        sitting = await created("PanelSittingCreate", {"sitting": panel_sitting(area)}, manager)
        if operation == "PanelSittingEdit":
            edit = {"sittingId": sitting["id"], "expectedVersion": 1, "sitting": panel_sitting(area)}
            return case(manager, {"input": edit | {"sitting": panel_sitting(area) | {"members": "Chair; school"}}})
        brought = await created("PanelFamilyAdd", {"sittingId": sitting["id"], "familyId": family})
        services = (await gql.data("Services", token=lead))["services"]
        mentoring = next(s["id"] for s in services if s["code"] == "mentoring")
        decision = {"decisionId": brought["id"], "expectedVersion": 1, "outcome": "accept_for_service"}
        decision |= {"rationale": "Needs at school", "category": "education", "reviewOn": later(30)}
        decision |= {"allocations": [{"serviceId": mentoring, "quantity": 6}], "aboutMemberIds": [member]}
        return case(manager, {"input": decision | {"namesThirdParty": False}})
    if operation == "TimeAwayCancel":
        period = {"startsOn": later(3), "endsOn": later(10)}
        recorded = (await gql.data("TimeAwayRecord", {"input": period}, token=lead))["timeAwayRecord"]
        return case(lead, {"input": {"timeAwayId": recorded["id"], "expectedVersion": recorded["version"]}})
    if operation == "NetworkMemberEdit":
        person = {"familyId": family, "fullName": "Rose", "relationship": "grandmother", "namedByMemberId": member}
        added = await created("NetworkMemberAdd", person)
        edit = {"networkMemberId": added["id"], "expectedVersion": 1, "fullName": "Rose Okafor", "relationship": "nan"}
        edit |= {"namedByMemberId": member, "phone": "07700 900123", "email": "rose@example.com", "address": "Mill"}
        return case(lead, {"input": edit})
    if operation == "TimeAwayRecord":  # a manager marks their agency's lead away
        period = {"startsOn": later(3), "endsOn": later(10), "userId": str(area.lead.id)}
        return case(await sign_in(gql, area.manager), {"input": period})
    if operation in SERVICES:
        admin = await sign_in(gql, area.admin)
        code_ = f"sweep_{uuid.uuid4().hex[:12]}"
        service = {"code": code_, "name": f"Sweep service {code_}", "unit": "session", "category": "social_care"}
        service |= {"unitPricePence": 10_000}
        if operation == "ServiceAdd":
            return case(admin, {"input": service})
        added = await created("ServiceAdd", service, admin)
        return case(admin, {"input": {"serviceId": added["id"], "unitPricePence": 12_500, "effectiveFrom": later(1)}})
    if operation == "AssessmentCorrect":
        recording = (await (await case_for("AssessmentRecord", gql, sessions, area)).variables())["input"]
        recorded = await created("AssessmentRecord", recording)
        fields = {key: value for key, value in recording.items() if key != "familyId"}
        fields |= {"strengths": "Warm", "resilienceIndicators": ["hobbies_interests"]}
        return case(lead, {"input": fields | {"assessmentId": recorded["id"], "reason": "Wrong figures"}})
    if operation == "CaseImport":
        content = json.dumps(example_for(area))
        return case(await sign_in(gql, area.admin), {"input": {"content": content, "dryRun": True}})
    transition = {"familyId": family, "expectedVersion": 1, "reason": "Disclosure", "effectiveOn": TODAY}
    if operation == "FamilyStepUp":
        return case(lead, {"input": transition | {"receivingTeam": "Assessment Team 2"}})
    if operation == "FamilyStepDown":
        await created("FamilyStepUp", transition | {"receivingTeam": "Assessment Team 2"})
        down = transition | {"expectedVersion": 2, "receivingTeam": "Early Help Hub", "levelOfNeed": "targeted"}
        return case(lead, {"input": down})
    closing = transition | {
        "outcome": "goals_achieved",
        "careOutcome": "remained_at_home",
        "supportContinuing": "Mentoring",
    }
    closing |= {"contactIfDifficulties": "Early Help Hub", "familyFeedback": "Sam listened"}
    if operation == "FamilyClose":
        return case(lead, {"input": closing})
    if operation == "FamilyReopen":
        await created("FamilyClose", closing)
        return case(lead, {"input": {"familyId": family, "expectedVersion": 2, "reason": "New concerns"}})
    invitee = str((await create_family_member(sessions, family=area.family)).id)
    invitation = {
        "familyId": family,
        "familyMemberId": invitee,
        "email": f"parent-{uuid.uuid4().hex[:8]}@family.example",
    }
    if operation == "PortalInvitationIssue":
        return case(lead, {"input": invitation})
    issued = await created("PortalInvitationIssue", invitation)
    if operation == "PortalInvitationRevoke":
        return case(lead, {"invitationId": issued["invitation"]["id"]})
    if operation == "PortalInvitationAccept":
        return case("", {"input": {"token": issued["link"].rsplit("/", 1)[1], "password": "a long family password"}})
    if operation == "Login":
        return case("", {"email": area.colleague.email, "password": PASSWORD})
    raise AssertionError(f"no valid request for {operation}")


SIGN_IN_ADMIN = ["IdentityLinkAdd", "IdentityLinkRemove", "AgencySignInSet"]


async def sign_in_admin_case(operation: str, gql, sessions) -> Case:
    """The administrator's single sign-on requests, on the main test server's standing sign-in service."""
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    async with unit_of_work(sessions) as session:
        agency = (await session.exec(select(Agency).where(Agency.name == STANDING_AGENCY))).first()
        if agency is None:
            agency = Agency(name=STANDING_AGENCY, kind=AgencyKind.police)
            session.add(agency)
    officer = await create_user(sessions, agency=agency)
    if operation == "IdentityLinkAdd":
        variables = {"input": {"userId": str(officer.id), "service": STANDING_PROVIDER.id, "subject": unique("sub")}}
    elif operation == "IdentityLinkRemove":
        async with unit_of_work(sessions) as session:
            link = IdentityLink(user_id=officer.id, issuer=STANDING_PROVIDER.issuer, subject=unique("sub"))
            session.add(link)
        variables = {"input": {"linkId": str(link.id)}}
    else:
        variables = {"input": {"agencyId": str(agency.id), "ssoOnly": False}}
    return Case(operation, admin, fixed(variables), "identity_link", officer.id, count_by="user_id")


ACCOUNTS = [
    "AccountCreate",
    "AccountUpdate",
    "AccountDeactivate",
    "AccountReactivate",
    "AgencyCreate",
    "AgencyUpdate",
    "PasswordChange",
    "PasswordResetIssue",
    "PasswordResetRedeem",
]


async def accounts_case(operation: str, gql, sessions) -> Case:
    """Administrators' requests on accounts and agencies; a practitioner's own password change; a reset link."""
    area = await create_area(sessions)
    admin = await sign_in(gql, area.admin)
    worker = await create_user(sessions, agency=area.school)

    def case(token: str, variables: dict) -> Case:
        return Case(operation, token, fixed(variables), "app_user", worker.id, count_by="id")

    if operation == "AccountCreate":
        return case(admin, {"input": new_account(area.school.id)})
    if operation in ("AgencyCreate", "AgencyUpdate"):
        agency = {"name": unique("Riverside Academy"), "kind": "education"}
        if operation == "AgencyCreate":
            return case(admin, {"input": agency})
        return case(admin, {"input": {"id": str(area.school.id), "version": 1, **agency}})
    if operation == "PasswordChange":
        mine = await sign_in(gql, worker, fresh=True)
        return case(mine, {"input": {"currentPassword": PASSWORD, "newPassword": "a long new password"}})
    if operation == "PasswordResetIssue":
        return case(admin, {"input": {"userId": str(worker.id)}})
    if operation == "PasswordResetRedeem":
        link = await gql.data("PasswordResetIssue", {"input": {"userId": str(worker.id)}}, token=admin)
        token = link["passwordResetIssue"]["link"].rsplit("/", 1)[1]
        return case("", {"input": {"token": token, "newPassword": "a long new password"}})
    account = (await gql.data("Account", {"id": str(worker.id)}, token=admin))["account"]
    if operation == "AccountReactivate":
        ended = {"id": account["id"], "version": account["version"]}
        account = (await gql.data("AccountDeactivate", {"input": ended}, token=admin))["accountDeactivate"]
    if operation == "AccountUpdate":
        return case(admin, {"input": editing(account)})
    return case(admin, {"input": {"id": account["id"], "version": account["version"]}})


# The services list is the area's, about no family: even its create is swept here.
SERVICES = ("ServiceAdd", "ServicePriceSet")

RETENTION = ("RetentionExtend", "RetentionLegalHoldPlace", "RetentionLegalHoldRemove", "FamilyErase")


async def retention_case(operation: str, gql, sessions, area) -> Case:
    """An IG officer's decision about a family closed long ago (held first, to remove the hold)."""
    closed = await create_closed_family(sessions, lead=area.lead)
    if operation == "RetentionLegalHoldRemove":
        await decide(sessions, family=closed, by=area.ig, kind=RetentionDecisionKind.legal_hold)
    decision = {"familyId": str(closed.id), "reason": "Reviewed against the schedule"}
    if operation == "RetentionExtend":
        decision |= {"retainUntil": later(400)}
    if operation == "FamilyErase":
        decision |= {"confirmReference": closed.reference}
    return Case(operation, await sign_in(gql, area.ig), fixed({"input": decision}), "family", closed.id)


EDITS = [
    "FamilyUpdate",
    "TeamMemberEnd",
    "TeamMemberDescribe",
    "LeadProfessionalSet",
    "ContributionEdit",
    "ConsentWithdraw",
    "SafeguardingOverrideRevoke",
    "SafeguardingOverrideReview",
    "AuditDisclosureBlock",
    "AuditLogExport",
    # Agreements between agencies are about no family: even their create is swept here (the create sweeps
    # count rows by family); tests/sharing_agreement covers its idempotency key.
    "DataSharingAgreementCreate",
    "DataSharingAgreementUpdate",
    "DataSharingAgreementEnd",
    "NotificationMarkRead",
    "NotificationAcknowledge",
    "PlanGoalEdit",
    "PlanActionEdit",
    "MeetingReschedule",
    "MeetingCancel",
    "MeetingAttendanceRecord",
    "MinutesItemEdit",
    "MinutesItemRemove",
    "MinutesPublish",
    "EscalationAcknowledge",
    "EscalationResolve",
    "ReferralDecide",
    "ReferralFirstContact",
    "FamilyLegalStatusSet",
    "FamilyMemberDetailsSet",
    "FollowUpRecord",
    "FamilyStepUp",
    "FamilyStepDown",
    "FamilyClose",
    "FamilyReopen",
    "PortalInvitationIssue",
    "PortalInvitationRevoke",
    "PortalInvitationAccept",
    "Login",
    *SIGN_IN_ADMIN,
    *RETENTION,
    *ACCOUNTS,
    "AssessmentCorrect",
    "DeputyLeadSet",
    "PlanContingencyEdit",
    "TimeAwayCancel",
    "PanelSittingEdit",
    "PanelDecide",
    "NetworkMemberEdit",
    "TimeAwayRecord",
    *SERVICES,
    "ChronologyExport",  # a read recorded in the audit log as an export: nothing else is written
    # Panel sittings name no family: their create is swept here; tests/panel covers its idempotency key.
    "PanelSittingCreate",
    "CaseImport",  # a dry run: the sweep's refusals and acceptance, with nothing written
]

ALL_CREATES = [*CREATES, "FamilyOpen", "ContributionAdd"]


async def any_case(operation: str, gql, sessions) -> Case:
    """A valid request for any mutation; `variables()` gives the whole variables."""
    if operation in SIGN_IN_ADMIN:
        return await sign_in_admin_case(operation, gql, sessions)
    if operation in ACCOUNTS:
        return await accounts_case(operation, gql, sessions)
    if operation in EDITS:
        return await edit_case(operation, gql, sessions)
    if operation == "FamilyOpen":
        area = await create_area(sessions)
        opening = {
            "displayName": "The Rivers family",
            "levelOfNeed": "targeted",
            "members": [{"fullName": "Leo Rivers", "relationship": "son", "isSubjectChild": True}],
            "leadContact": contact(),
            "leadProfessionalUserId": str(area.lead.id),
        }
        return Case(operation, await sign_in(gql, area.lead), fixed({"input": opening}), "family", area.family.id)
    if operation == "ContributionAdd":
        area = await create_area(sessions)
        lead = await sign_in(gql, area.lead)
        member = (await gql.data("Family", {"id": str(area.family.id)}, token=lead))["family"]["members"][0]["id"]
        item = {"familyId": str(area.family.id), "kind": "update", "category": "education", "title": "t", "body": "b"}
        item["aboutMemberIds"] = [member]
        return Case(
            operation, await sign_in(gql, area.colleague), fixed({"input": item}), "contribution", area.family.id
        )
    case = await case_for(operation, gql, sessions)
    if operation == "ReviewRecord":  # with a goal's progress, so that every field is there
        variables = await case.variables()
        goal = {"familyId": str(case.family_id), "inFamilyWords": "School", "outcomeDomain": "safety"}
        goal = (await gql.data("PlanGoalAdd", {"input": goal}, token=case.token))["planGoalAdd"]
        variables["input"]["progress"] = [{"goalId": goal["id"], "progress": "Better"}]
        case.variables = fixed(variables)
    return case
