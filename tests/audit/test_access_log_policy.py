"""The access log ("who has looked at our information") obeys the sharing policy, read by read.

The family never learns of a read made under an override recorded with them not told, of an entry an IG
officer withheld, or of police information (a police agency's content in any category, or the police
reading something). A staff viewer sees a read, with its category, only where they may read such content
themselves; an IG officer sees every read without its category. Repeat reads are one entry per reader,
organisation and day. The audit log names the real kind of what was read."""

from __future__ import annotations

from server.access.enforcer import build_enforcer
from server.access.pep import AccessControl
from server.agency.models import AgencyKind
from server.audit import queries as audit_queries
from server.auth.service import actor_from
from server.config import REPO_ROOT
from tests.auth_helpers import sign_in
from tests.builders import (
    create_area,
    create_consent,
    create_contribution,
    create_family_user,
    create_user,
    issue_token,
    join_agreement,
)
from tests.builders_govern import create_override_of, join_team


async def family_log(gql, sessions, family) -> list[tuple]:
    """What a parent sees on their portal page: (organisation, categories, how many times it looked that day)."""
    parent = await issue_token(sessions, await create_family_user(sessions, family=family))
    entries = (await gql.data("PortalSummary", token=parent))["portalSummary"]["accessDays"]
    return [(entry["agencyName"], entry["categories"], entry["times"]) for entry in entries]


async def staff_log(gql, user, family) -> list[tuple]:
    data = await gql.data("FamilyAccessLog", {"familyId": str(family.id)}, token=await sign_in(gql, user))
    return [(entry["agencyName"], entry["categories"], entry["itemCount"]) for entry in data["family"]["accessLog"]]


async def ig_log(sessions, ig, family) -> list[tuple]:
    """An IG officer's view of the log. The API offers it through the family's record, which IG officers
    may not read, so the rule is checked at the service (the same query the API runs)."""
    access = AccessControl(build_enforcer(REPO_ROOT / "policies"), actor_from(ig))
    async with sessions() as session:
        entries = await audit_queries.access_log(session, access, family.id)
    return [(entry.agency_name, entry.categories, entry.item_count) for entry in entries]


async def titles_seen(gql, user, family) -> set[str]:
    data = await gql.data("FamilyContributions", {"familyId": str(family.id)}, token=await sign_in(gql, user))
    return {node["title"] for node in data["family"]["contributions"]["nodes"]}


async def test_a_read_under_a_police_override_the_family_was_not_told_of_never_reaches_the_mother(gql, sessions):
    # given the police shared a domestic incident with the school under an override, family not told
    area = await create_area(sessions)
    _police, officer = await join_team(sessions, family=area.family, kind=AgencyKind.police)
    incident = await create_contribution(sessions, family=area.family, author=officer, category="police")
    await create_override_of(
        sessions,
        family=area.family,
        decided_by=officer,
        categories=["police"],
        recipients=[area.school],
        family_informed=False,
    )
    # and the school's safeguarding lead also read an early help item the family agreed to share
    shared = await create_contribution(sessions, family=area.family, author=area.lead, category="education")
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    # when the school reads the family's items (the override works: the incident is among them)
    assert {incident.title, shared.title} <= await titles_seen(gql, area.colleague, area.family)
    # then the mother's portal shows the school looked at education only: nothing of the police item
    assert await family_log(gql, sessions, area.family) == [(area.school.name, ["education"], 1)]
    # and the IG officer's view of the log holds both reads, with no categories (they read no case content)
    assert await ig_log(sessions, area.ig, area.family) == [(area.school.name, [], 2)]


async def test_an_override_the_family_was_not_told_of_hides_the_read_whatever_the_owner(gql, sessions):
    # given a health agency shared mental health (family not told) and health (family told) with the school
    area = await create_area(sessions)
    health, nurse = await join_team(sessions, family=area.family, kind=AgencyKind.health)
    for category, told in (("mental_health", False), ("health", True)):
        await create_contribution(sessions, family=area.family, author=nurse, category=category)
        await create_override_of(
            sessions,
            family=area.family,
            decided_by=nurse,
            categories=[category],
            recipients=[area.school],
            family_informed=told,
        )
    assert len(await titles_seen(gql, area.colleague, area.family)) == 2
    # then the family learns only of the share they were told of
    assert await family_log(gql, sessions, area.family) == [(area.school.name, ["health"], 1)]
    # and the lead, whose agency neither override shares with, sees nothing of either read
    assert await staff_log(gql, area.lead, area.family) == []
    # and the IG officer's view holds both reads, without categories
    assert await ig_log(sessions, area.ig, area.family) == [(area.school.name, [], 2)]
    assert health.name not in {name for name, _, _ in await ig_log(sessions, area.ig, area.family)}


