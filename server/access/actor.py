"""Who is asking: the authenticated user as the policy sees them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Act(StrEnum):
    read = "read"
    create = "create"
    update = "update"
    manage = "manage"


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: uuid.UUID
    display_name: str
    kind: str  # "staff" or "family"
    role: str  # a system role, or "family" for a portal account
    agency_id: uuid.UUID | None
    family_member_id: uuid.UUID | None
    token_id: uuid.UUID | None = None
