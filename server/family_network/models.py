"""The family network: people outside the household whom the family names (a grandmother, an uncle, a
neighbour, a family friend), who can be invited to a family group conference."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from server.db.columns import created_at_field, id_field


class NetworkMember(SQLModel, table=True):
    """Who they are and who named them is the team's, for coordinating the conference; their contact details
    are a third party's personal data, read only by those who arrange it (kind family_network_contact)."""

    __tablename__ = "family_network_member"

    id: uuid.UUID = id_field()
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    full_name: str = Field(max_length=200)
    relationship: str = Field(max_length=60)  # in the family's words: grandmother, uncle, neighbour...
    named_by_member_id: uuid.UUID = Field(foreign_key="family_member.id")  # e.g. the young person
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=300)
    recorded_by_user_id: uuid.UUID = Field(foreign_key="app_user.id")
    version: int = 1
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
