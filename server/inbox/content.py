"""The words of what a notification is about, rendered when it is read or delivered, never stored.

A notification holds a reference to its subject (notifications/models.py): an escalation's reason (and
outcome note) or a plan action's description. Here the subjects of a page of notifications are loaded
in one statement per kind, and each is shown only where the enforcement point allows the reader to read
that piece of content now, with the facts the domain itself uses (server/escalation/service.py
`reason_facts`, server/plan/content.py `action_facts`): so a consent withdrawn, an override ended or a
worker gone from the team takes effect on the inbox, the replay, live delivery and the digest at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.categories import InformationCategory
from server.access.facts import ItemFacts
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.escalation.models import Escalation
from server.escalation.service import reason_facts
from server.plan.content import action_facts, serves_agreed_goal
from server.plan.models import PlanAction

TITLE_LENGTH = 200  # an action's description, as the title of its notification


@dataclass(frozen=True, slots=True)
class Ref:
    """What a notification is about: its family, and the case content it names (None: no content)."""

    family_id: uuid.UUID
    kind: str | None = None
    id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Content:
    """The subject's words as one reader may see them now; `visible` False: none of them."""

    visible: bool = False
    category: str | None = None  # the subject's category now (structure: shown whether or not visible)
    reason: str | None = None
    outcome_note: str | None = None
    title: str | None = None
    # Who raised an escalation: the escalation's structure, shown to whoever is told of it, like its level.
    raised_by_user_id: uuid.UUID | None = None


NOTHING = Content()


def ref_of(row) -> Ref:
    """From a notification row or a streamed record (they share these attributes)."""
    return Ref(row.family_id, row.subject_kind, row.subject_id)


Subjects = dict[tuple[str, uuid.UUID], tuple[uuid.UUID, ItemFacts, Content]]


async def load(session: AsyncSession, refs: Iterable[Ref]) -> Subjects:
    """The subjects named by `refs`, with their facts and words: one statement per kind of subject."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for ref in refs:
        if ref.kind is not None and ref.id is not None:
            wanted.setdefault(ref.kind, set()).add(ref.id)
    subjects: Subjects = {}
    if ids := wanted.get(Kind.escalation_reason):
        for row in (await session.exec(select(Escalation).where(col(Escalation.id).in_(ids)))).all():
            category = InformationCategory(row.category).value
            words = Content(
                True,
                category,
                reason=row.reason,
                outcome_note=row.outcome_note,
                raised_by_user_id=row.raised_by_user_id,
            )
            subjects[(Kind.escalation_reason, row.id)] = (row.family_id, reason_facts(row), words)
    if ids := wanted.get(Kind.plan_action):
        statement = select(PlanAction, serves_agreed_goal().label("agreed")).where(col(PlanAction.id).in_(ids))
        for action, agreed in (await session.exec(statement)).all():
            category = InformationCategory(action.category).value
            words = Content(True, category, title=action.description[:TITLE_LENGTH])
            facts = action_facts(action, serves_agreed_goal=bool(agreed))
            subjects[(Kind.plan_action, action.id)] = (action.family_id, facts, words)
    return subjects


async def decide(
    session: AsyncSession, access: AccessControl, subjects: Subjects, refs: Iterable[Ref]
) -> dict[Ref, Content]:
    """Each reference's content as `access`'s actor may read it now (their facts in one statement, if not
    already read)."""
    refs = list(dict.fromkeys(refs))
    await access.load_facts(session, list({ref.family_id for ref in refs if (ref.kind, ref.id) in subjects}))
    rendered: dict[Ref, Content] = {}
    for ref in refs:
        found = subjects.get((ref.kind, ref.id)) if ref.kind is not None and ref.id is not None else None
        if found is None or found[0] != ref.family_id:  # no content, or a subject gone (or not this family's)
            rendered[ref] = NOTHING
            continue
        family_id, facts, words = found
        kind = Kind(ref.kind)  # a subject was found, so its kind is one of the policy's
        if await access.can_item(session, Act.read, kind, family_id, facts):
            access.note_read(family_id, ref.id, kind, facts)  # type: ignore[arg-type]
            rendered[ref] = words
        else:
            rendered[ref] = Content(False, words.category, raised_by_user_id=words.raised_by_user_id)
    return rendered


async def render(session: AsyncSession, access: AccessControl, refs: Iterable[Ref]) -> dict[Ref, Content]:
    """Load and decide, for one reader: a constant number of statements for any number of references."""
    refs = list(refs)
    return await decide(session, access, await load(session, refs), refs)