async def test_an_entry_an_ig_officer_withheld_is_hidden_from_the_family_and_the_rest_stays(gql, sessions):
    # given the lead read a school item and the school read an early help item, both shared by consent
    area = await create_area(sessions)
    await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await create_contribution(sessions, family=area.family, author=area.lead, category="education")
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    await titles_seen(gql, area.lead, area.family)
    await titles_seen(gql, area.colleague, area.family)
    before = await family_log(gql, sessions, area.family)
    assert sorted(before) == sorted([(area.early_help.name, ["education"], 1), (area.school.name, ["education"], 1)])
    # when the IG officer withholds the lead's read from the family
    ig = await sign_in(gql, area.ig)
    events = (await gql.data("AuditEvents", {"familyId": str(area.family.id)}, token=ig))["auditEvents"]["nodes"]
    lead_read = next(e for e in events if e["action"] == "contribution_read" and e["actorUserId"] == str(area.lead.id))
    block = {"input": {"auditEventId": lead_read["id"], "reason": "Naming this service could put the child at risk."}}
    assert (await gql.data("AuditDisclosureBlock", block, token=ig))["auditDisclosureBlock"] is True
    # then the family sees only the school's read
    assert await family_log(gql, sessions, area.family) == [(area.school.name, ["education"], 1)]


async def test_a_lead_sees_a_category_in_the_log_only_where_they_may_read_it(gql, sessions):
    # given the family shared health with the school only, and education with the whole team
    area = await create_area(sessions)
    health, nurse = await join_team(sessions, family=area.family, kind=AgencyKind.health)
    await join_agreement(sessions, agreement=area.area_agreement, agency=health)
    await create_contribution(sessions, family=area.family, author=nurse, category="health")
    await create_contribution(sessions, family=area.family, author=area.lead, category="education")
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["health"], agencies=[area.school]
    )
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    # when the school reads both items
    assert len(await titles_seen(gql, area.colleague, area.family)) == 2
    # then the lead (who may not read the health agency's health items) sees the school read education only
    assert await staff_log(gql, area.lead, area.family) == [(area.school.name, ["education"], 1)]
    # while the family sees both (the school looked once, at both), and the IG officer both without categories
    assert await family_log(gql, sessions, area.family) == [(area.school.name, ["education", "health"], 1)]
    assert await ig_log(sessions, area.ig, area.family) == [(area.school.name, [], 2)]
    # and once the family shares health with the lead's agency too, the lead sees it
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["health"], agencies=[area.early_help]
    )
    assert await staff_log(gql, area.lead, area.family) == [(area.school.name, ["education", "health"], 2)]
    assert health.name  # the health agency itself read nothing of another agency's


async def test_nothing_of_a_police_agency_reaches_the_family(gql, sessions):
    # given a police domestic abuse item, even marked for the family summary, shared with the whole team
    area = await create_area(sessions)
    police, officer = await join_team(sessions, family=area.family, kind=AgencyKind.police)
    await join_agreement(sessions, agreement=area.area_agreement, agency=police)
    abuse = await create_contribution(
        sessions, family=area.family, author=officer, category="domestic_abuse", family_summary=True
    )
    school_item = await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await create_consent(
        sessions, family=area.family, recorded_by=area.lead, categories=["domestic_abuse", "education"]
    )
    # when the school reads the police item, and the police read the school's item
    assert abuse.title in await titles_seen(gql, area.colleague, area.family)
    assert school_item.title in await titles_seen(gql, officer, area.family)
    # and the lead reads both
    assert {abuse.title, school_item.title} <= await titles_seen(gql, area.lead, area.family)
    # then the family's log shows only the lead's read of the school's item
    assert await family_log(gql, sessions, area.family) == [(area.early_help.name, ["education"], 1)]
    # and the family's own view of the items never holds the police item either
    parent = await issue_token(sessions, await create_family_user(sessions, family=area.family))
    mine = await gql.data("FamilyContributions", {"familyId": str(area.family.id)}, token=parent)
    assert abuse.title not in {node["title"] for node in mine["family"]["contributions"]["nodes"]}
    # while the lead sees all three readers, each with what they read
    assert sorted(await staff_log(gql, area.lead, area.family)) == sorted(
        [
            (area.early_help.name, ["domestic_abuse", "education"], 2),
            (police.name, ["education"], 1),
            (area.school.name, ["domestic_abuse"], 1),
        ]
    )


