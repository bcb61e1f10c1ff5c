"""The family's chronology: significant events across agencies, each shown only to whoever may see
the record it comes from (the same decisions as everywhere else)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import pagination
from server.access.pep import AccessControl
from server.consent import service as consent_service
from server.contribution import service as contribution_service
from server.family.models import Family
from server.safeguarding import service as safeguarding_service
from server.team.models import TeamMembership


@dataclass(frozen=True)
class ChronologyEntry:
    at: datetime
    kind: str
    summary: str
    agency_id: uuid.UUID | None
    subject_id: uuid.UUID


async def for_family(
    session: AsyncSession, access: AccessControl, family_id: uuid.UUID, *, first: int = 100
) -> list[ChronologyEntry]:
    pagination.check_first(first)
    await access.require_visible_family(session, family_id)
    family = await session.get(Family, family_id)
    assert family is not None
    entries = [
        ChronologyEntry(family.opened_at, "family_opened", f"Referral opened ({family.reference})", None, family.id)
    ]
    entries += await _team(session, family_id)
    page = await contribution_service.list_for_family(session, access, family_id=family_id, first=first)
    entries += [
        ChronologyEntry(c.created_at, f"contribution_{c.kind.value}", c.title, c.owning_agency_id, c.id)
        for c in page.items
    ]
    for consent in await consent_service.list_for_family(session, access, family_id):
        categories = ", ".join(consent.categories)
        entries.append(
            ChronologyEntry(
                consent.created_at,
                f"consent_{consent.decision.value}",
                f"Consent {consent.decision.value}: {categories}",
                None,
                consent.id,
            )
        )
        if consent.withdrawn_at:
            entries.append(
                ChronologyEntry(
                    consent.withdrawn_at,
                    "consent_withdrawn",
                    f"Consent withdrawn: {categories}",
                    None,
                    consent.id,
                )
            )
    for override in await safeguarding_service.for_family(session, access, family_id):
        entries.append(
            ChronologyEntry(
                override.created_at,
                "safeguarding_override",
                "Information shared without consent to safeguard a child",
                override.owning_agency_id,
                override.id,
            )
        )
    for decision in await safeguarding_service.decisions_for_family(session, access, family_id):
        entries.append(
            ChronologyEntry(
                decision.created_at,
                "decision_not_to_share",
                "Decision not to share recorded",
                decision.owning_agency_id,
                decision.id,
            )
        )
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:first]


async def _team(session: AsyncSession, family_id: uuid.UUID) -> list[ChronologyEntry]:
    statement = (
        select(TeamMembership).where(TeamMembership.family_id == family_id).order_by(col(TeamMembership.valid_from))
    )
    entries = []
    for membership in (await session.exec(statement)).all():
        role = "lead professional" if membership.role.value == "lead_professional" else "team member"
        entries.append(
            ChronologyEntry(
                membership.valid_from,
                "team_joined",
                f"Joined the team as {role}",
                membership.agency_id,
                membership.id,
            )
        )
        if membership.valid_to:
            entries.append(
                ChronologyEntry(membership.valid_to, "team_left", "Left the team", membership.agency_id, membership.id)
            )
    return entries
