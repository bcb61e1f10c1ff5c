from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from notifications.digest import DIGEST_KIND
from notifications.events import KINDS
from notifications.models import Delivery
from server.access.categories import InformationCategory
from server.access.pep import AccessControl
from server.api.mutation import mutate
from server.api.pagination import After, First, PageInfo
from server.api.scalars import Info
from server.api.types import InformationCategoryType
from server.errors import Unavailable
from server.family import service as family_service
from server.family.api import FamilyType
from server.inbox import content, live
from server.inbox import service as inbox_service
from server.inbox.service import parse_notification_id
from server.user.api import StaffMemberType

# Every kind of event, and the daily digest (which gathers the kinds a user chose to receive that way).
NotificationKind = StrEnum("NotificationKind", {kind: kind for kind in (*KINDS, DIGEST_KIND)})  # type: ignore[misc]

NotificationKindType = strawberry.enum(
    NotificationKind,
    name="NotificationKind",
    description="What happened (one value per kind of event), or daily_digest: the day's held notifications.",
)
DeliveryType = strawberry.enum(
    Delivery,
    name="NotificationDelivery",
    description="live: pushed at once to connected devices; daily_digest: kept in the inbox for the digest."
    " Urgent escalations are always live.",
)


@strawberry.type(
    name="Notification",
    description="One event as told to the caller. It holds a reference to what it is about, never its words:"
    " `reason`, `outcomeNote` and `title` are read from the escalation or action itself when the notification"
    " is read or delivered, and are null unless the caller may read that content now (by the same policy as"
    " every other read), so a consent withdrawn or an override ended hides them at once.",
)
class NotificationType:
    id: strawberry.ID = strawberry.field(
        description="Increases with every notification: the cursor. Resume a subscription with `after` set to"
        " the last id received, and drop any id already seen (delivery is at least once)."
    )
    kind: NotificationKindType = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    family_id: strawberry.ID = strawberry.field(
        description="The family it is about (a daily_digest, about no single family, has the nil UUID)."
    )
    urgent: bool = strawberry.field(description="An urgent escalation: act on it now.")
    payload: JSON = strawberry.field(
        description="The event's structure for this kind, the same for everyone told of it: ids, dates, levels,"
        " the escalation's outcome code (`outcome`); never case content. A daily_digest has `digest_on` (the"
        " local day), `total`, `counts` (per kind), `items` (references to up to 50 of the held notifications:"
        " `id`, `kind`, `family_id`, `created_at`; read them, rendered, in `items`) and `more` (how many were"
        " not listed)."
    )
    created_at: datetime = strawberry.field(description="When the notification was made.")
    read_at: datetime | None = strawberry.field(description="When the caller marked it read; null if unread.")
    acknowledged_at: datetime | None = strawberry.field(
        description="When the caller acknowledged it (escalations only); null otherwise."
    )
    row: strawberry.Private[Any]
    rendered: strawberry.Private[content.Content | None] = None  # rendered at delivery (the subscription)
    streamed: strawberry.Private[bool] = False

    @classmethod
    def from_row(cls, row: Any, *, streamed: bool = False, rendered: content.Content | None = None) -> NotificationType:
        """From a notification row or a streamed record (they share these attributes)."""
        return cls(
            id=strawberry.ID(str(row.id)),
            kind=NotificationKind(row.kind),
            family_id=strawberry.ID(str(row.family_id)),
            urgent=row.urgent,
            payload=row.payload,
            created_at=row.created_at,
            read_at=row.read_at,
            acknowledged_at=row.acknowledged_at,
            row=row,
            rendered=rendered if rendered is not None else getattr(row, "rendered", None),
            streamed=streamed,
        )

    async def _content(self, info: Info) -> content.Content:
        if self.rendered is not None:
            return self.rendered
        if self.row.subject_kind is None:
            return content.NOTHING
        if self.streamed:  # never the connection's long-lived enforcement point: decide afresh
            access = AccessControl(info.context.enforcer, info.context.require_actor())
            async with info.context.sessions() as session:
                ref = content.ref_of(self.row)
                return (await content.render(session, access, [ref]))[ref]
        return await info.context.loaders.notification_content.load(content.ref_of(self.row))

    @strawberry.field(
        description="The category of the case content it is about (an escalation's, an action's); null for a"
        " notification about none."
    )
    async def category(self, info: Info) -> InformationCategoryType | None:  # type: ignore[valid-type]
        if self.row.subject_kind is None:
            return None
        found = (await self._content(info)).category or self.row.category
        return InformationCategory(found)

    @strawberry.field(
        description="Whether the caller may read, now, the case content it is about (false when it is about none,"
        " or it no longer exists)."
    )
    async def content_visible(self, info: Info) -> bool:
        return (await self._content(info)).visible

    @strawberry.field(description="An escalation's reason, when the caller may read it now; null otherwise.")
    async def reason(self, info: Info) -> str | None:
        return (await self._content(info)).reason

    @strawberry.field(
        description="A resolved escalation's outcome note: shown exactly where its reason is; null otherwise."
    )
    async def outcome_note(self, info: Info) -> str | None:
        return (await self._content(info)).outcome_note

    @strawberry.field(
        description="An action's description (its first 200 characters), when the caller may read it now."
    )
    async def title(self, info: Info) -> str | None:
        return (await self._content(info)).title

    @strawberry.field(
        description="For an escalation's notification: who raised the escalation (as its family's team sees it on"
        " the escalation); null for every other kind."
    )
    async def raised_by(self, info: Info) -> StaffMemberType | None:
        if self.row.subject_kind is None:
            return None
        user_id = (await self._content(info)).raised_by_user_id
        return StaffMemberType.from_row(await info.context.loaders.user_by_id.load(user_id)) if user_id else None

    @strawberry.field(
        description="The family it is about, while the caller may see that family; null otherwise, and for a"
        " daily_digest or an event about no single family."
    )
    async def family(self, info: Info) -> FamilyType | None:
        family_id = self.row.family_id
        if not self.streamed:
            found = await info.context.loaders.visible_family_by_id.load(family_id)
            return FamilyType.from_row(found) if found else None
        access = AccessControl(info.context.enforcer, info.context.require_actor())
        async with info.context.sessions() as session:
            found = (await family_service.visible_families(session, access, [family_id])).get(family_id)
        return FamilyType.from_row(found) if found else None

    @strawberry.field(
        description="For a daily_digest: the held notifications it lists, as the caller may see them now"
        " (those about a family the caller no longer sees are left out); null for every other kind."
    )
    async def items(self, info: Info) -> list[NotificationType] | None:
        if self.row.kind != DIGEST_KIND:
            return None
        ids = inbox_service.digest_item_ids(self.row.payload)
        if not self.streamed:
            rows = await info.context.loaders.notification_digest_items.load((self.row.id, tuple(ids)))
            return [NotificationType.from_row(row) for row in rows]
        access = AccessControl(info.context.enforcer, info.context.require_actor())
        async with info.context.sessions() as session:
            rows = (await inbox_service.digest_items(session, access, [(self.row.id, ids)]))[self.row.id]
            found = await content.render(session, access, [content.ref_of(row) for row in rows])
        return [NotificationType.from_row(row, streamed=True, rendered=found[content.ref_of(row)]) for row in rows]


