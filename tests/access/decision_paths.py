"""The world the decision table runs in, and the read paths of every kind of case content.

A path reads a family's content through one operation document of graphql/operations/ (what the web
front end sends) and tells which pieces of content the answer shows. Content is recognised by its
canary text (every piece has its own), or by its id where it has no text of its own (a rating)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from server.agency.models import AgencyKind
from server.clock import utcnow
from server.db.engine import unit_of_work
from server.family.models import Family, FamilyStatus
from server.team.models import TeamMembership
from server.user.models import SystemRole
from tests import ws_client
from tests.builders import (
    create_agency,
    create_agreement,
    create_consent,
    create_contribution,
    create_family,
    create_family_user,
    create_override,
    create_user,
    issue_token,
)
from tests.builders_content import (
    action_assigned,
    canary,
    create_assessment_content,
    create_contact_content,
    create_contingency_content,
    create_escalation_content,
    create_meeting_content,
    create_panel_content,
    create_plan_content,
    create_referral_content,
    create_review_content,
    create_service_received_content,
    escalation_raised,
    notify,
)
from tests.graphql_client import GraphQLClient

Answer = dict[str, Any]
STAFF_ACTORS = (
    "owner_worker",
    "owner_worker_left",
    "recipient_worker",
    "recipient_worker_left",
    "recipient_not_on_team",
    "third_worker",
    "lead_professional",
    "owner_manager",
    "recipient_manager",
    "ig_officer",
    "admin",
)
NOTIFIED_KINDS = ("escalation_reason", "plan_action")  # notifications refer to these kinds of content
# The shape of tests.builders_content.canary's text. A lookahead finds every occurrence, overlapping ones too,
# so the texts it finds in an answer are exactly the canary texts the answer holds as substrings.
CANARY_TEXT = re.compile(r"canary [a-z_]+ [a-z_]+ [0-9a-f]{12}")
CANARY = re.compile(f"(?=({CANARY_TEXT.pattern}))")


@dataclass
class World:
    """Data-sharing agreements bind agencies, not families: the families of each agreement situation (a
    cast, `cast_of`) have agencies and staff of their own, so one cast's agreement never reaches another's."""

    client: GraphQLClient
    base_url: str
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)  # (cast, actor) -> token
    families: dict[tuple[str, str], str] = field(default_factory=dict)  # (sharing, category) -> family id
    items: dict[tuple[str, str, str, str], str] = field(default_factory=dict)  # (sharing, category, kind, item) -> id
    canaries: dict[str, str] = field(default_factory=dict)  # content id -> its canary text
    ids_by_canary: dict[str, str] = field(default_factory=dict)  # canary text -> content id (CANARY's shape)
    other_texts: dict[str, str] = field(default_factory=dict)  # content id -> its text of another shape
    parents: dict[str, str] = field(default_factory=dict)  # a rating's id -> its assessment's id
    family_tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    stranger_token: str = ""  # a member of a family outside the table
    nonexistent: dict[tuple[str, str], Answer] = field(default_factory=dict)  # (kind, token) -> a random id's answer

    def token_for(self, actor: str, sharing: str, category: str) -> str:
        if actor == "family_member":
            return self.family_tokens[(sharing, category)]
        if actor == "other_family_member":
            return self.stranger_token
        return self.tokens[(cast_of(sharing, category), actor)]

    def shown(self, answer: Answer) -> set[str]:
        """The content whose canary text the answer holds: the canary texts found in it, looked up (searching
        the answer for each of the thousands of texts in turn was much of the table's time), and the others."""
        body = json.dumps(answer)
        found = {self.ids_by_canary[text] for text in CANARY.findall(body) if text in self.ids_by_canary}
        return found | {content_id for content_id, text in self.other_texts.items() if text in body}


@dataclass(frozen=True)
class ListPath:
    """An operation that lists a family's content; `seen` tells which content the answer shows."""

    operation: str
    read: Callable[[World, str, str], Awaitable[Answer]]
    seen: Callable[[Answer, World], set[str]]
    counts_agree: Callable[[Answer], bool] = lambda answer: True
    audience: str = "everyone"  # "staff": the staff pages; "family": the portal
    variant: str = ""  # the same operation asked in another way (a search)

    @property
    def name(self) -> str:
        return f"{self.operation} ({self.variant})" if self.variant else self.operation

    def serves(self, actor: str) -> bool:
        family = actor in ("family_member", "other_family_member")
        return self.audience == "everyone" or (self.audience == "family") == family


@dataclass(frozen=True)
class Lookup:
    """An operation that asks for one piece of content by its id. `whole_record`: the content is the whole
    record, so a refusal must answer exactly like an id that does not exist."""

    operation: str
    look_up: Callable[[Answer, str, World], bool]
    whole_record: bool
    by_parent: bool = False  # asked for by the id of the record it sits in (a rating: its assessment)

    async def look(self, world: World, content_id: str, token: str) -> tuple[bool, Answer]:
        asked = world.parents[content_id] if self.by_parent else content_id
        answer = await world.client.op(self.operation, {"id": asked}, token=token)
        return self.look_up(answer, content_id, world), answer


def _family_op(operation: str) -> Callable[[World, str, str], Awaitable[Answer]]:
    async def read(world: World, family_id: str, token: str) -> Answer:
        return await world.client.op(operation, {"familyId": family_id}, token=token)

    return read


def _search(words: str) -> Callable[[World, str, str], Awaitable[Answer]]:
    async def read(world: World, family_id: str, token: str) -> Answer:
        return await world.client.op("FamilyContributions", {"familyId": family_id, "search": words}, token=token)

    return read


def _by_canary(answer: Answer, world: World) -> set[str]:
    return world.shown(answer)


def _all_counted(*path: str) -> Callable[[Answer], bool]:
    """The page at `path` counts what it lists (a refusal answers no page)."""

    def check(answer: Answer) -> bool:
        if answer.get("data") is None:
            return True
        page = answer["data"]
        for name in path:
            page = page[name]
        return page["totalCount"] == len(page["nodes"])

    return check


async def _chronology(world: World, family_id: str, token: str) -> Answer:
    return await world.client.op("FamilyChronology", {"familyId": family_id, "first": 100}, token=token)


def _found(field_name: str) -> Callable[[Answer, str, World], bool]:
    def look_up(answer: Answer, content_id: str, world: World) -> bool:
        found = (answer.get("data") or {}).get(field_name)
        return bool(found) and world.canaries[content_id] in json.dumps(found)

    return look_up


def _ratings_shown(answer: Answer, world: World) -> set[str]:
    """Ratings have no text of their own: a rating is shown when its assessment lists a rating."""
    found = (answer.get("data") or {}).get("familyAssessments") or []
    with_ratings = {assessment["id"] for assessment in found if assessment["ratings"]}
    return {rating for rating, assessment in world.parents.items() if assessment in with_ratings}


def _rating_found(answer: Answer, content_id: str, world: World) -> bool:
    found = (answer.get("data") or {}).get("assessment")
    return bool(found) and found["id"] == world.parents[content_id] and bool(found["ratings"])


async def _look_up_parent(world: World, content_id: str, token: str) -> Answer:
    return await world.client.op("Assessment", {"id": world.parents[content_id]}, token=token)


async def _portal(world: World, family_id: str, token: str) -> Answer:
    return await world.client.op("PortalSummary", {"familyId": family_id}, token=token)


async def _each_meeting(world: World, family_id: str, token: str) -> Answer:
    """Every meeting of the family asked for by its id, as the meeting page does."""
    listed = await world.client.op("FamilyMeetings", {"familyId": family_id}, token=token)
    meetings = (listed.get("data") or {}).get("familyMeetings") or []
    return {"meetings": [await world.client.op("Meeting", {"id": m["id"]}, token=token) for m in meetings]}


# The chronology shows the words of these kinds where the reader may read them (server/chronology/sources.py);
# the family is not shown the plan's events there (its portal shows the plan: PORTAL).
CHRONOLOGY = ListPath("FamilyChronology", _chronology, _by_canary, _all_counted("family", "chronology"))
PLAN_CHRONOLOGY = ListPath(
    "FamilyChronology", _chronology, _by_canary, _all_counted("family", "chronology"), audience="staff", variant="plan"
)


async def _each_sitting(world: World, family_id: str, token: str) -> Answer:
    """Every panel sitting that considered the family, asked for by its id, as the panels page does."""
    listed = await world.client.op("FamilyPanelDecisions", {"familyId": family_id}, token=token)
    decisions = (listed.get("data") or {}).get("familyPanelDecisions") or []
    sittings = sorted({decision["sittingId"] for decision in decisions})
    return {"sittings": [await world.client.op("PanelSitting", {"id": sitting}, token=token) for sitting in sittings]}


def _page_op(operation: str, **parts: bool) -> Callable[[World, str, str], Awaitable[Answer]]:
    """A sub-page's one request of the web front end (web/js/pages/family.js), its optional parts included."""

    async def read(world: World, family_id: str, token: str) -> Answer:
        return await world.client.op(operation, {"familyId": family_id, **parts}, token=token)

    return read


MEETINGS = ListPath("FamilyMeetings", _family_op("FamilyMeetings"), _by_canary)
MEETINGS_PAGE = ListPath("FamilyMeetingsPage", _family_op("FamilyMeetingsPage"), _by_canary)
ASSESSMENTS_PAGE = _page_op("FamilyAssessmentsPage", withFactors=True)
PLAN_PAGE = ListPath("FamilyPlanPage", _family_op("FamilyPlanPage"), _by_canary, audience="staff")
REFERRALS_PAGE = ListPath(
    "FamilyReferralsPage", _page_op("FamilyReferralsPage", withRetention=False, withPanels=True), _by_canary
)
MEETING = ListPath("Meeting", _each_meeting, _by_canary)
PLAN = ListPath("FamilyPlan", _family_op("FamilyPlan"), _by_canary, audience="staff")
PLAN_HISTORY = ListPath("PlanHistory", _family_op("PlanHistory"), _by_canary, audience="staff")
PORTAL = ListPath("PortalSummary", _portal, _by_canary, audience="family")

READERS: dict[str, list[ListPath]] = {
    "contribution": [
        ListPath(
            "FamilyContributions",
            _family_op("FamilyContributions"),
            _by_canary,
            _all_counted("family", "contributions"),
        ),
        ListPath(
            "FamilyContributions",
            _search("canary contribution"),
            _by_canary,
            _all_counted("family", "contributions"),
            variant="search",
        ),
        # `make bench`'s contributions_page (the web does not send it)
        ListPath(
            "FamilyContributionsPage",
            _family_op("FamilyContributionsPage"),
            _by_canary,
            _all_counted("family", "contributions"),
        ),
        CHRONOLOGY,
    ],
    "escalation_reason": [
        ListPath("FamilyEscalations", _family_op("FamilyEscalations"), _by_canary),
        CHRONOLOGY,
    ],
    "referral_reason": [
        ListPath("FamilyReferrals", _family_op("FamilyReferrals"), _by_canary),
        REFERRALS_PAGE,
        CHRONOLOGY,
    ],
    "panel_rationale": [
        ListPath("FamilyPanelDecisions", _family_op("FamilyPanelDecisions"), _by_canary),
        REFERRALS_PAGE,
        ListPath("PanelSitting", _each_sitting, _by_canary, audience="staff"),
        CHRONOLOGY,
    ],
    "assessment_narrative": [
        ListPath("FamilyAssessments", _family_op("FamilyAssessments"), _by_canary),
        ListPath("FamilyAssessmentsPage", ASSESSMENTS_PAGE, _by_canary),
    ],
    "minutes_item": [MEETINGS, MEETINGS_PAGE, MEETING],
    "meeting_decision": [MEETINGS, MEETINGS_PAGE, MEETING],
    "meeting_addendum": [MEETINGS, MEETINGS_PAGE, MEETING],
    "plan_goal": [PLAN, PLAN_PAGE, PLAN_HISTORY, PORTAL, PLAN_CHRONOLOGY],
    "plan_action": [PLAN, PLAN_PAGE, PLAN_HISTORY, PORTAL, PLAN_CHRONOLOGY],
    "plan_contingency": [PLAN, PLAN_PAGE, PLAN_HISTORY, PORTAL, PLAN_CHRONOLOGY],
    "assessment_rating": [
        ListPath("FamilyAssessments", _family_op("FamilyAssessments"), _ratings_shown),
        ListPath("FamilyAssessmentsPage", ASSESSMENTS_PAGE, _ratings_shown),
    ],
    "review_note": [ListPath("FamilyReviews", _family_op("FamilyReviews"), _by_canary)],
    "contact_note": [
        ListPath("FamilyContacts", _family_op("FamilyContacts"), _by_canary, _all_counted("familyContacts")),
        ListPath(
            "FamilyTeamPage",
            _page_op("FamilyTeamPage", withAgencies=False, withNetwork=True),
            _by_canary,
            _all_counted("familyContacts"),
        ),
    ],
    "service_received": [
        ListPath(
            "FamilyServicesReceived",
            _family_op("FamilyServicesReceived"),
            _by_canary,
            _all_counted("familyServicesReceived"),
        ),
        CHRONOLOGY,
    ],
}

LOOKUPS: dict[str, Lookup] = {
    "contribution": Lookup("Contribution", _found("contribution"), whole_record=True),
    "escalation_reason": Lookup("Escalation", _found("escalation"), whole_record=False),
    "referral_reason": Lookup("Referral", _found("referral"), whole_record=False),
    "panel_rationale": Lookup("PanelDecision", _found("panelDecision"), whole_record=False),
    "assessment_narrative": Lookup("Assessment", _found("assessment"), whole_record=False),
    "assessment_rating": Lookup("Assessment", _rating_found, whole_record=False, by_parent=True),
    "review_note": Lookup("Review", _found("review"), whole_record=False),
    "service_received": Lookup("ServiceReceived", _found("serviceReceived"), whole_record=True),
    "minutes_item": Lookup("MinutesItem", _found("minutesItem"), whole_record=True),
    "meeting_decision": Lookup("MeetingDecision", _found("meetingDecision"), whole_record=True),
    "meeting_addendum": Lookup("MeetingAddendum", _found("meetingAddendum"), whole_record=True),
}


async def nonexistent_answer(world: World, kind: str, token: str) -> Answer:
    """What the actor is told when they ask for an id that names nothing, asked once per kind and actor: a refused
    record must be answered exactly so (2,384 of the table's lookups compare with it, 235 pairs)."""
    if (kind, token) not in world.nonexistent:
        asked = {"id": str(uuid.uuid4())}
        world.nonexistent[(kind, token)] = await world.client.op(LOOKUPS[kind].operation, asked, token=token)
    return world.nonexistent[(kind, token)]


def _other_category(category: str) -> str:
    return "finance" if category != "finance" else "housing"


def cast_of(sharing: str, category: str) -> str:
    """The agreement situation a sharing state's families are in (tools/make_decision_table.py SHARING)."""
    if sharing == "none" or sharing.startswith("override") or sharing == "consent_no_agreement":
        return "no_agreement"
    if sharing == "consent_agreement_expired":
        return "expired_agreement"
    if sharing == "consent_agreement_other_category":
        return f"agreement_for_{_other_category(category)}"
    return "agreement"


CASTS = ("agreement", "no_agreement", "expired_agreement", "agreement_for_finance", "agreement_for_housing")


async def _agreement(sessions, cast: str, agencies: dict) -> None:
    """O, R, T and E's agreement in this cast, if any."""
    parties = [agencies[name] for name in ("owner", "recipient", "third", "lead")]
    today = utcnow().date()
    match cast:
        case "agreement":
            await create_agreement(sessions, parties=parties)
        case "expired_agreement":
            await create_agreement(
                sessions, parties=parties, starts_on=today - timedelta(days=400), ends_on=today - timedelta(days=1)
            )
        case "agreement_for_finance" | "agreement_for_housing":
            await create_agreement(sessions, parties=parties, categories=[cast.removeprefix("agreement_for_")])
        case "no_agreement":
            pass
        case _:
            raise AssertionError(f"unknown cast {cast}")


async def _apply_sharing(sessions, sharing, family, category, people, agencies) -> None:
    recipient, third = agencies["recipient"], agencies["third"]
    lead, owner_worker, third_worker = people["lead_professional"], people["owner_worker"], people["third_worker"]
    consent = {"family": family, "recorded_by": lead}
    override = {"family": family, "recipients": [recipient]}
    now = utcnow()
    match sharing:
        case "consent_to_recipient":
            await create_consent(sessions, **consent, categories=[category], agencies=[recipient])
        case "consent_whole_team":
            await create_consent(sessions, **consent, categories=[category])
        case "refused":
            await create_consent(sessions, **consent, categories=[category], decision="refused")
        case "consent_and_refusal":
            await create_consent(sessions, **consent, categories=[category], agencies=[recipient])
            await create_consent(sessions, **consent, categories=[category], agencies=[recipient], decision="refused")
        case "consent_expired":
            await create_consent(
                sessions,
                **consent,
                categories=[category],
                agencies=[recipient],
                valid_from=now - timedelta(days=10),
                valid_to=now - timedelta(days=1),
            )
        case "consent_withdrawn":
            await create_consent(sessions, **consent, categories=[category], agencies=[recipient], withdrawn=True)
        case "consent_not_yet_valid":
            await create_consent(
                sessions, **consent, categories=[category], agencies=[recipient], valid_from=now + timedelta(days=1)
            )
        case "consent_other_category":
            await create_consent(sessions, **consent, categories=[_other_category(category)], agencies=[recipient])
        case "consent_other_agency":
            await create_consent(sessions, **consent, categories=[category], agencies=[third])
        case "override_active":
            await create_override(sessions, **override, decided_by=owner_worker, categories=[category])
        case "override_expired":
            await create_override(
                sessions, **override, decided_by=owner_worker, categories=[category], expires_in=timedelta(days=-1)
            )
        case "override_revoked":
            await create_override(sessions, **override, decided_by=owner_worker, categories=[category], revoked=True)
        case "override_other_category":
            await create_override(sessions, **override, decided_by=owner_worker, categories=[_other_category(category)])
        case "override_by_other_agency":
            await create_override(sessions, **override, decided_by=third_worker, categories=[category])
        case "consent_no_agreement" | "consent_agreement_expired" | "consent_agreement_other_category":
            await create_consent(sessions, **consent, categories=[category])  # the cast's agreement differs
        case "closed_with_consent" | "closed_beyond_read_period":
            await create_consent(sessions, **consent, categories=[category], agencies=[recipient])
            days = 10 if sharing == "closed_with_consent" else 100
            await _close(sessions, family, closed_days_ago=days)
        case "none":
            pass
        case _:
            raise AssertionError(f"unknown sharing state {sharing}")


async def _close(sessions, family, *, closed_days_ago: int) -> None:
    async with unit_of_work(sessions) as session:
        await session.exec(
            Family.__table__.update()
            .where(Family.id == family.id)
            .values(status=FamilyStatus.closed.value, closed_at=utcnow() - timedelta(days=closed_days_ago))
        )


async def _people(sessions) -> tuple[dict, dict]:
    agencies = {
        "owner": await create_agency(sessions, kind=AgencyKind.health),
        "recipient": await create_agency(sessions, kind=AgencyKind.police),
        "third": await create_agency(sessions, kind=AgencyKind.education),
        "lead": await create_agency(sessions, kind=AgencyKind.early_help),
    }
    people = {
        "owner_worker": await create_user(sessions, agency=agencies["owner"]),
        "owner_worker_left": await create_user(sessions, agency=agencies["owner"]),
        "recipient_worker": await create_user(sessions, agency=agencies["recipient"]),
        "recipient_worker_left": await create_user(sessions, agency=agencies["recipient"]),
        "recipient_not_on_team": await create_user(sessions, agency=agencies["recipient"]),
        "third_worker": await create_user(sessions, agency=agencies["third"]),
        "lead_professional": await create_user(sessions, agency=agencies["lead"]),
        "owner_manager": await create_user(sessions, agency=agencies["owner"], role=SystemRole.manager),
        "recipient_manager": await create_user(sessions, agency=agencies["recipient"], role=SystemRole.manager),
        "ig_officer": await create_user(sessions, agency=agencies["lead"], role=SystemRole.ig_officer),
        "admin": await create_user(sessions, agency=agencies["lead"], role=SystemRole.admin),
    }
    return agencies, people


async def _end_memberships(sessions, family, people, leavers: tuple[str, ...]) -> None:
    async with unit_of_work(sessions) as session:
        for leaver in leavers:
            await session.exec(
                TeamMembership.__table__.update()
                .where(TeamMembership.family_id == family.id, TeamMembership.user_id == people[leaver].id)
                .values(valid_to=utcnow())
            )


async def _contributions(sessions, world: World, key: tuple[str, str], family, people) -> None:
    sharing, category = key
    variants = {
        "plain": (people["owner_worker"], False, False),
        "family_summary": (people["owner_worker"], True, False),
        "family_summary_third_party": (people["owner_worker"], True, True),
        "family_summary_police_owner": (people["recipient_worker"], True, False),  # R is a police agency
    }
    for item, (author, summary, third_party) in variants.items():
        text = canary("contribution", category)
        row = await create_contribution(
            sessions,
            family=family,
            author=author,
            category=category,
            family_summary=summary,
            third_party=third_party,
            title=text,
        )
        _remember(world, (sharing, category, "contribution", item), row.id, text)


def _remember(world: World, key: tuple[str, str, str, str], content_id, text: str | None = None) -> None:
    world.items[key] = str(content_id)
    text = text or f"no canary {content_id}"
    world.canaries[str(content_id)] = text
    if CANARY_TEXT.fullmatch(text):
        world.ids_by_canary[text] = str(content_id)
    else:
        world.other_texts[str(content_id)] = text


async def _other_content(sessions, world: World, key: tuple[str, str], family, people) -> None:
    sharing, category = key
    owner, lead = people["owner_worker"], people["lead_professional"]
    facts = {"family": family, "category": category}
    built = {
        **await create_assessment_content(sessions, owner=owner, **facts),
        **await create_review_content(sessions, owner=owner, **facts),
        **await create_escalation_content(sessions, owner=owner, **facts),
        **await create_contact_content(sessions, owner=owner, **facts),
        **await create_service_received_content(sessions, owner=owner, **facts),
        **await create_referral_content(sessions, owner=owner, **facts),
        **await create_panel_content(sessions, owner=owner, **facts),
    }
    for kind, (content_id, text) in built.items():
        _remember(world, (sharing, category, kind, "plain"), content_id, text)
    world.parents[str(built["assessment_rating"][0])] = str(built["assessment_narrative"][0])
    staff = [user for name, user in people.items() if name in STAFF_ACTORS]
    escalation_id = built["escalation_reason"][0]
    await notify(sessions, escalation_raised(family, escalation_id, owner, category), staff)
    for item, agreed in (("plain", False), ("agreed", True)):
        meeting = await create_meeting_content(sessions, chair=lead, owner=owner, agreed=agreed, **facts)
        plan = await create_plan_content(sessions, lead=lead, owner=owner, agreed=agreed, **facts)
        await notify(sessions, action_assigned(family, plan["plan_action"][0], owner, category), staff)
        for kind, (content_id, text) in {**meeting, **plan}.items():
            _remember(world, (sharing, category, kind, item), content_id, text)
    contingencies = (("plain", False, False), ("agreed", True, False), ("agreed_third_party", True, True))
    for item, agreed, third_party in contingencies:
        built = await create_contingency_content(
            sessions, lead=lead, owner=owner, agreed=agreed, third_party=third_party, **facts
        )
        for kind, (content_id, text) in built.items():
            _remember(world, (sharing, category, kind, item), content_id, text)


async def build_world(sessions, live_server: str, table: list[dict[str, str]]) -> World:
    http = httpx.AsyncClient(base_url=live_server, timeout=30)
    world = World(GraphQLClient(http), live_server)
    casts = {}
    for cast in CASTS:
        casts[cast] = await _people(sessions)
        await _agreement(sessions, cast, casts[cast][0])
        for name, user in casts[cast][1].items():
            world.tokens[(cast, name)] = await issue_token(sessions, user)
    for key in sorted({(row["sharing"], row["category"]) for row in table}):
        sharing, category = key
        agencies, people = casts[cast_of(sharing, category)]
        team = tuple(
            people[name]
            for name in (
                "owner_worker",
                "recipient_worker",
                "third_worker",
                "owner_worker_left",
                "recipient_worker_left",
            )
        )
        family = await create_family(sessions, lead=people["lead_professional"], contributors=team)
        await _end_memberships(sessions, family, people, ("owner_worker_left", "recipient_worker_left"))
        world.families[key] = str(family.id)
        await _contributions(sessions, world, key, family, people)
        await _other_content(sessions, world, key, family, people)
        # Sharing changes after the content was written and its notifications were delivered.
        await _apply_sharing(sessions, sharing, family, category, people, agencies)
        world.family_tokens[key] = await issue_token(sessions, await create_family_user(sessions, family=family))
    stranger = await create_family(sessions, lead=casts["agreement"][1]["lead_professional"])
    world.stranger_token = await issue_token(sessions, await create_family_user(sessions, family=stranger))
    return world


async def inbox(world: World, token: str) -> list[Answer]:
    """Every page of the actor's notification inbox, newest first."""
    pages, after = [], None
    while True:
        page = await world.client.op("Inbox", {"first": 100, "after": after}, token=token)
        pages.append(page)
        info = page["data"]["inbox"]["pageInfo"]
        if not info["hasNextPage"]:
            return pages
        after = info["endCursor"]


async def replay(world: World, token: str, count: int) -> list[Answer]:
    """What `notifications(after: "0")` replays over a real socket: `count` notifications, then nothing.
    Nothing is raised while it replays, so there is no need to wait for the subscription to start
    (`ws_client.following`): the replay's first notification is what shows it started."""
    async with ws_client.socket(world.base_url, {"Authorization": f"Bearer {token}"}) as ws:
        await ws_client.subscribe(ws, {"after": "0"})
        received = await ws_client.notifications(ws, count, wait=30) if count else []
        try:
            # as long after the subscription as before when nothing came (the wait it no longer makes)
            extra = await ws_client.receive(ws, wait=0.5 if count else 0.8)
        except TimeoutError:
            return received
    raise AssertionError(f"replay sent more than the inbox holds: {extra}")


async def my_work(world: World, token: str) -> tuple[Answer, list[Answer]]:
    """What My work shows the actor: the home page (whose unread notifications are the inbox's), and its lists
    on their own: the sign-in's banner query and every page of the actions and escalations (one actor leads
    or owns work in many of the table's families)."""
    home = await world.client.op("MyWork", {"first": 100}, token=token)
    answers = [await world.client.op("LiveStart", {}, token=token)]
    for operation, field_name in (("MyActions", "actions"), ("MyEscalations", "escalations")):
        after = None
        while True:
            page = await world.client.op(operation, {"first": 100, "after": after}, token=token)
            answers.append(page)
            info = page["data"]["myWork"][field_name]["pageInfo"]
            if not info["hasNextPage"]:
                break
            after = info["endCursor"]
    return home, answers


NOTIFICATION_OPERATIONS = {"Inbox", "Notifications"}  # the inbox and the socket's replay (tests below)
MY_WORK_OPERATIONS = {"MyWork", "LiveStart", "MyActions", "MyEscalations"}  # my_work() (test below)
TABLE_OPERATIONS = (
    {path.operation for paths in READERS.values() for path in paths}
    | {lookup.operation for lookup in LOOKUPS.values()}
    | NOTIFICATION_OPERATIONS
    | MY_WORK_OPERATIONS
)
