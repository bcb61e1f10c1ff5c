"""A family's label (name and reference) for people who may not read the family's record but need to
know which family something is about: information-governance officers reviewing overrides and the
audit log. The enforcement point decides (kind "family_label")."""

from __future__ import annotations

import uuid

from server.access.actor import Act
from server.access.kinds import Kind
from server.api.scalars import Info


async def family_label(info: Info, family_id: uuid.UUID | None) -> str | None:
    if family_id is None or not info.context.access.can_outside_family(Act.read, Kind.family_label):
        return None
    row = await info.context.loaders.family_by_id.load(family_id)
    return f"{row.display_name} ({row.reference})" if row else None
