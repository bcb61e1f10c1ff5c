"""ContributionAdd compiled (server/api/compiled_writes.py): the resolver's change, its answer's JSON built directly.

The change is `add_contribution`, the resolver's own; the answer is `ContributionType.one`'s, the object the
generic executor would resolve, written out as contribution.graphql's ContributionFields selects it, each leaf by
its schema type's `serialize`. tests/api/test_compiled_writes.py compares it with the generic executor's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from server.agency import loaders as agency_loaders
from server.api.context import Context
from server.api.mutation import payload_of
from server.contribution.api import ContributionAddInput, ContributionType, add_contribution
from server.contribution.models import Contribution

if TYPE_CHECKING:
    from server.api.compiled_writes import Operation


class _Info:
    """What `ContributionType.one` reads of a resolver's info: the context."""

    __slots__ = ("context",)

    def __init__(self, context: Context) -> None:
        self.context = context


async def contribution_add(operation: Operation, variables: dict[str, Any], context: Context) -> dict[str, Any]:
    arguments = operation.arguments(variables)
    sent = arguments["input"]
    field = operation.field_name
    row, agency = await add_contribution(
        context, _input(sent), payload=lambda: payload_of(operation.schema, field, arguments)
    )
    actor = context.require_actor()
    if agency.values is not None and not row.about_member_ids and row.author_user_id == actor.user_id:
        # What `ContributionType.one` would build from the loaders, known already: the agency read with the change,
        # the caller as author (`StaffMemberType.of_actor`), no member named.
        owning = {"id": str(agency.values["id"]), "name": agency.values["name"]}
        author = {"id": str(actor.user_id), "displayName": actor.display_name}
        return _fields(operation, row, owning, author, [])
    agency_loaders.prime(context.loaders.agency_by_id, agency)
    item = await ContributionType.one(_Info(context), row)  # type: ignore[arg-type]
    return _answer(operation, item)


def _input(sent: dict[str, Any]) -> ContributionAddInput:
    """The input object Strawberry would give the resolver, from the coerced variable (defaults filled in)."""
    return ContributionAddInput(
        family_id=sent["familyId"],
        kind=sent["kind"],
        category=sent["category"],
        title=sent["title"],
        body=sent["body"],
        about_member_ids=sent["aboutMemberIds"],
        may_appear_in_family_summary=sent["mayAppearInFamilySummary"],
        contains_third_party_identities=sent["containsThirdPartyIdentities"],
        idempotency_key=sent["idempotencyKey"],
    )


def _answer(operation: Operation, item: ContributionType) -> dict[str, Any]:
    """ContributionFields of the object the generic executor would resolve."""
    owning = {"id": str(item.owning_agency.id), "name": item.owning_agency.name}
    author = {"id": str(item.author.id), "displayName": item.author.display_name}
    about = [{"id": str(member.id), "fullName": member.full_name} for member in item.about]
    return _fields(operation, item.row, owning, author, about)


def _fields(
    operation: Operation, row: Contribution, owning: dict[str, str], author: dict[str, str], about: list[dict]
) -> dict[str, Any]:
    """ContributionFields, in its order, each leaf by its schema type's `serialize`."""
    schema = operation.schema
    kind, category, when = (schema.get_type(name) for name in ("ContributionKind", "InformationCategory", "DateTime"))
    return {
        "id": str(row.id),
        "kind": kind.serialize(row.kind),  # type: ignore[union-attr]
        "category": category.serialize(row.category),  # type: ignore[union-attr]
        "title": row.title,
        "body": row.body,
        "mayAppearInFamilySummary": row.may_appear_in_family_summary,
        "containsThirdPartyIdentities": row.contains_third_party_identities,
        "version": row.version,
        "createdAt": when.serialize(row.created_at),  # type: ignore[union-attr]
        "updatedAt": when.serialize(row.updated_at),  # type: ignore[union-attr]
        "owningAgency": owning,
        "author": author,
        "about": about,
    }
