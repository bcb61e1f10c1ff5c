"""How many rows of each kind a scale asks for, what the measurements need to know of what was generated,
and the values of the schema's enumerations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from graphql import EnumTypeDefinitionNode, parse

ROOT = Path(__file__).resolve().parents[2]


def _enums() -> dict[str, list[str]]:
    """Each enumeration of the public contract (graphql/schema.graphql), its values in order: the API's
    values are the ones stored, so the data speaks the API's words without importing the server."""
    document = parse((ROOT / "graphql" / "schema.graphql").read_text())
    return {
        definition.name.value: [value.name.value for value in definition.values or ()]
        for definition in document.definitions
        if isinstance(definition, EnumTypeDefinitionNode)
    }


ENUMS = _enums()
CATEGORIES = ENUMS["InformationCategory"]
KINDS = ENUMS["ContributionKind"]
AGENCY_KINDS = ENUMS["AgencyKind"]
LAWFUL_BASES = ENUMS["LawfulBasis"]
STATUSES = ENUMS["FamilyStatus"]
LEVELS = ENUMS["LevelOfNeed"]
DOMAINS = ENUMS["OutcomeDomain"]


@dataclass(frozen=True)
class Plan:
    """How many rows of each kind a scale asks for (1.0 = the numbers of issues 3 and 8)."""

    scale: float
    families: int
    users: int
    agencies: int
    team_mean: int
    contributions: int
    consents: int
    overrides: int
    decisions: int
    meetings: int
    goals_per_family: int = 3
    actions_per_goal: int = 2
    reviews_per_family: int = 2

    @classmethod
    def at(cls, scale: float) -> Plan:
        def scaled(count: int, low: int) -> int:
            return max(low, round(count * scale))

        families = scaled(10_000, 20)
        return cls(
            scale=scale,
            families=families,
            users=scaled(2_000, 150),
            agencies=60,
            team_mean=50,
            contributions=max(scaled(500_000, 500), 220 + (families - 2)),
            consents=scaled(100_000, 100),
            overrides=scaled(3_000, 20),
            decisions=scaled(1_000, 10),
            meetings=5 * families,
        )


@dataclass
class World:
    """What the measurements need to know about the generated data."""

    now: datetime
    agency_ids: list[uuid.UUID] = field(default_factory=list)
    user_ids: list[uuid.UUID] = field(default_factory=list)
    user_agency: list[int] = field(default_factory=list)
    user_role: list[str] = field(default_factory=list)
    family_ids: list[uuid.UUID] = field(default_factory=list)
    family_opened: list[datetime] = field(default_factory=list)
    family_status: list[str] = field(default_factory=list)
    members: list[list[tuple[uuid.UUID, int]]] = field(default_factory=list)  # (id, age), adult first
    teams: list[list[int]] = field(default_factory=list)  # active user indexes, lead first
    actor: int = -1
    family_a: int = 0
    family_b: int = 1
    writer_family: int = 2  # a family whose lead writes in `make bench` (not A or B: their counts are fixed)

    def summary(self) -> dict[str, Any]:
        return {
            "actor_user_id": str(self.user_ids[self.actor]),
            "actor_agency_id": str(self.agency_ids[self.user_agency[self.actor]]),
            "family_a_id": str(self.family_ids[self.family_a]),
            "family_b_id": str(self.family_ids[self.family_b]),
            "writer_family_id": str(self.family_ids[self.writer_family]),
            "writer_user_id": str(self.user_ids[self.teams[self.writer_family][0]]),
        }
