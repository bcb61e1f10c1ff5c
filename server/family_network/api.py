"""The family network through GraphQL: a family's network, recording a person the family names, and the lead
professional's edits. Contact details are null where the policy withholds them (contactVisible false)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import strawberry

from server.api.mutation import mutate
from server.api.scalars import Info, idempotency_key_field, parse_id
from server.family_network import service as network_service
from server.family_network.models import NetworkMember
from server.family_network.service import NetworkMemberIn, SeenNetworkMember


@strawberry.type(
    name="NetworkMember",
    description="A person outside the household whom the family names (a grandmother, an uncle, a neighbour), who"
    " can be invited to its family group conference. Who they are is the team's; their contact details are read"
    " only by the lead professional (and the deputy lead while covering).",
)
class NetworkMemberType:
    id: strawberry.ID
    family_id: strawberry.ID
    full_name: str
    relationship: str = strawberry.field(description="In the family's words: grandmother, uncle, neighbour...")
    named_by_member_id: strawberry.ID = strawberry.field(description="The member of the family who named them.")
    contact_visible: bool = strawberry.field(description="Whether the caller may read the contact details.")
    phone: str | None = strawberry.field(description="Null where the contact details are withheld.")
    email: str | None
    address: str | None
    version: int = strawberry.field(description="Send it back as expectedVersion when editing.")
    created_at: datetime

    @classmethod
    def from_seen(cls, seen: SeenNetworkMember) -> NetworkMemberType:
        row, shown = seen.row, seen.contact_visible
        return cls(
            id=strawberry.ID(str(row.id)),
            family_id=strawberry.ID(str(row.family_id)),
            full_name=row.full_name,
            relationship=row.relationship,
            named_by_member_id=strawberry.ID(str(row.named_by_member_id)),
            contact_visible=shown,
            phone=row.phone if shown else None,
            email=row.email if shown else None,
            address=row.address if shown else None,
            version=row.version,
            created_at=row.created_at,
        )


@strawberry.input(description="A person the family names, and how to reach them. Any worker on the team.")
class NetworkMemberAddInput:
    family_id: strawberry.ID
    full_name: str = strawberry.field(description="200 characters at most.")
    relationship: str = strawberry.field(description="To the family, in its words; 60 characters at most.")
    named_by_member_id: strawberry.ID = strawberry.field(description="The member of the family who named them.")
    phone: str = ""
    email: str = ""
    address: str = ""
    idempotency_key: str | None = idempotency_key_field()

    def to_member(self) -> NetworkMemberIn:
        named_by = parse_id(self.named_by_member_id, "namedByMemberId")
        return NetworkMemberIn(self.full_name, self.relationship, named_by, self.phone, self.email, self.address)


@strawberry.input(description="Change a person of the family network (every field). The lead professional.")
class NetworkMemberEditInput:
    network_member_id: strawberry.ID
    expected_version: int = strawberry.field(description="The version you read; a stale one gives CONFLICT.")
    full_name: str
    relationship: str
    named_by_member_id: strawberry.ID
    phone: str = ""
    email: str = ""
    address: str = ""

    def to_member(self) -> NetworkMemberIn:
        named_by = parse_id(self.named_by_member_id, "namedByMemberId")
        return NetworkMemberIn(self.full_name, self.relationship, named_by, self.phone, self.email, self.address)


@strawberry.type
class NetworkQuery:
    @strawberry.field(description="A family's network, in the order recorded. NOT_FOUND for anyone not on its team.")
    async def family_network(self, info: Info, family_id: strawberry.ID) -> list[NetworkMemberType]:
        family = parse_id(family_id, "familyId")
        async with info.context.read() as session:
            found = await network_service.list_for_family(session, info.context.access, family_id=family)
        return [NetworkMemberType.from_seen(item) for item in found]


@strawberry.type
class NetworkMutation:
    @strawberry.mutation(description="Record a person the family names. Workers on the family's team.")
    async def network_member_add(self, info: Info, input: NetworkMemberAddInput) -> NetworkMemberType:
        family_id = parse_id(input.family_id, "familyId")
        seen = await mutate(
            info,
            partial(network_service.add, family_id=family_id, data=input.to_member()),
            family_id=family_id,
            audit=lambda row: {"networkMemberId": str(row.id)},
            idempotency_key=input.idempotency_key,
            replay=NetworkMember,
            then=network_service.seen,
        )
        return NetworkMemberType.from_seen(seen)

    @strawberry.mutation(description="Change a person of the family network. The lead professional; CONFLICT if stale.")
    async def network_member_edit(self, info: Info, input: NetworkMemberEditInput) -> NetworkMemberType:
        seen = await mutate(
            info,
            partial(
                network_service.edit,
                network_member_id=parse_id(input.network_member_id, "networkMemberId"),
                expected_version=input.expected_version,
                data=input.to_member(),
            ),
            audit=lambda row: {"networkMemberId": str(row.id), "version": row.version},
            then=network_service.seen,
        )
        return NetworkMemberType.from_seen(seen)