@strawberry.type(description="A page of the caller's inbox, newest first.")
class NotificationConnection:
    nodes: list[NotificationType]
    page_info: PageInfo


@strawberry.type(name="NotificationPreference", description="How the caller receives one kind of notification.")
class NotificationPreferenceType:
    kind: NotificationKindType = strawberry.field(description="The kind.")  # type: ignore[valid-type]
    delivery: DeliveryType = strawberry.field(description="Live or in the daily digest.")  # type: ignore[valid-type]


@strawberry.input(description="Choose how one kind of notification reaches the caller.")
class NotificationPreferenceSetInput:
    kind: NotificationKindType = strawberry.field(description="The kind.")  # type: ignore[valid-type]
    delivery: DeliveryType = strawberry.field(  # type: ignore[valid-type]
        description="daily_digest has no effect on urgent escalations, which are always live."
    )


UnreadOnly = Annotated[bool, strawberry.argument(description="Only notifications not yet marked read.")]


@strawberry.type
class NotificationQuery:
    @strawberry.field(
        description="The caller's notifications, newest first. Notifications about a family the caller may no"
        " longer see are left out."
    )
    async def inbox(
        self, info: Info, first: First = 20, after: After = None, unread_only: UnreadOnly = False
    ) -> NotificationConnection:
        async with info.context.read() as session:
            page = await inbox_service.inbox(
                session,
                info.context.access,
                first=first,
                after=after,
                unread_only=unread_only,
            )
        return NotificationConnection(
            nodes=[NotificationType.from_row(row) for row in page.items],
            page_info=PageInfo.of(page, inbox_service.cursor),
        )

    @strawberry.field(description="How many of the caller's inbox notifications are unread.")
    async def unread_count(self, info: Info) -> int:
        async with info.context.read() as session:
            return await inbox_service.unread_count(session, info.context.access)

    @strawberry.field(description="The caller's delivery choice for every kind (live unless changed).")
    async def notification_preferences(self, info: Info) -> list[NotificationPreferenceType]:
        async with info.context.read() as session:
            chosen = await inbox_service.preferences(session, info.context.require_actor())
        return [NotificationPreferenceType(kind=NotificationKind(k), delivery=d) for k, d in chosen.items()]


