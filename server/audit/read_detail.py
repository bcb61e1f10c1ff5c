"""The detail of a read event (`contribution_read`, `minutes_item_read`, ...): which items of other agencies a
request read, each with the facts the access log decides it on.

Written compactly, each read's facts by position in the event's own lists:

    {"items": [item id, ...],                  every item read, in the order read
     "categories": [...], "owningAgencyIds": [...], "basis": [...],    each sorted, without repeats
     "reads": [[agency, category, basis], ...]}                         one per item, in the items' order

where agency, category and basis are indexes into `owningAgencyIds`, `categories` and `basis` (basis null where
no rule was named), and a read shared by safeguarding overrides has their ids as a fourth element. A page of 100
other agencies' items is ~6.5 kB written so, against ~20 kB with every read's facts written out: PostgreSQL parses,
hashes into the chain and stores the detail of every such request before it is answered (bench/README.md).

Events written before 5 December 2026 hold each read as an object (`{"item", "owningAgencyId", "category",
"basis", "overrideIds"?}`); the chain's hashes cover them as they are, so they stay so. Both forms are read here
alone: `expanded` gives the audit log's readers the written-out form of either, and `read_facts` the access log's
SQL the facts of each read of either.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

ReadFacts = tuple[str, str, str | None, list[str] | None]
"""What the audit log keeps of a read of an item (server/access/pep.py note_read): the owning agency's id, the
category, the rule that allowed it, and the ids of the overrides that shared it (None unless an override did)."""

Reads = dict[tuple[uuid.UUID, str], dict[str, ReadFacts]]
"""What a request read of other agencies' items, by family and kind, each item once (AccessControl.reads)."""


def compact(reads: dict[str, ReadFacts]) -> dict[str, Any]:
    """The detail of one event from its reads, by item id."""
    facts = reads.values()
    categories = sorted({category for _agency, category, _basis, _overrides in facts})
    agencies = sorted({agency for agency, _category, _basis, _overrides in facts})
    bases = sorted({basis for _agency, _category, basis, _overrides in facts if basis})
    category_at = {category: n for n, category in enumerate(categories)}
    agency_at = {agency: n for n, agency in enumerate(agencies)}
    basis_at = {basis: n for n, basis in enumerate(bases)}
    written = []
    for agency, category, basis, overrides in facts:
        fact: list[Any] = [agency_at[agency], category_at[category], basis_at.get(basis)]  # type: ignore[arg-type]
        if overrides:
            fact.append(overrides)
        written.append(fact)
    return {
        "items": list(reads),
        "categories": categories,
        "owningAgencyIds": agencies,
        "basis": bases,
        "reads": written,
    }


def expanded(detail: dict[str, Any]) -> dict[str, Any]:
    """A read event's detail with every read's facts written out (the earlier form, unchanged); any other
    event's detail as it is."""
    reads = detail.get("reads")
    if not isinstance(reads, list) or not reads or not isinstance(reads[0], list):
        return detail
    agencies, categories, bases = detail["owningAgencyIds"], detail["categories"], detail["basis"]
    written = []
    for item, (agency, category, basis, *overrides) in zip(detail["items"], reads, strict=True):
        read = {
            "item": item,
            "owningAgencyId": agencies[agency],
            "category": categories[category],
            "basis": None if basis is None else bases[basis],
        }
        if overrides:
            read["overrideIds"] = overrides[0]
        written.append(read)
    return {**detail, "reads": written}


def read_facts(detail: ColumnElement, read: ColumnElement, position: ColumnElement) -> dict[str, ColumnElement]:
    """The facts of one read of an event's detail, for `jsonb_array_elements(detail -> 'reads') WITH ORDINALITY`
    as (read, position): in either form, the item (text), owning agency (uuid), category (text) and override ids
    (a jsonb array, or null)."""

    def by_index(names: str, index: int) -> ColumnElement:
        return detail[names][sa.cast(read[index].astext, sa.Integer)].astext

    written_out = sa.func.jsonb_typeof(read) == "object"
    item = detail["items"][sa.cast(position - 1, sa.Integer)].astext
    return {
        "item": sa.case((written_out, read["item"].astext), else_=item),
        "owner": sa.cast(
            sa.case((written_out, read["owningAgencyId"].astext), else_=by_index("owningAgencyIds", 0)), sa.Uuid
        ),
        "category": sa.case((written_out, read["category"].astext), else_=by_index("categories", 1)),
        "override_ids": sa.case((written_out, read["overrideIds"]), else_=read[3]),
    }
