"""MinutesItemAdd, MeetingDecisionAdd and MinutesPublish compiled (server/api/compiled_writes.py): the resolvers'
changes, the meeting's JSON built directly.

The changes are the resolvers' own (`add_minutes_item`, `add_decision`, `publish` in server/meeting/mutations.py,
through `run_mutation`). The answer is meeting.graphql's MeetingFields of `MeetingType.from_row(meeting)`, the
object the generic executor would resolve, written out in the fragment's order, each leaf by its schema type's
`serialize`: the meeting's parts from the same loader (`content_by_meeting`: the same statement, the same reads
audited), the people and agencies it names from the same loaders and the same lookups as the resolvers.
tests/api/test_compiled_meeting_writes.py compares each with the generic executor's answer."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any

from server.api.context import Context
from server.api.mutation import payload_of
from server.family_network import service as network_service
from server.meeting.models import Meeting, MeetingInvitee
from server.meeting.mutations import (
    MeetingDecisionAddInput,
    MinutesItemAddInput,
    MinutesPublishInput,
    add_decision,
    add_minutes_item,
    publish,
)
from server.meeting.reads import MeetingContent, Recorded
from server.plan import service as plan_service
from server.plan.service import SeenAction

if TYPE_CHECKING:
    from collections.abc import Callable

    from graphql import GraphQLSchema

    from server.api.compiled_writes import Operation


async def minutes_item_add(operation: Operation, variables: dict[str, Any], context: Context) -> dict[str, Any]:
    arguments = operation.arguments(variables)
    sent = arguments["input"]
    given = MinutesItemAddInput(
        meeting_id=sent["meetingId"],
        expected_version=sent["expectedVersion"],
        heading=sent["heading"],
        text=sent["text"],
        category=sent["category"],
        contains_third_party_identities=sent["containsThirdPartyIdentities"],
        about_member_ids=sent["aboutMemberIds"],
        agency_id=sent["agencyId"],
        idempotency_key=sent["idempotencyKey"],
    )
    meeting = await add_minutes_item(context, given, payload=_payload(operation, arguments))
    return await meeting_fields(operation.schema, context, meeting)


async def meeting_decision_add(operation: Operation, variables: dict[str, Any], context: Context) -> dict[str, Any]:
    arguments = operation.arguments(variables)
    sent = arguments["input"]
    given = MeetingDecisionAddInput(
        meeting_id=sent["meetingId"],
        text=sent["text"],
        category=sent["category"],
        contains_third_party_identities=sent["containsThirdPartyIdentities"],
        agreed_with_family=sent["agreedWithFamily"],
        idempotency_key=sent["idempotencyKey"],
    )
    meeting = await add_decision(context, given, payload=_payload(operation, arguments))
    return await meeting_fields(operation.schema, context, meeting)


def _payload(operation: Operation, arguments: dict[str, Any]) -> Callable[[], str]:
    """The payload hash of these arguments for the idempotency record, worked out only when a key was sent."""
    return lambda: payload_of(operation.schema, operation.field_name, arguments)


async def minutes_publish(operation: Operation, variables: dict[str, Any], context: Context) -> dict[str, Any]:
    sent = operation.arguments(variables)["input"]
    given = MinutesPublishInput(meeting_id=sent["meetingId"], expected_version=sent["expectedVersion"])
    return await meeting_fields(operation.schema, context, await publish(context, given))


async def meeting_fields(schema: GraphQLSchema, context: Context, meeting: Meeting) -> dict[str, Any]:
    """MeetingFields of `MeetingType.from_row(meeting)`, in the fragment's order, as its resolvers resolve them."""
    content = await context.loaders.content_by_meeting.load((meeting.id, meeting.family_id))
    people = await _people(context, meeting, content)
    s = _Serializers(schema)
    return {
        "id": str(meeting.id),
        "familyId": str(meeting.family_id),
        "kind": s.meeting_kind(meeting.kind),
        "status": s.meeting_status(meeting.status),
        "scheduledAt": s.time(meeting.scheduled_at),
        "location": meeting.location,
        "callLink": meeting.call_link,
        "agenda": meeting.agenda,
        "minutesPublishedAt": s.time_or_null(meeting.minutes_published_at),
        "cancelReason": meeting.cancel_reason,
        "version": meeting.version,
        "chair": people.chair(meeting.chair_user_id),
        "invitees": [_invitee(s, people, invitee) for invitee in content.invitees],
        "minutes": [_minutes_item(s, recorded) for recorded in content.minutes],
        "decisions": [_decision(s, recorded) for recorded in content.decisions],
        "addenda": [_addendum(s, recorded) for recorded in content.addenda],
        "changes": [
            {
                "kind": s.change_kind(change.kind),
                "reason": change.reason,
                "previousAt": s.time(change.previous_at),
                "newAt": s.time_or_null(change.new_at),
            }
            for change in content.changes
        ],
        "actions": [_action(s, people, seen) for seen in content.actions],
    }


class _Serializers:
    """Each leaf's schema type's `serialize`, as graphql-core completes a leaf."""

    def __init__(self, schema: GraphQLSchema) -> None:
        kinds = ("MeetingKind", "MeetingStatus", "Attendance", "InformationCategory", "MeetingChangeKind")
        self.meeting_kind, self.meeting_status, self.attendance, self.category, self.change_kind = (
            schema.get_type(name).serialize  # type: ignore[union-attr]
            for name in kinds
        )
        self.action_status = schema.get_type("ActionStatus").serialize  # type: ignore[union-attr]
        self.time = schema.get_type("DateTime").serialize  # type: ignore[union-attr]
        self.day = schema.get_type("Date").serialize  # type: ignore[union-attr]

    def time_or_null(self, value: Any) -> Any:
        return None if value is None else self.time(value)


