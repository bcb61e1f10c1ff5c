"""The contact log through GraphQL: a family's contacts (a page at a time), its contacts per week, and
recording a contact."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

import strawberry

from server.access.categories import InformationCategory
from server.agency.api import AgencyType
from server.api.mutation import mutate
from server.api.pagination import After, First, PageInfo
from server.api.scalars import Info, idempotency_key_field, parse_id
from server.api.types import InformationCategoryType
from server.contact import service as contact_service
from server.contact.models import Contact, ContactKind
from server.contact.service import ContactIn, SeenContact, Week
from server.user.api import StaffMemberType

ContactKindType = strawberry.enum(
    ContactKind,
    name="ContactKind",
    description="How the worker was in contact: a home visit, a phone call, at school, at an office, by video, other.",
)


@strawberry.type(
    name="Contact",
    description="A worker's contact with the family. That it happened (who, agency, when, how, how long) is seen by"
    " whoever may read the family's plan; its note is the worker's agency's information in its category, shown only"
    " where the sharing rules allow.",
)
class ContactType:
    id: strawberry.ID
    kind: ContactKindType  # type: ignore[valid-type]
    contacted_at: datetime
    duration_minutes: int
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        description="The information category of the note: it decides who may read it."
    )
    content_visible: bool = strawberry.field(description="Whether the caller may read the note.")
    note: str | None = strawberry.field(description="A short note; null when withheld, empty when none was written.")
    row: strawberry.Private[Contact]

    @strawberry.field(description="The worker who was in contact.")
    async def worker(self, info: Info) -> StaffMemberType:
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(self.row.worker_user_id))

    @strawberry.field(description="The worker's agency, whose contact it was.")
    async def agency(self, info: Info) -> AgencyType:
        return AgencyType.from_row(await info.context.loaders.agency_by_id.load(self.row.owning_agency_id))

    @classmethod
    def from_seen(cls, seen: SeenContact) -> ContactType:
        row = seen.row
        return cls(
            id=strawberry.ID(str(row.id)),
            kind=row.kind,
            contacted_at=row.contacted_at,
            duration_minutes=row.duration_minutes,
            category=InformationCategory(row.category),
            content_visible=seen.note_visible,
            note=row.note if seen.note_visible else None,
            row=row,
        )


@strawberry.type(description="A page of a family's contacts, most recent first.")
class ContactConnection:
    nodes: list[ContactType]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Every contact with the family (each one's facts are visible).")


@strawberry.type(name="ContactWeek", description="Contacts with the family in one week (Monday to Sunday, UTC).")
class ContactWeekType:
    starts_on: date = strawberry.field(description="The Monday the week starts on.")
    contacts: int
    minutes: int = strawberry.field(description="Minutes of contact in all.")

    @classmethod
    def from_week(cls, week: Week) -> ContactWeekType:
        return cls(starts_on=week.starts_on, contacts=week.contacts, minutes=week.minutes)


@strawberry.input(description="Record your own contact with the family. Workers on the team.")
class ContactRecordInput:
    family_id: strawberry.ID
    contacted_at: datetime = strawberry.field(description="When it started; not in the future, within the last year.")
    kind: ContactKindType  # type: ignore[valid-type]
    duration_minutes: int = strawberry.field(description="1 to 720.")
    note: str = strawberry.field(default="", description="A short note, 1,000 characters at most.")
    category: InformationCategoryType = strawberry.field(  # type: ignore[valid-type]
        default=InformationCategory.other, description="The information category of the note."
    )
    idempotency_key: str | None = idempotency_key_field()

    def to_contact(self) -> ContactIn:
        return ContactIn(self.contacted_at, self.kind, self.duration_minutes, self.note, self.category)


@strawberry.type
class ContactQuery:
    @strawberry.field(description="A family's contacts, most recent first. NOT_FOUND for anyone not on its team.")
    async def family_contacts(
        self, info: Info, family_id: strawberry.ID, first: First = 50, after: After = None
    ) -> ContactConnection:
        family = parse_id(family_id, "familyId")
        async with info.context.read() as session:
            page = await contact_service.list_for_family(
                session, info.context.access, family_id=family, first=first, after=after
            )
        return ContactConnection(
            nodes=[ContactType.from_seen(item) for item in page.items],
            page_info=PageInfo.of(page, contact_service.cursor),
            total_count=page.total,  # type: ignore[arg-type]
        )

    @strawberry.field(
        description="Contacts with the family in each of the last `weeks` weeks (1 to 52, this week included), oldest"
        " first; every contact is counted (each one's facts are the team's), never by its note."
    )
    async def family_contact_weeks(self, info: Info, family_id: strawberry.ID, weeks: int = 8) -> list[ContactWeekType]:
        family = parse_id(family_id, "familyId")
        async with info.context.read() as session:
            found = await contact_service.weekly(session, info.context.access, family_id=family, weeks=weeks)
        return [ContactWeekType.from_week(week) for week in found]


@strawberry.type
class ContactMutation:
    @strawberry.mutation(description="Record your own contact with the family. Workers on the family's team.")
    async def contact_record(self, info: Info, input: ContactRecordInput) -> ContactType:
        family_id = parse_id(input.family_id, "familyId")
        seen = await mutate(
            info,
            partial(contact_service.record, family_id=family_id, data=input.to_contact()),
            family_id=family_id,
            audit=lambda row: {"contactId": str(row.id)},
            idempotency_key=input.idempotency_key,
            replay=Contact,
            then=contact_service.seen,
        )
        return ContactType.from_seen(seen)
