"""The people: agencies, families and their members, staff, and each family's team (about `team_mean` active
members drawn from the staff, exactly one active lead professional, and some who have left)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bench.data.plan import AGENCY_KINDS, LEVELS, STATUSES
from bench.data.words import AGENCY_ROLES, FIRST_NAMES, SURNAMES

if TYPE_CHECKING:
    from bench.data.generator import Generator

AGENCY_COLUMNS = ("id", "name", "kind", "created_at")
FAMILY_COLUMNS = (
    "id",
    "reference",
    "display_name",
    "status",
    "level_of_need",
    "opened_at",
    "closed_at",
    "version",
    "updated_at",
)
USER_COLUMNS = ("id", "email", "display_name", "kind", "role", "agency_id", "is_active", "created_at")
MEMBERSHIP_COLUMNS = (
    "id",
    "family_id",
    "agency_id",
    "user_id",
    "role",
    "agency_role",
    "contact_in_hours",
    "contact_out_of_hours",
    "valid_from",
    "valid_to",
    "ended_reason",
    "created_at",
)


async def agencies(g: Generator) -> None:
    world, created = g.world, g.world.now - timedelta(days=1500)
    rows = []
    for index in range(g.plan.agencies):
        kind = AGENCY_KINDS[index % len(AGENCY_KINDS)]
        agency_id = g.new_id()
        world.agency_ids.append(agency_id)
        name = f"Bench {kind.replace('_', ' ').title()} {index // len(AGENCY_KINDS) + 1:02d}"
        rows.append((agency_id, name, kind, created))
    await g.copy("agency", AGENCY_COLUMNS, rows)


async def families(g: Generator) -> None:
    rng, world = g.rng, g.world

    def rows() -> Iterable[tuple]:
        for index in range(g.plan.families):
            family_id = g.new_id()
            designed = index in (world.family_a, world.family_b)
            opened = g.days_ago(700, 730) if designed else g.days_ago(30, 1100)
            status = "active" if designed else rng.choices(STATUSES, weights=(10, 10, 50, 10, 10, 10))[0]
            closed = min(opened + timedelta(days=rng.uniform(90, 400)), world.now) if status == "closed" else None
            world.family_ids.append(family_id)
            world.family_opened.append(opened)
            world.family_status.append(status)
            surname = rng.choice(SURNAMES)
            yield (
                family_id,
                f"TAF-{1001 + index}",
                f"The {surname} family",
                status,
                rng.choice(LEVELS),
                opened,
                closed,
                1,
                closed or opened,
            )

    await g.copy("family", FAMILY_COLUMNS, rows())
    await g.connection.execute("SELECT setval('family_reference_seq', $1)", 1000 + g.plan.families)


async def family_members(g: Generator) -> None:
    rng, world = g.rng, g.world
    today = world.now.date()

    def rows() -> Iterable[tuple]:
        for index, family_id in enumerate(world.family_ids):
            surname = rng.choice(SURNAMES)
            if index in (world.family_a, world.family_b):
                people = [("mother", 38, False), ("son", 14, True), ("daughter", 9, True)]
            else:
                adult = rng.choice(["mother", "father", "grandmother", "aunt", "stepfather"])
                children = [
                    (rng.choice(["son", "daughter"]), rng.randint(0, 17), True) for _ in range(rng.randint(1, 4))
                ]
                people = [(adult, rng.randint(22, 60), False), *children]
            members = []
            for relationship, age, subject in people:
                member_id = g.new_id()
                members.append((member_id, age))
                born = date(today.year - age, 1, 1) + timedelta(days=rng.randint(0, 360))
                yield (
                    member_id,
                    family_id,
                    f"{rng.choice(FIRST_NAMES)} {surname}",
                    born,
                    relationship,
                    subject,
                    world.family_opened[index],
                )
            world.members.append(members)

    columns = ("id", "family_id", "full_name", "date_of_birth", "relationship", "is_subject_child", "created_at")
    await g.copy("family_member", columns, rows())


async def users(g: Generator) -> None:
    rng, world, plan = g.rng, g.world, g.plan
    ig_officers = max(2, plan.users // 100)
    admins = max(1, plan.users // 400)
    created = world.now - timedelta(days=1400)
    rows = []
    for index in range(plan.users):
        if index < plan.agencies:  # every agency has a manager
            agency, role = index, "manager"
        elif index < plan.agencies + ig_officers:
            agency, role = rng.randrange(plan.agencies), "ig_officer"
        elif index < plan.agencies + ig_officers + admins:
            agency, role = rng.randrange(plan.agencies), "admin"
        else:
            agency = rng.randrange(plan.agencies)
            role = "manager" if rng.random() < 0.03 else "practitioner"
        user_id = g.new_id()
        world.user_ids.append(user_id)
        world.user_agency.append(agency)
        world.user_role.append(role)
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        rows.append(
            (
                user_id,
                f"user{index:05d}@bench.example",
                name,
                "staff",
                role,
                world.agency_ids[agency],
                True,
                created,
            )
        )
    world.actor = world.user_role.index("practitioner")
    await g.copy("app_user", USER_COLUMNS, rows)


def _team(g: Generator, family: int, eligible: list[int], practitioners: list[int]) -> list[int]:
    """Active team members, lead professional (a practitioner) first."""
    rng, world = g.rng, g.world
    size = min(rng.randint(g.plan.team_mean - 20, g.plan.team_mean + 20), len(eligible) - 10)
    team = rng.sample(eligible, size)
    if family in (world.family_a, world.family_b):
        actor_agency = world.user_agency[world.actor]
        if world.actor in team:
            team.remove(world.actor)
        team.append(world.actor)
        lead = rng.choice([user for user in practitioners if world.user_agency[user] != actor_agency])
        if lead in team:
            team.remove(lead)
        return [lead, *team]
    lead = next((user for user in team if world.user_role[user] == "practitioner"), None)
    if lead is None:
        lead = rng.choice([user for user in practitioners if user not in team])
        team[0] = lead
    team.remove(lead)
    return [lead, *team]


async def team_memberships(g: Generator) -> None:
    rng, world = g.rng, g.world
    eligible = [i for i, role in enumerate(world.user_role) if role in ("practitioner", "manager")]
    practitioners = [i for i, role in enumerate(world.user_role) if role == "practitioner"]

    def rows() -> Iterable[tuple]:
        for family, family_id in enumerate(world.family_ids):
            opened = world.family_opened[family]
            team = _team(g, family, eligible, practitioners)
            world.teams.append(team)
            for position, user in enumerate(team):
                joined = opened if position == 0 else g.between(opened, opened + timedelta(days=60))
                yield _membership(g, family_id, user, "lead_professional" if position == 0 else "contributor", joined)
            # Agencies that left the team: an earlier lead now and then, and a few contributors.
            members = set(team)
            leavers = [user for user in rng.sample(practitioners, 8) if user not in members]
            ended = leavers[: rng.randint(0, 4)]
            for number, user in enumerate(ended):
                role = "lead_professional" if number == 0 and rng.random() < 0.3 else "contributor"
                joined = opened
                left = g.between(joined + timedelta(days=7), world.now)
                yield _membership(g, family_id, user, role, joined, left)

    await g.copy("team_membership", MEMBERSHIP_COLUMNS, rows())


def _membership(
    g: Generator, family_id: uuid.UUID, user: int, role: str, joined: datetime, left: datetime | None = None
) -> tuple:
    world = g.world
    return (
        g.new_id(),
        family_id,
        world.agency_ids[world.user_agency[user]],
        world.user_ids[user],
        role,
        AGENCY_ROLES[user % len(AGENCY_ROLES)],
        f"01632 96{user % 10_000:04d}",
        "Emergency Duty Team 0300 555 0100",
        joined,
        left,
        "Agency's work with the family ended" if left else None,
        joined,
    )