async def test_repeat_reads_are_one_entry_per_organisation_and_day_for_the_family(gql, sessions):
    # given a school item shared by consent, and a second worker at the lead's agency on the team
    area = await create_area(sessions)
    await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    deputy = await create_user(sessions, agency=area.early_help)
    add = {"familyId": str(area.family.id), "userId": str(deputy.id), "contact": {"agencyRole": "Family worker"}}
    await gql.data("TeamMemberAdd", {"input": add}, token=await sign_in(gql, area.lead))
    # when the lead loads the family's items 16 times in an afternoon, and the deputy once
    for _ in range(16):
        await titles_seen(gql, area.lead, area.family)
    await titles_seen(gql, deputy, area.family)
    # then the family sees one line for the lead's organisation today: it looked 17 times
    assert await family_log(gql, sessions, area.family) == [(area.early_help.name, ["education"], 17)]
    # and staff see one entry per reader and day, with how many items each read
    assert sorted(await staff_log(gql, area.lead, area.family)) == [
        (area.early_help.name, ["education"], 1),
        (area.early_help.name, ["education"], 1),
    ]


async def test_a_read_escalation_reason_is_audited_as_such(gql, sessions):
    # given the school raised an escalation whose reason is education information, shared with the team
    area = await create_area(sessions)
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    raise_input = {
        "input": {"familyId": str(area.family.id), "level": "concern", "category": "education", "reason": "Absent"}
    }
    await gql.data("EscalationRaise", raise_input, token=await sign_in(gql, area.colleague))
    # when the lead reads the family's escalations
    seen = await gql.data("FamilyEscalations", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.lead))
    assert [e["reasonVisible"] for e in seen["familyEscalations"]] == [True]
    # then the audit log records an escalation reason read, with its facts, and no contribution read
    events = (await gql.data("AuditEvents", {"familyId": str(area.family.id)}, token=await sign_in(gql, area.ig)))[
        "auditEvents"
    ]["nodes"]
    reads = [e for e in events if e["actorUserId"] == str(area.lead.id) and e["action"].endswith("_read")]
    assert [e["action"] for e in reads] == ["escalation_reason_read"]
    [read] = reads[0]["detail"]["reads"]
    assert (read["owningAgencyId"], read["category"], read["basis"]) == (
        str(area.school.id),
        "education",
        "shared_by_consent",
    )
    # and the family sees the lead looked at education information
    assert await family_log(gql, sessions, area.family) == [(area.early_help.name, ["education"], 1)]


async def test_a_family_member_is_never_given_a_readers_team_role(gql, sessions):
    # given the lead read a school item shared by consent
    area = await create_area(sessions)
    await create_contribution(sessions, family=area.family, author=area.colleague, category="education")
    await create_consent(sessions, family=area.family, recorded_by=area.lead, categories=["education"])
    await titles_seen(gql, area.lead, area.family)
    enforcer = build_enforcer(REPO_ROOT / "policies")

    async def roles(user) -> list[str]:
        async with sessions() as session:
            entries = await audit_queries.access_log(session, AccessControl(enforcer, actor_from(user)), area.family.id)
        return [entry.viewer_role for entry in entries]

    # then the lead sees their own team role on the entry, and a parent the entry without it (staff words)
    assert await roles(area.lead) == ["test role"]
    assert await roles(await create_family_user(sessions, family=area.family)) == [""]