class _People:
    """The workers, agencies, family members and network members the answer names, as its resolvers find them:
    the caller as chair from their sign-in, the others by the request's loaders and the network lookup."""

    def __init__(self, actor: Any, users: dict, agencies: dict, members: dict, network: dict) -> None:
        self.actor, self.users, self.agencies, self.members, self.network = actor, users, agencies, members, network

    def chair(self, user_id: uuid.UUID) -> dict[str, Any]:
        if user_id == self.actor.user_id:  # MeetingType.chair: the chair asks, no read of them
            return {"id": str(self.actor.user_id), "displayName": self.actor.display_name}
        return self.staff(user_id)

    def staff(self, user_id: uuid.UUID) -> dict[str, Any]:
        user = self.users[user_id]
        return {"id": str(user.id), "displayName": user.display_name}

    def agency(self, agency_id: uuid.UUID) -> dict[str, Any]:
        agency = self.agencies[agency_id]
        return {"id": str(agency.id), "name": agency.name}


async def _people(context: Context, meeting: Meeting, content: MeetingContent) -> _People:
    """Read together, as the executor's loaders batch them; nothing is read when the meeting names no one but the
    caller (the bench's meetings)."""
    actor = context.require_actor()
    loaders = context.loaders
    user_ids = [meeting.chair_user_id] if meeting.chair_user_id != actor.user_id else []
    user_ids += [invitee.user_id for invitee in content.invitees if invitee.user_id is not None]
    user_ids += [seen.row.owner_user_id for seen in content.actions]
    user_ids = list(dict.fromkeys(user_ids))
    agency_ids = list(dict.fromkeys(seen.row.owning_agency_id for seen in content.actions))
    with_members = any(invitee.family_member_id is not None for invitee in content.invitees)
    users, agencies, members = await asyncio.gather(
        loaders.user_by_id.load_many(user_ids) if user_ids else _nothing(),
        loaders.agency_by_id.load_many(agency_ids) if agency_ids else _nothing(),
        loaders.members_by_family_id.load(meeting.family_id) if with_members else _nothing(),
    )
    network = {}
    for invitee in content.invitees:
        if invitee.network_member_id is not None:  # as MeetingInviteeType.network_member reads it
            async with context.read() as session:
                network[invitee.id] = await network_service.get(session, context.access, invitee.network_member_id)
    return _People(
        actor,
        dict(zip(user_ids, users, strict=True)),
        dict(zip(agency_ids, agencies, strict=True)),
        {member.id: member for member in members},
        network,
    )


async def _nothing() -> list:
    return []


def _invitee(s: _Serializers, people: _People, invitee: MeetingInvitee) -> dict[str, Any]:
    member = people.members[invitee.family_member_id] if invitee.family_member_id is not None else None
    network = people.network.get(invitee.id)
    return {
        "id": str(invitee.id),
        "attendance": s.attendance(invitee.attendance),
        "professional": people.staff(invitee.user_id) if invitee.user_id is not None else None,
        "familyMember": {"id": str(member.id), "fullName": member.full_name} if member is not None else None,
        "networkMember": (
            {"id": str(network.id), "fullName": network.full_name, "relationship": network.relationship}
            if network is not None
            else None
        ),
    }


def _minutes_item(s: _Serializers, recorded: Recorded) -> dict[str, Any]:
    """MinutesItemFields of `MinutesItemType.from_recorded(recorded)`."""
    row = recorded.row
    return {
        "id": str(row.id),
        "meetingId": str(row.meeting_id),
        "position": row.position,
        "heading": row.heading,
        "text": row.text,
        "category": s.category(row.category),
        "containsThirdPartyIdentities": row.contains_third_party_identities,
        "owningAgency": {"id": str(recorded.agency.id), "name": recorded.agency.name},
        "aboutMemberIds": [str(member_id) for member_id in row.about_member_ids],
        "author": {"id": str(recorded.author.id), "displayName": recorded.author.display_name},
    }


def _decision(s: _Serializers, recorded: Recorded) -> dict[str, Any]:
    row = recorded.row
    return {
        "id": str(row.id),
        "text": row.text,
        "category": s.category(row.category),
        "containsThirdPartyIdentities": row.contains_third_party_identities,
        "agreedWithFamily": row.agreed_with_family,
        "owningAgency": {"id": str(recorded.agency.id), "name": recorded.agency.name},
        "recordedBy": {"id": str(recorded.author.id), "displayName": recorded.author.display_name},
    }


def _addendum(s: _Serializers, recorded: Recorded) -> dict[str, Any]:
    row = recorded.row
    return {
        "id": str(row.id),
        "text": row.text,
        "category": s.category(row.category),
        "containsThirdPartyIdentities": row.contains_third_party_identities,
        "author": {"id": str(recorded.author.id), "displayName": recorded.author.display_name},
        "owningAgency": {"id": str(recorded.agency.id), "name": recorded.agency.name},
    }


def _action(s: _Serializers, people: _People, seen: SeenAction) -> dict[str, Any]:
    """The selected fields of `PlanActionType.from_seen(seen)`."""
    row = seen.row
    return {
        "id": str(row.id),
        "category": s.category(row.category),
        "contentVisible": seen.content_visible,
        "description": row.description if seen.content_visible else None,
        "dueDate": s.day(row.due_date),
        "status": s.action_status(row.status),
        "overdue": plan_service.is_overdue(row),
        "owner": people.staff(row.owner_user_id),
        "owningAgency": people.agency(row.owning_agency_id),
    }
