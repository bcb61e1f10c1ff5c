"""Consent-based sharing: the area's data-sharing agreement, contributions (each with its first version),
consents and refusals, safeguarding overrides, decisions not to share and engagement agreements; families A
and B by hand (bench/data/generator.py)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bench.data.plan import CATEGORIES, KINDS, LAWFUL_BASES
from bench.data.words import SENTENCES, TITLE_WORDS
from bench.data.writer import BATCH

if TYPE_CHECKING:
    from bench.data.generator import Generator

# What family A's (and B's) whole-team consent covers: every category except mental health (refused
# by the young person), police (its consents expired or were withdrawn) and domestic abuse (shared with
# the actor's agency alone).
A_WHOLE_TEAM = [
    "health",
    "education",
    "youth_justice",
    "housing",
    "social_care",
    "substance_misuse",
    "family_history",
    "finance",
    "other",
]


AGREEMENT_COLUMNS = (
    "id", "title", "categories", "purposes", "lawful_basis", "lawful_basis_detail", "starts_on", "review_on",
    "ends_on", "document_reference", "version", "created_by_user_id", "created_at", "updated_at",
)  # fmt: skip
PARTY_COLUMNS = ("agreement_id", "agency_id", "ig_contact_name", "ig_contact_email", "ig_contact_phone")


# What a contribution says, copied into its first version: columns, and where they sit in _item's rows.
CONTENT_COLUMNS = (
    "kind",
    "category",
    "title",
    "body",
    "about_member_ids",
    "may_appear_in_family_summary",
    "contains_third_party_identities",
)
CONTENT = slice(4, 4 + len(CONTENT_COLUMNS))


async def agreement(g: Generator) -> None:
    """The area's multi-agency information-sharing agreement: every agency, every category, in force (sharing
    by consent between two agencies needs one), so that consents share what they are meant to."""
    world, today = g.world, g.world.now.date()
    agreement_id = g.new_id()
    row = (
        agreement_id, "Bench area information-sharing agreement", CATEGORIES, "Early help", "public_task", "",
        today - timedelta(days=400), today + timedelta(days=100), today + timedelta(days=700), "BENCH-ISA", 1,
        world.user_ids[0], world.now, world.now,
    )  # fmt: skip
    await g.copy("data_sharing_agreement", AGREEMENT_COLUMNS, [row])
    parties = [(agreement_id, agency_id, "Bench IG", "ig@bench.example", "") for agency_id in world.agency_ids]
    await g.copy("data_sharing_agreement_party", PARTY_COLUMNS, parties)


async def contributions(g: Generator) -> None:
    started = time.perf_counter()
    rng, world, plan = g.rng, g.world, g.plan
    counts = [0] * plan.families
    counts[world.family_a], counts[world.family_b] = 200, 20
    others = [index for index in range(plan.families) if index not in (world.family_a, world.family_b)]
    for index in others:  # every family has at least one item
        counts[index] = 1
    for _ in range(plan.contributions - sum(counts)):
        counts[rng.choice(others)] += 1
    # Items are written over time, across families, so rows land in created_at order and a family's
    # items are spread over the table as in a real system (not clustered by family).
    timeline = [
        (g.between(world.family_opened[family], world.now), family)
        for family, count in enumerate(counts)
        for _ in range(count)
    ]
    timeline.sort(key=lambda pair: pair[0])
    contribution_columns = (
        "id",
        "family_id",
        "owning_agency_id",
        "author_user_id",
        *CONTENT_COLUMNS,
        "version",
        "created_at",
        "updated_at",
    )
    version_columns = ("id", "contribution_id", "version", "editor_user_id", *CONTENT_COLUMNS, "created_at")
    for start in range(0, len(timeline), BATCH):
        items = [_item(g, created, family) for created, family in timeline[start : start + BATCH]]
        await g.copy("contribution", contribution_columns, items)
        versions = [(g.new_id(), item[0], 1, item[3], *item[CONTENT], item[12]) for item in items]
        await g.copy("contribution_version", version_columns, versions)
    # Generating the items (and the timeline) counts towards contribution, the versions' copies not.
    total = time.perf_counter() - started
    g.timings["contribution"].seconds = total - g.timings["contribution_version"].seconds


def _body(g: Generator) -> str:
    return " ".join(g.rng.sample(SENTENCES, g.rng.randint(2, 4)))


def _item(g: Generator, created: datetime, family: int) -> tuple:
    rng, world = g.rng, g.world
    author = rng.choice(world.teams[family])
    category = rng.choice(CATEGORIES)
    members = world.members[family]
    about = [member for member, _ in rng.sample(members, rng.randint(0, min(2, len(members))))]
    return (
        g.new_id(),
        world.family_ids[family],
        world.agency_ids[world.user_agency[author]],
        world.user_ids[author],
        rng.choice(KINDS),
        category,
        rng.choice(TITLE_WORDS[category]),
        _body(g),
        about,
        rng.random() < 0.3,
        rng.random() < 0.1,
        1,
        created,
        created,
    )


async def consents(g: Generator) -> None:
    rng, world, plan = g.rng, g.world, g.plan
    others = [index for index in range(plan.families) if index not in (world.family_a, world.family_b)]

    def random_consent() -> tuple:
        family = rng.choice(others)
        given_by, _age = rng.choice([member for member in world.members[family] if member[1] >= 12])
        adult = world.members[family][0][0] == given_by
        capacity = rng.choice(["self", "parental_responsibility"]) if adult else "self"
        whole_team = rng.random() < 0.5
        agencies = g.team_agencies(family)
        recipients = [] if whole_team else rng.sample(agencies, min(len(agencies), rng.randint(1, 3)))
        valid_from = g.between(world.family_opened[family], world.now - timedelta(days=1))
        roll = rng.random()
        if roll < 0.60:
            valid_to = None
        elif roll < 0.85:
            valid_to = world.now + timedelta(days=rng.uniform(30, 365))
        else:  # expired
            valid_to = g.between(valid_from + timedelta(hours=1), world.now - timedelta(minutes=1))
        withdrawn = rng.random() < 0.1
        return _consent(
            g,
            family,
            given_by,
            capacity,
            "given" if rng.random() < 0.8 else "refused",
            rng.sample(CATEGORIES, rng.randint(1, 5)),
            whole_team,
            [world.agency_ids[agency] for agency in recipients],
            rng.choice(world.teams[family]),
            valid_from,
            valid_to,
            g.between(valid_from, world.now) if withdrawn else None,
        )

    def rows() -> Iterable[tuple]:
        for family in (world.family_a, world.family_b):
            yield from _designed_consents(g, family)
        for _ in range(plan.consents - 10):
            yield random_consent()

    columns = (
        "id",
        "family_id",
        "given_by_member_id",
        "capacity",
        "decision",
        "categories",
        "whole_team",
        "recipient_agency_ids",
        "purpose",
        "evidence_reference",
        "recorded_by_user_id",
        "valid_from",
        "valid_to",
        "withdrawn_at",
        "withdrawn_by_user_id",
        "withdrawal_reason",
        "created_at",
    )
    await g.copy("consent", columns, rows())


def _designed_consents(g: Generator, family: int) -> list[tuple]:
    world = g.world
    mother, son = world.members[family][0][0], world.members[family][1][0]
    lead = world.teams[family][0]
    actor_agency = world.agency_ids[world.user_agency[world.actor]]
    since = world.now - timedelta(days=180)
    return [
        _consent(g, family, mother, "parental_responsibility", "given", A_WHOLE_TEAM, True, [], lead, since),
        _consent(g, family, son, "self", "refused", ["mental_health"], True, [], lead, since),
        _consent(g, family, mother, "self", "given", ["domestic_abuse"], False, [actor_agency], lead, since),
        _consent(g, family, mother, "self", "given", ["police"], True, [], lead, since, world.now - timedelta(days=30)),
        _consent(
            g,
            family,
            mother,
            "self",
            "given",
            ["police", "mental_health"],
            True,
            [],
            lead,
            since,
            None,
            world.now - timedelta(days=10),
        ),
    ]


def _consent(
    g: Generator,
    family: int,
    given_by: uuid.UUID,
    capacity: str,
    decision: str,
    categories: list[str],
    whole_team: bool,
    recipients: list[uuid.UUID],
    recorded_by: int,
    valid_from: datetime,
    valid_to: datetime | None = None,
    withdrawn_at: datetime | None = None,
) -> tuple:
    world = g.world
    g.evidence += 1
    return (
        g.new_id(),
        world.family_ids[family],
        given_by,
        capacity,
        decision,
        categories,
        whole_team,
        recipients,
        "To coordinate the family's early help plan",
        f"Signed form CS-{g.evidence:06d}",
        world.user_ids[recorded_by],
        valid_from,
        valid_to,
        withdrawn_at,
        world.user_ids[recorded_by] if withdrawn_at else None,
        "The family asked to stop sharing" if withdrawn_at else None,
        valid_from,
    )


async def overrides(g: Generator) -> None:
    rng, world, plan = g.rng, g.world, g.plan
    others = [index for index in range(plan.families) if index not in (world.family_a, world.family_b)]
    ig_officers = [i for i, role in enumerate(world.user_role) if role == "ig_officer"]

    def random_override() -> tuple:
        family = rng.choice(others)
        decider = rng.choice(world.teams[family])
        owner = world.user_agency[decider]
        recipients = [agency for agency in g.team_agencies(family) if agency != owner]
        starts = g.days_ago(0.5, 150)
        expires = starts + timedelta(days=rng.uniform(7, 90))
        revoked = rng.random() < 0.1 and expires > starts + timedelta(days=1)
        reviewed = rng.random() < 0.3
        return _override(
            g,
            family,
            decider,
            rng.sample(CATEGORIES, rng.randint(1, 2)),
            rng.sample(recipients, min(len(recipients), rng.randint(1, 3))),
            starts,
            expires,
            revoked=rng.choice(ig_officers) if revoked else None,
            reviewed=rng.choice(ig_officers) if reviewed else None,
            informed=rng.random() < 0.7,
        )

    def rows() -> Iterable[tuple]:
        actor_agency = world.user_agency[world.actor]
        for family in (world.family_a, world.family_b):
            team = world.teams[family]
            decider = next(user for user in team[1:] if world.user_agency[user] != actor_agency)
            now = world.now
            categories = ["mental_health", "police"]
            yield _override(
                g, family, decider, categories, [actor_agency], now - timedelta(days=5), now + timedelta(days=30)
            )
            yield _override(
                g, family, decider, ["finance"], [actor_agency], now - timedelta(days=90), now - timedelta(days=20)
            )
            yield _override(
                g,
                family,
                decider,
                ["substance_misuse"],
                [actor_agency],
                now - timedelta(days=9),
                now + timedelta(days=50),
                revoked=ig_officers[0],
            )
        for _ in range(plan.overrides - 6):
            yield random_override()

    columns = (
        "id",
        "family_id",
        "owning_agency_id",
        "decided_by_user_id",
        "categories",
        "recipient_agency_ids",
        "justification",
        "lawful_basis",
        "advice_sought",
        "family_informed",
        "not_informed_reason",
        "starts_at",
        "expires_at",
        "revoked_at",
        "revoked_by_user_id",
        "revocation_reason",
        "reviewed_at",
        "reviewed_by_user_id",
        "review_note",
        "created_at",
    )
    await g.copy("safeguarding_override", columns, rows())


def _override(
    g: Generator,
    family: int,
    decider: int,
    categories: list[str],
    recipients: list[int],
    starts: datetime,
    expires: datetime,
    *,
    revoked: int | None = None,
    reviewed: int | None = None,
    informed: bool = False,
) -> tuple:
    world, rng = g.world, g.rng
    revoked_at = g.between(starts, min(expires, world.now)) if revoked is not None else None
    reviewed_at = g.between(starts, world.now) if reviewed is not None else None
    return (
        g.new_id(),
        world.family_ids[family],
        world.agency_ids[world.user_agency[decider]],
        world.user_ids[decider],
        categories,
        [world.agency_ids[agency] for agency in recipients],
        "A child is at risk of significant harm; the school must know today to keep them safe.",
        rng.choice(LAWFUL_BASES),
        "Discussed with the designated safeguarding lead",
        informed,
        None if informed else "Telling the family now could put the child at greater risk",
        starts,
        expires,
        revoked_at,
        world.user_ids[revoked] if revoked is not None else None,
        "No longer necessary" if revoked is not None else None,
        reviewed_at,
        world.user_ids[reviewed] if reviewed is not None else None,
        "Proportionate and time-limited" if reviewed is not None else None,
        starts,
    )


async def sharing_decisions(g: Generator) -> None:
    rng, world = g.rng, g.world

    def rows() -> Iterable[tuple]:
        for _ in range(g.plan.decisions):
            family = rng.randrange(g.plan.families)
            decider = rng.choice(world.teams[family])
            owner = world.user_agency[decider]
            recipients = [agency for agency in g.team_agencies(family) if agency != owner]
            yield (
                g.new_id(),
                world.family_ids[family],
                world.agency_ids[owner],
                world.user_ids[decider],
                rng.sample(CATEGORIES, rng.randint(1, 2)),
                [world.agency_ids[agency] for agency in rng.sample(recipients, min(2, len(recipients)))],
                "Not necessary or proportionate for the plan at this stage.",
                g.days_ago(1, 300),
            )

    columns = (
        "id",
        "family_id",
        "owning_agency_id",
        "decided_by_user_id",
        "categories",
        "recipient_agency_ids",
        "reason",
        "created_at",
    )
    await g.copy("sharing_decision", columns, rows())


async def engagement_agreements(g: Generator) -> None:
    rng, world = g.rng, g.world

    def rows() -> Iterable[tuple]:
        for family, family_id in enumerate(world.family_ids):
            lead = world.teams[family][0]
            yield (
                g.new_id(),
                family_id,
                world.members[family][0][0],
                rng.random() < 0.92,
                "",
                world.user_ids[lead],
                world.family_opened[family],
                None,
            )

    columns = (
        "id",
        "family_id",
        "member_id",
        "agreed",
        "notes",
        "recorded_by_user_id",
        "recorded_at",
        "withdrawn_at",
    )
    await g.copy("engagement_agreement", columns, rows())