Ids = Annotated[list[strawberry.ID], strawberry.argument(description="Up to 100 notification ids.")]
NotificationId = Annotated[strawberry.ID, strawberry.argument(description="An escalation notification's id.")]


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(
        description="Mark the caller's notifications read. Ids that are not the caller's are ignored; returns"
        " the notifications marked."
    )
    async def notification_mark_read(self, info: Info, ids: Ids) -> list[NotificationType]:
        numbers = [parse_notification_id(value, "ids") for value in ids]
        rows = await mutate(
            info,
            partial(inbox_service.mark_read, ids=[number for number in numbers if number is not None]),
        )
        return [NotificationType.from_row(row) for row in rows]

    @strawberry.mutation(
        description="Acknowledge an escalation notification (so the sender knows it was seen). BAD_USER_INPUT"
        " for any other kind; NOT_FOUND if it is not the caller's."
    )
    async def notification_acknowledge(self, info: Info, id: NotificationId) -> NotificationType:
        notification_id = parse_notification_id(id, "id")
        row = await mutate(
            info,
            partial(inbox_service.acknowledge, notification_id=notification_id),
            audit=lambda row: {"notificationId": row.id, "kind": row.kind},
        )
        return NotificationType.from_row(row)

    @strawberry.mutation(description="Choose live or daily-digest delivery for one kind of notification.")
    async def notification_preference_set(
        self, info: Info, input: NotificationPreferenceSetInput
    ) -> NotificationPreferenceType:
        await mutate(
            info,
            lambda session, access: inbox_service.set_preference(
                session, access.actor, kind=input.kind.value, delivery=input.delivery
            ),
        )
        return NotificationPreferenceType(kind=input.kind, delivery=input.delivery)


SubscriptionAfter = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="The last notification id the client received; omit to receive only new ones."),
]


@strawberry.type
class NotificationSubscription:
    @strawberry.subscription(
        description="The caller's notifications over graphql-transport-ws (sign in with"
        " `Authorization: Bearer <token>` in connection_init): first those after `after`, then live, in id"
        " order, at least once."
        " Ends with UNAUTHENTICATED when the sign-in is revoked or expires, and with UNAVAILABLE when the"
        " client falls too far behind (subscribe again from the last id received)."
    )
    async def notifications(
        self, info: Info, after: SubscriptionAfter = None
    ) -> AsyncGenerator[NotificationType, None]:
        context = info.context
        actor = context.require_actor()
        cursor = parse_notification_id(after, "after")
        if context.bus is None:
            raise Unavailable("Notifications are not running on this server.")
        if cursor is None:
            cursor = context.bus.last_id
        records = live.follow(
            context.sessions,
            context.enforcer,
            context.bus,
            actor,
            after=cursor,
            sign_ins=context.sign_ins,
        )
        async for record in records:
            yield NotificationType.from_row(record, streamed=True)
