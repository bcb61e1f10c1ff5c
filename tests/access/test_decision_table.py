"""Runs every row of policies/decisions.csv through the real GraphQL API against PostgreSQL: a lookup
by id, the family's item list (and its count), and the family's chronology must all agree with the
row's expected decision."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from server.agency.models import AgencyKind
from server.config import REPO_ROOT
from server.db.columns import utcnow
from server.db.engine import unit_of_work
from server.team.models import TeamMembership
from server.user.models import SystemRole
from tests.builders import (
    create_agency,
    create_consent,
    create_contribution,
    create_family,
    create_family_user,
    create_override,
    create_user,
    issue_token,
)

with (REPO_ROOT / "policies" / "decisions.csv").open() as table_file:
    TABLE = list(csv.DictReader(table_file))
ALL_CATEGORIES = sorted({row["category"] for row in TABLE})


def other_category(category: str) -> str:
    return "finance" if category != "finance" else "housing"


@dataclass
class World:
    tokens: dict[str, str] = field(default_factory=dict)
    families: dict[tuple[str, str], object] = field(default_factory=dict)  # (sharing, category) -> Family
    items: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (sharing, category, item) -> id
    family_tokens: dict[tuple[str, str], str] = field(default_factory=dict)  # portal account per family


async def apply_sharing(sessions, sharing, family, category, people, agencies) -> None:
    owner, recipient, third = agencies["owner"], agencies["recipient"], agencies["third"]
    lead, owner_worker, third_worker = people["lead_professional"], people["owner_worker"], people["third_worker"]
    consent = {"family": family, "recorded_by": lead}
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
            await create_consent(sessions, **consent, categories=[other_category(category)], agencies=[recipient])
        case "consent_other_agency":
            await create_consent(sessions, **consent, categories=[category], agencies=[third])
        case "override_active":
            await create_override(
                sessions, family=family, decided_by=owner_worker, categories=[category], recipients=[recipient]
            )
        case "override_expired":
            await create_override(
                sessions,
                family=family,
                decided_by=owner_worker,
                categories=[category],
                recipients=[recipient],
                expires_in=timedelta(days=-1),
            )
        case "override_revoked":
            await create_override(
                sessions,
                family=family,
                decided_by=owner_worker,
                categories=[category],
                recipients=[recipient],
                revoked=True,
            )
        case "override_other_category":
            await create_override(
                sessions,
                family=family,
                decided_by=owner_worker,
                categories=[other_category(category)],
                recipients=[recipient],
            )
        case "override_by_other_agency":
            await create_override(
                sessions, family=family, decided_by=third_worker, categories=[category], recipients=[recipient]
            )
        case "none":
            pass
        case _:
            raise AssertionError(f"unknown sharing state {sharing}")
    assert owner  # the owning agency writes every item


@pytest.fixture(scope="module")
async def world(sessions) -> World:
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
    built = World()
    for name, user in people.items():
        built.tokens[name] = await issue_token(sessions, user)
    team = tuple(
        people[name]
        for name in ("owner_worker", "recipient_worker", "third_worker", "owner_worker_left", "recipient_worker_left")
    )
    needed = {(row["sharing"], row["category"]) for row in TABLE}
    for sharing, category in sorted(needed):
        family = await create_family(sessions, lead=people["lead_professional"], contributors=team)
        async with unit_of_work(sessions) as session:
            for leaver in ("owner_worker_left", "recipient_worker_left"):
                membership = (
                    await session.exec(
                        TeamMembership.__table__.select().where(
                            TeamMembership.family_id == family.id, TeamMembership.user_id == people[leaver].id
                        )
                    )
                ).first()
                await session.exec(
                    TeamMembership.__table__.update()
                    .where(TeamMembership.id == membership.id)
                    .values(valid_to=utcnow())
                )
        await apply_sharing(sessions, sharing, family, category, people, agencies)
        built.families[(sharing, category)] = family
        for item, (summary, third_party) in {
            "plain": (False, False),
            "family_summary": (True, False),
            "family_summary_third_party": (True, True),
        }.items():
            row = await create_contribution(
                sessions,
                family=family,
                author=people["owner_worker"],
                category=category,
                family_summary=summary,
                third_party=third_party,
            )
            built.items[(sharing, category, item)] = str(row.id)
        portal = await create_family_user(sessions, family=family)
        built.family_tokens[(sharing, category)] = await issue_token(sessions, portal)
    stranger_family = await create_family(sessions, lead=people["lead_professional"])
    built.tokens["other_family_member"] = await issue_token(
        sessions, await create_family_user(sessions, family=stranger_family)
    )
    return built


def token_for(world: World, actor: str, sharing: str, category: str) -> str:
    return world.family_tokens[(sharing, category)] if actor == "family_member" else world.tokens[actor]


def test_the_table_is_big_enough_and_covers_every_state():
    assert len(TABLE) >= 200
    assert {row["sharing"] for row in TABLE} >= {
        "none",
        "consent_to_recipient",
        "refused",
        "consent_expired",
        "consent_withdrawn",
        "override_active",
        "override_expired",
    }
    assert len({row["actor"] for row in TABLE}) == 13


@pytest.mark.parametrize("row", TABLE, ids=[row["case"] for row in TABLE])
async def test_lookup_by_id(gql, world, row):
    # given the row's actor, item and sharing state
    item_id = world.items[(row["sharing"], row["category"], row["item"])]
    token = token_for(world, row["actor"], row["sharing"], row["category"])
    # when they ask for the item by its id
    result = await gql.op("Contribution", {"id": item_id}, token=token)
    # then they get it exactly when the table allows, and otherwise the answer for a missing id
    if row["expected"] == "allow":
        assert result["data"]["contribution"]["id"] == item_id, row["why"]
    else:
        assert result["data"] is None and result["errors"][0]["extensions"]["code"] == "NOT_FOUND", row["why"]


def list_cases() -> list[tuple[str, str, str]]:
    return sorted({(row["actor"], row["sharing"], row["category"]) for row in TABLE})


@pytest.mark.parametrize(("actor", "sharing", "category"), list_cases(), ids=["/".join(c) for c in list_cases()])
async def test_lists_counts_and_chronology(gql, world, actor, sharing, category):
    # given the items of one family that the table lets this actor see
    rows = [row for row in TABLE if (row["actor"], row["sharing"], row["category"]) == (actor, sharing, category)]
    allowed = {world.items[(sharing, category, row["item"])] for row in rows if row["expected"] == "allow"}
    denied = {world.items[(sharing, category, row["item"])] for row in rows if row["expected"] == "deny"}
    family_id = str(world.families[(sharing, category)].id)
    token = token_for(world, actor, sharing, category)
    # when they list the family's items and read its chronology
    listed = await gql.op("FamilyContributions", {"familyId": family_id}, token=token)
    chronology = await gql.op("FamilyChronology", {"familyId": family_id}, token=token)
    # then the list, its count and the chronology hold every allowed item and no denied one
    if listed["data"] is None:
        assert listed["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert chronology["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert not allowed
        return
    page = listed["data"]["family"]["contributions"]
    ids = {node["id"] for node in page["nodes"]}
    assert allowed <= ids and not denied & ids
    assert page["totalCount"] == len(ids)
    subjects = {entry["subjectId"] for entry in chronology["data"]["family"]["chronology"]}
    assert allowed <= subjects and not denied & subjects


def test_every_row_is_reached_by_both_paths():
    counts = defaultdict(int)
    for row in TABLE:
        counts[row["expected"]] += 1
    assert counts["allow"] > 50 and counts["deny"] > 200
